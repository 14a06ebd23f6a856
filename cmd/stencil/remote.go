package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	"github.com/sirupsen/logrus"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/executor"
	"github.com/stencilbuild/stencil/executor/remote"
	"github.com/stencilbuild/stencil/planner"
)

// buildRemote solves plan on the builder bk and writes the metadata files.
func (e *env) buildRemote(ctx context.Context, store *cache.Store, bk *client.Client, plan *planner.Plan, specs []planner.TargetSpec, b buildFlags) error {
	logrus.SetLevel(logrus.ErrorLevel) // BuildKit's client libraries log warnings through logrus
	reg, err := b.regConfig()
	if err != nil {
		return err
	}
	from, to, err := remoteCaches(specs, b.ciFlags)
	if err != nil {
		return err
	}
	epoch, note := b.epoch(ctx, specs)
	ex := &remote.Executor{Client: bk, Store: store, Progress: e.stderr, ProgressMode: b.progress,
		Epoch: epoch, Insecure: reg.IsInsecure, CacheFrom: from, CacheTo: to,
		Load: b.load || b.quiet, Secrets: b.secrets, SSH: b.ssh}
	if note != "" {
		ex.Notes = []string{note}
	}
	results, err := ex.Execute(ctx, plan)
	if err != nil {
		return err
	}
	if b.progress == "plain" || b.progress == "auto" || b.progress == "tty" { // rawjson stays JSON, quiet quiet
		for _, r := range results {
			if dig := r.Response[exptypes.ExporterImageDigestKey]; dig != "" {
				fmt.Fprintf(e.stderr, "#%s image %s built on the builder\n", r.Target.Name, dig)
			}
		}
	}
	if err := e.finishRemote(ctx, results, b); err != nil {
		return err
	}
	return b.writeRemoteMetadata(results)
}

// finishRemote does --load and -q with the images loaded back.
func (e *env) finishRemote(ctx context.Context, results []remote.Result, b buildFlags) error {
	if !b.load && !b.quiet {
		return nil
	}
	local := make([]executor.Result, len(results))
	for i, r := range results {
		local[i] = executor.Result{Target: r.Target, Image: r.Image}
	}
	disp, err := newDisplay(b.progress, e.stderr)
	if err != nil {
		return err
	}
	return errors.Join(b.finish(ctx, disp, local, e.stdout), disp.close())
}

// writeRemoteMetadata writes --metadata-file from the solve responses (as
// buildx decodes them) and --iidfile from the image config digest.
func (c *ciFlags) writeRemoteMetadata(results []remote.Result) error {
	if len(results) > 0 {
		if err := c.writeIIDFile(results[len(results)-1].Response[exptypes.ExporterImageConfigDigestKey]); err != nil {
			return err
		}
	}
	if c.metadataFile == "" {
		return nil
	}
	all := map[string]map[string]any{}
	for _, r := range results {
		all[r.Target.Name] = decodeResponse(r.Response)
	}
	var v any = all
	if len(results) == 1 && results[0].Target.Name == "" {
		v = all[""]
	}
	return writeMetadataFile(c.metadataFile, v)
}

// decodeResponse turns base64 JSON values (descriptors) into JSON, as
// buildx does; the rest stay strings.
func decodeResponse(resp map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range resp {
		out[k] = v
		dt, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			continue
		}
		var raw map[string]any
		if json.Unmarshal(dt, &raw) == nil && len(raw) > 0 {
			out[k] = json.RawMessage(dt)
		}
	}
	return out
}

// remoteCaches are each target's cache-from and cache-to (with build's
// flags), handed to BuildKit's own importers and exporters.
func remoteCaches(specs []planner.TargetSpec, c ciFlags) (from, to map[string][]client.CacheOptionsEntry, err error) {
	from, to = map[string][]client.CacheOptionsEntry{}, map[string][]client.CacheOptionsEntry{}
	for _, s := range specs {
		if from[s.Name], err = remote.ParseCacheOptions(append(slices.Clone(s.CacheFrom), c.cacheFrom...)); err != nil {
			return nil, nil, fmt.Errorf("target %q: cache-from: %w", s.Name, err)
		}
		if to[s.Name], err = remote.ParseCacheOptions(append(slices.Clone(s.CacheTo), c.cacheTo...)); err != nil {
			return nil, nil, fmt.Errorf("target %q: cache-to: %w", s.Name, err)
		}
	}
	return from, to, nil
}
