package main

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"
)

// flagVar binds a flag to its variable with its default: defining it on
// a flag set is the only thing a command table needs of a flag's type.
type flagVar func(fs *pflag.FlagSet, name, short, usage string)

// bind returns the flagVar of p with default def; the compiler checks
// that def has p's type. The type switch covers the types run's flags
// have; a type outside it panics at definition, which every test of a
// command reaches.
func bind[T any](p *T, def T) flagVar {
	return func(fs *pflag.FlagSet, name, short, usage string) {
		switch p := any(p).(type) {
		case *string:
			fs.StringVarP(p, name, short, any(def).(string), usage)
		case *bool:
			fs.BoolVarP(p, name, short, any(def).(bool), usage)
		case *int:
			fs.IntVarP(p, name, short, any(def).(int), usage)
		case *int64:
			fs.Int64VarP(p, name, short, any(def).(int64), usage)
		case *uint64:
			fs.Uint64VarP(p, name, short, any(def).(uint64), usage)
		case *float64:
			fs.Float64VarP(p, name, short, any(def).(float64), usage)
		case *time.Duration:
			fs.DurationVarP(p, name, short, any(def).(time.Duration), usage)
		case *[]time.Duration:
			fs.DurationSliceVarP(p, name, short, any(def).([]time.Duration), usage)
		default:
			panic(fmt.Sprintf("flag --%s: no flag type for %T", name, p))
		}
	}
}

// bindArray is a repeatable string flag: every occurrence adds one value
// as given, commas included (--header).
func bindArray(p *[]string) flagVar {
	return func(fs *pflag.FlagSet, name, short, usage string) { fs.StringArrayVarP(p, name, short, nil, usage) }
}

// bindList is a repeatable string flag whose values may also be comma
// lists (--subprotocol).
func bindList(p *[]string) flagVar {
	return func(fs *pflag.FlagSet, name, short, usage string) { fs.StringSliceVarP(p, name, short, nil, usage) }
}

// bindName binds a flag to a typed name (a mode, a preset): --help shows
// it as a string, and the library's Validate checks the value.
func bindName[T ~string](p *T, def T) flagVar {
	return func(fs *pflag.FlagSet, name, short, usage string) {
		*p = def
		fs.VarP(nameValue[T]{p}, name, short, usage)
	}
}

// nameValue is a typed name as a pflag.Value of type string.
type nameValue[T ~string] struct{ p *T }

func (v nameValue[T]) String() string     { return string(*v.p) }
func (v nameValue[T]) Set(s string) error { *v.p = T(s); return nil }
func (v nameValue[T]) Type() string       { return "string" }
