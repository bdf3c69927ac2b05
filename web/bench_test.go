package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// benchGet serves path through the whole handler (auth, routing, headers,
// template) as a logged-in analyst, without the network.
func benchGet(b *testing.B, path string) {
	f := newFixture(b)
	cookie, _ := f.session(RoleAnalyst)
	h := f.srv.Handler()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
}

func BenchmarkSearchPage(b *testing.B) { benchGet(b, "/search?q="+url.QueryEscape("Dong Nai")) }

func BenchmarkDashboardPage(b *testing.B) { benchGet(b, "/dashboard") }

func BenchmarkAPISearch(b *testing.B) { benchGet(b, "/api/v1/search?q="+url.QueryEscape("Dong Nai")) }

func BenchmarkVerifyPassword(b *testing.B) {
	h, err := HashPassword("benchmark password")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _ := VerifyPassword(h, "benchmark password"); !ok {
			b.Fatal("mismatch")
		}
	}
}
