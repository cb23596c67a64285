// Package livetest is the minimal client loop of the profile tests that
// run against a real server (or a test server written to a framework's
// published protocol): one WebSocket connection driven by a profile,
// recording what it sent and reported as profiletest.Conn does, so that a
// test can wait for events and then look at what happened.
//
// It is test support: the load generator has its own client.
package livetest
