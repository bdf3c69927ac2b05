package crawler

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/crawler/fetch"
	"github.com/prometheus/client_golang/prometheus"
)

// The article queue is driven with explicit times (take(now)) and the real
// fetch client's rate limiter, which takes the time it is given: no test
// here waits for the clock.

var qEpoch = time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)

func turnClient(t *testing.T, lim fetch.HostLimit) *fetch.Client {
	t.Helper()
	c, err := fetch.New(fetch.Options{PerHost: lim, Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func pageJob(host string, n int) articleJob {
	u := fmt.Sprintf("http://%s/a/%d.html", host, n)
	return articleJob{art: &article.Article{ID: fmt.Sprintf("%s-%03d", host, n), URL: u}}
}

// takeAll takes every page the queue gives at now, ending each lease at once
// (the page fetched), and returns their IDs.
func takeAll(q *articleQueue, now time.Time) []string {
	var ids []string
	for {
		j, ok, _ := q.take(now)
		if !ok {
			return ids
		}
		ids = append(ids, j.art.ID)
		j.lease.end()
	}
}

func TestArticleQueueFairAcrossHosts(t *testing.T) {
	q := newArticleQueue(turnClient(t, fetch.HostLimit{Concurrency: 2, Rate: 1}), 64, 1024)
	q.now = func() time.Time { return qEpoch }
	// Feed order: all of a's pages, then b's, then c's (the old single queue
	// served them in that order, a's at 1 request/s).
	for _, h := range []string{"a.example", "b.example", "c.example"} {
		for n := range 5 {
			if !q.tryAdd(pageJob(h, n), false) {
				t.Fatal("queue refused a page under its bounds")
			}
		}
	}
	got := takeAll(q, qEpoch)
	if want := []string{"a.example-000", "b.example-000", "c.example-000"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("first round = %v, want %v (one page of every host, in arrival order)", got, want)
	}
	_, ok, wake := q.take(qEpoch.Add(999 * time.Millisecond))
	if ok || !wake.Equal(qEpoch.Add(time.Second)) {
		t.Fatalf("before the hosts' next turns: ok=%v wake=%v, want nothing until %v", ok, wake, qEpoch.Add(time.Second))
	}
	// Over the next seconds every host gets exactly its one request per
	// second, so all 15 pages are out after 4 more seconds.
	per := map[string]int{}
	for s := 1; s <= 4; s++ {
		for _, id := range takeAll(q, qEpoch.Add(time.Duration(s)*time.Second)) {
			per[id[:strings.Index(id, "-")]]++
		}
	}
	for _, h := range []string{"a.example", "b.example", "c.example"} {
		if per[h] != 4 {
			t.Errorf("%s: %d pages in seconds 1–4, want 4 (one per second)", h, per[h])
		}
	}
	if n := q.queued(); n != 0 {
		t.Errorf("%d pages left", n)
	}
}

// TestArticleQueuePoliteness steps a clock through 10 s in 50 ms steps over
// 40 hosts: no host is served more often than its rate, and every host is
// served about as often as its rate allows, whatever order the pages came in.
func TestArticleQueuePoliteness(t *testing.T) {
	q := newArticleQueue(turnClient(t, fetch.HostLimit{Concurrency: 2, Rate: 1}), 64, 4096)
	q.now = func() time.Time { return qEpoch }
	const hosts = 40
	for h := range hosts {
		for n := range 20 {
			q.tryAdd(pageJob(fmt.Sprintf("h%02d.example", h), n), false)
		}
	}
	last := map[string]time.Time{}
	count := map[string]int{}
	for step := 0; step <= 200; step++ {
		now := qEpoch.Add(time.Duration(step) * 50 * time.Millisecond)
		for _, id := range takeAll(q, now) {
			h := id[:strings.Index(id, "-")]
			if l, ok := last[h]; ok && now.Sub(l) < time.Second {
				t.Fatalf("%s served at %v and again %v later", h, l.Sub(qEpoch), now.Sub(l))
			}
			last[h] = now
			count[h]++
		}
	}
	for h := range hosts {
		name := fmt.Sprintf("h%02d.example", h)
		if count[name] < 10 {
			t.Errorf("%s served %d times in 10 s at 1/s, want 10 or 11", name, count[name])
		}
	}
}

func TestArticleQueueSlowHostDoesNotStarveOthers(t *testing.T) {
	q := newArticleQueue(turnClient(t, fetch.HostLimit{Concurrency: 2, Rate: -1}), 64, 1024)
	q.now = func() time.Time { return qEpoch }
	for n := range 10 {
		q.tryAdd(pageJob("slow.example", n), false)
	}
	for n := range 10 {
		q.tryAdd(pageJob("fast.example", n), false)
		q.tryAdd(pageJob("other.example", n), false)
	}
	// Two pages of the slow host are in progress and never end (their
	// leases are held): the host's slots are full.
	var held []*pageLease
	var served []string
	for range 22 {
		j, ok, _ := q.take(qEpoch)
		if !ok {
			t.Fatalf("queue stalled after %v", served)
		}
		served = append(served, j.art.ID)
		if strings.HasPrefix(j.art.ID, "slow") {
			held = append(held, j.lease)
			continue
		}
		j.lease.end()
	}
	if len(held) != 2 {
		t.Fatalf("slow host has %d pages in progress, want its concurrency 2: %v", len(held), served)
	}
	if _, ok, _ := q.take(qEpoch); ok {
		t.Fatal("a third page of the slow host was handed out while two are in progress")
	}
	held[0].end()
	j, ok, _ := q.take(qEpoch)
	if !ok || !strings.HasPrefix(j.art.ID, "slow") {
		t.Fatalf("after a slow page ended: %v %v, want the next slow page", j.art, ok)
	}
}

func TestArticleQueueBounds(t *testing.T) {
	q := newArticleQueue(turnClient(t, fetch.HostLimit{Concurrency: 1, Rate: -1}), 3, 5)
	q.now = func() time.Time { return qEpoch }
	for n := range 3 {
		if !q.tryAdd(pageJob("a.example", n), false) {
			t.Fatalf("page %d of a refused under the bounds", n)
		}
	}
	if q.tryAdd(pageJob("a.example", 3), false) {
		t.Fatal("a fourth new page of one host accepted; the per-host bound is 3")
	}
	for n := range 2 {
		if !q.tryAdd(pageJob("b.example", n), false) {
			t.Fatalf("page %d of b refused under the bounds", n)
		}
	}
	if q.tryAdd(pageJob("c.example", 0), false) {
		t.Fatal("a sixth new page accepted; the total bound is 5")
	}
	// Retries come from memory already: never refused, never counted.
	if !q.tryAdd(pageJob("a.example", 90), true) {
		t.Fatal("a retry was refused")
	}
	// A poller waiting for room gets in when a new page is taken out.
	added := make(chan bool)
	go func() { added <- q.add(context.Background(), nil, pageJob("c.example", 0), false) }()
	j, ok, _ := q.take(qEpoch)
	if !ok || j.art.ID != "a.example-000" {
		t.Fatalf("took %v, want a's first page", j.art)
	}
	if !<-added {
		t.Fatal("add gave up although room was made")
	}
	if n := q.queued(); n != 2+2+1+1 {
		t.Fatalf("%d pages queued, want 6 (a: 2 new + 1 retry, b: 2, c: 1)", n)
	}
	// New pages before retries within a host.
	j.lease.end()
	var order []string
	for _, id := range takeAll(q, qEpoch) {
		if strings.HasPrefix(id, "a.") {
			order = append(order, id)
		}
	}
	if want := "a.example-001 a.example-002 a.example-090"; strings.Join(order, " ") != want {
		t.Fatalf("a's pages in order %v, want %s (new before retries)", order, want)
	}
	// A poller waiting for room gives up when the crawler stops.
	for n := range 5 {
		q.tryAdd(pageJob("d.example", n), false)
	}
	stop := make(chan struct{})
	gaveUp := make(chan bool)
	go func() { gaveUp <- !q.add(context.Background(), stop, pageJob("d.example", 9), false) }()
	close(stop)
	if !<-gaveUp {
		t.Fatal("add did not give up on stop")
	}
}

func TestArticleQueueCloseDrains(t *testing.T) {
	q := newArticleQueue(turnClient(t, fetch.HostLimit{Concurrency: 2, Rate: 1}), 64, 1024)
	q.now = func() time.Time { return qEpoch }
	for _, h := range []string{"a.example", "b.example"} {
		for n := range 3 {
			q.tryAdd(pageJob(h, n), false)
		}
	}
	q.tryAdd(pageJob("a.example", 50), true)
	j, ok, _ := q.take(qEpoch) // in progress at the stop
	jb, okb, _ := q.take(qEpoch)
	if !ok || !okb {
		t.Fatal("nothing to take")
	}
	jb.lease.end()
	// A worker waiting for a host's next turn is woken by close.
	woke := make(chan bool)
	go func() {
		_, ok := q.next(context.Background())
		woke <- ok
	}()
	left := q.close()
	if <-woke {
		t.Fatal("next handed out a page after close")
	}
	if len(left) != 5 {
		t.Fatalf("close returned %d pages, want the 5 not taken", len(left))
	}
	seen := map[string]bool{j.art.ID: true, jb.art.ID: true}
	for _, l := range left {
		if seen[l.art.ID] {
			t.Fatalf("page %s returned twice", l.art.ID)
		}
		seen[l.art.ID] = true
	}
	if len(seen) != 7 {
		t.Fatalf("%d distinct pages accounted for, want 7", len(seen))
	}
	if q.tryAdd(pageJob("c.example", 0), true) || q.add(context.Background(), nil, pageJob("c.example", 1), false) {
		t.Fatal("a closed queue took a page")
	}
	j.lease.end() // the page in progress finishes after the stop
	if _, ok, _ := q.take(qEpoch.Add(time.Hour)); ok || q.queued() != 0 || len(q.hosts) != 0 {
		t.Fatalf("closed queue still holds pages or hosts: queued %d, hosts %d", q.queued(), len(q.hosts))
	}
}
