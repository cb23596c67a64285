package livemetrics

import (
	"net"
	"net/netip"
	"strings"
	"testing"
)

// FuzzCheckListenAddr: the address policy never panics, and whatever it
// accepts without permission is loopback (or the name localhost).
func FuzzCheckListenAddr(f *testing.F) {
	for _, s := range []string{"127.0.0.1:9100", "[::1]:0", ":9100", "localhost:0", "0.0.0.0:1", "[::ffff:127.0.0.1]:0",
		"[fe80::1%lo]:0", "[::1%lo]:0", "127.0.0.1", "[::1", "a:b:c", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		if checkListenAddr(addr, true) != nil {
			if _, _, err := net.SplitHostPort(addr); err == nil {
				t.Fatalf("allowed check refused %q although it splits", addr)
			}
		}
		if checkListenAddr(addr, false) != nil {
			return
		}
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			t.Fatalf("accepted %q, which does not split: %v", addr, err)
		}
		if strings.EqualFold(host, "localhost") {
			return
		}
		ip, err := netip.ParseAddr(host)
		if err != nil || !ip.Unmap().IsLoopback() {
			t.Fatalf("accepted %q: host %q is not loopback", addr, host)
		}
	})
}
