package sut

import (
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// ControlLimits bound what one client address may ask of the control API,
// so that a control API reachable from a network can neither be flooded
// nor have its token guessed: each address has two token buckets, one for
// its requests and one for its requests with a wrong or missing token.
// Beyond either the answer is 429 Too Many Requests with Retry-After;
// while an address's wrong-token bucket is empty every request of it that
// needs a token is refused unread, the right token included, so that
// guessing gains nothing from trying faster.
type ControlLimits struct {
	// Rate and Burst bound the requests per second of one address.
	Rate  float64
	Burst int
	// FailRate and FailBurst bound the wrong-token requests per second of
	// one address.
	FailRate  float64
	FailBurst int
}

// DefaultControlLimits are the control API's limits. A run asks far less:
// one fault per storm, a handful of /stats, /healthz every 20 ms while an
// embedded server starts.
var DefaultControlLimits = ControlLimits{Rate: 100, Burst: 200, FailRate: 1, FailBurst: 10}

// maxControlPeers bounds the addresses whose buckets are kept; beyond it
// new addresses share one pair of buckets.
const maxControlPeers = 4096

// controlLimiter keeps the buckets of the addresses that spoke lately.
type controlLimiter struct {
	lim      ControlLimits
	now      func() time.Time
	mu       sync.Mutex
	peers    map[netip.Addr]*controlPeer
	overflow *controlPeer
}

// controlPeer is one address's buckets.
type controlPeer struct {
	req, fail *rate.Limiter
	seen      time.Time
}

func newControlLimiter(lim ControlLimits) *controlLimiter {
	l := &controlLimiter{lim: lim, now: time.Now, peers: map[netip.Addr]*controlPeer{}}
	l.overflow = l.newPeer(time.Time{})
	return l
}

func (l *controlLimiter) newPeer(now time.Time) *controlPeer {
	return &controlPeer{
		req:  rate.NewLimiter(rate.Limit(l.lim.Rate), l.lim.Burst),
		fail: rate.NewLimiter(rate.Limit(l.lim.FailRate), l.lim.FailBurst),
		seen: now,
	}
}

// refill is how long an idle address takes to have both buckets full
// again: forgetting it then changes nothing.
func (l *controlLimiter) refill() time.Duration {
	d := func(burst int, r float64) time.Duration {
		if r <= 0 {
			return time.Duration(math.MaxInt64)
		}
		return time.Duration(float64(burst) / r * float64(time.Second))
	}
	return max(d(l.lim.Burst, l.lim.Rate), d(l.lim.FailBurst, l.lim.FailRate))
}

// peer returns the buckets of the address of r.
func (l *controlLimiter) peer(r *http.Request, now time.Time) *controlPeer {
	addr := remoteAddr(r)
	l.mu.Lock()
	defer l.mu.Unlock()
	if p, ok := l.peers[addr]; ok {
		p.seen = now
		return p
	}
	if len(l.peers) >= maxControlPeers {
		idle := l.refill()
		for a, p := range l.peers {
			if now.Sub(p.seen) >= idle {
				delete(l.peers, a)
			}
		}
		if len(l.peers) >= maxControlPeers {
			return l.overflow
		}
	}
	p := l.newPeer(now)
	l.peers[addr] = p
	return p
}

// remoteAddr is the IP of r's client (an IPv4 address mapped into IPv6
// counts as the IPv4 one); the zero address when it cannot be read.
func remoteAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// admit takes one request of r's address from its bucket; false means it
// wrote the 429.
func (l *controlLimiter) admit(w http.ResponseWriter, r *http.Request) (*controlPeer, bool) {
	now := l.now()
	p := l.peer(r, now)
	if !p.req.AllowN(now, 1) {
		tooMany(w, wait(p.req.TokensAt(now), l.lim.Rate), "too many requests from your address")
		return p, false
	}
	return p, true
}

// wait is how long a bucket holding tokens takes to hold one at rate r.
func wait(tokens, r float64) time.Duration {
	if r <= 0 {
		return time.Hour
	}
	return time.Duration((1 - tokens) / r * float64(time.Second))
}

// spent reports whether p may not try a token now; then it wrote the 429.
func (l *controlLimiter) spent(w http.ResponseWriter, p *controlPeer) bool {
	now := l.now()
	if t := p.fail.TokensAt(now); t < 1 {
		tooMany(w, wait(t, l.lim.FailRate), "too many wrong tokens from your address")
		return true
	}
	return false
}

// failed counts a wrong token of p.
func (l *controlLimiter) failed(p *controlPeer) { p.fail.AllowN(l.now(), 1) }

// tooMany answers 429 with Retry-After in whole seconds (RFC 6585 §4,
// RFC 9110 §10.2.3), between 1 and 3600.
func tooMany(w http.ResponseWriter, d time.Duration, msg string) {
	secs := min(max(int64(math.Ceil(d.Seconds())), 1), 3600)
	w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	writeError(w, http.StatusTooManyRequests, msg+"; retry after "+strconv.FormatInt(secs, 10)+"s")
}
