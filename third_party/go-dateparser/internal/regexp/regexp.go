// Package regexp wraps the standard library's regexp for go-dateparser.
//
// presswatch's copy (see third_party/go-dateparser/PRESSWATCH.md): a pattern
// is compiled on its first use instead of by MustCompile. The locale tables
// declare about 4,000 patterns in package initialisers; compiling them all at
// start-up took ~0.3 s and ~25 MiB of live heap in every presswatch process,
// although a crawler only ever runs the few that its pages' dates need.
package regexp

import (
	stdregex "regexp"
	"sync"
)

// Regexp is a pattern compiled on first use.
type Regexp struct {
	expr string
	once sync.Once
	rx   *stdregex.Regexp
}

// all is every pattern made by MustCompile, for CompileAll.
var (
	allMu sync.Mutex
	all   []*Regexp
)

func (re *Regexp) get() *stdregex.Regexp {
	re.once.Do(func() { re.rx = stdregex.MustCompile(re.expr) })
	return re.rx
}

func QuoteMeta(s string) string {
	return stdregex.QuoteMeta(s)
}

func Compile(str string) (*Regexp, error) {
	rx, err := stdregex.Compile(str)
	if err != nil {
		return nil, err
	}
	re := &Regexp{expr: str, rx: rx}
	re.once.Do(func() {})
	return re, nil
}

// MustCompile records the pattern; it is compiled when first used, and a
// pattern that does not compile panics then (CompileAll finds such a pattern
// without running it).
func MustCompile(str string) *Regexp {
	re := &Regexp{expr: str}
	allMu.Lock()
	all = append(all, re)
	allMu.Unlock()
	return re
}

// CompileAll checks that every pattern made by MustCompile so far compiles
// and returns the first error. Tests use it; what it compiles is not kept.
func CompileAll() error {
	allMu.Lock()
	res := append([]*Regexp(nil), all...)
	allMu.Unlock()
	for _, re := range res {
		if _, err := stdregex.Compile(re.expr); err != nil {
			return err
		}
	}
	return nil
}

func (re *Regexp) Expand(dst []byte, template []byte, src []byte, match []int) []byte {
	return re.get().Expand(dst, template, src, match)
}

func (re *Regexp) ExpandString(dst []byte, template string, src string, match []int) []byte {
	return re.get().ExpandString(dst, template, src, match)
}

func (re *Regexp) Find(b []byte) []byte {
	return re.get().Find(b)
}

func (re *Regexp) FindAll(b []byte, n int) [][]byte {
	return re.get().FindAll(b, n)
}

func (re *Regexp) FindAllIndex(b []byte, n int) [][]int {
	return re.get().FindAllIndex(b, n)
}

func (re *Regexp) FindAllString(s string, n int) []string {
	return re.get().FindAllString(s, n)
}

func (re *Regexp) FindAllStringIndex(s string, n int) [][]int {
	return re.get().FindAllStringIndex(s, n)
}

func (re *Regexp) FindAllStringSubmatch(s string, n int) [][]string {
	return re.get().FindAllStringSubmatch(s, n)
}

func (re *Regexp) FindAllStringSubmatchIndex(s string, n int) [][]int {
	return re.get().FindAllStringSubmatchIndex(s, n)
}

func (re *Regexp) FindAllSubmatch(b []byte, n int) [][][]byte {
	return re.get().FindAllSubmatch(b, n)
}

func (re *Regexp) FindAllSubmatchIndex(b []byte, n int) [][]int {
	return re.get().FindAllSubmatchIndex(b, n)
}

func (re *Regexp) FindIndex(b []byte) (loc []int) {
	return re.get().FindIndex(b)
}

func (re *Regexp) FindString(s string) string {
	return re.get().FindString(s)
}

func (re *Regexp) FindStringIndex(s string) (loc []int) {
	return re.get().FindStringIndex(s)
}

func (re *Regexp) FindStringSubmatch(s string) []string {
	return re.get().FindStringSubmatch(s)
}

func (re *Regexp) FindStringSubmatchIndex(s string) []int {
	return re.get().FindStringSubmatchIndex(s)
}

func (re *Regexp) FindSubmatch(b []byte) [][]byte {
	return re.get().FindSubmatch(b)
}

func (re *Regexp) FindSubmatchIndex(b []byte) []int {
	return re.get().FindSubmatchIndex(b)
}

func (re *Regexp) Longest() {
	re.get().Longest()
}

func (re *Regexp) Match(b []byte) bool {
	return re.get().Match(b)
}

func (re *Regexp) MatchString(s string) bool {
	return re.get().MatchString(s)
}

func (re *Regexp) NumSubexp() int {
	return re.get().NumSubexp()
}

func (re *Regexp) ReplaceAll(src, repl []byte) []byte {
	return re.get().ReplaceAll(src, repl)
}

func (re *Regexp) ReplaceAllLiteral(src, repl []byte) []byte {
	return re.get().ReplaceAllLiteral(src, repl)
}

func (re *Regexp) ReplaceAllLiteralString(src, repl string) string {
	return re.get().ReplaceAllLiteralString(src, repl)
}

func (re *Regexp) ReplaceAllString(src, repl string) string {
	return re.get().ReplaceAllString(src, repl)
}

func (re *Regexp) Split(s string, n int) []string {
	return re.get().Split(s, n)
}

func (re *Regexp) String() string {
	return re.expr
}

func (re *Regexp) SubexpIndex(name string) int {
	return re.get().SubexpIndex(name)
}

func (re *Regexp) SubexpNames() []string {
	return re.get().SubexpNames()
}
