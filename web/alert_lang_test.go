package web

import (
	"context"
	"strings"
	"testing"

	"github.com/dongnai/presswatch/alerts"
)

// The alert pages and the demo mail follow the language switch, name rules,
// states, receivers, countries and languages in words, write reasons as
// sentences, and say when a held mail goes out.
func TestAlertPagesLanguage(t *testing.T) {
	mb, err := alerts.NewMailbox(alerts.MailboxOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = mb.Run(ctx) }()
	defer func() { cancel(); <-done }()
	f := newFixture(t, func(o *Options) { o.Demo, o.Mailbox = true, mb })
	ids := seedOfficerPages(t, f, mb)
	cookie, _ := f.session(RoleAdmin)
	for _, tc := range []struct {
		path          string
		want, notWant []string
	}{
		{"/alerts", []string{"An ninh, trật tự công cộng", "Mới", "Nhật Bản", "Tiếng Anh", "Giữ lại trong giờ yên lặng, sẽ gửi lúc"}, []string{">security<", ">new<", "Alerts</h1>"}},
		{"/alerts?lang=en", []string{"<h1>Alerts</h1>", "Security and public order", ">New<", "Japan", "English", "Held for quiet hours; will be sent at"}, []string{"Quy tắc", "Đang mở"}},
		{"/alerts/" + ids.alert, []string{"Vì sao có cảnh báo", "4.200.000–4.600.000 người", "Công an tỉnh", "Thư điện tử"}, []string{"NEAR/", "airport-abandoned", "4200000"}},
		{"/alerts/" + ids.alert + "?lang=en", []string{"Why it fired", "4,200,000–4,600,000 people", "Provincial police", "Save"}, []string{"Vì sao", "NEAR/"}},
		{"/demo/mailbox/" + ids.mail, []string{"Cảnh báo báo chí nước ngoài", "Bài nêu dân số là “2.5 million”"}, []string{"=C3", "=\r\n"}},
	} {
		resp, body := f.get(tc.path, cookie)
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", tc.path, resp.StatusCode)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", tc.path, w)
			}
		}
		for _, w := range tc.notWant {
			if strings.Contains(body, w) {
				t.Errorf("%s shows %q", tc.path, w)
			}
		}
	}
}
