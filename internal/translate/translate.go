// Package translate puts foreign titles and snippets into Vietnamese through
// a machine translation service speaking the LibreTranslate HTTP API
// (POST /translate with q as a list), caching every translation in the store
// so each text is sent once. Officers see the translation beside the
// original, never instead of it.
package translate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dongnai/presswatch/store"
)

// ErrNotConfigured is returned when no translation service is configured.
var ErrNotConfigured = errors.New("no machine translation service is configured (translate.url)")

// Limits of one request.
const (
	maxBatch = 32   // texts per request
	maxRunes = 2000 // a longer text is cut at a word boundary before it is sent
)

// Options configures a Translator.
type Options struct {
	// URL is the service's base address; "" makes a Translator that only
	// answers ErrNotConfigured.
	URL    string
	APIKey string
	// Target is the language translated into; "" means vi.
	Target string
	// Timeout bounds one request; 0 means 10s.
	Timeout time.Duration
	// Cache keeps translations; nil translates every time.
	Cache store.TranslationStore
	// Client is the HTTP client; nil means a client with Timeout.
	Client *http.Client
	Logger *slog.Logger
}

// Translator translates texts with a cache in front of the service.
type Translator struct {
	opts Options
	log  *slog.Logger
}

// New returns a Translator; it validates nothing over the network.
func New(opts Options) *Translator {
	if opts.Target == "" {
		opts.Target = "vi"
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: opts.Timeout}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	opts.URL = strings.TrimRight(opts.URL, "/")
	return &Translator{opts: opts, log: opts.Logger.With("component", "translate")}
}

// Configured reports whether a service is configured.
func (t *Translator) Configured() bool { return t != nil && t.opts.URL != "" }

// Target returns the language translated into.
func (t *Translator) Target() string { return t.opts.Target }

// Translate returns the translations of texts from the language source
// ("" or "auto" lets the service detect it) into the target, in order. Texts
// already in the target language, and empty ones, come back as they are.
func (t *Translator) Translate(ctx context.Context, source string, texts []string) ([]string, error) {
	if !t.Configured() {
		return nil, ErrNotConfigured
	}
	if source == "" {
		source = "auto"
	}
	out := make([]string, len(texts))
	if source == t.opts.Target {
		copy(out, texts)
		return out, nil
	}
	keys := make([]string, len(texts))
	for i, s := range texts {
		keys[i] = store.TranslationKey(source, t.opts.Target, s)
	}
	cached := map[string]string{}
	if t.opts.Cache != nil {
		var err error
		if cached, err = t.opts.Cache.GetTranslations(ctx, keys); err != nil {
			// The cache is a saving, not a need: translate anyway.
			t.log.WarnContext(ctx, "translation cache unavailable", "err", err)
			cached = map[string]string{}
		}
	}
	var todo []int
	seen := map[string]int{}
	for i, s := range texts {
		switch {
		case strings.TrimSpace(s) == "":
			out[i] = s
		case cached[keys[i]] != "":
			out[i] = cached[keys[i]]
		default:
			if _, dup := seen[keys[i]]; !dup {
				seen[keys[i]] = i
				todo = append(todo, i)
			}
		}
	}
	var fresh []store.Translation
	for len(todo) > 0 {
		n := min(len(todo), maxBatch)
		batch := make([]string, n)
		for j, i := range todo[:n] {
			batch[j] = clip(texts[i])
		}
		got, err := t.request(ctx, source, batch)
		if err != nil {
			return nil, err
		}
		for j, i := range todo[:n] {
			out[i] = got[j]
			fresh = append(fresh, store.Translation{Key: keys[i], SourceLang: source, TargetLang: t.opts.Target, Translated: got[j]})
		}
		todo = todo[n:]
	}
	for i := range texts { // repeats of a text translated in this call
		if out[i] == "" && strings.TrimSpace(texts[i]) != "" {
			out[i] = out[seen[keys[i]]]
		}
	}
	if t.opts.Cache != nil && len(fresh) > 0 {
		if err := t.opts.Cache.PutTranslations(ctx, fresh); err != nil {
			t.log.WarnContext(ctx, "translation not cached", "err", err)
		}
	}
	return out, nil
}

type request struct {
	Q      []string `json:"q"`
	Source string   `json:"source"`
	Target string   `json:"target"`
	Format string   `json:"format"`
	APIKey string   `json:"api_key,omitempty"`
}

// request sends one batch to POST {URL}/translate.
func (t *Translator) request(ctx context.Context, source string, q []string) ([]string, error) {
	body, err := json.Marshal(request{Q: q, Source: source, Target: t.opts.Target, Format: "text", APIKey: t.opts.APIKey})
	if err != nil {
		return nil, fmt.Errorf("translate: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, t.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.opts.URL+"/translate", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("translate: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := t.opts.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("translate: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, fmt.Errorf("translate: read answer: %w", err)
	}
	var ans struct {
		TranslatedText json.RawMessage `json:"translatedText"`
		Error          string          `json:"error"`
	}
	if err := json.Unmarshal(data, &ans); err != nil {
		return nil, fmt.Errorf("translate: HTTP %d, not a translation answer: %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK || ans.Error != "" {
		msg := ans.Error
		if msg == "" {
			msg = http.StatusText(resp.StatusCode)
		}
		return nil, fmt.Errorf("translate: HTTP %d: %s", resp.StatusCode, clipRunes(msg, 200))
	}
	var list []string
	if err := json.Unmarshal(ans.TranslatedText, &list); err != nil {
		var one string // a service that answers a single string for a single text
		if len(q) != 1 || json.Unmarshal(ans.TranslatedText, &one) != nil {
			return nil, fmt.Errorf("translate: translatedText is not a list of %d texts", len(q))
		}
		list = []string{one}
	}
	if len(list) != len(q) {
		return nil, fmt.Errorf("translate: %d translations for %d texts", len(list), len(q))
	}
	return list, nil
}

// clip cuts s to maxRunes at a word boundary.
func clip(s string) string { return clipRunes(s, maxRunes) }

func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	cut := string(r)
	if i := strings.LastIndexAny(cut, " \u3000"); i > len(cut)/2 {
		cut = cut[:i]
	}
	return cut + "…"
}
