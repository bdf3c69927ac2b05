package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/dongnai/presswatch/configs"
)

// TestCrossScriptSearch: "Dong Nai" typed in Latin letters finds the
// Chinese, Korean and Japanese coverage through the gazetteer's names, says
// how it widened the query, and offers the literal search, which does not.
func TestCrossScriptSearch(t *testing.T) {
	f := newFixture(t)
	cookie, _ := f.session(RoleAnalyst)
	cjk := []string{"越南同奈省隆城国际机场即将投入运营", "한국 기업, 베트남 동나이성 투자 확대", "ベトナム・ドンナイ省で日系工場が稼働"}
	// The Japanese item is not classified yet: all articles, not only
	// those classified as about the province.
	resp, body := f.get("/search?rel=any&q="+url.QueryEscape("Dong Nai"), cookie)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, w := range append(cjk, `id="expansion"`, "同奈", "동나이", "ドンナイ", `id="literal-link"`) {
		if !strings.Contains(body, w) {
			t.Errorf("expanded search lacks %q", w)
		}
	}
	// Highlights mark the place, never a word that only folds like it.
	if strings.Contains(body, "<mark>động</mark>") || strings.Contains(body, "<mark>Động</mark>") {
		t.Error("Dong Nai highlights động")
	}
	if _, b := f.get("/search?q="+url.QueryEscape("Dong Nai"), cookie); !strings.Contains(b, cjk[0]) || !strings.Contains(b, cjk[1]) {
		t.Error("the default scope (about the province) misses the Chinese or Korean coverage")
	}
	_, lit := f.get("/search?rel=any&literal=1&q="+url.QueryEscape("Dong Nai"), cookie)
	if !strings.Contains(lit, `id="literal-on"`) || strings.Contains(lit, `id="expansion"`) {
		t.Error("literal search does not say it is literal")
	}
	for _, w := range cjk {
		if strings.Contains(lit, w) {
			t.Errorf("literal search of Dong Nai found %q, which does not contain those letters", w)
		}
	}
	// A place inside the province expands too; a word that is no place does not.
	if _, b := f.get("/search?q="+url.QueryEscape("Bien Hoa"), cookie); !strings.Contains(b, `id="expansion"`) || !strings.Contains(b, "ビエンホア") {
		t.Error("Bien Hoa not expanded")
	}
	if _, b := f.get("/search?q=coffee", cookie); strings.Contains(b, `id="expansion"`) {
		t.Error("coffee expanded")
	}
	// A query in one script offers its language's articles alone: the
	// expansion finds every script, and the reader's own may not lead.
	if strings.Contains(body, `id="script-lang-link"`) {
		t.Error("a query in Latin letters offers a language of its script")
	}
	_, zh := f.get("/search?rel=any&q="+url.QueryEscape("同奈"), cookie)
	if want := `href="/search?f=lang%3Azh&amp;q=%E5%90%8C%E5%A5%88`; !strings.Contains(zh, `id="script-lang-link"`) || !strings.Contains(zh, want) {
		t.Errorf("同奈 does not offer its Chinese articles alone (want a link with %s)", want)
	}
	if _, b := f.get("/search?rel=any&f=lang:zh&q="+url.QueryEscape("同奈"), cookie); strings.Contains(b, `id="script-lang-link"`) {
		t.Error("the offer stays when a language is already chosen")
	}
}

func TestQueryScriptLang(t *testing.T) {
	for q, want := range map[string]string{"同奈": "zh", "ドンナイ省": "ja", "同奈 ドンナイ": "ja", "동나이": "ko", "\"동나이\" OR 비엔호아": "ko",
		"Dong Nai": "", "同奈 Dong Nai": "", "동나이 ドンナイ": "", "": ""} {
		if got := queryScriptLang(q); got != want {
			t.Errorf("queryScriptLang(%q) = %q, want %q", q, got, want)
		}
	}
}

func TestPlacesExpand(t *testing.T) {
	p, err := LoadPlaces(configs.ClassifierRules())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in       string
		want     []string // in the expanded query
		expanded bool
	}{
		{"Dong Nai", []string{`"同奈"`, `"동나이"`, `"ドンナイ"`, `entity:"Đồng Nai"`, "Dong AND Nai"}, true},
		{`"Đồng Nai" AND airport`, []string{`"同奈"`, "AND airport"}, true},
		{"Dong Nai NEAR/5 strike", nil, false}, // NEAR operands stay as typed
		{"NOT Dong Nai", nil, false},
		{"dong", nil, false},
		{"title:Dong", nil, false},
	} {
		out, exps := p.Expand(tc.in)
		if (len(exps) > 0) != tc.expanded {
			t.Errorf("Expand(%q): expansions %v, want expanded=%v", tc.in, exps, tc.expanded)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("Expand(%q) = %s, lacks %s", tc.in, out, w)
			}
		}
	}
}
