package alerts

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/store"
	"github.com/dongnai/presswatch/store/storetest"
)

type testStore interface {
	store.Store
	store.AlertStore
}

func openStore(t testing.TB) testStore {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{DataDir: t.TempDir(), AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	as, ok := st.(testStore)
	if !ok {
		t.Fatalf("%T does not implement store.AlertStore", st)
	}
	return as
}

func dur(d time.Duration) *time.Duration { return &d }

// testReceivers are the three receivers of Đồng Nai with one address each.
func testReceivers() []Receiver {
	return []Receiver{
		{Name: "foreign_affairs", DisplayName: "Sở Ngoại vụ", Email: []string{"ngoaivu@example.org"}},
		{Name: "police", DisplayName: "Công an tỉnh", Email: []string{"congan@example.org"}},
		{Name: "analysts", DisplayName: "Sở Thông tin và Truyền thông", Email: []string{"stttt@example.org"}},
	}
}

func receiverNames(rs []Receiver) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}

// testRoutes mirrors configs/alerts.yaml with test timings.
func testRoutes(groupWait time.Duration) Route {
	return Route{
		Receiver: "analysts", GroupBy: []string{"cluster"}, GroupWait: dur(groupWait),
		GroupInterval: dur(time.Hour), RepeatInterval: dur(12 * time.Hour), Severity: SeverityDigest,
		Routes: []Route{
			{Name: "story_spread", Match: "about:true AND signal:rapid_spread AND risk>=50", Receiver: "foreign_affairs", Continue: true, Severity: SeverityImmediate},
			{Name: "misinformation", Match: "about:true AND risk>=60", Receiver: "foreign_affairs", Continue: true, Severity: SeverityImmediate},
			{Name: "security", Match: "about:true AND risk>=50 AND (topic:security_crime OR topic:industry_labor)", Receiver: "police", Continue: true, Severity: SeverityImmediate},
			{Name: "review", Match: "about:true AND (needs_review:true OR risk>=40)", Receiver: "analysts", Severity: SeverityImmediate},
		},
	}
}

type rig struct {
	t       testing.TB
	st      testStore
	mb      *Mailbox
	stage   *Stage
	tmpl    *Templates
	now     func() time.Time
	onMsg   func(MailboxMessage)
	onMsgMu sync.Mutex
}

func newRig(t testing.TB, root Route, inhibit []InhibitRule, now func() time.Time) *rig {
	t.Helper()
	r := &rig{t: t, st: openStore(t), now: now}
	mb, err := NewMailbox(MailboxOptions{Dir: t.TempDir(), OnMessage: func(m MailboxMessage) {
		r.onMsgMu.Lock()
		f := r.onMsg
		r.onMsgMu.Unlock()
		if f != nil {
			f(m)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = mb.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	r.mb = mb
	rt, err := NewRouter(root, receiverNames(testReceivers()))
	if err != nil {
		t.Fatal(err)
	}
	r.stage, err = NewStage(StageOptions{Store: r.st, Router: rt, Receivers: testReceivers(), Inhibit: inhibit, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if r.tmpl, err = LoadTemplates(""); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *rig) sender(opts SenderOptions) *Sender {
	r.t.Helper()
	host, port := r.mb.HostPort()
	en, err := NewEmailNotifier(SMTPOptions{Host: host, Port: port, TLS: TLSNone, From: "presswatch@example.org", Timeout: 5 * time.Second})
	if err != nil {
		r.t.Fatal(err)
	}
	ack, err := NewAckSigner([]byte("0123456789abcdef0123"), 24*time.Hour)
	if err != nil {
		r.t.Fatal(err)
	}
	opts.Store = r.st
	opts.Notifiers = map[string]Notifier{ChannelEmail: en}
	opts.Templates = r.tmpl
	opts.Receivers = testReceivers()
	opts.BaseURL = "http://ui.example.org"
	opts.Ack = ack
	if opts.PollInterval == 0 {
		opts.PollInterval = 20 * time.Millisecond
	}
	if opts.Now == nil {
		opts.Now = r.now
	}
	s, err := NewSender(opts)
	if err != nil {
		r.t.Fatal(err)
	}
	return s
}

// runSender runs s until the returned stop is called.
func runSender(t testing.TB, s *Sender) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(ctx) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func messagesTo(mb *Mailbox, addr string) []MailboxMessage {
	var out []MailboxMessage
	for _, m := range mb.Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				out = append(out, m)
			}
		}
	}
	return out
}

// classified returns a stored, classified article.
func classified(t testing.TB, st store.Store, i int, outlet, cluster string, risk int, signals ...string) *article.Article {
	t.Helper()
	canon := "https://" + strings.ReplaceAll(strings.ToLower(outlet), " ", "") + ".example.com/news/" + cluster + "-" + string(rune('a'+i%26)) + time.Duration(i).String()
	a := &article.Article{
		ID: article.ID(canon), URL: canon, CanonicalURL: canon, Source: strings.ToLower(strings.ReplaceAll(outlet, " ", "-")),
		Outlet: outlet, Country: "SG", Lang: "en", Tier: 2,
		Title:     "Bien Hoa dioxin finally fully cleaned, sources say (" + outlet + ")",
		Summary:   "Sources claim the dioxin cleanup at Bien Hoa airbase in Dong Nai is finished.",
		Text:      "Unnamed sources said the cleanup of dioxin at Biên Hòa in Đồng Nai province was completed.",
		Published: time.Date(2026, 11, 20, 1, 30, 0, 0, time.UTC), Collected: time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC),
		Classification: &article.Classification{About: true, Mentions: true, Relevance: 0.9, Topics: []string{"environment", "war_legacy"},
			Tone: "negative", Risk: risk, NeedsReview: risk >= 40, Cluster: cluster,
			Reasons: []article.Reason{{Signal: "relevance", Detail: "title names “Đồng Nai”"}}},
	}
	for _, s := range signals {
		a.Classification.Reasons = append(a.Classification.Reasons, article.Reason{Signal: s, Detail: "matched “" + s + " text”", Weight: 20})
	}
	if err := st.UpsertArticles(context.Background(), []*article.Article{a}); err != nil {
		t.Fatal(err)
	}
	return a
}

func deliveriesByState(t testing.TB, st store.AlertStore) map[string]int64 {
	t.Helper()
	c, err := st.CountDeliveries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// eachBackend runs test on a fresh SQLite store and on PostgreSQL (skipped
// with a message when PRESSWATCH_TEST_POSTGRES is unset).
func eachBackend(t *testing.T, test func(t *testing.T, st testStore)) {
	backends := []struct {
		name string
		open func(t *testing.T) testStore
	}{
		{"sqlite", func(t *testing.T) testStore { return openStore(t) }},
		{"postgres", func(t *testing.T) testStore { return storetest.Open(t, storetest.PostgresURL(t)) }},
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) { test(t, be.open(t)) })
	}
}

// savedStage is a stage over st with testRoutes' tree (no inhibition) and
// the saved-search routes st holds, at the fixed time now.
func savedStage(t *testing.T, st testStore, now time.Time) (*Router, *SavedRoutes, *Stage) {
	t.Helper()
	router, err := NewRouter(testRoutes(0), receiverNames(testReceivers()))
	if err != nil {
		t.Fatal(err)
	}
	saved, err := NewSavedRoutes(SavedRoutesOptions{Store: st, Receivers: receiverNames(testReceivers()), Parent: router.Root()})
	if err != nil {
		t.Fatal(err)
	}
	stage, err := NewStage(StageOptions{Store: st, Router: router, Receivers: testReceivers(), Now: func() time.Time { return now }, Saved: saved})
	if err != nil {
		t.Fatal(err)
	}
	return router, saved, stage
}
