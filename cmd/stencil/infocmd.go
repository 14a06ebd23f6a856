package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/stencilbuild/stencil/internal/host"
)

func init() { commands = append(commands, infoCommand) }

var infoCommand = command{
	name: "info", args: "",
	short:   "Show how this machine runs builds: kernel, user, namespaces, overlayfs, snapshotter, isolation, network, cgroups, store",
	example: "  stencil info\n  stencil info --snapshotter=native",
	new:     func() options { return &infoOptions{} },
}

type infoOptions struct{ hostFlags }

func (o *infoOptions) AddFlags(fs *pflag.FlagSet) { o.hostFlags.AddFlags(fs) }

func (o *infoOptions) Validate(args []string) error {
	if len(args) != 0 {
		return errors.New("takes no arguments")
	}
	return nil
}

// Run prints the facts and choices; it fails, after printing them, with
// the preflight's lines when builds cannot run here.
func (o *infoOptions) Run(_ context.Context, e *env, _ []string) error {
	f := host.Probe(e.root)
	w, err := o.want()
	if err != nil {
		return err
	}
	c, err := f.Choose(w)
	writeInfo(e.stdout, f, c)
	return err
}

// hostFlags choose how local builds run (preflight).
type hostFlags struct {
	snapshotter string
	isolation   string
	configFile  string // tests point it elsewhere
}

func (h *hostFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&h.snapshotter, "snapshotter", os.Getenv("STENCIL_SNAPSHOTTER"),
		"how RUN roots are prepared: auto, overlay or native (copies; for stores overlayfs cannot use) (default $STENCIL_SNAPSHOTTER, else config.json's \"snapshotter\", else auto)")
	fs.StringVar(&h.isolation, "isolation", "namespaces",
		"how RUN steps are isolated: namespaces, or chroot (inside unprivileged containers: no namespaces, no cgroup limits)")
}

// want is what the user asked for: --snapshotter (whose default is
// $STENCIL_SNAPSHOTTER), else config.json's "snapshotter", else auto.
func (h *hostFlags) want() (host.Want, error) {
	w := host.Want{Snapshotter: h.snapshotter, Isolation: h.isolation}
	if w.Snapshotter != "" {
		return w, nil
	}
	c, err := readConfigFile(h.configFile)
	switch c.Snapshotter {
	case "", "auto", host.Overlay, host.Native:
	default:
		err = fmt.Errorf(`config.json "snapshotter": unknown snapshotter %q (want auto, %s or %s)`, c.Snapshotter, host.Overlay, host.Native)
	}
	w.Snapshotter = c.Snapshotter
	return w, err
}

// isolation is the executor's Isolation for c.
func isolation(c host.Choice) string {
	if strings.HasPrefix(c.Isolation, host.Chroot) {
		return host.Chroot
	}
	return ""
}

// preflight probes this machine and decides how to build, before any step
// runs: the notes go to w, a missing requirement is the error.
func (h *hostFlags) preflight(root string, w io.Writer) (host.Choice, error) {
	want, err := h.want()
	if err != nil {
		return host.Choice{}, err
	}
	c, err := host.Probe(root).Choose(want)
	if err != nil {
		return c, err
	}
	for _, n := range c.Notes {
		fmt.Fprintln(w, n)
	}
	return c, nil
}

// containerPreflight refuses, in one line, a machine where containers
// cannot run: they keep their changes in an overlay upper dir, so they
// need a store overlayfs can use.
func (h *hostFlags) containerPreflight(root string) error {
	want, err := h.want()
	if err != nil {
		return err
	}
	f := host.Probe(root)
	c, err := f.Choose(want)
	if err == nil && c.Snapshotter == host.Native {
		err = fmt.Errorf("containers keep their changes in overlayfs, which cannot use the store %s (on %s); put STENCIL_ROOT on ext4, xfs or btrfs", f.Store, f.StoreFS)
	}
	return err
}

// writeInfo prints f and c as stencil info shows them.
func writeInfo(w io.Writer, f host.Facts, c host.Choice) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, format string, args ...any) { fmt.Fprintf(tw, "%s:\t%s\n", k, fmt.Sprintf(format, args...)) }
	row("Kernel", "%s", f.Kernel)
	if f.Rootless {
		row("User", "%s", f.User)
	} else {
		row("User", "%s (uid %d)", f.User, f.UID)
	}
	row("Namespaces", "%s", yesNo(f.Namespaces))
	row("User namespaces", "%s", yesNo(f.UserNS))
	row("Overlayfs", "%s", yesNo(f.Overlay))
	row("Overlayfs on store", "%s", yesNo(f.StoreOverlay))
	row("Snapshotter", "%s", orUnknown(c.Snapshotter))
	row("Isolation", "%s", c.Isolation)
	row("Network", "%s", c.Network)
	row("Cgroups", "%s", f.Cgroup)
	row("Store", "%s (%s)", f.Store, f.StoreFS)
	tw.Flush()
	for _, n := range c.Notes {
		fmt.Fprintln(w, n)
	}
}

func yesNo(err error) string {
	if err == nil {
		return "yes"
	}
	return "no (" + err.Error() + ")"
}

func orUnknown(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
