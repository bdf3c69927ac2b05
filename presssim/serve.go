package presssim

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Resource kinds, for fault targets.
const (
	kindFeed     = "feed"
	kindPage     = "page"
	kindSitemap  = "sitemap"
	kindRobots   = "robots"
	kindOther    = "other"
	kindRedirect = "redirect"
)

// renderCtx tells a renderer how to write a document.
type renderCtx struct {
	base     string // "http://127.0.0.1:PORT"
	charset  string // declared in the document; "" declares none
	badDates bool
}

// doc is a rendered document.
type doc struct {
	ctype  string // media type without parameters
	body   []byte
	mod    time.Time
	noDecl bool // the format has no in-document charset declaration (JSON, text)
	binary bool // not text: no charset faults
}

// renderer produces a document for a render context.
type renderer func(rc renderCtx) doc

// ServeHTTP routes a request: /_sim/ control, /farm/ feeds, global robots.txt
// and sitemap index, and /{source}/… outlets.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.countHit(r.URL.Path)
	w.Header().Set("Server", "presssim")
	if s.opts.Latency > 0 && !strings.HasPrefix(r.URL.Path, "/_sim/") {
		if !s.sleep(r, s.opts.Latency) {
			return
		}
	}
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/_sim/"):
		s.serveControl(w, r)
		return
	case strings.HasPrefix(p, "/farm/"):
		s.serveFarm(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	kind, rend, fault, src := s.route(p)
	if kind == kindRedirect {
		http.Redirect(w, r, p+"/", http.StatusMovedPermanently)
		return
	}
	if rend == nil && fault == nil {
		http.NotFound(w, r)
		return
	}
	legacy := "windows-1252"
	if src != nil {
		legacy = src.Legacy
	}
	s.respond(w, r, kind, rend, fault, legacy)
}

// sleep waits d, or until the client or the server gives up; it reports
// whether the wait completed.
func (s *Server) sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-s.done:
	}
	return false
}

// route finds the renderer for path and the fault that applies to it.
func (s *Server) route(p string) (kind string, rend renderer, fault *Fault, src *source) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch p {
	case "/":
		return kindPage, s.renderIndex(), nil, nil
	case "/robots.txt":
		return kindRobots, s.renderGlobalRobots(), nil, nil
	case "/sitemap.xml":
		return kindSitemap, s.renderSitemapIndex(), nil, nil
	}
	rest := strings.TrimPrefix(p, "/")
	name, sub, _ := strings.Cut(rest, "/")
	src, ok := s.sources[name]
	if !ok {
		return "", nil, nil, nil
	}
	sub = "/" + sub
	switch {
	case rest == name: // "/viendong" → "/viendong/"
		return kindRedirect, nil, nil, src
	case sub == "/":
		kind, rend = kindPage, s.renderListing(src, "", 0)
	case sub == "/rss.xml":
		kind, rend = kindFeed, s.renderRSS(src)
	case sub == "/atom.xml":
		kind, rend = kindFeed, s.renderAtom(src)
	case sub == "/feed.json":
		kind, rend = kindFeed, s.renderJSONFeed(src)
	case sub == "/sitemap.xml":
		kind, rend = kindSitemap, s.renderSitemap(src)
	case sub == "/news-sitemap.xml":
		kind, rend = kindSitemap, s.renderNewsSitemap(src)
	case sub == "/robots.txt":
		kind, rend = kindRobots, s.renderRobots(src)
	case strings.HasPrefix(sub, "/img/"):
		kind, rend = kindOther, func(renderCtx) doc {
			return doc{ctype: "image/gif", body: pixelGIF, mod: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), binary: true}
		}
	case strings.HasSuffix(sub, ".html"):
		if e, ok := src.byPath[p]; ok {
			kind, rend = kindPage, s.renderArticle(src, e)
		}
	default:
		sec, page, ok := parseSectionPath(sub)
		if ok {
			if _, known := src.Sections[sec]; known {
				kind, rend = kindPage, s.renderListing(src, sec, page)
			}
		}
	}
	if kind == "" {
		kind = kindOther
	}
	fault = takeFault(&src.fault, kind)
	if fault != nil && fault.Kind == FaultRobotsDisallow {
		fault = nil // rendered by renderRobots itself
	}
	return kind, rend, fault, src
}

// parseSectionPath reads "/{section}/" and "/{section}/page/{n}/".
func parseSectionPath(sub string) (sec string, page int, ok bool) {
	parts := strings.Split(strings.Trim(sub, "/"), "/")
	switch {
	case len(parts) == 1 && parts[0] != "":
		return parts[0], 0, true
	case len(parts) == 3 && parts[1] == "page":
		n, err := strconv.Atoi(parts[2])
		if err != nil || n < 1 || n > 100000 {
			return "", 0, false
		}
		return parts[0], n - 1, true
	}
	return "", 0, false
}

// respond writes rend's document, applying fault and conditional GET.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, kind string, rend renderer, f *Fault, legacy string) {
	h := w.Header()
	if f != nil && f.Latency > 0 {
		if !s.sleep(r, f.Latency) {
			return
		}
	}
	rc := renderCtx{base: s.url, charset: "utf-8"}
	declared := "utf-8" // in the Content-Type header; "" for none
	encodeTo := ""      // legacy charset to encode the body in
	if f != nil {
		switch f.Kind {
		case FaultHang:
			s.hang(r)
			return
		case FaultStatus:
			http.Error(w, fmt.Sprintf("%d %s (simulated)", f.Status, http.StatusText(f.Status)), f.Status)
			return
		case FaultRateLimit:
			h.Set("Retry-After", strconv.Itoa(int((f.RetryAfter+time.Second-1)/time.Second)))
			http.Error(w, "429 Too Many Requests (simulated)", http.StatusTooManyRequests)
			return
		case FaultRedirectLoop:
			next := "a"
			if r.URL.Query().Get("_loop") == "a" {
				next = "b"
			}
			http.Redirect(w, r, r.URL.Path+"?_loop="+next, http.StatusFound)
			return
		case FaultWrongCharset:
			encodeTo = legacy
		case FaultMislabeledUTF8:
			rc.charset, declared = legacy, legacy
		case FaultNoCharset:
			rc.charset, declared, encodeTo = "", "", legacy
		case FaultBadDates:
			rc.badDates = true
		}
	}
	if rend == nil {
		http.NotFound(w, r)
		return
	}
	d := rend(rc)
	if f != nil {
		switch f.Kind {
		case FaultHuge:
			s.streamHuge(w, r, d, f.Size)
			return
		case FaultGzipBomb:
			s.streamBomb(w, r, d, f.Size)
			return
		}
	}
	body := d.body
	if encodeTo != "" && !d.binary {
		body = encodeLegacy(body, encodeTo)
	}
	if f != nil && f.Kind == FaultTruncated && len(body) > 10 {
		body = body[:len(body)*6/10]
	}
	ct := d.ctype
	if declared != "" && !d.binary {
		ct += "; charset=" + declared
	}
	h.Set("Content-Type", ct)
	if f != nil && f.Kind == FaultStall {
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body[:len(body)/4])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		s.hang(r)
		return
	}
	writeConditional(w, r, body, d.mod)
}

// writeConditional writes body with ETag and Last-Modified, or 304 when the
// request's validators match.
func writeConditional(w http.ResponseWriter, r *http.Request, body []byte, mod time.Time) {
	hs := fnv.New64a()
	_, _ = hs.Write(body)
	etag := `"` + strconv.FormatUint(hs.Sum64(), 36) + `"`
	writeValidated(w, r, etag, mod, func() []byte { return body })
}

// writeValidated writes the validators and either 304 or the body that
// produce returns (called only for a 200).
func writeValidated(w http.ResponseWriter, r *http.Request, etag string, mod time.Time, produce func() []byte) {
	h := w.Header()
	h.Set("ETag", etag)
	if !mod.IsZero() {
		h.Set("Last-Modified", mod.UTC().Format(http.TimeFormat))
	}
	h.Set("Cache-Control", "max-age=0, must-revalidate")
	if notModified(r, etag, mod) {
		h.Del("Content-Type")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := produce()
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// notModified applies RFC 9110: If-None-Match wins over If-Modified-Since.
func notModified(r *http.Request, etag string, mod time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == etag || t == "*" {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !mod.IsZero() {
		t, err := http.ParseTime(ims)
		if err == nil && !mod.Truncate(time.Second).After(t) {
			return true
		}
	}
	return false
}

// hang blocks until the client goes away or the server closes.
func (s *Server) hang(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.done:
	}
}

// splitDoc returns a prefix and suffix of d's body to wrap filler in, and a
// filler unit that keeps the document well formed.
func splitDoc(d doc) (prefix, suffix, unit []byte) {
	b := d.body
	switch {
	case strings.Contains(d.ctype, "json"):
		return []byte(`{"version":"https://jsonfeed.org/version/1.1","title":"huge","items":[`),
			[]byte(`{"id":"end"}]}`), []byte(`{"id":"x","content_text":"` + strings.Repeat("filler ", 120) + `"},`)
	case strings.Contains(d.ctype, "html"):
		if i := bytes.LastIndex(b, []byte("</body>")); i > 0 {
			return b[:i], b[i:], []byte("<p>" + strings.Repeat("filler text ", 80) + "</p>\n")
		}
	case strings.Contains(d.ctype, "xml"):
		for _, end := range []string{"</channel>", "</feed>", "</urlset>"} {
			if i := bytes.LastIndex(b, []byte(end)); i > 0 {
				return b[:i], b[i:], []byte("<!-- " + strings.Repeat("filler ", 120) + "-->\n")
			}
		}
	}
	return nil, nil, []byte(strings.Repeat("filler ", 128) + "\n")
}

// streamHuge writes a well-formed document of exactly size bytes (or the
// document itself when it is larger) from a small repeated unit.
func (s *Server) streamHuge(w http.ResponseWriter, r *http.Request, d doc, size int64) {
	prefix, suffix, unit := splitDoc(d)
	fixed := int64(len(prefix) + len(suffix))
	n := (size - fixed) / int64(len(unit))
	if n < 0 {
		n = 0
	}
	pad := size - fixed - n*int64(len(unit))
	if pad < 0 {
		pad = 0
	}
	total := fixed + n*int64(len(unit)) + pad
	w.Header().Set("Content-Type", d.ctype+"; charset=utf-8")
	w.Header().Set("Content-Length", strconv.FormatInt(total, 10))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	if _, err := w.Write(prefix); err != nil {
		return
	}
	block := bytes.Repeat(unit, max(1, 64<<10/len(unit)))
	per := int64(len(block) / len(unit))
	for n > 0 {
		k := min(n, per)
		if _, err := w.Write(block[:k*int64(len(unit))]); err != nil {
			return
		}
		n -= k
	}
	if pad > 0 {
		_, _ = w.Write(bytes.Repeat([]byte{'\n'}, int(pad)))
	}
	_, _ = w.Write(suffix)
}

// bombChunk is 1 MiB of spaces.
const bombChunk = 1 << 20

// streamBomb writes a gzip stream that inflates to about size bytes: the
// document's start, size bytes of spaces and the document's end. The deflate
// blocks for one MiB of spaces are computed once per response (about 1 KiB)
// and repeated; the gzip trailer's CRC is computed as the stream goes.
func (s *Server) streamBomb(w http.ResponseWriter, r *http.Request, d doc, size int64) {
	prefix, suffix, _ := splitDoc(d)
	if prefix == nil {
		prefix = d.body
	}
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		http.Error(w, "bomb: "+err.Error(), http.StatusInternalServerError)
		return
	}
	spaces := bytes.Repeat([]byte{' '}, bombChunk)
	_, _ = fw.Write(prefix)
	_ = fw.Flush()
	head := append([]byte(nil), buf.Bytes()...)
	buf.Reset()
	_, _ = fw.Write(spaces) // the first MiB may refer back into the prefix
	_ = fw.Flush()
	first := append([]byte(nil), buf.Bytes()...)
	buf.Reset()
	_, _ = fw.Write(spaces) // steady state: the window is all spaces
	_ = fw.Flush()
	chunk := append([]byte(nil), buf.Bytes()...)
	buf.Reset()
	_, _ = fw.Write(suffix)
	_ = fw.Close()
	tail := append([]byte(nil), buf.Bytes()...)

	h := w.Header()
	h.Set("Content-Type", d.ctype+"; charset=utf-8")
	h.Set("Content-Encoding", "gzip")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	gzHeader := []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255}
	if _, err := w.Write(gzHeader); err != nil {
		return
	}
	if _, err := w.Write(head); err != nil {
		return
	}
	crc := crc32.ChecksumIEEE(prefix)
	n := max(1, size/bombChunk) // tail was compressed after spaces: at least one MiB of them
	// The first MiB is the block compressed after the prefix; every later
	// MiB repeats the steady-state block, whose window is all spaces.
	for i := int64(0); i < n; i++ {
		c := chunk
		if i == 0 {
			c = first
		}
		if _, err := w.Write(c); err != nil {
			return
		}
		crc = crc32.Update(crc, crc32.IEEETable, spaces)
	}
	if _, err := w.Write(tail); err != nil {
		return
	}
	crc = crc32.Update(crc, crc32.IEEETable, suffix)
	total := int64(len(prefix)) + n*bombChunk + int64(len(suffix))
	var trailer [8]byte
	binary.LittleEndian.PutUint32(trailer[0:], crc)
	binary.LittleEndian.PutUint32(trailer[4:], uint32(total))
	_, _ = w.Write(trailer[:])
}

// pixelGIF is a 1×1 transparent GIF, served for every lead image.
var pixelGIF = []byte{
	0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
}
