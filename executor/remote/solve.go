package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"io"
	"time"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/secrets/secretsprovider"
	"github.com/moby/buildkit/session/sshforward/sshprovider"
	"golang.org/x/sync/errgroup"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/planner"
)

// Executor solves plans on one builder.
type Executor struct {
	Client *client.Client
	// Store holds the base images the plan resolved (read by the builder
	// through the session) and receives images loaded back.
	Store *cache.Store
	// Progress receives BuildKit's status stream, rendered in ProgressMode
	// ("auto", "plain", "tty" or "rawjson"); nil discards it.
	Progress     io.Writer
	ProgressMode string
	Epoch        *time.Time // SOURCE_DATE_EPOCH: history times and layer timestamps
	// CacheFrom and CacheTo are each target's BuildKit cache importers
	// and exporters (type=registry|local|inline,...), by target name.
	CacheFrom, CacheTo map[string][]client.CacheOptionsEntry
	// Insecure says whether the builder may push to a registry host over
	// plain HTTP (loopback registries always may); nil: none.
	Insecure func(host string) bool
	// Load brings every image back into Store, whatever the outputs
	// (docker build's --load and -q need it locally).
	Load bool
	// Secrets are RUN --mount=type=secret values by id, served to the
	// builder through each solve's session; they never enter the LLB.
	Secrets map[string][]byte
	// SSH are RUN --mount=type=ssh agent sockets by id, forwarded to the
	// builder through each solve's session.
	SSH map[string]string
	// Notes are lines the progress display shows before the solves, as
	// finished vertices (where the epoch came from).
	Notes []string
}

// Result is what one target produced on the builder.
type Result struct {
	Target planner.Target
	// Response is the solve's exporter response (image digest, names,
	// descriptors), as --metadata-file records it.
	Response map[string]string
	// Image is the image as loaded into the store; nil when it stayed on
	// the builder (pushed, or only written to files).
	Image v1.Image
}

// Execute lowers p, solves every target at once on the builder (so the
// stages they share are solved once) and delivers each target's outputs.
// Nothing is written locally unless every target succeeded.
func (e *Executor) Execute(ctx context.Context, p *planner.Plan) ([]Result, error) {
	if err := errors.Join(p.CheckSecrets(e.Secrets), p.CheckSSH(e.SSH)); err != nil {
		return nil, err
	}
	in, err := e.openInputs(ctx, contextDirs(p))
	if err != nil {
		return nil, err
	}
	defer in.close()
	low, err := Lower(p, e.Store, e.Epoch, in.s.ID())
	if err != nil {
		return nil, err
	}
	outs := make([]*delivery, len(low.Targets))
	defer func() {
		for _, o := range outs {
			o.cleanup()
		}
	}()
	for i, t := range low.Targets {
		if outs[i], err = e.plan(t.Target); err != nil {
			return nil, fmt.Errorf("target %q: %w", t.Name, err)
		}
	}
	res, err := e.solveAll(ctx, low, outs)
	if err != nil {
		return nil, low.locateFailure(ctx, err)
	}
	return res, e.deliver(outs, res)
}

// solveAll runs one solve per target concurrently, with one progress
// display for all of them.
func (e *Executor) solveAll(ctx context.Context, low *Lowered, outs []*delivery) ([]Result, error) {
	prog, err := newProgress(ctx, e.Progress, e.ProgressMode, len(low.Targets), e.Notes)
	if err != nil {
		return nil, err
	}
	res := make([]Result, len(low.Targets))
	g, gctx := errgroup.WithContext(ctx)
	for i, t := range low.Targets {
		ch := prog.channel()
		g.Go(func() error {
			opt, err := e.solveOpt(outs[i], low.Entitlements)
			if err != nil {
				return err
			}
			opt.CacheImports, opt.CacheExports = e.CacheFrom[t.Name], e.CacheTo[t.Name]
			r, err := e.solve(gctx, t, opt, ch)
			if err != nil && t.Name != "" {
				return fmt.Errorf("target %q: %w", t.Name, err)
			}
			if err != nil {
				return err
			}
			res[i] = Result{Target: t.Target, Response: r.ExporterResponse}
			return nil
		})
	}
	err = g.Wait()
	return res, errors.Join(err, prog.wait())
}

// solveOpt is one target's solve: its exports and the secrets provider
// (its other inputs come from the shared inputs session). Secrets go on
// the solve's own session because BuildKit looks them up among the
// sessions of the jobs that run the step; so do ssh agents.
func (e *Executor) solveOpt(d *delivery, entitlements []string) (client.SolveOpt, error) {
	opt := client.SolveOpt{
		Exports: d.exports,
		Session: []session.Attachable{secretsprovider.FromMap(e.Secrets)},
		// never nil: the client copies cache attributes into it
		FrontendAttrs: map[string]string{},
		// network=host RUN steps need the entitlement; the builder must grant it too
		AllowedEntitlements: entitlements,
	}
	if len(e.SSH) == 0 {
		return opt, nil
	}
	var confs []sshprovider.AgentConfig
	for id, sock := range e.SSH {
		confs = append(confs, sshprovider.AgentConfig{ID: id, Paths: []string{sock}})
	}
	agents, err := sshprovider.NewSSHAgentProvider(confs)
	opt.Session = append(opt.Session, agents)
	return opt, err
}

// solve builds one target through the gateway, so its image gets the
// plan's config.
func (e *Executor) solve(ctx context.Context, t LoweredTarget, opt client.SolveOpt, ch chan *client.SolveStatus) (*client.SolveResponse, error) {
	build := func(ctx context.Context, c gateway.Client) (*gateway.Result, error) {
		def, err := t.State.Marshal(ctx)
		if err != nil {
			return nil, fmt.Errorf("marshal LLB: %w", err)
		}
		imports, err := cacheImports(c)
		if err != nil {
			return nil, err
		}
		if len(t.Variants) > 0 {
			return solveVariants(ctx, c, t.Variants, imports)
		}
		ref, err := solveRef(ctx, c, def, imports)
		if err != nil {
			return nil, err
		}
		out := gateway.NewResult()
		out.SetRef(ref)
		out.AddMeta(exptypes.ExporterImageConfigKey, t.Config)
		return out, nil
	}
	return e.Client.Build(ctx, opt, "stencil", build, ch)
}

// solveRef solves one definition to its result.
func solveRef(ctx context.Context, c gateway.Client, def *llb.Definition, imports []gateway.CacheOptionsEntry) (gateway.Reference, error) {
	r, err := c.Solve(ctx, gateway.SolveRequest{Definition: def.ToPB(), Evaluate: true, CacheImports: imports})
	if err != nil {
		return nil, err
	}
	return r.SingleRef()
}

// solveVariants solves each platform's image and returns them as one
// result with BuildKit's platform metadata, which its exporters turn
// into an image index.
func solveVariants(ctx context.Context, c gateway.Client, vs []LoweredVariant, imports []gateway.CacheOptionsEntry) (*gateway.Result, error) {
	out := gateway.NewResult()
	var ps exptypes.Platforms
	for _, v := range vs {
		def, err := v.State.Marshal(ctx, llb.Platform(v.Platform))
		if err != nil {
			return nil, fmt.Errorf("marshal LLB: %w", err)
		}
		ref, err := solveRef(ctx, c, def, imports)
		if err != nil {
			return nil, err
		}
		id := platforms.FormatAll(v.Platform)
		out.AddRef(id, ref)
		out.AddMeta(exptypes.ExporterImageConfigKey+"/"+id, v.Config)
		ps.Platforms = append(ps.Platforms, exptypes.Platform{ID: id, Platform: v.Platform})
	}
	dt, err := json.Marshal(ps)
	if err != nil {
		return nil, err
	}
	out.AddMeta(exptypes.ExporterPlatformsKey, dt)
	return out, nil
}

// cacheImports are the solve's --cache-from entries, which the client
// hands a gateway build as the "cache-imports" option (local directories
// already turned into session stores).
func cacheImports(c gateway.Client) ([]gateway.CacheOptionsEntry, error) {
	var imports []gateway.CacheOptionsEntry
	if v := c.BuildOpts().Opts["cache-imports"]; v != "" {
		if err := json.Unmarshal([]byte(v), &imports); err != nil {
			return nil, fmt.Errorf("read cache imports: %w", err)
		}
	}
	return imports, nil
}
