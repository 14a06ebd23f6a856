// Package planner turns resolved bake targets and parsed Dockerfiles into one
// Plan: a deterministic DAG of Steps, each with a content-derived cache key.
// Equal keys are one step, whichever target asked for it.
//
// The planner owns cache-key derivation (see docs/DESIGN.md "Cache keys") and the
// text/JSON rendering of a plan. It does not run or write anything: base
// image digests and context file digests reach it through Inputs.
package planner

import (
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/frontend/buildctx"
	"github.com/stencilbuild/stencil/frontend/location"
)

// Plan is the whole build as plain data: every step needed by every
// requested target, parents before children, in a deterministic order.
type Plan struct {
	Steps   []*Step  `json:"steps"`
	Targets []Target `json:"targets"`
}

// Target is one requested bake target and where its image ends.
type Target struct {
	Name    string   `json:"name"`
	Final   string   `json:"final"` // key of the target's last step
	Tags    []string `json:"tags,omitempty"`
	Outputs []string `json:"outputs,omitempty"` // raw "type=...,dest=..." specs
	// Variants, for a multi-platform image, are each platform's final step
	// (the first is Final); only a builder builds them, as one index.
	Variants []Variant `json:"variants,omitempty"`
}

// Variant is one platform's image of a multi-platform target.
type Variant struct {
	Platform string `json:"platform"` // "os/arch[/variant]"
	Final    string `json:"final"`
}

// StepKind says which executor routine runs a step.
type StepKind string

const (
	KindBase   StepKind = "base"   // FROM: a registry/local image or scratch
	KindRun    StepKind = "run"    // RUN: sandboxed, produces a layer
	KindCopy   StepKind = "copy"   // COPY/ADD: produces a layer without a sandbox
	KindConfig StepKind = "config" // metadata only: changes the config, no layer
)

// Location is where an instruction was written (file and line).
type Location = location.Pos

// Step is one node of the DAG. Its Config is the image config after the step,
// so the executor never interprets metadata instructions itself.
type Step struct {
	Key string `json:"key"` // "sha256:<hex>" cache key
	// LayerKey (COPY --link) keys the step's layer alone, without the
	// parent: a rebased step finds its layer under it and does not run.
	LayerKey string   `json:"layer_key,omitempty"`
	Parent   string   `json:"parent,omitempty"` // parent step key ("" for KindBase)
	Kind     StepKind `json:"kind"`
	Stage    string   `json:"stage"` // stage name or index, for display
	Pos      string   `json:"pos"`   // stable position: target, Dockerfile, stage, instruction index
	// Positions are every target's position of a shared step (Pos first);
	// each keeps its own lineage, so a plan compares a target's step with
	// what that target last built there.
	Positions   []string  `json:"positions,omitempty"`
	Location    Location  `json:"location"`    // Dockerfile and line
	Instruction string    `json:"instruction"` // as written, after ARG/ENV expansion (history created_by)
	Config      v1.Config `json:"config"`      // image config after this step
	NoCache     bool      `json:"no_cache,omitempty"`
	Inputs      KeyInputs `json:"inputs"` // what the key was derived from

	// History is the history entry's created_by text where it differs from
	// Instruction (RUN shows the build args it saw, as BuildKit writes it).
	// It is derived from the key's inputs, never an input itself.
	History string `json:"history,omitempty"`
	// Author is the image author after this step (MAINTAINER, or the base
	// image's); MAINTAINER's own text is in its key.
	Author string `json:"author,omitempty"`

	// Workdir is set by WORKDIR (a KindConfig step): the executor creates
	// this absolute directory, owned by root, when the image lacks it.
	Workdir string `json:"workdir,omitempty"`

	Base *Base `json:"base,omitempty"`
	Run  *Run  `json:"run,omitempty"`
	Copy *Copy `json:"copy,omitempty"`
}

// Deps are the keys of the steps s reads: its parent, a COPY --from
// source and the sources of its bind mounts.
func (s *Step) Deps() []string {
	var d []string
	if s.Parent != "" {
		d = append(d, s.Parent)
	}
	if s.Copy != nil && s.Copy.From != "" {
		d = append(d, s.Copy.From)
	}
	if s.Run != nil {
		for _, m := range s.Run.Mounts {
			if m.From != "" {
				d = append(d, m.From)
			}
		}
	}
	return d
}

// KeyInputs records the ingredients of a step's key, so a later plan can say
// which input changed when a key misses.
type KeyInputs struct {
	Parent      string            `json:"parent,omitempty"`
	Instruction string            `json:"instruction"`
	Args        map[string]string `json:"args,omitempty"`        // build args visible to the step and used
	Files       map[string]string `json:"files,omitempty"`       // COPY/ADD: source rel path -> "digest mode"
	Base        string            `json:"base,omitempty"`        // base image manifest digest
	From        string            `json:"from,omitempty"`        // COPY --from: key of the source stage's final step
	Network     string            `json:"network,omitempty"`     // RUN: sandbox network when not "default"
	ExtraHosts  []string          `json:"extra_hosts,omitempty"` // RUN: extra /etc/hosts entries, as BuildKit keys them
	Ulimits     []string          `json:"ulimits,omitempty"`     // RUN: ulimits (in BuildKit's key as ExecOp meta)
	ShmSize     int64             `json:"shm_size,omitempty"`    // RUN: /dev/shm size (in BuildKit's key as a tmpfs mount)
	Mounts      []string          `json:"mounts,omitempty"`      // RUN: each --mount's JSON (ids and targets, never content)
	Platform    string            `json:"platform,omitempty"`    // FROM: a platform other than the native one
}

// Base is a FROM of an image (not of an earlier stage: that is just a parent).
type Base struct {
	Ref    string `json:"ref"`              // normalised reference, or "scratch"
	Digest string `json:"digest,omitempty"` // manifest digest ("" for scratch)
	Local  bool   `json:"local,omitempty"`  // found in the local store (else from a registry)
	// Platform is the image's platform when not the native one
	// ("linux/arm64"): only a builder can build on it.
	Platform string `json:"platform,omitempty"`
}

// Run is a sandboxed command.
type Run struct {
	Args    []string `json:"args"` // argv; shell form already wrapped in SHELL
	Env     []string `json:"env"`  // KEY=VALUE, image env plus build args
	User    string   `json:"user,omitempty"`
	Workdir string   `json:"workdir"`
	Network string   `json:"network"`            // "default" (private, outbound only), "host" or "none"
	Hosts   []string `json:"hosts,omitempty"`    // extra /etc/hosts entries "host=ip"
	Ulimits []string `json:"ulimits,omitempty"`  // "name=soft:hard", set before the command runs
	ShmSize int64    `json:"shm_size,omitempty"` // /dev/shm size in bytes; 0 is the default
	// Files are read-only files the command runs (a "#!" heredoc).
	Files  []InlineFile `json:"files,omitempty"`
	Mounts []Mount      `json:"mounts,omitempty"`
}

// Copy is a COPY or ADD. From == "" copies from the build context.
type Copy struct {
	Add      bool         `json:"add,omitempty"`
	From     string       `json:"from,omitempty"` // key of the source stage's last step or base step
	Context  string       `json:"context,omitempty"`
	Sources  []string     `json:"sources"` // as written, after expansion
	Dest     string       `json:"dest"`    // as written, after expansion
	Workdir  string       `json:"workdir"` // for a relative Dest
	Chown    string       `json:"chown,omitempty"`
	Chmod    string       `json:"chmod,omitempty"`
	Excludes []string     `json:"excludes,omitempty"` // .dockerignore patterns (context only)
	Exclude  []string     `json:"exclude,omitempty"`  // --exclude patterns, relative to each source
	Parents  bool         `json:"parents,omitempty"`  // --parents: keep source paths below the "/./" pivot
	Link     bool         `json:"link,omitempty"`     // --link: written over an empty tree, not the parent
	Files    []CopyFile   `json:"files,omitempty"`    // context sources resolved at plan time
	Inline   []InlineFile `json:"inline,omitempty"`   // heredoc sources, after Files
	URLs     []URLFile    `json:"urls,omitempty"`     // ADD of http(s) URLs, fetched at plan time
	Git      []GitSource  `json:"git,omitempty"`      // ADD of git repositories, fetched at plan time
}

// CopyFile is one context file a COPY/ADD reads, resolved and digested.
type CopyFile struct {
	Src    string `json:"src"`    // path relative to the context root
	Dest   string `json:"dest"`   // absolute path in the image
	Mode   uint32 `json:"mode"`   // os.FileMode bits
	Digest string `json:"digest"` // sha256 of content (or link target) + mode
}

// Locate attaches the step's file:line and instruction to err, keeping err
// as the cause. A step without a location (bake labels) adds nothing.
func (s *Step) Locate(err error) error {
	if err == nil || s.Location.File == "" {
		return err
	}
	return location.Errorf(s.Location, "%s: %w", s.Instruction, err)
}

// ResolveOptions are the buildctx options c's flags ask for.
func (c *Copy) ResolveOptions() []buildctx.Option {
	opts := []buildctx.Option{buildctx.Exclude(c.Exclude)}
	if c.Parents {
		opts = append(opts, buildctx.Parents())
	}
	return opts
}
