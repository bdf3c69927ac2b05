package configs

import (
	"strings"
	"testing"
)

func TestLoginLimitsConfig(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte("web:\n  login:\n    concurrent_hashes: 2\n"), envOf(map[string]string{"PRESSWATCH_WEB_LOGIN_PER_IP_PER_MINUTE": "120"}))
	if err != nil {
		t.Fatal(err)
	}
	if l := cfg.Web.Login; l.ConcurrentHashes != 2 || l.PerIPPerMinute != 120 || l.GlobalPerSecond != 0 {
		t.Errorf("login = %+v", l)
	}
	if _, err := Parse("c.yaml", []byte("web:\n  login:\n    per_ip_per_minute: -1\n"), noEnv); err == nil || !strings.Contains(err.Error(), "web.login") {
		t.Errorf("negative limit: %v", err)
	}
}
