package langdetect

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/dongnai/presswatch/internal/testenv"
)

func TestDetect(t *testing.T) {
	d := New(nil)
	tests := []struct{ name, text, hint, want string }{
		{"vi", "Tỉnh Đồng Nai đẩy nhanh tiến độ xây dựng sân bay Long Thành.", "", "vi"},
		{"vi-no-diacritics-hint", "Tinh Dong Nai day nhanh tien do", "vi", "vi"},
		{"en", "The province of Dong Nai is speeding up construction of the airport, officials said on Monday.", "", "en"},
		{"en-hint-wrong-for-vi", "Tỉnh Đồng Nai đẩy nhanh tiến độ xây dựng sân bay Long Thành và các khu công nghiệp.", "en", "vi"},
		{"fr", "La province de Dong Nai accélère la construction de l'aéroport international de Long Thanh.", "", "fr"},
		{"de", "Die Provinz Dong Nai beschleunigt den Bau des internationalen Flughafens, teilten die Behörden mit.", "", "de"},
		{"ja", "ドンナイ省のロンタイン国際空港の建設が進んでいる。", "", "ja"},
		{"zh", "同奈省隆城国际机场建设加快推进。", "", "zh"},
		{"zh-hint-ja", "同奈省隆城国际机场", "ja", "ja"},
		{"ko", "동나이성 롱탄 국제공항 건설이 속도를 내고 있다.", "", "ko"},
		{"hi", "डोंग नाई प्रांत में नया हवाई अड्डा बन रहा है।", "", "hi"},
		{"bn", "ডং নাই প্রদেশে নতুন বিমানবন্দর", "", "bn"},
		{"ru", "Провинция Донгнай ускоряет строительство аэропорта Лонгтхань.", "", "ru"},
		{"hint-en", "Dong Nai airport", "en-US", "en"},
		{"empty", "", "fr", "fr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := d.Detect(tt.text, tt.hint); got != tt.want {
				t.Errorf("Detect(%q, %q) = %q, want %q", tt.text, tt.hint, got, tt.want)
			}
		})
	}
}

// TestCorpus checks detection without hints on the labelled corpus.
func TestCorpus(t *testing.T) {
	dir := testenv.Testdata(t, "corpus")
	f, err := os.Open(filepath.Join(dir, "dev.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := New(nil)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	n, ok := 0, 0
	for sc.Scan() {
		var it struct{ ID, Lang, Title, Text string }
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			t.Fatal(err)
		}
		n++
		got := d.Detect(it.Title+"\n"+it.Text, "")
		if got == it.Lang {
			ok++
		} else {
			t.Logf("%s: got %s, labelled %s", it.ID, got, it.Lang)
		}
	}
	if n == 0 || float64(ok)/float64(n) < 0.95 {
		t.Errorf("corpus accuracy %d/%d below 0.95", ok, n)
	}
}

func BenchmarkDetect(b *testing.B) {
	d := New(nil)
	text := "The province of Dong Nai is speeding up construction of Long Thanh International Airport, officials said. "
	for len(text) < 5000 {
		text += text
	}
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		d.Detect(text, "")
	}
}

// BenchmarkNewMemory reports the heap a Detector's models take once loaded.
func BenchmarkNewMemory(b *testing.B) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	d := New(nil)
	d.Detect("The province of Dong Nai is speeding up construction and la province de Dong Nai", "")
	runtime.GC()
	runtime.ReadMemStats(&after)
	for b.Loop() {
		d.Detect("Die Provinz Dong Nai beschleunigt den Bau", "")
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB-heap")
}
