package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/stencilbuild/stencil/internal/regclient"
)

var loginCommand = command{
	name: "login", args: "[OPTIONS] REGISTRY",
	short:   "Log in to a registry; credentials go where Docker keeps them (config.json, DOCKER_CONFIG)",
	example: "  echo \"$TOKEN\" | stencil login -u ci --password-stdin registry.example.com",
	new:     func() options { return &loginOptions{} },
}

type loginOptions struct {
	registryFlags
	user, password string
	passwordStdin  bool
}

func (o *loginOptions) AddFlags(fs *pflag.FlagSet) {
	o.registryFlags.AddFlags(fs)
	fs.StringVarP(&o.user, "username", "u", "", "user name")
	fs.StringVarP(&o.password, "password", "p", "", "password (prefer --password-stdin)")
	fs.BoolVar(&o.passwordStdin, "password-stdin", false, "read the password from standard input")
}

func (o *loginOptions) Validate(args []string) error {
	switch {
	case len(args) != 1:
		return errors.New("requires exactly 1 argument: REGISTRY")
	case o.user == "":
		return errors.New("requires --username")
	case o.passwordStdin && o.password != "":
		return errors.New("--password and --password-stdin are mutually exclusive")
	case !o.passwordStdin && o.password == "":
		return errors.New("requires --password-stdin or --password")
	}
	return nil
}

func (o *loginOptions) Run(ctx context.Context, e *env, args []string) error {
	pass := o.password
	if o.passwordStdin {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("read password from standard input: it is empty")
		}
		pass = strings.TrimRight(line, "\r\n")
	}
	c, err := o.regConfig()
	if err != nil {
		return err
	}
	if err := c.Login(ctx, args[0], o.user, pass); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "Login Succeeded")
	return nil
}

var logoutCommand = command{
	name: "logout", args: "REGISTRY",
	short:   "Remove a registry's credentials from Docker's config",
	example: "  stencil logout registry.example.com",
	new:     func() options { return &logoutOptions{} },
}

type logoutOptions struct{}

func (o *logoutOptions) AddFlags(*pflag.FlagSet) {}

func (o *logoutOptions) Validate(args []string) error {
	if len(args) != 1 {
		return errors.New("requires exactly 1 argument: REGISTRY")
	}
	return nil
}

func (o *logoutOptions) Run(_ context.Context, e *env, args []string) error {
	if err := regclient.Logout(args[0]); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Removing login credentials for %s\n", args[0])
	return nil
}
