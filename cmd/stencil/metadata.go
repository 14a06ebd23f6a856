package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/executor"
	"github.com/stencilbuild/stencil/internal/atomicfile"
)

// metadata is what buildx writes per target with --metadata-file.
type metadata struct {
	Digest       string        `json:"containerimage.digest"`
	ConfigDigest string        `json:"containerimage.config.digest"`
	Descriptor   v1.Descriptor `json:"containerimage.descriptor"`
	ImageName    string        `json:"image.name,omitempty"`
	BuildRef     string        `json:"buildx.build.ref"`
}

// imageMetadata describes one built image.
func imageMetadata(r executor.Result, ref string) (metadata, error) {
	dig, err := r.Image.Digest()
	if err != nil {
		return metadata{}, err
	}
	cfg, err := r.Image.ConfigName()
	if err != nil {
		return metadata{}, err
	}
	mt, _ := r.Image.MediaType()
	size, err := r.Image.Size()
	if err != nil {
		return metadata{}, err
	}
	return metadata{Digest: dig.String(), ConfigDigest: cfg.String(), ImageName: strings.Join(r.Target.Tags, ","),
		Descriptor: v1.Descriptor{MediaType: mt, Digest: dig, Size: size}, BuildRef: ref}, nil
}

// writeMetadata writes --metadata-file (keyed by target for bake, one
// object for build) and --iidfile (the config digest, as docker's image ID).
func (c *ciFlags) writeMetadata(results []executor.Result) error {
	if c.metadataFile == "" && c.iidFile == "" {
		return nil
	}
	ref := buildRef()
	all := map[string]metadata{}
	var last metadata
	for _, r := range results {
		m, err := imageMetadata(r, ref)
		if err != nil {
			return fmt.Errorf("describe image of %q: %w", r.Target.Name, err)
		}
		all[r.Target.Name], last = m, m
	}
	if err := c.writeIIDFile(last.ConfigDigest); err != nil {
		return err
	}
	if c.metadataFile == "" {
		return nil
	}
	var v any = all
	if len(results) == 1 && results[0].Target.Name == "" {
		v = last // build: one flat object, as buildx build
	}
	return writeMetadataFile(c.metadataFile, v)
}

// writeMetadataFile writes v as indented JSON to path.
func writeMetadataFile(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(path, append(data, '\n')); err != nil {
		return fmt.Errorf("write metadata file: %w", err)
	}
	return nil
}

// writeIIDFile writes --iidfile (when asked) with the image ID id.
func (c *ciFlags) writeIIDFile(id string) error {
	if c.iidFile == "" {
		return nil
	}
	if err := atomicfile.WriteFile(c.iidFile, []byte(id)); err != nil {
		return fmt.Errorf("write iidfile: %w", err)
	}
	return nil
}

// buildRef names this build, like buildx's builder/node/id.
func buildRef() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "stencil/local/" + hex.EncodeToString(b)
}
