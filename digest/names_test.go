package digest

import (
	"testing"

	"github.com/dongnai/presswatch/store"
)

// TestAlertRoutesNamed: the weekly report names alert routes in Vietnamese,
// never by their IDs in alerts.yaml.
func TestAlertRoutesNamed(t *testing.T) {
	s := alertSummary([]store.DigestAlertCount{
		{Route: "review", Severity: "immediate", State: "new", Count: 4},
		{Route: "misinformation", Severity: "immediate", State: "new", Count: 3},
		{Route: "security", Severity: "immediate", State: "new", Count: 2},
		{Route: "default", Severity: "immediate", State: "new", Count: 1},
	})
	want := map[string]string{
		"review":         "Cần chuyên viên xem xét",
		"misinformation": "Rủi ro cao hoặc nghi thông tin sai lệch",
		"security":       "An ninh, trật tự công cộng",
		"default":        "Mặc định (bản tin tuần)",
	}
	if len(s.ByRoute) != len(want) {
		t.Fatalf("routes %+v", s.ByRoute)
	}
	for _, c := range s.ByRoute {
		if c.Label != want[c.Key] {
			t.Errorf("route %s is labelled %q, want %q", c.Key, c.Label, want[c.Key])
		}
	}
}
