// Package evloop is the event-loop engine that stormbench's load generator
// and server-under-test both run on: an epoll loop per core that owns many
// non-blocking sockets, a hashed timing wheel per loop for heartbeats,
// timeouts and backoff, one read buffer per loop (Loop.Buf) that every
// handler of the loop reads into, and byte-level Read and Write on the
// non-blocking descriptors. It knows nothing of WebSocket frames: the
// handlers own the protocol (package internal/wsframe decodes what they
// read and builds each frame whole, so that one Write sends it).
//
// Why not a goroutine per connection: a goroutine blocked in a read costs a
// few KiB of stack and a bufio buffer 4 KiB more; at hundreds of thousands
// of connections that is gigabytes. Here an idle connection costs only the
// small struct its owner keeps, and a timer is a node in that struct.
//
// The loop's non-blocking system calls (Read, Write, its own zero-timeout
// epoll_wait) go straight to the kernel, without the runtime's system-call
// path, whose every entry could wake the runtime's monitor thread
// (rawsys.go says why and what it cost); only the park goes through Go's
// netpoller, woken by the epoll set itself or by a timerfd armed for the
// wheel's next timer.
//
// Everything a Loop owns (its timers, its handlers' state) is touched only
// by the loop's goroutine; other goroutines hand work over with Submit.
package evloop
