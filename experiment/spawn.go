package experiment

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

// serverChild is a server process started by this one, announced and
// listening.
type serverChild struct {
	*child
	ann   announcement
	stdin io.WriteCloser // closing it asks the child to stop
}

// spawnServer starts exe as a server child with spec on its stdin and the
// token in its environment, and waits until it announces its addresses.
func spawnServer(exe, name string, spec serveSpec, token string, stderr io.Writer, timeout time.Duration) (*serverChild, error) {
	cmd := exec.Command(exe, "serve", "--child")
	cmd.Env = append(os.Environ(), TokenEnv+"="+token)
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	c, err := startChild(name, cmd, stderr)
	if err != nil {
		return nil, err
	}
	line, _ := json.Marshal(spec)
	if _, err := in.Write(append(line, '\n')); err != nil {
		c.kill(true)
		return nil, fmt.Errorf("%s: send settings: %w", name, err)
	}
	lines := make(chan []byte, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			lines <- append([]byte(nil), sc.Bytes()...)
		}
		close(lines)
		_, _ = io.Copy(io.Discard, out)
	}()
	fail := func(why string) (*serverChild, error) {
		c.kill(true)
		msg := fmt.Sprintf("%s %s", name, why)
		if l := c.tail.lastLine(); l != "" {
			msg += ": " + l
		}
		return nil, errors.New(msg)
	}
	select {
	case b, ok := <-lines:
		var ann announcement
		if !ok || json.Unmarshal(b, &ann) != nil || ann.WS == "" {
			return fail("did not start")
		}
		return &serverChild{child: c, ann: ann, stdin: in}, nil
	case <-time.After(timeout):
		return fail(fmt.Sprintf("did not announce itself within %v", timeout))
	}
}
