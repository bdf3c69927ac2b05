package extract

import (
	"sync"
	"testing"
	"time"

	"github.com/markusmobius/go-dateparser"
)

// presswatch links its own copy of go-dateparser (third_party/go-dateparser,
// PRESSWATCH.md) whose ~4,000 patterns compile on first use instead of at
// start-up. These tests keep what start-up used to check: every pattern
// compiles; and dates written in words still parse, from many goroutines at
// once, as the crawler's article workers call it.

func TestDateParserPatternsCompile(t *testing.T) {
	if err := dateparser.CheckPatterns(); err != nil {
		t.Fatalf("a go-dateparser pattern does not compile: %v", err)
	}
}

func TestDateParserLazyPatternsParseConcurrently(t *testing.T) {
	cases := []struct {
		in   string
		want string
	}{
		{"14 tháng 5 năm 2024", "2024-05-14"},
		{"le 3 décembre 2025", "2025-12-03"},
		{"3. Dezember 2025", "2025-12-03"},
		{"2025年12月3日", "2025-12-03"},
		{"December 3, 2025", "2025-12-03"},
	}
	cfg := &dateparser.Configuration{CurrentTime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var wg sync.WaitGroup
	errs := make(chan string, 4*len(cases))
	for range 4 {
		for _, c := range cases {
			wg.Go(func() {
				d, err := dateparser.Parse(cfg, c.in)
				if err != nil {
					errs <- c.in + ": " + err.Error()
					return
				}
				if got := d.Time.Format(time.DateOnly); got != c.want {
					errs <- c.in + ": got " + got + ", want " + c.want
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
