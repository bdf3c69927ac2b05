package feed

import (
	"regexp"
	"strings"
	"time"

	"github.com/araddon/dateparse"
)

// monthNames maps foreign and irregular month names (lower case, without a
// trailing dot) to English abbreviations.
var monthNames = map[string]string{
	// English irregulars
	"sept": "Sep", "june": "Jun", "july": "Jul", "january": "Jan", "february": "Feb", "march": "Mar",
	"april": "Apr", "august": "Aug", "september": "Sep", "october": "Oct", "november": "Nov", "december": "Dec",
	// Italian
	"gen": "Jan", "gennaio": "Jan", "febbraio": "Feb", "marzo": "Mar", "aprile": "Apr", "mag": "May", "maggio": "May",
	"giu": "Jun", "giugno": "Jun", "lug": "Jul", "luglio": "Jul", "ago": "Aug", "agosto": "Aug", "set": "Sep",
	"settembre": "Sep", "ott": "Oct", "ottobre": "Oct", "novembre": "Nov", "dic": "Dec", "dicembre": "Dec",
	// French
	"janv": "Jan", "janvier": "Jan", "févr": "Feb", "fevr": "Feb", "février": "Feb", "mars": "Mar", "avr": "Apr",
	"avril": "Apr", "mai": "May", "juin": "Jun", "juil": "Jul", "juillet": "Jul", "août": "Aug", "aout": "Aug",
	"septembre": "Sep", "octobre": "Oct", "déc": "Dec", "décembre": "Dec",
	// Spanish and Portuguese
	"ene": "Jan", "enero": "Jan", "febrero": "Feb", "abr": "Apr", "abril": "Apr", "mayo": "May", "junio": "Jun",
	"julio": "Jul", "septiembre": "Sep", "setiembre": "Sep", "octubre": "Oct", "noviembre": "Nov", "diciembre": "Dec",
	"fev": "Feb", "fevereiro": "Feb", "março": "Mar", "maio": "May", "jun": "Jun", "junho": "Jun", "jul": "Jul",
	"julho": "Jul", "setembro": "Sep", "out": "Oct", "outubro": "Oct", "novembro": "Nov", "dez": "Dec", "dezembro": "Dec",
	// German and Dutch
	"januar": "Jan", "februar": "Feb", "märz": "Mar", "mrz": "Mar", "juni": "Jun", "juli": "Jul", "okt": "Oct",
	"oktober": "Oct", "dezember": "Dec", "mei": "May", "maart": "Mar", "januari": "Jan", "februari": "Feb",
	"augustus": "Aug",
	// Greek (genitive and nominative abbreviations)
	"ιαν": "Jan", "φεβ": "Feb", "μαρ": "Mar", "απρ": "Apr", "μαΐ": "May", "μαι": "May", "ιουν": "Jun", "ιουλ": "Jul",
	"αυγ": "Aug", "σεπ": "Sep", "οκτ": "Oct", "νοε": "Nov", "δεκ": "Dec",
}

// zoneOffsets are the zone abbreviations seen in feeds, as numeric offsets:
// Go's parser gives unknown abbreviations a zero offset.
var zoneOffsets = map[string]string{
	"UT": "+0000", "UTC": "+0000", "GMT": "+0000", "Z": "+0000",
	"EST": "-0500", "EDT": "-0400", "CST": "-0600", "CDT": "-0500", "MST": "-0700", "MDT": "-0600",
	"PST": "-0800", "PDT": "-0700", "AKST": "-0900", "AKDT": "-0800", "HST": "-1000",
	"BST": "+0100", "CET": "+0100", "CEST": "+0200", "MET": "+0100", "MEST": "+0200", "EET": "+0200", "EEST": "+0300",
	"WET": "+0000", "WEST": "+0100", "MSK": "+0300", "IST": "+0530", "ICT": "+0700", "WIB": "+0700",
	"HKT": "+0800", "SGT": "+0800", "AWST": "+0800", "JST": "+0900", "KST": "+0900", "AEST": "+1000",
	"AEDT": "+1100", "NZST": "+1200", "NZDT": "+1300",
}

var (
	dayPrefixRe = regexp.MustCompile(`^\p{L}+\.?,\s*`)
	spaceRe     = regexp.MustCompile(`\s+`)
	glueZoneRe  = regexp.MustCompile(`(\d{2}:\d{2}(?::\d{2})?)([+-]\d{2}:?\d{2})$`)
)

var layouts = []string{
	time.RFC3339Nano,
	time.RFC3339,
	"2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04 -0700",
	"2 Jan 06 15:04:05 -0700",
	"2 Jan 06 15:04 -0700",
	"2 Jan 06 1504 -0700",
	"2 Jan 2006 15:04:05",
	"2 Jan 2006 15:04",
	"Jan 2 2006 03:04:05 PM -0700",
	"Jan 2 2006 03:04:05 PM",
	"Jan 2 2006 15:04:05 -0700",
	"Jan 2 2006 15:04:05",
	"Jan 2, 2006 03:04 PM -0700",
	"Jan 2, 2006 03:04 PM",
	"Jan 2, 2006 15:04:05 -0700",
	"Jan 2, 2006",
	"Jan 2 15:04:05 2006",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02T15:04-07:00",
	"2006-1-2 15:04:05 -0700",
	"2006-1-2 15:04:05",
	"2006-1-2 15:04",
	"2006/1/2 15:04:05 -0700",
	"2006/1/2 15:04:05",
	"2006/1/2 15:04",
	"2006-01-02",
	"2006/1/2",
	"2 Jan 2006",
	"02.01.2006 15:04:05",
	"02.01.2006",
}

// ParseDate reads the date forms found in real feeds: RFC 822/1123 with or
// without the weekday, seconds or a space before the zone; zone
// abbreviations; month and day names in several languages; "Sept";
// 12-hour clocks; slashes; RFC 3339 without seconds or zone. A time without a
// zone is taken in loc (UTC when nil). It reports false when nothing fits.
func ParseDate(s string, loc *time.Location) (time.Time, bool) {
	if loc == nil {
		loc = time.UTC
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC1123Z, s); err == nil {
		return t.UTC(), true
	}
	n := normalizeDate(s)
	for _, l := range layouts {
		if t, err := time.ParseInLocation(l, n, loc); err == nil {
			return sane(t)
		}
	}
	if t, err := dateparse.ParseIn(n, loc); err == nil {
		return sane(t)
	}
	return time.Time{}, false
}

func sane(t time.Time) (time.Time, bool) {
	if t.Year() < 1990 || t.Year() > 2200 {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// normalizeDate rewrites s into a form the layouts match: no weekday, English
// month abbreviations, numeric zones.
func normalizeDate(s string) string {
	s = spaceRe.ReplaceAllString(strings.TrimSpace(s), " ")
	s = dayPrefixRe.ReplaceAllString(s, "")
	fields := strings.Fields(s)
	for i, f := range fields {
		core := strings.TrimRight(f, ".,")
		if m, ok := monthNames[strings.ToLower(core)]; ok {
			fields[i] = m + f[len(core):]
			continue
		}
		if len(core) == 3 && isASCIILetters(core) {
			// English abbreviations in any case: "DEC", "dec".
			fields[i] = strings.ToUpper(core[:1]) + strings.ToLower(core[1:]) + f[len(core):]
			if z, ok := zoneOffsets[strings.ToUpper(core)]; ok && i == len(fields)-1 {
				fields[i] = z
			}
			continue
		}
		if z, ok := zoneOffsets[strings.ToUpper(f)]; ok && i == len(fields)-1 && i > 0 {
			fields[i] = z
		}
	}
	s = strings.Join(fields, " ")
	s = strings.ReplaceAll(s, ", ", " ")
	// "21:46:23+0900" → "21:46:23 +0900"
	if m := glueZoneRe.FindStringSubmatchIndex(s); m != nil && !strings.Contains(s, "T") {
		s = s[:m[3]] + " " + strings.Replace(s[m[4]:], ":", "", 1)
	}
	// "+05:30" at the end of an RFC 822 form → "+0530"
	if k := len(s); k > 6 && (s[k-6] == '+' || s[k-6] == '-') && s[k-3] == ':' && s[k-7] == ' ' {
		s = s[:k-3] + s[k-2:]
	}
	return s
}

func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
