package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/bus"
	"github.com/dongnai/presswatch/crawler"
	"github.com/dongnai/presswatch/internal/procstat"
)

// e2eResult is one classified end-to-end run.
type e2eResult struct {
	backend     string
	articles    int
	bytesMean   int
	langs       string
	published   time.Duration // loader: publish the backlog (PubAck each)
	elapsed     time.Duration // classifier exec → last article indexed
	sinceFirst  time.Duration // first article classified → last article indexed
	classified  uint64
	cpuClass    time.Duration
	cpuIndex    time.Duration
	cpuNATS     time.Duration
	cpuStart    time.Duration // classifier CPU before its first article
	hwmClass    int64
	hwmIndex    int64
	maxPendCls  uint64 // classifier consumer: most pending seen
	maxPendIdx  uint64 // indexer consumer: most pending seen
	halfPendCls uint64 // at the half-way sample
	halfPendIdx uint64
	err         string
}

type corpusRec struct {
	URL, Outlet, Lang, Title, Text string
}

// loadCorpus reads the dev corpus and the grown corpus (title, text, lang).
func loadCorpus() ([]corpusRec, error) {
	td := os.Getenv("PRESSWATCH_TESTDATA")
	if td == "" {
		return nil, fmt.Errorf("PRESSWATCH_TESTDATA is not set")
	}
	var recs []corpusRec
	for _, p := range []string{filepath.Join(td, "corpus", "dev.jsonl"), filepath.Join("classifier", "testdata", "corpus", "grown.jsonl")} {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			var r struct {
				URL    string `json:"url"`
				Outlet string `json:"outlet"`
				Lang   string `json:"lang"`
				Title  string `json:"title"`
				Text   string `json:"text"`
			}
			if json.Unmarshal(sc.Bytes(), &r) == nil && r.Text != "" && r.Lang != "" {
				recs = append(recs, corpusRec{r.URL, r.Outlet, r.Lang, r.Title, r.Text})
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("no corpus records")
	}
	return recs, nil
}

// buildArticles makes n articles of about 5 KB in the corpus's language mix:
// record k mod len(corpus), its text padded with paragraphs of other records
// in the same language (starting at a different one for each copy, so that
// copies differ), cut at a rune boundary near 5,000 bytes.
func buildArticles(recs []corpusRec, n int) ([]*article.Article, int, map[string]int) {
	byLang := map[string][]int{}
	for i, r := range recs {
		byLang[r.Lang] = append(byLang[r.Lang], i)
	}
	const size = 5000
	now := time.Now().UTC()
	arts := make([]*article.Article, 0, n)
	total := 0
	langs := map[string]int{}
	seen := map[string]bool{}
	for k := 0; k < n; k++ {
		r := recs[k%len(recs)]
		var b strings.Builder
		b.WriteString(r.Text)
		same := byLang[r.Lang]
		for j := 0; b.Len() < size && j < 4*len(same)+4; j++ {
			o := recs[same[(k/len(recs)+j)%len(same)]]
			b.WriteString("\n\n")
			b.WriteString(o.Text)
		}
		text := b.String()
		if len(text) > size {
			cut := size
			for cut > 0 && !utf8.RuneStart(text[cut]) {
				cut--
			}
			text = text[:cut]
		}
		u := r.URL
		if pu, err := url.Parse(u); err != nil || pu.Host == "" {
			u = "https://example.org/"
		}
		u = strings.TrimRight(u, "/") + fmt.Sprintf("/procbench-%d", k)
		canon, id, err := article.IDFor(u)
		if err != nil || seen[id] {
			// Two corpus URLs can share a canonical form; JetStream would
			// drop the second copy as a duplicate and the run never end.
			continue
		}
		seen[id] = true
		a := &article.Article{
			ID: id, URL: u, CanonicalURL: canon, Source: "bench-" + r.Lang, Outlet: r.Outlet,
			Lang: r.Lang, Title: r.Title, Text: text,
			Published: now.Add(-time.Duration(k%4320) * time.Minute), Collected: now,
			Fingerprint: crawler.SimHash(text),
		}
		arts = append(arts, a)
		total += len(text)
		langs[r.Lang]++
	}
	if len(arts) == 0 {
		return nil, 0, langs
	}
	return arts, total / len(arts), langs
}

func writeE2EConfig(dir, natsURL, storeURL string, webPort int, role string) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "data_dir: %q\nlog: {format: text, level: warn}\nweb: {listen: \"127.0.0.1:%d\"}\n", filepath.Join(dir, "data"), webPort)
	fmt.Fprintf(&b, "nats: {url: %q}\nstore: {url: %q}\nindex: {durable: %q}\nsources: []\n", natsURL, storeURL, "indexer-procbench")
	path := filepath.Join(dir, role+".yaml")
	return path, os.WriteFile(path, []byte(b.String()), 0o644)
}

// e2eBench publishes a backlog of 5 KB articles to PW_COLLECTED on a NATS
// server process over TCP, then starts `presswatch classifier` (classify →
// store → PW_CLASSIFIED) and `presswatch indexer` (PW_CLASSIFIED → Bleve) as
// two processes and waits until both consumers have nothing pending.
func e2eBench(ctx context.Context, bin, self, tmp string, k knobs, backend string) (r e2eResult) {
	r.backend = backend
	fail := func(err error) e2eResult { r.err = err.Error(); logf("e2e %s: %v", backend, err); return r }
	recs, err := loadCorpus()
	if err != nil {
		return fail(err)
	}
	arts, mean, langs := buildArticles(recs, k.e2eArticles)
	r.articles, r.bytesMean = len(arts), mean
	r.langs = langMix(langs, len(arts))

	dir := filepath.Join(tmp, "e2e-"+backend)
	_ = os.MkdirAll(dir, 0o755)
	np, natsURL, err := startNATS(ctx, self, filepath.Join(dir, "nats"))
	if err != nil {
		return fail(err)
	}
	defer np.stop(30 * time.Second)

	storeURL := ""
	if backend == "postgres" {
		storeURL, err = e2eDatabase(ctx, k.postgres)
		if err != nil {
			return fail(err)
		}
		defer func() {
			if err := dropE2EDatabase(context.WithoutCancel(ctx), k.postgres); err != nil {
				logf("drop e2e database: %v", err)
			}
		}()
	}

	b, err := bus.Open(ctx, bus.Options{URL: natsURL, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return fail(err)
	}
	defer b.Close()
	t0 := time.Now()
	for i := 0; i < len(arts); i += 256 {
		if err := b.PublishCollected(ctx, arts[i:min(i+256, len(arts))]); err != nil {
			return fail(err)
		}
	}
	r.published = time.Since(t0)
	logf("e2e %s: %d articles (%d B mean) published in %s", backend, len(arts), mean, r.published.Round(time.Millisecond))

	clsDir, idxDir := filepath.Join(dir, "classifier"), filepath.Join(dir, "indexer")
	_ = os.MkdirAll(clsDir, 0o755)
	_ = os.MkdirAll(idxDir, 0o755)
	cp, err := procstat.FreePort()
	if err != nil {
		return fail(err)
	}
	ip, err := procstat.FreePort()
	if err != nil {
		return fail(err)
	}
	clsCfg, err := writeE2EConfig(clsDir, natsURL, storeURL, cp, "classifier")
	if err != nil {
		return fail(err)
	}
	idxCfg, err := writeE2EConfig(idxDir, natsURL, storeURL, ip, "indexer")
	if err != nil {
		return fail(err)
	}
	env := append(os.Environ(), "PRESSWATCH_CONFIG=")
	if backend == "postgres" {
		if out, err := runOut(bin, env, clsDir, "-config", clsCfg, "migrate"); err != nil {
			return fail(fmt.Errorf("migrate: %v: %s", err, tail(out, 800)))
		}
	}
	idxEnv, clsEnv := env, env
	if pd := os.Getenv("PRESSWATCH_PROCBENCH_PROFILE"); pd != "" {
		// CPU profiles of the two role processes (cmd/presswatch/profile.go).
		idxEnv = append(append([]string(nil), env...), "PRESSWATCH_CPUPROFILE="+filepath.Join(pd, "indexer-"+backend+".pprof"))
		clsEnv = append(append([]string(nil), env...), "PRESSWATCH_CPUPROFILE="+filepath.Join(pd, "classifier-"+backend+".pprof"))
	}
	idx, err := startProc("presswatch indexer", idxEnv, idxDir, filepath.Join(idxDir, "indexer.log"), nil, bin, "-config", idxCfg, "indexer")
	if err != nil {
		return fail(err)
	}
	defer func() { r.hwmIndex = idx.status("VmHWM"); _ = idx.stop(60 * time.Second) }()
	if err := waitHTTP(ctx, idx, fmt.Sprintf("http://127.0.0.1:%d/healthz", ip), 120*time.Second); err != nil {
		return fail(err)
	}
	cls, err := startProc("presswatch classifier", clsEnv, clsDir, filepath.Join(clsDir, "classifier.log"), nil, bin, "-config", clsCfg, "classifier")
	if err != nil {
		return fail(err)
	}
	defer func() { r.hwmClass = cls.status("VmHWM"); _ = cls.stop(60 * time.Second) }()
	var clsCPU0, idxCPU0, natsCPU0 time.Duration

	n := uint64(len(arts))
	var firstAt time.Time
	deadline := time.Now().Add(15 * time.Minute)
	half := false
	for {
		if !cls.alive() {
			return fail(fmt.Errorf("classifier exited: %v: %s", cls.err, tail(cls.log.String(), 1500)))
		}
		if !idx.alive() {
			return fail(fmt.Errorf("indexer exited: %v: %s", idx.err, tail(idx.log.String(), 1500)))
		}
		pc, ac, errC := b.Lag(ctx, bus.StreamCollected, "classifier")
		pi, ai, errI := b.Lag(ctx, bus.StreamClassified, "indexer-procbench")
		classified, _ := b.StreamMsgs(ctx, bus.StreamClassified)
		if errC == nil {
			r.maxPendCls = max(r.maxPendCls, pc+uint64(ac))
		}
		if errI == nil {
			r.maxPendIdx = max(r.maxPendIdx, pi+uint64(ai))
		}
		if firstAt.IsZero() && classified > 0 {
			// CPU is counted from here: the classifier's start-up (rules,
			// model, language models) is not per-article work.
			firstAt = time.Now()
			clsCPU0, idxCPU0, natsCPU0 = cls.cpu(), idx.cpu(), np.cpu()
		}
		if !half && classified >= n/2 {
			half, r.halfPendCls, r.halfPendIdx = true, pc+uint64(ac), pi+uint64(ai)
		}
		r.classified = classified
		// The classifier acks a message after its classified copy's PubAck,
		// so with nothing pending on either consumer every article is
		// stored and indexed (PW_CLASSIFIED may hold more messages than
		// articles: a story's earlier articles can be republished).
		if errC == nil && errI == nil && classified > 0 && pc == 0 && ac == 0 && pi == 0 && ai == 0 {
			break
		}
		if time.Now().After(deadline) {
			r.elapsed = time.Since(cls.start)
			return fail(fmt.Errorf("%d of %d classified, indexer pending %d after %s", classified, n, pi+uint64(ai), time.Since(cls.start).Round(time.Second)))
		}
		select {
		case <-ctx.Done():
			return fail(ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
	r.elapsed = time.Since(cls.start)
	r.sinceFirst = time.Since(firstAt)
	r.cpuClass, r.cpuIndex, r.cpuNATS = cls.cpu()-clsCPU0, idx.cpu()-idxCPU0, np.cpu()-natsCPU0
	r.cpuStart = clsCPU0
	logf("e2e %s: %d classified and indexed in %s (%s since the first)", backend, n, r.elapsed.Round(time.Millisecond), r.sinceFirst.Round(time.Millisecond))
	return r
}

func langMix(m map[string]int, n int) string {
	type kv struct {
		k string
		v int
	}
	var l []kv
	for k, v := range m {
		l = append(l, kv{k, v})
	}
	for i := range l {
		for j := i + 1; j < len(l); j++ {
			if l[j].v > l[i].v || (l[j].v == l[i].v && l[j].k < l[i].k) {
				l[i], l[j] = l[j], l[i]
			}
		}
	}
	var parts []string
	for _, e := range l {
		parts = append(parts, fmt.Sprintf("%s %.0f%%", e.k, 100*float64(e.v)/float64(n)))
	}
	return strings.Join(parts, ", ")
}

const e2eDB = "pw_procbench_e2e"

func e2eDatabase(ctx context.Context, admin string) (string, error) {
	c, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", err
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+e2eDB+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := c.Exec(ctx, "CREATE DATABASE "+e2eDB); err != nil {
		return "", err
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", err
	}
	u.Path = "/" + e2eDB
	return u.String(), nil
}

func dropE2EDatabase(ctx context.Context, admin string) error {
	c, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, "DROP DATABASE IF EXISTS "+e2eDB+" WITH (FORCE)")
	return err
}
