package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/spf13/pflag"

	"github.com/stencilbuild/stencil/cache"
	"github.com/stencilbuild/stencil/planner"
)

// watchFlags are `stencil bake --watch` and `--run`.
type watchFlags struct {
	on  bool
	run string
}

func (w *watchFlags) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&w.on, "watch", false, "keep running: on a change to a target's context, Dockerfile or the bake file, rebuild the targets it affects")
	fs.StringVar(&w.run, "run", "", "with --watch: run TARGET's image after each build of it, restarting the previous run")
}

func (w *watchFlags) validate() error {
	if w.run != "" && !w.on {
		return errors.New("--run TARGET needs --watch")
	}
	return nil
}

// watchDebounce is how long the watched files must stay quiet after a
// change before the targets are planned again.
const watchDebounce = 300 * time.Millisecond

// watchSession is one `stencil bake --watch`: it builds the requested
// targets, then after each change plans them again and builds those whose
// final step key moved since they were last built.
type watchSession struct {
	o       *bakeOptions
	e       *env
	args    []string
	w       *fsnotify.Watcher
	watched map[string]bool   // directories added to w
	built   map[string]string // target name → final step key last built
	stop    func()            // ends the --run container; nil when none runs
}

// watchLoop runs the watch session until ctx ends (Ctrl-C). Bad input in
// the first plan is an error; later ones are printed and waited out.
func (o *bakeOptions) watchLoop(ctx context.Context, e *env, args []string) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	s := &watchSession{o: o, e: e, args: args, w: w, watched: map[string]bool{}, built: map[string]string{}}
	defer s.close()
	specs, err := s.specs(ctx)
	if err != nil {
		return err
	}
	if o.watch.run != "" && !slices.ContainsFunc(specs, func(t planner.TargetSpec) bool { return t.Name == o.watch.run }) {
		return fmt.Errorf("--run %s: not one of the targets being built", o.watch.run)
	}
	s.cycle(ctx, specs, nil)
	for s.wait(ctx) {
		specs, err := s.specs(ctx)
		s.cycle(ctx, specs, err)
	}
	return nil
}

// close stops the --run container and the watcher.
func (s *watchSession) close() {
	if s.stop != nil {
		s.stop()
	}
	s.w.Close()
}

// specs loads the bake files again and resolves the requested targets.
func (s *watchSession) specs(ctx context.Context) ([]planner.TargetSpec, error) {
	cfg, err := s.o.loadConfig(ctx, s.e)
	if err != nil {
		return nil, err
	}
	return s.o.buildable(cfg, s.args)
}

// cycle watches what specs read and builds the targets that changed.
func (s *watchSession) cycle(ctx context.Context, specs []planner.TargetSpec, err error) {
	if err == nil {
		s.watchSpecs(specs)
		err = s.rebuild(ctx, specs)
	}
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		fmt.Fprintf(s.e.stderr, "watch: %s\n", cleanMessage(err.Error()))
	}
	fmt.Fprintln(s.e.stderr, "watch: waiting for changes")
}

// wait blocks until a change is followed by watchDebounce of quiet; it
// reports false when ctx ends.
func (s *watchSession) wait(ctx context.Context) bool {
	var quiet <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return false
		case ev := <-s.w.Events:
			if ev.Has(fsnotify.Create) {
				s.addTree(ev.Name) // a new directory is watched too
			}
			quiet = time.After(watchDebounce)
		case err := <-s.w.Errors:
			fmt.Fprintf(s.e.stderr, "watch: %v\n", err)
		case <-quiet:
			return true
		}
	}
}

// rebuild plans specs and builds those whose final key is not the one
// last built, printing which.
func (s *watchSession) rebuild(ctx context.Context, specs []planner.TargetSpec) error {
	keys, err := s.plan(ctx, specs)
	if err != nil {
		return err
	}
	var todo []planner.TargetSpec
	var names []string
	for _, t := range specs {
		if k, ok := keys[t.Name]; !ok || k != s.built[t.Name] {
			todo, names = append(todo, t), append(names, t.Name)
		}
	}
	if len(todo) == 0 {
		fmt.Fprintln(s.e.stderr, "watch: no target changed")
		return nil
	}
	fmt.Fprintf(s.e.stderr, "watch: building %s\n", strings.Join(names, ", "))
	if err := s.e.buildSpecs(ctx, todo, s.o.buildFlags); err != nil {
		return err
	}
	for _, n := range names {
		s.built[n] = keys[n]
	}
	fmt.Fprintf(s.e.stderr, "watch: built %s\n", strings.Join(names, ", "))
	if i := slices.Index(names, s.o.watch.run); i >= 0 {
		s.restart(ctx, todo[i])
	}
	return nil
}

// plan returns each target's final step key, planned against the store
// without pulling.
func (s *watchSession) plan(ctx context.Context, specs []planner.TargetSpec) (map[string]string, error) {
	store, err := cache.Open(s.e.root)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	defer store.Close()
	in, err := s.o.inputs(store, false)
	if err != nil {
		return nil, err
	}
	p, err := planner.Build(ctx, specs, in)
	if err != nil {
		return nil, err
	}
	keys := map[string]string{}
	for _, t := range p.Targets {
		keys[t.Name] = t.Final
	}
	return keys, nil
}

// watchSpecs watches every directory of the targets' contexts, their
// Dockerfiles' directories and the working directory (the bake files).
func (s *watchSession) watchSpecs(specs []planner.TargetSpec) {
	s.add(".")
	for _, t := range specs {
		s.addTree(t.ContextDir)
		if t.Dockerfile != "" && t.DockerfileInline == "" {
			s.add(filepath.Dir(t.Dockerfile))
		}
	}
}

// addTree watches dir and the directories below it, but not the store.
func (s *watchSession) addTree(dir string) {
	if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() {
		return
	}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if inside(p, s.e.root) {
			return filepath.SkipDir
		}
		s.add(p)
		return nil
	})
}

// add watches one directory once.
func (s *watchSession) add(dir string) {
	abs, err := filepath.Abs(dir)
	if err != nil || s.watched[abs] {
		return
	}
	if err := s.w.Add(abs); err != nil {
		fmt.Fprintf(s.e.stderr, "watch: %s: %v\n", abs, err)
		return
	}
	s.watched[abs] = true
}

// inside reports whether p is root or below it.
func inside(p, root string) bool {
	ap, err1 := filepath.Abs(p)
	ar, err2 := filepath.Abs(root)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(ar, ap)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

// restart stops the previous --run container and runs t's image anew,
// as `stencil run --rm`, until the next restart or the end of the watch.
func (s *watchSession) restart(ctx context.Context, t planner.TargetSpec) {
	if s.stop != nil {
		s.stop()
	}
	if len(t.Tags) == 0 {
		fmt.Fprintf(s.e.stderr, "watch: --run %s: the target has no tag to run\n", t.Name)
		return
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	s.stop = func() { cancel(); <-done }
	fmt.Fprintf(s.e.stderr, "watch: running %s\n", t.Tags[0])
	go func() {
		defer close(done)
		ro := &runOptions{}
		ro.AddFlags(pflag.NewFlagSet("run", pflag.ContinueOnError))
		ro.rm = true
		err := ro.Run(rctx, s.e, []string{t.Tags[0]})
		if err != nil && rctx.Err() == nil {
			fmt.Fprintf(s.e.stderr, "watch: run %s: %v\n", t.Tags[0], err)
		}
	}()
}
