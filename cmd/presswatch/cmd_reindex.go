package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/index"
	"github.com/dongnai/presswatch/store"
)

// cmdReindex is `presswatch reindex [-in-place]`: it rebuilds the Bleve index
// from the store (the system of record), showing a progress bar on a
// terminal. By default it builds a fresh index beside the live one and swaps
// the folders at the end, so articles deleted from the store disappear and a
// failed rebuild leaves the old index untouched; -in-place rewrites every
// article into the existing index instead. Either way no other presswatch
// process may have the index open (stop the web and indexer roles first).
func cmdReindex(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	fs.SetOutput(g.Stderr)
	inPlace := fs.Bool("in-place", false, "rewrite articles into the existing index instead of building a fresh one")
	configPath := fs.String("config", g.ConfigPath, "configuration file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: presswatch reindex [-in-place]", errUsage)
	}
	cfg, err := configs.Load(*configPath)
	if err != nil {
		return err
	}
	log := slog.New(slog.DiscardHandler)
	st, err := store.Open(ctx, storeOptions(cfg, log))
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer st.Close()
	total, err := st.CountClassified(ctx)
	if err != nil {
		return fmt.Errorf("count articles: %w", err)
	}
	dir := indexDirOf(cfg)
	if err := index.CheckNotInUse(dir); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	build := dir
	if !*inPlace {
		build = dir + ".reindex"
		if err := os.RemoveAll(build); err != nil {
			return fmt.Errorf("remove unfinished rebuild %q: %w", build, err)
		}
	}
	ix, err := index.Open(ctx, index.Options{Dir: build, Logger: log})
	if err != nil {
		return err
	}
	bar := newProgressBar(g.Stderr, total)
	start := time.Now()
	err = index.Rebuild(ctx, indexedArticles(st), ix, bar.update)
	bar.finish()
	if err != nil {
		_ = ix.Close()
		return err
	}
	n, err := ix.DocCount()
	if cerr := ix.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if !*inPlace {
		if err := swapDirs(build, dir); err != nil {
			return err
		}
	}
	el := time.Since(start)
	fmt.Fprintf(g.Stdout, "reindexed %d articles into %s in %s (%.0f articles/s)\n", n, dir, el.Round(time.Millisecond), float64(n)/max(el.Seconds(), 1e-9))
	return nil
}

// indexedArticles yields what a whole index holds: the classified
// articles. The indexer reads PW_CLASSIFIED, so an article the classifier
// has not seen yet is not searchable; the crawler stores a record for a
// copy found before its original is classified (crawler/integrity.go), and
// such records are left out until the classifier has them.
func indexedArticles(st store.Store) index.ArticleScanner {
	return index.ScanFunc(func(ctx context.Context, fn func(*article.Article) error) error {
		return st.ScanArticles(ctx, store.ArticleQuery{Classified: true}, fn)
	})
}

// healerOptions has the index healer compare the index with the classified
// articles and rebuild from them. Counting every stored article made it
// rebuild the whole index whenever the classifier stopped: the copies the
// crawler recorded meanwhile left the index behind the store "with no
// progress", and the rebuild then indexed them unclassified.
func healerOptions(st store.Store, log *slog.Logger) index.HealerOptions {
	return index.HealerOptions{Source: indexedArticles(st), Count: st.CountClassified, Logger: log}
}

// indexDirOf is the index folder of a configuration: index.dir, else
// data_dir/index.
func indexDirOf(cfg *configs.Loaded) string {
	if cfg.Index.Dir != "" {
		return cfg.Index.Dir
	}
	return filepath.Join(cfg.DataDir, "index")
}

// swapDirs replaces dir by fresh: dir is renamed aside, fresh renamed into
// place, and the old one removed.
func swapDirs(fresh, dir string) error {
	old := dir + ".old"
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("remove %q: %w", old, err)
	}
	if _, err := os.Stat(dir); err == nil {
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("move old index aside: %w", err)
		}
	}
	if err := os.Rename(fresh, dir); err != nil {
		return fmt.Errorf("move new index into place (the old one is in %q): %w", old, err)
	}
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("remove old index %q: %w", old, err)
	}
	return nil
}

// progressBar draws "[#####.....] done/total pct rate ETA" on a terminal,
// redrawing at most every 100ms; on anything else it prints a line every
// ten seconds.
type progressBar struct {
	w        io.Writer
	total    int64
	tty      bool
	start    time.Time
	last     time.Time
	done     int64
	finished bool
}

func newProgressBar(w io.Writer, total int64) *progressBar {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progressBar{w: w, total: total, tty: tty, start: time.Now()}
}

func (p *progressBar) update(done int64) {
	p.done = done
	every := 10 * time.Second
	if p.tty {
		every = 100 * time.Millisecond
	}
	if time.Since(p.last) < every {
		return
	}
	p.last = time.Now()
	p.draw()
}

func (p *progressBar) draw() {
	line := p.line()
	if p.tty {
		fmt.Fprintf(p.w, "\r%s\x1b[K", line)
		return
	}
	fmt.Fprintln(p.w, line)
}

func (p *progressBar) line() string {
	el := time.Since(p.start).Seconds()
	rate := float64(p.done) / max(el, 1e-9)
	if p.total <= 0 {
		return fmt.Sprintf("%d articles  %.0f/s", p.done, rate)
	}
	frac := min(float64(p.done)/float64(p.total), 1)
	const width = 30
	filled := int(frac * width)
	eta := "?"
	if rate > 0 && p.done < p.total {
		eta = (time.Duration(float64(p.total-p.done)/rate) * time.Second).Round(time.Second).String()
	} else if p.done >= p.total {
		eta = "0s"
	}
	return fmt.Sprintf("[%s%s] %d/%d %5.1f%% %.0f/s ETA %s",
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), p.done, p.total, frac*100, rate, eta)
}

func (p *progressBar) finish() {
	if p.finished {
		return
	}
	p.finished = true
	p.draw()
	if p.tty {
		fmt.Fprintln(p.w)
	}
}
