package alerts

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/bus"
	"github.com/dongnai/presswatch/classifier"
	"github.com/dongnai/presswatch/presssim"
	"github.com/dongnai/presswatch/store"
)

func corpusItem(t testing.TB, id string) presssim.Item {
	t.Helper()
	items, err := presssim.Corpus()
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.ID == id {
			return it
		}
	}
	t.Fatalf("corpus has no item %q", id)
	return presssim.Item{}
}

// pipeline runs presssim → bus (PW_COLLECTED) → classifier stage → bus
// (PW_CLASSIFIED) → alerts stage → outbox → sender → SMTP sink.
type pipeline struct {
	*rig
	sim *presssim.Server
	bus *bus.Bus
}

func newPipeline(t testing.TB, root Route) *pipeline {
	t.Helper()
	r := newRig(t, root, []InhibitRule{{Source: "story_spread", Target: "misinformation"}}, time.Now)
	b, err := bus.Open(context.Background(), bus.Options{DataDir: t.TempDir(), SyncInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	sim, err := presssim.New(presssim.Options{NoCorpus: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	if err := sim.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	eng, err := classifier.New(classifier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := classifier.NewStage(classifier.StageOptions{Bus: b, Store: r.st, Classifier: eng, Durable: "classifier"})
	if err != nil {
		t.Fatal(err)
	}
	r.stage.opts.Bus = b
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { _ = cs.Run(ctx); done <- struct{}{} }()
	go func() { _ = r.stage.Run(ctx); done <- struct{}{} }()
	t.Cleanup(func() { cancel(); <-done; <-done })
	return &pipeline{rig: r, sim: sim, bus: b}
}

// publish publishes an item on presssim and sends what a crawler would
// collect from it into PW_COLLECTED; it returns the article.
func (p *pipeline) publish(t testing.TB, source string, it presssim.Item) *article.Article {
	t.Helper()
	it.Published = time.Time{}
	pub, err := p.sim.Publish(source, it)
	if err != nil {
		t.Fatal(err)
	}
	it.Published = pub.At
	a, err := presssim.ToArticle(it, source, p.sim.URL())
	if err != nil {
		t.Fatal(err)
	}
	a.Collected = time.Now().UTC()
	if err := p.bus.PublishCollected(context.Background(), []*article.Article{a}); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestEndToEnd(t *testing.T) {
	p := newPipeline(t, testRoutes(0))
	s := p.sender(SenderOptions{})
	runSender(t, s)
	it := corpusItem(t, "en-dioxin-done-false")
	src := p.sim.Sources()[0].Name
	a := p.publish(t, src, it)

	waitFor(t, "two emails", 30*time.Second, func() bool { return len(p.mb.Messages()) >= 2 })
	time.Sleep(300 * time.Millisecond) // nothing more should come
	fa := messagesTo(p.mb, "ngoaivu@example.org")
	an := messagesTo(p.mb, "stttt@example.org")
	po := messagesTo(p.mb, "congan@example.org")
	if len(fa) != 1 || len(an) != 1 || len(po) != 0 || len(p.mb.Messages()) != 2 {
		t.Fatalf("emails: foreign_affairs %d, analysts %d, police %d, total %d; want 1, 1, 0, 2",
			len(fa), len(an), len(po), len(p.mb.Messages()))
	}
	m := fa[0]
	raw := decodedBody(t, m.Raw)
	for _, want := range []string{
		it.Title, a.Outlet, "KHẨN", "CRITICAL", "Sở Ngoại vụ",
		"Bài lặp lại luận điểm sai đã được cải chính", "The article repeats a claim the office has already corrected",
		"http://ui.example.org/articles/" + a.ID, "http://ui.example.org/alerts/ack?",
		"(giờ Việt Nam)", "Ngôn ngữ: Tiếng Anh", "Language: English",
		// Why this office: the route's conditions that held, in words.
		"Gửi đến đơn vị này vì bài thỏa điều kiện của quy tắc: bài viết về Đồng Nai",
		"Sent to this office because the article meets the rule's conditions: about Đồng Nai",
		// The English part names the office in English.
		"To: Foreign Affairs Department",
	} {
		if !strings.Contains(raw, want) {
			t.Errorf("email lacks %q", want)
		}
	}
	if vi, en := strings.Index(raw, "CẢNH BÁO BÁO CHÍ"), strings.Index(raw, "FOREIGN PRESS ALERT"); vi < 0 || en < vi {
		t.Errorf("Vietnamese must come before English (vi at %d, en at %d)", vi, en)
	}
	if !strings.Contains(m.Subject, "KHẨN") || !strings.Contains(m.Subject, a.Outlet) || !strings.Contains(m.Subject, it.Title) {
		t.Errorf("subject = %q", m.Subject)
	}
	// Published time in Asia/Ho_Chi_Minh, written as the UI writes dates:
	// day first in the Vietnamese part, the month's name in the English.
	loc := LoadLocation("")
	for _, layout := range []string{"02/01/2006 15:04", "2 Jan 2006 15:04"} {
		if want := a.Published.In(loc).Format(layout); !strings.Contains(raw, want) {
			t.Errorf("email lacks the publication time %s", want)
		}
	}
	ds, err := p.st.ListDeliveries(context.Background(), store.DeliveryFilter{State: store.DeliverySent})
	if err != nil || len(ds) != 2 {
		t.Fatalf("sent deliveries = %d, %v", len(ds), err)
	}
	ids := map[string]bool{}
	for _, d := range ds {
		ids[d.MessageID] = true
	}
	if !ids[m.MessageID] {
		t.Errorf("Message-ID %s is not a delivery's %v", m.MessageID, ids)
	}
	als, _ := p.st.ListAlerts(context.Background(), store.AlertFilter{})
	routes := map[string]bool{}
	for _, al := range als {
		routes[al.Route] = true
	}
	if !routes["misinformation"] || !routes["review"] || routes["security"] {
		t.Errorf("alert routes = %v", routes)
	}
}
