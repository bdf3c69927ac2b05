package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/store"
)

// apiHit is a search hit in the API.
type apiHit struct {
	exportRow
	Score    float64  `json:"score"`
	Snippets []string `json:"snippets,omitempty"` // HTML: escaped text with <mark>
}

type apiSearchResult struct {
	Total     uint64                `json:"total"`
	From      int                   `json:"from"`
	Size      int                   `json:"size"`
	Hits      []apiHit              `json:"hits"`
	Facets    map[string][]apiFacet `json:"facets,omitempty"`
	Histogram []apiDay              `json:"histogram,omitempty"`
	TookMS    float64               `json:"took_ms"`
	// Expanded lists the place names widened with expand=places.
	Expanded []apiExpansion `json:"expanded,omitempty"`
}

type apiExpansion struct {
	Typed string   `json:"typed"`
	Place string   `json:"place"`
	Names []string `json:"names"`
}

type apiFacet struct {
	Term  string `json:"term"`
	Count int    `json:"count"`
}

type apiDay struct {
	Day   string `json:"day"`
	Count int    `json:"count"`
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	writeJSON(w, http.StatusOK, map[string]any{"name": p.User.Name, "display_name": p.User.DisplayName, "role": p.User.Role, "token": p.Token})
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	if s.opts.Search == nil {
		s.fail(w, r, true, http.StatusServiceUnavailable)
		return
	}
	_, req, err := s.parseSearchForm(r.URL.Query())
	if err != nil {
		s.badQuery(w, r, true, err)
		return
	}
	// expand=places widens place names as the search page does (Dong Nai
	// also finds 同奈, 동나이, ドンナイ); without it the API searches what it
	// was sent, and a script reproducing a screen got half of it.
	var expanded []apiExpansion
	switch e := r.URL.Query().Get("expand"); e {
	case "":
	case "places":
		if s.opts.Places != nil && req.Query != "" {
			var exps []Expansion
			req.Query, exps = s.opts.Places.Expand(req.Query)
			req.SameWord = SameWord(exps)
			for _, x := range exps {
				expanded = append(expanded, apiExpansion{Typed: x.Typed, Place: x.Canonical, Names: x.Names})
			}
		}
	default:
		writeJSONError(w, http.StatusBadRequest, "bad_request", "expand: only \"places\" is known, not "+strconv.Quote(e))
		return
	}
	req.Facets = r.URL.Query().Get("facets") != "false"
	res, err := s.opts.Search.Search(r.Context(), req)
	if err != nil {
		s.badQuery(w, r, true, err)
		return
	}
	out := apiSearchResult{Total: res.Total, From: req.From, Size: req.Size, Hits: []apiHit{}, TookMS: float64(res.Took.Microseconds()) / 1000, Expanded: expanded}
	for _, h := range res.Hits {
		ah := apiHit{exportRow: rowOf(h), Score: h.Score}
		for _, sn := range h.Snippets {
			ah.Snippets = append(ah.Snippets, s.pages.snippet.Sanitize(string(sn)))
		}
		out.Hits = append(out.Hits, ah)
	}
	if len(res.Facets) > 0 {
		out.Facets = make(map[string][]apiFacet, len(res.Facets))
		for k, fc := range res.Facets {
			for _, f := range fc {
				out.Facets[k] = append(out.Facets[k], apiFacet{f.Term, f.Count})
			}
		}
	}
	for _, d := range res.Histogram {
		out.Histogram = append(out.Histogram, apiDay{d.Day.In(s.loc).Format("2006-01-02"), d.Count})
	}
	writeJSON(w, http.StatusOK, out)
}

// apiArticle is the article as stored, classification included.
func (s *Server) apiArticle(w http.ResponseWriter, r *http.Request) {
	a, err := s.opts.Store.GetArticle(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		writeJSONError(w, http.StatusNotFound, "not_found", "no article with this id")
		return
	} else if err != nil {
		s.log.Error("api get article", "err", err)
		s.fail(w, r, true, http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		*article.Article
		Classification *article.Classification `json:"classification"`
	}{a, a.Classification})
}

type apiStory struct {
	ID        string      `json:"id"`
	Total     uint64      `json:"total"`
	First     time.Time   `json:"first_published,omitzero"`
	Last      time.Time   `json:"last_published,omitzero"`
	Outlets   []apiCount  `json:"outlets"`
	Countries []apiCount  `json:"countries"`
	Articles  []exportRow `json:"articles"`
}

type apiCount struct {
	Name  string    `json:"name"`
	Count int       `json:"count"`
	First time.Time `json:"first_published,omitzero"`
}

func (s *Server) apiStory(w http.ResponseWriter, r *http.Request) {
	if s.opts.Search == nil {
		s.fail(w, r, true, http.StatusServiceUnavailable)
		return
	}
	p, err := s.story(r, r.PathValue("id"))
	if err != nil {
		s.log.Error("api story", "err", err)
		s.fail(w, r, true, http.StatusInternalServerError)
		return
	}
	if p == nil {
		writeJSONError(w, http.StatusNotFound, "not_found", "no story with this id")
		return
	}
	out := apiStory{ID: p.ID, Total: p.Total, First: p.First.UTC(), Last: p.Last.UTC(), Outlets: []apiCount{}, Countries: []apiCount{}, Articles: []exportRow{}}
	for _, c := range p.Outlets {
		out.Outlets = append(out.Outlets, apiCount{c.Label, c.Count, c.First.UTC()})
	}
	for _, c := range p.Countries {
		out.Countries = append(out.Countries, apiCount{c.Label, c.Count, c.First.UTC()})
	}
	for _, h := range p.Hits {
		out.Articles = append(out.Articles, rowOf(h))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiSources(w http.ResponseWriter, r *http.Request) {
	rows, err := s.sourceRows(r)
	if err != nil {
		s.log.Error("api sources", "err", err)
		s.fail(w, r, true, http.StatusInternalServerError)
		return
	}
	if rows == nil {
		rows = []sourceRow{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"sources": rows})
}

func (s *Server) apiSavedList(w http.ResponseWriter, r *http.Request) {
	if s.opts.Saved == nil {
		s.fail(w, r, true, http.StatusServiceUnavailable)
		return
	}
	items, err := s.opts.Saved.ListSaved(r.Context(), principalFrom(r.Context()).User.Name)
	if err != nil {
		s.log.Error("api list saved", "err", err)
		s.fail(w, r, true, http.StatusInternalServerError)
		return
	}
	if items == nil {
		items = []SavedSearch{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"saved_searches": items})
}

func (s *Server) apiSavedCreate(w http.ResponseWriter, r *http.Request) {
	if s.opts.Saved == nil {
		s.fail(w, r, true, http.StatusServiceUnavailable)
		return
	}
	var in struct {
		Name   string `json:"name"`
		Query  string `json:"query"`
		Params string `json:"params"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		writeJSONError(w, http.StatusBadRequest, "bad_request", "want a JSON object {name, query, params}")
		return
	}
	ss, err := s.newSaved(principalFrom(r.Context()).User.Name, in.Name, in.Query, in.Params)
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	if err := s.opts.Saved.SaveSearch(r.Context(), ss); err != nil {
		s.log.Error("api save search", "err", err)
		s.fail(w, r, true, http.StatusInternalServerError)
		return
	}
	s.audit(r, "saved_search.create", ss.ID, ss.Query)
	writeJSON(w, http.StatusCreated, ss)
}

func (s *Server) apiSavedAlert(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Receiver string `json:"receiver"`
		MinRisk  int    `json:"min_risk"`
		Enabled  bool   `json:"enabled"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		writeJSONError(w, http.StatusBadRequest, "bad_request", "want a JSON object {receiver, min_risk, enabled}")
		return
	}
	id := r.PathValue("id")
	if code, msg := s.setSavedAlert(r, id, in.Receiver, strconv.Itoa(in.MinRisk), in.Enabled); code != 0 {
		switch code {
		case http.StatusBadRequest:
			writeJSONError(w, code, "bad_request", msg)
		case http.StatusNotFound:
			writeJSONError(w, code, "not_found", msg)
		default:
			s.fail(w, r, true, code)
		}
		return
	}
	items, err := s.opts.Saved.ListSaved(r.Context(), principalFrom(r.Context()).User.Name)
	if err != nil {
		s.log.Error("api saved alert", "err", err)
		s.fail(w, r, true, http.StatusInternalServerError)
		return
	}
	for _, it := range items {
		if it.ID == id {
			writeJSON(w, http.StatusOK, it)
			return
		}
	}
	writeJSONError(w, http.StatusNotFound, "not_found", "no saved search with this id")
}

func (s *Server) apiSavedDelete(w http.ResponseWriter, r *http.Request) {
	if s.opts.Saved == nil {
		s.fail(w, r, true, http.StatusServiceUnavailable)
		return
	}
	err := s.opts.Saved.DeleteSaved(r.Context(), principalFrom(r.Context()).User.Name, r.PathValue("id"))
	if errors.Is(err, ErrSavedNotFound) {
		writeJSONError(w, http.StatusNotFound, "not_found", "no saved search with this id")
		return
	} else if err != nil {
		s.log.Error("api delete saved", "err", err)
		s.fail(w, r, true, http.StatusInternalServerError)
		return
	}
	s.audit(r, "saved_search.delete", r.PathValue("id"), "")
	w.WriteHeader(http.StatusNoContent)
}
