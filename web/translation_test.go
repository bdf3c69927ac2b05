package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dongnai/presswatch/internal/translate"
	"github.com/dongnai/presswatch/store"
)

// TestArticleTranslation: a Korean article's page shows the Vietnamese
// machine translation of its title and lead beside the original, through a
// LibreTranslate-compatible service on loopback cached in the store; a
// Vietnamese article shows none; without a service the page says so.
func TestArticleTranslation(t *testing.T) {
	var asked int
	svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked++
		var req struct {
			Q      []string `json:"q"`
			Source string   `json:"source"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		out := make([]string, len(req.Q))
		for i, q := range req.Q {
			out[i] = "VI(" + req.Source + "): " + q
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"translatedText": out})
	}))
	defer svc.Close()
	f := newFixture(t, func(o *Options) {
		o.Translator = translate.New(translate.Options{URL: svc.URL, Cache: o.Store.(store.TranslationStore)})
	})
	cookie, _ := f.session(RoleViewer)
	var ko, vi string
	for _, a := range f.arts {
		switch a.Lang {
		case "ko":
			ko = a.ID
		case "vi":
			vi = a.ID
		}
	}
	resp, page := f.get("/articles/"+ko, cookie)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `class="translation"`) || !strings.Contains(page, "VI(ko): 한국 기업, 베트남 동나이성 투자 확대") {
		t.Fatalf("Korean article: %d, no translation shown", resp.StatusCode)
	}
	if _, page := f.get("/articles/"+ko, cookie); !strings.Contains(page, "VI(ko): ") || asked != 1 {
		t.Errorf("second view asked the service again (%d requests)", asked)
	}
	if _, page := f.get("/articles/"+vi, cookie); strings.Contains(page, `class="translation"`) {
		t.Error("a Vietnamese article shows a translation block")
	}
	g := newFixture(t)
	c2, _ := g.session(RoleViewer)
	if _, page := g.get("/articles/"+ko, c2); !strings.Contains(page, "Chưa cấu hình dịch máy") {
		t.Error("without a service the page does not say translation is not configured")
	}
}
