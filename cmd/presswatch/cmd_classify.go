package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/classifier"
	"github.com/dongnai/presswatch/configs"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/language"
	"golang.org/x/text/transform"
)

// classifyInput is one line of `presswatch classify` input.
type classifyInput struct {
	ID        string `json:"id"`
	URL       string `json:"url"`
	Title     string `json:"title"`
	Text      string `json:"text"`
	Lang      string `json:"lang"`
	Published string `json:"published"`
	Outlet    string `json:"outlet"`
	Country   string `json:"country"`
}

// inputFields are the fields classifyInput reads.
var inputFields = map[string]struct{}{"id": {}, "url": {}, "title": {}, "text": {}, "lang": {}, "published": {}, "outlet": {}, "country": {}}

// classifyOutput is one line of `presswatch classify` output: exactly the
// fields the classifier issue names.
type classifyOutput struct {
	ID          string           `json:"id"`
	About       bool             `json:"about"`
	Mentions    bool             `json:"mentions"`
	Relevance   float64          `json:"relevance"`
	Topics      []string         `json:"topics"`
	Entities    []article.Entity `json:"entities"`
	Tone        string           `json:"tone"`
	Risk        int              `json:"risk"`
	NeedsReview bool             `json:"needs_review"`
	Reasons     []article.Reason `json:"reasons"`
	Cluster     string           `json:"cluster"`
}

// cmdClassify is `presswatch classify [--config FILE] < in.jsonl > out.jsonl`.
func cmdClassify(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("classify", flag.ContinueOnError)
	fs.SetOutput(g.Stderr)
	configPath := fs.String("config", g.ConfigPath, "configuration file")
	fs.Usage = func() {
		fmt.Fprintln(g.Stderr, "usage: presswatch classify [--config FILE] < in.jsonl > out.jsonl")
		fmt.Fprintln(g.Stderr, "each input line: {id, url, title, text, lang?, published?, outlet?, country?}")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	eng, err := newEngine(*configPath)
	if err != nil {
		return err
	}
	return classifyStream(ctx, eng, g.Stdin, g.Stdout, g.Stderr)
}

// newEngineOptions loads the configuration at path and returns the
// classifier options it sets.
func newEngineOptions(path string) (classifier.Options, error) {
	cfg, err := configs.Load(path)
	if err != nil {
		return classifier.Options{}, err
	}
	return classifierOptions(cfg, slog.New(slog.DiscardHandler), nil), nil
}

// newEngine loads the configuration at path and the classifier rules and
// model it names.
func newEngine(path string) (*classifier.Engine, error) {
	opts, err := newEngineOptions(path)
	if err != nil {
		return nil, err
	}
	eng, err := classifier.New(opts)
	if err != nil {
		return nil, err
	}
	return eng, nil
}

// maxClassifyLine bounds one input line (without its end of line); a longer
// line is reported and skipped, not read into memory. 16 MiB holds any
// article the classifier reads whole (classifier.MaxTextBytes, 256 KiB,
// even written as \u escapes) with room for the rest of the line.
const maxClassifyLine = 16 << 20

// classifyProblems is the error classify returns when some lines had
// problems; the exit status is 100 + the number of such lines (at most
// 100), so 101 means one line, 200 means a hundred or more.
type classifyProblems struct{ lines, total int }

func (e *classifyProblems) Error() string {
	return fmt.Sprintf("%d of %d input lines had problems (see the warnings above)", e.lines, e.total)
}

// ExitCode is the process exit status for this error.
func (e *classifyProblems) ExitCode() int { return 100 + min(e.lines, 100) }

// classifyError is the output line for an input line that could not be
// classified at all.
type classifyError struct {
	Line  int    `json:"line"`
	ID    string `json:"id,omitempty"`
	Error string `json:"error"`
}

// classifyStream classifies JSON Lines from r to w: every input line gets
// exactly one output line, in order — the classification, or an error
// object naming the line. A field that cannot be read (a free-text date, a
// number where text belongs) is dropped with a warning on stderr naming the
// line and the field, and the rest of the line is classified. Output lines
// are written whole. It returns *classifyProblems when any line had a
// problem, and an error only when reading or writing fails.
func classifyStream(ctx context.Context, eng *classifier.Engine, r io.Reader, w io.Writer, stderr io.Writer) error {
	br := bufio.NewReaderSize(r, 1<<20)
	if enc := utf16Input(br); enc != nil {
		// A file saved as UTF-16 (Windows tools do) is read as what it is.
		fmt.Fprintln(stderr, "input: UTF-16 with a byte-order mark, read as UTF-16")
		br = bufio.NewReaderSize(transform.NewReader(br, enc.NewDecoder()), 1<<20)
	}
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	line, problems := 0, 0
	warn := func(format string, args ...any) {
		fmt.Fprintf(stderr, "line %d: %s\n", line, fmt.Sprintf(format, args...))
	}
	emit := func(v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			b, _ = json.Marshal(classifyError{Line: line, Error: "encode output: " + err.Error()})
		}
		b = append(b, '\n')
		if _, err := bw.Write(b); err != nil {
			return fmt.Errorf("write line %d: %w", line, err)
		}
		return nil
	}
	// pending holds the lines still to classify of a read that held several
	// separated by a carriage return alone (classic Mac line ends); err is
	// the read's, returned with its last piece.
	var (
		pending  [][]byte
		pendErr  error
		crWarned bool
	)
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("classify: stopped after line %d: %w", line, err)
		}
		var (
			data    []byte
			tooLong bool
			err     error
		)
		if len(pending) > 0 {
			data, pending = pending[0], pending[1:]
			if len(pending) == 0 {
				err = pendErr
			}
		} else {
			data, tooLong, err = readLine(br, maxClassifyLine)
			if err == io.EOF && len(data) == 0 && !tooLong {
				break
			}
			if err != nil && err != io.EOF {
				return fmt.Errorf("read line %d: %w", line+1, err)
			}
			if parts := crLines(data); parts != nil {
				if !crWarned {
					fmt.Fprintf(stderr, "line %d: lines end with a carriage return alone (CR, not LF or CRLF): read as separate lines\n", line+1)
					crWarned = true
				}
				data, pending, pendErr = parts[0], parts[1:], err
				err = nil
			}
		}
		line++
		c, id, lineErr, fieldWarnings := classifyLine(ctx, eng, data, tooLong, line)
		for _, fw := range fieldWarnings {
			warn("%s", fw)
		}
		if len(fieldWarnings) > 0 || lineErr != "" {
			problems++
		}
		var werr error
		if lineErr != "" {
			warn("%s", lineErr)
			werr = emit(classifyError{Line: line, ID: id, Error: lineErr})
		} else {
			werr = emit(c)
		}
		if werr != nil {
			return werr
		}
		if err == io.EOF {
			break
		}
		if br.Buffered() == 0 {
			// The next read may wait for input: what is classified is
			// written first, so a line piped in gets its answer at once.
			if err := bw.Flush(); err != nil {
				return fmt.Errorf("write line %d: %w", line, err)
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if problems > 0 {
		return &classifyProblems{lines: problems, total: line}
	}
	return nil
}

// utf16Input returns the UTF-16 encoding the input's byte-order mark names,
// or nil when it has none.
func utf16Input(br *bufio.Reader) encoding.Encoding {
	switch b, _ := br.Peek(2); {
	case len(b) == 2 && b[0] == 0xFF && b[1] == 0xFE:
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
	case len(b) == 2 && b[0] == 0xFE && b[1] == 0xFF:
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
	}
	return nil
}

// readLine reads one line without its end of line ("\n" or "\r\n") and
// without a UTF-8 byte-order mark at its start (editors put one at the
// start of a file). A line longer than max bytes is consumed and reported
// with tooLong.
func readLine(br *bufio.Reader, max int) (data []byte, tooLong bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			data = append(data, chunk...)
			if n := len(bytes.TrimRight(data, "\r\n")); n > max {
				tooLong, data = true, nil
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if n := len(data); n > 0 && data[n-1] == '\n' {
			data = data[:n-1]
			if n := len(data); n > 0 && data[n-1] == '\r' {
				data = data[:n-1]
			}
		}
		return bytes.TrimPrefix(data, utf8BOM), tooLong, err
	}
}

var utf8BOM = []byte("\xEF\xBB\xBF")

// crLines splits a read that is several lines ended by a carriage return
// alone (files from old Mac tools) into those lines, or returns nil. JSON
// allows a CR only as white space between tokens, so a read that is one
// valid JSON value is never split.
func crLines(data []byte) [][]byte {
	if bytes.IndexByte(data, '\r') < 0 || json.Valid(data) {
		return nil
	}
	parts := bytes.Split(bytes.TrimSuffix(data, []byte("\r")), []byte("\r"))
	if len(parts) < 2 {
		return nil
	}
	return parts
}

// classifyLine classifies one input line. lineErr is set when the line could
// not be classified; warnings name fields that were dropped.
func classifyLine(ctx context.Context, eng *classifier.Engine, data []byte, tooLong bool, line int) (out *classifyOutput, id, lineErr string, warnings []string) {
	defer func() {
		if p := recover(); p != nil {
			out, lineErr = nil, fmt.Sprintf("classifier failed on this line: %v", p)
		}
	}()
	if tooLong {
		return nil, "", fmt.Sprintf("line longer than %d bytes, skipped", maxClassifyLine), nil
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, "", "empty line", nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		// encoding/json refuses a document nested deeper than 10,000
		// levels as a whole; such a value in one field is that field's
		// problem, not the line's.
		var deep map[string]json.RawMessage
		var derr error
		if strings.Contains(err.Error(), "exceeded max depth") {
			deep, warnings, derr = shallowFields(data)
		}
		if deep == nil || derr != nil {
			return nil, "", "not a JSON object: " + err.Error(), nil
		}
		raw = deep
	}
	if raw == nil {
		return nil, "", "not a JSON object: null", nil
	}
	var in classifyInput
	str := func(name string, dst *string) {
		v, ok := raw[name]
		if !ok || string(v) == "null" {
			return
		}
		if err := json.Unmarshal(v, dst); err != nil {
			warnings = append(warnings, fmt.Sprintf("field %q dropped: not a string (%s)", name, oneLine(string(v), 40)))
		}
	}
	for name, dst := range map[string]*string{"id": &in.ID, "url": &in.URL, "title": &in.Title, "text": &in.Text, "lang": &in.Lang, "published": &in.Published, "outlet": &in.Outlet, "country": &in.Country} {
		str(name, dst)
	}
	sort.Strings(warnings)
	if strings.TrimSpace(in.Title) == "" && strings.TrimSpace(in.Text) == "" {
		// Classified all the same (as nothing): the warning tells a producer
		// whose field names are wrong why every line is "not about".
		var other []string
		for k := range raw {
			if _, known := inputFields[k]; !known {
				other = append(other, k)
			}
		}
		sort.Strings(other)
		msg := `no "title" or "text": nothing to classify`
		if len(other) > 0 {
			msg += fmt.Sprintf(" (fields not read: %s)", oneLine(strings.Join(other, ", "), 80))
		}
		warnings = append(warnings, msg)
	}
	if n := len(in.Title); n > classifier.MaxTextBytes {
		warnings = append(warnings, fmt.Sprintf("title of %d bytes: classified on its first %d, without the text", n, classifier.MaxTextBytes))
	} else if n := len(in.Text); n > classifier.MaxTextBytes {
		warnings = append(warnings, fmt.Sprintf("%d bytes of text: classified on the first %d", n, classifier.MaxTextBytes))
	}
	a, fieldWarnings := inputArticle(&in, line)
	warnings = append(warnings, fieldWarnings...)
	c, err := eng.Classify(ctx, a)
	if err != nil {
		return nil, a.ID, err.Error(), warnings
	}
	return &classifyOutput{
		ID: a.ID, About: c.About, Mentions: c.Mentions, Relevance: c.Relevance, Topics: c.Topics,
		Entities: c.Entities, Tone: c.Tone, Risk: c.Risk, NeedsReview: c.NeedsReview, Reasons: c.Reasons, Cluster: c.Cluster,
	}, a.ID, "", warnings
}

// inputArticle builds the article for one input line, dropping fields it
// cannot read with a warning each.
func inputArticle(in *classifyInput, line int) (*article.Article, []string) {
	var warnings []string
	pub, err := classifier.ParseLooseDate(in.Published)
	if err != nil {
		warnings = append(warnings, fmt.Sprintf("field \"published\" dropped: %v", err))
		pub = time.Time{}
	}
	lang := strings.ToLower(strings.TrimSpace(in.Lang))
	if lang != "" && !isLangCode(lang) {
		warnings = append(warnings, fmt.Sprintf("field \"lang\" dropped: %q is not an ISO 639-1 code", oneLine(in.Lang, 40)))
		lang = ""
	}
	country := classifier.CountryCode(in.Country)
	if country != "" && !isCountryCode(country) {
		country = ""
	}
	if in.Country != "" && country == "" {
		warnings = append(warnings, fmt.Sprintf("field \"country\" dropped: %q is not a known country", oneLine(in.Country, 40)))
	}
	a := &article.Article{
		ID: in.ID, URL: in.URL, Title: in.Title, Text: in.Text, Lang: lang,
		Published: pub, Outlet: in.Outlet, Country: country,
	}
	if a.ID == "" && in.URL != "" {
		canon, id, err := article.IDFor(in.URL)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("field \"url\" dropped: %v", err))
			a.URL = ""
		} else {
			a.ID, a.CanonicalURL = id, canon
		}
	}
	if a.ID == "" {
		a.ID = fmt.Sprintf("line-%d", line)
		warnings = append(warnings, fmt.Sprintf("no id or usable url: called it %q", a.ID))
	}
	return a, warnings
}

// isLangCode reports whether s is an ISO 639-1 code of a known language
// ("zz" is well-formed but no language).
func isLangCode(s string) bool {
	if len(s) != 2 || s[0] < 'a' || s[0] > 'z' || s[1] < 'a' || s[1] > 'z' {
		return false
	}
	_, err := language.ParseBase(s)
	return err == nil
}

// isCountryCode reports whether s is an ISO 3166-1 code of a country or
// one of the exceptional ones an outlet may give (EU, UN); the codes left
// for private use (AA, QM–QZ, XA–XZ, ZZ) are no country, Kosovo's XK
// aside.
func isCountryCode(s string) bool {
	r, err := language.ParseRegion(s)
	return err == nil && (!r.IsPrivateUse() || r.IsCountry())
}

// shallowFields reads a JSON object field by field with a token stream,
// which has no depth limit: each value of a known input field is kept
// (json.RawMessage, for the reading that follows), and one that is an
// object or array is dropped with a warning, however deep it goes; other
// fields are skipped.
func shallowFields(data []byte) (map[string]json.RawMessage, []string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, nil, fmt.Errorf("not an object")
	}
	out := map[string]json.RawMessage{}
	var warnings []string
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		key, _ := kt.(string)
		t, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		if d, ok := t.(json.Delim); ok {
			// Skip the whole nested value, counting its brackets.
			for depth := 1; depth > 0; {
				t, err := dec.Token()
				if err != nil {
					return nil, nil, err
				}
				switch t {
				case json.Delim('{'), json.Delim('['):
					depth++
				case json.Delim('}'), json.Delim(']'):
					depth--
				}
			}
			if _, known := inputFields[key]; known {
				warnings = append(warnings, fmt.Sprintf("field %q dropped: not a string (a nested %s)", key, d))
			}
			continue
		}
		if _, known := inputFields[key]; !known {
			continue
		}
		b, err := json.Marshal(t)
		if err != nil {
			return nil, nil, err
		}
		out[key] = b
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return nil, nil, fmt.Errorf("not an object")
	}
	return out, warnings, nil
}
