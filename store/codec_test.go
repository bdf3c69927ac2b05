package store

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		name, url, dataDir string
		kind, target       string
		wantErr            bool
	}{
		{"default", "", "/var/lib/presswatch", BackendSQLite, "/var/lib/presswatch/presswatch.db", false},
		{"default in cwd", "", "", BackendSQLite, "presswatch.db", false},
		{"sqlite scheme", "sqlite:/data/pw.db", "", BackendSQLite, "/data/pw.db", false},
		{"sqlite url", "sqlite:///data/pw.db", "", BackendSQLite, "/data/pw.db", false},
		{"plain path", "./pw.db", "/ignored", BackendSQLite, "./pw.db", false},
		{"postgres", "postgres://u:p@db:5432/pw", "", BackendPostgres, "postgres://u:p@db:5432/pw", false},
		{"postgresql", "postgresql://db/pw?sslmode=verify-full", "", BackendPostgres, "postgresql://db/pw?sslmode=verify-full", false},
		{"unknown scheme", "mysql://u:p@db/pw", "", "", "", true},
		{"empty sqlite", "sqlite:", "", "", "", true},
		{"memory", ":memory:", "", "", "", true},
		{"query", "sqlite:pw.db?mode=ro", "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, target, err := parseURL(Options{URL: tt.url, DataDir: tt.dataDir})
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				if strings.Contains(err.Error(), ":p@") {
					t.Errorf("error leaks credentials: %v", err)
				}
				return
			}
			if kind != tt.kind || target != tt.target {
				t.Errorf("parseURL = %q, %q; want %q, %q", kind, target, tt.kind, tt.target)
			}
		})
	}
}

// FuzzCleanText checks that whatever bytes come in, what is stored is valid
// UTF-8 in NFC without NUL, and that cleaning is idempotent.
func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"", "Đồng Nai", "Đo\u0302\u0300ng", "\xff\xfe", "a\x00b", "同奈", "e\u0301\x00\xc3",
		"동나이", "\u1103\u1169\u11BC", "\uAC00\u11A8", "ガ", "\u30AB\u3099", "Ư\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if isCleanFast(s) && !(utf8.ValidString(s) && !strings.ContainsRune(s, 0) && norm.NFC.IsNormalString(s)) {
			t.Fatalf("fast path accepted %q, which is not valid NFC without NUL", s)
		}
		c := cleanText(s)
		if !utf8.ValidString(c) || strings.ContainsRune(c, 0) || !norm.NFC.IsNormalString(c) {
			t.Fatalf("cleanText(%q) = %q: not valid NFC without NUL", s, c)
		}
		if cleanText(c) != c {
			t.Fatalf("cleanText is not idempotent on %q", s)
		}
		if utf8.ValidString(s) && !strings.ContainsRune(s, 0) && norm.NFC.IsNormalString(s) && c != s {
			t.Fatalf("cleanText changed clean text %q to %q", s, c)
		}
	})
}

// TestNFCInertRanges checks every rune of the fast path's ranges: in NFC on its
// own, combining class 0, and unable to combine with anything before it. (A rune that may combine with a
// following one is fine: that following rune is never inert.) Then
// no sequence of such runes can change under NFC.
func TestNFCInertRanges(t *testing.T) {
	prev := rune(-1)
	for _, rg := range nfcInert {
		if rg[0] <= prev || rg[1] < rg[0] {
			t.Fatalf("range %U–%U out of order", rg[0], rg[1])
		}
		prev = rg[1]
		for r := rg[0]; r <= rg[1]; r++ {
			s := string(r)
			p := norm.NFC.PropertiesString(s)
			if !norm.NFC.IsNormalString(s) || p.CCC() != 0 || !p.BoundaryBefore() {
				t.Errorf("%U is not NFC-inert (normal %v, ccc %d, boundary before %v)",
					r, norm.NFC.IsNormalString(s), p.CCC(), p.BoundaryBefore())
			}
		}
	}
	for _, r := range []rune{0x0300, 0x0301, 0x0340, 0x2000, 0x212B, 0x3099, 0x1161, 0x11A8, 0xF900} {
		if inertRune(r) {
			t.Errorf("%U must not be treated as inert", r)
		}
	}
}

func BenchmarkCleanText(b *testing.B) {
	text := strings.Repeat("Tỉnh Đồng Nai đẩy nhanh tiến độ sân bay quốc tế Long Thành. The province speeds up the airport. ", 30)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if cleanText(text) != text {
			b.Fatal("changed clean text")
		}
	}
}
