package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// serveCommands answers the parent's commands, one per line on stdin,
// with one line each: "ok …" or "err …". "gc" and "exit" are common to
// both children.
func serveCommands(out *bufio.Writer, do func(cmd string, args []string) (string, error)) error {
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		var reply string
		var err error
		switch f[0] {
		case "exit":
			return nil
		case "gc":
			// Twice: the first GC shrinks stacks and frees garbage, the
			// second the sync.Pool victims; then return it to the kernel
			// so that RSS is what is live.
			runtime.GC()
			runtime.GC()
			debug.FreeOSMemory()
		default:
			reply, err = do(f[0], f[1:])
		}
		if err != nil {
			fmt.Fprintln(out, "err", err)
		} else {
			fmt.Fprintln(out, "ok", reply)
		}
		out.Flush()
	}
	return sc.Err()
}

// stats is a child's memory: resident set, the Go heap and stacks.
func stats(conns int64) string {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return fmt.Sprintf("rss=%d heap=%d stack=%d goroutines=%d conns=%d cpu=%d",
		rss(), ms.HeapInuse, ms.StackInuse, runtime.NumGoroutine(), conns, cpuTime())
}

// cpuTime returns the CPU time the process used (user and system), in
// nanoseconds: what a handshake costs, whatever else the machine runs.
func cpuTime() int64 {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// rss returns the process's resident set in bytes (/proc/self/statm).
func rss() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return -1
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// slab returns the kernel's slab memory in bytes (/proc/meminfo "Slab"),
// host-wide: sockets, their file and epoll structures live there.
func slab() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return -1
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if f := strings.Fields(string(line)); len(f) >= 2 && f[0] == "Slab:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return -1
}

// child is a child process and its command pipe.
type child struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

func spawn(args ...string) (*child, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, args...)
	cmd.Stderr = os.Stderr
	in, err1 := cmd.StdinPipe()
	out, err2 := cmd.StdoutPipe()
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	return &child{cmd: cmd, in: in, out: sc}, nil
}

// line reads the child's next line.
func (c *child) line() (string, error) {
	if !c.out.Scan() {
		if err := c.out.Err(); err != nil {
			return "", err
		}
		return "", errors.New("child exited")
	}
	return c.out.Text(), nil
}

// do sends a command and returns its "ok" reply's text.
func (c *child) do(cmd string) (string, error) {
	if _, err := fmt.Fprintln(c.in, cmd); err != nil {
		return "", err
	}
	l, err := c.line()
	if err != nil {
		return "", err
	}
	if rest, ok := strings.CutPrefix(l, "ok"); ok {
		return strings.TrimSpace(rest), nil
	}
	return "", fmt.Errorf("%s: %s", cmd, l)
}

func (c *child) stop() {
	fmt.Fprintln(c.in, "exit")
	c.in.Close()
	c.cmd.Wait()
}

// field returns the integer value of key=… in a stats line.
func field(s, key string) int64 {
	for _, f := range strings.Fields(s) {
		if v, ok := strings.CutPrefix(f, key+"="); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return -1
}

// loopbackDrops returns the packets the kernel dropped because a CPU's
// input backlog (net.core.netdev_max_backlog) was full, summed over CPUs
// (/proc/net/softnet_stat, second column, hex): loopback traffic has no
// other place to be dropped, and a drop costs a retransmission timeout
// (a second for a SYN), so a rate measured while it grew is the
// machine's, not the handshake's.
func loopbackDrops() int64 {
	b, err := os.ReadFile("/proc/net/softnet_stat")
	if err != nil {
		return -1
	}
	var sum int64
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n, _ := strconv.ParseInt(f[1], 16, 64)
		sum += n
	}
	return sum
}
