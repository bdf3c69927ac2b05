// Package textnormtest holds the conformance table of presswatch's one
// analysis: hand-made articles in every script the press uses and queries
// with exactly the articles they must find. The index (both search paths),
// the alert-rule evaluator (query.Document) and the classifier's topic-rule
// document all run it and must agree with it row for row.
package textnormtest

// Article is one hand-made article of the table.
type Article struct {
	ID, Lang, Title, Text string
}

// Row is one query and the IDs of every article it must match (sorted).
type Row struct {
	Query string
	Want  []string
	Why   string
}

// Articles are the conformance table's articles.
var Articles = []Article{
	{"ko-dn", "ko", "베트남 동나이성 소식", "동나이성의 한국 기업 공장에서 화재가 발생했다."},
	{"ko-spaced", "ko", "투자 소식", "베트남 동 나이 지역에 한국 기업이 투자한다."},
	{"ko-age", "ko", "스포츠", "선수의 활동 나이 제한이 바뀌었다."},
	{"zh-dn", "zh", "越南新闻", "越南同奈省发生洪水，工厂停工。"},
	{"zh-tw", "zh", "越南新聞", "越南同奈省發生洪水，工廠停工。"},
	{"zh-gap", "zh", "旅游", "同学们在奈良旅游。"},
	{"ja-half", "ja", "ﾆｭｰｽ", "ﾍﾞﾄﾅﾑ南部ﾄﾞﾝﾅｲ省の工場が操業を始めた。"},
	{"ja-dot", "ja", "ニュース", "ベトナム南部のドン・ナイ省で洪水。"},
	{"ja-full", "ja", "ニュース", "ドンナイ省に日本企業の新工場。"},
	{"en-protest", "en", "Labour news", "Workers protest over unpaid wages."},
	{"en-protesters", "en", "Unrest", "Protesters gathered in Bien Hoa on Monday."},
	{"en-protested", "en", "Land", "Villagers protested the eviction."},
	{"fw-latin", "en", "Ｆｕｌｌ ｗｉｄｔｈ", "ＤＯＮＧ ＮＡＩ ｐｒｏｔｅｓｔ"},
	{"vi-marks", "vi", "Tin tức", "Tỉnh Đồng Nai khởi công sân bay Long Thành."},
	{"vi-nomarks", "vi", "Tin tuc", "Tinh Dong Nai khoi cong san bay."},
	{"vi-eth", "vi", "Thời tiết", "ÐỒNG NAI mưa lớn."}, // U+00D0, not U+0110
	{"vi-nfd", "vi", "Tin", "Đo\u0302\u0300ng Nai ngập lụt."},
	{"vi-oldtone", "vi", "Tin", "Thành phố Biên Hoà phát triển."},
	{"vi-newtone", "vi", "Tin", "Thành phố Biên Hòa phát triển."},
	{"vi-howmany", "vi", "Có bao nhiêu xã?", "Con bảo mẹ: tỉnh có bao nhiêu xã sau khi sắp xếp, lữ khách hỏi."},
	{"vi-storm", "vi", "Bão số 9", "Cơn bão gây mưa to, lũ lên cấp 2."},
	{"vi-storm-plain", "vi", "Bao so 9", "Con bao gay mua to, lu len cap 2."},
}

var (
	koDN    = []string{"ko-dn", "ko-spaced"}
	jaDN    = []string{"ja-dot", "ja-full", "ja-half"}
	dongNai = []string{"fw-latin", "vi-eth", "vi-marks", "vi-nfd", "vi-nomarks"}
	bienHoa = []string{"en-protesters", "vi-newtone", "vi-oldtone"}
)

// Rows are the conformance table's queries.
var Rows = []Row{
	{"동나이", koDN, "whole name; 동 나이 spaced; not 활동 나이 (age)"},
	{`"동 나이"`, koDN, "the spaced name is the name"},
	{"동나이성", []string{"ko-dn"}, "name + 성 (province)"},
	{`"활동 나이"`, []string{"ko-age"}, "ordinary words stay words"},
	{"나이", []string{"ko-age", "ko-dn", "ko-spaced"}, "a bigram matches wherever it occurs"},
	{"title:동나이", []string{"ko-dn"}, "fields"},
	{"同奈", []string{"zh-dn", "zh-tw"}, "not 同 … 奈 with characters between"},
	{"同奈省", []string{"zh-dn", "zh-tw"}, "simplified and traditional share 同奈省"},
	{`"同 奈"`, []string{"zh-dn", "zh-tw"}, "a known name written with a space"},
	{`"同 学"`, nil, "a space between other characters is a gap"},
	{"奈", []string{"zh-dn", "zh-gap", "zh-tw"}, "one character: its unigram"},
	{"ドンナイ", jaDN, "half-width ﾄﾞﾝﾅｲ and ドン・ナイ"},
	{"ﾄﾞﾝﾅｲ", jaDN, "a half-width query"},
	{"ドン・ナイ", jaDN, "a middle dot in the query"},
	{"ドンナイ省", jaDN, "name + 省"},
	{`"protest"`, []string{"en-protest", "fw-latin"}, "quoted: the exact word only"},
	{"protest", []string{"en-protest", "en-protested", "en-protesters", "fw-latin"}, "unquoted: every form (stems in English text)"},
	{"protesters", []string{"en-protest", "en-protested", "en-protesters"}, "unquoted: every form"},
	{"protesters NOT villagers", []string{"en-protest", "en-protesters"}, "NOT"},
	{`"protesters gathered"`, []string{"en-protesters"}, "phrase"},
	{`"protest gathered"`, nil, "no stems inside phrases"},
	{"Đồng Nai", dongNai, "with marks; Đ and Ð; NFD; full-width Latin"},
	{"dong nai", dongNai, "without marks"},
	{`"ĐỒNG NAI"`, dongNai, "upper case, quoted"},
	{"Ðồng", dongNai, "Ð (U+00D0) in the query"},
	{"Đo\u0302\u0300ng", dongNai, "an NFD query"},
	{"Biên Hòa", bienHoa, "new tone placement finds old"},
	{"Biên Hoà", bienHoa, "old tone placement finds new"},
	{`"bien hoa"`, bienHoa, "without marks"},
	{"Long-Thành", []string{"vi-marks"}, "a hyphenated word is a phrase"},
	{"ＤＯＮＧ", dongNai, "a full-width query"},
	{"bão", []string{"vi-storm", "vi-storm-plain"}, "with marks: as written where the text is written with marks (not bao nhiêu), folded where it is not"},
	{`"cơn bão"`, []string{"vi-storm", "vi-storm-plain"}, "a phrase with marks: not con bảo"},
	{"bao", []string{"vi-howmany", "vi-storm", "vi-storm-plain"}, "without marks: folded everywhere"},
	{`"bão" AND "lũ"`, []string{"vi-storm", "vi-storm-plain"}, "both as written: not lữ khách"},
	{"lu", []string{"vi-howmany", "vi-storm", "vi-storm-plain"}, "without marks: folded everywhere"},
	{"title:bão", []string{"vi-howmany", "vi-storm", "vi-storm-plain"}, "the title field matches folded"},
}
