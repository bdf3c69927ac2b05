package store

import "time"

// States of a crawler item (CrawlerItem.State).
const (
	// ItemQueued: found in a feed; its page is still to be fetched (maybe
	// deferred to NextAttempt) and the article published.
	ItemQueued = 0
	// ItemPublishing: being published as PubID; after a crash it may or may
	// not be on the bus (the crawler checks the bus before publishing again).
	ItemPublishing = 1
	// ItemDone: published or merged into a stored record; never again.
	ItemDone = 2
	// ItemForget in a CrawlerBatch deletes the record: the entry is new
	// again (its publish never happened and its feed will be read again).
	ItemForget = -1
)

// CrawlerItem is what the crawler remembers about one entry of one source,
// keyed by (Source, Key): Key is the first 8 bytes of the entry's article ID.
type CrawlerItem struct {
	Source      string
	Key         int64
	State       int
	PubID       string // the article ID published (ItemPublishing)
	Article     []byte // the entry in its wire form while not done; nil when done
	Attempts    int    // page fetches that failed
	NextAttempt time.Time
	Textless    bool // published without its page's text: publish again when the text comes
	LastError   string
	Updated     time.Time // set by the store
}

// Fingerprint is a near-duplicate fingerprint of a published article: later
// copies of the same text become sources of article ID.
type Fingerprint struct {
	ID, Canon string
	FP        uint64
	Sources   []string
	Added     time.Time
}

// CrawlerBatch is one group commit of crawler state.
type CrawlerBatch struct {
	States       []SourceState
	Items        []CrawlerItem
	Fingerprints []Fingerprint
}

// Len is the number of records in the batch.
func (b CrawlerBatch) Len() int { return len(b.States) + len(b.Items) + len(b.Fingerprints) }
