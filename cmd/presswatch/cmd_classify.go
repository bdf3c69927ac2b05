package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/classifier"
	"github.com/dongnai/presswatch/configs"
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
	return classifyStream(ctx, eng, g.Stdin, g.Stdout)
}

// newEngine loads the configuration at path and the classifier rules it names.
func newEngine(path string) (*classifier.Engine, error) {
	cfg, err := configs.Load(path)
	if err != nil {
		return nil, err
	}
	eng, err := classifier.New(classifierOptions(cfg, slog.New(slog.DiscardHandler), nil))
	if err != nil {
		return nil, err
	}
	return eng, nil
}

// classifyStream classifies JSON Lines from r to w, one output line per
// input line, in order. A bad line stops with an error naming it.
func classifyStream(ctx context.Context, eng *classifier.Engine, r io.Reader, w io.Writer) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	line := 0
	for sc.Scan() {
		line++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var in classifyInput
		if err := json.Unmarshal(sc.Bytes(), &in); err != nil {
			return fmt.Errorf("read line %d: %w", line, err)
		}
		a, err := inputArticle(&in)
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		c, err := eng.Classify(ctx, a)
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		out := classifyOutput{
			ID: a.ID, About: c.About, Mentions: c.Mentions, Relevance: c.Relevance, Topics: c.Topics,
			Entities: c.Entities, Tone: c.Tone, Risk: c.Risk, NeedsReview: c.NeedsReview, Reasons: c.Reasons, Cluster: c.Cluster,
		}
		if err := enc.Encode(&out); err != nil {
			return fmt.Errorf("write line %d: %w", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read input: %w", err)
	}
	return bw.Flush()
}

func inputArticle(in *classifyInput) (*article.Article, error) {
	pub, err := classifier.ParseLooseDate(in.Published)
	if err != nil {
		return nil, fmt.Errorf("published: %w", err)
	}
	a := &article.Article{
		ID: in.ID, URL: in.URL, Title: in.Title, Text: in.Text, Lang: in.Lang,
		Published: pub, Outlet: in.Outlet, Country: strings.ToUpper(in.Country),
	}
	if a.ID == "" {
		if in.URL == "" {
			return nil, errors.New("neither id nor url given")
		}
		canon, id, err := article.IDFor(in.URL)
		if err != nil {
			return nil, fmt.Errorf("url %q: %w", in.URL, err)
		}
		a.ID, a.CanonicalURL = id, canon
	}
	return a, nil
}
