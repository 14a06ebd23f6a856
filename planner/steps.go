package planner

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/stencilbuild/stencil/frontend/dockerfile"
	"github.com/stencilbuild/stencil/internal/suggest"
)

// run plans a RUN. Every declared arg with a value is in its env and so in
// its key (Docker semantics), except the predefined proxy args.
func (s *stageState) run(c *instructions.RunCommand) error {
	env, args := s.runEnv()
	network := s.network(c)
	argv, files, err := s.runArgs(c)
	if err != nil {
		return err
	}
	mounts, mountKeys, err := s.mounts(c)
	if err != nil {
		return err
	}
	if sock := sshMounts(mounts, env); sock != "" {
		env = append(env, sock)
	}
	in := KeyInputs{Instruction: runText(c), Args: args, ExtraHosts: s.ts.spec.ExtraHosts, Mounts: mountKeys,
		Ulimits: s.ts.spec.Ulimits, ShmSize: s.ts.spec.ShmSize}
	if network != "default" {
		in.Network = network
	}
	s.emit(&Step{
		Kind:        KindRun,
		Instruction: in.Instruction,
		History:     runHistory(argv, s.args.order, args),
		Inputs:      in,
		Run: &Run{
			Args:    argv,
			Files:   files,
			Env:     env,
			User:    s.cfg.User,
			Workdir: workdirOr(s.cfg),
			Network: network,
			Hosts:   s.ts.spec.ExtraHosts,
			Ulimits: s.ts.spec.Ulimits,
			ShmSize: s.ts.spec.ShmSize,
			Mounts:  mounts,
		},
	})
	return nil
}

// runHistory is a RUN's history text as BuildKit writes it: the build
// args the step saw, in declaration order ("|2 A=1 B=2"), then its argv.
func runHistory(argv, order []string, args map[string]string) string {
	var parts []string
	for _, k := range order {
		if v, ok := args[k]; ok {
			parts = append(parts, k+"="+v)
		}
	}
	if len(parts) > 0 {
		parts = append([]string{fmt.Sprintf("|%d", len(parts))}, parts...)
	}
	return "RUN " + strings.Join(append(parts, argv...), " ") + " # buildkit"
}

// runEnv is the image env with the declared args merged in as BuildKit
// does (see stageState.value), and the args that count for the key.
func (s *stageState) runEnv() ([]string, map[string]string) {
	env := slices.Clone(s.cfg.Env)
	var keyed map[string]string
	for _, name := range s.args.order {
		v, ok := s.args.get(name)
		_, shadowed := envGet(s.cfg.Env, name)
		if !ok || (shadowed && !s.args.over[name]) {
			continue
		}
		env = setEnv(env, name, v)
		if !proxyArgs[name] {
			if keyed == nil {
				keyed = map[string]string{}
			}
			keyed[name] = v
		}
	}
	return env, keyed
}

// network is RUN --network if given, else the target's: "default" (a
// private network with outbound access), "host" or "none".
func (s *stageState) network(c *instructions.RunCommand) string {
	mode := s.ts.spec.Network
	if slices.Contains(c.FlagsUsed, "network") {
		mode = instructions.GetNetwork(c)
	}
	if mode == "none" || mode == "host" {
		return mode
	}
	return "default"
}

// copySpec is what COPY and ADD share.
type copySpec struct {
	add                bool
	sd                 instructions.SourcesAndDest
	from, chown, chmod string
	exclude            []string // --exclude patterns, as written (never expanded)
	checksum           string   // ADD --checksum
	parents, link      bool
	keepGitDir         *bool // ADD --keep-git-dir
}

// copy plans a COPY or ADD from the context, a stage or an image.
func (s *stageState) copy(cs copySpec) error {
	cp := &Copy{Add: cs.add, Workdir: workdirOr(s.cfg), Exclude: cs.exclude, Parents: cs.parents, Link: cs.link}
	var err error
	if cp.Sources, err = s.expandAll(cs.sd.SourcePaths); err != nil {
		return err
	}
	if err := dockerfile.CheckSources(cs.add, cp.Sources); err != nil {
		return err
	}
	words, err := s.expandAll([]string{cs.sd.DestPath, cs.chown, cs.chmod, cs.from})
	if err != nil {
		return err
	}
	cp.Dest, cp.Chown, cp.Chmod = words[0], words[1], words[2]
	if cp.Link && cp.Chown != "" && !numericOwner(cp.Chown) {
		return fmt.Errorf("--chown=%s: user and group names can't be resolved when used with --link, use numeric uid[:gid] instead", cp.Chown)
	}
	if cp.Inline, err = s.inlineFiles(cs.sd.SourceContents, cp); err != nil {
		return err
	}
	in := KeyInputs{Instruction: copyText(cp, words[3])}
	var fetched KeyInputs
	all := cp.Sources
	checksum, err := s.expand(cs.checksum)
	if err != nil {
		return err
	}
	if cp.Sources, err = s.fetchURLs(cp, checksum, &fetched); err != nil {
		return err
	}
	if cp.Sources, err = s.fetchGit(cp, cs.keepGitDir, checksum, cp.Sources, &fetched); err != nil {
		return err
	}
	if err := s.copyFrom(cp, &in, words[3]); err != nil {
		return err
	}
	cp.Sources = all
	for k, v := range fetched.Files {
		if in.Files == nil {
			in.Files = map[string]string{}
		}
		in.Files[k] = v
	}
	in.Files = inlineKeys(cp.Inline, in.Files)
	s.emit(&Step{Kind: KindCopy, Instruction: in.Instruction, Copy: cp, Inputs: in})
	return nil
}

// contextFiles resolves and digests the context files cp reads.
func (s *stageState) contextFiles(cp *Copy, in *KeyInputs) error {
	excludes, err := s.ts.excludes()
	if err != nil {
		return err
	}
	return s.readFiles(cp, in, s.ts.spec.ContextDir, excludes)
}

// readFiles resolves and digests the files cp reads from directory dir.
func (s *stageState) readFiles(cp *Copy, in *KeyInputs, dir string, excludes []string) error {
	if len(cp.Sources) == 0 { // heredocs only
		return nil
	}
	cp.Context, cp.Excludes = dir, excludes
	files, err := s.ts.b.contextFiles(cp)
	if err != nil {
		return err
	}
	cp.Files = files
	in.Files = fileKeys(files)
	return nil
}

// copyFrom resolves where cp reads: the build context, a local directory
// context (read the same way), or a stage, context or image's step.
func (s *stageState) copyFrom(cp *Copy, in *KeyInputs, from string) error {
	if from == "" {
		return s.contextFiles(cp, in)
	}
	if _, notStage := s.ts.f.StageIndex(from); notStage != nil {
		c, ok, err := s.ts.context(from)
		if err != nil {
			return err
		}
		if ok && c.kind == ctxLocal {
			return s.localContext(cp, in, c.value)
		}
	}
	var err error
	cp.From, err = s.copySource(from)
	in.From = cp.From
	return err
}

// contextFiles is Inputs.ContextFiles, asked once per plan for the same
// sources, destination, options and excludes in the same context (targets sharing a
// COPY walk their context once).
func (b *builder) contextFiles(cp *Copy) ([]CopyFile, error) {
	key := fmt.Sprintf("%q %q %q %q %q %q %t", cp.Context, cp.Sources, cp.Dest, cp.Workdir, cp.Excludes, cp.Exclude, cp.Parents)
	if files, ok := b.files[key]; ok {
		return slices.Clone(files), nil
	}
	files, err := b.in.ContextFiles(b.ctx, cp)
	if err != nil {
		return nil, err
	}
	b.files[key] = slices.Clone(files)
	return files, nil
}

// copySource is the key a COPY --from reads: a stage's last step, else an
// image's base step. An unresolvable name close to a stage name gets a
// suggestion.
func (s *stageState) copySource(from string) (string, error) {
	if j, err := s.ts.f.StageIndex(from); err == nil {
		if j == s.idx {
			return "", fmt.Errorf("--from=%s refers to the stage being built", from)
		}
		r, err := s.ts.stage(j)
		if err != nil {
			return "", err
		}
		return r.key, nil
	}
	if c, ok, err := s.ts.context(from); ok || err != nil {
		if err != nil {
			return "", err
		}
		r, err := s.fromContext(from, c)
		if err != nil {
			return "", err
		}
		return r.key, nil
	}
	saved := s.pos
	s.pos += ".from"
	base, err := s.base(from, s.ts.spec.Platform) // an image COPY --from is for the target platform
	s.pos = saved
	if err != nil {
		return "", suggest.Wrap(fmt.Errorf("--from=%s: %w", from, err), from, s.ts.f.StageNames(), false)
	}
	return base.Key, nil
}

// numericOwner reports whether a --chown value is uid[:gid] in numbers.
func numericOwner(chown string) bool {
	for _, part := range strings.Split(chown, ":") {
		if _, err := strconv.ParseUint(part, 10, 32); err != nil {
			return false
		}
	}
	return true
}

// copyText is the instruction after expansion, flags in a fixed order.
func copyText(cp *Copy, from string) string {
	parts := []string{"COPY"}
	if cp.Add {
		parts[0] = "ADD"
	}
	if cp.Link {
		parts = append(parts, "--link")
	}
	if cp.Parents {
		parts = append(parts, "--parents")
	}
	for _, p := range cp.Exclude {
		parts = append(parts, "--exclude="+quote(p))
	}
	for _, fl := range [][2]string{{"from", from}, {"chown", cp.Chown}, {"chmod", cp.Chmod}} {
		if fl[1] != "" {
			parts = append(parts, "--"+fl[0]+"="+fl[1])
		}
	}
	for _, w := range cp.Sources {
		parts = append(parts, quote(w))
	}
	for _, f := range cp.Inline {
		parts = append(parts, "<<"+f.Name)
	}
	parts = append(parts, quote(cp.Dest))
	return strings.Join(parts, " ")
}
