package container

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"

	"github.com/stencilbuild/stencil/cache"
)

// monitorArg is argv[0] of a re-executed monitor; Init looks for it.
const monitorArg = "stencil-container-monitor"

// Init turns a process started by StartDetached into the container's
// monitor: it runs the container, records its exit and exits, never
// returning. In any other process it returns at once. Call it first in
// main and TestMain, after sandbox.Init.
func Init() {
	if len(os.Args) != 3 || os.Args[0] != monitorArg {
		return
	}
	os.Exit(monitor(os.Args[1], os.Args[2], os.NewFile(3, "ready")))
}

// StartDetached starts c under a new monitor process and returns once its
// command runs (or failed to start, with that error), as docker run -d.
// The command's output goes to c's log.
func (m *Manager) StartDetached(c *Container) error {
	if c.locked() {
		return fmt.Errorf("start %s: %w", c.Name, ErrRunning)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return err
	}
	defer pr.Close()
	cmd := exec.Command("/proc/self/exe")
	cmd.Args = []string{monitorArg, m.store.Root(), c.ID}
	cmd.ExtraFiles = []*os.File{pw}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no terminal, no signal of ours
	err = cmd.Start()
	pw.Close()
	if err != nil {
		return fmt.Errorf("start monitor: %w", err)
	}
	go cmd.Wait() //nolint:errcheck // reaped; its result is in state.json
	return readyReport(pr)
}

// readyReport reads the monitor's one-line report: "ok" or an error.
func readyReport(r io.Reader) error {
	line, err := bufio.NewReader(r).ReadString('\n')
	switch {
	case line == "ok\n":
		return nil
	case line != "":
		return errors.New(strings.TrimSpace(line))
	}
	return fmt.Errorf("container monitor exited before the container started: %w", err)
}

// monitor runs container id of the store at root with its output in its
// log, reporting on ready once it runs. The store is closed once the
// snapshots are unpacked, so prune is not kept waiting while it runs; the
// container's record keeps its image.
func monitor(root, id string, readyw *os.File) int {
	signal.Ignore(syscall.SIGHUP, syscall.SIGINT, syscall.SIGPIPE)
	report := func(err error) {
		if readyw == nil {
			return
		}
		msg := "ok"
		if err != nil {
			msg = strings.ReplaceAll(err.Error(), "\n", " ")
		}
		fmt.Fprintln(readyw, msg)
		readyw.Close()
		readyw = nil
	}
	r, log, err := prepareMonitored(root, id)
	if err != nil {
		report(err)
		return 1
	}
	defer log.Close()
	_, err = r.execute(context.Background(), Stdio{Stdout: log, Stderr: log, Ready: report})
	if r.c.AutoRemove {
		err = errors.Join(err, removeAfter(root, id))
	}
	if err != nil {
		return 1
	}
	return 0
}

// removeAfter removes an exited --rm container.
func removeAfter(root, id string) error {
	store, err := cache.Open(root)
	if err != nil {
		return err
	}
	return errors.Join(store.RemoveContainer(id), store.Close())
}

// prepareMonitored opens the store, prepares the container and opens its
// log for appending.
func prepareMonitored(root, id string) (*run, *os.File, error) {
	store, err := cache.Open(root)
	if err != nil {
		return nil, nil, err
	}
	defer store.Close()
	m := New(store)
	c, err := m.byID(id)
	if err != nil {
		return nil, nil, err
	}
	r, err := m.prepare(context.Background(), c)
	if err != nil {
		return nil, nil, err
	}
	log, err := os.OpenFile(c.path("log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		r.lock.Close()
		return nil, nil, err
	}
	return r, log, nil
}

// Log opens c's log: the output of its detached runs.
func (c *Container) Log() (*os.File, error) {
	f, err := os.Open(c.path("log"))
	if errors.Is(err, os.ErrNotExist) {
		return os.Open(os.DevNull)
	}
	return f, err
}
