// Command server is the test server of stormbench's centrifuge profile:
// the centrifuge library (the Go library Centrifugo is built on) serving
// /connection/websocket, with every channel recoverable on request (a
// subscribe with "recoverable":true) and channel -channel getting
// {"seq":n} every -tick with a history of 1000 publications. It prints
// "listening ADDR" once it accepts connections, then serves until killed.
//
// Refusals to test with: the connection token "bad" is refused as an
// invalid token (close 3500), and channel "forbidden" with error 103
// (permission denied).
//
// It is its own Go module so that the repository's go.mod does not
// depend on the centrifuge library.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/centrifugal/centrifuge"
)

func main() {
	ping := flag.Duration("ping", 2*time.Second, "server ping interval")
	pong := flag.Duration("pong", time.Second, "pong timeout")
	tick := flag.Duration("tick", 100*time.Millisecond, "publication interval")
	channel := flag.String("channel", "ticks", "the channel published to")
	flag.Parse()

	node, err := centrifuge.New(centrifuge.Config{})
	if err != nil {
		log.Fatal(err)
	}
	node.OnConnecting(func(_ context.Context, e centrifuge.ConnectEvent) (centrifuge.ConnectReply, error) {
		if e.Token == "bad" {
			return centrifuge.ConnectReply{}, centrifuge.DisconnectInvalidToken
		}
		return centrifuge.ConnectReply{
			Credentials:    &centrifuge.Credentials{},
			PingPongConfig: &centrifuge.PingPongConfig{PingInterval: *ping, PongTimeout: *pong},
		}, nil
	})
	node.OnConnect(func(c *centrifuge.Client) {
		c.OnSubscribe(func(e centrifuge.SubscribeEvent, cb centrifuge.SubscribeCallback) {
			if e.Channel == "forbidden" {
				cb(centrifuge.SubscribeReply{}, centrifuge.ErrorPermissionDenied)
				return
			}
			cb(centrifuge.SubscribeReply{Options: centrifuge.SubscribeOptions{EnableRecovery: e.Recoverable}}, nil)
		})
	})
	if err := node.Run(); err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/connection/websocket", centrifuge.NewWebsocketHandler(node, centrifuge.WebsocketConfig{
		CheckOrigin: func(*http.Request) bool { return true },
	}))
	go func() {
		for seq := 1; ; seq++ {
			time.Sleep(*tick)
			data := []byte(`{"seq":` + strconv.Itoa(seq) + `}`)
			if _, err := node.Publish(*channel, data, centrifuge.WithHistory(1000, time.Minute)); err != nil {
				log.Print(err)
			}
		}
	}()
	fmt.Fprintf(os.Stdout, "listening %s\n", ln.Addr())
	log.Fatal(http.Serve(ln, mux))
}
