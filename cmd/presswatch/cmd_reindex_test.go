package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/index"
	"github.com/dongnai/presswatch/store"
)

func TestReindex(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	cfgPath := filepath.Join(t.TempDir(), "pw.yaml")
	if err := os.WriteFile(cfgPath, []byte("data_dir: "+dataDir+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, store.Options{DataDir: dataDir, AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	var arts []*article.Article
	for i, title := range []string{"Đồng Nai khởi công sân bay", "Flooding hits Dong Nai", "同奈省发生洪水"} {
		id := strings.Repeat(string(rune('a'+i)), 64)
		arts = append(arts, &article.Article{ID: id, URL: "https://example.test/" + id[:4], CanonicalURL: "https://example.test/" + id[:4],
			Source: "s", Lang: []string{"vi", "en", "zh"}[i], Title: title, Text: title, Published: now, Collected: now,
			Classification: &article.Classification{About: true, Mentions: true, Tone: "neutral", At: now}})
	}
	// A copy the crawler recorded before its original was classified: not
	// searchable until the classifier has it, so not reindexed.
	arts = append(arts, &article.Article{ID: strings.Repeat("z", 64), CanonicalURL: "https://example.test/copy",
		Source: "s2", Sources: []string{"s2"}, Collected: now})
	if err := st.UpsertArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	for run := 0; run < 2; run++ {
		var out, errOut bytes.Buffer
		g := &globals{Stdout: &out, Stderr: &errOut, ConfigPath: cfgPath}
		if err := cmdReindex(ctx, g, nil); err != nil {
			t.Fatalf("reindex: %v\n%s", err, errOut.String())
		}
		if !strings.Contains(out.String(), "reindexed 3 articles") || !strings.Contains(errOut.String(), "3/3 100.0%") {
			t.Errorf("run %d output:\n%s\nprogress:\n%s", run, out.String(), errOut.String())
		}
	}
	for _, leftover := range []string{"index.reindex", "index.old"} {
		if _, err := os.Stat(filepath.Join(dataDir, leftover)); err == nil {
			t.Errorf("%s left behind", leftover)
		}
	}
	ix, err := index.Open(ctx, index.Options{Dir: filepath.Join(dataDir, "index")})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	res, err := ix.Search(ctx, index.Request{Query: "dong nai"})
	if err != nil || res.Total != 2 {
		t.Fatalf("search after reindex: %v %v", res, err)
	}
	if err := cmdReindex(ctx, &globals{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, ConfigPath: cfgPath}, []string{"extra"}); err == nil {
		t.Error("reindex accepted a stray argument")
	}
	// While a web node or an indexer holds the index (here: ix, still
	// open), reindex refuses instead of swapping the folder under it.
	err = cmdReindex(ctx, &globals{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, ConfigPath: cfgPath}, nil)
	if !errors.Is(err, index.ErrInUse) {
		t.Errorf("reindex of an index in use: %v, want index.ErrInUse", err)
	}
	if _, serr := os.Stat(filepath.Join(dataDir, "index.old")); serr == nil {
		t.Error("the index in use was moved aside")
	}
}

func TestProgressBarLine(t *testing.T) {
	p := &progressBar{total: 200, start: time.Now().Add(-2 * time.Second), done: 50}
	if got := p.line(); !strings.HasPrefix(got, "[#######.......................] 50/200  25.0% ") || !strings.Contains(got, "ETA") {
		t.Errorf("line = %q", got)
	}
	p = &progressBar{start: time.Now(), done: 7}
	if got := p.line(); !strings.HasPrefix(got, "7 articles") {
		t.Errorf("line without total = %q", got)
	}
}
