package sandbox

import (
	"fmt"

	seccompbpf "github.com/elastic/go-seccomp-bpf"
	"github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// ruleAction converts a profile action; an errno action uses the rule's
// errno, else the profile's default errno, else EPERM.
func ruleAction(a specs.LinuxSeccompAction, errno, def *uint) (seccompbpf.Action, error) {
	switch a {
	case specs.ActAllow:
		return seccompbpf.ActionAllow, nil
	case specs.ActKillProcess:
		return seccompbpf.ActionKillProcess, nil
	case specs.ActKill, specs.ActKillThread:
		return seccompbpf.ActionKillThread, nil
	case specs.ActErrno:
		e := uint(unix.EPERM)
		if errno != nil {
			e = *errno
		} else if def != nil {
			e = *def
		}
		return seccompbpf.ActionErrno | seccompbpf.Action(e&unix.SECCOMP_RET_DATA), nil
	}
	return 0, fmt.Errorf("unsupported seccomp action %s", a)
}

// ruleConditions converts a rule's argument conditions (all must hold).
// A masked-equal test is supported against zero (no bit of the mask set)
// and against the mask itself (every bit set).
func ruleConditions(args []specs.LinuxSeccompArg) (seccompbpf.ArgumentConditions, error) {
	var out seccompbpf.ArgumentConditions
	for _, a := range args {
		op, ok := conditionOps[a.Op]
		value := a.Value
		switch {
		case a.Op == specs.OpMaskedEqual && a.ValueTwo == 0:
			op, ok = seccompbpf.BitsNotSet, true
		case a.Op == specs.OpMaskedEqual && a.ValueTwo == a.Value && single(a.Value):
			op, ok = seccompbpf.BitsSet, true
		}
		if !ok {
			return nil, fmt.Errorf("unsupported condition %s on argument %d", a.Op, a.Index)
		}
		out = append(out, seccompbpf.Condition{Argument: uint32(a.Index), Operation: op, Value: value})
	}
	return out, nil
}

// single reports whether v has exactly one bit set.
func single(v uint64) bool { return v != 0 && v&(v-1) == 0 }

// conditionOps maps the plain comparison operators.
var conditionOps = map[specs.LinuxSeccompOperator]seccompbpf.Operation{
	specs.OpEqualTo: seccompbpf.Equal, specs.OpNotEqual: seccompbpf.NotEqual,
	specs.OpGreaterThan: seccompbpf.GreaterThan, specs.OpGreaterEqual: seccompbpf.GreaterOrEqual,
	specs.OpLessThan: seccompbpf.LessThan, specs.OpLessEqual: seccompbpf.LessOrEqual,
}
