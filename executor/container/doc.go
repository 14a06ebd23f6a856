// Package container keeps containers that last: `stencil run` without
// --rm, start, stop, kill, rm, logs and commit.
//
// A container is a directory in the store (cache.Store.AddContainer, which
// also makes Prune keep its image) holding:
//
//	root.json    the image it was cut from (the store's record)
//	config.json  what run fixed at creation: command, env, user, mounts…
//	state.json   created, running or exited; the command's pid; exit code
//	run.lock     flock held by the process running it, the whole time
//	upper/ work/ the writable layer: the overlay upper and work dirs
//	log          the output of a detached (-d) container
//
// It runs in the same sandbox as RUN steps (executor/sandbox), over the
// image's snapshots. Whether it runs is the lock, not state.json: a
// process that dies, however killed, releases it, so a container whose
// runner is gone (a SIGKILLed monitor, a reboot) reads as exited. Its
// mounts live in the sandbox's mount namespace and vanish with it.
//
// A detached container is run by a monitor: this binary re-executed (see
// Init), in its own session, that runs it and records its exit, as conmon
// does for podman. There is no daemon.
//
// It does not parse Dockerfile instructions (commit takes config changes
// as functions) and does not print anything.
package container
