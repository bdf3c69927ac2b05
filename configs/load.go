package configs

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// DefaultPath is the configuration file used when none is named and it exists
// in the working directory.
const DefaultPath = "configs/dongnai.yaml"

// EnvPrefix starts every environment override: PRESSWATCH_NATS_URL sets nats.url.
const EnvPrefix = "PRESSWATCH_"

//go:embed dongnai.yaml
var embedded embed.FS

// Problem is one thing wrong with a configuration: where it is and what.
type Problem struct {
	File string
	Line int    // 0 when the key is not in the file (a default or an override)
	Key  string // dotted path such as nats.sync_interval or sources[3].url
	Msg  string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Key != "" {
		b.WriteString(p.Key)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Error lists every problem found in a configuration, so that one run of
// `presswatch config check` reports them all.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("%d configuration problem(s):\n  %s", len(e.Problems), strings.Join(lines, "\n  "))
}

// FieldError is a validation error tied to a key. Section Validate methods may
// return it, or any error whose text starts with "key: ".
type FieldError struct {
	Key string
	Msg string
}

func (e *FieldError) Error() string { return e.Key + ": " + e.Msg }

// Errf returns a FieldError for key.
func Errf(key, format string, args ...any) error {
	return &FieldError{Key: key, Msg: fmt.Sprintf(format, args...)}
}

// Loaded is a configuration and where it came from.
type Loaded struct {
	*Config
	// Path is the file read, or "(embedded dongnai.yaml)" when none was found.
	Path string
	// Dir is the folder relative paths in the file are resolved against.
	Dir string

	// lookup is the environment the configuration was read with (nil:
	// none), for DumpEffective to tell what the environment set.
	lookup func(string) (string, bool)
}

// embeddedPath is Loaded.Path when no file was found and the copy embedded
// in the binary was read.
const embeddedPath = "(embedded dongnai.yaml)"

// Load reads the configuration at path ("" means DefaultPath when it exists,
// else the copy embedded in the binary), applies defaults, PRESSWATCH_*
// environment overrides and *_file secrets, and validates it. Every problem is
// reported at once in an *Error.
//
// A PRESSWATCH_ variable that names no setting is a problem too (a
// misspelled override would otherwise go unnoticed), unless it is one of the
// variables of tests, benchmarks and tools that are not settings (see
// otherVars).
func Load(path string) (*Loaded, error) {
	return load(path, os.LookupEnv, envNames(os.Environ()))
}

// LoadFile is Load without the environment: the file (or the embedded copy)
// as written, with defaults. It tells an operator what the environment
// changed (cmd/presswatch's password hint names PRESSWATCH_DATA_DIR).
func LoadFile(path string) (*Loaded, error) {
	return load(path, func(string) (string, bool) { return "", false }, nil)
}

// envNames returns the names of environ's NAME=value entries.
func envNames(environ []string) []string {
	names := make([]string, 0, len(environ))
	for _, kv := range environ {
		if k, _, ok := strings.Cut(kv, "="); ok && k != "" {
			names = append(names, k)
		}
	}
	return names
}

// load is Load with the environment given: lookup reads a variable, names
// are the variables set, checked against the settings.
func load(path string, lookup func(string) (string, bool), names []string) (*Loaded, error) {
	var data []byte
	var err error
	l := &Loaded{lookup: lookup}
	switch {
	case path != "":
		data, err = os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read config: %w", err)
		}
		l.Path, l.Dir = path, filepath.Dir(path)
	default:
		if d, err := os.ReadFile(DefaultPath); err == nil {
			data, l.Path, l.Dir = d, DefaultPath, filepath.Dir(DefaultPath)
		} else {
			data, err = embedded.ReadFile("dongnai.yaml")
			if err != nil {
				return nil, fmt.Errorf("read embedded config: %w", err)
			}
			l.Path, l.Dir = embeddedPath, "."
		}
	}
	cfg, err := parse(l.Path, data, lookup, names)
	if err != nil {
		return nil, err
	}
	l.Config = cfg
	return l, nil
}

var lineRE = regexp.MustCompile(`^line (\d+): (.*)$`)
var unknownFieldRE = regexp.MustCompile(`^field (\S+) not found in type (\S+)$`)

// Parse decodes and validates one configuration document. name is used in
// error messages; lookup reads the environment (os.LookupEnv in production).
// The file must hold one YAML document. Parse cannot list the environment,
// so unlike Load it does not look for misspelled PRESSWATCH_ variables.
func Parse(name string, data []byte, lookup func(string) (string, bool)) (*Config, error) {
	return parse(name, data, lookup, nil)
}

// parse is Parse that also reports the variables among names that start
// with EnvPrefix but name no setting.
func parse(name string, data []byte, lookup func(string) (string, bool), names []string) (*Config, error) {
	// The document is parsed once, strictly, into the Config. The node tree
	// that maps keys to lines is built only when there is a problem to
	// report: for a configuration of 10,000 sources it is tens of MiB of
	// garbage that would otherwise set the process's peak memory at start
	// (issue 18).
	var lines map[string]int
	linesOf := func() map[string]int {
		if lines == nil {
			var root yaml.Node
			_ = yaml.Unmarshal(data, &root) // it decoded strictly, so it parses
			lines = keyLines(&root)
		}
		return lines
	}
	cfg := Defaults()
	// base_url left out of the file follows the file's web.listen (below);
	// it stayed http://127.0.0.1:8080 while the UI listened elsewhere, so
	// email links led nowhere (an outside reading).
	cfg.Web.BaseURL = ""
	// decodeOne also reports what the decoder would let through: a decimal
	// in an integer setting, a duration too large, a second document.
	problems, err := decodeOne(name, data, cfg)
	if cfg.Web.BaseURL == "" {
		cfg.Web.BaseURL = baseURLOf(cfg.Web.Listen)
	}
	if err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, &Error{Problems: []Problem{yamlSyntaxProblem(name, err)}}
		}
		byLine := keysByLine(linesOf())
		for _, msg := range te.Errors {
			p := typeErrorProblem(name, msg)
			if k := byLine[p.Line]; k != "" && (p.Key == "" || strings.HasSuffix(k, "."+p.Key) || k == p.Key) {
				p.Key = k // the whole path, not the last name
			}
			problems = append(problems, p)
		}
	}
	problems = append(problems, unknownEnv(names)...)
	envProblems, fromEnv := applyEnv(cfg, lookup)
	problems = append(problems, envProblems...)
	followListen(cfg, fromEnv)
	// A setting taken from the environment is reported under its variable,
	// not at the file's line for the key it overrides.
	locate := func(p Problem) Problem {
		for k := p.Key; k != ""; {
			if env, ok := fromEnv[k]; ok {
				p.File, p.Line = env+" (environment)", 0
				return p
			}
			i := strings.LastIndexAny(k, ".[")
			if i < 0 {
				break
			}
			k = k[:i]
		}
		return p
	}
	for _, err := range readSecretFiles(reflect.ValueOf(cfg).Elem(), "") {
		problems = append(problems, locate(fieldProblem(name, linesOf(), err)))
	}
	for _, err := range cfg.Validate() {
		problems = append(problems, locate(fieldProblem(name, linesOf(), err)))
	}
	if len(problems) > 0 {
		sort.SliceStable(problems, func(i, j int) bool { return problems[i].Line < problems[j].Line })
		return nil, &Error{Problems: problems}
	}
	return cfg, nil
}

func yamlSyntaxProblem(name string, err error) Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	p := Problem{File: name, Msg: "invalid YAML: " + msg}
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		p.Msg = "invalid YAML: " + m[2]
	}
	return p
}

func typeErrorProblem(name, msg string) Problem {
	p := Problem{File: name, Msg: msg}
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		p.Msg = m[2]
	}
	if m := unknownFieldRE.FindStringSubmatch(p.Msg); m != nil {
		p.Key = m[1]
		p.Msg = "unknown key" + knownKeys(strings.TrimPrefix(m[2], "configs."), m[1])
	}
	if m := badDurationRE.FindStringSubmatch(p.Msg); m != nil {
		p.Msg = msgNotDuration(m[1])
	}
	// "cannot unmarshal !!str `smtp` into int": say it in words.
	if m := badScalarRE.FindStringSubmatch(p.Msg); m != nil {
		switch {
		case strings.HasPrefix(m[2], "int") || strings.HasPrefix(m[2], "uint"):
			p.Msg = fmt.Sprintf("%q is not a whole number", m[1])
		case strings.HasPrefix(m[2], "float"):
			p.Msg = fmt.Sprintf("%q is not a number", m[1])
		case m[2] == "bool":
			p.Msg = fmt.Sprintf("%q is not true or false", m[1])
		}
	}
	return p
}

var badDurationRE = regexp.MustCompile("^cannot unmarshal !!\\w+ `(.*)` into time.Duration$")

var badScalarRE = regexp.MustCompile("^cannot unmarshal !!\\w+ `(.*)` into (u?int\\d*|float\\d*|bool)$")

// knownKeys says which settings the section of Go type typ has, and which
// one key was probably meant to be: " (did you mean sync_interval? nats
// has: url, listen, …)". The Go type's name is not shown.
func knownKeys(typ, key string) string {
	t := findType(reflect.TypeOf(Config{}), typ, map[reflect.Type]bool{})
	if t == nil {
		t = findType(reflect.TypeOf(AlertsConfig{}), typ, map[reflect.Type]bool{})
	}
	if t == nil {
		return ""
	}
	var keys []string
	best, bestD := "", 3
	for i := 0; i < t.NumField(); i++ {
		tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" || !t.Field(i).IsExported() {
			continue
		}
		keys = append(keys, tag)
		if d := editDistance(key, tag); d < bestD {
			best, bestD = tag, d
		}
	}
	var b strings.Builder
	b.WriteString(" (")
	if best != "" {
		fmt.Fprintf(&b, "did you mean %s? ", best)
	}
	b.WriteString("the keys here are: ")
	b.WriteString(strings.Join(keys, ", "))
	b.WriteString(")")
	return b.String()
}

// findType finds the struct type named name among t's fields, depth first.
func findType(t reflect.Type, name string, seen map[reflect.Type]bool) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return nil
	}
	seen[t] = true
	if t.Name() == name {
		return t
	}
	for i := 0; i < t.NumField(); i++ {
		if f := findType(t.Field(i).Type, name, seen); f != nil {
			return f
		}
	}
	return nil
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func fieldProblem(name string, lines map[string]int, err error) Problem {
	var fe *FieldError
	if errors.As(err, &fe) {
		return Problem{File: name, Line: lookupLine(lines, fe.Key), Key: fe.Key, Msg: fe.Msg}
	}
	msg := err.Error()
	if i := strings.Index(msg, ": "); i > 0 && !strings.ContainsAny(msg[:i], " \t") {
		key := msg[:i]
		return Problem{File: name, Line: lookupLine(lines, key), Key: key, Msg: msg[i+2:]}
	}
	return Problem{File: name, Msg: msg}
}

// lookupLine finds the line of key, or of its nearest parent present in the file.
func lookupLine(lines map[string]int, key string) int {
	for key != "" {
		if l, ok := lines[key]; ok {
			return l
		}
		i := strings.LastIndexAny(key, ".[")
		if i < 0 {
			break
		}
		key = key[:i]
	}
	return 0
}

// keyLines maps each dotted key path (a.b, list[2].c) in the document to its line.
func keyLines(root *yaml.Node) map[string]int {
	out := map[string]int{}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := k.Value
				if path != "" {
					p = path + "." + k.Value
				}
				out[p] = k.Line
				walk(v, p)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				p := fmt.Sprintf("%s[%d]", path, i)
				out[p] = c.Line
				walk(c, p)
			}
		}
	}
	walk(root, "")
	return out
}

// keysByLine inverts keyLines, keeping the deepest key on each line.
func keysByLine(lines map[string]int) map[int]string {
	out := map[int]string{}
	for k, l := range lines {
		if len(k) > len(out[l]) {
			out[l] = k
		}
	}
	return out
}

// followListen moves web.base_url to the address the UI listens on when
// the environment moved web.listen and left a loopback base_url alone: the
// demo's and make run's emails otherwise linked to 127.0.0.1:8080 while the
// UI answered elsewhere (two outside reviews). A public base_url (behind a
// proxy) is never changed. Only a process that serves the UI follows it:
// the others put BaseURLAsWritten in their links (cmd/presswatch wire).
func followListen(cfg *Config, fromEnv map[string]string) {
	if fromEnv["web.listen"] == "" || fromEnv["web.base_url"] != "" {
		return
	}
	u, err := url.Parse(cfg.Web.BaseURL)
	if err != nil || u.Scheme != "http" || !isLoopbackHost(u.Hostname()) {
		return
	}
	host, port, err := net.SplitHostPort(cfg.Web.Listen)
	if err != nil || port == "" {
		return
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	u.Host = net.JoinHostPort(host, port)
	cfg.Web.written = cfg.Web.BaseURL
	cfg.Web.BaseURL = strings.TrimSuffix(u.String(), "/")
}

// baseURLOf is the base URL of a UI listening on listen: http, and
// 127.0.0.1 for an address on every interface. A listen it cannot read
// gives the default (Validate reports the listen).
func baseURLOf(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil || port == "" {
		return Defaults().Web.BaseURL
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// applyEnv sets scalar settings from PRESSWATCH_<PATH> variables, where PATH is
// the key path in upper case with dots as underscores (PRESSWATCH_NATS_URL).
// Lists are not overridable from the environment.
func applyEnv(cfg *Config, lookup func(string) (string, bool)) ([]Problem, map[string]string) {
	var problems []Problem
	set := map[string]string{} // key → the variable that set it
	eachSetting(reflect.ValueOf(cfg).Elem(), "", func(key string, fv reflect.Value) {
		env := envVar(key)
		val, ok := lookup(env)
		if !ok {
			return
		}
		set[key] = env
		if err := setScalar(fv, val); err != nil {
			problems = append(problems, Problem{File: env + " (environment)", Key: key, Msg: err.Error()})
		}
	})
	return problems, set
}

// eachSetting calls fn with the key path and value of every setting of the
// struct v; nested sections (structs other than durations) are walked, not
// passed to fn.
func eachSetting(v reflect.Value, path string, fn func(key string, fv reflect.Value)) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" || !f.IsExported() {
			continue
		}
		key := joinKey(path, tag)
		fv := v.Field(i)
		if fv.Kind() == reflect.Struct && fv.Type() != durationType {
			eachSetting(fv, key, fn)
			continue
		}
		fn(key, fv)
	}
}

// envVar is the variable that overrides key: nats.sync_interval is
// PRESSWATCH_NATS_SYNC_INTERVAL.
func envVar(key string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// otherVars are the PRESSWATCH_ variables that are not settings: the
// configuration file's path, the profiling switches of the binary, the
// host-side variable of deploy/compose.yaml, and those of tests, benchmarks
// and tools. otherVarPrefixes start the families of test and benchmark
// variables. Load accepts these without a word; every other PRESSWATCH_
// variable must name a setting. docs/OPERATIONS.md states the rule.
var (
	otherVars = []string{
		"PRESSWATCH_CONFIG",      // the configuration file, as -config
		"PRESSWATCH_CPUPROFILE",  // cmd/presswatch/profile.go
		"PRESSWATCH_HEAPPROFILE", // cmd/presswatch/profile.go
		"PRESSWATCH_BASE_URL",    // deploy/compose.yaml passes it on as PRESSWATCH_WEB_BASE_URL
		"PRESSWATCH_TESTDATA",    // tests: the shared test data
		"PRESSWATCH_ARTIFACTS",   // tests: where screenshots and reports go
		"PRESSWATCH_CHROME",      // tests: the browser of the web tests
		"PRESSWATCH_SCREENSHOTS", // tests
		"PRESSWATCH_FAULTS",      // tests: the fault suite
		"PRESSWATCH_EVAL_REPORT", // tests: the extraction comparison table
		"PRESSWATCH_GROWN_CORPUS",
	}
	otherVarPrefixes = []string{
		"PRESSWATCH_TEST_",       // PRESSWATCH_TEST_POSTGRES, PRESSWATCH_TEST_NATS_URL
		"PRESSWATCH_BENCH_",      // benchmarks
		"PRESSWATCH_PROCBENCH_",  // internal/procbench
		"PRESSWATCH_AGREE_",      // the index agreement tests
		"PRESSWATCH_STAGE_CHILD", // the classifier stage test's child process
	}
)

// isOtherVar reports whether name is a PRESSWATCH_ variable that is not a
// setting.
func isOtherVar(name string) bool {
	if slices.Contains(otherVars, name) {
		return true
	}
	for _, p := range otherVarPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// unknownEnv reports the variables among names that start with EnvPrefix
// but are neither a setting nor one of otherVars, each with the known
// variable it was probably meant to be.
func unknownEnv(names []string) []Problem {
	var unknown []string
	for _, n := range names {
		if strings.HasPrefix(n, EnvPrefix) && !isOtherVar(n) {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	known := map[string]bool{}
	eachSetting(reflect.ValueOf(&Config{}).Elem(), "", func(key string, _ reflect.Value) { known[envVar(key)] = true })
	candidates := slices.Concat(slices.Sorted(maps.Keys(known)), otherVars)
	sort.Strings(unknown)
	var problems []Problem
	for _, n := range slices.Compact(unknown) {
		if known[n] {
			continue
		}
		msg := "unknown variable"
		best, bestD := "", 3
		for _, c := range candidates {
			if d := editDistance(strings.ToUpper(n), c); d < bestD {
				best, bestD = c, d
			}
		}
		if best != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", best)
		} else {
			msg += ": PRESSWATCH_<KEY_PATH> sets a key of the configuration file, such as PRESSWATCH_NATS_URL for nats.url; docs/OPERATIONS.md lists the PRESSWATCH_ variables that are not settings"
		}
		problems = append(problems, Problem{File: n + " (environment)", Msg: msg})
	}
	return problems
}

func setScalar(v reflect.Value, s string) error {
	if v.Type() == durationType {
		d, err := time.ParseDuration(s)
		switch {
		case err != nil && durationTooLarge(s):
			return errors.New(msgDurationTooLarge(s))
		case err != nil:
			return errors.New(msgNotDuration(s))
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			if f, ferr := strconv.ParseFloat(s, 64); ferr == nil && !isWhole(f) {
				return errors.New(msgNotWhole(s))
			}
			// Not strconv's "parsing "abc": invalid syntax" (an outside install).
			return fmt.Errorf("%q is not a whole number", s)
		}
		v.SetInt(n)
	case reflect.Float64, reflect.Float32:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		v.SetFloat(f)
	default:
		return fmt.Errorf("cannot be set from the environment")
	}
	return nil
}

var (
	secretType        = reflect.TypeOf(Secret(""))
	credentialURLType = reflect.TypeOf(CredentialURL(""))
)

// readSecretFiles fills every Secret field X that is empty from the file named
// by its sibling X_file, trimming one trailing newline.
func readSecretFiles(v reflect.Value, path string) []error {
	var errs []error
	t := v.Type()
	tags := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		tags[strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]] = i
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		key := tag
		if path != "" {
			key = path + "." + tag
		}
		fv := v.Field(i)
		switch {
		case f.Type == secretType || f.Type == credentialURLType:
			j, ok := tags[tag+"_file"]
			if !ok {
				continue
			}
			file := v.Field(j).String()
			if file == "" {
				continue
			}
			if fv.String() != "" {
				errs = append(errs, Errf(key+"_file", "set together with %s: use one of them", key))
				continue
			}
			b, err := os.ReadFile(file)
			if err != nil {
				errs = append(errs, Errf(key+"_file", "read secret: %v", err))
				continue
			}
			fv.SetString(strings.TrimRight(string(b), "\r\n"))
		case f.Type.Kind() == reflect.Struct && f.Type != durationType:
			errs = append(errs, readSecretFiles(fv, key)...)
		}
	}
	return errs
}

// Dump writes cfg as YAML with every secret shown as "<secret>".
func Dump(w io.Writer, cfg *Config) error {
	var doc yaml.Node
	if err := doc.Encode(cfg); err != nil {
		return fmt.Errorf("dump config: %w", err)
	}
	return writeRedacted(w, &doc)
}

// DumpAlerts writes the alert routing ac as YAML, secrets hidden as Dump
// hides them.
func DumpAlerts(w io.Writer, ac *AlertsConfig) error {
	var doc yaml.Node
	if err := doc.Encode(ac); err != nil {
		return fmt.Errorf("dump alerts config: %w", err)
	}
	return writeRedacted(w, &doc)
}

// writeRedacted writes doc as YAML, credentials inside any URL (a source's
// token) hidden too.
func writeRedacted(w io.Writer, doc *yaml.Node) error {
	redactNode(doc)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("dump config: %w", err)
	}
	return enc.Close()
}
