package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestTagInspectHistoryImages: the seed verbs over a built image, each
// image addressed by the short ID that `images -q` prints.
func TestTagInspectHistoryImages(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nLABEL tier=web\nRUN echo hi > /hi\nCMD [\"cat\", \"/hi\"]\n")
	p.must("build", "-t", "web", ".")
	out, _ := p.must("images", "-q", "--filter", "reference=web")
	id := strings.TrimSpace(out)
	if len(id) != 12 {
		t.Fatalf("images -q printed %q", out)
	}
	p.must("tag", id, "example.com/web:v1")
	if out, _ = p.must("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}", "--filter", "label=tier=web"); out != "example.com/web:v1 "+id+"\nweb:latest "+id+"\n" {
		t.Errorf("images --format: %q", out)
	}
	if out, _ = p.must("images", "-q", "--filter", "label=tier=db"); out != "" {
		t.Errorf("label filter kept %q", out)
	}
	out, _ = p.must("inspect", id)
	var objs []imageInspectJSON
	if err := json.Unmarshal([]byte(out), &objs); err != nil || len(objs) != 1 {
		t.Fatalf("inspect: %v\n%s", err, out)
	}
	if o := objs[0]; !strings.Contains(o.ID, id) || len(o.RepoTags) != 2 || o.Config.Labels["tier"] != "web" || len(o.RootFS.Layers) != 2 {
		t.Errorf("inspect: %+v", o)
	}
	if out, _ = p.must("inspect", "-f", "{{json .Config.Cmd}}", "web"); out != `["cat","/hi"]`+"\n" {
		t.Errorf("inspect -f: %q", out)
	}
	out, _ = p.must("history", "web")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 4 || !strings.HasPrefix(lines[1], id) || !strings.Contains(lines[2], "RUN /bin/sh -c echo hi") || !strings.Contains(lines[3], "LABEL tier=web") {
		t.Errorf("history:\n%s", out)
	}
}

func TestImageVerbsBadInput(t *testing.T) {
	p := newProject(t, ".")
	for _, args := range [][]string{
		{"tag", "nothere", "x"}, {"inspect", "nothere"}, {"history", "nothere"},
		{"images", "--filter", "color=red"}, {"images", "--format", "{{.ID"}, {"tag", "busybox"},
	} {
		_, errOut, code := p.stencil(args...)
		if code == 0 || strings.Count(strings.TrimSpace(errOut), "\n") > 1 {
			t.Errorf("stencil %q: exit %d, %q", args, code, errOut)
		}
	}
}
