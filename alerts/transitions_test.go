package alerts

import (
	"testing"

	"github.com/dongnai/presswatch/store"
)

// The triage state machine: a false positive can be reopened (a misclick
// on "Báo nhầm"), nothing goes back to new, and a response stays a response.
func TestTransitions(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		ok       bool
	}{
		{store.AlertNew, store.AlertAcknowledged, true},
		{store.AlertAcknowledged, store.AlertFalsePositive, true},
		{store.AlertFalsePositive, store.AlertAcknowledged, true},
		{store.AlertFalsePositive, store.AlertConfirmed, true},
		{store.AlertFalsePositive, store.AlertNew, false},
		{store.AlertAcknowledged, store.AlertNew, false},
		{store.AlertResponded, store.AlertAcknowledged, false},
		{store.AlertConfirmed, store.AlertResponded, true},
	} {
		if got := CanTransition(tc.from, tc.to); got != tc.ok {
			t.Errorf("CanTransition(%s, %s) = %v, want %v", tc.from, tc.to, got, tc.ok)
		}
	}
}
