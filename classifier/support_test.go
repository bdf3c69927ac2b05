package classifier

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/dongnai/presswatch/internal/textnorm"
	"github.com/dongnai/presswatch/query"
)

// singleSupportFile lists the rule entries that match exactly one corpus
// item and were kept after review, one "kind<TAB>entry" per line.
const singleSupportFile = "testdata/single_support.txt"

// TestRuleSupport fails when a rule entry (trap, implicit reference, topic
// or concern alternative, lexicon entry, narrative, stale fact) matches
// exactly one corpus item and is not in singleSupportFile: such an entry may
// exist only because that item needed it, so a person must decide whether
// an analyst would write it (docs/classifier.md, "rules that are general")
// and either remove it or add it to the file. With PW_SUPPORT=1 and -v it
// prints every entry with zero or one supporting item.
func TestRuleSupport(t *testing.T) {
	items := loadDevCorpus(t)
	reviewed := map[string]bool{}
	if b, err := os.ReadFile(singleSupportFile); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if line != "" && !strings.HasPrefix(line, "#") {
				reviewed[line] = true
			}
		}
	}
	var unreviewed []string
	e := newTestEngine(t, nil)
	r := e.Rules()
	type doc struct {
		id   string
		toks []string
		an   *analysis
	}
	var docs []doc
	for i := range items {
		if !strings.HasPrefix(items[i].ID, "dn-") {
			continue
		}
		an := e.analyze(r, items[i].Article())
		ws := make([]string, len(an.toks))
		for k, tk := range an.toks {
			ws[k] = tk.Text
		}
		docs = append(docs, doc{items[i].ID, ws, an})
	}
	has := func(d doc, phrase string) bool {
		p := textnorm.Words(phrase)
		if len(p) == 0 {
			return false
		}
	outer:
		for i := 0; i+len(p) <= len(d.toks); i++ {
			for k := range p {
				if d.toks[i+k] != p[k] {
					continue outer
				}
			}
			return true
		}
		return false
	}
	verbose := os.Getenv("PW_SUPPORT") != "" && testing.Verbose()
	report := func(kind, name string, ids []string) {
		if verbose && len(ids) <= 1 {
			fmt.Printf("%-8s %d %-50s %s\n", kind, len(ids), name, strings.Join(ids, ","))
		}
		if key := kind + "\t" + name; len(ids) == 1 && !reviewed[key] {
			unreviewed = append(unreviewed, key+"\t"+ids[0])
		}
	}
	for _, tr := range r.traps {
		var ids []string
		for _, d := range docs {
			if has(d, tr.Text) {
				ids = append(ids, d.id)
			}
		}
		report("trap", tr.Text, ids)
	}
	for _, im := range r.implied {
		var ids []string
		for _, d := range docs {
			if im.query.Match(d.an.doc) {
				ids = append(ids, d.id)
			}
		}
		report("implicit", im.ID, ids)
	}
	for _, tp := range r.topics {
		for _, alt := range tp.alts {
			var ids []string
			for _, d := range docs {
				if alt.Match(d.an.doc) {
					ids = append(ids, d.id)
				}
			}
			report("topic", tp.Name+": "+query.String(alt.Node()), ids)
		}
	}
	for _, c := range r.concerns {
		for _, alt := range c.alts {
			var ids []string
			for _, d := range docs {
				if alt.Match(d.an.doc) {
					ids = append(ids, d.id)
				}
			}
			report("concern", c.Name+": "+query.String(alt.Node()), ids)
		}
	}
	var lex []string
	seen := map[string]bool{}
	for _, l := range r.lex {
		if !seen[l.Text] {
			seen[l.Text] = true
			lex = append(lex, l.Text)
		}
	}
	sort.Strings(lex)
	for _, l := range lex {
		var ids []string
		for _, d := range docs {
			if has(d, l) {
				ids = append(ids, d.id)
			}
		}
		report("lexicon", l, ids)
	}
	for _, n := range r.narrs {
		var ids []string
		for _, d := range docs {
			if n.claim.Match(d.an.doc) {
				ids = append(ids, d.id)
			}
		}
		report("narr", n.ID, ids)
	}
	for _, s := range r.stale {
		var ids []string
		for _, d := range docs {
			if s.query.Match(d.an.doc) {
				ids = append(ids, d.id)
			}
		}
		report("stale", s.ID, ids)
	}
	if len(unreviewed) > 0 {
		if os.Getenv("PW_SUPPORT_WRITE") != "" {
			t.Logf("unreviewed single-support entries (kind, entry, item):\n%s", strings.Join(unreviewed, "\n"))
		}
		t.Errorf("%d rule entries match exactly one corpus item and are not in %s; review each (remove it, or add it "+
			"if an analyst would write it without that item), first: %q", len(unreviewed), singleSupportFile, unreviewed[0])
	}
}
