package remote

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"

	"github.com/stencilbuild/stencil/planner"
)

const busyboxDigest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"

// fakeImages holds one base image whose history has one entry.
type fakeImages struct{}

func (fakeImages) Image(string) (v1.Image, v1.Hash, error) {
	img, err := mutate.ConfigFile(empty.Image, &v1.ConfigFile{History: []v1.History{{CreatedBy: "base layer"}}})
	return img, v1.Hash{}, err
}

// demoPlan is the shape of the demo: a shared base stage (FROM, RUN,
// WORKDIR, COPY from the context) and two targets on top of it.
func demoPlan() *planner.Plan {
	from := &planner.Step{Key: "k-from", Kind: planner.KindBase, Stage: "base", Instruction: "FROM busybox",
		Base: &planner.Base{Ref: "busybox:latest", Digest: busyboxDigest, Local: true}}
	run := &planner.Step{Key: "k-run", Parent: "k-from", Kind: planner.KindRun, Stage: "base", Instruction: "RUN mkdir /opt/app",
		Run: &planner.Run{Args: []string{"/bin/sh", "-c", "mkdir /opt/app"}, Env: []string{"PATH=/bin", "A=b=c"}, Workdir: "/", User: "1000", Network: "none",
			Hosts: []string{"db=10.0.0.7"}, Ulimits: []string{"nofile=1024:2048"}, ShmSize: 128 << 20}}
	wd := &planner.Step{Key: "k-wd", Parent: "k-run", Kind: planner.KindConfig, Stage: "base", Instruction: "WORKDIR /opt/app", Workdir: "/opt/app",
		Config: v1.Config{WorkingDir: "/opt/app"}}
	cp := &planner.Step{Key: "k-copy", Parent: "k-wd", Kind: planner.KindCopy, Stage: "base", Instruction: "COPY app/ .",
		Copy: &planner.Copy{Context: "/ctx", Sources: []string{"app/"}, Dest: ".", Workdir: "/opt/app", Excludes: []string{"*.tmp"}, Chown: "1000:1000"}}
	debug := &planner.Step{Key: "k-debug", Parent: "k-copy", Kind: planner.KindConfig, Stage: "debug", Instruction: "ENV MODE=debug",
		Config: v1.Config{Env: []string{"MODE=debug"}}}
	prod := &planner.Step{Key: "k-prod", Parent: "k-copy", Kind: planner.KindRun, Stage: "prod", Instruction: "RUN echo prod",
		Run: &planner.Run{Args: []string{"/bin/sh", "-c", "echo prod > /v"}, Workdir: "/opt/app", Network: "default"}}
	return &planner.Plan{Steps: []*planner.Step{from, run, wd, cp, debug, prod},
		Targets: []planner.Target{{Name: "debug", Final: "k-debug"}, {Name: "prod", Final: "k-prod"}}}
}

// ops marshals a state and decodes its ops by digest.
func ops(t *testing.T, st llb.State) map[digest.Digest]*pb.Op {
	t.Helper()
	def, err := st.Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[digest.Digest]*pb.Op{}
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		out[digest.FromBytes(dt)] = &op
	}
	return out
}

func lowerDemo(t *testing.T) *Lowered {
	t.Helper()
	low, err := Lower(demoPlan(), fakeImages{}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	return low
}

func TestLowerSharesTheBaseStage(t *testing.T) {
	low := lowerDemo(t)
	debug, prod := ops(t, low.Targets[0].State), ops(t, low.Targets[1].State)
	var shared int
	for d := range debug {
		if _, ok := prod[d]; ok {
			shared++
		}
	}
	// oci-layout source, local context, RUN, WORKDIR mkdir, COPY
	if shared != 5 {
		t.Errorf("debug and prod share %d ops, want the 5 of the base stage", shared)
	}
	if len(low.Contexts) != 1 || low.Contexts[localName(demoPlan().Steps[3].Copy)] != "/ctx" {
		t.Errorf("contexts = %v, want the one /ctx", low.Contexts)
	}
}

func TestLowerSources(t *testing.T) {
	var ids []string
	var attrs map[string]string
	for _, op := range ops(t, lowerDemo(t).Targets[0].State) {
		if src := op.GetSource(); src != nil {
			ids = append(ids, src.Identifier)
			if strings.HasPrefix(src.Identifier, "local://") {
				attrs = src.Attrs
			}
		}
	}
	slices.Sort(ids)
	want := []string{"local://" + localName(demoPlan().Steps[3].Copy), "oci-layout://docker.io/library/busybox@" + busyboxDigest}
	if !slices.Equal(ids, want) {
		t.Errorf("sources = %v, want %v", ids, want)
	}
	if attrs[pb.AttrFollowPaths] != `["app"]` || attrs[pb.AttrExcludePatterns] != `["*.tmp"]` {
		t.Errorf("context attrs = %v: want only app sent, *.tmp excluded", attrs)
	}
	p := demoPlan()
	p.Steps[0].Base.Local = false
	low, err := Lower(p, fakeImages{}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range ops(t, low.Targets[0].State) {
		if src := op.GetSource(); src != nil && strings.Contains(src.Identifier, "busybox") &&
			src.Identifier != "docker-image://docker.io/library/busybox@"+busyboxDigest {
			t.Errorf("registry base lowered to %s", src.Identifier)
		}
	}
}

func TestLowerRun(t *testing.T) {
	var exec *pb.ExecOp
	for _, op := range ops(t, lowerDemo(t).Targets[0].State) {
		if e := op.GetExec(); e != nil {
			exec = e
		}
	}
	if exec == nil {
		t.Fatal("no exec op")
	}
	m := exec.Meta
	if !slices.Equal(m.Args, []string{"/bin/sh", "-c", "mkdir /opt/app"}) || !slices.Equal(m.Env, []string{"PATH=/bin", "A=b=c"}) ||
		m.User != "1000" || m.Cwd != "/" || exec.Network != pb.NetMode_NONE {
		t.Errorf("exec = args %q env %q user %q cwd %q network %v", m.Args, m.Env, m.User, m.Cwd, exec.Network)
	}
	if len(m.ExtraHosts) != 1 || m.ExtraHosts[0].Host != "db" || m.ExtraHosts[0].IP != "10.0.0.7" {
		t.Errorf("extra hosts = %v, want db=10.0.0.7", m.ExtraHosts)
	}
	if len(m.Ulimit) != 1 || m.Ulimit[0].Name != "nofile" || m.Ulimit[0].Soft != 1024 || m.Ulimit[0].Hard != 2048 {
		t.Errorf("ulimits = %v, want nofile=1024:2048", m.Ulimit)
	}
	shm := slices.IndexFunc(exec.Mounts, func(m *pb.Mount) bool { return m.Dest == "/dev/shm" })
	if shm < 0 || exec.Mounts[shm].MountType != pb.MountType_TMPFS || exec.Mounts[shm].TmpfsOpt.GetSize() != 128<<20 {
		t.Errorf("no 128 MiB tmpfs on /dev/shm: %v", exec.Mounts)
	}
}

func TestImageConfig(t *testing.T) {
	epoch := time.Unix(1700000000, 0)
	low, err := Lower(demoPlan(), fakeImages{}, &epoch, "")
	if err != nil {
		t.Fatal(err)
	}
	var cf v1.ConfigFile
	if err := json.Unmarshal(low.Targets[0].Config, &cf); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range cf.History {
		got = append(got, h.CreatedBy)
		if h.CreatedBy != "base layer" && !h.Created.Equal(epoch) {
			t.Errorf("%s created %v, want the epoch", h.CreatedBy, h.Created)
		}
	}
	want := []string{"base layer", "RUN /bin/sh -c mkdir /opt/app # buildkit", "WORKDIR /opt/app", "COPY app/ . # buildkit", "ENV MODE=debug"}
	if !slices.Equal(got, want) || cf.History[2].EmptyLayer || cf.History[3].EmptyLayer || !cf.History[4].EmptyLayer {
		t.Errorf("history = %q (%+v), want %q", got, cf.History, want)
	}
	if !slices.Equal(cf.Config.Env, []string{"MODE=debug"}) || cf.OS != "linux" {
		t.Errorf("config = %+v", cf)
	}
}

func TestCopyDestAndFollowPaths(t *testing.T) {
	for _, c := range []struct{ dest, workdir, want string }{
		{".", "/opt/app", "/opt/app/"}, {"sub/", "/w", "/w/sub/"}, {"f", "/w", "/w/f"}, {"/abs", "/w", "/abs"},
	} {
		if got := copyDest(&planner.Copy{Dest: c.dest, Workdir: c.workdir}); got != c.want {
			t.Errorf("copyDest(%q, %q) = %q, want %q", c.dest, c.workdir, got, c.want)
		}
	}
	if got := followPaths([]string{"app/", "./x/../y"}); !slices.Equal(got, []string{"app", "y"}) {
		t.Errorf("followPaths = %q", got)
	}
	for _, all := range [][]string{{"."}, {"*.txt"}, {"a", "/"}} {
		if got := followPaths(all); !slices.Equal(got, []string{""}) {
			t.Errorf("followPaths(%q) = %q, want the whole context", all, got)
		}
	}
}

func TestLowerUnknownStep(t *testing.T) {
	p := demoPlan()
	p.Steps[5].Kind = "bogus"
	p.Steps[5].Location = planner.Location{File: "Dockerfile", Line: 7}
	if _, err := Lower(p, fakeImages{}, nil, ""); err == nil || !strings.HasPrefix(err.Error(), "Dockerfile:7") || !strings.Contains(err.Error(), "unknown step kind") {
		t.Errorf("Lower = %v, want the step's location and kind", err)
	}
}

func TestLowerNamesTheInputsSession(t *testing.T) {
	low, err := Lower(demoPlan(), fakeImages{}, nil, "inputs-session")
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range ops(t, low.Targets[1].State) {
		src := op.GetSource()
		if src == nil {
			continue
		}
		if a := src.Attrs; a[pb.AttrLocalSessionID] != "inputs-session" && a[pb.AttrOCILayoutSessionID] != "inputs-session" {
			t.Errorf("source %s does not name the inputs session: %v", src.Identifier, a)
		}
	}
}

// TestLowerSecretMounts: a secret file mount keeps its id, owner, mode
// and required flag; an env= only secret becomes an optional secret
// variable with no file, as dockerfile2llb lowers them.
func TestLowerSecretMounts(t *testing.T) {
	p := demoPlan()
	uid, mode := uint32(1000), uint32(0o440)
	p.Steps[5].Run.Mounts = []planner.Mount{
		{Type: planner.MountSecret, ID: "tok", Target: "/run/secrets/tok", Required: true, UID: &uid, Mode: &mode, ReadOnly: true},
		{Type: planner.MountSecret, ID: "key", Env: "KEY", ReadOnly: true},
	}
	low, err := Lower(p, fakeImages{}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, op := range ops(t, low.Targets[1].State) {
		ex := op.GetExec()
		if ex == nil {
			continue
		}
		for _, m := range ex.Mounts {
			if m.MountType == pb.MountType_SECRET {
				o := m.SecretOpt
				got = append(got, fmt.Sprintf("file %s id=%s uid=%d gid=%d mode=%o optional=%v", m.Dest, o.ID, o.Uid, o.Gid, o.Mode, o.Optional))
			}
		}
		for _, e := range ex.Secretenv {
			got = append(got, fmt.Sprintf("env %s id=%s optional=%v", e.Name, e.ID, e.Optional))
		}
	}
	want := []string{"file /run/secrets/tok id=tok uid=1000 gid=0 mode=440 optional=false", "env KEY id=key optional=true"}
	if !slices.Equal(got, want) {
		t.Errorf("secret mounts lowered to\n%q\nwant\n%q", got, want)
	}
}

// An ssh mount lowers as dispatchSSH makes it: id, target, owner, mode,
// optional unless required.
func TestLowerSSHMount(t *testing.T) {
	p := demoPlan()
	uid, mode := uint32(7), uint32(0o640)
	p.Steps[5].Run.Mounts = []planner.Mount{{Type: planner.MountSSH, ID: "gh", Target: "/run/buildkit/ssh_agent.0", UID: &uid, Mode: &mode, Required: true}}
	low, err := Lower(p, fakeImages{}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, op := range ops(t, low.Targets[1].State) {
		for _, m := range op.GetExec().GetMounts() {
			if o := m.SSHOpt; m.MountType == pb.MountType_SSH {
				got = append(got, fmt.Sprintf("%s id=%s uid=%d gid=%d mode=%o optional=%v", m.Dest, o.ID, o.Uid, o.Gid, o.Mode, o.Optional))
			}
		}
	}
	if want := []string{"/run/buildkit/ssh_agent.0 id=gh uid=7 gid=0 mode=640 optional=false"}; !slices.Equal(got, want) {
		t.Errorf("ssh mounts lowered to %q, want %q", got, want)
	}
}
