package fielderr

import (
	"errors"
	"strings"
	"testing"
)

func TestRenderPrefixRename(t *testing.T) {
	err := errors.Join(
		New("Interval", "must be ≥ 10ms (got %v)", "5ms"),
		New("Timeout", "must be longer than {Interval} (got 1s ≤ 2s)"),
		errors.New("plain"),
	)
	p := Prefix(err, "Heartbeat")
	flags := map[string]string{"Heartbeat.Interval": "--heartbeat-interval", "Heartbeat.Timeout": "--heartbeat-timeout"}
	got := Rename(p, func(f string) string {
		if n, ok := flags[f]; ok {
			return n
		}
		return f
	}).Error()
	want := strings.Join([]string{
		"--heartbeat-interval must be ≥ 10ms (got 5ms)",
		"--heartbeat-timeout must be longer than --heartbeat-interval (got 1s ≤ 2s)",
		"plain",
	}, "\n")
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	var fe *Error
	if !errors.As(Rename(p, func(f string) string { return f }), &fe) || fe.Field != "Heartbeat.Interval" {
		t.Fatalf("Rename must keep the errors reachable, got %v", fe)
	}
	if s := New("Clients", "must be > 0 (got 0)").Error(); s != "Clients must be > 0 (got 0)" {
		t.Fatalf("Error() = %q", s)
	}
}
