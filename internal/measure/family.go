package measure

import (
	"strconv"

	"github.com/stormbench/stormbench/internal/wsframe"
)

// Family is a counter split by a key: attempts failed by cause,
// connections ended by cause, RFC 6455 rules servers broke, close codes
// servers sent. Every family is counted over the run and per time-series
// interval (timeseries_by_key.csv).
type Family uint8

// The families.
const (
	FailureCauses Family = iota
	DisconnectCauses
	ProtocolErrors
	CloseCodes
	CloseReasons
	JoinRefusals
	Goodbyes
	ProfileErrors
	Unrecognised
	ConnectAddresses
	NumFamilies
)

// FamilyDef defines a family.
type FamilyDef struct {
	// Name is the family's key in summary.json's counters and in shards.
	Name string
	// Key is what a key is, for the docs and as the Prometheus label.
	Key string
	// Doc is the one-line definition (docs, Prometheus help).
	Doc string
	// Title names the family in the printed summary; Note, if any, follows
	// its keys there.
	Title, Note string
	// Total is a column that counts every event of the family as well
	// (NumColumns: none): recording a key counts it there too.
	Total Column
	// Prom is the name of the live counter (stormbench_<Prom>{<Key>=…})
	// of the run's Prometheus endpoint; empty when it is not exposed live.
	Prom string
	// Keys lists the keys a live view shows from the first scrape (zeros
	// included), nil for an open set of keys that appear when first seen.
	Keys func() []int
	// KeyName names a key in results files; nil for a family keyed by
	// text (Text).
	KeyName func(int) string
	// Text is set for a family keyed by what the server said (a reason,
	// a rule of a framework's protocol), recorded with Sink.RecordText:
	// at most MaxTextKeys keys per event loop, the rest under OtherText.
	Text bool
}

func causeKeys() []int {
	var out []int
	for _, c := range Causes() {
		out = append(out, int(c))
	}
	return out
}

func failKeys() []int {
	var out []int
	for _, c := range FailCauses() {
		out = append(out, int(c))
	}
	return out
}

func ruleKeys() []int {
	var out []int
	for _, r := range wsframe.Rules() {
		out = append(out, int(r))
	}
	return out
}

func ruleName(k int) string {
	if k <= 0 || k > 255 {
		return "unknown"
	}
	return wsframe.Rule(k).String()
}

var familyDefs = [NumFamilies]FamilyDef{
	FailureCauses: {Name: "failure_causes", Key: "cause", Title: "failures",
		Doc:   "connection attempts that failed, by cause (refused, timeout, reset, tls, unauthorized, …)",
		Total: Failures, Prom: "connect_failures_total", Keys: failKeys,
		KeyName: func(k int) string { return FailCause(min(max(k, 0), 255)).String() }},
	DisconnectCauses: {Name: "disconnect_causes", Key: "cause", Title: "disconnects",
		Doc:   "open connections that ended, by the cause the client detected (close_frame, eof, reset, heartbeat_timeout, …; drain at the end of the run)",
		Total: Disconnects, Prom: "disconnects_total", Keys: causeKeys,
		KeyName: func(k int) string { return Cause(min(max(k, 0), 255)).String() }},
	ProtocolErrors: {Name: "protocol_errors", Key: "rule", Title: "protocol errors", Note: "RFC 6455 rules the server broke",
		Doc:   "connections the fleet failed because the server broke a rule of RFC 6455, by rule",
		Total: NumColumns, Prom: "protocol_errors_total", Keys: ruleKeys, KeyName: ruleName},
	CloseCodes: {Name: "close_codes", Key: "code", Title: "close codes", Note: "1005: no code, 1006: no close frame",
		Doc:   "connections the server ended, by the close code it sent (RFC 6455 §7.4: 1000, 1001, 1011, 1012, 4xxx …), 1005 for a close frame without one, 1006 for an end without a close frame",
		Total: NumColumns, Prom: "close_codes_total", KeyName: strconv.Itoa},
	CloseReasons: {Name: "close_reasons", Key: "code and reason", Title: "close reasons", Text: true, Total: NumColumns,
		Doc: "close frames of the server that stated a reason, by code and reason (\"1008 invalid token\")"},
	JoinRefusals: {Name: "join_refusals", Key: "reason", Title: "join refusals", Text: true, Total: JoinsRefused,
		Doc: "joins the server refused, by the code and reason it gave (a rejected subscription, an unauthorised token, a CONNACK error)"},
	Goodbyes: {Name: "goodbyes", Key: "reason", Title: "goodbyes", Text: true, Total: NumColumns,
		Doc: "the server telling a client it is closing or dropping it, in the framework's protocol, by code and reason (Action Cable's disconnect, SignalR's close, Centrifugo's disconnect); \"" + NoReconnectMark + "\" ends the key of those that told the client not to reconnect (the fleet reconnects all the same)"},
	ProfileErrors: {Name: "profile_errors", Key: "rule", Title: "framework protocol errors", Note: "connections failed", Text: true, Total: NumColumns,
		Doc: "messages of the server that broke the framework's protocol (--protocol), by the rule they broke; the client failed the connection"},
	Unrecognised: {Name: "unrecognised", Key: "sample", Title: "unrecognised messages", Text: true, Total: NumColumns,
		Doc: "messages of the server no rule of the protocol recognised, by their first bytes (control bytes as \\xNN, a binary message in hex): what the server speaks, when --protocol does not match it"},
	ConnectAddresses: {Name: "connect_addresses", Key: "address", Title: "connections by address", Text: true, Total: NumColumns,
		Doc: "successful attempts by the server address they connected to (ip:port): the URL's host resolved per attempt, or --resolve's addresses, the clients spread over every one"},
}

// MaxTextKeys bounds the keys of a family keyed by text per event loop, so
// that a server stating a new reason every time cannot grow memory without
// end; later keys count under OtherText.
const MaxTextKeys = 64

// OtherText is the key of the text keys beyond MaxTextKeys.
const OtherText = "(other)"

// Def returns the family's definition.
func (f Family) Def() *FamilyDef { return &familyDefs[f] }

// String returns the family's name in results files.
func (f Family) String() string {
	if f < NumFamilies {
		return familyDefs[f].Name
	}
	return "unknown"
}

// KeyName names key k of the family.
func (f Family) KeyName(k int) string {
	if familyDefs[f].KeyName == nil {
		return OtherText
	}
	return familyDefs[f].KeyName(k)
}

// Text reports whether the family is keyed by text.
func (f Family) Text() bool { return familyDefs[f].Text }

// Families lists every family.
func Families() []Family {
	out := make([]Family, NumFamilies)
	for i := range out {
		out[i] = Family(i)
	}
	return out
}

// FamilyByName returns the family of a results file's name.
func FamilyByName(name string) (Family, bool) {
	for f := range familyDefs {
		if familyDefs[f].Name == name {
			return Family(f), true
		}
	}
	return 0, false
}

// NoReconnectMark ends the Goodbyes key of a goodbye that told the client
// not to reconnect (Action Cable's "reconnect":false, SignalR's
// "allowReconnect":false, a Centrifugo code of the terminal range). The
// framework's own client would stop there; the fleet reconnects all the
// same, since the storm is what a run measures, and the run warns.
const NoReconnectMark = " [no reconnect]"
