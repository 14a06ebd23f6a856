package main

import (
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/stencilbuild/stencil/cache"
)

// imageFilters are `images --filter` values, as docker's.
type imageFilters struct {
	reference     []string
	labels        []string
	before, since string
	dangling      *bool
}

func parseImageFilters(fs []string) (*imageFilters, error) {
	f := &imageFilters{}
	for _, kv := range fs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("invalid --filter %q: want KEY=VALUE", kv)
		}
		if err := f.set(k, v); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func (f *imageFilters) set(k, v string) error {
	switch k {
	case "reference":
		f.reference = append(f.reference, v)
	case "label":
		f.labels = append(f.labels, v)
	case "before":
		f.before = v
	case "since":
		f.since = v
	case "dangling":
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("invalid --filter dangling=%q: want true or false", v)
		}
		f.dangling = &b
	default:
		return fmt.Errorf("invalid --filter %q: want reference, label, before, since or dangling", k)
	}
	return nil
}

// apply keeps the images every filter accepts. Every listed image is
// tagged, so dangling=true keeps none.
func (f *imageFilters) apply(s *cache.Store, list []cache.ImageInfo) ([]cache.ImageInfo, error) {
	before, since, err := f.bounds(s)
	if err != nil {
		return nil, err
	}
	var out []cache.ImageInfo
	for _, im := range list {
		ok, err := f.keep(s, im)
		if err != nil {
			return nil, err
		}
		if ok && (before.IsZero() || im.Created.Before(before)) && (since.IsZero() || im.Created.After(since)) {
			out = append(out, im)
		}
	}
	return out, nil
}

// bounds are the creation times of the before and since images.
func (f *imageFilters) bounds(s *cache.Store) (before, since time.Time, err error) {
	at := func(ref string) (time.Time, error) {
		if ref == "" {
			return time.Time{}, nil
		}
		img, _, err := s.Image(ref)
		if err != nil {
			return time.Time{}, err
		}
		cf, err := img.ConfigFile()
		if err != nil {
			return time.Time{}, err
		}
		return cf.Created.Time, nil
	}
	if before, err = at(f.before); err == nil {
		since, err = at(f.since)
	}
	return before, since, err
}

// keep applies the reference, label and dangling filters to one image.
func (f *imageFilters) keep(s *cache.Store, im cache.ImageInfo) (bool, error) {
	if f.dangling != nil && *f.dangling {
		return false, nil
	}
	if len(f.reference) > 0 && !matchesReference(f.reference, im.Tag) {
		return false, nil
	}
	if len(f.labels) == 0 {
		return true, nil
	}
	img, _, err := s.Image(im.Digest.String())
	if err != nil {
		return false, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return false, err
	}
	return hasLabels(cf.Config.Labels, f.labels), nil
}

// matchesReference matches tag ("repo:tag") against patterns as docker
// does: a pattern without a tag matches the repository.
func matchesReference(patterns []string, tag string) bool {
	repo, _, _ := strings.Cut(tag, ":")
	for _, p := range patterns {
		if ok, _ := path.Match(p, tag); ok {
			return true
		}
		if ok, _ := path.Match(p, repo); ok {
			return true
		}
	}
	return false
}

// hasLabels reports whether labels has every KEY or KEY=VALUE of want.
func hasLabels(labels map[string]string, want []string) bool {
	for _, kv := range want {
		k, v, hasV := strings.Cut(kv, "=")
		got, ok := labels[k]
		if !ok || (hasV && got != v) {
			return false
		}
	}
	return true
}

// imageRow is what an `images --format` template sees, as docker's.
type imageRow struct {
	ID, Repository, Tag, Digest, CreatedAt, CreatedSince, Size string
}

func printImagesFormat(w io.Writer, format string, list []cache.ImageInfo) error {
	rows := make([]imageRow, len(list))
	for i, im := range list {
		repo, tag, _ := strings.Cut(im.Tag, ":")
		created := im.Created.UTC().Format(time.RFC3339)
		rows[i] = imageRow{ID: shortID(im.Digest.String()), Repository: repo, Tag: tag, Digest: im.Digest.String(),
			CreatedAt: created, CreatedSince: created, Size: humanSize(im.Size)}
	}
	if format == "json" {
		enc := json.NewEncoder(w)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	return printRows(w, format, rows)
}

// printRows executes a --format template once per row; "table FORMAT"
// aligns the columns under a header of the fields' names.
func printRows[T any](w io.Writer, format string, rows []T) error {
	body, table := strings.CutPrefix(format, "table ")
	t, err := formatTemplate(body)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	if table {
		fmt.Fprintln(tw, tableHeader(body))
	}
	for _, r := range rows {
		if err := t.Execute(tw, r); err != nil {
			return err
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// tableHeader turns "{{.ID}}\t{{.Tag}}" into "ID\tTAG".
func tableHeader(format string) string {
	h := strings.NewReplacer("{{.", "", "}}", "", "\\t", "\t").Replace(format)
	return strings.ToUpper(h)
}
