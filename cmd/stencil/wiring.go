package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	units "github.com/docker/go-units"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/moby/buildkit/client"
	"github.com/spf13/pflag"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor"
	"github.com/stencilbuild/stencil/executor/output"
	"github.com/stencilbuild/stencil/internal/host"
	"github.com/stencilbuild/stencil/internal/tags"
	"github.com/stencilbuild/stencil/planner"
)

// buildFlags are the flags bake and build share.
type buildFlags struct {
	ciFlags
	deliveryFlags
	builderFlags
	hostFlags
	noCache  bool
	pull     bool
	progress string
	jobs     int
	unpack   string // --max-unpack-size as given
	maxBytes int64  // ... parsed by validate
	// hostNetwork is --allow network.host: RUN may use the host network.
	hostNetwork bool
	// secrets are RUN --mount=type=secret values, read before the build.
	secrets map[string][]byte
	// ssh are RUN --mount=type=ssh agent sockets by id (--ssh, bake ssh).
	ssh map[string]string
	// choice is how local builds run here, made by the preflight.
	choice host.Choice
	// onError is --on-error: "discard" or "keep" (a failed RUN's state
	// becomes a container).
	onError string
}

func (b *buildFlags) AddFlags(fs *pflag.FlagSet) {
	b.ciFlags.AddFlags(fs)
	b.addLoadFlag(fs)
	b.builderFlags.AddFlags(fs)
	b.hostFlags.AddFlags(fs)
	fs.BoolVar(&b.noCache, "no-cache", false, "do not use the cache for any step")
	fs.BoolVar(&b.pull, "pull", false, "always look base images up in their registry")
	fs.StringVar(&b.progress, "progress", "auto", "progress output: "+strings.Join(progressModes, ", "))
	fs.IntVarP(&b.jobs, "jobs", "j", 0, "steps to run in parallel (default: number of CPUs)")
	fs.StringVar(&b.unpack, "max-unpack-size", "", "largest size one pulled layer or ADDed archive may expand to, e.g. 8GiB (default 32GiB)")
	fs.StringVar(&b.onError, "on-error", "discard", "what a failed RUN leaves: discard, or keep (its state as a container to open a shell in)")
}

func (b *buildFlags) validate() error {
	if !slices.Contains(progressModes, b.progress) {
		return fmt.Errorf("invalid --progress %q: want %s", b.progress, strings.Join(progressModes, ", "))
	}
	if b.onError != "discard" && b.onError != "keep" {
		return fmt.Errorf("invalid --on-error %q: want discard or keep", b.onError)
	}
	if b.jobs < 0 {
		return fmt.Errorf("invalid --jobs %d: want 0 or more", b.jobs)
	}
	if b.unpack != "" {
		n, err := units.RAMInBytes(b.unpack)
		if err != nil || n <= 0 {
			return fmt.Errorf("invalid --max-unpack-size %q: want a size such as 8GiB", b.unpack)
		}
		b.maxBytes = n
	}
	return nil
}

// buildSpecs plans and runs specs, then stores and writes each image.
func (e *env) buildSpecs(ctx context.Context, specs []planner.TargetSpec, b buildFlags) error {
	checks, specs := splitChecks(specs)
	if len(checks) > 0 {
		err := e.checkSpecs(ctx, checks, b)
		if len(specs) == 0 || err != nil {
			return err
		}
	}
	b.applyPush(specs)
	if err := b.checkMultiLoad(specs); err != nil {
		return err
	}
	bk, err := b.dial(ctx) // a remote builder is checked before any work starts
	if err != nil {
		return err
	}
	if bk != nil {
		defer bk.Close()
	} else if b.choice, err = b.preflight(e.root, e.stderr); err != nil {
		return err
	}
	if err := b.prepare(ctx); err != nil {
		return err
	}
	if err := b.settleReproducible(b.readConfig); err != nil {
		return err
	}
	outs, err := parseOutputs(specs)
	if err != nil {
		return err
	}
	keep, err := b.gcKeep(e.root)
	if err != nil {
		return err
	}
	store, err := cache.Open(e.root)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	stamp := store.Stamp()
	err = e.buildIn(ctx, store, specs, outs, b, bk)
	if err == nil && ctx.Err() == nil && store.Stamp() != stamp { // a no-op added nothing to collect
		e.autoGC(store, keep)
	}
	return errors.Join(err, store.Close())
}

func (e *env) buildIn(ctx context.Context, store *cache.Store, specs []planner.TargetSpec, outs [][]output.Spec, b buildFlags, bk *client.Client) error {
	for i := range specs {
		specs[i].NoCache = specs[i].NoCache || b.noCache
	}
	in, err := b.inputs(store, b.pull)
	if err != nil {
		return err
	}
	regOpts := in.Remote
	plan, err := planner.Build(ctx, specs, in)
	if err != nil {
		return err
	}
	if err := e.lintBuild(ctx, specs, in, b.progress == "quiet"); err != nil {
		return err
	}
	from, to, err := b.caches(specs)
	if err != nil {
		return err
	}
	if bk != nil {
		return e.buildRemote(ctx, store, bk, plan, specs, b)
	}
	disp, err := newDisplay(b.progress, e.stderr)
	if err != nil {
		return err
	}
	results, err := b.runLocal(ctx, store, plan, specs, disp, from, regOpts)
	if err == nil {
		err = e.deliverAll(ctx, store, disp, results, outs, regOpts)
	}
	if err == nil {
		err = b.finish(ctx, disp, results, e.stdout)
	}
	if err == nil {
		err = exportCaches(ctx, store, plan, to, regOpts, disp.notes())
	}
	if err := errors.Join(err, disp.close()); err != nil {
		return err
	}
	return b.writeMetadata(results)
}

// runLocal runs plan with the local executor, shown on disp (the epoch's
// origin and the cache import too).
func (b buildFlags) runLocal(ctx context.Context, store *cache.Store, plan *planner.Plan, specs []planner.TargetSpec, disp *display, from [][]cacheSpec, regOpts []remote.Option) ([]executor.Result, error) {
	epoch, note := b.epoch(ctx, specs)
	if note != "" {
		disp.export(note)
	}
	ex := &executor.Executor{Store: store, Jobs: b.jobs, MaxUnpack: b.maxBytes, Epoch: epoch,
		HostNetwork: b.hostNetwork, Secrets: b.secrets, SSH: b.ssh, Progress: disp, Snapshotter: b.choice.Snapshotter,
		KeepFailed: b.onError == "keep", Isolation: isolation(b.choice)}
	var err error
	if ex.Steps, err = stepCache(ctx, from, regOpts, disp.notes()); err != nil {
		return nil, err
	}
	return ex.Execute(ctx, plan)
}

// deliverAll delivers every target's image, in plan order.
func (e *env) deliverAll(ctx context.Context, store *cache.Store, disp *display, results []executor.Result, outs [][]output.Spec, opts []remote.Option) error {
	for i, r := range results {
		if err := deliver(ctx, store, disp, r, outs[i], opts); err != nil {
			return fmt.Errorf("target %q: %w", r.Target.Name, err)
		}
	}
	return nil
}

// deliver writes a target's outputs, then stores its image under its tags
// (so an output that fails leaves the tags as they were).
func deliver(ctx context.Context, store *cache.Store, disp *display, r executor.Result, outs []output.Spec, opts []remote.Option) error {
	label := "exporting " + cmp.Or(r.Target.Name, "image")
	if cacheOnly(outs) {
		disp.export(label, "cache only: image not kept")
		return nil
	}
	origins := storeOrigins(store)
	for _, o := range outs {
		img := r.Image
		if o.Pushes() {
			img = output.WithOrigins(img, origins)
		}
		if err := output.Write(ctx, img, r.Target.Tags, o, opts...); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return err // interrupted: nothing is tagged
	}
	dig, err := store.PutImage(r.Image, r.Target.Tags...)
	if err != nil {
		return fmt.Errorf("store image: %w", err)
	}
	lines := []string{"writing image " + dig.String()}
	for _, t := range r.Target.Tags {
		lines = append(lines, "naming to "+t)
	}
	disp.export(label, lines...)
	return nil
}

// cacheOnly reports whether a target's outputs ask for nothing but the cache.
func cacheOnly(outs []output.Spec) bool {
	for _, o := range outs {
		if o.Type != output.TypeCacheOnly {
			return false
		}
	}
	return len(outs) > 0
}

// parseOutputs checks every tag and -o/output before anything is built.
func parseOutputs(specs []planner.TargetSpec) ([][]output.Spec, error) {
	outs := make([][]output.Spec, len(specs))
	for i, s := range specs {
		if _, err := tags.Parse(s.Tags); err != nil {
			return nil, fmt.Errorf("target %q: %w", s.Name, err)
		}
		for _, raw := range s.Outputs {
			o, err := output.Parse(raw)
			if err != nil {
				return nil, fmt.Errorf("target %q: %w", s.Name, err) // err names the output
			}
			if err := checkPush(s, o); err != nil {
				return nil, err
			}
			outs[i] = append(outs[i], o)
		}
	}
	return outs, nil
}

// sourceDateEpoch reads SOURCE_DATE_EPOCH (seconds), if set and valid.
func sourceDateEpoch() *time.Time {
	v := os.Getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil
	}
	t := time.Unix(n, 0).UTC()
	return &t
}
