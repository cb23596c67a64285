package fault

import (
	"fmt"
	"math"
	"strings"

	"github.com/stormbench/stormbench/internal/wsframe"
)

// Kind is a fault kind, written as its name.
type Kind string

// The fault kinds, in the order the docs present them.
const (
	Close     Kind = "close"
	Restart   Kind = "restart"
	Abort     Kind = "abort"
	Crash     Kind = "crash"
	Blackhole Kind = "blackhole"
	Reset     Kind = "reset"
	Partition Kind = "partition"
	Exec      Kind = "exec"
	Observe   Kind = "observe"
	None      Kind = "none"
)

// Applier says who or what breaks the connections of a kind.
type Applier uint8

// Appliers. The zero value is no kind at all (an unknown name).
const (
	// ByServer: the server under test, through its control API (POST
	// /fault): the embedded server's, or the user's with --control.
	ByServer Applier = iota + 1
	// ByClients: the load generator, to its own sockets; no server is
	// involved.
	ByClients
	// ByEmbedded: stormbench, by killing the embedded server's processes
	// (impossible with a server of the user's).
	ByEmbedded
	// ByCommand: the user's command, run at T0.
	ByCommand
	// ByOutside: whatever breaks the connections; the run injects nothing
	// and watches.
	ByOutside
	// ByNobody: nothing; the run has no storm.
	ByNobody
)

// String says who applies the fault, in words.
func (a Applier) String() string {
	switch a {
	case ByServer:
		return "the server"
	case ByClients:
		return "the load generator"
	case ByEmbedded:
		return "stormbench, killing the embedded server"
	case ByCommand:
		return "your command"
	case ByOutside:
		return "whatever breaks the connections"
	case ByNobody:
		return "nothing"
	}
	return "unknown"
}

// Behaviour is what a kind does. The predicates on Kind derive from it.
type Behaviour struct {
	Kind Kind
	// By is who applies it.
	By Applier
	// Lasts: the fault lasts Fault.Duration (the server is away, packets
	// are dropped) and its storm cannot end before that.
	Lasts bool
	// TakesServerDown: the whole server goes away, so the fault hits every
	// connection (its fraction is 1), and it may come back at once (a
	// zero duration).
	TakesServerDown bool
	// Silent: neither end's socket reports the fault; only a heartbeat
	// timeout detects it, and an affected client may never notice one that
	// ends first.
	Silent bool
	// CloseCode is the close frame's default code (RFC 6455 §7.4); zero
	// when the kind sends no close frame.
	CloseCode uint16
	// Doc says what happens on the wire.
	Doc string
}

// kinds is the table: every kind and what it does.
var kinds = [...]Behaviour{
	{Kind: Close, By: ByServer, CloseCode: wsframe.CloseGoingAway,
		Doc: "the server sends a close frame, then FIN, and completes the closing handshake"},
	{Kind: Restart, By: ByServer, Lasts: true, TakesServerDown: true, CloseCode: wsframe.CloseServiceRestart,
		Doc: "the server sends a close frame to every connection and stops listening for the duration"},
	{Kind: Abort, By: ByServer,
		Doc: "the server closes the sockets with SO_LINGER 0: RST, no close frame"},
	{Kind: Crash, By: ByEmbedded, Lasts: true, TakesServerDown: true,
		Doc: "the embedded server's processes are killed (SIGKILL) and started again after the duration"},
	{Kind: Blackhole, By: ByServer, Lasts: true, Silent: true,
		Doc: "the server neither reads nor writes the connections for the duration; the kernel still ACKs"},
	{Kind: Reset, By: ByClients,
		Doc: "each affected client aborts its own socket (RST)"},
	{Kind: Partition, By: ByClients, Lasts: true, Silent: true,
		Doc: "the affected clients drop whatever they would send or receive, and their attempts go unanswered, for the duration"},
	{Kind: Exec, By: ByCommand,
		Doc: "the user's command runs with sh -c at T0; whatever it does to the connections is the storm"},
	{Kind: Observe, By: ByOutside,
		Doc: "nothing is injected: every mass disconnect the run sees is measured as a storm"},
	{Kind: None, By: ByNobody,
		Doc: "ramp and hold only"},
}

// Kinds returns every kind in the order the docs present them. It returns
// a new slice each time.
func Kinds() []Kind {
	out := make([]Kind, len(kinds))
	for i, b := range kinds {
		out[i] = b.Kind
	}
	return out
}

// KindsBy returns the kinds a applies, in table order: KindsBy(ByServer)
// is what a server's control API serves.
func KindsBy(a Applier) []Kind {
	var out []Kind
	for _, b := range kinds {
		if b.By == a {
			out = append(out, b.Kind)
		}
	}
	return out
}

// Names returns the names of ks.
func Names(ks []Kind) []string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return s
}

// Join writes ks as "a, b, c", as error messages list what is allowed.
func Join(ks []Kind) string { return strings.Join(Names(ks), ", ") }

// Parse returns the kind named name, or an error listing the kinds.
func Parse(name string) (Kind, error) {
	if k := Kind(name); k.Known() {
		return k, nil
	}
	return "", fmt.Errorf("unknown fault kind %q: must be one of %s", name, Join(Kinds()))
}

// String returns the kind's name.
func (k Kind) String() string { return string(k) }

// Behaviour returns k's row of the table; an unknown kind's is the zero
// Behaviour (By 0: nobody applies it, it does nothing).
func (k Kind) Behaviour() Behaviour {
	for _, b := range kinds {
		if b.Kind == k {
			return b
		}
	}
	return Behaviour{}
}

// Known reports whether k is a kind of the table.
func (k Kind) Known() bool { return k.Behaviour().By != 0 }

// By returns who applies k.
func (k Kind) By() Applier { return k.Behaviour().By }

// ClientSide reports whether the load generator applies k to its own
// sockets (reset, partition).
func (k Kind) ClientSide() bool { return k.By() == ByClients }

// Unattributed reports whether k names no victims: the clients that lose
// a connection are the affected ones (exec, observe).
func (k Kind) Unattributed() bool { a := k.By(); return a == ByCommand || a == ByOutside }

// CountedByClients reports whether the clients themselves count the
// connections k hits (Sink.StormAffected): client-side kinds, a crash of
// the embedded server (which can count nothing), and the unattributed
// kinds. The server's control API counts the others.
func (k Kind) CountedByClients() bool {
	a := k.By()
	return a == ByClients || a == ByEmbedded || k.Unattributed()
}

// Injects reports whether the run applies k at T0 (everything but
// observe and none).
func (k Kind) Injects() bool { a := k.By(); return a != 0 && a != ByOutside && a != ByNobody }

// Lasts reports whether k lasts Fault.Duration.
func (k Kind) Lasts() bool { return k.Behaviour().Lasts }

// TakesServerDown reports whether k takes the whole server away (restart,
// crash): it hits every connection and may come back at once.
func (k Kind) TakesServerDown() bool { return k.Behaviour().TakesServerDown }

// Silent reports whether only a heartbeat timeout can detect k
// (blackhole, partition).
func (k Kind) Silent() bool { return k.Behaviour().Silent }

// CloseCode returns the default close code of k's close frame, zero when
// it sends none.
func (k Kind) CloseCode() uint16 { return k.Behaviour().CloseCode }

// ValidCloseCode reports whether code may be given as a fault's close
// code: one a server may send in a close frame (wsframe.CloseCodeValid).
func ValidCloseCode(code int) bool {
	return code >= 0 && code <= math.MaxUint16 && wsframe.CloseCodeValid(uint16(code))
}
