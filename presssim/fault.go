package presssim

import (
	"encoding/json"
	"fmt"
	"time"
)

// FaultKind names one way a source misbehaves.
type FaultKind string

// The faults a source can be given with SetFault or POST /_sim/fault.
const (
	// FaultLatency delays every response by Fault.Latency (other kinds may
	// set Latency too; it then adds to them).
	FaultLatency FaultKind = "latency"
	// FaultHang accepts the request and never answers until the client gives
	// up (or the server closes).
	FaultHang FaultKind = "hang"
	// FaultStall sends the headers and the first bytes of the body, then
	// hangs: it tests body read deadlines.
	FaultStall FaultKind = "stall"
	// FaultStatus answers with Fault.Status (default 503) and a short body.
	FaultStatus FaultKind = "status"
	// FaultRateLimit answers 429 Too Many Requests with Retry-After
	// (Fault.RetryAfter, default 120s, in whole seconds).
	FaultRateLimit FaultKind = "ratelimit"
	// FaultRedirectLoop redirects (302) between two URLs forever.
	FaultRedirectLoop FaultKind = "redirect_loop"
	// FaultWrongCharset sends the body in the outlet's legacy charset
	// (windows-1258, Shift_JIS, EUC-KR, GBK, windows-1252) while the header
	// and the document declare UTF-8.
	FaultWrongCharset FaultKind = "wrong_charset"
	// FaultMislabeledUTF8 sends a UTF-8 body whose header and document
	// declare the outlet's legacy charset.
	FaultMislabeledUTF8 FaultKind = "mislabeled_utf8"
	// FaultNoCharset sends the body in the outlet's legacy charset with no
	// charset anywhere (header, meta, XML declaration).
	FaultNoCharset FaultKind = "no_charset"
	// FaultTruncated cuts the document at 60% (the HTTP framing is correct:
	// the XML or HTML itself is incomplete).
	FaultTruncated FaultKind = "truncated"
	// FaultHuge streams a well-formed document of Fault.Size bytes (default
	// 50 MiB) without holding it in memory.
	FaultHuge FaultKind = "huge"
	// FaultGzipBomb sends Content-Encoding: gzip with a valid gzip stream that
	// inflates to Fault.Size bytes (default 10 GiB), whatever the request's
	// Accept-Encoding. It is generated while streaming (about 1 KB per MiB).
	FaultGzipBomb FaultKind = "gzip_bomb"
	// FaultRobotsDisallow makes the source's robots.txt (and its entry in
	// /robots.txt) disallow everything; pages are still served, so a crawler
	// that fetches them is caught by Hits.
	FaultRobotsDisallow FaultKind = "robots_disallow"
	// FaultBadDates writes dates that common parsers cannot read (or that are
	// not dates at all) in feeds, sitemaps and article metadata.
	FaultBadDates FaultKind = "bad_dates"
)

// FaultKinds lists every fault kind, for help texts and tests.
var FaultKinds = []FaultKind{FaultLatency, FaultHang, FaultStall, FaultStatus, FaultRateLimit, FaultRedirectLoop,
	FaultWrongCharset, FaultMislabeledUTF8, FaultNoCharset, FaultTruncated, FaultHuge, FaultGzipBomb,
	FaultRobotsDisallow, FaultBadDates}

// Fault is the misbehaviour of one source.
type Fault struct {
	Kind       FaultKind     // what goes wrong
	Latency    time.Duration // added delay before answering (any kind)
	Status     int           // FaultStatus: the status code, default 503
	RetryAfter time.Duration // FaultRateLimit: the Retry-After, default 120s
	Size       int64         // FaultHuge / FaultGzipBomb: body / inflated size in bytes
	// Target limits the fault to one kind of resource: "feed" (RSS, Atom,
	// JSON Feed), "page" (home, sections, articles), "sitemap", "robots";
	// "" means every resource of the source.
	Target string
	// Times is how many responses the fault affects before it clears itself;
	// 0 means until ClearFault.
	Times int
}

// faultJSON is Fault on the wire, with durations as Go duration strings.
type faultJSON struct {
	Kind       FaultKind `json:"kind"`
	Latency    string    `json:"latency,omitempty"`
	Status     int       `json:"status,omitempty"`
	RetryAfter string    `json:"retry_after,omitempty"`
	Size       int64     `json:"size,omitempty"`
	Target     string    `json:"target,omitempty"`
	Times      int       `json:"times,omitempty"`
}

// MarshalJSON writes durations as strings such as "250ms".
func (f Fault) MarshalJSON() ([]byte, error) {
	j := faultJSON{Kind: f.Kind, Status: f.Status, Size: f.Size, Target: f.Target, Times: f.Times}
	if f.Latency != 0 {
		j.Latency = f.Latency.String()
	}
	if f.RetryAfter != 0 {
		j.RetryAfter = f.RetryAfter.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (f *Fault) UnmarshalJSON(data []byte) error {
	var j faultJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*f = Fault{Kind: j.Kind, Status: j.Status, Size: j.Size, Target: j.Target, Times: j.Times}
	var err error
	if j.Latency != "" {
		if f.Latency, err = time.ParseDuration(j.Latency); err != nil {
			return fmt.Errorf("latency: %w", err)
		}
	}
	if j.RetryAfter != "" {
		if f.RetryAfter, err = time.ParseDuration(j.RetryAfter); err != nil {
			return fmt.Errorf("retry_after: %w", err)
		}
	}
	return nil
}

// validate checks f and fills its defaults.
func (f *Fault) validate() error {
	known := false
	for _, k := range FaultKinds {
		known = known || k == f.Kind
	}
	if !known {
		return fmt.Errorf("unknown fault kind %q", f.Kind)
	}
	switch f.Target {
	case "", kindFeed, kindPage, kindSitemap, kindRobots:
	default:
		return fmt.Errorf("unknown fault target %q (feed, page, sitemap, robots or empty)", f.Target)
	}
	if f.Latency < 0 || f.RetryAfter < 0 || f.Size < 0 || f.Times < 0 {
		return fmt.Errorf("fault %s: negative value", f.Kind)
	}
	switch f.Kind {
	case FaultStatus:
		if f.Status == 0 {
			f.Status = 503
		}
		if f.Status < 400 || f.Status > 599 {
			return fmt.Errorf("fault status: %d is not an error status", f.Status)
		}
	case FaultRateLimit:
		if f.RetryAfter == 0 {
			f.RetryAfter = 120 * time.Second
		}
	case FaultHuge:
		if f.Size == 0 {
			f.Size = 50 << 20
		}
	case FaultGzipBomb:
		if f.Size == 0 {
			f.Size = 10 << 30
		}
	}
	return nil
}

// faultState is a source's active fault and what is left of it.
type faultState struct {
	f         Fault
	remaining int // responses left when f.Times > 0
}

// SetFault gives source a fault, replacing any other. Source "farm" applies
// to the whole feed farm.
func (s *Server) SetFault(sourceName string, f Fault) error {
	if err := f.validate(); err != nil {
		return fmt.Errorf("set fault on %q: %w", sourceName, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &faultState{f: f, remaining: f.Times}
	if sourceName == farmSource {
		if s.farm == nil {
			return fmt.Errorf("set fault on %q: no farm configured", sourceName)
		}
		s.farm.fault = st
		s.farm.hasF.Store(true)
		return nil
	}
	src, ok := s.sources[sourceName]
	if !ok {
		return fmt.Errorf("set fault: unknown source %q", sourceName)
	}
	src.fault = st
	s.log.Info("fault set", "source", sourceName, "kind", string(f.Kind))
	return nil
}

// ClearFault removes source's fault, if any.
func (s *Server) ClearFault(sourceName string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sourceName == farmSource && s.farm != nil {
		s.farm.fault = nil
		s.farm.hasF.Store(false)
		return
	}
	if src, ok := s.sources[sourceName]; ok {
		src.fault = nil
	}
}

// takeFault returns the fault that applies to a request for a resource of
// kind at st, consuming one use of a counted fault. The caller holds s.mu.
func takeFault(slot **faultState, kind string) *Fault {
	st := *slot
	if st == nil {
		return nil
	}
	if st.f.Target != "" && st.f.Target != kind {
		return nil
	}
	// robots_disallow changes only robots.txt; the pages themselves are served.
	if st.f.Kind == FaultRobotsDisallow && kind != kindRobots {
		return nil
	}
	f := st.f
	if f.Times > 0 {
		st.remaining--
		if st.remaining <= 0 {
			*slot = nil
		}
	}
	return &f
}
