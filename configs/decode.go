package configs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// msgMultiDoc is the problem of a file with a second YAML document: the
// decoder reads the first and would ignore the rest without a word.
const msgMultiDoc = "the configuration file holds more than one YAML document; presswatch reads one"

// decodeOne decodes the one YAML document in data into out, a pointer to a
// struct, strictly: an unknown key is an error. It returns the decoder's
// error (a *yaml.TypeError, a syntax error, or nil; never io.EOF) and the
// problems the decoder lets through:
//   - a number with a fraction for an integer setting, which the decoder
//     truncates (max_deliver: 1.5 became 1);
//   - a duration too large for time.Duration, which the decoder calls "not
//     a duration" (its type error for that value is dropped);
//   - a second document after "---", which the decoder ignores. A second
//     document that is empty or null (a trailing "---", a commented-out
//     one) holds nothing to ignore and is accepted.
//
// name is the file named in the problems.
func decodeOne(name string, data []byte, out any) ([]Problem, error) {
	doc := &strictDocument{out: out}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(doc)
	var te *yaml.TypeError
	switch {
	case errors.Is(err, io.EOF):
		return nil, nil // empty, or comments only
	case err != nil && !errors.As(err, &te):
		return nil, err // syntax: nothing further is worth reading
	}
	var problems []Problem
	if doc.root != nil {
		vc := valueChecker{file: name, fields: map[reflect.Type]map[string]reflect.Type{}, covered: map[int]bool{}}
		vc.walk(doc.root, reflect.TypeOf(out).Elem(), "", 0)
		problems = vc.problems
		if te != nil && len(vc.covered) > 0 {
			err = dropCovered(te, vc.covered)
		}
	}
	var next yaml.Node
	switch nerr := dec.Decode(&next); {
	case errors.Is(nerr, io.EOF):
	case nerr != nil: // a second document that does not even parse is a second document
		p := yamlSyntaxProblem(name, nerr)
		problems = append(problems, Problem{File: name, Line: p.Line, Msg: msgMultiDoc})
	case len(next.Content) > 0 && next.Content[0].ShortTag() != "!!null":
		problems = append(problems, Problem{File: name, Line: next.Line, Msg: msgMultiDoc})
	}
	return problems, err
}

// strictDocument decodes a document into out and keeps the document's node
// tree, so that decodeOne can check the values against what the file says
// without parsing it twice (for 10,000 sources a second tree is tens of MiB,
// issue 18). It implements the older UnmarshalYAML(func(any) error) form on
// purpose: that callback decodes with the calling Decoder's settings,
// KnownFields included, where yaml.Node.Decode has no way to ask for it. The
// node itself is handed over through a nodeCatcher.
type strictDocument struct {
	out  any
	root *yaml.Node
}

// UnmarshalYAML implements the obsolete yaml.v2 Unmarshaler that yaml.v3
// still honours.
func (d *strictDocument) UnmarshalYAML(unmarshal func(any) error) error {
	var c nodeCatcher
	if err := unmarshal(&c); err != nil {
		return err
	}
	d.root = c.node
	return unmarshal(d.out)
}

// nodeCatcher receives the node it is decoded from.
type nodeCatcher struct{ node *yaml.Node }

// UnmarshalYAML implements yaml.Unmarshaler.
func (c *nodeCatcher) UnmarshalYAML(n *yaml.Node) error {
	c.node = n
	return nil
}

// dropCovered removes from te the type errors of the lines a problem already
// covers, and returns what is left (nil when nothing is).
func dropCovered(te *yaml.TypeError, covered map[int]bool) error {
	var kept []string
	for _, msg := range te.Errors {
		if m := lineRE.FindStringSubmatch(msg); m != nil && badDurationRE.MatchString(m[2]) {
			if l, _ := strconv.Atoi(m[1]); covered[l] {
				continue
			}
		}
		kept = append(kept, msg)
	}
	if len(kept) == 0 {
		return nil
	}
	return &yaml.TypeError{Errors: kept}
}

var (
	durationType          = reflect.TypeOf(time.Duration(0))
	yamlUnmarshalerType   = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()
	obsoleteUnmarshalType = reflect.TypeOf((*interface {
		UnmarshalYAML(func(any) error) error
	})(nil)).Elem()
)

// valueChecker walks a document's nodes beside the Go types they decode
// into, and collects the values the decoder would take wrongly.
type valueChecker struct {
	file     string
	fields   map[reflect.Type]map[string]reflect.Type // struct → YAML key → field type
	covered  map[int]bool                             // lines whose type error a problem replaces
	problems []Problem
}

// walk checks node n, which decodes into a value of type t at key path.
func (vc *valueChecker) walk(n *yaml.Node, t reflect.Type, path string, depth int) {
	if depth > 100 { // aliases nest no deeper in a configuration
		return
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return
		}
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(yamlUnmarshalerType) || reflect.PointerTo(t).Implements(obsoleteUnmarshalType) {
		return // the type reads its own YAML
	}
	switch {
	case t == durationType:
		if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
			if _, err := time.ParseDuration(n.Value); err != nil && durationTooLarge(n.Value) {
				vc.add(n, path, msgDurationTooLarge(n.Value))
				vc.covered[n.Line] = true
			}
		}
	case isInteger(t.Kind()):
		if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!float" {
			var f float64
			if err := n.Decode(&f); err == nil && !isWhole(f) {
				vc.add(n, path, msgNotWhole(n.Value))
			}
		}
	case t.Kind() == reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return
		}
		fields := vc.fieldsOf(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.ShortTag() == "!!merge" { // <<: *anchor, or a list of them
				if v.Kind == yaml.SequenceNode {
					for _, c := range v.Content {
						vc.walk(c, t, path, depth+1)
					}
				} else {
					vc.walk(v, t, path, depth+1)
				}
				continue
			}
			if ft, ok := fields[k.Value]; ok {
				vc.walk(v, ft, joinKey(path, k.Value), depth+1)
			}
		}
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		if n.Kind != yaml.SequenceNode {
			return
		}
		for i, c := range n.Content {
			vc.walk(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
	case t.Kind() == reflect.Map:
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			vc.walk(n.Content[i+1], t.Elem(), joinKey(path, n.Content[i].Value), depth+1)
		}
	}
}

func (vc *valueChecker) add(n *yaml.Node, key, msg string) {
	vc.problems = append(vc.problems, Problem{File: vc.file, Line: n.Line, Key: key, Msg: msg})
}

// fieldsOf maps the YAML keys of struct t to their field types, the fields
// of ",inline" structs included, as the decoder reads them.
func (vc *valueChecker) fieldsOf(t reflect.Type) map[string]reflect.Type {
	if m, ok := vc.fields[t]; ok {
		return m
	}
	m := map[string]reflect.Type{}
	vc.fields[t] = m
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if tag == "-" {
			continue
		}
		if slices.Contains(strings.Split(opts, ","), "inline") {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range vc.fieldsOf(ft) {
					m[k] = v
				}
			}
			continue
		}
		if tag == "" {
			tag = strings.ToLower(f.Name)
		}
		m[tag] = f.Type
	}
	return m
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func isInteger(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	return false
}

// isWhole reports whether f is a finite number without a fraction: 1e3 and
// 2.0 are integers written as decimals, and the decoder takes them exactly.
func isWhole(f float64) bool {
	return !math.IsInf(f, 0) && !math.IsNaN(f) && f == math.Trunc(f)
}

func msgNotWhole(s string) string {
	return fmt.Sprintf("%s is not a whole number: this setting takes an integer", s)
}

// durationSyntaxRE is what time.ParseDuration reads, less the bare "0".
var durationSyntaxRE = regexp.MustCompile(`^[-+]?(([0-9]+\.?[0-9]*|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$`)

// durationTooLarge reports whether s, which time.ParseDuration refused, is
// written as a duration: then the only thing wrong with it is its size.
func durationTooLarge(s string) bool { return durationSyntaxRE.MatchString(s) }

func msgDurationTooLarge(s string) string {
	return fmt.Sprintf("%q is too large: a duration can be at most %s (about 292 years)", s, time.Duration(math.MaxInt64).Truncate(time.Second))
}

func msgNotDuration(s string) string {
	return fmt.Sprintf("%q is not a duration: write a number and a unit, such as 30s, 5m or 2h", s)
}
