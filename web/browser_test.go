package web

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/dongnai/presswatch/store"
)

// findBrowser returns a Chromium or Chrome binary: PRESSWATCH_CHROME, then the
// usual names on PATH.
func findBrowser() string {
	if p := os.Getenv("PRESSWATCH_CHROME"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// artifactsDir is where screenshots go: PRESSWATCH_ARTIFACTS, else a temp dir.
func artifactsDir(t *testing.T) string {
	if d := os.Getenv("PRESSWATCH_ARTIFACTS"); d != "" {
		d = filepath.Join(d, "web")
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// TestBrowser drives headless Chromium through the UI: log in, search
// "Dong Nai" without diacritics, narrow by a facet, open an article and see
// its highlights, and open a hostile article that must execute nothing.
// Screenshots of every step are written to the artifacts folder.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	bin := findBrowser()
	if bin == "" {
		t.Skip("no Chromium found (install Debian's chromium, or set PRESSWATCH_CHROME): skipping the browser test")
	}
	f := newFixture(t)
	art := artifactsDir(t)
	t.Logf("screenshots in %s", art)

	allocOpts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "vi-VN"),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), allocOpts...)
	defer cancelAlloc()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// Generous: CI runs this beside every other package's tests under -race.
	ctx, cancelT := context.WithTimeout(bctx, 180*time.Second)
	defer cancelT()

	// Start the browser, then watch for dialogs: a hostile script would
	// most likely try alert().
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start browser: %v", err)
	}
	var dialogs atomic.Int32
	if err := chromedp.Listen(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
			go func() {
				_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
			}()
		}
	}); err != nil {
		t.Fatalf("listen: %v", err)
	}

	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(art, name+".png"), buf, 0o644)
		})
	}
	do := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			// Keep what the page showed, in a fresh context: ctx may be spent.
			sctx, cancel := context.WithTimeout(bctx, 10*time.Second)
			defer cancel()
			if buf, serr := chromedp.Run(sctx, chromedp.FullScreenshot(80)); serr == nil {
				_ = os.WriteFile(filepath.Join(art, "failed-"+strings.ReplaceAll(step, " ", "-")+".png"), buf, 0o644)
			}
			t.Fatalf("%s: %v", step, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return s
	}
	pwnedJS := `typeof window.__pwned === "undefined" ? "undefined" : String(window.__pwned)`
	base := f.http.URL

	// Log in.
	do("login page", chromedp.Navigate(base+"/search"), chromedp.WaitVisible(chromedp.ID("username")), shot("01-login"))
	do("log in",
		chromedp.SendKeys(chromedp.ID("username"), RoleAnalyst),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.ID("q")),
	)

	// Search without diacritics.
	do("search",
		chromedp.WaitReady(chromedp.ID("q")),
		// Set the box's value and submit its form: typed keys and a mouse click
		// at coordinates can both go astray while a busy machine is still
		// laying the page out, and the search then runs with an empty query.
		chromedp.SetValue(chromedp.ID("q"), "Dong Nai"),
		chromedp.Submit(chromedp.ID("q")),
		chromedp.WaitVisible(chromedp.CSS(".hit")),
		shot("02-search-dong-nai"),
	)
	if hits := text(".hits"); !strings.Contains(hits, "Người dân Đồng Nai lo ngại") {
		t.Errorf("searching Dong Nai without diacritics did not find the Vietnamese article; hits:\n%s", hits)
	}
	if n := eval(`String(document.querySelectorAll(".snippet mark").length)`); n == "0" {
		t.Error("no highlighted match in the snippets")
	}

	// Click the Vietnamese language facet.
	do("facet",
		chromedp.Click(chromedp.CSS(`section.facet[data-field="lang"] a[href*="lang%3Avi"]`)),
		chromedp.WaitVisible(chromedp.CSS(".active-filters")),
		shot("03-facet-vi"),
	)
	if hits := text(".hits"); !strings.Contains(hits, "Người dân Đồng Nai") || strings.Contains(hits, "Japanese investors") {
		t.Errorf("after the lang:vi facet the hits are:\n%s", hits)
	}

	// Open the article and see the entity highlights.
	do("article",
		chromedp.Click(chromedp.CSS(".hit-title")),
		chromedp.WaitVisible(chromedp.ID("article-text")),
		shot("04-article"),
	)
	if n := eval(`String(document.querySelectorAll("#article-text mark.ent").length)`); n == "0" {
		t.Error("no entity highlighted in the article text")
	}
	if m := text("#article-text mark.ent"); m != "Vĩnh Cửu" {
		t.Errorf("first highlighted entity %q, want Vĩnh Cửu", m)
	}

	// The hostile article executes nothing.
	hostile := f.byURL["https://hostile.example/dong-nai-festival"]
	do("hostile article",
		chromedp.Navigate(base+"/articles/"+hostile.ID),
		chromedp.WaitVisible(chromedp.ID("article-text")),
		chromedp.Sleep(300*time.Millisecond), // let any onerror/onload fire
		chromedp.MouseClickXY(400, 300),
		shot("05-hostile-article"),
	)
	if p := eval(pwnedJS); p != "undefined" {
		t.Errorf("hostile article ran script: window.__pwned = %q", p)
	}
	if n := eval(`String(document.querySelectorAll("main script, main iframe, main style, main [onerror], main [onload], main [onclick], main [onmouseover], main a[href^='javascript:']").length)`); n != "0" {
		t.Errorf("hostile article left %s active elements in the page", n)
	}
	do("hostile in search",
		chromedp.Navigate(base+"/search?q=festival"),
		chromedp.WaitVisible(chromedp.CSS(".hit")),
		chromedp.Sleep(200*time.Millisecond),
	)
	if p := eval(pwnedJS); p != "undefined" {
		t.Errorf("hostile search hit ran script: window.__pwned = %q", p)
	}
	for _, id := range f.addPresssimHostile() {
		do("presssim hostile article",
			chromedp.Navigate(base+"/articles/"+id),
			chromedp.WaitVisible(chromedp.ID("article-text")),
			chromedp.Sleep(300*time.Millisecond),
			chromedp.MouseClickXY(300, 250),
			shot("05b-presssim-hostile"),
		)
		if p := eval(`typeof window.__presssimHostile === "undefined" && document.title !== "pwned" ? "clean" : "pwned"`); p != "clean" {
			t.Errorf("presssim hostile article ran script (%s)", p)
		}
		if loc := eval(`location.pathname`); loc != "/articles/"+id {
			t.Errorf("presssim hostile article navigated the page to %s", loc)
		}
	}
	if n := dialogs.Load(); n != 0 {
		t.Errorf("%d JavaScript dialogs opened", n)
	}

	// The other pages, for the record and for looking at; the rules page
	// with an alert route an officer made from a saved search.
	if ss, ok := f.store.(store.SavedSearchStore); ok {
		route := store.SavedSearch{ID: "ss-browser", Owner: RoleAnalyst, Name: "Ô nhiễm sông Đồng Nai", Query: `"ô nhiễm" AND (sông OR river)`,
			AlertReceiver: "police", AlertEnabled: true, AlertMinRisk: 40, CreatedAt: time.Now()}
		if err := ss.UpsertSavedSearch(context.Background(), route); err != nil {
			t.Fatal(err)
		}
		do("rules page",
			chromedp.Navigate(base+"/alerts/rules"), chromedp.WaitVisible(chromedp.ID("saved-routes")), shot("08b-alert-rules"))
		if got := text("#saved-routes + p + div table"); !strings.Contains(got, "Ô nhiễm sông Đồng Nai") || !strings.Contains(got, "Công an tỉnh") {
			t.Errorf("rules page does not list the saved-search route: %q", got)
		}
	}
	do("other pages",
		chromedp.Navigate(base+"/dashboard"), chromedp.WaitVisible(chromedp.CSS("svg.chart")), shot("06-dashboard"),
		chromedp.Navigate(base+"/stories/c-airport"), chromedp.WaitVisible(chromedp.CSS(".timeline")), shot("07-story"),
		chromedp.Navigate(base+"/sources"), chromedp.WaitVisible(chromedp.CSS("table.sources")), shot("08-sources"),
		chromedp.Navigate(base+"/search?lang=en&q=dong+AND+(nai"), chromedp.WaitVisible(chromedp.ID("query-error")), shot("09-query-error-en"),
		chromedp.Navigate(base+"/lang/vi"),
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		chromedp.Navigate(base+"/search?q=Dong+Nai"), chromedp.WaitVisible(chromedp.CSS(".hit")), shot("10-phone-search"),
		chromedp.Navigate(base+"/articles/"+f.arts[0].ID), chromedp.WaitVisible(chromedp.ID("article-text")), shot("11-phone-article"),
	)
}
