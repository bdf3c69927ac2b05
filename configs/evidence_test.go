package configs

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEvidenceS3Config: the bucket's keys come from a file or the
// environment and never print; bad settings name their key and line.
func TestEvidenceS3Config(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "s3-secret")
	if err := os.WriteFile(keyFile, []byte("very-secret-s3-key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	doc := "evidence:\n  s3:\n    endpoint: s3.example.vn:9000\n    bucket: pw-evidence\n    path_style: true\n    secret_key_file: " + keyFile + "\n"
	cfg, err := Parse("c.yaml", []byte(doc), envOf(map[string]string{"PRESSWATCH_EVIDENCE_S3_ACCESS_KEY": "AKIA-from-env"}))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Evidence.S3
	if !s.Enabled() || s.SecretKey.Value() != "very-secret-s3-key" || s.AccessKey.Value() != "AKIA-from-env" || !s.PathStyle {
		t.Fatalf("s3 config: %+v", s)
	}
	var buf bytes.Buffer
	if err := Dump(&buf, cfg); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"very-secret-s3-key", "AKIA-from-env"} {
		if strings.Contains(buf.String(), secret) {
			t.Errorf("dump leaks %q", secret)
		}
	}
	for _, tc := range []struct{ doc, want string }{
		{"evidence:\n  s3:\n    endpoint: https://s3.example.vn\n    bucket: pw-evidence\n", "c.yaml:3: evidence.s3.endpoint"},
		{"evidence:\n  s3:\n    endpoint: s3.example.vn\n", "evidence.s3.bucket: is required"},
		{"evidence:\n  s3:\n    endpoint: s3.example.vn\n    bucket: Bad_Bucket\n", "evidence.s3.bucket"},
		{"evidence:\n  s3:\n    endpoint: s3.example.vn\n    bucket: pw-evidence\n    access_key: only-access\n", "evidence.s3.secret_key"},
		{"evidence:\n  s3:\n    bucket: pw-evidence\n", "evidence.s3.endpoint: is required"},
		{"evidence:\n  s3:\n    endpoint: s3.example.vn\n    bucket: pw\n    secret_key_file: /nonexistent/key\n", "evidence.s3.secret_key_file: read secret"},
		{"evidence:\n  browser:\n    timeout: -1s\n", "evidence.browser.timeout"},
		{"evidence:\n  s3:\n    endpoint: s3.example.vn\n    bucket: pw-evidence\n    secret: x\n", "unknown key"},
	} {
		_, err := Parse("c.yaml", []byte(tc.doc), envOf(nil))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.doc, err, tc.want)
		}
	}
}
