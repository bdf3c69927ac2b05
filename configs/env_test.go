package configs

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// TestUnknownEnvironmentVariable: a misspelled key in the file is an error
// with a suggestion; a misspelled PRESSWATCH_ variable is too, where it was
// ignored. The variables of tests, benchmarks and tools are not settings
// and pass.
func TestUnknownEnvironmentVariable(t *testing.T) {
	tests := []struct {
		name string
		doc  string // the file; "" for one without problems
		env  map[string]string
		want []string // nil: accepted
	}{
		{"web.listen misspelled", "", map[string]string{"PRESSWATCH_WEB_LISTN": "127.0.0.1:9999"},
			[]string{"PRESSWATCH_WEB_LISTN (environment): unknown variable (did you mean PRESSWATCH_WEB_LISTEN?)"}},
		{"data_dir misspelled", "", map[string]string{"PRESSWATCH_DATA_DIRR": "/srv"},
			[]string{"PRESSWATCH_DATA_DIRR (environment): unknown variable (did you mean PRESSWATCH_DATA_DIR?)"}},
		{"lower case", "", map[string]string{"PRESSWATCH_nats_url": "nats://127.0.0.1:4222"},
			[]string{"PRESSWATCH_nats_url (environment): unknown variable (did you mean PRESSWATCH_NATS_URL?)"}},
		{"nothing near", "", map[string]string{"PRESSWATCH_COLOUR": "blue"},
			[]string{"PRESSWATCH_COLOUR (environment): unknown variable: PRESSWATCH_<KEY_PATH> sets a key"}},
		{"every one, with the file's problems", "nats:\n  bogus: 1\n", map[string]string{"PRESSWATCH_WEB_LISTN": "x", "PRESSWATCH_DATA_DIRR": "y", "PRESSWATCH_NATS_URL": "nats://127.0.0.1:4222"},
			[]string{"3 configuration problem(s)", "PRESSWATCH_WEB_LISTN", "PRESSWATCH_DATA_DIRR", "c.yaml:2: nats.bogus: unknown key"}},
		{"settings", "", map[string]string{"PRESSWATCH_WEB_LISTEN": "127.0.0.1:9999", "PRESSWATCH_NATS_REPLICAS": "3", "PRESSWATCH_STORE_URL_FILE": "", "PRESSWATCH_WEB_LOGIN_PER_IP_PER_MINUTE": "5"}, nil},
		{"tests and tools", "", map[string]string{
			"PRESSWATCH_CONFIG": "", "PRESSWATCH_TESTDATA": "/work/shared/testdata", "PRESSWATCH_TEST_POSTGRES": "postgres://x",
			"PRESSWATCH_TEST_NATS_URL": "nats://x", "PRESSWATCH_PROCBENCH_FEEDS": "10", "PRESSWATCH_BENCH_1M": "1",
			"PRESSWATCH_CPUPROFILE": "", "PRESSWATCH_HEAPPROFILE": "", "PRESSWATCH_BASE_URL": "https://x", "PRESSWATCH_STAGE_CHILD": "1",
			"PRESSWATCH_STAGE_CHILD_BUS_URL": "nats://x", "PRESSWATCH_AGREE_N": "10", "PRESSWATCH_FAULTS": "1",
		}, nil},
		{"not ours", "", map[string]string{"PRESSWATCHER": "1", "PATH": "/bin"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var names []string
			for k := range tt.env {
				names = append(names, k)
			}
			doc := tt.doc
			if doc == "" {
				doc = "log:\n  level: info\n"
			}
			path := filepath.Join(t.TempDir(), "c.yaml")
			if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := load(path, envOf(tt.env), names)
			if tt.want == nil {
				if err != nil {
					t.Errorf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			msg := strings.ReplaceAll(err.Error(), filepath.Dir(path)+string(filepath.Separator), "")
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error does not contain %q:\n%v", w, msg)
				}
			}
		})
	}
}

// TestOtherVarsAreNotSettings: a variable taken for a test's or a tool's
// must not hide a setting's override from the check.
func TestOtherVarsAreNotSettings(t *testing.T) {
	eachSetting(reflect.ValueOf(&Config{}).Elem(), "", func(key string, _ reflect.Value) {
		if v := envVar(key); isOtherVar(v) {
			t.Errorf("%s (%s) is taken for a variable that is not a setting", v, key)
		}
	})
}

// TestRepositoryVariablesAreKnown reads the repository for PRESSWATCH_
// variables: each must be a setting or one of otherVars, or Load refuses
// it. A test or tool that adds a variable adds it to otherVars too.
func TestRepositoryVariablesAreKnown(t *testing.T) {
	known := map[string]bool{}
	eachSetting(reflect.ValueOf(&Config{}).Elem(), "", func(key string, _ reflect.Value) { known[envVar(key)] = true })
	varRE := regexp.MustCompile(`PRESSWATCH_[A-Za-z0-9_]*[A-Za-z0-9]`)
	root := ".."
	found := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if name == ".git" || name == "bin" {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(name) {
		case ".go", ".md", ".sh", ".yaml", ".yml", ".conf", ".service", ".toml", ".env":
		default:
			if name != "Makefile" && name != "Dockerfile" && filepath.Base(filepath.Dir(path)) != ".ci" {
				return nil
			}
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte("unknown variable (did you mean")) {
			return nil // a test of this check, which spells variables wrong on purpose
		}
		for _, m := range varRE.FindAllIndex(b, -1) {
			v := string(b[m[0]:m[1]])
			if m[1] < len(b) && b[m[1]] == '_' { // a prefix: PRESSWATCH_WEB_LOGIN_…
				continue
			}
			found++
			if !known[v] && !isOtherVar(v) {
				t.Errorf("%s names %s, which Load would refuse: a setting's variable, or add it to otherVars", path, v)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 50 {
		t.Errorf("found only %d mentions of PRESSWATCH_ variables: is the walk reading the repository?", found)
	}
}
