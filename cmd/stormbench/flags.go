package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"
)

// command is one subcommand's flag set and usage text.
type command struct {
	fs     *pflag.FlagSet
	usage  string
	stdout io.Writer
}

// newCommand returns a flag set that reports errors instead of exiting;
// --help prints the usage text (with examples) and the flag list.
func newCommand(name, usage string, stdout io.Writer) *command {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SortFlags = false
	fs.SetOutput(io.Discard)
	// pflag prints usage on every error; errors here go to stderr on their own.
	fs.Usage = func() {}
	return &command{fs: fs, usage: usage, stdout: stdout}
}

// help writes the usage text and the flags.
func (c *command) help(w io.Writer) {
	fmt.Fprint(w, c.usage)
	fmt.Fprintln(w, "\nFlags:")
	fmt.Fprint(w, c.fs.FlagUsagesWrapped(100))
}

// parse parses args; --help prints the usage and returns errHelp, any
// other problem is a usage error naming the flag.
func (c *command) parse(args []string) error {
	if err := c.fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			c.help(c.stdout)
			return errHelp
		}
		return usageError{fmt.Errorf("%w (see %s --help)", err, c.fs.Name())}
	}
	return nil
}
