package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	suggestpkg "github.com/stencilbuild/stencil/internal/suggest"
)

// command is one subcommand: its options register flags, validate, and run.
type command struct {
	name, args, short, example string
	new                        func() options
}

type options interface {
	AddFlags(fs *pflag.FlagSet)
	Validate(args []string) error
	Run(ctx context.Context, env *env, args []string) error
}

// env is what every command gets: streams and the store root.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	root           string
}

var commands = []command{bakeCommand, buildCommand, planCommand, imagesCommand, rmiCommand, pruneCommand, duCommand, storeCommand, importCommand, runCommand,
	tagCommand, inspectCommand, historyCommand, saveCommand, loadCommand, psCommand, startCommand, stopCommand, killCommand, rmCommand, logsCommand, execCommand, commitCommand,
	pushCommand, pullCommand, loginCommand, logoutCommand}

// Main runs stencil with args and returns its exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, root: storeRoot()}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return exitCode(len(args) == 0)
	}
	if isCompletionRequest(args) {
		return complete(e, args)
	}
	cmd, ok := lookup(args[0])
	if !ok {
		fmt.Fprintf(stderr, "stencil: unknown command %q%s\nRun 'stencil --help' for usage.\n", args[0], suggest(args[0], commandNames()))
		return 2
	}
	return cmd.execute(ctx, e, args[1:])
}

func exitCode(failed bool) int {
	if failed {
		return 2
	}
	return 0
}

// execute parses args into the command's options with cobra, then
// validates and runs them: 2 for a usage error, report's code for a
// failed run.
func (c command) execute(ctx context.Context, e *env, args []string) int {
	opts := c.new()
	code := 0
	cc := c.cobra(opts, func(args []string) {
		if err := opts.Validate(args); err != nil {
			fmt.Fprintf(e.stderr, "stencil %s: %s\n", c.name, cleanMessage(err.Error()))
			code = 2
		} else if err := opts.Run(ctx, e, args); err != nil {
			code = report(e.stderr, err)
		}
	})
	cc.SetHelpFunc(func(*cobra.Command, []string) { c.help(e.stdout, cc.LocalFlags()) })
	cc.SetArgs(args)
	cc.SetContext(ctx)
	cc.SetOut(e.stdout)
	cc.SetErr(e.stderr)
	if err := cc.Execute(); err != nil {
		fmt.Fprintf(e.stderr, "stencil %s: %v\nRun 'stencil %s --help' for usage.\n", c.name, err, c.name)
		return 2
	}
	return code
}

// cobra is the command as a cobra.Command over opts' flags; run gets the
// arguments left after the flags.
func (c command) cobra(opts options, run func(args []string)) *cobra.Command {
	cc := &cobra.Command{Use: c.name, Short: c.short, SilenceErrors: true, SilenceUsage: true,
		DisableFlagsInUseLine: true, DisableSuggestions: true,
		Run: func(_ *cobra.Command, args []string) { run(args) }}
	opts.AddFlags(cc.Flags())
	cc.Flags().BoolP("help", "h", false, "show help for "+c.name)
	cc.Flags().SetInterspersed(c.name != "run" && c.name != "exec") // run: flags after IMAGE belong to the command
	return cc
}

// report prints a command's error and picks the exit code.
func report(w io.Writer, err error) int {
	var status exitStatus
	if errors.As(err, &status) {
		return int(status)
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(w, "stencil: interrupted")
		return 130
	}
	fmt.Fprintf(w, "error: %s\n", cleanMessage(err.Error()))
	return 1
}

func (c command) help(w io.Writer, fs *pflag.FlagSet) {
	fmt.Fprintf(w, "Usage: stencil %s %s\n\n%s\n\nFlags:\n%s\nExample:\n%s\n", c.name, c.args, c.short, fs.FlagUsages(), c.example)
}

func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func commandNames() []string {
	var n []string
	for _, c := range commands {
		n = append(n, c.name)
	}
	return n
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Stencil builds Dockerfile variants declared in a build.hcl, without a daemon.\n\nUsage: stencil COMMAND [OPTIONS]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.short)
	}
	fmt.Fprintln(w, "\nThe store lives in $STENCIL_ROOT (default ~/.local/share/stencil).\nRun 'stencil COMMAND --help' for a command's flags and an example.")
}

// storeRoot is $STENCIL_ROOT, else $XDG_DATA_HOME/stencil, else
// ~/.local/share/stencil.
func storeRoot() string {
	if r := os.Getenv("STENCIL_ROOT"); r != "" {
		return r
	}
	if d := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "stencil")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		home = "/root"
	}
	return filepath.Join(home, ".local", "share", "stencil")
}

// suggest returns ` (did you mean "x"?)` for the closest of names, if close.
func suggest(name string, names []string) string {
	if best, ok := suggestpkg.Closest(name, names, false); ok {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

var lookupEnv = os.LookupEnv
