// Package kernel reads the Linux kernel's TCP limits and TCP usage, so that
// a run can be checked against them before it starts and the kernel's part
// in a run can be seen in its results.
//
// Every TCP socket's buffers are charged, in pages, to one host-wide count
// (sockstat "TCP: mem") that net.ipv4.tcp_mem bounds with three
// thresholds: above "pressure" the kernel shrinks every socket's buffers,
// above "max" it refuses buffer memory, so segments are dropped and
// retransmitted, sends stall and orphaned connections are reset. A load
// generator that crosses the max measures the kernel, not the server: a
// 1 000 000-client run on this machine (2 000 000 loopback sockets) held
// 639 000–790 000 pages against a max of about 575 700 (the kernel sizes
// tcp_mem from the memory at boot) and fell into reconnect churn with
// nothing to say why.
//
// The package has three parts:
//
//   - Facts, read once: tcp_mem, tcp_rmem, tcp_wmem, the net.core buffer
//     limits, somaxconn, tcp_max_syn_backlog, ip_local_port_range, the page
//     size and the machine's memory. A value that cannot be read is unknown
//     (Fact.OK false, with the error), never 0.
//   - Sampler, read every interval: sockstat, sockstat6 and the TcpExt
//     counters of netstat (memory pressure entries and time, aborts on
//     memory, pruned and dropped receive queues, listen overflows and drops,
//     retransmission timeouts). Sample holds absolute values;
//     Sample.Delta gives an interval's counts. Pressure places a sample
//     against tcp_mem. Parsing matches columns by name, never by position,
//     reuses one buffer and does not allocate.
//   - EstimateTCPMem, for the preflight: sockets × pages per socket against
//     tcp_mem, with a verdict and the sysctl command that makes the run fit.
//
// # Network namespaces
//
// The files under /proc/net describe the network namespace of the process
// that opens them, and Facts.NetNS names it. Not every value is
// per-namespace, though: in sockstat, "inuse" and "tw" count this
// namespace's sockets, while "orphan", "alloc" and "mem" are host-wide, as
// is net.ipv4.tcp_mem, which only the host's namespace can see: read from
// any other namespace (a container, or one made with unshare -n) the file
// does not exist, Facts.TCPMem is unknown and the estimate says so. The
// TcpExt counters count events of this namespace's sockets. So a Sampler
// in a namespace of its own sees its own sockets but the whole machine's
// TCP memory, which is what tcp_mem bounds.
//
// "TCP: mem" is also approximate: each CPU batches up to
// net.core.mem_pcpu_rsv pages (256 here) before adding them to the shared
// count, so a reading can be off by that many pages per CPU.
//
// # Memory per socket, measured
//
// go run ./scripts/tcpmem -conns 8000 (8 000 loopback connection pairs,
// 16 000 sockets, 20-byte messages; Linux 6.18, 4 KiB pages, 2 CPUs; two
// runs):
//
//	SO_RCVBUF/SO_SNDBUF  idle  pingpong  queued     skmem when queued (rmem/queued/fwd B)
//	kernel default       0     0         0.98–0.99  852/0/3244
//	4 KiB                0     0         0.96–0.99  852/0/3244
//	16 KiB               0     0         0.98       852/0/3244
//	64 KiB               0     0         0.96–0.98  852/0/3244
//
// in pages per socket: idle is just connected, pingpong after one message
// each way was read and acknowledged, queued with one unread message on
// every socket (the shortfall from 1.00 is the per-CPU batching above). A
// socket costs a whole page while any message waits on it and nothing
// otherwise; small buffers do not change that. DefaultPagesPerSocket turns
// this into a fleet figure, from runs of stormbench itself.
package kernel
