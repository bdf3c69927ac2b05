package presssim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
)

// PublishRequest is the body of POST /_sim/publish.
type PublishRequest struct {
	Source string `json:"source"`
	Item   Item   `json:"item"`
}

// FaultRequest is the body of POST /_sim/fault. Clear removes the source's
// fault instead of setting one.
type FaultRequest struct {
	Source string `json:"source"`
	Fault  Fault  `json:"fault"`
	Clear  bool   `json:"clear,omitempty"`
}

// FarmRequest is the body of POST /_sim/farm: the fraction of farm feeds
// that get one new item.
type FarmRequest struct {
	Change float64 `json:"change"`
}

// State is the body of GET /_sim/state.
type State struct {
	URL     string         `json:"url"`
	Sources []SourceInfo   `json:"sources"`
	Farm    *FarmState     `json:"farm,omitempty"`
	Held    int            `json:"held"` // corpus items still waiting for the schedule
	Hits    map[string]int `json:"hits"` // requests per path (top 200)
}

// FarmState describes the feed farm in State.
type FarmState struct {
	Feeds   int    `json:"feeds"`
	Changes uint64 `json:"changes"` // ChangeFarm calls so far
	Feed0   string `json:"feed0"`
	Fault   *Fault `json:"fault,omitempty"`
}

const maxControlBody = 1 << 20

// serveControl handles /_sim/: publish, fault, farm, tick and state.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	switch r.Method + " " + r.URL.Path {
	case "GET /_sim/state":
		writeJSON(w, http.StatusOK, s.state())
	case "POST /_sim/publish":
		var req PublishRequest
		if !readJSON(w, r, &req) {
			return
		}
		p, err := s.Publish(req.Source, req.Item)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusCreated, p)
	case "POST /_sim/fault":
		var req FaultRequest
		if !readJSON(w, r, &req) {
			return
		}
		if req.Clear {
			s.ClearFault(req.Source)
			writeJSON(w, http.StatusOK, map[string]string{"cleared": req.Source})
			return
		}
		if err := s.SetFault(req.Source, req.Fault); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, req)
	case "POST /_sim/farm":
		var req FarmRequest
		if !readJSON(w, r, &req) {
			return
		}
		if req.Change < 0 || req.Change > 1 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "change must be within 0..1"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]int{"changed": s.ChangeFarm(req.Change)})
	case "POST /_sim/tick":
		it, pubs, err := s.Tick()
		if err != nil {
			writeJSON(w, http.StatusConflict, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{"id": it.ID, "published": pubs})
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("no control route %s %s", r.Method, r.URL.Path)})
	}
}

func (s *Server) state() State {
	st := State{URL: s.url, Sources: s.Sources(), Hits: map[string]int{}}
	s.mu.RLock()
	st.Held = len(s.held)
	if s.farm != nil {
		st.Farm = &FarmState{Feeds: s.farm.n, Changes: s.farm.round.Load(), Feed0: s.FarmFeedURL(0)}
		if s.farm.fault != nil {
			f := s.farm.fault.f
			st.Farm.Fault = &f
		}
	}
	s.mu.RUnlock()
	type kv struct {
		k string
		v int
	}
	var all []kv
	s.hits.Range(func(k, v any) bool {
		all = append(all, kv{k.(string), int(v.(interface{ Load() int64 }).Load())})
		return true
	})
	sort.Slice(all, func(i, j int) bool { return all[i].v > all[j].v || all[i].v == all[j].v && all[i].k < all[j].k })
	for i, x := range all {
		if i == 200 {
			break
		}
		st.Hits[x.k] = x.v
	}
	return st
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	// Any Content-Type is read as JSON, so that a plain `curl -d '{…}'` works.
	dec := json.NewDecoder(io.LimitReader(r.Body, maxControlBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "decode request: " + err.Error()})
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
