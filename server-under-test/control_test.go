package sut

import (
	"testing"
	"time"
)

// TestControlServerTimeouts: the control API does not keep a silent or an
// idle keep-alive connection (and its goroutine) forever.
func TestControlServerTimeouts(t *testing.T) {
	srv := NewControlServer(&Server{}, "tok")
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.IdleTimeout <= 0 || srv.WriteTimeout <= 0 {
		t.Fatalf("timeouts: header %v read %v write %v idle %v", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout)
	}
	// A fault may take its full 30 s before it answers.
	if srv.WriteTimeout <= 30*time.Second {
		t.Fatalf("write timeout %v would cut a 30 s fault's answer", srv.WriteTimeout)
	}
}
