package classifier

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Story clusters shared between classifier replicas. Each replica sees only
// part of PW_COLLECTED, so each publishes the cluster item of every article
// it classifies (bus.SubjectStories) and merges the others' items into its
// own clusters: a copy of a story that reaches another replica then joins
// the story's cluster. The item carries what clustering compares (SimHash,
// headline and lead words, entities, figures, topics, outlet), not the
// article, so merging costs no analysis. Two copies classified by two
// replicas within the same few milliseconds can still start two clusters.

// storyItem is a clusterItem on the wire.
type storyItem struct {
	Origin   string    `json:"origin"` // the publishing engine, to skip one's own
	ID       string    `json:"id"`
	Cluster  string    `json:"cluster"`
	Lang     string    `json:"lang"`
	At       time.Time `json:"at"`
	SimHash  uint64    `json:"simhash"`
	Entities []string  `json:"entities,omitempty"`
	// HeadEntities are the entities other than places the headline names
	// (clusterItem.headEnts).
	HeadEntities []string        `json:"head_entities,omitempty"`
	Title        []string        `json:"title,omitempty"`
	Lead         []string        `json:"lead,omitempty"`
	Numbers      map[string]bool `json:"numbers,omitempty"`
	Topics       []string        `json:"topics,omitempty"`
	Outlet       string          `json:"outlet,omitempty"`
	About        bool            `json:"about,omitempty"`
}

// maxStoryWords and maxStoryBytes bound a merged item (a headline and a
// lead of leadTokens tokens hold far fewer words, in about 1 KB), so a
// malformed message cannot make the clusters large.
const (
	maxStoryWords = 4 * leadTokens
	maxStoryBytes = 64 << 10
)

func newEngineID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ShareStories makes the engine give publish the encoded cluster item of
// every article it classifies from now on; nil stops it. The classifier
// stage sets it to a publication on the bus while it runs.
func (e *Engine) ShareStories(publish func(data []byte)) {
	e.clusters.mu.Lock()
	defer e.clusters.mu.Unlock()
	if publish == nil {
		e.clusters.share = nil
		return
	}
	origin := e.id
	e.clusters.share = func(it clusterItem) {
		data, err := json.Marshal(storyItem{Origin: origin, ID: it.id, Cluster: it.cluster, Lang: it.lang, At: it.at,
			SimHash: it.simhash, Entities: slices.Sorted(maps.Keys(it.entities)), HeadEntities: it.headEnts, Title: it.title, Lead: it.lead,
			Numbers: it.numbers, Topics: slices.Sorted(maps.Keys(it.topics)), Outlet: it.outlet, About: it.about})
		if err != nil {
			e.log.Warn("story item not shared", "id", it.id, "err", err)
			return
		}
		publish(data)
	}
}

// errOwnStory is MergeStory's answer to an item this engine published.
var errOwnStory = errors.New("own story item")

// MergeStory adds a cluster item another replica published (ShareStories)
// to this engine's clusters, unless the article is already known. Items
// this engine published itself are skipped; a malformed one is an error.
func (e *Engine) MergeStory(data []byte) error {
	// A replica also receives its own items; the origin comes first in the
	// encoding, so those are told without decoding them.
	if bytes.HasPrefix(data, []byte(`{"origin":"`+e.id+`"`)) {
		return errOwnStory
	}
	if len(data) > maxStoryBytes {
		return fmt.Errorf("story item of %d bytes: more than %d", len(data), maxStoryBytes)
	}
	var si storyItem
	if err := json.Unmarshal(data, &si); err != nil {
		return fmt.Errorf("story item: %w", err)
	}
	switch {
	case si.Origin == e.id:
		return errOwnStory
	case si.ID == "" || si.Cluster == "" || si.At.IsZero():
		return fmt.Errorf("story item %q: id, cluster and time are required", si.ID)
	case len(si.Title)+len(si.Lead)+len(si.Entities)+len(si.HeadEntities)+len(si.Numbers)+len(si.Topics) > maxStoryWords:
		return fmt.Errorf("story item %q: more than %d words", si.ID, maxStoryWords)
	}
	set := func(xs []string) map[string]bool {
		m := make(map[string]bool, len(xs))
		for _, x := range xs {
			m[x] = true
		}
		return m
	}
	numbers := si.Numbers
	if numbers == nil {
		numbers = map[string]bool{}
	}
	it := clusterItem{id: si.ID, cluster: si.Cluster, lang: si.Lang, at: si.At.UTC(), simhash: si.SimHash,
		entities: set(si.Entities), headEnts: slices.Compact(slices.Sorted(slices.Values(si.HeadEntities))), title: newWordSet(si.Title), lead: newWordSet(si.Lead), numbers: numbers,
		topics: set(si.Topics), outlet: si.Outlet, about: si.About}
	c := e.clusters
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byID[it.id]; ok {
		return nil
	}
	c.add(it)
	return nil
}

// IsOwnStory reports whether err is MergeStory skipping this engine's own
// item, which is not a failure.
func IsOwnStory(err error) bool { return errors.Is(err, errOwnStory) }
