package digest

import "github.com/dongnai/presswatch/internal/l10n"

// Vietnamese names for the codes reports show. An unknown code is shown as it is.

// routeName names an alert route of alerts.yaml ("security" → "An ninh, trật
// tự công cộng") from the catalogue the web pages and the alert emails use.
func routeName(r string) string { return l10n.Route(l10n.VI, r) }

var countryNames = map[string]string{
	"US": "Hoa Kỳ", "GB": "Anh", "FR": "Pháp", "DE": "Đức", "JP": "Nhật Bản", "KR": "Hàn Quốc",
	"CN": "Trung Quốc", "TW": "Đài Loan", "HK": "Hồng Kông", "SG": "Singapore", "TH": "Thái Lan",
	"MY": "Malaysia", "ID": "Indonesia", "PH": "Philippines", "KH": "Campuchia", "LA": "Lào",
	"IN": "Ấn Độ", "AU": "Úc", "NZ": "New Zealand", "CA": "Canada", "RU": "Nga", "IT": "Ý",
	"ES": "Tây Ban Nha", "NL": "Hà Lan", "BE": "Bỉ", "CH": "Thụy Sĩ", "SE": "Thụy Điển",
	"NO": "Na Uy", "DK": "Đan Mạch", "FI": "Phần Lan", "PL": "Ba Lan", "IL": "Israel",
	"AE": "UAE", "QA": "Qatar", "BR": "Brazil", "MX": "Mexico", "VN": "Việt Nam", "?": "Không rõ",
}

func countryName(code string) string {
	if n, ok := countryNames[code]; ok {
		return n
	}
	return code
}

var languageNames = map[string]string{
	"vi": "Tiếng Việt", "en": "Tiếng Anh", "fr": "Tiếng Pháp", "de": "Tiếng Đức", "ja": "Tiếng Nhật",
	"ko": "Tiếng Hàn", "zh": "Tiếng Trung", "ru": "Tiếng Nga", "es": "Tiếng Tây Ban Nha",
	"th": "Tiếng Thái", "id": "Tiếng Indonesia", "ms": "Tiếng Mã Lai", "hi": "Tiếng Hindi",
	"nl": "Tiếng Hà Lan", "it": "Tiếng Ý", "pt": "Tiếng Bồ Đào Nha", "km": "Tiếng Khmer", "?": "Không rõ",
}

func languageName(code string) string {
	if n, ok := languageNames[code]; ok {
		return n
	}
	return code
}

// topicName is the topic's Vietnamese name, the one the UI shows
// (l10n's catalogue): reports and screens once named three topics
// differently.
func topicName(t string) string {
	if n, ok := l10n.Lookup(l10n.VI, "topic_"+t); ok {
		return n
	}
	return t
}

// alertStateName is the state's name as the UI shows it (l10n's catalogue),
// so that a report and the inbox call a state the same ("Đã nhận").
func alertStateName(s string) string {
	if n, ok := l10n.Lookup(l10n.VI, "state_"+s); ok {
		return n
	}
	return s
}

var toneNames = map[string]string{"positive": "Tích cực", "neutral": "Trung lập", "negative": "Tiêu cực"}

func toneName(t string) string {
	if n, ok := toneNames[t]; ok {
		return n
	}
	return toneNames["neutral"]
}

var kindNames = map[Kind]string{
	Weekly:    "Điểm tin báo chí nước ngoài hằng tuần",
	Quarterly: "Bản tin đối ngoại hằng quý",
	Annual:    "Báo cáo năm về thông tin đối ngoại",
}

var kindNamesEN = map[Kind]string{
	Weekly:    "Weekly foreign press digest",
	Quarterly: "Quarterly foreign-information bulletin",
	Annual:    "Annual foreign-information report",
}

// Name returns the Vietnamese name of the kind of report.
func (k Kind) Name() string { return kindNames[k] }

// NameEN returns the English name of the kind of report.
func (k Kind) NameEN() string { return kindNamesEN[k] }
