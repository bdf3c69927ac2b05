package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/internal/netguard"
	"github.com/dongnai/presswatch/store"
)

func TestRouter(t *testing.T) {
	rt, err := NewRouter(testRoutes(time.Second), receiverNames(testReceivers()))
	if err != nil {
		t.Fatal(err)
	}
	mk := func(risk int, about, review bool, topics []string, signals ...string) *article.Article {
		a := &article.Article{ID: "x", Title: "Đồng Nai", Lang: "en", Outlet: "O", Classification: &article.Classification{
			About: about, Mentions: about, Risk: risk, NeedsReview: review, Topics: topics, Cluster: "c"}}
		for _, s := range signals {
			a.Classification.Reasons = append(a.Classification.Reasons, article.Reason{Signal: s})
		}
		return a
	}
	for _, tc := range []struct {
		name string
		a    *article.Article
		want []string
	}{
		{"low risk falls to the digest root", mk(10, true, false, nil), []string{"default"}},
		{"needs review", mk(10, true, true, nil), []string{"review"}},
		{"misinformation continues to review", mk(70, true, false, nil), []string{"misinformation", "review"}},
		{"security too", mk(70, true, false, []string{"industry_labor"}), []string{"misinformation", "security", "review"}},
		{"story spread with a rule suffix", mk(70, true, false, nil, "rapid_spread:5-outlets"), []string{"story_spread", "misinformation", "review"}},
		{"not about the province", mk(90, false, true, nil), []string{"default"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, m := range rt.Match(tc.a) {
				got = append(got, m.Route)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("routes = %v, want %v", got, tc.want)
			}
		})
	}
	ms := rt.Match(mk(70, true, false, nil))
	if ms[0].Receiver != "foreign_affairs" || ms[0].GroupWait != time.Second || ms[0].RepeatInterval != 12*time.Hour ||
		ms[0].Severity != SeverityImmediate || ms[0].GroupKey(mk(1, true, false, nil)) != "misinformation|cluster=c" {
		t.Errorf("inherited settings = %+v", ms[0])
	}
	for _, bad := range []Route{
		{Receiver: "analysts", Match: "risk>1"},
		{},
		{Receiver: "nobody"},
		{Receiver: "analysts", Routes: []Route{{Match: "risk>=(", Receiver: "police"}}},
		{Receiver: "analysts", GroupBy: []string{"title"}},
		{Receiver: "analysts", Routes: []Route{{Name: "a"}, {Name: "a"}}},
		{Receiver: "analysts", Severity: "loud"},
	} {
		if _, err := NewRouter(bad, receiverNames(testReceivers())); err == nil {
			t.Errorf("NewRouter(%+v) accepted a bad tree", bad)
		}
	}
}

func TestQuietHoursUntil(t *testing.T) {
	loc := LoadLocation("")
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, loc) }
	wrap := &QuietHours{Start: 22 * time.Hour, End: 6 * time.Hour}
	day := &QuietHours{Start: 12 * time.Hour, End: 13*time.Hour + 30*time.Minute}
	for _, tc := range []struct {
		q    *QuietHours
		t    time.Time
		want time.Time
	}{
		{wrap, at(26, 23, 0), at(27, 6, 0)},
		{wrap, at(26, 2, 0), at(26, 6, 0)},
		{wrap, at(26, 6, 0), time.Time{}},
		{wrap, at(26, 21, 59), time.Time{}},
		{wrap, at(26, 22, 0), at(27, 6, 0)},
		{day, at(26, 12, 10), at(26, 13, 30)},
		{day, at(26, 13, 30), time.Time{}},
		{nil, at(26, 23, 0), time.Time{}},
	} {
		if got := tc.q.Until(tc.t.UTC(), loc); !got.Equal(tc.want) {
			t.Errorf("%v.Until(%s) = %s, want %s", tc.q, tc.t, got, tc.want)
		}
	}
	if d, err := ParseClock("06:30"); err != nil || d != 6*time.Hour+30*time.Minute {
		t.Errorf("ParseClock = %v, %v", d, err)
	}
	if _, err := ParseClock("25:00"); err == nil {
		t.Error("ParseClock accepted 25:00")
	}
}

func TestAckSigner(t *testing.T) {
	s, err := NewAckSigner([]byte("a key of enough length"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	link, exp := s.Link("https://pw.example.org/", "d-1", now)
	u, err := url.Parse(link)
	if err != nil || u.Path != AckPath || !exp.Equal(now.Add(time.Hour)) {
		t.Fatalf("link %q exp %s", link, exp)
	}
	if id, err := s.Verify(u.Query(), now.Add(59*time.Minute)); err != nil || id != "d-1" {
		t.Errorf("Verify = %q, %v", id, err)
	}
	if _, err := s.Verify(u.Query(), now.Add(61*time.Minute)); !errors.Is(err, ErrBadAckLink) {
		t.Errorf("expired link accepted: %v", err)
	}
	q := u.Query()
	q.Set("d", "d-2")
	if _, err := s.Verify(q, now); !errors.Is(err, ErrBadAckLink) {
		t.Errorf("link for another delivery accepted: %v", err)
	}
	q = u.Query()
	q.Set("exp", "99999999999")
	if _, err := s.Verify(q, now); !errors.Is(err, ErrBadAckLink) {
		t.Errorf("extended link accepted: %v", err)
	}
	other, _ := NewAckSigner([]byte("another key of enough length"), time.Hour)
	if _, err := other.Verify(u.Query(), now); !errors.Is(err, ErrBadAckLink) {
		t.Errorf("link verified under another key: %v", err)
	}
	if _, err := NewAckSigner([]byte("short"), time.Hour); err == nil {
		t.Error("short key accepted")
	}
}

func TestTriage(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	a := classified(t, st, 1, "Straits Echo", "c-1", 70)
	al := store.Alert{ID: "al1", Route: "r", ArticleID: a.ID, GroupKey: "g"}
	if err := st.RecordAlerts(ctx, []store.NewAlert{{Alert: al, Notify: []store.Notification{{Receiver: "police", Channel: "email", Recipient: "x@example.org"}}}}); err != nil {
		t.Fatal(err)
	}
	tr := Triage{Store: st}
	s := func(v string) *string { return &v }
	steps := []struct {
		change store.AlertChange
		ok     bool
	}{
		{store.AlertChange{ID: "al1", Actor: "lan", State: s(store.AlertResponded)}, false},
		{store.AlertChange{ID: "al1", Actor: "lan", State: s(store.AlertAcknowledged), Assignee: s("minh")}, true},
		{store.AlertChange{ID: "al1", Actor: "minh", State: s(store.AlertConfirmed)}, true},
		{store.AlertChange{ID: "al1", Actor: "minh", ResponseLink: s("javascript:alert(1)")}, false},
		{store.AlertChange{ID: "al1", Actor: "minh", State: s(store.AlertResponded), ResponseLink: s("https://gov.example/correction")}, true},
		{store.AlertChange{ID: "al1", Actor: "minh", State: s(store.AlertNew)}, false},
		// Free-text fields have server-side limits (a 60 KB note was stored before).
		{store.AlertChange{ID: "al1", Actor: "minh", Note: s(strings.Repeat("ghi chú ", 2000))}, false},
		{store.AlertChange{ID: "al1", Actor: "minh", Assignee: s(strings.Repeat("x", MaxAssigneeLen+1))}, false},
	}
	for i, st := range steps {
		_, err := tr.Update(ctx, st.change)
		if (err == nil) != st.ok {
			t.Errorf("step %d (%+v): err = %v, want ok=%v", i, st.change, err, st.ok)
		}
	}
	got, _ := st.GetAlert(ctx, "al1")
	if got.State != store.AlertResponded || got.Assignee != "minh" || got.ResponseLink != "https://gov.example/correction" {
		t.Errorf("alert after triage = %+v", got)
	}
	audit, _ := st.ListAudit(ctx, 10)
	if len(audit) != 3 {
		t.Errorf("%d audit entries, want 3", len(audit))
	}
	// Exactly at the limits is accepted.
	if _, err := tr.Update(ctx, store.AlertChange{ID: "al1", Actor: "minh", Note: s(strings.Repeat("đ", MaxNoteLen)), Assignee: s(strings.Repeat("m", MaxAssigneeLen))}); err != nil {
		t.Errorf("note and assignee at their limits: %v", err)
	}
	if _, err := tr.Update(ctx, store.AlertChange{ID: "al1", Actor: "minh", Note: s(strings.Repeat("đ", MaxNoteLen+1))}); !errors.Is(err, ErrFieldTooLong) {
		t.Errorf("note over its limit: %v, want ErrFieldTooLong", err)
	}
	// One-click acknowledgement through a delivery.
	b := store.Alert{ID: "al2", Route: "r", ArticleID: a.ID, GroupKey: "g2"}
	if err := st.RecordAlerts(ctx, []store.NewAlert{{Alert: b, Notify: []store.Notification{{Receiver: "police", Channel: "email", Recipient: "x@example.org"}}}}); err != nil {
		t.Fatal(err)
	}
	ds, _ := st.ListDeliveries(ctx, store.DeliveryFilter{AlertID: "al2"})
	if n, err := tr.AckDelivery(ctx, ds[0].ID, "email:x@example.org"); err != nil || n != 1 {
		t.Errorf("AckDelivery = %d, %v", n, err)
	}
	if got, _ := st.GetAlert(ctx, "al2"); got.State != store.AlertAcknowledged || got.AckedBy != "email:x@example.org" {
		t.Errorf("after one-click ack: %+v", got)
	}
}

// loopback opens the webhook SSRF guard to httptest servers.
var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

func newTestWebhook(t *testing.T, eps map[string]WebhookEndpoint) *WebhookNotifier {
	t.Helper()
	n, err := NewWebhookNotifier(WebhookOptions{Endpoints: eps, Timeout: 5 * time.Second, AllowNets: loopback})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestWebhook(t *testing.T) {
	key := []byte("webhook-secret")
	var got []WebhookPayload
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		body, _ := io.ReadAll(r.Body)
		if err := VerifyWebhook(key, r.Header, body, time.Now(), 0); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if r.Header.Get(HeaderWebhookID) != "d1" {
			http.Error(w, "no id", http.StatusBadRequest)
			return
		}
		if calls == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		var p WebhookPayload
		if err := json.Unmarshal(body, &p); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		got = append(got, p)
	}))
	defer srv.Close()
	hook := srv.URL + "/hooks/T0K3N-s3cr3t?token=abc"
	n := newTestWebhook(t, map[string]WebhookEndpoint{"chat": {URL: hook, Secret: key}})
	m := &Message{DeliveryID: "d1", Receiver: "chat", To: "webhook:chat", Payload: WebhookPayload{Version: 1, DeliveryID: "d1",
		Alerts: []WebhookItem{{AlertID: "a1", Title: "Đồng Nai <b>"}}}}
	if retry, err := n.Notify(context.Background(), m); err == nil || !retry {
		t.Errorf("503: retry %v, err %v; want a retryable error", retry, err)
	}
	if _, err := n.Notify(context.Background(), m); err != nil {
		t.Fatalf("second post: %v", err)
	}
	if len(got) != 1 || got[0].Alerts[0].Title != "Đồng Nai <b>" {
		t.Errorf("payloads = %+v", got)
	}
	unsigned := newTestWebhook(t, map[string]WebhookEndpoint{"chat": {URL: hook}})
	if retry, err := unsigned.Notify(context.Background(), m); err == nil || retry {
		t.Errorf("unsigned post: retry %v, err %v; want a permanent error (401)", retry, err)
	}
	if _, err := n.Notify(context.Background(), &Message{DeliveryID: "d2", Receiver: "nobody"}); err == nil {
		t.Error("a receiver without an endpoint was posted to")
	}
	// A dead endpoint: the error names the receiver and the host, never the token.
	srv.Close()
	_, err := n.Notify(context.Background(), m)
	if err == nil || strings.Contains(err.Error(), "T0K3N") || strings.Contains(err.Error(), "token=") {
		t.Errorf("error of a dead endpoint = %v; want one without the URL's secret parts", err)
	}
}

// TestWebhookNoRedirect: a redirect is not followed (it would re-post the
// signed body elsewhere) and fails permanently.
func TestWebhookNoRedirect(t *testing.T) {
	var hits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer target.Close()
	for _, code := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		redir := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL+"/steal", code)
		}))
		n := newTestWebhook(t, map[string]WebhookEndpoint{"chat": {URL: redir.URL, Secret: []byte("k")}})
		retry, err := n.Notify(context.Background(), &Message{DeliveryID: "d", Receiver: "chat"})
		redir.Close()
		if err == nil || retry || !strings.Contains(err.Error(), "redirects are not followed") {
			t.Errorf("%d: retry %v, err %v; want a permanent error", code, retry, err)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("the redirect target was posted to %d times", hits.Load())
	}
}

// TestWebhookSSRFGuard: without the opt-in allowlist, loopback and private
// addresses are refused at dial time, after DNS, permanently.
func TestWebhookSSRFGuard(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	for _, u := range []string{srv.URL, "http://localhost:" + port + "/x", "http://10.0.0.1:" + port, "http://169.254.169.254/latest/meta-data", "http://[::1]:" + port} {
		n, err := NewWebhookNotifier(WebhookOptions{Endpoints: map[string]WebhookEndpoint{"chat": {URL: u}}, Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		retry, err := n.Notify(context.Background(), &Message{DeliveryID: "d", Receiver: "chat"})
		if !errors.Is(err, netguard.ErrBlocked) || retry {
			t.Errorf("%s: retry %v, err %v; want a permanent ErrBlocked", u, retry, err)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("the loopback server was reached %d times", hits.Load())
	}
}

// TestWebhookReplay: VerifyWebhook refuses a captured post replayed after
// the tolerance, a tampered body and a wrong key.
func TestWebhookReplay(t *testing.T) {
	key := []byte("k3y")
	captured := make(chan struct {
		h    http.Header
		body []byte
	}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		captured <- struct {
			h    http.Header
			body []byte
		}{r.Header.Clone(), b}
	}))
	defer srv.Close()
	signedAt := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	n, err := NewWebhookNotifier(WebhookOptions{Endpoints: map[string]WebhookEndpoint{"chat": {URL: srv.URL, Secret: key}},
		AllowNets: loopback, Now: func() time.Time { return signedAt }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Notify(context.Background(), &Message{DeliveryID: "d-9", Receiver: "chat", Payload: WebhookPayload{Version: 1, Subject: "x"}}); err != nil {
		t.Fatal(err)
	}
	c := <-captured
	if !strings.HasPrefix(c.h.Get(HeaderWebhookSignature), "v1,") || c.h.Get(HeaderWebhookTimestamp) != strconv.FormatInt(signedAt.Unix(), 10) {
		t.Fatalf("headers = %v", c.h)
	}
	if err := VerifyWebhook(key, c.h, c.body, signedAt.Add(30*time.Second), 0); err != nil {
		t.Errorf("fresh post: %v", err)
	}
	if err := VerifyWebhook(key, c.h, c.body, signedAt.Add(10*time.Minute), 0); !errors.Is(err, ErrWebhookTimestamp) {
		t.Errorf("replayed 10 minutes later: %v, want ErrWebhookTimestamp", err)
	}
	// Moving the timestamp forward breaks the signature.
	h := c.h.Clone()
	h.Set(HeaderWebhookTimestamp, strconv.FormatInt(signedAt.Add(10*time.Minute).Unix(), 10))
	if err := VerifyWebhook(key, h, c.body, signedAt.Add(10*time.Minute), 0); !errors.Is(err, ErrWebhookSignature) {
		t.Errorf("re-stamped replay: %v, want ErrWebhookSignature", err)
	}
	if err := VerifyWebhook(key, c.h, append(c.body, ' '), signedAt, 0); !errors.Is(err, ErrWebhookSignature) {
		t.Errorf("tampered body: %v", err)
	}
	if err := VerifyWebhook([]byte("other"), c.h, c.body, signedAt, 0); !errors.Is(err, ErrWebhookSignature) {
		t.Errorf("wrong key: %v", err)
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://hooks.slack.com/services/T0/B0/XXXX": "https://hooks.slack.com/…",
		"https://user:pw@chat.example.org/":           "https://chat.example.org/…",
		"https://chat.example.org/?token=abc":         "https://chat.example.org/…",
		"https://chat.example.org":                    "https://chat.example.org",
		"not a url":                                   "<redacted URL>",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWebhookDelivery: a receiver with a webhook gets the grouped alert as a
// signed JSON post through the outbox.
func TestWebhookDelivery(t *testing.T) {
	key := []byte("chat-bridge-secret")
	got := make(chan WebhookPayload, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := VerifyWebhook(key, r.Header, body, time.Now(), 0); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var p WebhookPayload
		if err := json.Unmarshal(body, &p); err != nil {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		}
		got <- p
	}))
	defer srv.Close()
	st := openStore(t)
	recv := []Receiver{{Name: "chat", WebhookURL: srv.URL, WebhookSecret: key}}
	rt, err := NewRouter(Route{Receiver: "chat", GroupWait: dur(0), Severity: SeverityImmediate}, []string{"chat"})
	if err != nil {
		t.Fatal(err)
	}
	stage, err := NewStage(StageOptions{Store: st, Router: rt, Receivers: recv})
	if err != nil {
		t.Fatal(err)
	}
	a := classified(t, st, 1, "Straits Echo", "c-1", 85, "narrative")
	if err := stage.Process(context.Background(), []*article.Article{a}); err != nil {
		t.Fatal(err)
	}
	tmpl, _ := LoadTemplates("")
	s, err := NewSender(SenderOptions{Store: st, Templates: tmpl, Receivers: recv, BaseURL: "https://pw.example.org",
		Notifiers: map[string]Notifier{ChannelWebhook: newTestWebhook(t, map[string]WebhookEndpoint{"chat": {URL: srv.URL + "/hook/s3cr3t", Secret: key}})}})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.SendDue(context.Background()); n != 1 || err != nil {
		t.Fatalf("SendDue = %d, %v", n, err)
	}
	select {
	case p := <-got:
		if !p.Critical || len(p.Alerts) != 1 || p.Alerts[0].ArticleID != a.ID || p.Alerts[0].ArticleURL != "https://pw.example.org/articles/"+a.ID || !strings.Contains(p.Subject, "KHẨN") {
			t.Errorf("payload = %+v", p)
		}
	default:
		t.Fatal("no webhook post")
	}
	if c, _ := st.CountDeliveries(context.Background()); c[store.DeliverySent] != 1 {
		t.Errorf("deliveries = %v", c)
	}
}

// TestWebhookAlsoRoutes: when two routes send one article to one webhook
// receiver, the one post that goes out names the other route in
// also_routes, on the wire, as the email names it in its text.
func TestWebhookAlsoRoutes(t *testing.T) {
	got := make(chan []byte, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- body
	}))
	defer srv.Close()
	st := openStore(t)
	recv := []Receiver{{Name: "chat", WebhookURL: srv.URL}}
	rt, err := NewRouter(Route{Receiver: "chat", GroupWait: dur(0), Severity: SeverityImmediate, Routes: []Route{
		{Name: "misinformation", Match: "about:true AND risk>=60", Receiver: "chat", Continue: true, Severity: SeverityImmediate},
		{Name: "story_spread", Match: "about:true AND signal:rapid_spread", Receiver: "chat", Severity: SeverityImmediate},
	}}, []string{"chat"})
	if err != nil {
		t.Fatal(err)
	}
	stage, err := NewStage(StageOptions{Store: st, Router: rt, Receivers: recv})
	if err != nil {
		t.Fatal(err)
	}
	a := classified(t, st, 1, "Straits Echo", "c-1", 85, "rapid_spread")
	if err := stage.Process(context.Background(), []*article.Article{a}); err != nil {
		t.Fatal(err)
	}
	tmpl, _ := LoadTemplates("")
	s, err := NewSender(SenderOptions{Store: st, Templates: tmpl, Receivers: recv, BaseURL: "https://pw.example.org",
		Notifiers: map[string]Notifier{ChannelWebhook: newTestWebhook(t, map[string]WebhookEndpoint{"chat": {URL: srv.URL}})}})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.SendDue(context.Background()); n != 1 || err != nil {
		t.Fatalf("SendDue = %d, %v; want the two routes' alerts in one post", n, err)
	}
	var body []byte
	select {
	case body = <-got:
	default:
		t.Fatal("no webhook post")
	}
	var p struct {
		Route  string `json:"route"`
		Alerts []struct {
			ArticleID  string   `json:"article_id"`
			AlsoRoutes []string `json:"also_routes"`
		} `json:"alerts"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("post %s: %v", body, err)
	}
	if len(p.Alerts) != 1 || p.Alerts[0].ArticleID != a.ID {
		t.Fatalf("post carries %+v, want one item for %s", p.Alerts, a.ID)
	}
	other := map[string]string{"misinformation": "story_spread", "story_spread": "misinformation"}[p.Route]
	if also := p.Alerts[0].AlsoRoutes; other == "" || len(also) != 1 || also[0] != other {
		t.Errorf("post for route %q has also_routes %q, want [%q]", p.Route, also, other)
	}
	select {
	case b := <-got:
		t.Errorf("a second post for the same article: %s", b)
	default:
	}
}

func TestOutboxMetrics(t *testing.T) {
	r := newRig(t, testRoutes(time.Hour), nil, time.Now)
	process(t, r.stage, classified(t, r.st, 1, "Straits Echo", "c-1", 85, "narrative"))
	reg := prometheus.NewRegistry()
	r.sender(SenderOptions{Registerer: reg})
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "presswatch_alert_outbox_deliveries" {
			continue
		}
		for _, m := range mf.GetMetric() {
			got[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
		}
	}
	want := map[string]float64{"pending": 2, "sending": 0, "sent": 0, "failed": 0, "skipped": 0}
	if !maps.Equal(got, want) {
		t.Errorf("outbox gauge = %v, want %v", got, want)
	}
}

// TestAgeDays: a route can tell an old page found late from today's news.
func TestAgeDays(t *testing.T) {
	rt, err := NewRouter(Route{Name: "root", Receiver: "a", Severity: SeverityDigest, Routes: []Route{
		{Name: "fresh", Match: "about:true AND age_days<=30", Receiver: "a", Severity: SeverityImmediate},
	}}, []string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	collected := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		published time.Time
		want      string
		days      int
	}{
		{time.Time{}, "fresh", 0},                          // no date: not old
		{collected.Add(-5 * time.Hour), "fresh", 0},        // today's news
		{collected.Add(-30 * 24 * time.Hour), "fresh", 30}, // the bound is in
		{collected.Add(-31 * 24 * time.Hour), "root", 31},
		{time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), "root", 1011},
		{collected.Add(48 * time.Hour), "fresh", 0}, // dated in the future: not old
	} {
		a := &article.Article{ID: "x", Title: "Đồng Nai", Published: tc.published, Collected: collected,
			Classification: &article.Classification{About: true}}
		if d := ageDays(a); d != tc.days {
			t.Errorf("published %v: age_days %d, want %d", tc.published, d, tc.days)
		}
		if ms := rt.Match(a); len(ms) != 1 || ms[0].Route != tc.want {
			t.Errorf("published %v: routes %+v, want %s", tc.published, ms, tc.want)
		}
	}
}
