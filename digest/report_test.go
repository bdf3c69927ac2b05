package digest

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/store"
	"github.com/dongnai/presswatch/store/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func newTestGenerator(t testing.TB, st ReportStore, chromium string) *Generator {
	t.Helper()
	g, err := New(Options{Store: st, Location: hcm, BaseURL: "https://presswatch.example", Chromium: chromium,
		Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func weekly47(t testing.TB) Period {
	t.Helper()
	p, err := ParsePeriod(Weekly, "2026-W47", hcm)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBuildWeekly(t *testing.T) {
	st := seededStore(t)
	g := newTestGenerator(t, st.(ReportStore), "")
	rep, err := g.b.Build(context.Background(), weekly47(t))
	if err != nil {
		t.Fatal(err)
	}
	// 9+6+7+5+4 articles this week, 5+4 the week before.
	if rep.Total != 31 || rep.PrevTotal != 9 {
		t.Fatalf("total %d, prev %d; want 31, 9", rep.Total, rep.PrevTotal)
	}
	if rep.About+rep.Mentions != rep.Total {
		t.Errorf("about %d + mentions %d != total %d", rep.About, rep.Mentions, rep.Total)
	}
	sum := 0
	for _, d := range rep.Days {
		sum += d.Count
	}
	if len(rep.Days) != 7 || sum != rep.Total {
		t.Errorf("%d days summing to %d, want 7 days summing to %d", len(rep.Days), sum, rep.Total)
	}
	if rep.Tone.Positive+rep.Tone.Neutral+rep.Tone.Negative != rep.Total || !rep.Tone.HasPrev {
		t.Errorf("tone %+v", rep.Tone)
	}
	// The airport story has the most outlets.
	if len(rep.Stories) != 5 || rep.Stories[0].Cluster != "c-airport" || rep.Stories[0].Outlets != 9 {
		t.Fatalf("stories = %+v", rep.Stories)
	}
	for i := 1; i < len(rep.Stories); i++ {
		if rep.Stories[i].Outlets > rep.Stories[i-1].Outlets {
			t.Errorf("story %d has more outlets than story %d", i, i-1)
		}
	}
	s := rep.Stories[0]
	if len(s.Summary) < 2 || len(s.Summary) > 3 || !strings.Contains(s.Summary[0], "Long Thanh") {
		t.Errorf("summary = %q", s.Summary)
	}
	if s.URL != "https://presswatch.example/stories/c-airport" || len(s.Links) == 0 || len(s.Links) > 5 {
		t.Errorf("story links: %q, %d links", s.URL, len(s.Links))
	}
	if len(rep.Quotes) == 0 {
		t.Fatal("no quotes")
	}
	for _, q := range rep.Quotes {
		if !strings.ContainsAny(q.Text, "“\"") || q.Link.URL == "" {
			t.Errorf("quote %+v", q)
		}
	}
	// industry_labor: 13 articles this week, none before: rising and new.
	found := false
	for _, tc := range rep.RisingTopics {
		if tc.Topic == "industry_labor" && tc.New && tc.Count == 13 {
			found = true
		}
		if tc.Topic == "environment" {
			t.Errorf("environment (4 vs 4) is not rising: %+v", tc)
		}
	}
	if !found {
		t.Errorf("industry_labor not among rising topics: %+v", rep.RisingTopics)
	}
	if rep.TopTopics[0].Topic != "investment" || rep.TopTopics[0].Count != 15 {
		t.Errorf("top topic %+v, want investment 15", rep.TopTopics[0])
	}
	if len(rep.Attention) == 0 || rep.Attention[0].Risk != 72 || rep.NeedsReview != 1 {
		t.Errorf("attention %+v, needs review %d", rep.Attention, rep.NeedsReview)
	}
	if len(rep.NewSources) != 1 || rep.NewSources[0].Name != "yonhap" {
		t.Errorf("new sources %+v", rep.NewSources)
	}
	var silent []string
	for _, s := range rep.SilentSources {
		silent = append(silent, s.Name)
	}
	if strings.Join(silent, ",") != "dw,nhk" {
		t.Errorf("silent sources %v, want dw,nhk", silent)
	}
	var jp *Breakdown
	for i := range rep.Countries {
		if rep.Countries[i].Key == "JP" {
			jp = &rep.Countries[i]
		}
	}
	if jp == nil || jp.Label != "Nhật Bản" || jp.Count != 4 {
		t.Errorf("JP breakdown %+v", jp)
	}
	withPrev := 0
	for _, c := range rep.Countries {
		if c.Prev > 0 != c.Tone.HasPrev {
			t.Errorf("country %s: prev %d but HasPrev %v", c.Key, c.Prev, c.Tone.HasPrev)
		}
		if c.Prev > 0 {
			withPrev++
		}
	}
	if withPrev == 0 {
		t.Error("no country has figures for the previous week")
	}
	if rep.Committee != nil {
		t.Error("a weekly report has no committee table")
	}
}

func TestBuildQuarterlyAndAnnual(t *testing.T) {
	st := seededStore(t)
	g := newTestGenerator(t, st.(ReportStore), "")
	for _, tc := range []struct {
		kind   Kind
		label  string
		trends int
	}{{Quarterly, "2026-Q4", 14}, {Annual, "2027", 12}} {
		p, err := ParsePeriod(tc.kind, tc.label, hcm)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := g.b.Build(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Total != 40 {
			t.Errorf("%s: total %d, want 40", tc.label, rep.Total)
		}
		if len(rep.Trend) != tc.trends {
			t.Errorf("%s: %d trend buckets, want %d", tc.label, len(rep.Trend), tc.trends)
		}
		sum := 0
		for _, b := range rep.Trend {
			sum += b.Count
		}
		if sum != rep.Total {
			t.Errorf("%s: trend sums to %d, want %d", tc.label, sum, rep.Total)
		}
		// Weeks are named as weeks ("Tuần 40"; "T40" read as a month), months
		// as mm/yyyy.
		if first := rep.Trend[0].Label; tc.kind == Quarterly && !strings.HasPrefix(first, "Tuần ") || tc.kind == Annual && !strings.Contains(first, "/") {
			t.Errorf("%s: first trend label %q", tc.label, first)
		}
		if len(rep.Committee) < 10 || rep.Committee[0].Value != "40" {
			t.Errorf("%s: committee table %+v", tc.label, rep.Committee)
		}
	}
}

func TestEmptyWeek(t *testing.T) {
	st := storetest.OpenSQLite(t)
	g := newTestGenerator(t, st.(ReportStore), "")
	o, err := g.Generate(context.Background(), weekly47(t))
	if err != nil {
		t.Fatalf("an empty week is not an error: %v", err)
	}
	if !o.Report.Empty() || len(o.Charts) != 0 {
		t.Fatalf("empty report: total %d, %d charts", o.Report.Total, len(o.Charts))
	}
	html := string(o.HTML)
	if !strings.Contains(html, "không ghi nhận tin, bài nào") {
		t.Error("the empty report does not say that nothing was found")
	}
	if strings.Contains(html, "Câu chuyện nổi bật") {
		t.Error("the empty report shows empty sections")
	}
	if !strings.Contains(o.Text, "không ghi nhận") {
		t.Errorf("text: %s", o.Text)
	}
	if len(o.HTML) > 20000 {
		t.Errorf("empty report is %d bytes: not short", len(o.HTML))
	}
	if err := g.WriteDir(o, artifactDir(t, "empty-"+o.DigestID)); err != nil {
		t.Fatal(err)
	}
}

// TestGoldenHTML compares the rendered weekly report with testdata/weekly-2026-W47.html.
// Run with -update to rewrite it after an intended change, and look at the diff.
func TestGoldenHTML(t *testing.T) {
	st := seededStore(t)
	g := newTestGenerator(t, st.(ReportStore), "")
	rep, err := g.b.Build(context.Background(), weekly47(t))
	if err != nil {
		t.Fatal(err)
	}
	charts, err := Charts(rep)
	if err != nil {
		t.Fatal(err)
	}
	got, err := g.r.HTML(rep, charts, Files)
	if err != nil {
		t.Fatal(err)
	}
	text, err := g.r.Text(rep)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name string
		got  []byte
	}{{"weekly-2026-W47.html", got}, {"weekly-2026-W47.txt", []byte(text)}} {
		path := filepath.Join("testdata", f.name)
		if *update {
			if err := os.WriteFile(path, f.got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if !bytes.Equal(f.got, want) {
			out := filepath.Join(t.TempDir(), f.name)
			_ = os.WriteFile(out, f.got, 0o644)
			t.Errorf("%s differs from the golden file; got written to %s (go test -update to accept)", f.name, out)
		}
	}
}

// TestArtifacts writes the charts, the HTML and the PDF (and its pages as
// PNG when pdftoppm is installed) under PRESSWATCH_ARTIFACTS for a person to
// look at, and checks what can be checked mechanically.
func TestArtifacts(t *testing.T) {
	chromium, err := FindChromium("")
	if err != nil {
		t.Log("no chromium: the PDF is not tested")
	}
	st := seededStore(t)
	g := newTestGenerator(t, st.(ReportStore), chromium)
	for _, tc := range []struct {
		kind  Kind
		label string
	}{{Weekly, "2026-W47"}, {Quarterly, "2026-Q4"}, {Annual, "2027"}} {
		p, err := ParsePeriod(tc.kind, tc.label, hcm)
		if err != nil {
			t.Fatal(err)
		}
		o, err := g.Generate(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		dir := artifactDir(t, o.DigestID)
		if err := g.WriteDir(o, dir); err != nil {
			t.Fatal(err)
		}
		wantCharts := 3
		if tc.kind != Weekly {
			wantCharts = 4
		}
		if len(o.Charts) != wantCharts {
			t.Errorf("%s: %d charts, want %d", o.DigestID, len(o.Charts), wantCharts)
		}
		for _, c := range o.Charts {
			if !bytes.HasPrefix(c.PNG, []byte("\x89PNG\r\n\x1a\n")) || len(c.PNG) < 2000 {
				t.Errorf("%s: chart %s is not a PNG with content (%d bytes)", o.DigestID, c.Name, len(c.PNG))
			}
			if !strings.Contains(string(o.EmailHTML), "cid:"+c.ContentID) || !strings.Contains(string(o.HTML), "data:image/png;base64,") {
				t.Errorf("%s: chart %s not referenced in the email or archive HTML", o.DigestID, c.Name)
			}
		}
		if chromium == "" {
			continue
		}
		if o.PDFError != nil || !bytes.HasPrefix(o.PDF, []byte("%PDF-")) {
			t.Fatalf("%s: PDF: %v", o.DigestID, o.PDFError)
		}
		pdftotext, err := exec.LookPath("pdftotext")
		if err != nil {
			t.Log("no pdftotext/pdftoppm (apt-get install poppler-utils): PDF pages not checked")
			continue
		}
		pdfPath := filepath.Join(dir, "report.pdf")
		txt, err := exec.Command(pdftotext, "-enc", "UTF-8", pdfPath, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		// Correct Vietnamese text in the PDF: the diacritics survive as text.
		for _, want := range []string{"Theo quốc gia và sắc thái", "Câu chuyện nổi bật", "Trích dẫn đáng chú ý"} {
			if !strings.Contains(string(txt), want) {
				t.Errorf("%s: the PDF's text lacks %q", o.DigestID, want)
			}
		}
		if out, err := exec.Command("pdftoppm", "-png", "-r", "60", pdfPath, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
			t.Errorf("pdftoppm: %v: %s", err, out)
		}
		pages, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
		if len(pages) < 2 {
			t.Errorf("%s: %d PDF pages rendered, want at least 2", o.DigestID, len(pages))
		}
		t.Logf("%s: %d charts, PDF %d bytes, %d pages in %s", o.DigestID, len(o.Charts), len(o.PDF), len(pages), dir)
	}
}

// TestReportBeforeMonitoring: a report for a week that ended before any
// source was added does not say that every source worked normally (a fresh
// demo's "make now" did, for the week before it started: an outside install).
func TestReportBeforeMonitoring(t *testing.T) {
	st := seededStore(t)
	g := newTestGenerator(t, st.(ReportStore), "")
	for _, tc := range []struct {
		label     string
		monitored int
		want      string
		not       string
	}{
		{"2026-W47", 4, "", "chưa theo dõi nguồn nào"},
		{"2025-W01", 0, "Trong kỳ này chưa theo dõi nguồn nào", "đều hoạt động bình thường"},
	} {
		p, err := ParsePeriod(Weekly, tc.label, hcm)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := g.b.Build(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Monitored != tc.monitored {
			t.Errorf("%s: %d sources monitored, want %d", tc.label, rep.Monitored, tc.monitored)
		}
		f, err := g.Make(context.Background(), "weekly", tc.label, "html")
		if err != nil {
			t.Fatal(err)
		}
		html := string(f.Data)
		if tc.want != "" && !strings.Contains(html, tc.want) {
			t.Errorf("%s: the report lacks %q", tc.label, tc.want)
		}
		if strings.Contains(html, tc.not) {
			t.Errorf("%s: the report says %q", tc.label, tc.not)
		}
	}
}

// TestReportNotesAndNumbering: a period nobody watched says so in every
// form (PDF and DOCX included, built from the document model), a period
// not over says its figures are provisional, a period not begun is
// refused, and sections are numbered without gaps when one is left out.
func TestReportNotesAndNumbering(t *testing.T) {
	st := seededStore(t)
	g := newTestGenerator(t, st.(ReportStore), "")
	ctx := context.Background()
	texts := func(d *document) string {
		var b strings.Builder
		for _, bl := range d.Blocks {
			switch x := bl.(type) {
			case para:
				b.WriteString(x.Text + "\n")
			case heading:
				b.WriteString("# " + x.Text + "\n")
			}
		}
		return b.String()
	}
	build := func(kind Kind, label string) (*Report, string) {
		t.Helper()
		p, err := ParsePeriod(kind, label, hcm)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := g.b.Build(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		return rep, texts(buildDocument(rep, nil, hcm))
	}

	// Before any source was added.
	rep, doc := build(Weekly, "2025-W01")
	if !rep.NotWatched() || !strings.Contains(doc, NotWatchedVI) || strings.Contains(doc, "không ghi nhận tin, bài nào") {
		t.Errorf("unwatched week: NotWatched %v, document:\n%s", rep.NotWatched(), doc)
	}
	// fixedNow (23/11 07:30) is inside 2026-Q4: provisional.
	rep, doc = build(Quarterly, "2026-Q4")
	if !rep.Provisional() || !strings.Contains(doc, "Số liệu tạm tính đến 07:30 23/11/2026") {
		t.Errorf("current quarter: Provisional %v, document:\n%.600s", rep.Provisional(), doc)
	}
	f, err := g.Make(ctx, "quarterly", "2026-Q4", "html")
	if err != nil || !strings.Contains(string(f.Data), `id="provisional"`) {
		t.Errorf("current quarter's HTML has no provisional note (%v)", err)
	}
	// W47 is over: not provisional. Its sections run I, II, III … without
	// a gap whatever is left out.
	rep, doc = build(Weekly, "2026-W47")
	if rep.Provisional() {
		t.Error("a finished week is provisional")
	}
	var nums []string
	for _, line := range strings.Split(doc, "\n") {
		if h, ok := strings.CutPrefix(line, "# "); ok {
			if n, _, ok := strings.Cut(h, ". "); ok && strings.Trim(n, "IVX") == "" {
				nums = append(nums, n)
			}
		}
	}
	for i, n := range nums {
		if n != romanNumeral(i+1) {
			t.Errorf("sections numbered %v", nums)
			break
		}
	}
	// A period that has not begun.
	if _, err := g.Make(ctx, "weekly", "2026-W50", "html"); !errors.Is(err, ErrNotBegun) || !errors.Is(err, ErrInvalid) {
		t.Errorf("a week that has not begun: %v", err)
	}
}

// TestDocumentQuotesNotDoubled: a quote's sentence carries its own marks;
// the PDF and DOCX printed ““Long Thanh …” (an outside reading).
func TestDocumentQuotesNotDoubled(t *testing.T) {
	st := seededStore(t)
	g := newTestGenerator(t, st.(ReportStore), "")
	rep, err := g.b.Build(context.Background(), weekly47(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Quotes) == 0 {
		t.Fatal("the seeded week has no quotes")
	}
	for _, b := range buildDocument(rep, nil, hcm).Blocks {
		if l, ok := b.(list); ok {
			for _, it := range l.Items {
				if strings.Contains(it, "““") || strings.HasPrefix(it, "“\"") {
					t.Errorf("doubled quotation marks: %q", it)
				}
			}
		}
	}
}

// TestReportCountsArticlesPublishedEarlier: an article collected in the
// week but published months before (a new source's archive) is counted in
// the week, and the report says how many such articles there are and
// gives every attention item its publication date.
func TestReportCountsArticlesPublishedEarlier(t *testing.T) {
	st := seededStore(t)
	ctx := context.Background()
	p := weekly47(t)
	pub := p.Start.AddDate(0, -8, 0)
	old := &article.Article{ID: strings.Repeat("e", 64), URL: "https://archive.example/old", CanonicalURL: "https://archive.example/old",
		Source: "archive", Outlet: "Archive Daily", Country: "US", Lang: "en", Title: "Dong Nai and Binh Phuoc to be merged",
		Text: "An old article about Dong Nai.", Published: pub.UTC(), Collected: p.Start.Add(30 * time.Hour).UTC(),
		Classification: &article.Classification{About: true, Mentions: true, Tone: "negative", Risk: 95, NeedsReview: true,
			Cluster: "c-old", At: p.Start.Add(31 * time.Hour).UTC()}}
	if err := st.UpsertArticles(ctx, []*article.Article{old}); err != nil {
		t.Fatal(err)
	}
	g := newTestGenerator(t, st.(ReportStore), "")
	rep, err := g.b.Build(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if rep.PublishedEarlier != 1 {
		t.Errorf("PublishedEarlier = %d, want 1", rep.PublishedEarlier)
	}
	f, err := g.Make(ctx, "weekly", "2026-W47", "html")
	if err != nil {
		t.Fatal(err)
	}
	html := string(f.Data)
	if !strings.Contains(html, `id="published-earlier"`) || !strings.Contains(html, "<th>Ngày đăng</th>") || !strings.Contains(html, pub.In(hcm).Format("02/01/2006")) {
		t.Error("the HTML does not say that an article was published before the week, or its date")
	}
	doc := buildDocument(rep, nil, hcm)
	found := false
	for _, b := range doc.Blocks {
		if pr, ok := b.(para); ok && strings.HasPrefix(pr.Text, "1 trong số ") {
			found = true
		}
	}
	if !found {
		t.Error("the PDF/DOCX summary does not say that an article was published before the week")
	}
}

// TestAttentionListSaysItIsCut: past ten stories the attention list says
// how many more stories and items need attention.
func TestAttentionListSaysItIsCut(t *testing.T) {
	st := seededStore(t)
	ctx := context.Background()
	p := weekly47(t)
	var arts []*article.Article
	for i := range 12 {
		id := fmt.Sprintf("%064x", 0xa000+i)
		arts = append(arts, &article.Article{ID: id, URL: "https://x.example/" + id[:8], CanonicalURL: "https://x.example/" + id[:8],
			Source: "x", Outlet: "X News", Country: "US", Lang: "en", Title: fmt.Sprintf("Story %d about Dong Nai", i),
			Text: "About Dong Nai.", Published: p.Start.Add(10 * time.Hour).UTC(), Collected: p.Start.Add(11 * time.Hour).UTC(),
			Classification: &article.Classification{About: true, Mentions: true, Tone: "negative", Risk: 90, NeedsReview: true,
				Cluster: fmt.Sprintf("c-extra-%d", i), At: p.Start.Add(12 * time.Hour).UTC()}})
	}
	if err := st.UpsertArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	g := newTestGenerator(t, st.(ReportStore), "")
	rep, err := g.b.Build(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Attention) != 10 || rep.AttentionMore < 2 || rep.AttentionItems < 12 {
		t.Fatalf("attention %d listed, %d more stories, %d items", len(rep.Attention), rep.AttentionMore, rep.AttentionItems)
	}
	f, err := g.Make(ctx, "weekly", "2026-W47", "html")
	if err != nil || !strings.Contains(string(f.Data), `id="attention-more"`) {
		t.Errorf("the HTML does not say the list is cut (%v)", err)
	}
}

// TestRankedClustersTieGoesToTheNewest: of two stories of equal reach, the
// one with the newer article ranks first.
func TestRankedClustersTieGoesToTheNewest(t *testing.T) {
	t0 := time.Date(2026, 11, 16, 0, 0, 0, 0, hcm)
	mk := func(key string, last time.Time) *cluster {
		return &cluster{key: key, rows: make([]store.DigestRow, 2), outlets: map[string]bool{"a": true, "b": true},
			countries: map[string]bool{"US": true}, first: last.Add(-time.Hour), last: last}
	}
	a := newAgg()
	a.clusters["c-archive"] = mk("c-archive", t0.AddDate(-1, 0, 0))
	a.clusters["c-week"] = mk("c-week", t0.Add(48*time.Hour))
	if cs := rankedClusters(a); cs[0].key != "c-week" {
		t.Errorf("ranked %s first, want the week's story", cs[0].key)
	}
}

// A story published wholly before the period (collected late, from a new
// source's archive) ranks after the period's own, however wide its reach.
func TestStoriesOfThePeriodFirst(t *testing.T) {
	start := time.Date(2026, 12, 7, 0, 0, 0, 0, hcm)
	a := newAgg()
	a.start = start
	row := func(id, cluster, outlet string, published time.Time) store.DigestRow {
		return store.DigestRow{ID: id, Cluster: cluster, Outlet: outlet, Country: "US", Lang: "en", Tone: "neutral",
			Published: published, Collected: start.Add(12 * time.Hour)}
	}
	year := start.AddDate(-1, 0, 0)
	for i, o := range []string{"A", "B", "C"} {
		a.add(row(fmt.Sprint("old", i), "c-old", o, year), hcm, true)
	}
	a.add(row("new", "c-new", "D", start.Add(3*time.Hour)), hcm, true)
	if got := rankedClusters(a); got[0].key != "c-new" || got[1].key != "c-old" {
		t.Errorf("ranked %s, %s; want the period's story first", got[0].key, got[1].key)
	}
}
