package executor

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/planner"
)

// ledger holds what a build will record: a step record for each step that
// ran and the lineage of every step built, written by flush once the whole
// build has succeeded (so a failed build records nothing). It is safe for
// concurrent use.
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

// record notes a step that ran and made ref (nil: no layer), and returns
// its record.
func (l *ledger) record(s *planner.Step, ref *cache.LayerRef) (*cache.StepRecord, error) {
	rec := &cache.StepRecord{Key: s.Key, Layer: ref, Created: l.now()}
	var err error
	if rec.Inputs, err = json.Marshal(s.Inputs); err != nil {
		return nil, err
	}
	l.add(pendingStep{rec: rec, pos: positions(s), key: s.Key})
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
	_, err := l.record(s, nil)
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
