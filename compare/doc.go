// Package compare puts runs side by side: the same storm under different
// settings (a sweep's jitter modes, heartbeat intervals, reconnect
// policies), or before and after a server change. It reads results
// folders only (summary.json, and a sweep's sweep.json), so it works on
// folders from other machines and older versions.
//
// Runs with the same label (a sweep's repeats of one setting) form a
// group. Each cell of the table is the group's median with its min–max
// over repeats; each group's median is also given as a ratio to the
// baseline's (the first group, unless chosen), marked when the two
// groups' min–max ranges do not overlap (only with at least two repeats
// on both sides: one run on a noisy machine proves little). The best
// value of a row is marked.
package compare
