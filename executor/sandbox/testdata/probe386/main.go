// Command probe386 is built with GOARCH=386 by TestSeccompI386 and run in
// the sandbox: it makes i386 system calls the filter must allow or deny
// and prints each result.
package main

import (
	"fmt"
	"syscall"
)

func main() {
	_, _, e := syscall.RawSyscall(syscall.SYS_GETPID, 0, 0, 0)
	report("getpid", e)
	_, _, e = syscall.RawSyscall(syscall.SYS_UNSHARE, syscall.CLONE_NEWUSER, 0, 0)
	report("unshare(CLONE_NEWUSER)", e)
	_, _, e = syscall.RawSyscall(syscall.SYS_KEYCTL, 0, 0, 0)
	report("keyctl", e)
	report("clone(CLONE_NEWNET)", fork(syscall.CLONE_NEWNET|uintptr(syscall.SIGCHLD)))
	report("clone", fork(uintptr(syscall.SIGCHLD)))
}

// fork clones with flags; the child exits at once.
func fork(flags uintptr) syscall.Errno {
	pid, _, e := syscall.RawSyscall6(syscall.SYS_CLONE, flags, 0, 0, 0, 0, 0)
	if e != 0 {
		return e
	}
	if pid == 0 {
		syscall.RawSyscall(syscall.SYS_EXIT_GROUP, 0, 0, 0)
	}
	var ws syscall.WaitStatus
	_, err := syscall.Wait4(int(pid), &ws, 0, nil)
	if err != nil {
		return err.(syscall.Errno)
	}
	return 0
}

func report(name string, e syscall.Errno) {
	if e == 0 {
		fmt.Println(name + ": ok")
		return
	}
	fmt.Println(name + ": " + e.Error())
}
