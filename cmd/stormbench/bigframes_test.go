package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/gobwas/ws"
)

func init() { testServers["bigframes"] = bigFramesServer }

// bigFramesServer upgrades every connection and sends it a text message of
// ?size=N bytes (valid UTF-8) every 100 ms until the client goes away. It
// prints its address on stdout.
func bigFramesServer([]string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fmt.Println(ln.Addr().String())
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			size := 0
			u := ws.Upgrader{OnRequest: func(uri []byte) error {
				if pu, err := url.ParseRequestURI(string(uri)); err == nil {
					size, _ = strconv.Atoi(pu.Query().Get("size"))
				}
				return nil
			}}
			if _, err := u.Upgrade(c); err != nil {
				return
			}
			var frame bytes.Buffer
			_ = ws.WriteFrame(&frame, ws.NewTextFrame(bytes.Repeat([]byte{'x'}, size)))
			go func() { _, _ = c.Read(make([]byte, 4096)) }() // notices nothing; the write fails when the client leaves
			for {
				_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
				if _, err := c.Write(frame.Bytes()); err != nil {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
		}()
	}
}

// TestLargeMessagesDoNotGrowTheClients: a server that sends messages just
// under the 1 MiB limit to every client must not take the load generator
// beyond what its preflight promises (~2 KiB per client): payloads a
// client does not parse are streamed and dropped, not buffered. Once, 300
// clients took 333 MB here.
func TestLargeMessagesDoNotGrowTheClients(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole program twice")
	}
	srv := stormbenchCmd(t, "bigframes")
	out, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Process.Kill(); _ = srv.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	addr = addr[:len(addr)-1]
	const clients = 300
	peak := func(size int) int64 {
		dir := t.TempDir()
		cmd := stormbenchCmd(t, "run", "--quiet", "--out", dir, "--url", fmt.Sprintf("ws://%s/ws?size=%d", addr, size),
			"--clients", strconv.Itoa(clients), "--ramp-rate", "3000", "--fault", "none", "--hold", "3s", "--heartbeat", "none", "--workers", "1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("run: %v\n%s", err, stderr.String())
		}
		_, sum := onlyResults(t, dir)
		if sum.Counters.Get(measure.BytesReceived) < int64(clients)*int64(size)*3 {
			t.Fatalf("size %d: received only %d bytes", size, sum.Counters.Get(measure.BytesReceived))
		}
		return sum.Harness.PeakRSSBytes
	}
	small := peak(100)
	big := peak(1<<20 - 1024)
	// The preflight assumes 2 KiB of the load generator's memory per
	// client; 8 MiB more cover the Go runtime's own variation.
	limit := small + clients*2048 + 8<<20
	t.Logf("peak RSS with 100-byte messages %.1f MiB, with ~1 MiB messages %.1f MiB", mib(small), mib(big))
	if big > limit {
		t.Fatalf("peak RSS %.1f MiB with ~1 MiB messages, %.1f MiB with small ones: over the bound of %.1f MiB", mib(big), mib(small), mib(limit))
	}
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }
