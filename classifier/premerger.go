package classifier

import "slices"

// On 1 July 2025 Bình Phước joined Đồng Nai and the district level was
// abolished nationwide (two-tier local government: province and commune).
// A page written since then no longer calls Bình Phước a province nor Chơn
// Thành a district, except as a former one ("tỉnh Bình Phước cũ", "former
// Binh Phuoc province"). So an undated page that does — "Công an huyện Chơn
// Thành", "TP Đồng Xoài, tỉnh Bình Phước", "Binh Phuoc province" — describes
// the territory before it joined, and its former-territory names do not
// count for the province (corpus guidelines: province as of publication;
// unknown dates are otherwise judged as of now).

// unitBefore are, folded, the words written before a place to call it a
// province, district-level town or city, or district; unitAfter those
// written after it (English, and 省/성 "province" in Chinese, Japanese and
// Korean).
var (
	unitBefore = [][]string{{"tinh"}, {"huyen"}, {"thi", "xa"}, {"tp"}, {"thanh", "pho"}}
	unitAfter  = []string{"province", "district", "town", "省", "성"}
	// formerMarks within a few tokens after the name (or before it in
	// English) say the unit is named as a former one.
	formerMarks = []string{"cu", "former", "formerly"}
)

// formerMarkWindow is how many tokens around a name are searched for a
// former mark: "tỉnh Bình Phước (cũ)", "the former Binh Phuoc province".
const formerMarkWindow = 3

// namesAbolishedUnit reports whether the article calls a place of the
// former territory (a gazetteer entry with a since date) by a unit that was
// abolished on that date, without marking it as former.
func (an *analysis) namesAbolishedUnit(r *Rules) bool {
	tok := func(i int) string {
		if i < 0 || i >= len(an.toks) {
			return ""
		}
		return an.toks[i].Text
	}
	marked := func(from, to int) bool {
		for i := max(0, from); i < min(len(an.toks), to); i++ {
			if slices.Contains(formerMarks, tok(i)) {
				return true
			}
		}
		return false
	}
	for _, h := range an.gaz {
		if h.ref.kind != gazAlias || r.entries[h.ref.idx].Since.IsZero() {
			continue
		}
		start, end := h.tok, h.tok+h.ref.n
		unit := slices.Contains(unitAfter, tok(end))
		for _, w := range unitBefore {
			ok := true
			for k := range w {
				if tok(start-len(w)+k) != w[k] {
					ok = false
					break
				}
			}
			unit = unit || ok
		}
		if unit && !marked(start-formerMarkWindow, end+formerMarkWindow+1) {
			return true
		}
	}
	return false
}
