package planner

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// Mount is a RUN --mount as the executor makes it, its options resolved
// as BuildKit resolves them. A plan never holds a secret's value, only its
// id; a cache mount's content is never part of any key.
type Mount struct {
	Type     string  `json:"type"`               // "cache", "tmpfs", "secret", "bind" or "ssh"
	Target   string  `json:"target,omitempty"`   // absolute path in the container; "" for an env-only secret
	ID       string  `json:"id,omitempty"`       // cache, secret or ssh id
	Sharing  string  `json:"sharing,omitempty"`  // cache: "shared", "private" or "locked"
	From     string  `json:"from,omitempty"`     // bind: key of the source stage's last step or image base step
	Source   string  `json:"source,omitempty"`   // cache, bind: a path inside the cache or the source
	ReadOnly bool    `json:"readonly,omitempty"` // bind (default), cache
	Size     int64   `json:"size,omitempty"`     // tmpfs: bytes; 0 means the kernel default
	Env      string  `json:"env,omitempty"`      // secret: also (or only) this environment variable
	Required bool    `json:"required,omitempty"` // secret, ssh: a missing value fails the build
	Mode     *uint32 `json:"mode,omitempty"`     // cache: its root dir's mode; secret, ssh: the file's
	UID      *uint32 `json:"uid,omitempty"`
	GID      *uint32 `json:"gid,omitempty"`
	// bind of the build context (no From): its directory and the files
	// the mount shows (.dockerignore applied), digested as COPY's are.
	Context  string     `json:"context,omitempty"`
	Excludes []string   `json:"excludes,omitempty"` // its .dockerignore patterns
	Files    []CopyFile `json:"files,omitempty"`
}

// Mount types (instructions.MountType values).
const (
	MountCache  = "cache"
	MountTmpfs  = "tmpfs"
	MountSecret = "secret"
	MountBind   = "bind"
	MountSSH    = "ssh"
)

// mounts plans a RUN's --mount flags after expansion and returns them
// with the text each adds to the step's key.
func (s *stageState) mounts(c *instructions.RunCommand) ([]Mount, []string, error) {
	if err := c.Expand(s.expand); err != nil {
		return nil, nil, err
	}
	var ms []Mount
	var keys []string
	for _, m := range instructions.GetMounts(c) {
		pm, err := s.mount(m)
		if err != nil {
			return nil, nil, fmt.Errorf("--mount=type=%s: %w", m.Type, err)
		}
		keyed := pm
		keyed.Context, keyed.Excludes = "", nil // where the context lies is not an input; its files are
		b, err := json.Marshal(keyed)
		if err != nil {
			return nil, nil, err
		}
		ms, keys = append(ms, pm), append(keys, string(b))
	}
	return ms, keys, nil
}

// sshMounts gives each ssh mount without a target BuildKit's default,
// /run/buildkit/ssh_agent.<n> (n counting the RUN's ssh mounts), and
// returns the environment entry BuildKit adds: SSH_AUTH_SOCK naming the
// first one, unless env already sets it.
func sshMounts(ms []Mount, env []string) string {
	first := ""
	n := 0
	for i := range ms {
		if ms[i].Type != MountSSH {
			continue
		}
		if ms[i].Target == "" {
			ms[i].Target = "/run/buildkit/ssh_agent." + strconv.Itoa(n)
		}
		if n == 0 {
			first = ms[i].Target
		}
		n++
	}
	if first == "" || slices.ContainsFunc(env, func(e string) bool { return strings.HasPrefix(e, "SSH_AUTH_SOCK=") }) {
		return ""
	}
	return "SSH_AUTH_SOCK=" + first
}

// mount resolves one mount by its type.
func (s *stageState) mount(m *instructions.Mount) (Mount, error) {
	pm := Mount{Type: string(m.Type), ReadOnly: m.ReadOnly, Mode: u32(m.Mode), UID: u32(m.UID), GID: u32(m.GID)}
	var err error
	switch m.Type {
	case instructions.MountTypeCache:
		err = s.cacheMount(m, &pm)
	case instructions.MountTypeTmpfs:
		pm.Target, err = s.mountTarget(m.Target)
		pm.Size = m.SizeLimit
	case instructions.MountTypeSecret:
		err = secretMount(m, &pm)
	case instructions.MountTypeBind:
		err = s.bindMount(m, &pm)
	case instructions.MountTypeSSH:
		err = s.sshMount(m, &pm)
	default:
		err = fmt.Errorf("mount type %q is not supported", m.Type)
	}
	return pm, err
}

// cacheMount: the id defaults to the target as written (BuildKit); an id
// or source may not climb out of its directory.
func (s *stageState) cacheMount(m *instructions.Mount, pm *Mount) error {
	if m.From != "" { // the cache starts as a copy of this stage or image
		var err error
		if pm.From, err = s.copySource(m.From); err != nil {
			return err
		}
	}
	pm.ID, pm.Sharing = m.CacheID, string(m.CacheSharing)
	if pm.ID == "" {
		pm.ID = path.Clean(m.Target)
	} else if err := inside("id", pm.ID); err != nil {
		return err
	}
	if pm.Sharing == "" {
		pm.Sharing = string(instructions.MountSharingShared)
	}
	if m.Source != "" {
		src := m.Source
		if pm.From != "" { // a path in the from= tree: "/" is its root
			src = strings.TrimPrefix(path.Clean("/"+src), "/")
		}
		if err := inside("source", cmpOr(src, ".")); err != nil {
			return err
		}
		pm.Source = path.Clean(cmpOr(src, "."))
	}
	var err error
	pm.Target, err = s.mountTarget(m.Target)
	return err
}

// cmpOr is s, or dflt when s is empty.
func cmpOr(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}

// CheckSecrets refuses a plan whose RUN steps need a secret that is not
// in given, before any step runs, naming the first step that needs it.
func (p *Plan) CheckSecrets(given map[string][]byte) error {
	return p.checkRequired(MountSecret, func(id string) error {
		if _, ok := given[id]; ok {
			return nil
		}
		return fmt.Errorf("secret %s is required but was not given (--secret id=%s,src=FILE|env=VAR)", id, id)
	})
}

// CheckSSH refuses a plan whose RUN steps need an ssh agent that is not
// in given, before any step runs, naming the first step that needs it.
func (p *Plan) CheckSSH(given map[string]string) error {
	return p.checkRequired(MountSSH, func(id string) error {
		if _, ok := given[id]; ok {
			return nil
		}
		return fmt.Errorf("ssh agent %s is required but was not given (--ssh %s[=SOCKET])", id, id)
	})
}

// checkRequired applies missing to the id of every required mount of type
// typ, and returns the first error it gives, located at its step.
func (p *Plan) checkRequired(typ string, missing func(id string) error) error {
	for _, s := range p.Steps {
		if s.Run == nil {
			continue
		}
		for _, m := range s.Run.Mounts {
			if m.Type != typ || !m.Required {
				continue
			}
			if err := missing(m.ID); err != nil {
				return s.Locate(err)
			}
		}
	}
	return nil
}

// secretMount: the id is id=, else source=, else the target's base name;
// the file goes to target, else /run/secrets/<id> unless env= is given.
func secretMount(m *instructions.Mount, pm *Mount) error {
	pm.ID = m.CacheID
	if m.Source != "" {
		pm.ID = m.Source
	}
	if pm.ID == "" {
		pm.ID = path.Base(m.Target)
	}
	pm.Target, pm.Required, pm.ReadOnly = m.Target, m.Required, true
	if m.Env != nil {
		pm.Env = *m.Env
	} else if pm.Target == "" {
		pm.Target = "/run/secrets/" + path.Base(pm.ID)
	}
	if pm.Target != "" && !path.IsAbs(pm.Target) {
		return fmt.Errorf("secret target %q is not an absolute path", pm.Target)
	}
	if pm.Mode == nil {
		pm.Mode = ptr(uint32(0o400))
	}
	return nil
}

// sshMount: the id defaults to "default" and the socket's mode to 0600;
// an empty target is given its default by sshMounts.
func (s *stageState) sshMount(m *instructions.Mount, pm *Mount) error {
	if m.Source != "" {
		return errors.New("ssh does not support source")
	}
	pm.ID, pm.Required, pm.ReadOnly = cmpOr(m.CacheID, "default"), m.Required, false
	if pm.Mode == nil {
		pm.Mode = ptr(uint32(0o600))
	}
	if m.Target == "" {
		return nil
	}
	var err error
	pm.Target, err = s.mountTarget(m.Target)
	return err
}

// bindMount reads from an earlier stage or an image (from=), else from
// the build context, whose files are resolved and digested now (so they
// are in the key, as BuildKit's content checksum puts them). It is
// read-only unless rw is given; what a command writes there is discarded.
func (s *stageState) bindMount(m *instructions.Mount, pm *Mount) error {
	if slices.Contains(strings.Split(m.Source, "/"), "..") {
		return fmt.Errorf("source %q must not have a .. element", m.Source)
	}
	pm.Source = path.Join("/", m.Source)
	var err error
	if pm.Target, err = s.mountTarget(m.Target); err != nil {
		return err
	}
	if m.From == "" {
		return s.contextBind(pm)
	}
	pm.From, err = s.copySource(m.From)
	return err
}

// BindRoot is where a context bind's files are placed (CopyFile.Dest):
// the source itself lands at BindRoot, a directory's contents below it.
const BindRoot = "/m"

// contextBind resolves a bind of the build context like a COPY of its
// source to BindRoot.
func (s *stageState) contextBind(pm *Mount) error {
	src := strings.TrimPrefix(pm.Source, "/")
	if src == "" {
		src = "."
	}
	cp := &Copy{Sources: []string{src}, Dest: BindRoot, Workdir: "/"}
	var in KeyInputs
	if err := s.contextFiles(cp, &in); err != nil {
		return err
	}
	pm.Context, pm.Excludes, pm.Files = cp.Context, cp.Excludes, cp.Files
	return nil
}

// mountTarget is a target made absolute against the working directory.
func (s *stageState) mountTarget(t string) (string, error) {
	if t == "" {
		return "", errors.New("no target")
	}
	if !path.IsAbs(t) {
		t = path.Join("/", workdirOr(s.cfg), t)
	}
	if t = path.Clean(t); t == "/" {
		return "", fmt.Errorf("invalid mount target %q", t)
	}
	return t, nil
}

// inside refuses a name that is absolute or has a ".." element: it names
// something inside a directory Stencil owns.
func inside(what, name string) error {
	if path.IsAbs(name) || slices.Contains(strings.Split(name, "/"), "..") {
		return fmt.Errorf("%s %q must be a relative path without ..", what, name)
	}
	return nil
}

func u32(p *uint64) *uint32 {
	if p == nil {
		return nil
	}
	return ptr(uint32(*p))
}

func ptr[T any](v T) *T { return &v }
