package buildctx

import (
	"io/fs"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// lstatAt is fstatat(dir, name, AT_SYMLINK_NOFOLLOW) as an fs.FileInfo.
func lstatAt(dir *os.File, name string) (fs.FileInfo, error) {
	var st unix.Stat_t
	if err := unix.Fstatat(int(dir.Fd()), name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return nil, err
	}
	return newStatInfo(name, &st), nil
}

// statInfo is an fs.FileInfo made from a stat, with the same Mode and Sys
// (*syscall.Stat_t) as os.Lstat gives.
type statInfo struct {
	name string
	sys  syscall.Stat_t
}

// newStatInfo copies the stat fields Stencil reads.
func newStatInfo(name string, st *unix.Stat_t) *statInfo {
	return &statInfo{name: name, sys: syscall.Stat_t{
		Dev: st.Dev, Ino: st.Ino, Nlink: st.Nlink, Mode: st.Mode, Uid: st.Uid, Gid: st.Gid,
		Rdev: st.Rdev, Size: st.Size, Blksize: st.Blksize, Blocks: st.Blocks,
		Atim: syscall.Timespec{Sec: st.Atim.Sec, Nsec: st.Atim.Nsec},
		Mtim: syscall.Timespec{Sec: st.Mtim.Sec, Nsec: st.Mtim.Nsec},
		Ctim: syscall.Timespec{Sec: st.Ctim.Sec, Nsec: st.Ctim.Nsec},
	}}
}

func (i *statInfo) Name() string       { return i.name }
func (i *statInfo) Size() int64        { return i.sys.Size }
func (i *statInfo) IsDir() bool        { return i.Mode().IsDir() }
func (i *statInfo) Sys() any           { return &i.sys }
func (i *statInfo) ModTime() time.Time { return time.Unix(i.sys.Mtim.Sec, i.sys.Mtim.Nsec) }

// Mode converts st_mode the way package os does.
func (i *statInfo) Mode() fs.FileMode {
	m := fs.FileMode(i.sys.Mode & 0o777)
	m |= typeBits[i.sys.Mode&syscall.S_IFMT]
	for _, b := range specialBits {
		if i.sys.Mode&b.bit != 0 {
			m |= b.mode
		}
	}
	return m
}

// specialBits maps the set-id and sticky bits to fs.FileMode bits.
var specialBits = []struct {
	bit  uint32
	mode fs.FileMode
}{{syscall.S_ISGID, fs.ModeSetgid}, {syscall.S_ISUID, fs.ModeSetuid}, {syscall.S_ISVTX, fs.ModeSticky}}

// typeBits maps S_IFMT values to fs.FileMode type bits (S_IFREG: none).
var typeBits = map[uint32]fs.FileMode{
	syscall.S_IFBLK: fs.ModeDevice, syscall.S_IFCHR: fs.ModeDevice | fs.ModeCharDevice,
	syscall.S_IFDIR: fs.ModeDir, syscall.S_IFIFO: fs.ModeNamedPipe,
	syscall.S_IFLNK: fs.ModeSymlink, syscall.S_IFSOCK: fs.ModeSocket,
}
