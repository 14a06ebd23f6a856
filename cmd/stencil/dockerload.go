package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// defaultDockerHost is where the Docker CLI looks without DOCKER_HOST.
const defaultDockerHost = "unix:///var/run/docker.sock"

// dockerDaemon is a reachable Docker Engine, the destination of --load.
type dockerDaemon struct {
	host   string
	client *http.Client
	base   string // URL prefix of the API
}

// findDaemon finds the Docker Engine DOCKER_HOST (or the default socket)
// names and checks that it answers, so that --load is refused before
// anything is built when there is none.
func findDaemon(ctx context.Context) (*dockerDaemon, error) {
	host := os.Getenv("DOCKER_HOST")
	if host == "" {
		host = defaultDockerHost
	}
	d, err := newDaemon(host)
	if err == nil {
		err = d.ping(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("--load: no reachable Docker daemon at %s: %w (the image is kept in stencil's store; -o type=docker,dest=FILE writes a tarball for docker load)", host, err)
	}
	return d, nil
}

// newDaemon is a client for a unix:// or tcp:// Docker host.
func newDaemon(host string) (*dockerDaemon, error) {
	scheme, addr, _ := strings.Cut(host, "://")
	switch {
	case scheme == "unix":
		dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", addr)
		}
		return &dockerDaemon{host: host, client: &http.Client{Transport: &http.Transport{DialContext: dial}}, base: "http://docker"}, nil
	case scheme == "tcp" && os.Getenv("DOCKER_TLS_VERIFY") == "":
		return &dockerDaemon{host: host, client: http.DefaultClient, base: "http://" + addr}, nil
	}
	return nil, errors.New("only unix:// and plain tcp:// hosts are supported")
}

func (d *dockerDaemon) ping(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.base+"/_ping", nil)
	if err != nil {
		return err
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("ping answered %s", resp.Status)
	}
	return nil
}

// load sends img, named by tags, to the daemon as `docker load` does.
func (d *dockerDaemon) load(ctx context.Context, img v1.Image, tags []string) error {
	refs, err := loadRefs(img, tags)
	if err != nil {
		return err
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(tarball.MultiRefWrite(refs, pw)) }()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.base+"/images/load?quiet=1", pr)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-tar")
	resp, err := d.client.Do(req)
	if err != nil {
		pr.CloseWithError(err)
		return fmt.Errorf("load into docker at %s: %w", d.host, err)
	}
	defer resp.Body.Close()
	return loadAnswer(resp, d.host)
}

// loadRefs names img by each tag; an untagged image is loaded by its ID.
func loadRefs(img v1.Image, tags []string) (map[name.Reference]v1.Image, error) {
	refs := map[name.Reference]v1.Image{}
	for _, t := range tags {
		ref, err := name.NewTag(t)
		if err != nil {
			return nil, err
		}
		refs[ref] = img
	}
	if len(refs) > 0 {
		return refs, nil
	}
	id, err := img.ConfigName()
	if err != nil {
		return nil, err
	}
	ref, err := name.NewDigest("image@" + id.String())
	refs[ref] = img
	return refs, err
}

// loadAnswer reads the daemon's JSON message stream, failing on an error
// status or an error message in the stream.
func loadAnswer(resp *http.Response, host string) error {
	dec := json.NewDecoder(io.LimitReader(resp.Body, 1<<20))
	for {
		var msg struct{ Error, Message string }
		err := dec.Decode(&msg)
		switch {
		case errors.Is(err, io.EOF) && resp.StatusCode == http.StatusOK:
			return nil
		case errors.Is(err, io.EOF):
			return fmt.Errorf("load into docker at %s: %s", host, resp.Status)
		case err != nil:
			return fmt.Errorf("load into docker at %s: read answer: %w", host, err)
		case msg.Error != "" || resp.StatusCode != http.StatusOK:
			return fmt.Errorf("load into docker at %s: %s", host, msg.Error+msg.Message)
		}
	}
}
