package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/stencilbuild/stencil/frontend/bake"
)

func init() { // completion describes every command, itself included
	commands = append(commands, versionCommand, completionCommand)
}

var completionCommand = command{
	name: "completion", args: "bash|zsh|fish",
	short: "Print a shell completion script (commands, flags, and targets of the bake file)",
	example: `  source <(stencil completion bash)
  stencil completion zsh > "${fpath[1]}/_stencil"
  stencil completion fish > ~/.config/fish/completions/stencil.fish`,
	new: func() options { return &completionOptions{} },
}

type completionOptions struct{}

func (o *completionOptions) AddFlags(*pflag.FlagSet) {}

func (o *completionOptions) Validate(args []string) error {
	if len(args) != 1 || !slices.Contains([]string{"bash", "zsh", "fish"}, args[0]) {
		return errors.New("requires 1 argument: bash, zsh or fish")
	}
	return nil
}

func (o *completionOptions) Run(_ context.Context, e *env, args []string) error {
	root := completionTree()
	switch args[0] {
	case "bash":
		return root.GenBashCompletionV2(e.stdout, true)
	case "zsh":
		return root.GenZshCompletion(e.stdout)
	}
	return root.GenFishCompletion(e.stdout, true)
}

// isCompletionRequest reports whether args are a shell asking for
// completions (cobra's hidden __complete command, which the scripts call).
func isCompletionRequest(args []string) bool {
	return len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd)
}

// complete answers a completion request.
func complete(e *env, args []string) int {
	root := completionTree()
	root.SetArgs(args)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	if err := root.Execute(); err != nil {
		return 1
	}
	return 0
}

// completionTree mirrors stencil's commands and flags as cobra commands,
// for cobra's completion machinery; commands still run through Main.
func completionTree() *cobra.Command {
	root := &cobra.Command{Use: "stencil", SilenceUsage: true, SilenceErrors: true}
	root.CompletionOptions.DisableDefaultCmd = true
	for _, c := range commands {
		sub := c.cobra(c.new(), func([]string) {})
		addCompletions(c.name, sub)
		root.AddCommand(sub)
	}
	return root
}

// addCompletions teaches a command its dynamic values: bake targets and
// groups, --progress modes, directories for build's context.
func addCompletions(name string, c *cobra.Command) {
	switch name {
	case "bake", "plan":
		c.ValidArgsFunction = bakeNames
	case "build":
		c.ValidArgsFunction = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveFilterDirs
		}
	case "completion":
		c.ValidArgs = []string{"bash", "zsh", "fish"}
	}
	if c.Flags().Lookup("progress") != nil {
		_ = c.RegisterFlagCompletionFunc("progress", cobra.FixedCompletions(progressModes, cobra.ShellCompDirectiveNoFileComp))
	}
}

// bakeNames completes the targets and groups of the bake files the
// command line names (or the default ones in the working directory).
func bakeNames(c *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	files, _ := c.Flags().GetStringArray("file")
	dir, err := os.Getwd()
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	cfg, err := bake.Load(bake.Options{Files: files, Dir: dir, Env: os.LookupEnv})
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return cfg.Names(), cobra.ShellCompDirectiveNoFileComp
}

var versionCommand = command{
	name: "version", args: "",
	short:   "Show stencil's version, commit and Go version",
	example: `  stencil version`,
	new:     func() options { return &versionOptions{} },
}

type versionOptions struct{}

func (o *versionOptions) AddFlags(*pflag.FlagSet) {}

func (o *versionOptions) Validate(args []string) error {
	if len(args) != 0 {
		return errors.New("accepts no arguments")
	}
	return nil
}

func (o *versionOptions) Run(_ context.Context, e *env, _ []string) error {
	fmt.Fprintln(e.stdout, versionLine())
	return nil
}
