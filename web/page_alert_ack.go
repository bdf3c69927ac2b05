package web

import (
	"net/http"
	"time"

	"github.com/dongnai/presswatch/alerts"
	"github.com/dongnai/presswatch/store"
)

// The one-click acknowledge link of alert emails. The signed link is the
// capability (no login): GET shows what it acknowledges and a button, POST
// acknowledges. Acknowledging on GET would let mail scanners that prefetch
// links acknowledge alerts nobody read.

func (s *Server) ackSigner() *alerts.AckSigner {
	a, err := alerts.NewAckSigner(s.secret, time.Hour)
	if err != nil {
		return nil
	}
	return a
}

type alertAckData struct {
	// Fields are the signed link's parameters, posted back as hidden
	// fields: the button's POST carries them in its body, where the
	// handler reads them.
	Fields []ackField
	Alerts []store.Alert
	Done   int
	Posted bool
	// Bad: the link is forged, damaged or expired; the page says so and
	// points to the inbox instead of a bare 403.
	Bad bool
	// Open: some alert of the link is still new (the button is shown).
	Open bool
}

type ackField struct{ Name, Value string }

func (s *Server) handleAlertAck(w http.ResponseWriter, r *http.Request) {
	as, ok := s.alertStore(w, r)
	if !ok {
		return
	}
	signer := s.ackSigner()
	if signer == nil {
		s.fail(w, r, false, http.StatusServiceUnavailable)
		return
	}
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err != nil {
			s.fail(w, r, false, http.StatusBadRequest)
			return
		}
		q = r.PostForm
	}
	id, err := signer.Verify(q, s.opts.Now())
	if err != nil {
		s.render(w, r, http.StatusForbidden, "alert_ack", "alerts", messages{requestLang(r)}.T("ack_title"), alertAckData{Bad: true})
		return
	}
	d := alertAckData{}
	for _, k := range []string{"d", "exp", "sig"} {
		d.Fields = append(d.Fields, ackField{Name: k, Value: q.Get(k)})
	}
	if r.Method == http.MethodPost {
		recipient := ""
		if als, err := as.DeliveryAlerts(r.Context(), id); err == nil && len(als) > 0 {
			ds, _ := as.ListDeliveries(r.Context(), store.DeliveryFilter{AlertID: als[0].ID, Limit: 1000})
			for _, x := range ds {
				if x.ID == id {
					recipient = x.Recipient
				}
			}
		}
		n, err := alerts.Triage{Store: as, Now: s.opts.Now}.AckDelivery(r.Context(), id, "email:"+recipient)
		if err != nil {
			s.log.Error("acknowledge by link", "err", err)
			s.fail(w, r, false, http.StatusInternalServerError)
			return
		}
		d.Done, d.Posted = n, true
	}
	if d.Alerts, err = as.DeliveryAlerts(r.Context(), id); err != nil {
		s.log.Error("alerts of delivery", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	for _, a := range d.Alerts {
		d.Open = d.Open || a.State == store.AlertNew
	}
	s.render(w, r, http.StatusOK, "alert_ack", "alerts", messages{requestLang(r)}.T("ack_title"), d)
}
