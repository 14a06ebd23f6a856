package planner

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// Status says whether a step's key is already in the cache and, if not,
// which of its inputs changed since the last build at the same position.
type Status struct {
	Key    string `json:"key"`
	Cached bool   `json:"cached"`
	Reason string `json:"reason,omitempty"`
}

// Index is the cache as Explain sees it: step records by key, and the last
// key built at a Step.Pos.
type Index interface {
	// Step returns the key inputs recorded for key; ok is false when the
	// key is not in the cache.
	Step(key string) (inputs *KeyInputs, ok bool, err error)
	// Lineage returns the key last built at pos.
	Lineage(pos string) (key string, ok bool)
}

// Explain looks every step up in idx. A miss names the input that changed:
// "no-cache", "new step", "base image changed", "instruction changed",
// "file X changed", "arg X changed", "network changed", "source stage
// changed" or "parent changed".
func Explain(p *Plan, idx Index) (map[string]Status, error) {
	out := make(map[string]Status, len(p.Steps))
	for _, st := range p.Steps {
		s := Status{Key: st.Key}
		_, hit, err := idx.Step(st.Key)
		if err != nil {
			return nil, fmt.Errorf("look up step %s: %w", short(st.Key), err)
		}
		switch {
		case st.NoCache:
			s.Reason = "no-cache"
		case hit:
			s.Cached = true
		default:
			if s.Reason, err = missReason(st, idx); err != nil {
				return nil, err
			}
		}
		out[st.Key] = s
	}
	return out, nil
}

// missReason compares a step with the last one built at its position.
func missReason(st *Step, idx Index) (string, error) {
	prevKey, ok := idx.Lineage(st.Pos)
	if !ok {
		return "new step", nil
	}
	prev, ok, err := idx.Step(prevKey)
	if err != nil {
		return "", fmt.Errorf("look up step %s: %w", short(prevKey), err)
	}
	if !ok {
		return "new step", nil
	}
	return diffInputs(prev, &st.Inputs), nil
}

// diffInputs names the first differing input, a step's own inputs before
// its parent, so the step where a change entered the chain says what.
// Args come before the instruction, whose expansion they change.
func diffInputs(old, cur *KeyInputs) string {
	if old.Base != cur.Base {
		return "base image changed"
	}
	if name, ok := diffMap(old.Files, cur.Files); ok {
		return "file " + name + " changed"
	}
	if name, ok := diffMap(old.Args, cur.Args); ok {
		return "arg " + name + " changed" // before instruction: expansion follows the arg
	}
	switch {
	case old.Instruction != cur.Instruction:
		return "instruction changed"
	case old.Network != cur.Network:
		return "network changed"
	case !slices.Equal(old.ExtraHosts, cur.ExtraHosts):
		return "extra hosts changed"
	case !slices.Equal(old.Ulimits, cur.Ulimits) || old.ShmSize != cur.ShmSize:
		return "ulimits or shm-size changed"
	case old.From != cur.From:
		return "source stage changed"
	case old.Parent != cur.Parent:
		return "parent changed"
	}
	return "inputs changed"
}

// diffMap returns the first key (sorted) whose presence or value differs.
func diffMap(a, b map[string]string) (string, bool) {
	keys := slices.Sorted(maps.Keys(a))
	keys = append(keys, slices.Sorted(maps.Keys(b))...)
	slices.Sort(keys)
	for _, k := range keys {
		va, oka := a[k]
		vb, okb := b[k]
		if oka != okb || va != vb {
			return k, true
		}
	}
	return "", false
}

// short is the 12-hex-digit form of a key.
func short(key string) string {
	h := strings.TrimPrefix(key, "sha256:")
	if len(h) > 12 {
		h = h[:12]
	}
	return h
}

// WriteText prints one line per step: short key, CACHED or RUN (or PLAN
// when st has no status for it), stage, instruction and, for misses, the
// reason; then one line per target.
func (p *Plan) WriteText(w io.Writer, st map[string]Status) error {
	var b strings.Builder
	for _, s := range p.Steps {
		state, reason := "PLAN", ""
		if status, ok := st[s.Key]; ok {
			state, reason = "RUN", status.Reason
			if status.Cached {
				state = "CACHED"
			}
		}
		fmt.Fprintf(&b, "%s  %-6s  %-12s %s", short(s.Key), state, s.Stage, oneLine(s.Instruction))
		if reason != "" {
			fmt.Fprintf(&b, "  (%s)", reason)
		}
		b.WriteByte('\n')
	}
	for _, t := range p.Targets {
		fmt.Fprintf(&b, "target %s => %s\n", t.Name, short(t.Final))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// oneLine keeps multi-line instructions on one output line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
