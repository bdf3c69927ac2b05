package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// daysFlag is a duration flag that also takes whole days ("30d"), as the
// help texts and officers count them; Go's forms (90m, 24h, 1h30m) still
// work. `user token -ttl 30d` and `silence add -duration 2d` were refused
// with "parse error" (an outside install).
type daysFlag struct{ d *time.Duration }

func (f daysFlag) String() string {
	if f.d == nil {
		return ""
	}
	if *f.d > 0 && *f.d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(*f.d/(24*time.Hour)), 10) + "d"
	}
	return f.d.String()
}

func (f daysFlag) Set(s string) error {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 {
			return fmt.Errorf("%q is not a whole number of days (such as 30d)", s)
		}
		*f.d = time.Duration(days) * 24 * time.Hour
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration: write whole days (30d) or hours and minutes (36h, 90m)", s)
	}
	*f.d = d
	return nil
}

// durationDays defines a daysFlag on fs with a default.
func durationDays(fs *flag.FlagSet, name string, def time.Duration, usage string) *time.Duration {
	d := def
	fs.Var(daysFlag{&d}, name, usage)
	return &d
}
