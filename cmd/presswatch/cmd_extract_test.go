package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/dongnai/presswatch/internal/testenv"
)

const extractTestPage = `<html lang="vi"><head><meta charset="utf-8">
<title>Đồng Nai mở rộng khu công nghiệp</title>
<link rel="canonical" href="/kinh-te/dong-nai-khu-cong-nghiep">
<meta property="article:published_time" content="2024-03-01T09:00:00+07:00">
<meta name="author" content="Trần Thị Bình"></head>
<body><nav><a href="/">Trang chủ</a> <a href="/the-gioi">Thế giới</a></nav>
<article><h1>Đồng Nai mở rộng khu công nghiệp</h1>
<p>Tỉnh Đồng Nai đã phê duyệt việc mở rộng ba khu công nghiệp ở huyện Nhơn Trạch, với tổng diện tích hơn một nghìn hécta, nhằm thu hút thêm các nhà đầu tư nước ngoài trong năm nay.</p>
<p>Theo kế hoạch, các khu công nghiệp mới sẽ ưu tiên ngành điện tử, cơ khí chính xác và năng lượng sạch, đồng thời dành quỹ đất cho nhà ở công nhân và trường học.</p>
<p>Các doanh nghiệp Hàn Quốc và Nhật Bản đã bày tỏ quan tâm, trong khi chính quyền địa phương cam kết rút ngắn thời gian cấp phép đầu tư xuống còn mười lăm ngày.</p>
</article><footer>Bản quyền thuộc về tòa soạn.</footer></body></html>`

func TestCmdExtract(t *testing.T) {
	// Vietnamese pages often carry decomposed (NFD) text; the output is NFC.
	page := norm.NFD.String(extractTestPage)
	path := filepath.Join(t.TempDir(), "page.html")
	if err := os.WriteFile(path, []byte(page), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
	}{
		{"file", []string{"--url", "https://baomoi.example/a?x=1", path}, ""},
		{"stdin", []string{"--url", "https://baomoi.example/a?x=1", "-"}, page},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			g := &globals{Stdin: strings.NewReader(tc.stdin), Stdout: &out, Stderr: &errb}
			if err := cmdExtract(context.Background(), g, tc.args); err != nil {
				t.Fatalf("extract: %v (%s)", err, errb.String())
			}
			var got extractOutput
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out.String())
			}
			want := extractOutput{
				URL:          "https://baomoi.example/a?x=1",
				CanonicalURL: "https://baomoi.example/kinh-te/dong-nai-khu-cong-nghiep",
				Title:        "Đồng Nai mở rộng khu công nghiệp",
				Author:       "Trần Thị Bình",
				Published:    "2024-03-01T09:00:00+07:00",
				Lang:         "vi",
			}
			got.Text, want.Text = "", ""
			if got != want {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
			var full extractOutput
			_ = json.Unmarshal(out.Bytes(), &full)
			if !strings.Contains(full.Text, "Tỉnh Đồng Nai đã phê duyệt") || strings.Contains(full.Text, "Trang chủ") {
				t.Errorf("text:\n%s", full.Text)
			}
		})
	}
}

func TestCmdExtractErrors(t *testing.T) {
	g := &globals{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
	for _, args := range [][]string{{}, {"a", "b"}, {"--nope", "x"}} {
		if err := cmdExtract(context.Background(), g, args); !errors.Is(err, errUsage) {
			t.Errorf("args %q: error %v, want usage error", args, err)
		}
	}
	if err := cmdExtract(context.Background(), g, []string{filepath.Join(t.TempDir(), "missing.html")}); err == nil {
		t.Error("missing file accepted")
	}
	if err := cmdExtract(context.Background(), g, []string{"-"}); err == nil {
		t.Error("empty page gave no error")
	}
}

func TestEvalExtraction(t *testing.T) {
	dir := testenv.Testdata(t, "extraction")
	var out, errb bytes.Buffer
	g := &globals{Stdout: &out, Stderr: &errb}
	if err := evalExtraction(context.Background(), g, []string{"--dir", dir, "--limit", "3"}); err != nil {
		t.Fatalf("eval: %v (%s)", err, errb.String())
	}
	for _, want := range []string{"Zyte article-extraction benchmark (3 pages;", "presswatch", "go-trafilatura+fallback",
		"go-readability", "3-fold cross-validation", "held-out, mean of 3 folds", "in-sample, extractor's thresholds",
		"trafilatura evaluation subset (3 pages", "Mozilla Readability.js test pages (3 cases", "htmldate MediaCloud 2020 (3 pages"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := evalExtraction(context.Background(), g, []string{"--dir", t.TempDir()}); err == nil {
		t.Error("empty folder accepted")
	}
	if err := evalExtraction(context.Background(), g, []string{"--dir", dir, "extra"}); !errors.Is(err, errUsage) {
		t.Errorf("extra argument: %v", err)
	}
}
