package remote

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client"

	"github.com/stencilbuild/stencil/internal/atomicfile"
	"github.com/stencilbuild/stencil/planner"
)

func TestOutputsMapToExporters(t *testing.T) {
	dir := t.TempDir()
	epoch := time.Unix(1700000000, 0)
	e := &Executor{Epoch: &epoch, Insecure: func(h string) bool { return h == "reg.internal:5000" }}
	d, err := e.plan(planner.Target{Name: "app", Tags: []string{"reg.internal:5000/app:1"}, Outputs: []string{
		"type=registry", "type=oci,dest=" + filepath.Join(dir, "app.tar"), "type=local,dest=" + filepath.Join(dir, "root"), "type=cacheonly"}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.cleanup()
	var types []string
	for _, x := range d.exports {
		types = append(types, x.Type)
	}
	if strings.Join(types, " ") != "image oci local" || d.load != "" || len(d.commits) != 2 {
		t.Fatalf("exporters %v, load %q, %d commits", types, d.load, len(d.commits))
	}
	push := d.exports[0].Attrs
	if push["push"] != "true" || push["name"] != "reg.internal:5000/app:1" || push["registry.insecure"] != "true" || push["source-date-epoch"] != "1700000000" {
		t.Errorf("push attrs = %v", push)
	}
	if d.exports[1].Output == nil || d.exports[2].OutputDir == "" {
		t.Errorf("oci archive must stream to a file and local to a dir: %+v", d.exports[1:])
	}
}

func TestNoOutputLoadsIntoTheStore(t *testing.T) {
	d, err := (&Executor{}).plan(planner.Target{Name: "app", Tags: []string{"app:1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.cleanup()
	if len(d.exports) != 1 || d.exports[0].Type != client.ExporterOCI || d.exports[0].OutputDir != d.load || d.load == "" {
		t.Fatalf("exports %+v, load %q: want one oci layout to load", d.exports, d.load)
	}
	if _, err := os.Stat(d.load); err != nil {
		t.Fatal(err)
	}
	d.cleanup()
	if _, err := os.Stat(d.load); !os.IsNotExist(err) {
		t.Errorf("cleanup left %s: %v", d.load, err)
	}
}

func TestCacheOnlyStaysOnTheBuilder(t *testing.T) {
	d, err := (&Executor{}).plan(planner.Target{Name: "base", Outputs: []string{"type=cacheonly"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.exports) != 0 || d.load != "" {
		t.Errorf("cacheonly exports %+v, load %q: want nothing", d.exports, d.load)
	}
}

func TestOutputRefusals(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		target planner.Target
		want   string
	}{
		{planner.Target{Outputs: []string{"type=registry"}}, "no name"},
		{planner.Target{Tags: []string{"a"}, Outputs: []string{"type=image", "type=oci,tar=false,dest=" + dir + "/l"}}, "cannot be combined"},
		{planner.Target{Outputs: []string{"type=bogus"}}, "bogus"},
	} {
		d, err := (&Executor{}).plan(c.target)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("outputs %v: %v, want %q", c.target.Outputs, err, c.want)
		}
		d.cleanup()
	}
}

func TestReplaceKeepsNothingOld(t *testing.T) {
	dir := t.TempDir()
	dest, tmp := filepath.Join(dir, "out"), filepath.Join(dir, "new")
	for _, p := range []string{filepath.Join(dest, "stale"), filepath.Join(tmp, "fresh")} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := atomicfile.SwapDir(tmp, dest); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dest)
	if len(entries) != 1 || entries[0].Name() != "fresh" {
		t.Errorf("dest holds %v, want only fresh", entries)
	}
	if left, _ := os.ReadDir(dir); len(left) != 1 {
		t.Errorf("temp dirs left: %v", left)
	}
}
