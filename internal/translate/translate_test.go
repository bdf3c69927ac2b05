package translate

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/dongnai/presswatch/store"
	"github.com/dongnai/presswatch/store/storetest"
)

// libre is a LibreTranslate-compatible service on loopback: it "translates"
// by looking texts up in a dictionary and records what it was asked.
type libre struct {
	mu     sync.Mutex
	asked  [][]string
	key    string
	status int
}

var dict = map[string]string{
	"동나이성 노동자 파업":        "Công nhân đình công ở tỉnh Đồng Nai",
	"同奈省发生洪水":            "Lũ lụt ở tỉnh Đồng Nai",
	"ドンナイ省で工場火災":         "Cháy nhà máy ở tỉnh Đồng Nai",
	"Floods in Dong Nai": "Lũ lụt ở Đồng Nai",
}

func (l *libre) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/translate" {
		http.NotFound(w, r)
		return
	}
	var req request
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"bad request"}`))
		return
	}
	l.mu.Lock()
	l.asked = append(l.asked, req.Q)
	status := l.status
	l.mu.Unlock()
	if status != 0 {
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"error":"Slowdown: too many requests"}`))
		return
	}
	if l.key != "" && req.APIKey != l.key {
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"error":"Invalid API key"}`))
		return
	}
	if req.Target != "vi" || req.Format != "text" {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"unsupported"}`))
		return
	}
	out := make([]string, len(req.Q))
	for i, q := range req.Q {
		if t, ok := dict[q]; ok {
			out[i] = t
		} else {
			out[i] = "[vi] " + q
		}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"translatedText": out})
}

func (l *libre) calls() [][]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([][]string(nil), l.asked...)
}

func TestTranslateWithCache(t *testing.T) {
	svc := &libre{key: "k-123"}
	srv := httptest.NewServer(svc)
	defer srv.Close()
	st := storetest.OpenSQLite(t)
	tr := New(Options{URL: srv.URL, APIKey: "k-123", Cache: st.(store.TranslationStore)})
	ctx := context.Background()
	in := []string{"동나이성 노동자 파업", "", "同奈省发生洪水", "동나이성 노동자 파업"}
	got, err := tr.Translate(ctx, "auto", in)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Công nhân đình công ở tỉnh Đồng Nai", "", "Lũ lụt ở tỉnh Đồng Nai", "Công nhân đình công ở tỉnh Đồng Nai"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q, want %q", got, want)
	}
	if c := svc.calls(); len(c) != 1 || len(c[0]) != 2 {
		t.Fatalf("service asked %q, want one batch of the two distinct texts", c)
	}
	// The second time everything comes from the store: nothing is sent.
	again, err := New(Options{URL: srv.URL, APIKey: "k-123", Cache: st.(store.TranslationStore)}).Translate(ctx, "auto", in[:3])
	if err != nil || again[2] != "Lũ lụt ở tỉnh Đồng Nai" {
		t.Fatalf("cached: %q, %v", again, err)
	}
	if c := svc.calls(); len(c) != 1 {
		t.Fatalf("cached texts were sent again: %q", c)
	}
	// Vietnamese is not sent at all.
	if vi, err := tr.Translate(ctx, "vi", []string{"Đồng Nai"}); err != nil || vi[0] != "Đồng Nai" || len(svc.calls()) != 1 {
		t.Fatalf("vi → vi: %q, %v", vi, err)
	}
}

func TestTranslateErrors(t *testing.T) {
	svc := &libre{key: "right"}
	srv := httptest.NewServer(svc)
	defer srv.Close()
	ctx := context.Background()
	if _, err := New(Options{}).Translate(ctx, "ko", []string{"x"}); err != ErrNotConfigured {
		t.Fatalf("unconfigured: %v", err)
	}
	_, err := New(Options{URL: srv.URL, APIKey: "wrong"}).Translate(ctx, "ko", []string{"동나이성 노동자 파업"})
	if err == nil || !strings.Contains(err.Error(), "HTTP 403") || !strings.Contains(err.Error(), "Invalid API key") {
		t.Fatalf("bad key: %v", err)
	}
	svc.status = http.StatusTooManyRequests
	_, err = New(Options{URL: srv.URL, APIKey: "right"}).Translate(ctx, "ko", []string{"동나이성 노동자 파업"})
	if err == nil || !strings.Contains(err.Error(), "HTTP 429") {
		t.Fatalf("429: %v", err)
	}
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"translatedText": ["only one"]}`))
	}))
	defer bad.Close()
	if _, err := New(Options{URL: bad.URL}).Translate(ctx, "ko", []string{"a", "b"}); err == nil || !strings.Contains(err.Error(), "1 translations for 2 texts") {
		t.Fatalf("short answer: %v", err)
	}
}

func TestTranslateBatchesAndClips(t *testing.T) {
	svc := &libre{}
	srv := httptest.NewServer(svc)
	defer srv.Close()
	var in []string
	for i := range 70 {
		in = append(in, strings.Repeat("파업 ", 10)+string(rune('가'+i)))
	}
	in = append(in, strings.Repeat("긴 문장 ", 2000))
	got, err := New(Options{URL: srv.URL}).Translate(context.Background(), "ko", in)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(in) || !strings.HasPrefix(got[69], "[vi] ") {
		t.Fatalf("%d translations", len(got))
	}
	calls := svc.calls()
	if len(calls) != 3 || len(calls[0]) != maxBatch {
		t.Fatalf("%d requests, first of %d texts; want 3 of at most %d", len(calls), len(calls[0]), maxBatch)
	}
	last := calls[2][len(calls[2])-1]
	if n := len([]rune(last)); n > maxRunes+1 {
		t.Errorf("a long text was sent whole: %d runes", n)
	}
}
