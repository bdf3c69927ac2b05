package classifier

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dongnai/presswatch/article"
)

func TestConcernsFileErrors(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown key", "concerns:\n  - name: a\n    query: strike\n    colour: red\n", "colour"},
		{"missing name", "concerns:\n  - query: strike\n", "missing name"},
		{"twice", "concerns:\n  - name: a\n    query: strike\n  - name: a\n    query: riot\n", "defined twice"},
		{"bad query", "concerns:\n  - name: a\n    query: (strike\n", "query"},
		{"negative weight", "concerns:\n  - name: a\n    query: strike\n    weight: -5\n", "negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Rules{}
			errs := r.addConcerns([]byte(tc.yaml))
			if len(errs) == 0 {
				t.Fatalf("no error for %q", tc.yaml)
			}
			var re *RuleError
			if !errors.As(errs[0], &re) || re.File != "concerns.yaml" || !strings.Contains(errs[0].Error(), tc.want) {
				t.Fatalf("error %v, want a concerns.yaml RuleError mentioning %q", errs[0], tc.want)
			}
		})
	}
}

// TestConcernReasons: a strike in a province story is a concern with the
// words that matched; a theft is not; a story not about the province gets
// no concern weight.
func TestConcernReasons(t *testing.T) {
	e := newTestEngine(t, nil)
	classify := func(title, text string) *article.Classification {
		t.Helper()
		c, err := e.Classify(context.Background(), &article.Article{ID: title, Lang: "vi", Title: title, Text: text, Published: date("2026-01-10")})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	find := func(c *article.Classification, signal string) *article.Reason {
		for i := range c.Reasons {
			if c.Reasons[i].Signal == signal {
				return &c.Reasons[i]
			}
		}
		return nil
	}
	c := classify("Công nhân đình công tại Biên Hòa, Đồng Nai", "Hơn 2.000 công nhân ngừng việc vì công ty nợ lương ba tháng tại Đồng Nai.")
	r := find(c, "concern:labour_unrest")
	if r == nil || r.Weight != 20 || !strings.Contains(r.Detail, "đình công") || !strings.Contains(r.Detail, "ngừng việc") || strings.Contains(r.Detail, "ngưng việc") {
		t.Fatalf("strike story: reasons %+v, want concern:labour_unrest (+20) naming đình công and ngừng việc once", c.Reasons)
	}
	c = classify("Bắt kẻ trộm xe máy ở Đồng Nai", "Công an Đồng Nai bắt một người trộm xe máy tại chợ.")
	for _, r := range c.Reasons {
		if strings.HasPrefix(r.Signal, "concern:") {
			t.Fatalf("a theft is not a concern: %+v", r)
		}
	}
	c = classify("Công nhân đình công ở Hà Nội", "Hơn 2.000 công nhân ngừng việc tại Hà Nội, Hải Phòng và Bắc Ninh.")
	for _, r := range c.Reasons {
		if strings.HasPrefix(r.Signal, "concern:") {
			t.Fatalf("not about the province, no concern weight: %+v", r)
		}
	}
}
