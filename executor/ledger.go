package executor

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/planner"
)

// ledger records a build's steps: the record of a layer step that ran is
// written as soon as the step succeeds (under the step's lock, so other
// processes waiting for the key reuse it, as BuildKit keeps a failed
// build's finished steps); FROM records, imported records and the lineage
// of every step built are written by flush once the whole build has
// succeeded. It is safe for concurrent use.
type ledger struct {
	store *cache.Store
	epoch *time.Time

	mu      sync.Mutex
	pending []pendingStep
}

// pendingStep is a step record (nil for a cached step) and the lineage
// entry flush writes for it.
type pendingStep struct {
	rec *cache.StepRecord
	pos []string
	key string
}

func newLedger(store *cache.Store, epoch *time.Time) *ledger {
	return &ledger{store: store, epoch: epoch}
}

// record stores the record of a layer step that ran and made ref (nil: no
// layer) and notes its lineage for flush.
func (l *ledger) record(s *planner.Step, ref *cache.LayerRef) (*cache.StepRecord, error) {
	rec, err := l.newRecord(s, ref)
	if err != nil {
		return nil, err
	}
	if err := l.store.PutStep(rec); err != nil {
		return nil, fmt.Errorf("record step: %w", err)
	}
	if s.LayerKey != "" { // COPY --link: findable from any parent
		linked := *rec
		linked.Key = s.LayerKey
		if err := l.store.PutStep(&linked); err != nil {
			return nil, fmt.Errorf("record step: %w", err)
		}
	}
	l.note(s)
	return rec, nil
}

// newRecord is the record of step s that made ref.
func (l *ledger) newRecord(s *planner.Step, ref *cache.LayerRef) (*cache.StepRecord, error) {
	rec := &cache.StepRecord{Key: s.Key, Layer: ref, Created: l.now()}
	var err error
	if rec.Inputs, err = json.Marshal(s.Inputs); err != nil {
		return nil, err
	}
	return rec, nil
}

// note remembers that a cached step is the one now built at its
// position, so the next plan compares against it (not an older build).
func (l *ledger) note(s *planner.Step) {
	l.add(pendingStep{pos: positions(s), key: s.Key})
}

// imported notes a record taken from an imported step cache, so flush
// stores it with the build's own.
func (l *ledger) imported(rec *cache.StepRecord) {
	l.add(pendingStep{rec: rec, key: rec.Key})
}

// base notes a FROM step, so plans show it CACHED: a new record the first
// time, only its lineage after that.
func (l *ledger) base(s *planner.Step) error {
	if _, err := l.store.Step(s.Key); err == nil {
		l.note(s)
		return nil
	}
	rec, err := l.newRecord(s, nil)
	if err == nil {
		l.add(pendingStep{rec: rec, pos: positions(s), key: s.Key})
	}
	return err
}

func (l *ledger) add(p pendingStep) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = append(l.pending, p)
}

// flush writes the build's step records and their positions' lineage, so a
// later plan finds them and can say what changed.
func (l *ledger) flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range l.pending {
		if p.rec != nil {
			if err := l.store.PutStep(p.rec); err != nil {
				return fmt.Errorf("record step: %w", err)
			}
		}
		if err := l.putLineage(p.pos, p.key); err != nil {
			return err
		}
	}
	l.pending = nil
	return nil
}

// putLineage records key at each position where it is not already.
func (l *ledger) putLineage(positions []string, key string) error {
	for _, pos := range positions {
		if prev, err := l.store.Lineage(pos); err == nil && prev == key {
			continue
		}
		if err := l.store.PutLineage(pos, key); err != nil {
			return fmt.Errorf("record step lineage: %w", err)
		}
	}
	return nil
}

// positions are every place a step stands in the requested targets.
func positions(s *planner.Step) []string {
	if len(s.Positions) > 0 {
		return s.Positions
	}
	return []string{s.Pos}
}

// now is a record's creation time: the epoch when set, else now.
func (l *ledger) now() time.Time {
	if l.epoch != nil {
		return l.epoch.UTC()
	}
	return time.Now().UTC().Truncate(time.Second)
}
