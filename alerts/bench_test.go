package alerts

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/crawler"
	"github.com/dongnai/presswatch/crawler/fetch"
	"github.com/dongnai/presswatch/store"
)

// BenchmarkAlertLatency measures the time from an item appearing on presssim
// to its alert email being accepted by the local SMTP server, through the real
// crawler (1 s poll interval), bus, classifier, alerts stage (group_wait 0) and
// sender. It reports p50 and p99 in seconds.
func BenchmarkAlertLatency(b *testing.B) {
	root := testRoutes(0)
	root.GroupBy = []string{"article"} // every item its own email, whatever the story clustering says
	p := newPipeline(b, root)
	s := p.sender(SenderOptions{PollInterval: time.Second})
	p.stage.opts.Notified = s.Wake
	runSender(b, s)

	var mu sync.Mutex
	arrived := map[string]time.Time{}
	p.onMsgMu.Lock()
	p.onMsg = func(m MailboxMessage) {
		mu.Lock()
		arrived[m.Subject] = time.Now()
		mu.Unlock()
	}
	p.onMsgMu.Unlock()

	src := p.sim.Sources()[0]
	u, _ := url.Parse(p.sim.URL())
	srcs := []crawler.Source{{Name: src.Name, Kind: crawler.KindFeed, Outlet: src.Outlet, Country: src.Country, Lang: src.Lang,
		Tier: 2, URLs: []string{src.RSS}, IntervalMin: time.Second, IntervalMax: time.Second}}
	cr, err := crawler.New(crawler.Options{Sources: srcs, Publisher: p.bus, Store: p.st,
		HTTP: fetch.Options{AllowHosts: []string{u.Hostname()}, PerHost: fetch.HostLimit{Rate: -1, Concurrency: 8}}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = cr.Run(ctx) }()
	b.Cleanup(func() { cancel(); <-done })

	base := corpusItem(b, "en-dioxin-done-false")
	var lat []time.Duration
	b.ResetTimer()
	for i := range b.N {
		it := base
		it.ID = fmt.Sprintf("%s-bench-%d-%d", base.ID, time.Now().UnixNano(), i)
		it.Title = fmt.Sprintf("%s (%d)", base.Title, i)
		it.Published = time.Time{}
		// Enough text of its own that the crawler does not take it for a
		// syndicated copy of the previous one.
		it.Body = append(slices.Clone(base.Body), noise(i))
		start := time.Now()
		if _, err := p.sim.Publish(src.Name, it); err != nil {
			b.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		var at time.Time
		for at.IsZero() && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
			mu.Lock()
			for subj, t := range arrived {
				if strings.Contains(subj, it.Title) {
					at = t
				}
			}
			mu.Unlock()
		}
		if at.IsZero() {
			b.Fatalf("item %d: no email within 60s", i)
		}
		lat = append(lat, at.Sub(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(lat[len(lat)/2].Seconds(), "p50_s")
	b.ReportMetric(lat[(len(lat)*99)/100].Seconds(), "p99_s")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkAlertThroughput measures emails delivered per minute by one sender
// to the local SMTP sink, each alert a separate email, and checks that the
// critical ones arrived before the others.
func BenchmarkAlertThroughput(b *testing.B) {
	r := newRig(b, Route{Receiver: "police", GroupWait: dur(0), GroupBy: []string{"article"}, Severity: SeverityImmediate}, nil, time.Now)
	n := max(b.N, 50)
	var arts []*article.Article
	for i := range n {
		risk := 50
		if i%5 == 0 {
			risk = 90 // one in five is critical
		}
		arts = append(arts, classified(b, r.st, i, fmt.Sprintf("Outlet %03d", i), fmt.Sprintf("c-%d", i), risk))
	}
	if err := r.stage.Process(context.Background(), arts); err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	var order []bool // critical?
	r.onMsgMu.Lock()
	r.onMsg = func(m MailboxMessage) {
		mu.Lock()
		order = append(order, strings.Contains(m.Subject, "KHẨN"))
		mu.Unlock()
	}
	r.onMsgMu.Unlock()
	s := r.sender(SenderOptions{BatchSize: 100})
	b.ResetTimer()
	start := time.Now()
	for {
		k, err := s.SendDue(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if k == 0 {
			break
		}
	}
	el := time.Since(start)
	b.StopTimer()
	c, _ := r.st.CountDeliveries(context.Background())
	if c[store.DeliverySent] != int64(n) {
		b.Fatalf("sent %d of %d", c[store.DeliverySent], n)
	}
	// Severity order: no critical email after a non-critical one.
	seenNormal := false
	for i, crit := range order {
		if crit && seenNormal {
			b.Fatalf("critical email %d arrived after a non-critical one", i)
		}
		seenNormal = seenNormal || !crit
	}
	b.ReportMetric(float64(n)/el.Minutes(), "emails/min")
}

var noiseWords = strings.Fields("river harbour council market festival bridge school farm rain museum garden train " +
	"village coffee rubber pepper cashew orchard temple ferry clinic library stadium bakery")

// noise returns a paragraph of words that differs from one i to the next.
func noise(i int) string {
	var w []string
	x := uint32(i*2654435761 + 12345)
	for range 120 {
		x = x*1664525 + 1013904223
		w = append(w, noiseWords[int(x>>16)%len(noiseWords)])
	}
	return strings.Join(w, " ") + "."
}
