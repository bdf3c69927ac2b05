package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Evidence: captures of alerted or opened articles, re-checked on a schedule,
// and the office's responses with their outcome (issue 16).

// Reasons an article is captured.
const (
	EvidenceAlert  = "alert"
	EvidenceOpened = "opened"
)

// Changes a capture can show against the one before.
const (
	ChangeFirst       = "first"
	ChangeUnchanged   = "unchanged"
	ChangeEdited      = "edited"
	ChangeCorrected   = "corrected"
	ChangeRetracted   = "retracted"
	ChangeDeleted     = "deleted"
	ChangeUnreachable = "unreachable"
)

// Response channels and outcomes.
const (
	ChannelPressRelease = "press_release"
	ChannelLetter       = "letter"
	ChannelStatement    = "statement"
	ChannelOther        = "other"

	OutcomePending   = "pending"
	OutcomeCorrected = "corrected"
	OutcomeRetracted = "retracted"
	OutcomeUnchanged = "unchanged"
	OutcomeRepeated  = "repeated"
)

// EvidenceCheck is an article whose page is captured and re-checked.
type EvidenceCheck struct {
	ArticleID string
	URL       string
	Reason    string // EvidenceAlert or EvidenceOpened
	Step      int    // captures made so far
	NextAt    time.Time
	CreatedAt time.Time
}

// Snapshot is one capture of an article's page.
type Snapshot struct {
	ID          string
	ArticleID   string
	Seq         int // 1 for the first capture
	URL         string
	FinalURL    string // after redirects
	Status      int    // HTTP status; 0 when unreachable
	CapturedAt  time.Time
	SHA256      string // of the body as fetched
	Title, Text string // extracted
	Headers     string // JSON object
	WARCPath    string // key of the WARC file in the evidence store (folder or bucket)
	WARCSHA256  string // of the WARC file as stored; checked when it is read
	// ScreenshotPath is the key of a full-page PNG of the page as archived
	// (empty when none was taken: ScreenshotNote says why).
	ScreenshotPath   string
	ScreenshotSHA256 string
	ScreenshotNote   string
	Change           string // against the previous capture
	ChangeDetail     string
}

// Response is the office's answer to a story.
type Response struct {
	ID          string
	Cluster     string
	ArticleID   string
	Text        string
	RespondedOn time.Time
	Channel     string
	ApprovedBy  string
	Narratives  []string
	CreatedBy   string
	CreatedAt   time.Time
	Outcome     string
	OutcomeNote string
	OutcomeAt   time.Time
}

// ResponseFilter selects responses; zero fields select all.
type ResponseFilter struct {
	Cluster      string
	ArticleID    string
	Since, Until time.Time // on RespondedOn
	Open         bool      // outcome still pending
}

// EvidenceStore keeps captures, their schedule and the responses.
type EvidenceStore interface {
	// RequestEvidence schedules c (NextAt, default now); an article already
	// scheduled keeps its schedule.
	RequestEvidence(ctx context.Context, c EvidenceCheck) error
	// DueEvidence returns up to limit checks due at now, earliest first.
	DueEvidence(ctx context.Context, now time.Time, limit int) ([]EvidenceCheck, error)
	// SaveSnapshot records s and moves its check to step s.Seq with next
	// (zero: the schedule is over), in one transaction. Saving the same
	// (article, seq) again changes nothing.
	SaveSnapshot(ctx context.Context, s Snapshot, next time.Time) error
	// ListSnapshots returns an article's captures, oldest first.
	ListSnapshots(ctx context.Context, articleID string) ([]Snapshot, error)
	// GetSnapshot returns one capture or ErrNotFound.
	GetSnapshot(ctx context.Context, id string) (Snapshot, error)
	// UpsertResponse stores r keyed by ID.
	UpsertResponse(ctx context.Context, r Response) error
	// SetResponseOutcome sets the outcome of response id (ErrNotFound if none).
	SetResponseOutcome(ctx context.Context, id, outcome, note string, at time.Time) error
	// ListResponses returns matching responses, newest first (ties by ID).
	ListResponses(ctx context.Context, f ResponseFilter) ([]Response, error)
}

// Both backends implement EvidenceStore.
var (
	_ EvidenceStore = (*sqliteStore)(nil)
	_ EvidenceStore = (*pgStore)(nil)
)

// SnapshotID is the ID of capture seq of an article.
func SnapshotID(articleID string, seq int) string { return fmt.Sprintf("%s-%d", articleID, seq) }

// ErrInvalidResponse is returned for a response that cannot be stored.
var ErrInvalidResponse = errors.New("invalid response")

// Limits of a response's free text.
const (
	maxResponseText = 20000
	maxResponseLine = 200
)

func checkResponse(r Response) error {
	bad := func(why string) error { return fmt.Errorf("%w: %s", ErrInvalidResponse, why) }
	switch {
	case r.ID == "" || r.Cluster == "" && r.ArticleID == "":
		return bad("an ID and a story or article are required")
	case strings.TrimSpace(r.Text) == "":
		return bad("the text is empty")
	case utf8.RuneCountInString(r.Text) > maxResponseText:
		return bad(fmt.Sprintf("the text is longer than %d characters", maxResponseText))
	case utf8.RuneCountInString(r.ApprovedBy) > maxResponseLine || utf8.RuneCountInString(r.CreatedBy) > maxResponseLine:
		return bad("a name is too long")
	case r.RespondedOn.IsZero():
		return bad("the date is missing")
	}
	switch r.Channel {
	case ChannelPressRelease, ChannelLetter, ChannelStatement, ChannelOther:
	default:
		return bad(fmt.Sprintf("unknown channel %q", r.Channel))
	}
	switch r.Outcome {
	case "", OutcomePending, OutcomeCorrected, OutcomeRetracted, OutcomeUnchanged, OutcomeRepeated:
	default:
		return bad(fmt.Sprintf("unknown outcome %q", r.Outcome))
	}
	for _, s := range []string{r.ID, r.Cluster, r.ArticleID, r.Text, r.ApprovedBy, r.CreatedBy} {
		if strings.ContainsRune(s, 0) {
			return bad("a NUL character")
		}
	}
	return nil
}

func joinList(xs []string) string {
	var out []string
	for _, x := range xs {
		if x = strings.TrimSpace(strings.ReplaceAll(x, ",", " ")); x != "" {
			out = append(out, x)
		}
	}
	return strings.Join(out, ",")
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
