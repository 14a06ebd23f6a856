package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBakeFileCannotReachOutsideWorkdir: like buildx, a bake file reads and
// writes only inside the working directory unless --allow grants more.
func TestBakeFileCannotReachOutsideWorkdir(t *testing.T) {
	p := newProject(t, ".")
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret"), []byte("root:s3cret\n"), 0o600)
	os.WriteFile(filepath.Join(outside, "Dockerfile"), []byte("FROM busybox:latest\nCOPY secret /secret\n"), 0o644)
	victim := filepath.Join(outside, "victim")
	os.MkdirAll(victim, 0o755)
	os.WriteFile(filepath.Join(victim, "keep"), []byte("keep"), 0o644)
	os.Symlink(outside, filepath.Join(p.dir, "escape"))
	cases := []struct{ name, hcl, need string }{
		{"context", `target "a" { context = "` + outside + `" }`, "fs.read=" + outside},
		{"dockerfile", `target "a" { dockerfile = "` + outside + `/secret" }`, "fs.read=" + outside + "/secret"},
		{"symlinked context", `target "a" { context = "escape" }`, "fs.read="},
		{"output", `target "a" { output = ["type=local,dest=` + victim + `"] }`, "fs.write=" + victim},
	}
	p.write("Dockerfile", "FROM busybox:latest\nRUN true\n")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p.write("build.hcl", c.hcl+"\n")
			before := storeState(t, p.root)
			_, errOut, code := p.stencil("bake", "a")
			if code == 0 || !strings.Contains(errOut, "build.hcl:1:1: ") || !strings.Contains(errOut, "--allow "+c.need) {
				t.Fatalf("exit %d, stderr %q; want a located error asking for --allow %s", code, errOut, c.need)
			}
			if strings.Contains(errOut, "s3cret") {
				t.Errorf("the error shows the outside file's content")
			}
			if storeState(t, p.root) != before {
				t.Errorf("store changed")
			}
		})
	}
	if _, err := os.Stat(filepath.Join(victim, "keep")); err != nil {
		t.Errorf("output outside the workdir touched %s: %v", victim, err)
	}
	p.write("build.hcl", `target "a" { context = "`+outside+`" }`+"\n")
	p.must("bake", "--allow", "fs.read="+outside, "a")
}

// TestBakeOutputRelativeToWorkdir: an output dest written relative to the
// working directory (dest=out, as bake files do) is inside it and needs no
// --allow, whether or not it exists yet.
func TestBakeOutputRelativeToWorkdir(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nRUN echo hi > /hi\n")
	for _, dest := range []string{"out", "./out2", "sub/out3"} {
		p.write("build.hcl", `target "a" { output = ["type=local,dest=`+dest+`"] }`+"\n")
		p.must("bake", "a")
		if b, err := os.ReadFile(filepath.Join(p.dir, dest, "hi")); err != nil || string(b) != "hi\n" {
			t.Errorf("dest=%s: read hi: %q, %v", dest, b, err)
		}
	}
}

func TestAllowParsing(t *testing.T) {
	if _, err := newAllowance("/w", []string{"fs.exec=/x"}); err == nil || !strings.Contains(err.Error(), "unknown entitlement") {
		t.Errorf("unknown entitlement accepted: %v", err)
	}
	a, err := newAllowance("/w", []string{"fs.write=/out", "fs=*", "network.host"})
	if err != nil {
		t.Fatal(err)
	}
	if !a.allows(a.write, "/out/x") || !a.allows(a.read, "/anything") || !a.allows(a.read, "/w/sub") {
		t.Errorf("granted paths refused")
	}
	b, _ := newAllowance("/w", []string{"fs.read=/r"})
	if b.allows(b.write, "/r/x") || b.allows(b.read, "/wx") {
		t.Errorf("fs.read granted write, or a sibling of the workdir was allowed")
	}
	if !b.allows(b.write, "out") || b.allows(b.write, "../wx/out") {
		t.Errorf("relative dests are not taken from the workdir")
	}
}
