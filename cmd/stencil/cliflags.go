package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/stencilbuild/stencil/executor"
	"github.com/stencilbuild/stencil/internal/platform"
	"github.com/stencilbuild/stencil/planner"
)

// deliveryFlags are --load and -q: where a finished image goes besides
// the store, and what is printed.
type deliveryFlags struct {
	load   bool
	quiet  bool
	daemon *dockerDaemon // found before building when load is set
}

func (d *deliveryFlags) addLoadFlag(fs *pflag.FlagSet) {
	fs.BoolVar(&d.load, "load", false, "load the image into the Docker daemon of DOCKER_HOST (or /var/run/docker.sock)")
}

// prepare finds the Docker daemon for --load, before anything is built.
func (d *deliveryFlags) prepare(ctx context.Context) error {
	if !d.load {
		return nil
	}
	var err error
	d.daemon, err = findDaemon(ctx)
	return err
}

// finish loads every image into the daemon for --load and, for -q, prints
// each image's ID on stdout as `docker build -q` does.
func (d *deliveryFlags) finish(ctx context.Context, disp *display, results []executor.Result, stdout io.Writer) error {
	for _, r := range results {
		if d.daemon != nil {
			if err := d.daemon.load(ctx, r.Image, r.Target.Tags); err != nil {
				return fmt.Errorf("target %q: %w", r.Target.Name, err)
			}
			disp.export("loading "+r.Target.Name+" into docker", "loaded into "+d.daemon.host)
		}
		if d.quiet {
			id, err := r.Image.ConfigName()
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, id)
		}
	}
	return nil
}

// targetPlatforms is build's --platform values (comma-separated lists
// too) as platforms to build (platform.Target's form, "" native), without
// repeats; several make one multi-platform image.
func targetPlatforms(values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		for _, p := range strings.Split(v, ",") {
			t, err := platform.Target(p)
			if err != nil {
				return nil, fmt.Errorf("--platform: %w", err)
			}
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out, nil
}

// checkForeign refuses, before any work, what only a BuildKit builder
// builds when none is chosen: build's --platform other than the native
// one, or several (bake's targets are refused in bakeSpecs, at their
// attribute).
func (b *builderFlags) checkForeign(spec planner.TargetSpec) error {
	why := needsBuilder(spec)
	if _, remote, err := b.resolve(); err != nil || remote || why == "" {
		return err
	}
	return errors.New("--" + why)
}

// checkMultiLoad refuses, before any work, a multi-platform image that
// would be loaded into the local store (no output, --load or -q): the
// store keeps one platform per tag.
func (b *buildFlags) checkMultiLoad(specs []planner.TargetSpec) error {
	for _, s := range specs {
		if len(s.Platforms) > 1 && (len(s.Outputs) == 0 || b.load || b.quiet) {
			return fmt.Errorf("target %q: a multi-platform image cannot be loaded into the local store, which keeps one platform per tag: push it (type=registry) or write it (type=oci)", s.Name)
		}
	}
	return nil
}

// needsBuilder says why s is built only on a builder ("" when it is not).
func needsBuilder(s planner.TargetSpec) string {
	if len(s.Platforms) > 1 {
		names := make([]string, len(s.Platforms))
		for i, p := range s.Platforms {
			names[i] = platform.Of(p).String()
		}
		return fmt.Sprintf("platforms %s (a multi-platform image) need a builder (--builder): the local executor builds only %s",
			strings.Join(names, ","), platform.String())
	}
	if s.Platform != "" {
		return fmt.Sprintf("platform %s needs a builder (--builder): the local executor builds only %s", s.Platform, platform.String())
	}
	return ""
}

// checkNetwork accepts the RUN network modes Stencil has.
func checkNetwork(mode string) error {
	if !slices.Contains([]string{"", "default", "host", "none"}, mode) {
		return fmt.Errorf("invalid --network %q: want default, host or none", mode)
	}
	return nil
}

// parseAddHosts reads --add-host host:ip (or host=ip) values into sorted
// "host=ip" entries.
func parseAddHosts(values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		host, ip, ok := strings.Cut(v, "=")
		if !ok {
			host, ip, ok = strings.Cut(v, ":")
		}
		if err := checkHost(host, ip); !ok || err != nil {
			return nil, fmt.Errorf("invalid --add-host %q: want HOST:IP (%v)", v, err)
		}
		out = append(out, host+"="+ip)
	}
	slices.Sort(out)
	return out, nil
}

// checkHost refuses an extra host Stencil cannot write into /etc/hosts.
func checkHost(host, ip string) error {
	switch {
	case host == "" || strings.ContainsAny(host, " \t\n"):
		return fmt.Errorf("invalid host name %q", host)
	case ip == "host-gateway":
		return fmt.Errorf("host-gateway is not supported by stencil yet (RUN shares the host network)")
	case net.ParseIP(ip) == nil:
		return fmt.Errorf("invalid IP address %q", ip)
	}
	return nil
}
