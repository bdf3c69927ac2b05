package l10n

import "strings"

// The gazetteer (configs/gazetteer) writes a place's canonical name in
// English around its Vietnamese proper name: "Trấn Biên ward", "Bình Phước
// (former province)", "Trị An hydropower and lake". Those canonical names are
// keys (the index and the classifier match on them), so they stay as they
// are; Place only changes how one is shown. In Vietnamese the English kind
// word becomes its Vietnamese form, which comes first: "phường Trấn Biên".

// placeSuffixes maps an English kind word at the end of a canonical name to
// the Vietnamese words put before the proper name. Longer suffixes first.
var placeSuffixes = []struct{ en, vi string }{
	{" hydropower and lake", "Thủy điện và hồ"},
	{" Industrial Zones Authority", "Ban Quản lý các khu công nghiệp"},
	{" People's Committee", "Ủy ban nhân dân tỉnh"},
	{" International Airport", "Cảng hàng không quốc tế"},
	{" Rubber Corporation", "Tổng công ty Cao su"},
	{" National Park", "Vườn quốc gia"},
	{" industrial parks", "các khu công nghiệp"},
	{" industrial park", "khu công nghiệp"},
	{" Air Base", "Sân bay quân sự"},
	{" ward", "phường"},
	{" commune", "xã"},
	{" river", "sông"},
	{" province", "tỉnh"},
	{" district", "huyện"},
	{" city", "thành phố"},
}

// placeParens maps an English note in brackets at the end of a name to its
// Vietnamese form, which stays in brackets after the name.
var placeParens = map[string]string{
	"(former province)": "(tỉnh cũ)",
	"(former district)": "(huyện cũ)",
	"(former city)":     "(thành phố cũ)",
}

// placeWhole are names with no proper part to keep.
var placeWhole = map[string]string{
	"Ho Chi Minh City": "Thành phố Hồ Chí Minh",
}

// Place shows a gazetteer canonical name in lang: as it is in English, with
// its kind in Vietnamese words in Vietnamese. A name with no English kind
// word (Biên Hòa, Sonadezi) is shown as it is in both.
func Place(lang, name string) string {
	if lang == EN || name == "" {
		return name
	}
	if v, ok := placeWhole[name]; ok {
		return v
	}
	s, note := name, ""
	for en, vi := range placeParens {
		if rest, ok := strings.CutSuffix(s, " "+en); ok {
			s, note = rest, " "+vi
			break
		}
	}
	for _, k := range placeSuffixes {
		if rest, ok := strings.CutSuffix(s, k.en); ok && rest != "" {
			s = k.vi + " " + rest
			break
		}
	}
	return s + note
}

// Places shows a list of canonical names, "A, B", in lang.
func Places(lang, list string) string {
	if lang == EN {
		return list
	}
	parts := strings.Split(list, ", ")
	for i, p := range parts {
		parts[i] = Place(lang, p)
	}
	return strings.Join(parts, ", ")
}
