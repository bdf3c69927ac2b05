package presssim

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// farmSource is the source name that SetFault uses for the whole farm.
const farmSource = "farm"

// farmItems is the number of items in every farm feed.
const farmItems = 20

// farmEpoch is the Last-Modified of a farm feed at version 0.
var farmEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// farm serves n deterministic synthetic RSS feeds. Nothing is stored per feed
// but its version: feed i at version v lists items v+19 … v, and every item
// is generated from (i, seq), so a feed costs 4 bytes of memory and a 304
// costs no rendering at all.
type farm struct {
	n       int
	ver     []atomic.Uint32
	full    []atomic.Uint32 // 200 responses per feed (not 304s)
	round   atomic.Uint64   // number of ChangeFarm calls
	hasF    atomic.Bool     // a fault is set (fast path without the lock)
	fault   *faultState     // guarded by Server.mu
	bufPool sync.Pool
	// sentences are pre-generated per language; long text is assembled from
	// them, which costs a copy per sentence instead of a draw per word.
	sentences [2][][]byte
}

// farmSentences is the number of pre-generated sentences per language.
const farmSentences = 4096

func newFarm(n int) *farm {
	f := &farm{n: n, ver: make([]atomic.Uint32, n), full: make([]atomic.Uint32, n)}
	f.bufPool.New = func() any { b := make([]byte, 0, 48<<10); return &b }
	for lang := range f.sentences {
		for k := range farmSentences {
			sent := appendText(nil, uint64(k)<<8|uint64(lang), 60+int(mix64(uint64(k))%90), lang)
			f.sentences[lang] = append(f.sentences[lang], append(sent, ' '))
		}
	}
	return f
}

// mix64 is SplitMix64's finaliser: a cheap, well-spread hash.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// ChangeFarm gives about fraction (0..1) of the farm's feeds one new item
// each (chosen deterministically from the number of earlier calls) and returns
// how many feeds changed.
func (s *Server) ChangeFarm(fraction float64) int {
	f := s.farm
	if f == nil || fraction <= 0 {
		return 0
	}
	round := f.round.Add(1)
	limit := uint64(fraction * float64(1<<63) * 2)
	if fraction >= 1 {
		limit = ^uint64(0)
	}
	changed := 0
	for i := range f.ver {
		if mix64(uint64(i)<<20^round) <= limit {
			f.ver[i].Add(1)
			changed++
		}
	}
	return changed
}

// FarmVersion returns the version (number of changes) of farm feed i, or -1.
func (s *Server) FarmVersion(i int) int {
	if s.farm == nil || i < 0 || i >= s.farm.n {
		return -1
	}
	return int(s.farm.ver[i].Load())
}

// FarmFullFetches returns how many times farm feed i was answered in full
// (200, not 304), or -1: a crawler that keeps its validators fetches each
// version of a feed once.
func (s *Server) FarmFullFetches(i int) int {
	if s.farm == nil || i < 0 || i >= s.farm.n {
		return -1
	}
	return int(s.farm.full[i].Load())
}

// FarmFeedURL returns the URL of farm feed i.
func (s *Server) FarmFeedURL(i int) string { return s.url + "/farm/" + strconv.Itoa(i) + "/feed.xml" }

func (s *Server) serveFarm(w http.ResponseWriter, r *http.Request) {
	f := s.farm
	if f == nil {
		http.NotFound(w, r)
		return
	}
	rest := strings.TrimPrefix(r.URL.Path, "/farm/")
	is, sub, _ := strings.Cut(rest, "/")
	i, err := strconv.Atoi(is)
	if err != nil || i < 0 || i >= f.n {
		http.NotFound(w, r)
		return
	}
	kind := kindFeed
	var seq uint64
	switch {
	case sub == "feed.xml":
	case strings.HasPrefix(sub, "a/") && strings.HasSuffix(sub, ".html"):
		kind = kindPage
		seq, err = strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(sub, "a/"), ".html"), 10, 32)
		if err != nil || seq >= uint64(f.ver[i].Load())+farmItems {
			http.NotFound(w, r)
			return
		}
	default:
		http.NotFound(w, r)
		return
	}
	if f.hasF.Load() {
		s.mu.Lock()
		flt := takeFault(&f.fault, kind)
		f.hasF.Store(f.fault != nil)
		s.mu.Unlock()
		if flt != nil {
			rend := func(rc renderCtx) doc {
				if kind == kindPage {
					return doc{ctype: "text/html", body: f.article(nil, rc.base, i, seq), mod: farmEpoch}
				}
				v := f.ver[i].Load()
				return doc{ctype: "application/rss+xml", body: f.feed(nil, rc.base, i, v), mod: farmMod(v)}
			}
			s.respond(w, r, kind, rend, flt, "windows-1252")
			return
		}
	}
	// Links point at the host the request was sent to, so that a farm served
	// on many loopback addresses (internal/procbench: one host per feed)
	// keeps each feed's articles on its own host.
	base := s.url
	if r.Host != "" {
		base = "http://" + r.Host
	}
	h := w.Header()
	if kind == kindPage {
		h.Set("Content-Type", "text/html; charset=utf-8")
		etag := `"fa` + strconv.Itoa(i) + "-" + strconv.FormatUint(seq, 10) + `"`
		writeValidated(w, r, etag, farmItemTime(i, seq), func() []byte { return f.article(nil, base, i, seq) })
		return
	}
	v := f.ver[i].Load()
	h.Set("Content-Type", "application/rss+xml; charset=utf-8")
	etag := `"f` + strconv.Itoa(i) + "-" + strconv.FormatUint(uint64(v), 10) + `"`
	bp := f.bufPool.Get().(*[]byte)
	defer f.bufPool.Put(bp)
	writeValidated(w, r, etag, farmMod(v), func() []byte {
		f.full[i].Add(1)
		*bp = f.feed((*bp)[:0], base, i, v)
		return *bp
	})
}

func farmMod(v uint32) time.Time { return farmEpoch.Add(time.Duration(v) * time.Minute) }

// farmItemTime is when item seq of feed i was published: one item a minute.
func farmItemTime(i int, seq uint64) time.Time {
	return farmEpoch.Add(time.Duration(seq)*time.Minute - time.Duration(farmItems-1)*time.Minute + time.Duration(i%60)*time.Second)
}

// farmWords are the vocabularies of generated farm text: even feeds are in
// English, odd feeds in Vietnamese.
var farmWords = [2][]string{
	strings.Fields(`the province of industrial park investors foreign direct investment airport
construction workers export factory officials said on Monday according to report market growth
quarter percent billion dollars river flood season electricity authorities new road
expressway port logistics company announced plan project environment water supply residents`),
	strings.Fields(`tỉnh khu công nghiệp nhà đầu tư sân bay xây dựng công nhân xuất khẩu nhà máy chính quyền cho biết
theo báo cáo tăng trưởng quý tỷ đô la sông mùa lũ điện đường cao tốc cảng dự án môi trường người dân
doanh nghiệp kế hoạch hạ tầng giao thông lao động thị trường năm nay`),
}

// rng is a xorshift64* generator.
type rng uint64

func (r *rng) next() uint64 {
	x := uint64(*r)
	x ^= x >> 12
	x ^= x << 25
	x ^= x >> 27
	*r = rng(x)
	return x * 2685821657736338717
}

// appendText appends about n bytes of deterministic prose for seed.
func appendText(b []byte, seed uint64, n int, lang int) []byte {
	words := farmWords[lang&1]
	r := rng(mix64(seed) | 1)
	start := len(b)
	sentence := 0
	for len(b)-start < n {
		w := words[r.next()%uint64(len(words))]
		if sentence == 0 && w[0] >= 'a' && w[0] <= 'z' {
			b = append(b, w[0]-32)
			b = append(b, w[1:]...)
		} else {
			b = append(b, w...)
		}
		sentence++
		if sentence > 8 && r.next()%6 == 0 {
			b = append(b, ". "...)
			sentence = 0
		} else {
			b = append(b, ' ')
		}
	}
	if len(b) > start && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return append(b, '.')
}

// appendProse appends about n bytes of deterministic prose for seed, made of
// pre-generated sentences in feed i's language.
func (f *farm) appendProse(b []byte, seed uint64, n int, i int) []byte {
	pool := f.sentences[i&1]
	r := rng(mix64(seed) | 1)
	start := len(b)
	for len(b)-start < n {
		b = append(b, pool[r.next()%uint64(len(pool))]...)
	}
	return b[:len(b)-1] // drop the trailing space
}

// feedSize is the deterministic target size of feed i: 21–38 KB, so that
// the served feed stays within 20–40 KB whatever the length of the address.
func feedSize(i int) int { return 21000 + int(mix64(uint64(i)^0xfeed)%17000) }

// feed appends farm feed i at version v to b.
func (f *farm) feed(b []byte, base string, i int, v uint32) []byte {
	is := strconv.Itoa(i)
	b = append(b, `<?xml version="1.0" encoding="utf-8"?>`+"\n"+`<rss version="2.0"><channel><title>Farm feed `...)
	b = append(b, is...)
	b = append(b, "</title><link>"...)
	b = append(b, base...)
	b = append(b, "/farm/"...)
	b = append(b, is...)
	b = append(b, "/</link><description>Synthetic benchmark feed</description><language>"...)
	b = append(b, farmLang(i)...)
	b = append(b, "</language><lastBuildDate>"...)
	b = farmMod(v).AppendFormat(b, time.RFC1123Z)
	b = append(b, "</lastBuildDate>\n"...)
	per := (feedSize(i) - 400) / farmItems
	for k := 0; k < farmItems; k++ {
		seq := uint64(v) + uint64(farmItems-1-k)
		ss := strconv.FormatUint(seq, 10)
		link := base + "/farm/" + is + "/a/" + ss + ".html"
		b = append(b, "<item><title>"...)
		b = appendText(b, uint64(i)<<32^seq^0x7177, 40, i)
		b = append(b, "</title><link>"...)
		b = append(b, link...)
		b = append(b, "</link><guid>"...)
		b = append(b, link...)
		b = append(b, "</guid><pubDate>"...)
		b = farmItemTime(i, seq).AppendFormat(b, time.RFC1123Z)
		b = append(b, "</pubDate><description>"...)
		b = f.appendProse(b, uint64(i)<<32^seq, max(per-len(link)*2-150, 100), i)
		b = append(b, "</description></item>\n"...)
	}
	return append(b, "</channel></rss>\n"...)
}

// article appends farm article seq of feed i, a small but complete page.
func (f *farm) article(b []byte, base string, i int, seq uint64) []byte {
	link := base + "/farm/" + strconv.Itoa(i) + "/a/" + strconv.FormatUint(seq, 10) + ".html"
	b = append(b, "<!DOCTYPE html>\n<html lang=\""...)
	b = append(b, farmLang(i)...)
	b = append(b, "\"><head><meta charset=\"utf-8\"><title>"...)
	title := appendText(nil, uint64(i)<<32^seq^0x7177, 40, i)
	b = append(b, title...)
	b = append(b, "</title><link rel=\"canonical\" href=\""...)
	b = append(b, link...)
	b = append(b, "\"><meta property=\"article:published_time\" content=\""...)
	b = farmItemTime(i, seq).AppendFormat(b, time.RFC3339)
	b = append(b, "\"></head><body><nav><a href=\"/\">Home</a> <a href=\"/world/\">World</a> <a href=\"/business/\">Business</a></nav>\n<main><article><h1>"...)
	b = append(b, title...)
	b = append(b, "</h1>\n"...)
	for p := uint64(0); p < 6; p++ {
		b = append(b, "<p>"...)
		b = f.appendProse(b, uint64(i)<<32^seq^p<<56, 500, i)
		b = append(b, "</p>\n"...)
	}
	return append(b, "</article></main><footer>© Farm Press. All rights reserved.</footer></body></html>\n"...)
}

// farmLang is the language of farm feed i.
func farmLang(i int) string {
	if i&1 == 1 {
		return "vi"
	}
	return "en"
}
