package main

import (
	"strings"
	"testing"

	"github.com/stencilbuild/stencil/internal/testenv"
	"github.com/stencilbuild/stencil/internal/testenv/registry"
)

// TestPushMountsTheBaseFromItsRepository: an image built FROM a base
// pulled from one repository of a registry, pushed to another repository
// of it, mounts the base's layer instead of uploading it.
func TestPushMountsTheBaseFromItsRepository(t *testing.T) {
	log, host := registry.Record(t, registry.Start(t))
	p := newProject(t, ".")
	baseLayers := neededBlobs(t, p, "busybox:latest")
	pushLocal(t, p, "busybox:latest", host+"/base/busybox:1")
	p.write("Dockerfile", "FROM "+host+"/base/busybox:1\nRUN echo web > /web\n")
	before := len(log.Uploaded())
	p.must("build", "--push", "-t", host+"/app/web:1", ".")
	uploaded := log.Uploaded()[before:]
	for _, d := range uploaded {
		if baseLayers[strings.TrimPrefix(d, "sha256:")] {
			t.Errorf("the base's blob %s was uploaded again, not mounted from %s/base/busybox", d, host)
		}
	}
	if len(uploaded) == 0 {
		t.Error("nothing uploaded: the new layer should have been")
	}
	testenv.Skopeo(t, "inspect", "--tls-verify=false", "docker://"+host+"/app/web:1")
}
