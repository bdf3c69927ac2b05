package web

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dongnai/presswatch/alerts"
	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/store"
)

// layoutJS lists what breaks a page's layout: the page scrolling sideways,
// and any element reaching past the viewport that is not inside a container
// that scrolls or clips it (a wide table in a scroll box is fine).
const layoutJS = `(() => {
  const W = document.documentElement.clientWidth, out = [];
  if (document.documentElement.scrollWidth > window.innerWidth) {
    out.push("page scrolls sideways: " + document.documentElement.scrollWidth + " > " + window.innerWidth);
  }
  const contained = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === "auto" || o === "scroll" || o === "hidden" || o === "clip") return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(el).position === "fixed") continue;
    if ((r.right > W + 1 || r.left < -1) && !contained(el)) {
      out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && el.className.baseVal === undefined ? "." + el.className : "") +
        " spans " + Math.round(r.left) + ".." + Math.round(r.right) + " of " + W);
    }
  }
  // Every navigation link is on screen, not cut off or scrolled away.
  for (const a of document.querySelectorAll(".nav a")) {
    const r = a.getBoundingClientRect();
    if (r.width === 0 || r.left < 0 || r.right > W + 1) out.push("nav link " + a.textContent + " off screen");
  }
  // On a desktop screen the navigation is one row, as a product's header is.
  const links = [...document.querySelectorAll(".nav a")];
  if (W >= 1200 && links.length && links.some(a => Math.abs(a.getBoundingClientRect().top - links[0].getBoundingClientRect().top) > 2)) {
    out.push("navigation wraps to a second row at " + W + " px");
  }
  return JSON.stringify(out.slice(0, 12));
})()`

// TestBrowserLayout opens every page at 1400 and 390 px wide in headless
// Chromium and fails on anything wider than the viewport, a navigation link
// off screen or (on a desktop) wrapped to a second row, an unreadable
// reasons table (its sentence column narrow, its words broken letter by
// letter, or the table absurdly tall), alert titles
// hidden on a phone, or a demo mail shown as quoted-printable. Screenshots
// of every page at both widths go to $PRESSWATCH_ARTIFACTS/web/layout-*.png.
func TestBrowserLayout(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	bin := findBrowser()
	if bin == "" {
		t.Skip("no Chromium found (install Debian's chromium, or set PRESSWATCH_CHROME): skipping the browser test")
	}
	mb, err := alerts.NewMailbox(alerts.MailboxOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	mctx, mcancel := context.WithCancel(context.Background())
	mdone := make(chan struct{})
	go func() { defer close(mdone); _ = mb.Run(mctx) }()
	defer func() { mcancel(); <-mdone }()
	f := newFixture(t, func(o *Options) { o.Demo, o.Mailbox = true, mb })
	ids := seedOfficerPages(t, f, mb)
	art := artifactsDir(t)

	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("lang", "vi-VN"),
		chromedp.WindowSize(1400, 900))
	defer cancelAlloc()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(bctx, 300*time.Second)
	defer cancelT()
	base := f.http.URL
	do := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("evaluate %.60s: %v", js, err)
		}
		return s
	}
	num := func(js string) float64 {
		t.Helper()
		v, err := strconv.ParseFloat(eval(js), 64)
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	do("log in", chromedp.Navigate(base+"/search"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), RoleAdmin), chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("login")), chromedp.WaitVisible(chromedp.ID("q")))

	seedEvidence(t, f, ids.article)
	seedManagedSources(t, f)
	// Two saved searches, one of them an alert route, so the saved page
	// shows its cards and route forms (a new user found the checkbox on its
	// own line and the buttons floating mid-card).
	for i, ss := range []store.SavedSearch{
		{ID: "layout-saved-1", Owner: RoleAdmin, Name: "Sân bay Long Thành – tin tiêu cực", Query: `"Long Thanh" AND tone:negative`, Params: "sort=newest", AlertReceiver: "foreign_affairs", AlertEnabled: true, AlertMinRisk: 40},
		{ID: "layout-saved-2", Owner: RoleAdmin, Name: "Đình công ở các khu công nghiệp", Query: `strike OR "đình công"`, Params: "f=topic%3Aindustry_labor"},
	} {
		ss.CreatedAt = f.clock.Now().Add(-time.Duration(i+1) * time.Hour)
		if err := f.store.UpsertSavedSearch(context.Background(), ss); err != nil {
			t.Fatal(err)
		}
	}
	pages := []struct{ name, path, ready string }{
		{"dashboard", "/dashboard", "svg.chart"},
		{"search", "/search?q=" + strings.ReplaceAll("Dong Nai", " ", "+"), ".hit"},
		{"search-en", "/search?lang=en&q=Dong+Nai&sort=risk", ".hit"},
		{"search-report", "/search?basis=collected&rel=province&sort=newest", ".hit"},
		{"article", "/articles/" + ids.article, "#reasons"},
		{"article-en", "/articles/" + ids.article + "?lang=en", "#reasons"},
		{"story", "/stories/c-airport", ".timeline"},
		{"sources", "/sources", "table.sources"},
		{"source-new", "/sources/new", "#source-form"},
		{"source-edit", "/sources/nikkei-asia/edit", "#source-form"},
		{"source-edit-ui", "/sources/nhk-world/edit", "#source-form"},
		{"alerts", "/alerts", "#inbox"},
		{"alert-detail", "/alerts/" + ids.alert, "#reasons"},
		{"alert-rules", "/alerts/rules", "main h1"},
		{"alert-silences", "/alerts/silences", "main h1"},
		{"saved", "/saved", "main h1"},
		{"reports", "/reports", "main h1"},
		{"evidence", "/articles/" + ids.article + "/evidence", "table.evidence"},
		{"evidence-narrative", "/articles/" + ids.article + "/evidence?narrative=resp-layout-2", "form.narrative-form"},
		{"admin-users", "/admin/users", "main h1"},
		{"mailbox", "/demo/mailbox", "#mailbox"},
		{"mail", "/demo/mailbox/" + ids.mail, "#mail-text"},
	}
	for _, w := range []int64{1400, 390} {
		do("viewport", chromedp.EmulateViewport(w, 900))
		for _, p := range pages {
			do(p.name, chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS(p.ready)))
			buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100: PNG
			if err != nil {
				t.Fatalf("screenshot %s: %v", p.name, err)
			}
			if err := os.WriteFile(filepath.Join(art, fmt.Sprintf("layout-%d-%s.png", w, p.name)), buf, 0o644); err != nil {
				t.Fatal(err)
			}
			var problems []string
			if err := json.Unmarshal([]byte(eval(layoutJS)), &problems); err != nil {
				t.Fatal(err)
			}
			for _, pr := range problems {
				t.Errorf("%s at %d px: %s", p.name, w, pr)
			}
			switch p.name {
			case "article", "alert-detail":
				// The sentence column is wide, words are never split letter
				// by letter, and the table is not a tower.
				minCol := 420.0
				if w < 600 {
					minCol = 220
				}
				if col := num(`String(document.querySelector("#reasons td").getBoundingClientRect().width)`); col < minCol {
					t.Errorf("%s at %d px: reasons column %.0f px wide, want at least %.0f", p.name, w, col, minCol)
				}
				if wb := eval(`(s => s.wordBreak + "/" + s.overflowWrap)(getComputedStyle(document.querySelector("#reasons td")))`); strings.Contains(wb, "break-all") || strings.Contains(wb, "anywhere") {
					t.Errorf("%s at %d px: reasons break words letter by letter (%s)", p.name, w, wb)
				}
				maxH := 900.0
				if w < 600 {
					maxH = 2200
				}
				if h := num(`String(document.querySelector("#reasons").getBoundingClientRect().height)`); h > maxH {
					t.Errorf("%s at %d px: reasons table %.0f px tall, want at most %.0f", p.name, w, h, maxH)
				}
				if body := eval(`document.querySelector("#reasons").innerText`); strings.Contains(body, "NEAR/") || strings.Contains(body, "saved/") || strings.Contains(body, "airport-abandoned") {
					t.Errorf("%s: reasons show raw query syntax or rule IDs:\n%s", p.name, body)
				}
				if sib := eval(`(document.querySelector("#siblings")||{}).innerText||""`); p.name == "alert-detail" && !strings.Contains(sib, "KCN Nhơn Trạch") {
					t.Errorf("alert-detail: the same office's other alert about the article is not listed: %q", sib)
				}
			case "alerts":
				if tw := num(`String(document.querySelector(".alert-title").getBoundingClientRect().width)`); tw < 200 {
					t.Errorf("alerts at %d px: titles %.0f px wide", w, tw)
				}
				if held := eval(`(document.querySelector(".held")||{}).textContent||""`); !strings.Contains(held, "giờ yên lặng") {
					t.Errorf("alerts: the quiet-hours hold does not say when it will be sent: %q", held)
				}
				if also := eval(`(document.querySelector("#inbox .also")||{}).textContent||""`); !strings.Contains(also, "KCN Nhơn Trạch") {
					t.Errorf("alerts: the row does not name the saved search merged into it: %q", also)
				}
				if n := num(`String(document.querySelectorAll('#inbox a[href^="/alerts/al-layout"]').length)`); n != 1 {
					t.Errorf("alerts: %.0f rows for one article sent to one office, want 1", n)
				}
			case "mail":
				if body := eval(`document.querySelector("#mail-text").textContent + document.querySelector("#mail-html").innerText`); strings.Contains(body, "=C3") || strings.Contains(body, "=\n") || !strings.Contains(body, "CẢNH BÁO") || !strings.Contains(body, "Cảnh báo báo chí nước ngoài") {
					t.Errorf("demo mail not decoded:\n%.400s", body)
				} else if !strings.Contains(body, "Cùng bài, cũng khớp: Tìm kiếm đã lưu: KCN Nhơn Trạch") {
					t.Errorf("demo mail does not name the saved search that also matched:\n%.1500s", body)
				}
			case "source-new":
				// A refused URL re-shows the form with the reason in Vietnamese.
				do("source form error", chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "mirror-"+strconv.Itoa(int(w))),
					chromedp.SendKeys(chromedp.CSS(`input[name=url]`), "http://192.168.1.20/rss"),
					chromedp.Click(chromedp.CSS(`#source-form button.primary`)), chromedp.WaitVisible(chromedp.ID("source-error")))
				if msg := eval(`document.querySelector("#source-error").textContent`); !strings.Contains(msg, "mạng nội bộ") {
					t.Errorf("source form at %d px: error %q", w, msg)
				}
				buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(art, fmt.Sprintf("layout-%d-source-error.png", w)), buf, 0o644); err != nil {
					t.Fatal(err)
				}
				var problems []string
				if err := json.Unmarshal([]byte(eval(layoutJS)), &problems); err != nil {
					t.Fatal(err)
				}
				for _, pr := range problems {
					t.Errorf("source-error at %d px: %s", w, pr)
				}
			case "sources":
				if n := num(`String(document.querySelectorAll("#src-nikkei-asia .src-actions button").length)`); n < 3 {
					t.Errorf("sources at %d px: %v admin buttons on a row, want poll, disable, delete", w, n)
				}
			case "search":
				// Long titles are cut, with the full title in title="".
				if h := num(`String(document.querySelector(".hit-title[title^='` + longTitle[:20] + `']").getBoundingClientRect().height)`); h > 80 {
					t.Errorf("search at %d px: the long title is %.0f px tall, not cut", w, h)
				}
			}
		}
	}
}

// seedManagedSources adds what the sources admin pages show besides the
// configured sources: one added in the UI with a crawl state, and one
// deleted.
func seedManagedSources(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	now := f.clock.Now()
	for _, src := range []store.Source{
		{Name: "nhk-world", Kind: "feed", URL: "https://www3.nhk.example/nhkworld/data/en/news/backstory/rss.xml", Outlet: "NHK World-Japan", Country: "JP", Lang: "en", Tier: 1,
			Enabled: true, Origin: store.OriginUI, EditedAt: now},
		{Name: "old-forum", Kind: "site", URL: "https://forum.example/", Outlet: "Old forum", Country: "US", Lang: "en", Tier: 3,
			Origin: store.OriginUI, EditedAt: now, DeletedAt: now.Add(-time.Hour)},
	} {
		if err := f.store.UpsertSource(ctx, src); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.store.UpsertSourceState(ctx, store.SourceState{Source: "nhk-world", LastAttempt: now.Add(-3 * time.Minute), LastSuccess: now.Add(-3 * time.Minute),
		NextAttempt: now.Add(12 * time.Minute), ETag: `W/"5f2a-19c3"`, Interval: 15 * time.Minute, ItemsTotal: 42, ItemsPerDay: 6.5}); err != nil {
		t.Fatal(err)
	}
}

// longTitle is a title long enough to need cutting in lists.
var longTitle = "Đồng Nai: " + strings.Repeat("Các doanh nghiệp khu công nghiệp Nhơn Trạch và Long Thành mở rộng sản xuất, tuyển thêm lao động ", 4)

type officerPageIDs struct{ article, alert, mail string }

// seedOfficerPages adds what the officers' pages show: an article about the
// province with a long title and the classifier's reasons as it writes them,
// an alert for the police held by quiet hours, and a rendered alert email
// in the demo mailbox.
func seedOfficerPages(t *testing.T, f *fixture, mb *alerts.Mailbox) officerPageIDs {
	t.Helper()
	ctx := context.Background()
	a := *f.byURL["https://asia.nikkei.example/Business/Dong-Nai-industrial-parks"]
	a.ID, a.URL, a.CanonicalURL, a.Title = "long-reasons", "https://asia.nikkei.example/long", "https://asia.nikkei.example/long", longTitle
	c := *a.Classification
	c.Risk, c.NeedsReview, c.Topics, c.Tone = 85, true, []string{"industry_labor", "security_crime", "disaster_weather"}, "negative"
	c.Entities = nil // their offsets were into the old title
	c.Reasons = []article.Reason{
		{Signal: "narrative:airport-abandoned", Detail: `matches claim ("Long Thành" OR 隆城 OR ロンタイン OR 롱탄) NEAR/10 (abandoned OR scrapped OR cancelled OR "bị hủy" OR "bỏ dở"…`, Weight: 40},
		{Signal: "fact_contradiction:population", Detail: `population given as "2.5 million"; official 4200000–4600000 people`, Weight: 25},
		{Signal: "alarm_terms", Detail: "vỡ đê, thảm họa, mất kiểm soát", Weight: 45},
		{Signal: "sensitive_negative", Detail: "topics industry_labor, disaster_weather with negative tone", Weight: 25},
		{Signal: "unattributed", Detail: "unattributed sourcing: sources say", Weight: 15},
		{Signal: "rapid_spread", Detail: "6 outlets carry this story within 72h0m0s", Weight: 15},
		{Signal: "outlet_tier", Detail: "outlet tier 1 (most reliable)", Weight: -10},
		{Signal: "relevance", Detail: "named as Đồng Nai, Nhơn Trạch, Long Thành (score 4.5; other places 1, strongest 0.6; tone +0.2/-2.5)", Weight: 0},
	}
	a.Classification = &c
	if err := f.store.UpsertArticles(ctx, []*article.Article{&a}); err != nil {
		t.Fatal(err)
	}
	if err := f.index.IndexArticles(ctx, []*article.Article{&a}); err != nil {
		t.Fatal(err)
	}
	as, ok := f.store.(store.AlertStore)
	if !ok {
		t.Fatal("the store has no alert tables")
	}
	now := f.clock.Now().UTC()
	al := store.Alert{ID: "al-layout", Route: "security", ArticleID: a.ID, Cluster: c.Cluster, GroupKey: "security/" + c.Cluster, Severity: "immediate",
		State: store.AlertNew, Priority: 1, Risk: c.Risk, Title: a.Title, Outlet: a.Outlet, Country: a.Country, Lang: a.Lang, Source: a.Source,
		Receivers: []string{"police"}, Reasons: c.Reasons, CreatedAt: now}
	if err := as.RecordAlerts(ctx, []store.NewAlert{{Alert: al, Now: now, NotBefore: now.Add(7 * time.Hour),
		Notify: []store.Notification{{Receiver: "police", Channel: "email", Recipient: "canhbao.congan@dongnai.gov.vn"}}}}); err != nil {
		t.Fatal(err)
	}
	// An earlier article of the same story alerted the police too: the
	// inbox shows the story on one row led by the newest, "+1 …".
	earlier := store.Alert{ID: "al-layout-earlier", Route: "security", ArticleID: f.arts[0].ID, Cluster: c.Cluster,
		GroupKey: "security/" + c.Cluster, Severity: "immediate", State: store.AlertNew, Risk: 72, Title: f.arts[0].Title,
		Outlet: f.arts[0].Outlet, Country: f.arts[0].Country, Lang: f.arts[0].Lang, Source: f.arts[0].Source,
		Receivers: []string{"police"}}
	if err := as.RecordAlerts(ctx, []store.NewAlert{{Alert: earlier, Now: now.Add(-40 * time.Minute)}}); err != nil {
		t.Fatal(err)
	}
	// A saved search of the police matched the same article: its alert was
	// merged into security's message, and the inbox shows one row.
	if err := f.store.(store.SavedSearchStore).UpsertSavedSearch(ctx, store.SavedSearch{ID: "ss-layout", Owner: "officer-minh",
		Name: "KCN Nhơn Trạch", Query: `"Nhơn Trạch"`, AlertReceiver: "police", AlertEnabled: true, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	merged := al
	merged.ID, merged.Route, merged.GroupKey = "al-layout-saved", alerts.SavedRoutePrefix+"ss-layout", "saved/"+c.Cluster
	merged.Note = "Đã gửi trong thư của tuyến security (cùng bài, cùng người nhận) / sent in route security's message (same article, same recipient)"
	if err := as.RecordAlerts(ctx, []store.NewAlert{{Alert: merged, Now: now}}); err != nil {
		t.Fatal(err)
	}
	tm, err := alerts.LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	var reasons []alerts.Reason
	for _, r := range c.Reasons {
		reasons = append(reasons, alerts.Reason{Signal: r.Signal, Detail: r.Detail, Weight: r.Weight})
	}
	rendered, err := tm.Render(alerts.EmailData{Critical: true, SeverityVI: "KHẨN", SeverityEN: "CRITICAL", Receiver: "Công an tỉnh", Route: "security",
		Items: []alerts.EmailItem{{Title: a.Title, Outlet: a.Outlet, Country: a.Country, Lang: a.Lang, URL: a.URL, ArticleURL: f.http.URL + "/articles/" + a.ID,
			Published: "20/11/2026 08:30", PublishedEN: "20 Nov 2026 08:30", Snippet: "Các doanh nghiệp ở Đồng Nai…", Risk: c.Risk, Reasons: reasons,
			Also: []alerts.AlsoRoute{{ID: merged.Route, Name: "KCN Nhơn Trạch"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	host, port := mb.HostPort()
	en, err := alerts.NewEmailNotifier(alerts.SMTPOptions{Host: host, Port: port, TLS: alerts.TLSNone, From: "presswatch@dongnai.gov.vn"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := en.Notify(ctx, &alerts.Message{DeliveryID: "d-layout", MessageID: "<d-layout@presswatch>", To: "canhbao.congan@dongnai.gov.vn", Rendered: rendered}); err != nil {
		t.Fatal(err)
	}
	msgs := mb.Messages()
	if len(msgs) == 0 {
		t.Fatal("the demo mailbox got nothing")
	}
	return officerPageIDs{article: a.ID, alert: al.ID, mail: msgs[0].Name}
}

// seedEvidence records two captures of an article (the second corrected) and
// a response, for the evidence page's layout.
func seedEvidence(t *testing.T, f *fixture, articleID string) {
	t.Helper()
	ctx := context.Background()
	es := f.store.(store.EvidenceStore)
	now := time.Now().UTC()
	first := store.Snapshot{ID: store.SnapshotID(articleID, 1), ArticleID: articleID, Seq: 1, URL: "https://example.test/a",
		FinalURL: "https://example.test/a", Status: 200, CapturedAt: now.Add(-2 * time.Hour),
		SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Title: "Dong Nai merger still pending, sources say",
		Text:    "Đồng Nai province is still waiting for a decision on its merger with Bình Phước. The population is said to be around 3 million.",
		Headers: "{}", WARCPath: "a/1.warc", Change: store.ChangeFirst, ChangeDetail: "Lần lưu đầu tiên."}
	second := first
	second.ID, second.Seq, second.CapturedAt, second.Change = store.SnapshotID(articleID, 2), 2, now.Add(-time.Hour), store.ChangeCorrected
	second.Text = "Correction: an earlier version said the merger was pending. Bình Phước was merged into Đồng Nai on 1 July 2025; the population is about 4.5 million."
	second.ChangeDetail = "Bài viết có đính chính: “Correction: an earlier version said the merger was pending.”"
	for _, sn := range []store.Snapshot{first, second} {
		if err := es.SaveSnapshot(ctx, sn, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := es.UpsertResponse(ctx, store.Response{ID: "resp-layout", ArticleID: articleID, Cluster: "c-layout",
		Text: "Sở Ngoại vụ gửi thư đề nghị đính chính thông tin về việc hợp nhất tỉnh.", RespondedOn: now.Add(-90 * time.Minute),
		Channel: store.ChannelLetter, ApprovedBy: "Giám đốc Sở", Outcome: store.OutcomeCorrected}); err != nil {
		t.Fatal(err)
	}
	// A second response with a narrative created from it, and a third
	// whose "create narrative" form the layout test opens.
	for _, id := range []string{"resp-layout-1", "resp-layout-2"} {
		if err := es.UpsertResponse(ctx, store.Response{ID: id, ArticleID: articleID, Cluster: "c-layout",
			Text: "Tuyên bố của Sở Ngoại vụ: Bình Phước đã sáp nhập vào Đồng Nai từ 01/07/2025.", RespondedOn: now.Add(-80 * time.Minute),
			Channel: store.ChannelStatement, ApprovedBy: "Giám đốc Sở"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.store.(store.NarrativeStore).CreateNarrative(ctx, store.Narrative{ID: "n-resp-layout-1", Claim: "Việc sáp nhập Bình Phước vào Đồng Nai còn đang chờ quyết định",
		Phrases: []string{"merger still pending", "sáp nhập vẫn đang chờ", "合并仍在等待"}, Context: []string{"Bình Phước", "Binh Phuoc"},
		Correction: "Bình Phước đã được sáp nhập vào Đồng Nai từ ngày 01/07/2025 (Nghị quyết 202/2025/QH15).", ResponseID: "resp-layout-1",
		ArticleID: articleID, Weight: 40, CreatedBy: "admin", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	// The third response's first narrative was retired: the page keeps it,
	// struck through, and the form opens with its wording.
	ns := f.store.(store.NarrativeStore)
	if err := ns.CreateNarrative(ctx, store.Narrative{ID: "n-resp-layout-2", Claim: "Tỉnh Bình Phước vẫn còn tồn tại",
		Phrases: []string{"Binh Phuoc province", "tỉnh Bình Phước"}, Correction: "Bình Phước đã được sáp nhập vào Đồng Nai từ ngày 01/07/2025.",
		ResponseID: "resp-layout-2", ArticleID: articleID, Weight: 30, CreatedBy: "admin", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := ns.RetireNarrative(ctx, "n-resp-layout-2", "admin", "Cụm từ quá rộng: gắn cờ cả tin lịch sử về Bình Phước", now); err != nil {
		t.Fatal(err)
	}
}
