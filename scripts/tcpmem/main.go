// Command tcpmem measures how many pages of the kernel's TCP memory (the
// "TCP: mem" of /proc/net/sockstat, which net.ipv4.tcp_mem bounds) one TCP
// socket holds on this machine, in the states a stormbench fleet goes
// through:
//
//	idle      just connected, nothing sent
//	pingpong  each side sent one small message and the other read it (a
//	          heartbeat and its answer), everything acknowledged
//	queued    on top of that, one small message sent to every socket and
//	          left unread
//
// once with the kernel's default buffers and once per -bufs size set as
// SO_RCVBUF and SO_SNDBUF before connect. It opens -conns loopback
// connection pairs (both ends in child processes of its own, at most
// -per-proc pairs each because of the 20 000 open files per process),
// spread over source addresses 127.0.0.2, 127.0.0.3, … (-per-addr pairs
// each). "TCP: mem" is host-wide, so run it on a quiet machine, and it
// lags by up to net.core.mem_pcpu_rsv pages per CPU (256 here), so use
// thousands of pairs: 8 000 keep that error under 0.03 page per socket.
//
//	go run ./scripts/tcpmem -conns 8000
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	conns := flag.Int("conns", 8000, "loopback connection pairs to open (two sockets each)")
	perProc := flag.Int("per-proc", 9000, "pairs per child process (≤ 9 000: 20 000 open files per process)")
	perAddr := flag.Int("per-addr", 4000, "pairs per source address 127.0.0.x")
	msg := flag.Int("msg", 20, "size of the small messages in bytes (a heartbeat)")
	bufs := flag.String("bufs", "0,4096,16384,65536", "SO_RCVBUF/SO_SNDBUF sizes to try, 0 = the kernel's default")
	timeout := flag.Duration("timeout", 5*time.Minute, "give up (and kill the children) after this long")
	child := flag.Bool("child", false, "internal: run as a child holding -pairs pairs")
	pairs := flag.Int("pairs", 0, "internal: pairs of this child")
	first := flag.Int("first", 0, "internal: global index of this child's first pair")
	buf := flag.Int("buf", 0, "internal: SO_RCVBUF/SO_SNDBUF of this child")
	flag.Parse()

	if *child {
		if err := runChild(*pairs, *first, *perAddr, *buf, *msg); err != nil {
			fmt.Fprintln(os.Stderr, "tcpmem child:", err)
			os.Exit(1)
		}
		return
	}
	if *conns < 1 || *perProc < 1 || *perProc > 9000 || *perAddr < 1 || *perAddr > 20000 || *msg < 1 {
		fmt.Fprintln(os.Stderr, "tcpmem: need -conns ≥ 1, 1 ≤ -per-proc ≤ 9000, 1 ≤ -per-addr ≤ 20000, -msg ≥ 1")
		os.Exit(2)
	}
	if (*conns+*perAddr-1) / *perAddr > 253 {
		fmt.Fprintln(os.Stderr, "tcpmem: more than 253 source addresses needed; raise -per-addr")
		os.Exit(2)
	}
	var sizes []int
	for _, s := range strings.Split(*bufs, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 0 {
			fmt.Fprintf(os.Stderr, "tcpmem: bad -bufs entry %q\n", s)
			os.Exit(2)
		}
		sizes = append(sizes, n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := runParent(ctx, *conns, *perProc, *perAddr, *msg, sizes); err != nil {
		fmt.Fprintln(os.Stderr, "tcpmem:", err)
		cancel()
		os.Exit(1)
	}
}
