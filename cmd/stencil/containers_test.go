package main

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// loop is a container command that counts its starts in its own
// writable layer, prints the count and runs until SIGTERM.
const loop = `trap "exit 0" TERM; echo x >> /starts; wc -l < /starts; while :; do sleep 0.1; done`

// TestContainerLifecycle: create (run -d), stop, start again with the
// writable layer kept, rm; ps at each point; a SIGKILLed monitor leaves
// the container exited, unmounted and removable.
func TestContainerLifecycle(t *testing.T) {
	p := newProject(t, ".")
	t.Cleanup(func() { p.stencil("rm", "-f", "life") }) // no monitor outlives a failed test
	id := strings.TrimSpace(first(p.must("run", "-d", "--name", "life", "busybox:latest", "sh", "-c", loop)))
	if len(id) != 64 {
		t.Fatalf("run -d printed %q", id)
	}
	p.wantPs(false, "life", "Up ")
	if out, _ := p.must("ps", "-q"); out != id[:12]+"\n" {
		t.Errorf("ps -q: %q", out)
	}
	p.waitLog("life", "1\n") // the trap is set
	p.must("stop", "-t", "20", "life")
	p.wantPs(false, "life", "")
	p.wantPs(true, "life", "Exited (0)")
	p.must("start", "life")
	p.wantPs(false, "life", "Up ")
	p.waitLog("life", "1\n2\n")
	killMonitor(t, p, "life")
	p.wantPs(true, "life", "Exited (137)")
	if mi, _ := os.ReadFile("/proc/self/mountinfo"); strings.Contains(string(mi), id) {
		t.Errorf("a mount of the container is left:\n%s", mi)
	}
	p.must("rm", "life")
	if out, _ := p.must("ps", "-a", "-q"); out != "" {
		t.Errorf("ps -a after rm: %q", out)
	}
}

func first(a, _ string) string { return a }

// wantPs checks the ps (-a) row of name has status (none when "").
func (p *project) wantPs(all bool, name, status string) {
	p.t.Helper()
	args := []string{"ps"}
	if all {
		args = append(args, "-a")
	}
	out, _ := p.must(args...)
	var row string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasSuffix(l, " "+name) {
			row = l
		}
	}
	if (status == "" && row != "") || (status != "" && !strings.Contains(row, status)) {
		p.t.Errorf("stencil %s: want %s %q:\n%s", strings.Join(args, " "), name, status, out)
	}
}

// waitLog waits for the container's log to be want.
func (p *project) waitLog(name, want string) {
	p.t.Helper()
	var out string
	for range 200 {
		if out, _ = p.must("logs", name); out == want {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.t.Fatalf("logs %s: %q, want %q", name, out, want)
}

// killMonitor SIGKILLs the monitor of a running container (the parent of
// its command) and waits for it to be gone.
func killMonitor(t *testing.T, p *project, name string) {
	t.Helper()
	out, _ := p.must("inspect", name)
	var objs []containerInspectJSON
	if err := json.Unmarshal([]byte(out), &objs); err != nil || len(objs) != 1 || objs[0].State.Pid == 0 {
		t.Fatalf("inspect: %v\n%s", err, out)
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(objs[0].State.Pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	ppid, _ := strconv.Atoi(fields[1])
	if err := syscall.Kill(ppid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for range 200 {
		if syscall.Kill(objs[0].State.Pid, 0) != nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the container's command outlived its monitor")
}

// TestContainerBadInput: each mistake is one clear line and a failure,
// and the store keeps its containers as they were.
func TestContainerBadInput(t *testing.T) {
	p := newProject(t, ".")
	p.must("run", "--name", "taken", "busybox:latest", "true")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"start", "nosuch"}, "no such container: nosuch"},
		{[]string{"rm", "nosuch"}, "no such container: nosuch"},
		{[]string{"commit", "nosuch"}, "no such container: nosuch"},
		{[]string{"logs", "nosuch"}, "no such container: nosuch"},
		{[]string{"run", "--name", "taken", "busybox:latest", "true"}, `the container name "taken" is already in use`},
		{[]string{"run", "--name", "bad/name", "busybox:latest", "true"}, "invalid container name"},
		{[]string{"commit", "-c", "RUN echo hi", "taken"}, "RUN is not supported by commit"},
		{[]string{"commit", "-c", "FROM x", "taken"}, "FROM is not supported by commit"},
		{[]string{"kill", "taken"}, "is not running"},
		{[]string{"run", "-v", "relative:/x", "busybox:latest", "true"}, "named volumes are not supported"},
		{[]string{"run", "--network", "bridge", "busybox:latest", "true"}, "want private, none or host"},
	} {
		_, errOut, code := p.stencil(c.args...)
		if code == 0 || !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 1 {
			t.Errorf("stencil %q: exit %d, %q; want %q", c.args, code, errOut, c.want)
		}
	}
	if out, _ := p.must("ps", "-a", "--quiet"); strings.Count(out, "\n") != 1 {
		t.Errorf("bad input changed the containers: %q", out)
	}
}

// TestRunBindMountAndRm: -v binds a host dir (read-only with :ro), --rm
// leaves no container.
func TestRunBindMountAndRm(t *testing.T) {
	p := newProject(t, ".")
	p.write("shared/in", "from host\n")
	out, _ := p.must("run", "--rm", "-v", p.dir+"/shared:/mnt/s", "busybox:latest", "sh", "-c", "cat /mnt/s/in; echo back > /mnt/s/out")
	if out != "from host\n" {
		t.Errorf("bind: %q", out)
	}
	if b, err := os.ReadFile(p.dir + "/shared/out"); err != nil || string(b) != "back\n" {
		t.Errorf("write through the bind: %q, %v", b, err)
	}
	_, _, code := p.stencil("run", "--rm", "-v", p.dir+"/shared:/mnt/s:ro", "busybox:latest", "sh", "-c", "echo x > /mnt/s/out")
	if code == 0 {
		t.Errorf("a write to a :ro bind succeeded")
	}
	if out, _ := p.must("ps", "-aq"); out != "" {
		t.Errorf("--rm left containers: %q", out)
	}
}

// TestRunTtySetsTerm: under -t the command sees TERM=xterm (docker's),
// unless -e sets it, and nothing precedes its output.
func TestRunTtySetsTerm(t *testing.T) {
	p := newProject(t, ".")
	if out, _ := p.must("run", "--rm", "-t", "busybox:latest", "sh", "-c", "echo $TERM"); out != "xterm\r\n" {
		t.Errorf("-t: %q", out)
	}
	if out, _ := p.must("run", "--rm", "-t", "-e", "TERM=vt100", "busybox:latest", "sh", "-c", "echo $TERM"); out != "vt100\r\n" {
		t.Errorf("-t -e TERM: %q", out)
	}
}

// TestExecInRunningContainer: exec sees the container's filesystem,
// processes and env, as the user asked; a stopped container refuses it.
func TestExecInRunningContainer(t *testing.T) {
	p := newProject(t, ".")
	t.Cleanup(func() { p.stencil("rm", "-f", "ex") }) // no monitor outlives a failed test
	p.must("run", "-d", "--name", "ex", "-e", "FROM_RUN=1", "busybox:latest", "sh", "-c", loop)
	p.waitLog("ex", "1\n")
	out, _ := p.must("exec", "-e", "X=2", "ex", "sh", "-c", `cat /starts; echo $FROM_RUN$X; id -u; cat /proc/1/cmdline | tr '\0' ' '`)
	if want := "x\n12\n0\nsh -c " + loop + " "; out != want {
		t.Errorf("exec: %q, want %q", out, want)
	}
	if out, _ = p.must("exec", "-u", "65534", "-w", "/tmp", "ex", "sh", "-c", "id -u; pwd"); out != "65534\n/tmp\n" {
		t.Errorf("exec -u -w: %q", out)
	}
	// exec's command is chrooted in the host's mount namespace: the classic
	// chroot escape (chroot into a subdirectory, climb, chroot .) must fail.
	escape := `chroot / /bin/true 2>/dev/null && echo can chroot; true`
	if out, _ := p.must("exec", "ex", "sh", "-c", escape); strings.Contains(out, "can chroot") {
		t.Errorf("exec's command can chroot, so it can leave the container's root: %q", out)
	}
	if _, _, code := p.stencil("exec", "ex", "sh", "-c", "exit 4"); code != 4 {
		t.Errorf("exec exit code %d, want 4", code)
	}
	p.must("rm", "-f", "ex")
	p.must("run", "--name", "stopped", "busybox:latest", "true")
	if _, errOut, code := p.stencil("exec", "stopped", "true"); code == 0 || !strings.Contains(errOut, "is not running") {
		t.Errorf("exec in a stopped container: exit %d, %q", code, errOut)
	}
}

// TestPruneKeepsContainerImage: an image whose tag is gone stays while a
// container uses it, so the container starts again after prune.
func TestPruneKeepsContainerImage(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nRUN echo base > /b\n")
	p.must("build", "-t", "gone", ".")
	p.must("run", "--name", "keeper", "gone", "sh", "-c", "cat /b; echo x >> /n; wc -l < /n")
	p.must("rmi", "gone", "busybox:latest")
	p.must("prune")
	if out, _ := p.must("start", "-a", "keeper"); out != "base\n2\n" {
		t.Errorf("after prune the container printed %q", out)
	}
	p.must("rm", "keeper")
	if out, _ := p.must("prune"); strings.HasPrefix(out, "Removed 0 blobs") {
		t.Errorf("prune kept the image after its container went: %q", out)
	}
}
