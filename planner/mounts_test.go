package planner

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// lastRun plans src and returns its target's final step, a RUN.
func lastRun(t *testing.T, src string) *Step {
	t.Helper()
	p := mustBuild(t, newFake(), target("m", src))
	steps := chain(p, p.Targets[0].Final)
	s := steps[len(steps)-1]
	if s.Run == nil {
		t.Fatalf("last step is %s", s.Kind)
	}
	return s
}

func mountsJSON(t *testing.T, ms []Mount) string {
	t.Helper()
	b, err := json.Marshal(ms)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestMountsResolveAsBuildKit(t *testing.T) {
	tests := []struct{ run, want string }{
		{"--mount=type=cache,target=/root/.cache", `[{"type":"cache","target":"/root/.cache","id":"/root/.cache","sharing":"shared"}]`},
		{"--mount=type=cache,target=c,id=gomod,sharing=locked,mode=0700,uid=1", `[{"type":"cache","target":"/src/c","id":"gomod","sharing":"locked","mode":448,"uid":1}]`},
		{"--mount=type=cache,target=/c,source=sub,ro", `[{"type":"cache","target":"/c","id":"/c","sharing":"shared","source":"sub","readonly":true}]`},
		{"--mount=type=tmpfs,target=/t,size=1m", `[{"type":"tmpfs","target":"/t","size":1048576}]`},
		{"--mount=type=secret,id=tok", `[{"type":"secret","target":"/run/secrets/tok","id":"tok","readonly":true,"mode":256}]`},
		{"--mount=type=secret,target=/etc/key,required", `[{"type":"secret","target":"/etc/key","id":"key","readonly":true,"required":true,"mode":256}]`},
		{"--mount=type=secret,id=tok,env=TOKEN,uid=5", `[{"type":"secret","id":"tok","readonly":true,"env":"TOKEN","mode":256,"uid":5}]`},
		{"--mount=type=ssh", `[{"type":"ssh","target":"/run/buildkit/ssh_agent.0","id":"default","mode":384}]`},
		{"--mount=type=ssh,id=gh,target=agent,required,mode=0660,gid=3", `[{"type":"ssh","target":"/src/agent","id":"gh","required":true,"mode":432,"gid":3}]`},
	}
	for _, tt := range tests {
		s := lastRun(t, "FROM alpine:3.20\nWORKDIR /src\nRUN "+tt.run+" true\n")
		if got := mountsJSON(t, s.Run.Mounts); got != tt.want {
			t.Errorf("RUN %s:\n got %s\nwant %s", tt.run, got, tt.want)
		}
		if len(s.Inputs.Mounts) != 1 {
			t.Errorf("RUN %s: key inputs hold %d mounts", tt.run, len(s.Inputs.Mounts))
		}
	}
}

// A mount is part of the key (as in BuildKit's ExecOp); its id and target
// are, never what is in the cache or the secret.
func TestMountChangesKey(t *testing.T) {
	keys := map[string]bool{}
	for _, run := range []string{"true", "--mount=type=cache,target=/c true", "--mount=type=cache,target=/c,id=x true",
		"--mount=type=cache,target=/d true", "--mount=type=secret,id=a true", "--mount=type=tmpfs,target=/c true"} {
		keys[lastRun(t, "FROM alpine:3.20\nRUN "+run+"\n").Key] = true
	}
	if len(keys) != 6 {
		t.Errorf("%d distinct keys for 6 different mounts", len(keys))
	}
}

func TestDepsIncludeMountSources(t *testing.T) {
	s := &Step{Parent: "p", Run: &Run{Mounts: []Mount{{Type: "bind", From: "f"}, {Type: "cache"}}}}
	if got := s.Deps(); !slices.Equal(got, []string{"p", "f"}) {
		t.Errorf("deps %q", got)
	}
}

func TestBadMountsAreLocated(t *testing.T) {
	for _, run := range []string{
		"--mount=type=nfs,target=/c", "--mount=type=cache,target=/c,id=../x", "--mount=type=cache,target=/c,id=/abs",
		"--mount=type=cache,target=/c,source=../../etc", "--mount=type=cache,target=/", "--mount=type=ssh,source=x",
		"--mount=type=bind,source=../x,target=/c", "--mount=type=bind,source=missing,target=/c",
		"--mount=type=cache,target=/c,from=x", "--mount=type=tmpfs",
	} {
		_, err := Build(context.Background(), []TargetSpec{fileTarget(t, "FROM alpine:3.20\nRUN "+run+" true\n")}, newFake())
		if err == nil || !strings.Contains(err.Error(), "Dockerfile.prod:2: RUN: ") {
			t.Errorf("RUN %s: %v; want one located error", run, err)
		}
	}
}

// TestContextBindKeyFollowsFiles: a bind of the context is keyed by the
// files it shows, not by other files or where the context lies.
func TestContextBindKeyFollowsFiles(t *testing.T) {
	src := "FROM alpine:3.20\nRUN --mount=type=bind,source=app,target=/src true\n"
	a := stepKey(t, src, nil, nil, "RUN")
	b := stepKey(t, src, nil, setFile("app/conf", fakeFile{data: "changed"}), "RUN")
	c := stepKey(t, src, nil, setFile("README.md", fakeFile{data: "changed"}), "RUN")
	if a == b || a != c {
		t.Fatalf("bind key: source change %v, unrelated change %v", a != b, a != c)
	}
}

// SSH_AUTH_SOCK names a RUN's first ssh mount (BuildKit's llb.AddSSHSocket),
// each mount without a target getting /run/buildkit/ssh_agent.<n>; an
// ENV that sets it wins.
func TestSSHMountsSetAuthSock(t *testing.T) {
	s := lastRun(t, "FROM alpine:3.20\nRUN --mount=type=ssh,id=a --mount=type=ssh,id=b true\n")
	if got := mountsJSON(t, s.Run.Mounts); !strings.Contains(got, `"/run/buildkit/ssh_agent.1","id":"b"`) {
		t.Errorf("second ssh mount %s", got)
	}
	if !slices.Contains(s.Run.Env, "SSH_AUTH_SOCK=/run/buildkit/ssh_agent.0") {
		t.Errorf("env %q lacks SSH_AUTH_SOCK", s.Run.Env)
	}
	s = lastRun(t, "FROM alpine:3.20\nENV SSH_AUTH_SOCK=/mine\nRUN --mount=type=ssh true\n")
	if slices.Contains(s.Run.Env, "SSH_AUTH_SOCK=/run/buildkit/ssh_agent.0") {
		t.Errorf("env %q overrides the image's SSH_AUTH_SOCK", s.Run.Env)
	}
}
