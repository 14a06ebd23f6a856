package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stencilbuild/stencil/cache"
)

// usageOf sums the store's disk usage by kind: total and reclaimable.
func usageOf(t *testing.T, p *project) (total, reclaimable map[string]int64, count map[string]int) {
	t.Helper()
	s, err := cache.Open(p.root)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	items, err := s.DiskUsage()
	if err != nil {
		t.Fatal(err)
	}
	total, reclaimable, count = map[string]int64{}, map[string]int64{}, map[string]int{}
	for _, it := range items {
		total[it.Kind] += it.Size
		count[it.Kind]++
		if it.Reclaimable {
			reclaimable[it.Kind] += it.Size
		}
	}
	return total, reclaimable, count
}

// TestPruneReclaimsUntaggedBuilds: after rmi, du reports the removed
// images' snapshots and step records as reclaimable and prune frees them
// (measured), while the image still tagged stays complete, runnable and
// buildable from its cached steps.
func TestPruneReclaimsUntaggedBuilds(t *testing.T) {
	p := demo(t)
	p.must("bake")
	_, rec, _ := usageOf(t, p)
	if rec[cache.KindSnapshot] != 0 || rec[cache.KindLayer] != 0 {
		t.Errorf("fresh build: tagged images' snapshots or blobs reclaimable: %v", rec)
	}
	out, _ := p.must("du")
	for _, want := range []string{"layers", "snapshots", "step records", "cache mounts", "Reclaimable:", "Total:"} {
		if !strings.Contains(out, want) {
			t.Errorf("du lacks %q:\n%s", want, out)
		}
	}
	p.must("rmi", "myapp_debug")
	before, rec, count := usageOf(t, p)
	if rec[cache.KindSnapshot] == 0 || rec[cache.KindStep] == 0 {
		t.Fatalf("after rmi nothing reclaimable: %v", rec)
	}
	out, _ = p.must("prune")
	after, rec2, count2 := usageOf(t, p)
	freed := sum(before) - sum(after)
	t.Logf("prune freed %d bytes (snapshots %d → %d, step records %d → %d): %s", freed,
		count[cache.KindSnapshot], count2[cache.KindSnapshot], count[cache.KindStep], count2[cache.KindStep], out)
	if freed < rec[cache.KindSnapshot] || sum(rec2) != 0 {
		t.Errorf("prune freed %d bytes of %v reclaimable; left %v", freed, rec, rec2)
	}
	if m := regexp.MustCompile(`Total:\s+(\S+)`).FindStringSubmatch(out); m == nil || m[1] == "0B" {
		t.Errorf("prune did not report what it freed: %q", out)
	}
	checkImages(t, p, "myapp_prod:latest", "busybox:latest")
	if out, _ := p.must("run", "myapp_prod"); !strings.Contains(out, "myapp prod build") {
		t.Errorf("the tagged image broke after prune: %q", out)
	}
	if _, errOut := p.must("bake", "--progress=plain", "prod"); strings.Contains(errOut, "[prod] RUN") && !strings.Contains(errOut, "CACHED") {
		t.Errorf("the tagged image's steps were not kept:\n%s", errOut)
	}
	checkImages(t, p, "myapp_prod:latest")
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// TestAutoGCKeepsStoreUnderBound: with a bound smaller than the store,
// the build itself collects the step records no tag uses, least recently
// used first, and leaves its own images whole.
func TestAutoGCKeepsStoreUnderBound(t *testing.T) {
	p := demo(t)
	p.must("bake")
	p.must("rmi", "myapp_debug")
	_, rec, _ := usageOf(t, p)
	t.Setenv(gcKeepEnv, "1")
	p.write("app/www/index.html", "changed\n")
	_, errOut := p.must("bake", "prod")
	if !strings.Contains(errOut, "gc: removed") {
		t.Errorf("no automatic gc reported:\n%s", errOut)
	}
	_, rec2, _ := usageOf(t, p)
	if sum(rec2) >= sum(rec) {
		t.Errorf("reclaimable %v after automatic gc, was %v", rec2, rec)
	}
	checkImages(t, p, "myapp_prod:latest", "busybox:latest")
	t.Setenv(gcKeepEnv, "lots")
	if _, errOut, code := p.stencil("bake", "prod"); code == 0 || !strings.Contains(errOut, gcKeepEnv) {
		t.Errorf("bad %s: exit %d\n%s", gcKeepEnv, code, errOut)
	}
}

// TestKeepStorage parses sizes, percentages of the disk and off.
func TestKeepStorage(t *testing.T) {
	dir := t.TempDir()
	for spec, ok := range map[string]bool{"20GB": true, "10%": true, "off": true, "0": true, "0%": false, "101%": false, "x": false, "-1": false} {
		n, err := keepStorage(dir, spec)
		if (err == nil) != ok {
			t.Errorf("%s: %d %v", spec, n, err)
		}
	}
	n, _ := keepStorage(dir+"/not/yet", "100%")
	if n <= 0 {
		t.Errorf("100%% of the disk = %d", n)
	}
}
