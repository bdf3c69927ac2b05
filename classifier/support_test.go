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

// TestRuleSupport lists, with -v and PW_SUPPORT=1, every rule entry and the
// dev items it matches, so that entries matching a single item can be
// reviewed (docs/classifier.md, "rules that are general").
func TestRuleSupport(t *testing.T) {
	if os.Getenv("PW_SUPPORT") == "" {
		t.Skip("set PW_SUPPORT=1 to list rule support on the dev corpus")
	}
	items := loadDevCorpus(t)
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
	report := func(kind, name string, ids []string) {
		if len(ids) <= 1 {
			fmt.Printf("%-8s %d %-50s %s\n", kind, len(ids), name, strings.Join(ids, ","))
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
}
