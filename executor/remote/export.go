package remote

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/moby/buildkit/client"

	"github.com/stencilbuild/stencil/executor/output"
	"github.com/stencilbuild/stencil/internal/atomicfile"
	"github.com/stencilbuild/stencil/planner"
)

// delivery is one target's exports and what happens once every solve
// succeeded: temp outputs renamed into place, the image loaded into the
// local store.
type delivery struct {
	exports []client.ExportEntry
	commits []func() error // renames, in order
	load    string         // OCI layout dir to load into the store ("" = none)
	temps   []string       // removed by cleanup
	tags    []string
	// insecureHost says whether a registry may be reached over plain HTTP.
	insecureHost func(host string) bool
}

// plan maps a target's outputs to BuildKit exporters. The image comes
// back into the local store when the target asks for no output, for
// type=image or for type=docker without dest; pushes happen on the
// builder, files are streamed back and type=cacheonly exports nothing.
func (e *Executor) plan(t planner.Target) (*delivery, error) {
	d := &delivery{tags: t.Tags, insecureHost: e.Insecure}
	specs, err := parseAll(t.Outputs)
	if err != nil {
		return nil, err
	}
	for _, s := range specs {
		if err := d.add(s, e.epochAttrs()); err != nil {
			return nil, err
		}
	}
	if len(t.Outputs) == 0 || e.Load { // type=cacheonly alone keeps it on the builder
		if err := d.addLoad(e.epochAttrs()); err != nil {
			return d, err
		}
	}
	if len(t.Variants) > 0 && d.load != "" {
		return d, errors.New("a multi-platform image cannot be loaded into the local store, which keeps one platform per tag: push it (type=registry) or write it (type=oci)")
	}
	return d, nil
}

func parseAll(raw []string) ([]output.Spec, error) {
	var specs []output.Spec
	for _, r := range raw {
		if strings.TrimSpace(r) == "type=cacheonly" {
			continue
		}
		s, err := output.Parse(r)
		if err != nil {
			return nil, err
		}
		specs = append(specs, s)
	}
	return specs, nil
}

// epochAttrs clamp the exported image's times to SOURCE_DATE_EPOCH.
func (e *Executor) epochAttrs() map[string]string {
	if e.Epoch == nil {
		return map[string]string{}
	}
	return map[string]string{"source-date-epoch": strconv.FormatInt(e.Epoch.Unix(), 10), "rewrite-timestamp": "true"}
}

// add maps one output spec.
func (d *delivery) add(s output.Spec, attrs map[string]string) error {
	names := strings.Join(append(append([]string(nil), d.tags...), s.Names...), ",")
	if names != "" {
		attrs["name"] = names
	}
	switch {
	case s.Type == output.TypeRegistry || s.Push:
		if names == "" {
			return errors.New("push: the image has no name (add a tag or name=)")
		}
		attrs["push"] = "true"
		if d.insecure(names) {
			attrs["registry.insecure"] = "true"
		}
		d.exports = append(d.exports, client.ExportEntry{Type: client.ExporterImage, Attrs: attrs})
		return nil
	case s.Type == output.TypeImage, s.Type == output.TypeDocker && s.Dest == "":
		return d.addLoad(attrs)
	case s.Type == output.TypeLocal:
		return d.addDir(client.ExporterLocal, s.Dest, attrs)
	case s.Type == output.TypeOCI && !s.Tar:
		attrs["tar"] = "false"
		return d.addDir(client.ExporterOCI, s.Dest, attrs)
	default: // oci archive, docker archive
		return d.addFile(string(s.Type), s.Dest, attrs)
	}
}

// addLoad exports an OCI layout into a temp dir, loaded into the store.
func (d *delivery) addLoad(attrs map[string]string) error {
	if d.load != "" {
		return nil
	}
	dir, err := os.MkdirTemp("", "stencil-remote-load-")
	if err != nil {
		return err
	}
	d.temps = append(d.temps, dir)
	d.load = dir
	attrs["tar"] = "false"
	return d.addStore(client.ExportEntry{Type: client.ExporterOCI, Attrs: attrs, OutputDir: dir})
}

// addStore adds an exporter that writes into a content store: BuildKit's
// client serves one per solve.
func (d *delivery) addStore(x client.ExportEntry) error {
	for _, o := range d.exports {
		if o.Type == client.ExporterOCI && o.OutputDir != "" {
			return errors.New("an oci directory output and loading into the local store cannot be combined on a remote builder")
		}
	}
	d.exports = append(d.exports, x)
	return nil
}

// addDir exports into a temp dir beside dest, renamed over it at the end.
func (d *delivery) addDir(typ, dest string, attrs map[string]string) error {
	tmp, err := d.beside(dest, true)
	if err != nil {
		return err
	}
	x := client.ExportEntry{Type: typ, Attrs: attrs, OutputDir: tmp}
	if typ == client.ExporterOCI {
		return d.addStore(x)
	}
	d.exports = append(d.exports, x)
	return nil
}

// addFile streams an archive into a temp file beside dest.
func (d *delivery) addFile(typ, dest string, attrs map[string]string) error {
	tmp, err := d.beside(dest, false)
	if err != nil {
		return err
	}
	out := func(map[string]string) (io.WriteCloser, error) {
		return os.OpenFile(tmp, os.O_WRONLY|os.O_TRUNC, 0o644)
	}
	d.exports = append(d.exports, client.ExportEntry{Type: typ, Attrs: attrs, Output: out})
	return nil
}

// beside is a temp file or directory next to dest that the end of the
// build renames over dest (and cleanup removes if it never does).
func (d *delivery) beside(dest string, dir bool) (string, error) {
	tmp, err := tempBeside(dest, dir)
	if err != nil {
		return "", err
	}
	d.temps = append(d.temps, tmp)
	commit := func() error { return os.Rename(tmp, dest) }
	if dir {
		commit = func() error { return atomicfile.SwapDir(tmp, dest) }
	}
	d.commits = append(d.commits, commit)
	return tmp, nil
}

// tempBeside makes a temp file or directory next to dest, so the final
// rename stays on one filesystem.
func tempBeside(dest string, dir bool) (string, error) {
	parent, base := filepath.Split(filepath.Clean(dest))
	if parent == "" {
		parent = "."
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("create output directory: %w", err)
	}
	if dir {
		return os.MkdirTemp(parent, "."+base+".tmp-")
	}
	f, err := os.CreateTemp(parent, "."+base+".tmp-")
	if err != nil {
		return "", err
	}
	return f.Name(), f.Close()
}

// cleanup removes whatever temp output is still there.
func (d *delivery) cleanup() {
	if d == nil {
		return
	}
	for _, t := range d.temps {
		os.RemoveAll(t)
	}
}

// insecure reports whether any of names lives on a registry reached over
// plain HTTP: a loopback one or one the user declared insecure.
func (d *delivery) insecure(names string) bool {
	for _, n := range strings.Split(names, ",") {
		ref, err := name.ParseReference(n)
		if err != nil {
			continue
		}
		host := ref.Context().RegistryStr()
		h, _, err := net.SplitHostPort(host)
		if err != nil {
			h = host
		}
		if ip := net.ParseIP(h); h == "localhost" || (ip != nil && ip.IsLoopback()) {
			return true
		}
		if d.insecureHost != nil && d.insecureHost(host) {
			return true
		}
	}
	return false
}
