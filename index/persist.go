package index

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
)

// Why batches wait for persistence themselves.
//
// Scorch's own wait (its default, "safe" batches) has a flaw: when the
// persister fails (the folder deleted, the disk full), Batch closes the new
// segment although the introducer has already put it in the live snapshot.
// Searches and counts running at that moment read a segment being closed: a
// data race, and a search on it can panic (TestFailedPersistKeepsLiveSegment
// crashed the process on the old code), as can later writes. So the on-disk index is opened
// with unsafe_batch, under which Batch returns once the segment is live and
// never closes it, and durable waits for the persister instead: its
// persisted callback on success, its async error on failure. The failed
// segment stays whole in the live snapshot until repair reopens the index
// with no call in flight.

// asyncErrorCallback is the name under which persistFault is registered
// with scorch; openBleve passes it in the index's runtime configuration.
const asyncErrorCallback = "presswatch-index-persist"

func init() {
	scorch.RegistryAsyncErrorCallbacks[asyncErrorCallback] = persistFault
}

// persistWaiters holds, by scorch store path, the channels of batches
// waiting for that store's persister, and the panic that stopped a store's
// persister: no batch on it would ever be persisted until it is reopened.
var persistWaiters = struct {
	sync.Mutex
	m    map[string]map[chan error]struct{}
	dead map[string]error
}{m: map[string]map[chan error]struct{}{}, dead: map[string]error{}}

// persistFault passes a persister failure (an error or a panic) to every
// batch waiting on the store at path; other background errors (a merge that
// failed is retried and loses nothing) are not a batch's concern. A failed
// persist is retried by scorch; a panic ends its persister, so it is kept
// for the batches that come later, until openBleve opens the store again.
func persistFault(err error, path string) {
	var se *scorch.ScorchError
	if !errors.As(err, &se) || se.Source != "persister" {
		return
	}
	persistWaiters.Lock()
	defer persistWaiters.Unlock()
	if errors.Is(err, scorch.ErrAsyncPanic) {
		persistWaiters.dead[path] = err
	}
	for ch := range persistWaiters.m[path] {
		select {
		case ch <- err:
		default: // it has a fault to return already
		}
	}
}

// watchPersist registers a waiter on the store at path; stop removes it.
func watchPersist(path string) (faults chan error, stop func()) {
	faults = make(chan error, 1)
	persistWaiters.Lock()
	if persistWaiters.m[path] == nil {
		persistWaiters.m[path] = map[chan error]struct{}{}
	}
	persistWaiters.m[path][faults] = struct{}{}
	if err := persistWaiters.dead[path]; err != nil {
		faults <- err
	}
	persistWaiters.Unlock()
	return faults, func() {
		persistWaiters.Lock()
		delete(persistWaiters.m[path], faults)
		if len(persistWaiters.m[path]) == 0 {
			delete(persistWaiters.m, path)
		}
		persistWaiters.Unlock()
	}
}

// persistRevived forgets a dead persister of the store at path: openBleve
// has just opened it with a new one.
func persistRevived(path string) {
	persistWaiters.Lock()
	delete(persistWaiters.dead, path)
	persistWaiters.Unlock()
}

// storePath is the path scorch reports for the index in dir ("" in memory).
func storePath(dir string) string {
	if dir == "" {
		return ""
	}
	return dir + string(os.PathSeparator) + "store"
}

// runtimeConfig is what an on-disk index is opened with.
func runtimeConfig() map[string]any {
	return map[string]any{
		"bolt_timeout":           lockTimeout.String(),
		"unsafe_batch":           true,
		"asyncErrorCallbackName": asyncErrorCallback,
	}
}

// durable runs b on bi and, for an on-disk index (store is its scorch path),
// returns once the batch is persisted, or with the persister's error when
// persisting fails. The caller holds the liveIndex's read lock, so bi is not
// closed while it waits.
func durable(bi bleve.Index, store string, b *bleve.Batch) error {
	if store == "" { // in memory: nothing to persist
		return bi.Batch(b)
	}
	persisted := make(chan error, 1)
	b.SetPersistedCallback(func(err error) {
		select {
		case persisted <- err:
		default:
		}
	})
	faults, stop := watchPersist(store)
	defer stop()
	select {
	case err := <-faults: // its persister is dead: the batch would never be persisted
		return fmt.Errorf("index batch not written: %w", err)
	default:
	}
	if err := bi.Batch(b); err != nil {
		return err
	}
	select {
	case err := <-persisted:
		return err
	case err := <-faults:
		return fmt.Errorf("index batch not persisted: %w", err)
	}
}
