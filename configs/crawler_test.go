package configs

import (
	"strings"
	"testing"
	"time"
)

func TestCrawlerSilentMin(t *testing.T) {
	tests := []struct {
		min     time.Duration
		wantErr bool
	}{
		{0, false},
		{24 * time.Hour, false},
		{72 * time.Hour, false},
		{-time.Hour, true},
		{400 * 24 * time.Hour, true},
	}
	for _, tt := range tests {
		c := CrawlerConfig{SilentMin: tt.min}
		errs := c.Validate()
		var got bool
		for _, err := range errs {
			if strings.Contains(err.Error(), "silent_min") {
				got = true
			}
		}
		if got != tt.wantErr {
			t.Errorf("silent_min %s: errors %v, want an error %v", tt.min, errs, tt.wantErr)
		}
	}
}
