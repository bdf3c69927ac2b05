package article

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestCanonicalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"HTTPS://VnExpress.NET:443/a/b?utm_source=x&b=2&a=1#frag", "https://vnexpress.net/a/b?a=1&b=2"},
		{"http://example.com:80", "http://example.com/"},
		{"http://example.com:8080/x", "http://example.com:8080/x"},
		{"https://example.com/x?fbclid=1&gclid=2&UTM_medium=3", "https://example.com/x"},
		{"https://example.com/x?b=2&b=1", "https://example.com/x?b=1&b=2"},
		{"https://user:pw@example.com/x", "https://example.com/x"},
		{"https://example.com./x?", "https://example.com/x"},
		{"  https://example.com/đồng-nai  ", "https://example.com/%C4%91%E1%BB%93ng-nai"},
		{"https://[::1]:443/x", "https://[::1]/x"},
		{"https://example.com/a?q=%C4%90%E1%BB%93ng+Nai", "https://example.com/a?q=%C4%90%E1%BB%93ng+Nai"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Canonicalize(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Canonicalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	for _, bad := range []string{"", "ftp://x/y", "mailto:a@b", "https://", "javascript:alert(1)", "/relative/path", "http://%zz"} {
		if got, err := Canonicalize(bad); err == nil {
			t.Errorf("Canonicalize(%q) = %q, want an error", bad, got)
		}
	}
}

func TestIDIsStableAcrossTrackingVariants(t *testing.T) {
	_, a, err := IDFor("https://www.example.com/news/1?utm_campaign=x")
	if err != nil {
		t.Fatal(err)
	}
	_, b, _ := IDFor("https://WWW.example.com:443/news/1#top")
	if a != b || len(a) != 64 {
		t.Errorf("ids differ or malformed: %s %s", a, b)
	}
}

func TestWireRoundTrip(t *testing.T) {
	in := &Article{
		ID: ID("https://example.com/x"), URL: "https://example.com/x?utm_source=a", CanonicalURL: "https://example.com/x",
		Source: "s", Sources: []string{"s", "t"}, Title: "Đồng Nai đón nhà đầu tư", Lang: "vi",
		Published: time.Date(2026, 11, 20, 1, 2, 3, 0, time.UTC), Collected: time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC),
		Classification: &Classification{About: true, Mentions: true, Topics: []string{"investment"}, Risk: 12,
			Reasons: []Reason{{Signal: "tone", Detail: "negative near mention", Weight: 10}}},
	}
	b, err := Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"v":1`) {
		t.Errorf("no version in %s", b)
	}
	out, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if out.Title != in.Title || !out.Published.Equal(in.Published) || out.Classification.Reasons[0].Detail != "negative near mention" || len(out.Sources) != 2 {
		t.Errorf("round trip lost data: %+v", out)
	}
	if out.Classification.RelevanceClass() != RelevanceAbout {
		t.Errorf("class %q", out.Classification.RelevanceClass())
	}
	if _, err := Unmarshal([]byte(`{"v":99,"id":"x"}`)); !errors.Is(err, ErrUnsupportedVersion) {
		t.Errorf("future version: %v", err)
	}
	if _, err := Unmarshal([]byte(`{"v":1}`)); err == nil {
		t.Error("missing id accepted")
	}
	if _, err := Unmarshal([]byte(`not json`)); err == nil {
		t.Error("garbage accepted")
	}
}

func FuzzCanonicalize(f *testing.F) {
	for _, s := range []string{"https://example.com/a?b=1&utm_x=2#f", "http://EXAMPLE.com:80", "https://[::1]:8443/x?a=%zz", "http://a.b/c?d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := Canonicalize(raw)
		if err != nil {
			return
		}
		c2, err := Canonicalize(c)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", c, raw, err)
		}
		if c2 != c {
			t.Fatalf("not idempotent: %q → %q → %q", raw, c, c2)
		}
		if strings.Contains(c, "#") || strings.Contains(strings.ToLower(c), "utm_") && strings.Contains(c, "?utm_") {
			t.Fatalf("fragment or tracking left in %q", c)
		}
	})
}

func BenchmarkUnmarshal(b *testing.B) {
	a := &Article{ID: ID("https://example.com/x"), URL: "https://example.com/x", Title: "Đồng Nai", Text: strings.Repeat("Đồng Nai đón nhà đầu tư nước ngoài. ", 60)}
	data, err := Marshal(a)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Unmarshal(data); err != nil {
			b.Fatal(err)
		}
	}
}

func TestMarshalWithin(t *testing.T) {
	small := &Article{ID: "s", Title: "Đồng Nai", Text: "ngắn"}
	if data, err := MarshalWithin(small, 1000); err != nil || small.HasFlag(FlagTextCut) || len(data) > 1000 {
		t.Errorf("a small article: %d bytes, %v, flags %v", len(data), err, small.Flags)
	}
	for _, text := range []string{strings.Repeat("Biên Hòa ", 50000), strings.Repeat("<&>", 100000), strings.Repeat("đ", 200000)} {
		a := &Article{ID: "x", Title: "Đồng Nai", Summary: strings.Repeat("tóm tắt ", 1000), Text: text}
		data, err := MarshalWithin(a, 64<<10)
		if err != nil || len(data) > 64<<10 || !a.HasFlag(FlagTextCut) || !strings.HasPrefix(text, a.Text) || !utf8.ValidString(a.Text) || len(a.Text) < 8<<10 {
			t.Errorf("%.10q…: %d bytes, %v, %d bytes of text kept", text, len(data), err, len(a.Text))
		}
		back, err := Unmarshal(data)
		if err != nil || back.Text != a.Text {
			t.Errorf("round trip: %v", err)
		}
	}
	// The summary goes too when the text alone cannot make room.
	a := &Article{ID: "y", Title: "Đồng Nai", Summary: strings.Repeat("x", 100000), Text: strings.Repeat("y", 1000)}
	if data, err := MarshalWithin(a, 20000); err != nil || len(data) > 20000 || a.Text != "" {
		t.Errorf("summary: %d bytes, %v, text %d bytes", len(data), err, len(a.Text))
	}
}

func TestWithoutTracking(t *testing.T) {
	for in, want := range map[string]string{
		"https://x.example/a.html?utm_source=atom&utm_medium=referral&utm_campaign=presssim": "https://x.example/a.html",
		"https://x.example/a?id=5&fbclid=abc&b=2#top":                                        "https://x.example/a?id=5&b=2#top",
		"https://x.example/a?z=1&a=2":                                                        "https://x.example/a?z=1&a=2",
		"https://x.example/a":                                                                "https://x.example/a",
		"not a url %zz?utm_source=x":                                                         "not a url %zz?utm_source=x",
	} {
		if got := WithoutTracking(in); got != want {
			t.Errorf("WithoutTracking(%q) = %q, want %q", in, got, want)
		}
	}
}
