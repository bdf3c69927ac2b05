package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"
)

var updateClassify = flag.Bool("update-classify", false, "rewrite testdata/classify/out.golden")

// TestClassifyGolden runs `presswatch classify` over fixtures covering every
// script and trap, against a golden output.
func TestClassifyGolden(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "classify", "in.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	g := &globals{Stdin: bytes.NewReader(in), Stdout: &out, Stderr: &errb, ConfigPath: filepath.Join("..", "..", "configs", "dongnai.yaml")}
	if err := cmdClassify(context.Background(), g, nil); err != nil {
		t.Fatalf("classify: %v (%s)", err, errb.String())
	}
	golden := filepath.Join("testdata", "classify", "out.golden")
	if *updateClassify {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update-classify to create it)", err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		gl, wl := strings.Split(out.String(), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("line %d differs:\n got %s\nwant %s", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("output has %d lines, golden %d", len(gl), len(wl))
	}
	for _, field := range []string{`"id"`, `"about"`, `"mentions"`, `"relevance"`, `"topics"`, `"entities"`, `"tone"`, `"risk"`, `"needs_review"`, `"reasons"`, `"cluster"`} {
		if !strings.Contains(out.String(), field+":") {
			t.Errorf("output lacks field %s", field)
		}
	}
}

// TestClassifyHostileLines feeds a file of hostile lines: every line gets
// exactly one whole output line, fields that cannot be read are dropped with
// a warning naming the line, and the exit status counts the bad lines.
func TestClassifyHostileLines(t *testing.T) {
	huge := `{"id":"huge","title":"Đồng Nai","text":"` + strings.Repeat("Biên Hòa ", 200000) + `"}`
	lines := []struct {
		in      string
		problem bool   // the line has a problem
		want    string // in the output line
		warn    string // in stderr, after "line N: "
	}{
		{`{"id":"ok","title":"Đồng Nai thu hút vốn FDI","text":"Tỉnh Đồng Nai thu hút đầu tư.","lang":"vi"}`, false, `"id":"ok","about":true`, ""},
		{`{not json`, true, `"error":"not a JSON object`, "not a JSON object"},
		{``, true, `"error":"empty line"`, "empty line"},
		{`{"id":"date","title":"Đồng Nai","text":"Đồng Nai news","published":"yesterday afternoon"}`, true, `"id":"date","about":true`, `field "published" dropped`},
		{`{"id":"types","title":42,"text":"Biên Hòa, Đồng Nai: tin tức","lang":["vi"]}`, true, `"id":"types"`, `field "lang" dropped`},
		{`{"title":"no id, no url","text":"Đồng Nai"}`, true, `"id":"line-6"`, "no id or usable url"},
		{`{"id":"lang","title":"Đồng Nai","text":"x","lang":"vietnamese"}`, true, `"id":"lang"`, `field "lang" dropped`},
		{`{"id":"zz","title":"Đồng Nai","text":"x","lang":"zz","country":"QM"}`, true, `"id":"zz"`, `"zz" is not an ISO 639-1 code`},
		{"{\"id\":\"utf8\",\"title\":\"\xff\xfe Đồng Nai\",\"text\":\"\xc3\"}", false, `"id":"utf8"`, ""},
		{`[1,2,3]`, true, `"error":"not a JSON object`, "not a JSON object"},
		{`{"id":"nul","title":"Đồng\u0000Nai","text":"\u200bĐồng\u00adNai"}`, false, `"id":"nul"`, ""},
		// Read up to classifier.MaxTextBytes, with a warning.
		{huge, true, `"id":"huge","about":true`, "classified on the first 262144"},
		{`{"id":"hugetitle","title":"` + strings.Repeat("Biên Hòa ", 40000) + `","text":"x"}`, true, `"id":"hugetitle","about":true`, "title of 440000 bytes: classified on its first 262144, without the text"},
		{"\ufeff" + `{"id":"bom","title":"Đồng Nai","text":"Biên Hòa"}`, false, `"id":"bom","about":true`, ""},
		{`null`, true, `"error":"not a JSON object: null"`, "not a JSON object"},
		// A value nested past encoding/json's 10,000 levels costs its field,
		// not the line: the rest is classified.
		{`{"id":"deep","title":"Đồng Nai","x":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `,"text":"Biên Hòa","lang":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`,
			true, `"id":"deep","about":true`, `field "lang" dropped: not a string`},
		{`{"id":"fields","headline":"Đồng Nai","body":"Biên Hòa"}`, true, `"id":"fields","about":false`, `nothing to classify (fields not read: body, headline)`},
		{`{"id":"last","title":"Long Thành airport","text":"no newline at the end"}`, false, `"id":"last"`, ""},
	}
	var in strings.Builder
	for i, l := range lines {
		in.WriteString(l.in)
		if i < len(lines)-1 {
			in.WriteString("\n")
		}
	}
	var out, errb bytes.Buffer
	g := &globals{Stdin: strings.NewReader(in.String()), Stdout: &out, Stderr: &errb, ConfigPath: filepath.Join("..", "..", "configs", "dongnai.yaml")}
	err := cmdClassify(context.Background(), g, nil)
	var pe *classifyProblems
	if !errors.As(err, &pe) {
		t.Fatalf("error %v, want classifyProblems", err)
	}
	wantProblems := 0
	for _, l := range lines {
		if l.problem {
			wantProblems++
		}
	}
	if pe.lines != wantProblems || pe.total != len(lines) || pe.ExitCode() != 100+wantProblems {
		t.Errorf("problems %d of %d (exit %d), want %d of %d", pe.lines, pe.total, pe.ExitCode(), wantProblems, len(lines))
	}
	if !strings.HasSuffix(out.String(), "\n") {
		t.Error("output does not end with a whole line")
	}
	outLines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(outLines) != len(lines) {
		t.Fatalf("%d output lines for %d input lines", len(outLines), len(lines))
	}
	for i, l := range lines {
		var v map[string]any
		if err := json.Unmarshal([]byte(outLines[i]), &v); err != nil {
			t.Errorf("output line %d is not JSON: %v", i+1, err)
		}
		if !strings.Contains(outLines[i], l.want) {
			t.Errorf("output line %d = %.200s, want %s", i+1, outLines[i], l.want)
		}
		if l.warn != "" && !strings.Contains(errb.String(), fmt.Sprintf("line %d: ", i+1)) {
			t.Errorf("stderr does not name line %d:\n%s", i+1, errb.String())
		}
		if l.warn != "" && !strings.Contains(errb.String(), l.warn) {
			t.Errorf("stderr lacks %q", l.warn)
		}
	}
}

// TestClassifyUTF16: a file saved as UTF-16 with a byte-order mark is read
// as UTF-16, one output line per line.
func TestClassifyUTF16(t *testing.T) {
	in := "{\"id\":\"u1\",\"title\":\"Đồng Nai\",\"text\":\"x\"}\r\n{\"id\":\"u2\",\"title\":\"Biên Hòa\"}\r\n"
	enc, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(in)
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	g := &globals{Stdin: strings.NewReader(enc), Stdout: &out, Stderr: &errb, ConfigPath: filepath.Join("..", "..", "configs", "dongnai.yaml")}
	if err := cmdClassify(context.Background(), g, nil); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"id":"u1","about":true`) || !strings.Contains(lines[1], `"id":"u2","about":true`) {
		t.Errorf("output:\n%s", out.String())
	}
	if !strings.Contains(errb.String(), "UTF-16") {
		t.Errorf("stderr does not say the input was UTF-16: %q", errb.String())
	}
}

// TestReadLineBound: a line of exactly the bound is read, one byte more is
// not; the end of line does not count.
func TestReadLineBound(t *testing.T) {
	for _, tc := range []struct {
		line    string
		tooLong bool
	}{{"abcd\n", false}, {"abcd\r\n", false}, {"abcd", false}, {"abcde\n", true}} {
		data, tooLong, _ := readLine(bufio.NewReaderSize(strings.NewReader(tc.line), 16), 4)
		if tooLong != tc.tooLong || (!tooLong && string(data) != "abcd") {
			t.Errorf("%q: %q tooLong=%v", tc.line, data, tooLong)
		}
	}
}

// TestClassifyCROnly: a file whose lines end with a carriage return alone is
// read as its lines, numbered as they are, with one warning; a JSON value
// with a CR as white space inside it stays one line.
func TestClassifyCROnly(t *testing.T) {
	in := "{\"id\":\"c1\",\"title\":\"Đồng Nai\",\"text\":\"x\"}\r{\"id\":\"c2\",\"title\":\"Paris\",\"text\":\"y\"}\r{bad\r" +
		"{\"id\":\"c4\",\r\"title\":\"Biên Hòa\"}\n"
	var out, errb bytes.Buffer
	g := &globals{Stdin: strings.NewReader(in), Stdout: &out, Stderr: &errb, ConfigPath: filepath.Join("..", "..", "configs", "dongnai.yaml")}
	err := cmdClassify(context.Background(), g, nil)
	var p *classifyProblems
	// In a read that is split, a CR inside a value splits it too: the bad
	// line and the two halves of c4 are problems.
	if !errors.As(err, &p) || p.lines != 3 {
		t.Fatalf("err = %v, want problems on 3 lines\n%s", err, errb.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 5 || !strings.Contains(lines[0], `"id":"c1","about":true`) || !strings.Contains(lines[1], `"id":"c2","about":false`) ||
		!strings.Contains(lines[2], `"line":3`) {
		t.Errorf("output (%d lines):\n%s", len(lines), out.String())
	}
	if strings.Count(errb.String(), "carriage return alone") != 1 {
		t.Errorf("stderr should warn once about CR line ends: %q", errb.String())
	}
	out.Reset()
	errb.Reset()
	g.Stdin = strings.NewReader("{\"id\":\"c5\",\r\"title\":\"Biên Hòa\"}\n")
	if err := cmdClassify(context.Background(), g, nil); err != nil || !strings.Contains(out.String(), `"id":"c5","about":true`) {
		t.Errorf("a CR inside one JSON value: %v %q %q", err, out.String(), errb.String())
	}
}
