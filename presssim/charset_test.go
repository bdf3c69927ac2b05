package presssim_test

import (
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/dongnai/presswatch/presssim"
)

func TestEncodeLegacy(t *testing.T) {
	tests := []struct {
		charset, text string
		wantBytes     int // length of the encoded text, -1 to skip
	}{
		// "ồ" is o + circumflex (ô, one byte) + grave (one byte): decomposed tones.
		{"windows-1258", "Đồng Nai", 9}, // Đ ô ` n g space N a i
		{"windows-1258", "Biên Hòa, Trị An, Cát Tiên, Nhơn Trạch, Long Thành", -1},
		{"Shift_JIS", "ドンナイ省のロンタイン国際空港", 30},
		{"EUC-KR", "베트남 동나이성", 15},
		{"GBK", "越南同奈省隆城国际机场", 22},
		{"windows-1252", "Dong Nai’s “new” airport — café", 31},
	}
	for _, tc := range tests {
		t.Run(tc.charset, func(t *testing.T) {
			b := presssim.EncodeLegacy([]byte(tc.text), tc.charset)
			if tc.wantBytes >= 0 && len(b) != tc.wantBytes {
				t.Errorf("%d bytes, want %d", len(b), tc.wantBytes)
			}
			dec, err := decoderFor(tc.charset).Bytes(b)
			if err != nil {
				t.Fatal(err)
			}
			if got := norm.NFC.String(string(dec)); got != tc.text {
				t.Errorf("round trip: %q, want %q", got, tc.text)
			}
		})
	}
	// What a charset cannot represent becomes '?', never an error.
	if got := string(presssim.EncodeLegacy([]byte("a越b"), "windows-1252")); got != "a?b" {
		t.Errorf("unencodable: %q", got)
	}
}
