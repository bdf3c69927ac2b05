package index

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/dongnai/presswatch/article"
)

// The synthetic corpus for the benchmarks: deterministic, multilingual
// articles of about 2.5 KB of text, with Zipf-distributed words so that term
// frequencies look like real text, metadata spread like the real sources'.

var (
	viSyllables = strings.Fields(`tỉnh đồng nai khởi công sân bay long thành nhà máy công nhân
		đầu tư nước ngoài kinh tế phát triển dự án hạ tầng giao thông đường cao tốc biên hòa
		khu công nghiệp doanh nghiệp xuất khẩu lao động việc làm thu nhập người dân chính quyền
		ủy ban nhân dân thành phố huyện xã ngày tháng năm hôm nay cho biết theo báo cáo của
		sở ban ngành liên quan tình hình mưa lũ ngập lụt thiệt hại môi trường ô nhiễm rác thải
		nước sông cá chết điều tra xử lý vi phạm hội nghị hợp tác quốc tế hàn quốc nhật bản
		trung quốc hoa kỳ châu âu đại sứ quán tổng lãnh sự khách du lịch văn hóa lễ hội giáo dục
		trường học bệnh viện y tế dịch bệnh vắc xin an ninh trật tự công an cảnh sát tai nạn
		cháy nổ giá cả thị trường nông sản cao su cà phê điều hồ tiêu trái cây chăn nuôi heo gà
		được với và các những một có không là trong đã sẽ đang này đó khi từ đến để về như
		cũng rất nhiều hơn lớn mới cao thấp tốt xấu nhanh chậm mạnh yếu`)
	enWords = strings.Fields(`province factory workers investment foreign economy development
		project infrastructure traffic highway airport industrial park company export labour jobs
		income residents government authorities city district village day month year today said
		according report department flood flooding floods rain storm damage environment pollution
		waste river fish dead investigation violation conference cooperation international korea
		japan china united states europe embassy consulate tourists culture festival education
		school hospital health disease vaccine security order police accident fire explosion
		prices market agriculture rubber coffee cashew pepper fruit livestock pig chicken
		the of and a to in is was for on that with as by at from it an be this are were has have
		had not but which their its after more new also over than they been would about into
		two first last other people time up out some could said says will year week officials
		southern northern vietnam vietnamese hanoi ho chi minh saigon mekong delta central
		manufacturing electronics textile footwear supply chain semiconductor energy power plant
		solar wind coal emissions climate protest strike wages union court trial sentence
		corruption bribery arrest land dispute eviction compensation farmers villagers`)
	cjkText = []string{
		"越南南部同奈省本周发生严重洪水多家工厂停工当地政府组织救援外国投资者关注",
		"베트남 남부 동나이성의 한국 기업 공장에서 화재가 발생했다 현지 당국이 조사 중이다",
		"ベトナム南部のドンナイ省に日本の部品メーカーが新工場を建設する投資額は大きい",
		"胡志明市周边工业区吸引大量外资电子产品出口增长迅速劳动力短缺问题突出",
		"베트남 경제 성장률이 높아지면서 한국 투자가 늘고 있다 전자 산업이 중심이다",
		"ロンタイン国際空港の建設が進んでおり日本企業も参加している工事は順調だ",
	}
	outlets = []struct{ name, country, lang string }{
		{"Reuters", "GB", "en"}, {"Nikkei Asia", "JP", "en"}, {"The Diplomat", "US", "en"},
		{"South China Morning Post", "HK", "en"}, {"Bloomberg", "US", "en"}, {"The Straits Times", "SG", "en"},
		{"BBC Tiếng Việt", "GB", "vi"}, {"VOA Tiếng Việt", "US", "vi"}, {"RFA Tiếng Việt", "US", "vi"},
		{"Người Việt", "US", "vi"}, {"RFI Tiếng Việt", "FR", "vi"}, {"DW Tiếng Việt", "DE", "vi"},
		{"新华社", "CN", "zh"}, {"연합뉴스", "KR", "ko"}, {"日経", "JP", "ja"},
		{"Le Monde", "FR", "fr"}, {"Der Spiegel", "DE", "de"},
	}
	topics = []string{"investment", "industry", "environment", "disaster", "infrastructure", "labour",
		"security", "health", "agriculture", "tourism", "diplomacy", "corruption"}
	tones = []string{"positive", "neutral", "negative"}
)

// genBase is the start of the synthetic corpus's two years of dates.
var genBase = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// genGap is the time between two synthetic articles in arrival order: a
// million articles span two years.
const genGap = 63 * time.Second

// generator makes synthetic articles; not safe for concurrent use.
type generator struct {
	// random spreads publication dates over two years regardless of the
	// article number, instead of the arrival order a real index sees; a
	// worst case for date-sorted queries (PRESSWATCH_BENCH_ORDER=random).
	random bool
	// textLen is the length of an article's text in bytes (default 2500).
	textLen int
	rng     *rand.Rand
	zipf    *rand.Zipf
	vi      []string
	en      []string
}

func newGenerator(seed uint64) *generator {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	g := &generator{rng: rng, textLen: 2500}
	// Vocabularies: the real words first (most frequent), then synthetic
	// words built from them so the dictionary has a long tail.
	g.vi = append([]string(nil), viSyllables...)
	g.en = append([]string(nil), enWords...)
	for i := 0; len(g.en) < 20000; i++ {
		suffix := enWords[(i*7+3)%len(enWords)]
		g.en = append(g.en, enWords[i%len(enWords)]+suffix[:min(3, len(suffix))])
		if len(g.vi) < 8000 {
			g.vi = append(g.vi, viSyllables[i%len(viSyllables)]+viSyllables[(i*5+1)%len(viSyllables)])
		}
	}
	g.zipf = rand.NewZipf(rng, 1.07, 2, 19999)
	return g
}

func (g *generator) word(vocab []string) string {
	for {
		i := int(g.zipf.Uint64())
		if i < len(vocab) {
			return vocab[i]
		}
	}
}

func (g *generator) sentence(b *strings.Builder, vocab []string, n int) {
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		w := g.word(vocab)
		if i == 0 {
			r := []rune(w)
			w = strings.ToUpper(string(r[:1])) + string(r[1:])
		}
		b.WriteString(w)
	}
	b.WriteString(". ")
}

// article returns synthetic article i: about 2.5 KB of text; one in ten
// mentions Đồng Nai by name.
func (g *generator) article(i int) *article.Article {
	o := outlets[g.rng.IntN(len(outlets))]
	var vocab []string
	switch o.lang {
	case "vi":
		vocab = g.vi
	case "zh", "ja", "ko":
	default:
		vocab = g.en
	}
	var b strings.Builder
	b.Grow(2700)
	mention := g.rng.IntN(10) == 0
	for b.Len() < g.textLen {
		if vocab == nil {
			s := cjkText[g.rng.IntN(len(cjkText))]
			if o.lang == "zh" && mention && b.Len() == 0 {
				b.WriteString("同奈省")
			}
			b.WriteString(s)
			b.WriteString("。")
			continue
		}
		if mention && b.Len() == 0 {
			if o.lang == "vi" {
				b.WriteString("Tỉnh Đồng Nai ")
			} else {
				b.WriteString("The province of Dong Nai ")
			}
		}
		g.sentence(&b, vocab, 8+g.rng.IntN(14))
	}
	var title strings.Builder
	if vocab == nil {
		title.WriteString(string([]rune(cjkText[g.rng.IntN(len(cjkText))])[:12]))
	} else {
		g.sentence(&title, vocab, 6+g.rng.IntN(6))
	}
	var pub time.Time
	if g.random {
		pub = genBase.Add(time.Duration(g.rng.Int64N(int64(730 * 24 * time.Hour))))
	} else {
		// Articles arrive roughly in publication order: one every genGap,
		// published up to six hours before they were collected.
		pub = genBase.Add(time.Duration(i)*genGap - time.Duration(g.rng.Int64N(int64(6*time.Hour))))
	}
	id := fmt.Sprintf("%064x", uint64(i)*0x9E3779B97F4A7C15)
	nt := 1 + g.rng.IntN(3)
	ts := make([]string, 0, nt)
	for k := 0; k < nt; k++ {
		ts = append(ts, topics[g.rng.IntN(len(topics))])
	}
	risk := int(g.rng.ExpFloat64() * 15)
	if risk > 100 {
		risk = 100
	}
	return &article.Article{
		ID: id, URL: "https://press.example/" + id[:16], Source: "src-" + o.country, Outlet: o.name,
		Country: o.country, Lang: o.lang, Title: strings.TrimSpace(title.String()), Text: b.String(),
		Published: pub, Collected: pub.Add(time.Duration(g.rng.IntN(3600)) * time.Second),
		Classification: &article.Classification{
			About: mention, Mentions: mention, Topics: ts, Tone: tones[g.rng.IntN(3)], Risk: risk,
			NeedsReview: risk >= 60, Cluster: fmt.Sprintf("c%d", i/3),
		},
	}
}
