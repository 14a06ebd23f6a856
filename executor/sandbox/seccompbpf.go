package sandbox

import (
	"fmt"
	"slices"

	seccompbpf "github.com/elastic/go-seccomp-bpf"
	"github.com/elastic/go-seccomp-bpf/arch"
	"github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Offsets into struct seccomp_data.
const (
	dataNr   = 0
	dataArch = 4
)

// x32Bit marks an x32 call on x86_64.
const x32Bit = 0x40000000

// archInfo maps the profile's architectures to go-seccomp-bpf's syscall
// tables. Others have no table there and are left out (their calls kill).
var archInfo = map[specs.Arch]*arch.Info{
	specs.ArchX86_64: arch.X86_64, specs.ArchX86: arch.I386,
	specs.ArchAARCH64: arch.AARCH64, specs.ArchARM: arch.ARM,
}

// compileProfile compiles prof for each of its architectures that has a
// syscall table: a dispatch on the audit arch, then one program per arch.
// The first architecture (the native one) must have a table.
func compileProfile(prof *specs.LinuxSeccomp) ([]bpf.Instruction, error) {
	var progs [][]bpf.Instruction
	var ids []uint32
	for i, a := range prof.Architectures {
		info, ok := archInfo[a]
		if !ok && i == 0 {
			return nil, fmt.Errorf("no syscall table for %s", a)
		}
		if !ok {
			continue
		}
		p, err := compileArch(prof, info)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", info.Name, err)
		}
		progs, ids = append(progs, p), append(ids, uint32(info.ID))
	}
	if len(progs) == 0 {
		return nil, fmt.Errorf("profile names no architecture")
	}
	return dispatch(ids, progs), nil
}

// dispatch jumps to progs[i] when the call's arch is ids[i] and kills the
// process for any other arch.
func dispatch(ids []uint32, progs [][]bpf.Instruction) []bpf.Instruction {
	head := 2*len(ids) + 2
	out := []bpf.Instruction{bpf.LoadAbsolute{Off: dataArch, Size: 4}}
	at := head
	for i, id := range ids {
		out = append(out, bpf.JumpIf{Cond: bpf.JumpEqual, Val: id, SkipFalse: 1},
			bpf.Jump{Skip: uint32(at - len(out) - 2)})
		at += len(progs[i])
	}
	out = append(out, bpf.RetConstant{Val: unix.SECCOMP_RET_KILL_PROCESS})
	for _, p := range progs {
		out = append(out, p...)
	}
	return out
}

// compileArch compiles prof's rules for one architecture. Each rule is
// one block assembled by go-seccomp-bpf; a rule with argument conditions
// becomes one block per call, and the call number is loaded again after
// every block, since conditions load arguments into the accumulator.
func compileArch(prof *specs.LinuxSeccomp, info *arch.Info) ([]bpf.Instruction, error) {
	out := archPrelude(info)
	for _, r := range prof.Syscalls {
		action, err := ruleAction(r.Action, r.ErrnoRet, prof.DefaultErrnoRet)
		if err != nil {
			return nil, err
		}
		calls, err := ruleCalls(r, info)
		if err != nil {
			return nil, err
		}
		for _, group := range calls {
			block, err := assembleBlock(group, action)
			if err != nil {
				return nil, err
			}
			out = append(out, block...)
			out = append(out, bpf.LoadAbsolute{Off: dataNr, Size: 4})
		}
	}
	def, err := ruleAction(prof.DefaultAction, prof.DefaultErrnoRet, nil)
	return append(out, bpf.RetConstant{Val: uint32(def)}), err
}

// archPrelude loads the call number and fails x32 calls and calls past
// the architecture's table with ENOSYS.
func archPrelude(info *arch.Info) []bpf.Instruction {
	enosys := bpf.RetConstant{Val: unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)}
	out := []bpf.Instruction{bpf.LoadAbsolute{Off: dataNr, Size: 4}}
	if info == arch.X86_64 {
		out = append(out, bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: x32Bit, SkipFalse: 1}, enosys)
	}
	last := slices.Max(slicesKeys(info.SyscallNumbers))
	return append(out, bpf.JumpIf{Cond: bpf.JumpGreaterThan, Val: uint32(last), SkipFalse: 1}, enosys)
}

// slicesKeys lists m's keys.
func slicesKeys(m map[int]string) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// assembleBlock assembles calls sharing action: a match returns action,
// anything else falls through past the block.
func assembleBlock(calls []seccompbpf.SyscallWithConditions, action seccompbpf.Action) ([]bpf.Instruction, error) {
	p := seccompbpf.NewProgram()
	match, next := p.NewLabel(), p.NewLabel()
	for i, c := range calls {
		c.Assemble(&p, i < len(calls)-1, match, next)
	}
	p.SetLabel(match)
	p.Ret(action)
	p.SetLabel(next)
	return p.Assemble()
}

// ruleCalls resolves a rule's names in info's table (names the table
// lacks are skipped, as libseccomp does) and groups them into blocks.
func ruleCalls(r specs.LinuxSyscall, info *arch.Info) ([][]seccompbpf.SyscallWithConditions, error) {
	conds, err := ruleConditions(r.Args)
	if err != nil {
		return nil, fmt.Errorf("rule %v: %w", r.Names, err)
	}
	var plain []seccompbpf.SyscallWithConditions
	var blocks [][]seccompbpf.SyscallWithConditions
	for _, name := range r.Names {
		nr, ok := info.SyscallNames[name]
		if !ok {
			continue
		}
		c := seccompbpf.SyscallWithConditions{Num: uint32(nr | info.SeccompMask)}
		if conds == nil {
			plain = append(plain, c)
			continue
		}
		c.Conditions = []seccompbpf.ArgumentConditions{conds}
		blocks = append(blocks, []seccompbpf.SyscallWithConditions{c})
	}
	if len(plain) > 0 {
		blocks = append(blocks, plain)
	}
	return blocks, nil
}
