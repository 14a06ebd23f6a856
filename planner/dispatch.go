package planner

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// dispatch plans one instruction of the current stage; errors come back
// located at the instruction's line.
func (s *stageState) dispatch(c instructions.Command) error {
	return s.locate(c.Name(), s.instruction(c))
}

// instruction is the one type switch over Dockerfile instructions.
func (s *stageState) instruction(c instructions.Command) error {
	switch c := c.(type) {
	case *instructions.RunCommand:
		return s.run(c)
	case *instructions.CopyCommand:
		return s.copy(copySpec{sd: c.SourcesAndDest, from: c.From, chown: c.Chown, chmod: c.Chmod, exclude: c.ExcludePatterns, parents: c.Parents, link: c.Link})
	case *instructions.AddCommand:
		return s.copy(copySpec{add: true, sd: c.SourcesAndDest, chown: c.Chown, chmod: c.Chmod, exclude: c.ExcludePatterns, link: c.Link, checksum: c.Checksum, keepGitDir: c.KeepGitDir})
	case *instructions.ArgCommand:
		return s.args.declare(c, s.ts.spec.Args, s.ts.global, s.expand)
	case *instructions.EnvCommand:
		return s.env(c)
	case *instructions.LabelCommand:
		return s.label(c)
	case *instructions.WorkdirCommand:
		return s.workdir(c)
	case *instructions.UserCommand:
		return s.word("USER", c.User, func(cfg *v1.Config, v string) { cfg.User = v })
	case *instructions.CmdCommand:
		return s.cmd(c)
	case *instructions.EntrypointCommand:
		return s.entrypoint(c)
	case *instructions.ExposeCommand:
		return s.expose(c)
	case *instructions.VolumeCommand:
		return s.volume(c)
	case *instructions.StopSignalCommand:
		return s.word("STOPSIGNAL", c.Signal, func(cfg *v1.Config, v string) { cfg.StopSignal = v })
	case *instructions.HealthCheckCommand:
		return s.healthcheck(c)
	case *instructions.OnbuildCommand:
		return s.onbuildCmd(c)
	case *instructions.ShellCommand:
		return s.shell(c)
	case *instructions.MaintainerCommand:
		s.author = c.Maintainer
		s.config(code(c))
		return nil
	}
	return errors.New("instruction not supported")
}

// code is the instruction as written (continuations joined).
func code(c instructions.Command) string {
	if st, ok := c.(fmt.Stringer); ok {
		return st.String()
	}
	return strings.ToUpper(c.Name())
}

// kvs expands key=value pairs, calls set for each and returns the
// unambiguous "k=v" text used in the instruction.
func (s *stageState) kvs(pairs instructions.KeyValuePairs, set func(k, v string)) (string, error) {
	parts := make([]string, 0, len(pairs))
	for _, kv := range pairs {
		k, err := s.expand(kv.Key)
		if err != nil {
			return "", err
		}
		v, err := s.expand(kv.Value)
		if err != nil {
			return "", err
		}
		set(k, v)
		parts = append(parts, k+"="+quote(v))
	}
	return strings.Join(parts, " "), nil
}

func (s *stageState) env(c *instructions.EnvCommand) error {
	// Expand every pair against the env as it was before this ENV, as Docker does.
	var pending [][2]string
	text, err := s.kvs(c.Env, func(k, v string) { pending = append(pending, [2]string{k, v}) })
	if err != nil {
		return err
	}
	for _, kv := range pending {
		s.cfg.Env = setEnv(s.cfg.Env, kv[0], kv[1])
		s.args.envSet(kv[0])
	}
	s.config("ENV " + text)
	return nil
}

func (s *stageState) label(c *instructions.LabelCommand) error {
	text, err := s.kvs(c.Labels, func(k, v string) { setLabel(&s.cfg, k, v) })
	if err != nil {
		return err
	}
	s.config("LABEL " + text)
	return nil
}

func (s *stageState) workdir(c *instructions.WorkdirCommand) error {
	p, err := s.expand(c.Path)
	if err != nil {
		return err
	}
	if !path.IsAbs(p) {
		p = path.Join(workdirOr(s.cfg), p)
	}
	s.cfg.WorkingDir = path.Clean(p)
	instr := "WORKDIR " + s.cfg.WorkingDir
	s.emit(&Step{Kind: KindConfig, Instruction: instr, Workdir: s.cfg.WorkingDir, Inputs: KeyInputs{Instruction: instr}})
	return nil
}

// word plans a one-word instruction (USER, STOPSIGNAL): expand, set, emit.
func (s *stageState) word(name, w string, set func(*v1.Config, string)) error {
	v, err := s.expand(w)
	if err != nil {
		return err
	}
	set(&s.cfg, v)
	s.config(name + " " + v)
	return nil
}

func (s *stageState) cmd(c *instructions.CmdCommand) error {
	s.cfg.Cmd = s.command(c.ShellDependantCmdLine)
	s.cmdSet = true
	s.config(code(c))
	return nil
}

// entrypoint sets ENTRYPOINT and, unless CMD was set earlier in this
// stage, drops the inherited CMD (Docker semantics).
func (s *stageState) entrypoint(c *instructions.EntrypointCommand) error {
	s.cfg.Entrypoint = s.command(c.ShellDependantCmdLine)
	if !s.cmdSet {
		s.cfg.Cmd = nil
	}
	s.config(code(c))
	return nil
}

// command is argv for CMD/ENTRYPOINT/RUN: shell form wrapped in SHELL.
func (s *stageState) command(l instructions.ShellDependantCmdLine) []string {
	if !l.PrependShell || l.CmdLine == nil {
		return append([]string(nil), l.CmdLine...)
	}
	return withShell(s.cfg, l.CmdLine)
}

// expose splits each word after expansion, as BuildKit does: an ARG of
// "80 443" is two ports and an empty one none.
func (s *stageState) expose(c *instructions.ExposeCommand) error {
	var ports []string
	for _, w := range c.Ports {
		ws, err := s.expandWords(w)
		if err != nil {
			return err
		}
		ports = append(ports, ws...)
	}
	for _, p := range ports {
		expanded, err := portSpecs(p)
		if err != nil {
			return err
		}
		for _, e := range expanded {
			addSet(&s.cfg.ExposedPorts, e)
		}
	}
	s.config(strings.Join(append([]string{"EXPOSE"}, ports...), " "))
	return nil
}

func (s *stageState) volume(c *instructions.VolumeCommand) error {
	vols, err := s.expandAll(c.Volumes)
	if err != nil {
		return err
	}
	for _, v := range vols {
		addSet(&s.cfg.Volumes, v)
	}
	b, _ := json.Marshal(vols)
	s.config("VOLUME " + string(b))
	return nil
}

func (s *stageState) healthcheck(c *instructions.HealthCheckCommand) error {
	h := c.Health
	s.cfg.Healthcheck = &v1.HealthConfig{
		Test:        append([]string(nil), h.Test...),
		Interval:    h.Interval,
		Timeout:     h.Timeout,
		StartPeriod: h.StartPeriod,
		Retries:     h.Retries,
	}
	s.config(code(c))
	return nil
}

func (s *stageState) onbuildCmd(c *instructions.OnbuildCommand) error {
	s.cfg.OnBuild = append(s.cfg.OnBuild, c.Expression)
	s.config(code(c))
	return nil
}

func (s *stageState) shell(c *instructions.ShellCommand) error {
	s.cfg.Shell = append([]string(nil), c.Shell...)
	s.config(code(c))
	return nil
}
