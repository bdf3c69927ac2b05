package alerts

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func goldenData() EmailData {
	return EmailData{
		Critical: true, SeverityVI: "KHẨN", SeverityEN: "CRITICAL", Receiver: "Sở Ngoại vụ", Route: "misinformation",
		Items: []EmailItem{{
			Title: "Bien Hoa dioxin finally fully cleaned, sources say", Outlet: "Straits Echo", Country: "SG", Lang: "en",
			URL: "https://straitsecho.example.com/news/dioxin", ArticleURL: "https://presswatch.example.org/articles/abc123",
			Published: "20/11/2026 08:30", PublishedEN: "20 Nov 2026 08:30", Snippet: "Sources claim the dioxin cleanup at Bien Hoa airbase is finished.", Risk: 85,
			Reasons: []Reason{
				{Signal: "narrative:dioxin-cleanup-finished", Detail: "“fully cleaned” ~ claim the office answered", Weight: 40},
				{Signal: "unattributed", Detail: "“sources say”", Weight: 10},
			},
		}, {
			Title: "Đồng Nai: dioxin <b>cleanup</b> & “rumours”", Outlet: "Mekong Times", Country: "TH", Lang: "vi",
			URL: "https://mekong.example.com/a?x=1&y=2", ArticleURL: "https://presswatch.example.org/articles/def456",
			Published: "20/11/2026 09:00", PublishedEN: "20 Nov 2026 09:00", Snippet: "Tin đồn về việc xử lý dioxin…", Risk: 60, OldDays: 400,
		}},
		More: 1, StoryURL: "https://presswatch.example.org/stories/c-0123456789ab", AckURL: "https://presswatch.example.org/alerts/ack?d=d1&exp=1&sig=x", AckExpires: "27 Nov 2026 08:30", AckExpiresVI: "27/11/2026 08:30",
	}
}

func TestTemplatesGolden(t *testing.T) {
	tm, err := LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	r, err := tm.Render(goldenData())
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]string{"email.subject": r.Subject, "email.txt": r.Text, "email.html": r.HTML} {
		path := filepath.Join("testdata", "golden", name)
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if got != string(want) {
			t.Errorf("%s differs from the golden file (run go test -update and review the diff):\n%s", name, got)
		}
	}
}

func TestTemplateOverride(t *testing.T) {
	dir := t.TempDir()
	src := `{{define "subject"}}OVERRIDE {{len .Items}}{{end}}{{define "text"}}t{{end}}{{define "html"}}<p>{{(index .Items 0).Title}}</p>{{end}}`
	if err := os.WriteFile(filepath.Join(dir, TemplateFile), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	tm, err := LoadTemplates(dir)
	if err != nil {
		t.Fatal(err)
	}
	d := goldenData()
	d.Items[0].Title = "<script>x</script>"
	r, err := tm.Render(d)
	if err != nil {
		t.Fatal(err)
	}
	if r.Subject != "OVERRIDE 2" || r.HTML != "<p>&lt;script&gt;x&lt;/script&gt;</p>" {
		t.Errorf("override rendered %q / %q", r.Subject, r.HTML)
	}
	// A folder without the file falls back to the embedded default; a broken one fails fast.
	if _, err := LoadTemplates(t.TempDir()); err != nil {
		t.Errorf("empty override folder: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, TemplateFile), []byte(`{{define "subject"}}{{.Nope`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadTemplates(dir); err == nil {
		t.Error("a broken template was accepted")
	}
	if _, err := ParseTemplates(`{{define "subject"}}x{{end}}`); err == nil {
		t.Error("a template without text and html was accepted")
	}
}

func TestHeaderSafe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"a\r\nBcc: victim@example.org", "a Bcc: victim@example.org"},
		{"tab\there  and\n\nnewline", "tab here and newline"},
		{"bell\x07 nul\x00 esc\x1b[31m", "bell nul esc [31m"},
		{"line\u2028sep\u2029para\u0085nel", "line sep para nel"},
		{"zero\u200bwidth\u202eRTL", "zero width RTL"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{"Đồng Nai 同奈省", "Đồng Nai 同奈省"},
	} {
		if got := HeaderSafe(tc.in, 0); got != tc.want {
			t.Errorf("HeaderSafe(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := HeaderSafe(strings.Repeat("á", 300), 10); got != strings.Repeat("á", 9)+"…" {
		t.Errorf("cut = %q", got)
	}
}

func FuzzHeaderSafe(f *testing.F) {
	for _, s := range []string{"a\r\nb", "x\u2028y", "\xff\xfe", "Đồng Nai"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := HeaderSafe(s, 200)
		if strings.ContainsAny(out, "\r\n\x00") {
			t.Fatalf("HeaderSafe(%q) = %q keeps a line break or NUL", s, out)
		}
		if len([]rune(out)) > 200 {
			t.Fatalf("HeaderSafe(%q) is %d runes", s, len([]rune(out)))
		}
	})
}

// TestInjectionFromTitles: hostile titles reach neither the headers nor the
// HTML as markup.
func TestInjectionFromTitles(t *testing.T) {
	r := newRig(t, Route{Receiver: "analysts", GroupWait: dur(0), Severity: SeverityImmediate}, nil, time.Now)
	a := classified(t, r.st, 1, "Straits Echo", "c-1", 55)
	a.Title = "Breaking\r\nBcc: victim@example.org\r\nX-Injected: yes\r\n\r\n<script>alert('t')</script><img src=x onerror=alert(1)>"
	a.Outlet = "Evil\nOutlet"
	a.URL = `javascript:alert(1)`
	if err := r.st.UpsertArticles(context.Background(), []*article.Article{a}); err != nil {
		t.Fatal(err)
	}
	process(t, r.stage, a)
	runSender(t, r.sender(SenderOptions{}))
	waitFor(t, "the email", 10*time.Second, func() bool { return len(r.mb.Messages()) == 1 })
	m := r.mb.Messages()[0]
	head, _, _ := strings.Cut(string(m.Raw), "\r\n\r\n")
	for _, bad := range []string{"\r\nBcc:", "\r\nX-Injected:", "victim@example.org>"} {
		if strings.Contains(head, bad) {
			t.Errorf("header injection: headers contain %q:\n%s", bad, head)
		}
	}
	if len(m.To) != 1 || m.To[0] != "stttt@example.org" {
		t.Errorf("envelope recipients = %v", m.To)
	}
	if strings.ContainsAny(m.Subject, "\r\n") || !strings.Contains(m.Subject, "Breaking Bcc:") {
		t.Errorf("subject = %q", m.Subject)
	}
	body := bodyParts(t, m.Raw)["text/html"]
	for _, bad := range []string{"<script>", "<img src=x", `href="javascript:`} {
		if strings.Contains(body, bad) {
			t.Errorf("HTML injection: body contains %q", bad)
		}
	}
	if !strings.Contains(body, "&lt;script&gt;") {
		t.Error("the title is not in the HTML, escaped")
	}
	waitFor(t, "the delivery marked sent", 5*time.Second, func() bool {
		return deliveriesByState(t, r.st)[store.DeliverySent] == 1
	})
}

// A message led by old coverage says so in its subject: an officer reading
// the subject line alone must not take a year-old page for today's news.
func TestSubjectFlagsOldCoverage(t *testing.T) {
	tm, err := LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	d := goldenData()
	d.Items[0], d.Items[1] = d.Items[1], d.Items[0]
	r, err := tm.Render(d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Subject, "[Bài cũ 400 ngày / 400 days old] Mekong Times") {
		t.Errorf("subject = %q", r.Subject)
	}
	if r, _ := tm.Render(goldenData()); strings.Contains(r.Subject, "Bài cũ") {
		t.Errorf("a message led by fresh news is flagged old: %q", r.Subject)
	}
}
