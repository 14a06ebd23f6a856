package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/stencilbuild/stencil/internal/platform"
	"github.com/stencilbuild/stencil/internal/ulimit"
	"github.com/stencilbuild/stencil/planner"
)

var buildCommand = command{
	name: "build", args: "[OPTIONS] PATH",
	short: "Build one Dockerfile, as `docker build` does",
	example: `  stencil build -f dockerfiles/Dockerfile.debug -t myapp_debug .
  stencil build --target base --build-arg VERSION=2 -o type=oci,dest=img.tar .`,
	new: func() options { return &buildOptions{} },
}

// buildOptions are `stencil build`'s flags, with docker build's meaning.
type buildOptions struct {
	buildFlags
	file, target, network string
	tags, buildArgs       []string
	labels, outputs       []string
	platforms, addHosts   []string
	ulimits               []string
	shmSize               string
	allow                 []string
	secretSpecs           []string
	sshSpecs              []string
	call                  string
	check                 bool
	contexts              []string
}

func (o *buildOptions) AddFlags(fs *pflag.FlagSet) {
	o.buildFlags.AddFlags(fs)
	o.addBuildFlags(fs)
	fs.StringVarP(&o.file, "file", "f", "", "Dockerfile (default: PATH/Dockerfile; - reads it from standard input)")
	fs.StringArrayVarP(&o.tags, "tag", "t", nil, "name and optionally a tag (name:tag)")
	fs.StringArrayVar(&o.buildArgs, "build-arg", nil, "build-time variable KEY=VALUE")
	fs.StringArrayVar(&o.labels, "label", nil, "image label KEY=VALUE")
	fs.StringVar(&o.target, "target", "", "build this stage")
	fs.StringVar(&o.network, "network", "", "network for RUN: default, host or none")
	fs.StringArrayVar(&o.allow, "allow", nil, "grant an entitlement: network.host (RUN on the host network)")
	fs.StringArrayVarP(&o.outputs, "output", "o", nil, "output: type=oci|docker|local,dest=PATH")
	fs.StringArrayVar(&o.platforms, "platform", nil, "target platform: only the native one ("+platform.String()+")")
	fs.StringArrayVar(&o.addHosts, "add-host", nil, "add a HOST:IP entry to /etc/hosts of every RUN")
	fs.StringArrayVar(&o.ulimits, "ulimit", nil, "ulimit of every RUN: NAME=SOFT[:HARD] (nofile=1024:2048)")
	fs.StringVar(&o.shmSize, "shm-size", "", "size of /dev/shm in every RUN (128m; default 64m)")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "no progress; print the image ID on success")
	fs.StringArrayVar(&o.secretSpecs, "secret", nil, "secret for RUN --mount=type=secret: id=ID[,src=FILE|env=VAR]")
	fs.StringArrayVar(&o.sshSpecs, "ssh", nil, "ssh agent for RUN --mount=type=ssh: default|ID[=SOCKET] (default: $SSH_AUTH_SOCK)")
	addCallFlags(fs, &o.call, &o.check)
	fs.StringArrayVar(&o.contexts, "build-context", nil, "named context NAME=VALUE: docker-image://REF, oci-layout://DIR[:TAG], or a directory")
}

func (o *buildOptions) Validate(args []string) error {
	if len(args) != 1 {
		return errors.New("requires exactly 1 argument: the build context PATH")
	}
	if args[0] == "-" {
		return errors.New("a build context on standard input is not supported: pass a directory (-f - reads the Dockerfile from standard input)")
	}
	if o.quiet {
		o.progress = "quiet"
	}
	if o.check {
		o.call = "check"
	}
	_, perr := targetPlatforms(o.platforms)
	if err := errors.Join(perr, checkNetwork(o.network), checkCall(o.call)); err != nil {
		return err
	}
	for _, a := range o.allow {
		if a != "network.host" && a != "security.insecure" {
			return fmt.Errorf("invalid --allow %q: want network.host or security.insecure", a)
		}
	}
	o.hostNetwork = slices.Contains(o.allow, "network.host")
	return o.validate()
}

func (o *buildOptions) Run(ctx context.Context, e *env, args []string) error {
	spec, err := o.spec(args[0])
	if err != nil {
		return err
	}
	if o.file == "-" {
		if spec.DockerfileInline, err = readStdinDockerfile(e.stdin); err != nil {
			return err
		}
	}
	if o.secrets, err = loadSecrets(o.secretSpecs, os.LookupEnv); err != nil {
		return err
	}
	if o.ssh, err = loadSSH(o.sshSpecs, os.Getenv("SSH_AUTH_SOCK")); err != nil {
		return err
	}
	if err := o.checkForeign(spec); err != nil {
		return err
	}
	return e.buildSpecs(ctx, []planner.TargetSpec{spec}, o.buildFlags)
}

func (o *buildOptions) spec(path string) (planner.TargetSpec, error) {
	ctxDir, err := filepath.Abs(path)
	if err != nil {
		return planner.TargetSpec{}, err
	}
	s := planner.TargetSpec{ContextDir: ctxDir, Stage: o.target, Tags: o.tags,
		Outputs: o.outputs, Network: o.network, Check: o.call == "check"}
	if ps, _ := targetPlatforms(o.platforms); len(ps) > 0 { // checked by Validate
		s.Platform = ps[0]
		if len(ps) > 1 {
			s.Platforms = ps
		}
	}
	if s.Dockerfile = o.file; s.Dockerfile == "" || s.Dockerfile == "-" {
		s.Dockerfile = filepath.Join(ctxDir, "Dockerfile")
	} else if s.Dockerfile, err = filepath.Abs(o.file); err != nil {
		return s, err
	}
	if s.Args, err = keyValues("--build-arg", o.buildArgs); err != nil {
		return s, err
	}
	if s.Labels, err = keyValues("--label", o.labels); err != nil {
		return s, err
	}
	if s.ExtraHosts, err = parseAddHosts(o.addHosts); err != nil {
		return s, err
	}
	limits, err := ulimit.Parse(o.ulimits)
	if err != nil {
		return s, fmt.Errorf("--ulimit: %w", err)
	}
	s.Ulimits = ulimit.Strings(limits)
	if s.ShmSize, err = ulimit.ShmSize(o.shmSize); err != nil {
		return s, fmt.Errorf("--shm-size: %w", err)
	}
	s.Contexts, err = buildContexts(o.contexts)
	return s, err
}

// readStdinDockerfile reads the Dockerfile of -f - , as docker build does.
func readStdinDockerfile(r io.Reader) (string, error) {
	src, err := io.ReadAll(r)
	if err != nil {
		return "", fmt.Errorf("read Dockerfile from standard input: %w", err)
	}
	if len(bytes.TrimSpace(src)) == 0 {
		return "", errors.New("read Dockerfile from standard input: it is empty")
	}
	return string(src), nil
}

// keyValues parses KEY=VALUE flags; a bare KEY takes its value from the
// environment, as docker build does.
func keyValues(flag string, kvs []string) (map[string]string, error) {
	m := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if k == "" {
			return nil, fmt.Errorf("invalid %s %q: want KEY=VALUE", flag, kv)
		}
		if !ok {
			var set bool
			if v, set = lookupEnv(k); !set {
				continue
			}
		}
		m[k] = v
	}
	return m, nil
}

// buildContexts parses --build-context NAME=VALUE flags; directories are
// taken from the working directory.
func buildContexts(flags []string) (map[string]string, error) {
	m := map[string]string{}
	for _, f := range flags {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("invalid --build-context %q: want NAME=VALUE", f)
		}
		m[k] = v
	}
	dir, err := os.Getwd()
	return planner.AbsContexts(m, dir), err
}
