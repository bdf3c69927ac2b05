package digest

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// TestEmbeddedFonts checks that the embedded, compressed fonts decompress
// to the fonts fonts/README.md names.
func TestEmbeddedFonts(t *testing.T) {
	for _, f := range []struct {
		name string
		font func() []byte
		want string
	}{
		{"Droid Sans Fallback", cjkFont, "56d3edfb377a8bc3c4b77f4476405c770173c0e31221ad7c77d0a8e1f3039a3e"},
		{"Liberation Sans", latinRegular, "597589a852868f782c68e25112bab7785b34bc726f6160dca1519198c6e8c762"},
		{"Liberation Sans Bold", latinBold, "cf445da2ab82045d7c8a00a5d9c29a6e90b0579705e28b1f3e02d5b3a0a91ab8"},
		{"Liberation Sans Italic", latinItalic, "505289efd5caa319d7e178cbf395186798c7470fc39e47df1de5f6406a5bf5cb"},
	} {
		sum := sha256.Sum256(f.font())
		if got := hex.EncodeToString(sum[:]); got != f.want {
			t.Errorf("%s SHA-256 = %s, want %s", f.name, got, f.want)
		}
	}
}
