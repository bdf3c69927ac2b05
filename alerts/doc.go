// Package alerts turns classified articles into alerts and delivers them.
//
// The Router matches each article against a tree of routes written in the
// project's query language (package query), in the spirit of Prometheus
// Alertmanager: depth first, the deepest matching route wins, continue goes on
// to the next sibling; every route names a receiver, a group_by, group_wait,
// group_interval, repeat_interval and a severity (immediate, or digest-only).
//
// The Stage is a durable consumer of PW_CLASSIFIED. For each batch it decides
// the alerts (applying silences, inhibition, quiet hours and the critical
// override) and writes the alerts and their deliveries in one store
// transaction before the bus acknowledges the messages.
//
// The Sender is the outbox worker: it claims due deliveries, most urgent
// first, renders them (Vietnamese first, then English; HTML and plain text
// from one template source), hands them to a Notifier (SMTP through
// github.com/wneessen/go-mail, or a signed JSON webhook) and marks a delivery
// sent only after the receiver accepted it. A failed attempt is retried with
// exponential backoff and, after the last attempt, marked failed with its
// error. Each delivery has a Message-ID derived from its ID, so a message
// resent after a crash is recognisable.
//
// Mailbox is an in-process SMTP sink (github.com/emersion/go-smtp) for the
// demo and the tests; Triage validates the alert states' transitions.
package alerts

import (
	"strconv"
	"strings"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/query"
)

// Fields of an article that route matchers and silences may use.
//
// Numbers: risk, relevance, tier, age_days (whole days from publication to
// collection: 0 for news collected the day it appeared or with no date, 900
// for a 2024 page found in 2026). Keywords: lang, country, outlet, source,
// topic, entity (canonical name and text), tone, signal (the classifier's
// reason signals), cluster, class (about, mentions, none), about and
// needs_review ("true" or "false"). Text: title and text (summary and body);
// words without a field search both.
func articleDoc(a *article.Article) *query.Document {
	d := query.NewDocument()
	d.AddTextLang("title", a.Title, a.Lang, true)
	d.AddTextLang("text", strings.TrimSpace(a.Summary+"\n"+a.Text), a.Lang, true)
	d.AddKeyword("lang", a.Lang)
	d.AddKeyword("country", a.Country)
	d.AddKeyword("outlet", a.Outlet)
	d.AddKeyword("source", append([]string{a.Source}, a.Sources...)...)
	d.SetNumber("tier", float64(a.Tier))
	d.SetNumber("age_days", float64(ageDays(a)))
	c := a.Classification
	if c == nil {
		c = &article.Classification{}
	}
	d.SetNumber("risk", float64(c.Risk))
	d.SetNumber("relevance", c.Relevance)
	d.AddKeyword("topic", c.Topics...)
	for _, e := range c.Entities {
		d.AddKeyword("entity", e.Canonical, e.Text)
	}
	d.AddKeyword("tone", c.Tone)
	for _, r := range c.Reasons {
		kind, _, _ := strings.Cut(r.Signal, ":") // "narrative:dioxin-cleanup-finished"
		d.AddKeyword("signal", r.Signal, kind)
	}
	d.AddKeyword("cluster", c.Cluster)
	d.AddKeyword("class", c.RelevanceClass())
	d.AddKeyword("about", strconv.FormatBool(c.About))
	d.AddKeyword("needs_review", strconv.FormatBool(c.NeedsReview))
	return d
}

// oldCoverageDays is the age past which an alert email says that the
// article is old coverage found now (a week: a weekly paper's lag).
const oldCoverageDays = 7

// OldCoverageDays returns how many days before its collection a was
// published when that is more than a week (the age at which an alert email
// says "old coverage, not news"), else 0. The inbox and the alert page say
// it too.
func OldCoverageDays(a *article.Article) int {
	if d := ageDays(a); d > oldCoverageDays {
		return d
	}
	return 0
}

// ageDays is how many whole days old an article was when it was collected:
// a route can keep old pages found late (a new source's archive, a page
// linked years on) out of the immediate mail with "age_days<=30".
func ageDays(a *article.Article) int {
	if a.Published.IsZero() || a.Collected.IsZero() || !a.Collected.After(a.Published) {
		return 0
	}
	return int(a.Collected.Sub(a.Published) / (24 * time.Hour))
}

// groupValue returns an article's value of a group_by / inhibit field.
func groupValue(a *article.Article, field string) string {
	switch field {
	case "cluster":
		if a.Classification != nil && a.Classification.Cluster != "" {
			return a.Classification.Cluster
		}
		return "article:" + a.ID // an article without a story is a story of its own
	case "outlet":
		return a.Outlet
	case "country":
		return a.Country
	case "lang":
		return a.Lang
	case "source":
		return a.Source
	case "article":
		return a.ID
	}
	return ""
}

// storeEqKey maps a group field to the store's HasAlert key.
func storeEqKey(field string) string { return field }
