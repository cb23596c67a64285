package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// runChild holds pairs loopback connections and moves them from state to
// state on the parent's commands (one per line on stdin), answering each
// with "ok …" once every socket has reached the state.
func runChild(pairs, first, perAddr, buf, msg int) error {
	c := &holder{buf: buf, msg: make([]byte, msg), rd: make([]byte, msg)}
	if err := c.listen(); err != nil {
		return err
	}
	out := bufio.NewWriter(os.Stdout)
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		var err error
		switch sc.Text() {
		case "connect":
			err = c.connect(pairs, first, perAddr)
		case "pingpong":
			err = c.pingpong()
		case "queue":
			err = c.queue()
		case "exit":
			return nil
		default:
			err = fmt.Errorf("unknown command %q", sc.Text())
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(out, "ok", c.report())
		out.Flush()
	}
	return sc.Err()
}

// holder is one child's sockets: clients[i] is connected to servers[i].
type holder struct {
	buf              int
	msg, rd          []byte
	lfd, port        int
	clients, servers []int
	queued           int // unread bytes each socket should hold
}

func (c *holder) listen() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	// Buffers set on the listener are inherited by the sockets accept()
	// returns, and apply before the handshake, as on the client side.
	if err := c.setBufs(fd); err != nil {
		return err
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return err
	}
	if err := unix.Listen(fd, 4096); err != nil {
		return err
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return err
	}
	c.lfd, c.port = fd, sa.(*unix.SockaddrInet4).Port
	return nil
}

func (c *holder) setBufs(fd int) error {
	if c.buf == 0 {
		return nil
	}
	return errors.Join(
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, c.buf),
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, c.buf))
}

func (c *holder) connect(pairs, first, perAddr int) error {
	for i := 0; i < pairs; i++ {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("socket (pair %d): %w", i, err)
		}
		c.clients = append(c.clients, fd)
		if err := c.setBufs(fd); err != nil {
			return err
		}
		// As stormbench's dialer: the port is chosen at connect, per
		// destination, not at bind.
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT, 1); err != nil {
			return err
		}
		src := unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, byte(2 + (first+i)/perAddr)}}
		if err := unix.Bind(fd, &src); err != nil {
			return fmt.Errorf("bind %v: %w", src.Addr, err)
		}
		if err := unix.Connect(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: c.port}); err != nil {
			return fmt.Errorf("connect (pair %d): %w", i, err)
		}
		sfd, _, err := unix.Accept4(c.lfd, unix.SOCK_CLOEXEC)
		if err != nil {
			return fmt.Errorf("accept (pair %d): %w", i, err)
		}
		c.servers = append(c.servers, sfd)
		// Go's net package (and so stormbench) turns Nagle off.
		for _, s := range [2]int{fd, sfd} {
			if err := unix.SetsockoptInt(s, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); err != nil {
				return err
			}
		}
	}
	return c.settle()
}

// pingpong: the client sends, the server reads and answers, the client
// reads: one heartbeat round on every connection.
func (c *holder) pingpong() error {
	for i := range c.clients {
		if err := c.send(c.clients[i]); err != nil {
			return err
		}
		if err := c.recv(c.servers[i]); err != nil {
			return err
		}
		if err := c.send(c.servers[i]); err != nil {
			return err
		}
		if err := c.recv(c.clients[i]); err != nil {
			return err
		}
	}
	return c.settle()
}

// queue sends one message each way on every connection and leaves it
// unread.
func (c *holder) queue() error {
	for i := range c.clients {
		if err := c.send(c.clients[i]); err != nil {
			return err
		}
		if err := c.send(c.servers[i]); err != nil {
			return err
		}
	}
	c.queued += len(c.msg)
	return c.settle()
}

func (c *holder) send(fd int) error {
	n, err := unix.Write(fd, c.msg)
	if err == nil && n != len(c.msg) {
		err = io.ErrShortWrite
	}
	return err
}

func (c *holder) recv(fd int) error {
	for got := 0; got < len(c.rd); {
		n, err := unix.Read(fd, c.rd[got:])
		if err != nil {
			return err
		}
		if n == 0 {
			return io.ErrUnexpectedEOF
		}
		got += n
	}
	return nil
}

// settle waits until every socket's sent data is acknowledged (SIOCOUTQ
// 0) and every receive queue holds exactly the unread bytes it should
// (SIOCINQ), so the memory the parent reads is that of the state, not of
// segments in flight.
func (c *holder) settle() error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		pending := 0
		for _, set := range [2][]int{c.clients, c.servers} {
			for _, fd := range set {
				out, err1 := unix.IoctlGetInt(fd, unix.SIOCOUTQ)
				in, err2 := unix.IoctlGetInt(fd, unix.SIOCINQ)
				if err := errors.Join(err1, err2); err != nil {
					return err
				}
				if out != 0 || in != c.queued {
					pending++
				}
			}
		}
		if pending == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d sockets did not settle in 10 s", pending)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// report sums SO_MEMINFO over every socket: what the sockets themselves
// say they hold, to set beside the host-wide sockstat figure. The effective
// buffer sizes are those of the first pair.
func (c *holder) report() string {
	var rmem, wq, fwd int64
	var rcv, snd uint32
	for _, set := range [2][]int{c.clients, c.servers} {
		for _, fd := range set {
			m, err := meminfo(fd)
			if err != nil {
				continue
			}
			rmem += int64(m[unix.SK_MEMINFO_RMEM_ALLOC])
			wq += int64(m[unix.SK_MEMINFO_WMEM_QUEUED])
			fwd += int64(int32(m[unix.SK_MEMINFO_FWD_ALLOC])) // signed in the kernel
			rcv, snd = m[unix.SK_MEMINFO_RCVBUF], m[unix.SK_MEMINFO_SNDBUF]
		}
	}
	return fmt.Sprintf("%d %d %d %d %d %d", len(c.clients)*2, rmem, wq, fwd, rcv, snd)
}

// meminfo reads SO_MEMINFO (the "skmem" of ss -m).
func meminfo(fd int) ([unix.SK_MEMINFO_VARS]uint32, error) {
	var m [unix.SK_MEMINFO_VARS]uint32
	l := uint32(unsafe.Sizeof(m))
	_, _, e := unix.Syscall6(unix.SYS_GETSOCKOPT, uintptr(fd), unix.SOL_SOCKET, unix.SO_MEMINFO,
		uintptr(unsafe.Pointer(&m)), uintptr(unsafe.Pointer(&l)), 0)
	if e != 0 {
		return m, e
	}
	return m, nil
}
