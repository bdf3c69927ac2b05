package pwstrength

import (
	"strings"
	"testing"
)

// BenchmarkGuesses measures a typical passphrase and the worst case the
// web policy lets through: 64 characters, every one a l33t look-alike, so
// every reading of them is tried.
func BenchmarkGuesses(b *testing.B) {
	lists() // decompressed once per process, not per estimate
	for _, bc := range []struct{ name, pw string }{
		{"phrase", "mây trắng bay qua núi Chứa Chan"},
		{"l33t64", strings.Repeat("4@8({[<3691!|0$5+7%2", 4)[:64]},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				Guesses(bc.pw, []string{"presswatch", "dongnai"})
			}
		})
	}
}
