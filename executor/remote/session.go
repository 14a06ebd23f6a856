package remote

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/moby/buildkit/session"
	sessioncontent "github.com/moby/buildkit/session/content"
	"github.com/moby/buildkit/session/filesync"
	"github.com/moby/buildkit/session/grpchijack"
	"github.com/tonistiigi/fsutil"
	fstypes "github.com/tonistiigi/fsutil/types"
)

// inputs is the one session every target's solve reads its inputs from:
// the context directories and the local store's blobs. The LLB names it,
// so a context several targets copy from has one cache key on the
// builder and is sent once; each solve keeps its own session for its
// outputs.
type inputs struct {
	s    *session.Session
	done chan error
}

// openInputs starts the inputs session on the builder.
func (e *Executor) openInputs(ctx context.Context, contexts map[string]string) (*inputs, error) {
	dirs := filesync.StaticDirSource{}
	for name, dir := range contexts {
		fs, err := contextFS(dir)
		if err != nil {
			return nil, err
		}
		dirs[name] = fs
	}
	s, err := session.NewSession(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("start session: %w", err)
	}
	s.Allow(filesync.NewFSSyncProvider(dirs))
	blobs := newBlobStore(filepath.Join(e.Store.Root(), "oci"))
	s.Allow(sessioncontent.NewAttachable(map[string]content.Store{"oci:" + StoreID: blobs}))
	in := &inputs{s: s, done: make(chan error, 1)}
	go func() { in.done <- s.Run(context.WithoutCancel(ctx), grpchijack.Dialer(e.Client.ControlClient())) }()
	return in, nil
}

// close ends the session once every solve is done.
func (in *inputs) close() {
	in.s.Close()
	<-in.done
}

// contextFS is a context directory as the client sends it: every file
// owned by root, as BuildKit's own client maps it.
func contextFS(dir string) (fsutil.FS, error) {
	fs, err := fsutil.NewFS(dir)
	if err != nil {
		return nil, fmt.Errorf("open build context %s: %w", dir, err)
	}
	return fsutil.NewFilterFS(fs, &fsutil.FilterOpt{Map: func(_ string, st *fstypes.Stat) fsutil.MapResult {
		st.Uid, st.Gid = 0, 0
		return fsutil.MapResultKeep
	}})
}
