package evloop

import (
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

type echoHandler struct {
	l   *Loop
	fd  int
	got chan []byte
}

func (h *echoHandler) OnEvent(events uint32) {
	n, err := Read(h.fd, h.l.Buf)
	if n > 0 {
		h.got <- append([]byte(nil), h.l.Buf[:n]...)
	}
	if n == 0 && err == nil {
		h.l.Remove(h.fd)
	}
}

type loopTimer struct {
	fired chan time.Duration
}

func (lt *loopTimer) OnTimer(_ *Timer, _, late time.Duration) { lt.fired <- late }

func startLoop(t *testing.T) *Loop {
	t.Helper()
	start := time.Now()
	l, err := New(func() time.Duration { return time.Since(start) }, Options{})
	if err != nil {
		t.Fatal(err)
	}
	go l.Run()
	t.Cleanup(func() { l.Stop(); l.Close() })
	return l
}

func TestLoopReadsTimersAndSubmit(t *testing.T) {
	l := startLoop(t)
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[1])
	h := &echoHandler{l: l, fd: fds[0], got: make(chan []byte, 4)}
	added := make(chan error, 1)
	l.Submit(func() { added <- l.Add(fds[0], unix.EPOLLIN, h) })
	if err := <-added; err != nil {
		t.Fatal(err)
	}
	if _, err := unix.Write(fds[1], []byte("hello")); err != nil {
		t.Fatal(err)
	}
	select {
	case b := <-h.got:
		if string(b) != "hello" {
			t.Fatalf("got %q", b)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no read event")
	}

	lt := &loopTimer{fired: make(chan time.Duration, 1)}
	var tm Timer
	tm.Init(lt, 0)
	l.Submit(func() { l.Schedule(&tm, l.Now()+20*time.Millisecond) })
	select {
	case late := <-lt.fired:
		if late < 0 || late > time.Second {
			t.Fatalf("lateness %v", late)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("timer did not fire")
	}
}

func TestLoopSubmitConcurrent(t *testing.T) {
	l := startLoop(t)
	var n atomic.Int64
	done := make(chan struct{})
	const workers, each = 4, 1000
	for w := 0; w < workers; w++ {
		go func() {
			for i := 0; i < each; i++ {
				l.Submit(func() {
					if n.Add(1) == workers*each {
						close(done)
					}
				})
			}
		}()
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("ran %d of %d submitted functions", n.Load(), workers*each)
	}
}

func TestStopWithoutRun(t *testing.T) {
	l, err := New(func() time.Duration { return 0 }, Options{})
	if err != nil {
		t.Fatal(err)
	}
	l.Stop() // must not block
	l.Close()
}

// TestSubmitNoLostWakeup does many round trips through Submit from an idle
// loop: a wake-up lost between the loop's last poll and its park would hang
// one of them.
func TestSubmitNoLostWakeup(t *testing.T) {
	l := startLoop(t)
	ran := make(chan struct{})
	for i := 0; i < 20000; i++ {
		l.Submit(func() { ran <- struct{}{} })
		select {
		case <-ran:
		case <-time.After(2 * time.Second):
			t.Fatalf("round trip %d: submitted work did not run", i)
		}
	}
}

// TestIdleLoopSleeps: a loop whose timers are all due in later turns of
// the wheel (heartbeats every 10 s are longer than its 8.192 s span) must
// sleep, not spin through the slots that hold them.
func TestIdleLoopSleeps(t *testing.T) {
	l := startLoop(t)
	lt := &loopTimer{fired: make(chan time.Duration, 1)}
	ts := make([]Timer, 20000)
	done := make(chan struct{})
	l.Submit(func() {
		for i := range ts {
			ts[i].Init(lt, 0)
			l.Schedule(&ts[i], l.Now()+9*time.Second+time.Duration(i)*400*time.Microsecond)
		}
		close(done)
	})
	<-done
	time.Sleep(50 * time.Millisecond)
	before := l.turns.Load()
	time.Sleep(300 * time.Millisecond)
	if n := l.turns.Load() - before; n > 20 {
		t.Fatalf("idle loop woke %d times in 300ms", n)
	}
}

// TestTakeBusyMeasuresWork: a loop that works 30 ms of every 100 ms
// reports about 30 % busy, and an idle one almost nothing.
func TestTakeBusyMeasuresWork(t *testing.T) {
	l := startLoop(t)
	var longest time.Duration
	take := func() time.Duration {
		got := make(chan time.Duration, 1)
		l.Submit(func() {
			var b time.Duration
			b, longest, _ = l.TakeBusy()
			got <- b
		})
		return <-got
	}
	take()
	time.Sleep(200 * time.Millisecond) // idle: the loop is parked
	if idle := take(); idle > 20*time.Millisecond || longest > 20*time.Millisecond {
		t.Fatalf("idle loop busy for %v of 200ms, longest stretch %v", idle, longest)
	}
	done := make(chan struct{})
	l.Submit(func() {
		end := time.Now().Add(60 * time.Millisecond)
		for time.Now().Before(end) { // work on the loop
		}
		close(done)
	})
	<-done
	if b := take(); b < 60*time.Millisecond || longest < 60*time.Millisecond {
		t.Fatalf("busy %v, longest stretch %v after 60ms of work in one go", b, longest)
	}
}

// TestTakeBusyTellsCPUFromWaiting: busy time the loop's thread spent on
// the CPU counts as CPU; busy time it did not run (here: the thread
// blocked in nanosleep(2), as when the machine runs other processes and
// the scheduler leaves it waiting) does not. A raw system call keeps the
// goroutine on its thread, as an operating system's preemption does; a
// time.Sleep would park the goroutine, which may then resume on another
// thread, a move that TakeBusy counts as run (see stretchCPU).
func TestTakeBusyTellsCPUFromWaiting(t *testing.T) {
	l := startLoop(t)
	take := func(work func()) (busy, cpu time.Duration) {
		got := make(chan [2]time.Duration, 1)
		l.Submit(func() {
			l.TakeBusy()
			work()
			b, _, c := l.TakeBusy()
			got <- [2]time.Duration{b, c}
		})
		r := <-got
		return r[0], r[1]
	}
	busy, cpu := take(func() {
		end := time.Now().Add(60 * time.Millisecond)
		for time.Now().Before(end) {
		}
	})
	if busy < 60*time.Millisecond || cpu < busy/4 {
		t.Fatalf("spinning: busy %v, cpu %v", busy, cpu)
	}
	busy, cpu = take(func() {
		ts := unix.NsecToTimespec(int64(60 * time.Millisecond))
		for unix.Nanosleep(&ts, &ts) == unix.EINTR {
		}
	})
	if busy < 60*time.Millisecond || cpu > 20*time.Millisecond {
		t.Fatalf("blocked: busy %v, cpu %v; want the wait not counted as CPU", busy, cpu)
	}
}

// TestWakeUpsSampleCPURarely: a loop woken far more often than every
// cpuSampleEvery reads its thread's CPU clock at most twice per
// cpuSampleEvery of wall time (at a sampled wake-up and at that stretch's
// end), not at every wake-up; TakeBusy still reports the CPU of the work.
func TestWakeUpsSampleCPURarely(t *testing.T) {
	var reads atomic.Int64
	threadCPU = func() time.Duration { reads.Add(1); return readThreadCPU() }
	t.Cleanup(func() { threadCPU = readThreadCPU })
	l := startLoop(t)
	done := make(chan struct{})
	start := time.Now()
	const wakes = 2000
	for i := range wakes {
		l.Submit(func() {
			if i == wakes-1 {
				close(done)
			}
		})
		if i%50 == 0 {
			time.Sleep(50 * time.Microsecond) // let the loop park and wake again
		}
	}
	<-done
	elapsed := time.Since(start)
	n := reads.Load()
	if bound := 2*int64(elapsed/cpuSampleEvery) + 4; n > bound {
		t.Fatalf("%d clock reads in %v (%d wake-ups), want at most %d", n, elapsed, l.turns.Load(), bound)
	}
	t.Logf("%d clock reads in %v over %d turns", n, elapsed, l.turns.Load())
}
