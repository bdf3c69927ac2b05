// Package l10n is presswatch's message catalogue for the words of the domain
// that reach officers: topics, reason signals and their sentences, alert
// states, receivers, countries, languages, relevance classes and query
// errors, in Vietnamese (first) and English. The web UI and the alert emails
// both speak through it, so a topic or a reason reads the same on a page and
// in a mail. Numbers are formatted for the language (4.200.000 in
// Vietnamese, 4,200,000 in English) with golang.org/x/text/message.
//
// Every message has both languages; Complete reports any that does not, and
// the catalogue tests fail on it.
package l10n

import (
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Languages of the catalogue; Vietnamese first.
const (
	VI = "vi"
	EN = "en"
)

// Lookup returns the text of key in lang and whether the key is known.
// English falls back to Vietnamese when a text is missing.
func Lookup(lang, key string) (string, bool) {
	e, ok := catalog[key]
	if !ok {
		return "", false
	}
	if lang == EN && e[1] != "" {
		return e[1], true
	}
	return e[0], true
}

// T returns the text of key in lang, or the key itself when unknown.
func T(lang, key string) string {
	if s, ok := Lookup(lang, key); ok {
		return s
	}
	return key
}

// Has reports whether key is in the catalogue.
func Has(key string) bool {
	_, ok := catalog[key]
	return ok
}

// Keys returns every key of the catalogue.
func Keys() []string {
	out := make([]string, 0, len(catalog))
	for k := range catalog {
		out = append(out, k)
	}
	return out
}

// Incomplete returns the keys that lack a Vietnamese or an English text.
func Incomplete() []string {
	var out []string
	for k, v := range catalog {
		if strings.TrimSpace(v[0]) == "" || strings.TrimSpace(v[1]) == "" {
			out = append(out, k)
		}
	}
	return out
}

func tag(lang string) language.Tag {
	if lang == EN {
		return language.English
	}
	return language.Vietnamese
}

// Num formats an integer with the language's digit grouping.
func Num(lang string, n int64) string {
	return message.NewPrinter(tag(lang)).Sprintf("%d", n)
}

// Float formats a number with the language's grouping and decimal mark and
// at most prec decimals (trailing zeros dropped).
func Float(lang string, v float64, prec int) string {
	if v == float64(int64(v)) {
		return Num(lang, int64(v))
	}
	s := message.NewPrinter(tag(lang)).Sprintf("%.*f", prec, v)
	dec := "."
	if lang != EN {
		dec = ","
	}
	if strings.Contains(s, dec) {
		s = strings.TrimRight(strings.TrimRight(s, "0"), dec)
	}
	return s
}

// label looks prefix+code up and falls back to the code as given.
func label(lang, prefix, code string) string {
	if s, ok := Lookup(lang, prefix+code); ok {
		return s
	}
	return code
}

// Topic names a classifier topic ("disaster_weather" → "Thiên tai, thời tiết").
// An unknown topic is shown with spaces for underscores.
func Topic(lang, name string) string {
	if s, ok := Lookup(lang, "topic_"+name); ok {
		return s
	}
	return strings.ReplaceAll(name, "_", " ")
}

// State names an alert or delivery state.
func State(lang, s string) string { return label(lang, "state_", s) }

// Receiver names an alert receiver ("police" → "Công an tỉnh").
func Receiver(lang, r string) string { return label(lang, "receiver_", r) }

// Country names a country by its ISO 3166 code; an unknown code is shown upper case.
func Country(lang, code string) string {
	if code == "" {
		return ""
	}
	if s, ok := Lookup(lang, "country_"+strings.ToLower(code)); ok {
		return s
	}
	return strings.ToUpper(code)
}

// Language names a language by its ISO 639-1 code.
func Language(lang, code string) string {
	if code == "" {
		return ""
	}
	if s, ok := Lookup(lang, "lang_"+strings.ToLower(code)); ok {
		return s
	}
	return strings.ToUpper(code)
}

// Tone names a tone (positive, neutral, negative).
func Tone(lang, t string) string { return label(lang, "tone_", t) }

// Relevance names a relevance class (about, mentions, none).
func Relevance(lang, c string) string { return label(lang, "relevance_", c) }

// Severity names an alert severity (immediate, digest, critical).
func Severity(lang, s string) string { return label(lang, "severity_", s) }

// Signal names a reason signal; a signal may carry its rule after a colon
// ("narrative:airport-abandoned"), which is not shown.
func Signal(lang, s string) string {
	kind, _, _ := strings.Cut(s, ":")
	if t, ok := Lookup(lang, "signal_"+kind); ok {
		return t
	}
	return T(lang, "signal_other")
}

// Route names an alert route of alerts.yaml ("security" → "An ninh, trật
// tự — gửi Công an tỉnh"). Saved-search routes ("saved/ID") are named by
// the caller, who knows the saved search; here they read "Tìm kiếm đã lưu".
func Route(lang, r string) string {
	if strings.HasPrefix(r, "saved/") {
		return T(lang, "route_saved")
	}
	return label(lang, "route_", r)
}
