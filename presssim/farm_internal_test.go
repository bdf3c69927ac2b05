package presssim

import "testing"

// BenchmarkFarmRender measures generating one farm feed (no network).
func BenchmarkFarmRender(b *testing.B) {
	f := newFarm(10000)
	buf := make([]byte, 0, 48<<10)
	i := 0
	for b.Loop() {
		buf = f.feed(buf[:0], "http://127.0.0.1:8090", i%10000, 0)
		i++
	}
	b.SetBytes(int64(len(buf)))
}
