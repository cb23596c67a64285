// Package fielderr is how stormbench's libraries report a setting that is
// out of range: keyed by the path of the struct field that holds it, not
// by a command-line flag, so that every command (whose flags have names of
// their own: --max-conns for "serve", --server-max-conns for "run") can
// name its own flag, and a library user sees the field.
package fielderr
