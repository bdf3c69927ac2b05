package configs

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// DigestConfig configures the reports: the weekly press-opinion digest, the
// quarterly "Bản tin đối ngoại" and the annual report to the People's
// Committee (due before 5 November), when each is sent and to whom.
type DigestConfig struct {
	// Enabled turns the report scheduler on; reports can still be made by
	// hand with `presswatch report` when it is off.
	Enabled bool `yaml:"enabled"`
	// Timezone is the IANA zone periods and send times are reckoned in;
	// empty means Asia/Ho_Chi_Minh.
	Timezone string `yaml:"timezone"`
	// CheckInterval is how often the scheduler looks for a due report; 0 means 1m.
	CheckInterval time.Duration `yaml:"check_interval"`
	// Lease is how long a claimed report period stays with the scheduler that
	// claimed it before another may take it over (if the first died); 0 means 15m.
	Lease time.Duration `yaml:"lease"`
	// Chromium selects how the PDF is made: empty writes it natively (no
	// browser needed, Vietnamese and CJK fonts embedded); a path, or "auto"
	// (/usr/bin/chromium, then chromium or google-chrome on PATH), prints the
	// HTML with that headless browser instead, falling back to the native
	// writer if printing fails; "off" disables the PDF.
	Chromium string `yaml:"chromium"`
	// Agency is who issues the reports: the header block of the DOCX
	// (administrative layout, Nghị định 30/2020/NĐ-CP) and of the PDF.
	Agency DigestAgency `yaml:"agency"`
	// Weekly is the weekly digest: default Monday 07:30 for the ISO week before.
	Weekly DigestSchedule `yaml:"weekly"`
	// Quarterly is the quarterly bulletin: default day 1 of the next quarter, 08:00.
	Quarterly DigestSchedule `yaml:"quarterly"`
	// Annual is the annual report for the reporting year 1 November – 31
	// October: default 2 November, 08:00; Day must be 1..4 (before 5 November).
	Annual DigestSchedule `yaml:"annual"`
}

// DigestAgency is the issuing agency printed on reports. Empty fields take
// the defaults for Đồng Nai's Sở Ngoại vụ.
type DigestAgency struct {
	// Parent is the governing body, e.g. "UBND tỉnh Đồng Nai".
	Parent string `yaml:"parent"`
	// Agency is the issuing agency, e.g. "Sở Ngoại vụ".
	Agency string `yaml:"agency"`
	// Symbol follows the document number, e.g. "BC-SNgV".
	Symbol string `yaml:"symbol"`
	// Place is the place name of the date line, e.g. "Đồng Nai".
	Place string `yaml:"place"`
	// SignerTitle and SignerName make the signature block.
	SignerTitle string `yaml:"signer_title"`
	SignerName  string `yaml:"signer_name"`
	// Recipients are listed under "Nơi nhận".
	Recipients []string `yaml:"recipients"`
}

// DigestSchedule is when one kind of report is sent and to whom.
type DigestSchedule struct {
	// Disabled skips this kind.
	Disabled bool `yaml:"disabled"`
	// Weekday (weekly only) is the day after the week the digest goes out;
	// empty means monday.
	Weekday string `yaml:"weekday"`
	// Day (quarterly and annual) is the day of the month after the period
	// ends; 0 means 1 for quarterly and 2 for annual.
	Day int `yaml:"day"`
	// Time is the local send time, HH:MM; empty means 07:30 weekly, 08:00 otherwise.
	Time string `yaml:"time"`
	// Recipients are the email addresses the report goes to. With none the
	// report is still built and archived.
	Recipients []string `yaml:"recipients"`
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

// ParseWeekday returns the weekday named s (English, any case); "" is Monday.
func ParseWeekday(s string) (time.Weekday, error) {
	if strings.TrimSpace(s) == "" {
		return time.Monday, nil
	}
	d, ok := weekdays[strings.ToLower(strings.TrimSpace(s))]
	if !ok {
		return 0, fmt.Errorf("%q is not a weekday name (monday … sunday)", s)
	}
	return d, nil
}

// ParseClock returns the hour and minute of "HH:MM"; "" gives def.
func ParseClock(s, def string) (hour, minute int, err error) {
	if strings.TrimSpace(s) == "" {
		s = def
	}
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, 0, fmt.Errorf("%q is not a time of day HH:MM", s)
	}
	return t.Hour(), t.Minute(), nil
}

// Validate returns every problem with the report settings, each naming its key.
func (c *DigestConfig) Validate() []error {
	var errs []error
	if c.Timezone != "" {
		if _, err := time.LoadLocation(c.Timezone); err != nil {
			errs = append(errs, Errf("digest.timezone", "%q is not a known time zone", c.Timezone))
		}
	}
	if c.CheckInterval < 0 || c.CheckInterval > time.Hour {
		errs = append(errs, Errf("digest.check_interval", "%s is not between 0 (default 1m) and 1h", c.CheckInterval))
	}
	if c.Lease < 0 || (c.Lease > 0 && c.Lease < time.Minute) || c.Lease > 24*time.Hour {
		errs = append(errs, Errf("digest.lease", "%s is not between 1m and 24h (0 = 15m)", c.Lease))
	}
	errs = append(errs, c.Weekly.validate("digest.weekly", "07:30", 0, 0)...)
	errs = append(errs, c.Quarterly.validate("digest.quarterly", "08:00", 1, 28)...)
	errs = append(errs, c.Annual.validate("digest.annual", "08:00", 1, 4)...)
	if c.Weekly.Day != 0 {
		errs = append(errs, Errf("digest.weekly.day", "is not used by the weekly digest: set weekday"))
	}
	if c.Quarterly.Weekday != "" {
		errs = append(errs, Errf("digest.quarterly.weekday", "is not used by the quarterly bulletin: set day"))
	}
	if c.Annual.Weekday != "" {
		errs = append(errs, Errf("digest.annual.weekday", "is not used by the annual report: set day"))
	}
	return errs
}

func (s *DigestSchedule) validate(key, defTime string, minDay, maxDay int) []error {
	var errs []error
	if _, err := ParseWeekday(s.Weekday); err != nil {
		errs = append(errs, Errf(key+".weekday", "%v", err))
	}
	if _, _, err := ParseClock(s.Time, defTime); err != nil {
		errs = append(errs, Errf(key+".time", "%v", err))
	}
	if maxDay > 0 && s.Day != 0 && (s.Day < minDay || s.Day > maxDay) {
		errs = append(errs, Errf(key+".day", "%d is not between %d and %d", s.Day, minDay, maxDay))
	}
	seen := map[string]bool{}
	for i, r := range s.Recipients {
		a, err := mail.ParseAddress(r)
		if err != nil {
			errs = append(errs, Errf(fmt.Sprintf("%s.recipients[%d]", key, i), "%q is not an email address", r))
			continue
		}
		if seen[strings.ToLower(a.Address)] {
			errs = append(errs, Errf(fmt.Sprintf("%s.recipients[%d]", key, i), "%q is listed twice", r))
		}
		seen[strings.ToLower(a.Address)] = true
	}
	return errs
}
