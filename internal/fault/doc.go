// Package fault names the faults stormbench applies to a fleet's
// connections and says in one table (kinds.go) what each kind does: who
// applies it, whether it names its victims, who counts them, whether it
// lasts, whether it takes the whole server down, whether either end's
// socket notices it, and which close code it sends.
//
// The load generator (loadgen), the server-under-test (which serves the
// kinds applied by the server), the reporter, the charts and the command
// all read a kind's behaviour from here instead of comparing names. A
// Kind is its name: "close", "restart", …, as written in --fault,
// config.json, summary.json and the control API's POST /fault.
package fault
