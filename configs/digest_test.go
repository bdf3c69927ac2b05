package configs

import (
	"strings"
	"testing"
	"time"
)

func TestDigestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		c    DigestConfig
		want []string // keys named by the errors, in order
	}{
		{"zero is valid", DigestConfig{}, nil},
		{"full", DigestConfig{Enabled: true, Timezone: "Asia/Ho_Chi_Minh", CheckInterval: time.Minute, Lease: 20 * time.Minute,
			Weekly:    DigestSchedule{Weekday: "Monday", Time: "07:30", Recipients: []string{"Sở Ngoại vụ <songoaivu@dongnai.gov.vn>"}},
			Quarterly: DigestSchedule{Day: 3, Time: "09:00"}, Annual: DigestSchedule{Day: 4}}, nil},
		{"timezone", DigestConfig{Timezone: "Mars/Olympus"}, []string{"digest.timezone"}},
		{"interval", DigestConfig{CheckInterval: -time.Second}, []string{"digest.check_interval"}},
		{"lease", DigestConfig{Lease: time.Second}, []string{"digest.lease"}},
		{"weekday", DigestConfig{Weekly: DigestSchedule{Weekday: "thứ hai"}}, []string{"digest.weekly.weekday"}},
		{"time", DigestConfig{Quarterly: DigestSchedule{Time: "25:00"}}, []string{"digest.quarterly.time"}},
		{"annual after 4 November", DigestConfig{Annual: DigestSchedule{Day: 5}}, []string{"digest.annual.day"}},
		{"recipients", DigestConfig{Weekly: DigestSchedule{Recipients: []string{"a@b.vn", "not an address", "A@b.vn"}}},
			[]string{"digest.weekly.recipients[1]", "digest.weekly.recipients[2]"}},
		{"weekly day", DigestConfig{Weekly: DigestSchedule{Day: 2}}, []string{"digest.weekly.day"}},
		{"quarterly weekday", DigestConfig{Quarterly: DigestSchedule{Weekday: "monday"}}, []string{"digest.quarterly.weekday"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := tt.c.Validate()
			if len(errs) != len(tt.want) {
				t.Fatalf("errors %v, want keys %v", errs, tt.want)
			}
			for i, err := range errs {
				if !strings.HasPrefix(err.Error(), tt.want[i]+":") {
					t.Errorf("error %q does not name %s", err, tt.want[i])
				}
			}
		})
	}
}
