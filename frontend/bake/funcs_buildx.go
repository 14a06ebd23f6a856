package bake

import (
	"errors"
	"math/big"
	"os"
	"os/user"
	"strconv"
	"time"

	"github.com/Masterminds/semver/v3"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// timeFuncs are buildx's own time, version and home functions.
func timeFuncs() map[string]function.Function {
	return map[string]function.Function{
		"formattimestamp":    formatTimestampFunc,
		"unixtimestampparse": unixTimestampParseFunc,
		"semvercmp":          semvercmpFunc,
		"homedir":            nullaryFunc(homeDir),
	}
}

// semvercmpFunc reports whether a version satisfies a constraint
// (Masterminds/semver syntax, as buildx).
var semvercmpFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "version", Type: cty.String}, {Name: "constraint", Type: cty.String}},
	Type:   function.StaticReturnType(cty.Bool),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v, err := semver.NewVersion(args[0].AsString())
		if err != nil {
			return cty.UnknownVal(cty.Bool), function.NewArgError(0, err)
		}
		c, err := semver.NewConstraint(args[1].AsString())
		if err != nil {
			return cty.UnknownVal(cty.Bool), function.NewArgError(1, err)
		}
		return cty.BoolVal(c.Check(v)), nil
	},
})

// formatTimestampFunc formats an RFC 3339 string or a unix timestamp with
// formatdate's verbs; the format "X" gives unix seconds.
var formatTimestampFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "format", Type: cty.String}, {Name: "time", Type: cty.DynamicPseudoType}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		t, err := timestampArg(args[1])
		if err != nil {
			return cty.DynamicVal, function.NewArgError(1, err)
		}
		if args[0].AsString() == "X" {
			return cty.StringVal(strconv.FormatInt(t.Unix(), 10)), nil
		}
		return stdlib.FormatDate(args[0], cty.StringVal(t.Format(time.RFC3339)))
	},
})

// timestampArg reads an RFC 3339 string or a whole number of unix seconds.
func timestampArg(v cty.Value) (time.Time, error) {
	switch v.Type() {
	case cty.String:
		t, err := time.Parse(time.RFC3339, v.AsString())
		if err != nil {
			return t, errors.New("timestamp string must be RFC3339")
		}
		return t, nil
	case cty.Number:
		return unixTimestamp(v)
	}
	return time.Time{}, errors.New("must be a string timestamp or a unix timestamp number")
}

// unixTimestamp is a whole number of seconds as a UTC time.
func unixTimestamp(v cty.Value) (time.Time, error) {
	ts, acc := v.AsBigFloat().Int64()
	if acc != big.Exact {
		return time.Time{}, errors.New("unix timestamp must be an integer")
	}
	return time.Unix(ts, 0).UTC(), nil
}

// timeParts is unixtimestampparse's result type.
var timeParts = cty.Object(map[string]cty.Type{
	"year": cty.Number, "year_day": cty.Number, "day": cty.Number, "month": cty.Number,
	"month_name": cty.String, "weekday": cty.Number, "weekday_name": cty.String,
	"hour": cty.Number, "minute": cty.Number, "second": cty.Number,
	"rfc3339": cty.String, "iso_year": cty.Number, "iso_week": cty.Number,
})

// unixTimestampParseFunc splits a unix timestamp into its calendar parts.
var unixTimestampParseFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "unix_timestamp", Type: cty.Number}},
	Type:   function.StaticReturnType(timeParts),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		t, err := unixTimestamp(args[0])
		if err != nil {
			return cty.DynamicVal, function.NewArgError(0, err)
		}
		return calendar(t), nil
	},
})

func calendar(t time.Time) cty.Value {
	n := func(i int) cty.Value { return cty.NumberIntVal(int64(i)) }
	isoYear, isoWeek := t.ISOWeek()
	return cty.ObjectVal(map[string]cty.Value{
		"year": n(t.Year()), "year_day": n(t.YearDay()), "day": n(t.Day()),
		"month": n(int(t.Month())), "month_name": cty.StringVal(t.Month().String()),
		"weekday": n(int(t.Weekday())), "weekday_name": cty.StringVal(t.Weekday().String()),
		"hour": n(t.Hour()), "minute": n(t.Minute()), "second": n(t.Second()),
		"rfc3339": cty.StringVal(t.Format(time.RFC3339)), "iso_year": n(isoYear), "iso_week": n(isoWeek),
	})
}

// homeDir is the user's home directory: $HOME, else the passwd entry.
func homeDir() string {
	if home, err := os.UserHomeDir(); err == nil {
		return home
	}
	if u, err := user.Current(); err == nil {
		return u.HomeDir
	}
	return "/"
}
