package main

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/dongnai/presswatch/internal/procstat"
	"github.com/jackc/pgx/v5"
)

// minifluxVersion is the pinned release measured side by side.
const minifluxVersion = "v2.3.5"

// minifluxBinary returns the cached miniflux binary, installing it with
// `go install` into the cache on first use. It is never part of the repository.
func minifluxBinary(ctx context.Context) (string, error) {
	if p := os.Getenv("PRESSWATCH_BENCH_MINIFLUX"); p != "" {
		return p, nil
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		cache = filepath.Join(home, ".cache")
	}
	dir := filepath.Join(cache, "presswatch-bench", "miniflux-"+minifluxVersion)
	bin := filepath.Join(dir, "miniflux.app")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "go", "install", "-ldflags=-s -w", "miniflux.app/v2@"+minifluxVersion)
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=-mod=mod")
	cmd.Dir = os.TempDir() // outside this module, so its go.mod is not touched
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install miniflux.app/v2@%s: %v: %s", minifluxVersion, err, tail(string(out), 1000))
	}
	return bin, nil
}

// mfDatabase is the database the benchmark creates (and drops) on the
// PRESSWATCH_TEST_POSTGRES server for Miniflux.
const mfDatabase = "pw_miniflux"

// minifluxSettings are the scheduler settings, chosen in Miniflux's favour:
// as many workers as presswatch's pollers, every due feed in one batch, no
// scheduler ticks of its own during a measurement (feeds are queued with
// PUT /v1/feeds/refresh), no error limit, private networks allowed (the farm
// is on 127.0.0.0/8, which Miniflux refuses by default).
func minifluxSettings(workers int) map[string]string {
	return map[string]string{
		"WORKER_POOL_SIZE":                   strconv.Itoa(workers),
		"BATCH_SIZE":                         "100000",
		"POLLING_FREQUENCY":                  "1440",
		"POLLING_PARSING_ERROR_LIMIT":        "0",
		"POLLING_LIMIT_PER_HOST":             "0",
		"FETCHER_ALLOW_PRIVATE_NETWORKS":     "1",
		"DATABASE_MAX_CONNS":                 "50",
		"DATABASE_MIN_CONNS":                 "5",
		"HTTP_CLIENT_TIMEOUT":                "30",
		"CLEANUP_FREQUENCY_HOURS":            "48",
		"LOG_LEVEL":                          "warning",
		"METRICS_COLLECTOR":                  "0",
		"SCHEDULER_ROUND_ROBIN_MIN_INTERVAL": "1440",
	}
}

type miniflux struct {
	p     *proc
	base  string
	dbURL string
	db    *pgx.Conn
}

const mfUser, mfPass = "bench", "bench-password-123"

// mfDBURL is PRESSWATCH_TEST_POSTGRES with the database replaced.
func mfDBURL(admin string) (string, error) {
	u, err := url.Parse(admin)
	if err != nil {
		return "", err
	}
	u.Path = "/" + mfDatabase
	return u.String(), nil
}

func recreateDB(ctx context.Context, admin string) error {
	c, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+mfDatabase+" WITH (FORCE)"); err != nil {
		return err
	}
	_, err = c.Exec(ctx, "CREATE DATABASE "+mfDatabase)
	return err
}

func dropDB(ctx context.Context, admin string) error {
	c, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, "DROP DATABASE IF EXISTS "+mfDatabase+" WITH (FORCE)")
	return err
}

func startMiniflux(ctx context.Context, bin, dbURL, dir string, workers int) (*miniflux, error) {
	port, err := procstat.FreePort()
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(),
		"DATABASE_URL="+dbURL, "RUN_MIGRATIONS=1", "CREATE_ADMIN=1",
		"ADMIN_USERNAME="+mfUser, "ADMIN_PASSWORD="+mfPass,
		"LISTEN_ADDR=127.0.0.1:"+strconv.Itoa(port))
	for k, v := range minifluxSettings(workers) {
		env = append(env, k+"="+v)
	}
	p, err := startProc("miniflux", env, dir, filepath.Join(dir, "miniflux.log"), nil, bin)
	if err != nil {
		return nil, err
	}
	m := &miniflux{p: p, base: "http://127.0.0.1:" + strconv.Itoa(port), dbURL: dbURL}
	if err := waitHTTP(ctx, p, m.base+"/healthcheck", 120*time.Second); err != nil {
		_ = p.stop(10 * time.Second)
		return nil, err
	}
	if m.db, err = pgx.Connect(ctx, dbURL); err != nil {
		_ = p.stop(10 * time.Second)
		return nil, err
	}
	return m, nil
}

func (m *miniflux) stop(ctx context.Context) error {
	if m.db != nil {
		m.db.Close(ctx)
	}
	return m.p.stop(30 * time.Second)
}

func (m *miniflux) api(ctx context.Context, method, path, ctype string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, m.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(mfUser, mfPass)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return b, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, tail(string(b), 300))
	}
	return b, nil
}

// addFeeds subscribes the n farm feeds through the API: OPML imports of
// 1,000 feeds each (POST /v1/import), which create the feeds without
// fetching them, so that the first fetch is measured as a scheduler run
// like the 304 path.
func (m *miniflux) addFeeds(ctx context.Context, port, n int) error {
	const per = 1000
	for lo := 0; lo < n; lo += per {
		var b bytes.Buffer
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><head><title>farm</title></head><body><outline text="Farm">`)
		for i := lo; i < min(lo+per, n); i++ {
			u := html.EscapeString(farmFeedURL(port, i))
			fmt.Fprintf(&b, `<outline type="rss" text="Farm %d" title="Farm %d" xmlUrl="%s" htmlUrl="%s"/>`, i, i, u, u)
		}
		b.WriteString(`</outline></body></opml>`)
		if _, err := m.api(ctx, http.MethodPost, "/v1/import", "application/xml", b.Bytes()); err != nil {
			return err
		}
	}
	var got int
	if err := m.db.QueryRow(ctx, "SELECT count(*) FROM feeds").Scan(&got); err != nil {
		return err
	}
	if got != n {
		return fmt.Errorf("miniflux has %d feeds after importing %d", got, n)
	}
	return nil
}

// mfResult is one timed refresh of every feed.
type mfResult struct {
	feeds    int
	elapsed  time.Duration
	cpu      time.Duration
	entries  int
	errors   int
	complete bool
}

// refreshAll makes every feed due, queues them all (PUT /v1/feeds/refresh)
// and waits until every feed's checked_at has moved past the start, or limit.
func (m *miniflux) refreshAll(ctx context.Context, n int, limit time.Duration) (mfResult, error) {
	if _, err := m.db.Exec(ctx, "UPDATE feeds SET next_check_at = now() - interval '1 hour'"); err != nil {
		return mfResult{}, err
	}
	cpu0 := m.p.cpu()
	t0 := time.Now()
	if _, err := m.api(ctx, http.MethodPut, "/v1/feeds/refresh", "", nil); err != nil {
		return mfResult{}, err
	}
	var r mfResult
	deadline := t0.Add(limit)
	for {
		var checked int
		if err := m.db.QueryRow(ctx, "SELECT count(*) FROM feeds WHERE checked_at >= $1", t0).Scan(&checked); err != nil {
			return r, err
		}
		r.feeds, r.elapsed, r.cpu = checked, time.Since(t0), m.p.cpu()-cpu0
		if checked >= n {
			r.complete = true
			break
		}
		if time.Now().After(deadline) || !m.p.alive() {
			break
		}
		select {
		case <-ctx.Done():
			return r, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	if err := m.db.QueryRow(ctx, "SELECT count(*) FROM entries").Scan(&r.entries); err != nil {
		return r, err
	}
	if err := m.db.QueryRow(ctx, "SELECT count(*) FROM feeds WHERE parsing_error_count > 0").Scan(&r.errors); err != nil {
		return r, err
	}
	return r, nil
}
