package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dongnai/presswatch/store"
)

// startupNotice prints what an operator must read after a start, last, so
// that it does not scroll away under the start-up logs: one banner when the
// crawler could reach no source at all (instead of leaving them to read one
// error per source), then the first-start admin password.
type startupNotice struct {
	st       store.Store
	out      io.Writer
	password string // what web.Bootstrap wrote; "" when no account was made
	crawling bool   // wait for the crawler's first round before printing
	uiURL    string // where the sources page is
	// wait bounds how long the crawler's first round is waited for; poll is
	// how often the sources' states are read meanwhile.
	wait, poll time.Duration
}

func (n *startupNotice) run(ctx context.Context) error {
	// The password as soon as the UI listens, and again after the offline
	// banner, so that it is the last thing on the screen: printed only
	// after the crawler's first round, it came 20 s and a hundred warnings
	// after "web listening", or at shutdown for an operator who stopped
	// early (an outside install).
	if n.password != "" {
		fmt.Fprint(n.out, n.password)
	}
	if n.crawling {
		if banner := n.offlineBanner(ctx); banner != "" {
			fmt.Fprint(n.out, banner)
			if n.password != "" {
				fmt.Fprint(n.out, n.password)
			}
		}
	}
	<-ctx.Done() // a component runs until told to stop
	return nil
}

// offlineBanner waits until every enabled source has been tried once (or
// wait has passed) and returns the banner when none could be reached.
func (n *startupNotice) offlineBanner(ctx context.Context) string {
	deadline := time.Now().Add(n.wait)
	t := time.NewTicker(n.poll)
	defer t.Stop()
	for {
		enabled, tried, reached, err := n.count(ctx)
		if err == nil && enabled > 0 && (tried == enabled || time.Now().After(deadline)) {
			if reached > 0 {
				return ""
			}
			return offlineText(enabled, tried, n.uiURL)
		}
		if time.Now().After(deadline) && err != nil {
			return ""
		}
		select {
		case <-ctx.Done():
			return ""
		case <-t.C:
		}
	}
}

func (n *startupNotice) count(ctx context.Context) (enabled, tried, reached int, err error) {
	srcs, err := n.st.ListSources(ctx)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("list sources: %w", err)
	}
	states, err := n.st.ListSourceStates(ctx)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("list source states: %w", err)
	}
	byName := make(map[string]store.SourceState, len(states))
	for _, s := range states {
		byName[s.Source] = s
	}
	for _, s := range srcs {
		if !s.Enabled {
			continue
		}
		enabled++
		st := byName[s.Name]
		if !st.LastAttempt.IsZero() {
			tried++
		}
		if !st.LastSuccess.IsZero() {
			reached++
		}
	}
	return enabled, tried, reached, nil
}

func offlineText(enabled, tried int, uiURL string) string {
	line := strings.Repeat("=", 72)
	return fmt.Sprintf(`
%s
  KHÔNG KẾT NỐI ĐƯỢC TỚI NGUỒN TIN NÀO (0/%d nguồn đã thử %d).
  No news source could be reached (0 of %d; %d tried).

  presswatch vẫn chạy: giao diện, tìm kiếm và cảnh báo dùng dữ liệu đã có,
  và mọi nguồn sẽ được thử lại tự động. Hãy kiểm tra kết nối Internet,
  proxy hoặc tường lửa của máy này.
  presswatch keeps running and retries every source; check this machine's
  Internet connection, proxy or firewall.
  Từng nguồn / each source: %s/sources
%s
`, line, enabled, tried, enabled, tried, strings.TrimRight(uiURL, "/"), line)
}
