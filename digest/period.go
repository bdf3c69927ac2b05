package digest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind is a kind of report.
type Kind string

// The kinds of report.
const (
	// Weekly is the weekly press-opinion digest over an ISO week ("2026-W47").
	Weekly Kind = "weekly"
	// Quarterly is the quarterly "Bản tin đối ngoại" over a calendar quarter ("2026-Q4").
	Quarterly Kind = "quarterly"
	// Annual is the annual report to the People's Committee over the reporting
	// year "2026" = 1 November 2025 – 31 October 2026, so that it is complete
	// when it is due, before 5 November.
	Annual Kind = "annual"
)

// ParseKind returns the kind named s.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(strings.ToLower(strings.TrimSpace(s))); k {
	case Weekly, Quarterly, Annual:
		return k, nil
	}
	return "", fmt.Errorf("report kind %q is not weekly, quarterly or annual", s)
}

// DefaultTimezone is the zone periods are reckoned in unless configured otherwise.
const DefaultTimezone = "Asia/Ho_Chi_Minh"

// ErrBadPeriod is returned (wrapped) for a period label that does not parse.
var ErrBadPeriod = errors.New("bad report period")

// Period is the time a report covers: [Start, End) in its zone.
type Period struct {
	Kind  Kind
	Label string // "2026-W47", "2026-Q4", "2026"
	Start time.Time
	End   time.Time
}

// annualStartMonth is the first month of the reporting year.
const annualStartMonth = time.November

// ParsePeriod parses a period label of kind in loc.
func ParsePeriod(kind Kind, label string, loc *time.Location) (Period, error) {
	label = strings.TrimSpace(label)
	bad := func(format string, args ...any) (Period, error) {
		return Period{}, fmt.Errorf("%w: %s period %q: %s", ErrBadPeriod, kind, label, fmt.Sprintf(format, args...))
	}
	switch kind {
	case Weekly:
		ys, ws, ok := strings.Cut(strings.ToUpper(label), "-W")
		y, err1 := strconv.Atoi(ys)
		w, err2 := strconv.Atoi(ws)
		if !ok || err1 != nil || err2 != nil || len(ws) != 2 || !digits(ys+ws) || y < 1970 || y > 9999 {
			return bad("want an ISO week like 2026-W47")
		}
		p := weekOf(isoWeekStart(y, w, loc))
		if gy, gw := p.Start.ISOWeek(); gy != y || gw != w {
			return bad("year %d has no week %d", y, w)
		}
		return p, nil
	case Quarterly:
		ys, qs, ok := strings.Cut(strings.ToUpper(label), "-Q")
		y, err1 := strconv.Atoi(ys)
		q, err2 := strconv.Atoi(qs)
		if !ok || err1 != nil || err2 != nil || len(qs) != 1 || !digits(ys+qs) || q < 1 || q > 4 || y < 1970 || y > 9999 {
			return bad("want a quarter like 2026-Q4")
		}
		return PeriodOf(Quarterly, time.Date(y, time.Month(3*q-2), 1, 12, 0, 0, 0, loc), loc), nil
	case Annual:
		y, err := strconv.Atoi(label)
		if err != nil || len(label) != 4 || !digits(label) || y < 1970 {
			return bad("want a year like 2026")
		}
		return PeriodOf(Annual, time.Date(y, time.January, 1, 12, 0, 0, 0, loc), loc), nil
	}
	return Period{}, fmt.Errorf("%w: unknown report kind %q", ErrBadPeriod, kind)
}

// digits reports whether s is made of ASCII digits only (strconv.Atoi also
// takes a sign).
func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// isoWeekStart returns Monday 00:00 of ISO week w of year y in loc.
func isoWeekStart(y, w int, loc *time.Location) time.Time {
	jan4 := time.Date(y, time.January, 4, 0, 0, 0, 0, loc) // always in week 1
	offset := (int(jan4.Weekday()) + 6) % 7                // days since Monday
	return jan4.AddDate(0, 0, -offset+7*(w-1))
}

func weekOf(t time.Time) Period {
	loc := t.Location()
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	start := d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	y, w := start.ISOWeek()
	return Period{Kind: Weekly, Label: fmt.Sprintf("%04d-W%02d", y, w), Start: start, End: start.AddDate(0, 0, 7)}
}

// PeriodOf returns the period of kind that contains t, reckoned in loc.
func PeriodOf(kind Kind, t time.Time, loc *time.Location) Period {
	t = t.In(loc)
	switch kind {
	case Quarterly:
		q := (int(t.Month()) - 1) / 3
		start := time.Date(t.Year(), time.Month(3*q+1), 1, 0, 0, 0, 0, loc)
		return Period{Kind: Quarterly, Label: fmt.Sprintf("%04d-Q%d", t.Year(), q+1), Start: start, End: start.AddDate(0, 3, 0)}
	case Annual:
		y := t.Year()
		if t.Month() >= annualStartMonth {
			y++
		}
		start := time.Date(y-1, annualStartMonth, 1, 0, 0, 0, 0, loc)
		return Period{Kind: Annual, Label: fmt.Sprintf("%04d", y), Start: start, End: start.AddDate(1, 0, 0)}
	default:
		return weekOf(t)
	}
}

// Prev returns the period before p.
func (p Period) Prev() Period { return PeriodOf(p.Kind, p.Start.Add(-time.Hour), p.Start.Location()) }

// Next returns the period after p.
func (p Period) Next() Period { return PeriodOf(p.Kind, p.End.Add(time.Hour), p.End.Location()) }

// Days returns the number of calendar days in p.
func (p Period) Days() int {
	n := 0
	for d := p.Start; d.Before(p.End); d = d.AddDate(0, 0, 1) {
		n++
	}
	return n
}

var romanQuarter = [...]string{"I", "II", "III", "IV"}

// Title returns the Vietnamese name of the period, e.g. "Tuần 47/2026
// (16/11–22/11/2026)", "Quý IV/2026", "Năm 2026 (01/11/2025–31/10/2026)".
func (p Period) Title() string {
	last := p.End.AddDate(0, 0, -1)
	switch p.Kind {
	case Weekly:
		y, w := p.Start.ISOWeek()
		return fmt.Sprintf("Tuần %d/%d (%s–%s)", w, y, p.Start.Format("02/01"), last.Format("02/01/2006"))
	case Quarterly:
		q := (int(p.Start.Month()) - 1) / 3
		return fmt.Sprintf("Quý %s/%d", romanQuarter[q], p.Start.Year())
	default:
		return fmt.Sprintf("Năm %s (%s–%s)", p.Label, p.Start.Format("02/01/2006"), last.Format("02/01/2006"))
	}
}

// TitleEN returns the English name of the period.
func (p Period) TitleEN() string {
	last := p.End.AddDate(0, 0, -1)
	switch p.Kind {
	case Weekly:
		return fmt.Sprintf("Week %s (%s – %s)", p.Label, p.Start.Format("2 Jan"), last.Format("2 Jan 2006"))
	case Quarterly:
		return fmt.Sprintf("Quarter %s", p.Label)
	default:
		return fmt.Sprintf("Reporting year %s (%s – %s)", p.Label, p.Start.Format("2 Jan 2006"), last.Format("2 Jan 2006"))
	}
}
