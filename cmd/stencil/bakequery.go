package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/stencilbuild/stencil/frontend/bake"
)

// bakeQueries are bake's flags that ask rather than build: --list, and
// --call/--check, of which Stencil has only the build method.
type bakeQueries struct {
	list  listSpec
	call  string
	check bool
}

func (q *bakeQueries) AddFlags(fs *pflag.FlagSet) {
	fs.Func("list", "list targets or variables and build nothing: targets, variables, or type=targets|variables,format=table|json", q.list.parse)
	addCallFlags(fs, &q.call, &q.check)
}

// addCallFlags adds --call and --check, which bake and build share.
func addCallFlags(fs *pflag.FlagSet, call *string, check *bool) {
	fs.StringVar(call, "call", "build", "what to run: build, or check (run the build checks only; exit 1 on a warning)")
	fs.BoolVar(check, "check", false, "shorthand for --call=check")
}

// validate refuses a call method Stencil cannot run, before loading anything.
func (q *bakeQueries) validate() error {
	return checkCall(q.method())
}

// method is the call method the flags ask for.
func (q *bakeQueries) method() string {
	if q.check {
		return "check"
	}
	return q.call
}

// checkCall refuses a call method Stencil cannot run.
func checkCall(call string) error {
	switch call {
	case "build", "", "check":
		return nil
	case "outline", "targets":
		return fmt.Errorf("--call %s: not supported by stencil yet; stencil only builds", call)
	}
	return fmt.Errorf("invalid --call %q: want build, check, outline or targets", call)
}

// listSpec is a parsed --list value, as buildx reads it.
type listSpec struct {
	Type, Format string
}

func (l *listSpec) parse(v string) error {
	*l = listSpec{Format: "table"}
	if !strings.Contains(v, "=") {
		l.Type = v
		return l.check()
	}
	fields, err := csv.NewReader(strings.NewReader(v)).Read()
	if err != nil {
		return err
	}
	for _, f := range fields {
		key, val, _ := strings.Cut(f, "=")
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "type":
			l.Type = val
		case "format":
			l.Format = val
		default:
			return fmt.Errorf("unexpected key %q in %q", key, f)
		}
	}
	return l.check()
}

func (l *listSpec) check() error {
	if l.Type != "targets" && l.Type != "variables" {
		return fmt.Errorf("invalid list type %q: want targets or variables", l.Type)
	}
	if l.Format != "table" && l.Format != "json" {
		return fmt.Errorf("invalid list format %q: want table or json", l.Format)
	}
	return nil
}

// write lists what l asks for; control bytes in names, values and
// descriptions are escaped.
func (l listSpec) write(cfg *bake.Config, out io.Writer) error {
	w := escaper{out}
	if l.Type == "variables" {
		return cfg.ListVariables(w, l.Format)
	}
	return cfg.ListTargets(w, l.Format)
}
