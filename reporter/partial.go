package reporter

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// gap says what of the fleet a summary does not see: Lost of Classes
// residue classes of client IDs whose results are missing within the
// shard's scope, and a scope that is only part of the run (Of of Total
// classes, per-machine results). The zero value sees everything.
type gap struct {
	Lost, Classes int
	Of, Total     int
}

// lost reports whether results within the scope are missing.
func (g gap) lost() bool { return g.Lost > 0 }

// narrow reports whether the scope is only part of the run.
func (g gap) narrow() bool { return g.Total > 0 && g.Of < g.Total }

// describe writes what is lost as "N of M load-generator shards lost".
func (g gap) describe() string {
	return fmt.Sprintf("%d of %d load-generator shards lost", g.Lost, g.Classes)
}

// describeScope writes what part of the run the results hold.
func (g gap) describeScope() string {
	return fmt.Sprintf("these results hold %d of %d client-ID classes of the run, the server counted the affected clients of all of them", g.Of, g.Total)
}

// partial fills the partial-run fields of sum (reasons, missing shards,
// coverage, events) from the shard and the caller's options, and returns
// what the summary does not see of the fleet.
func partial(sum *Summary, s *Shard, o SummaryOptions) gap {
	var g gap
	add := func(reasons ...string) {
		for _, r := range reasons {
			if r != "" && !slices.Contains(sum.PartialReasons, r) {
				sum.PartialReasons = append(sum.PartialReasons, r)
			}
		}
	}
	if s.Coverage != nil {
		for _, c := range s.Coverage {
			sum.Coverage = append(sum.Coverage, c.String())
		}
		scope := wantOrAll(s.Scope)
		c, err := CheckCoverage(s.Coverage, scope)
		if err == nil {
			var whole Coverage
			whole, err = CheckCoverage(scope, nil)
			g.Of, g.Total = whole.Classes-whole.MissingClasses, whole.Classes
		}
		switch {
		case err != nil:
			add(fmt.Sprintf("the load-generator shards could not be checked: %v", err))
		default:
			if len(c.Duplicates) > 0 {
				add("some clients were counted more than once: " + strings.Join(c.Duplicates, "; "))
			}
			for _, m := range c.Missing {
				sum.MissingShards = append(sum.MissingShards, m.String())
			}
			if len(c.Missing) > 0 {
				g.Lost, g.Classes = c.MissingClasses, c.Classes
				add(fmt.Sprintf("results of load-generator shard(s) %s are missing (%s): their clients are in no figure",
					joinShards(c.Missing), g.describe()))
			}
			if g.narrow() {
				add(fmt.Sprintf("these results cover client shard(s) %s of the run only; merge the results of every shard (stormbench merge) for the whole fleet",
					joinShards(scope)))
			}
		}
	}
	add(s.PartialReasons...)
	add(o.PartialReasons...)
	sum.Partial = len(sum.PartialReasons) > 0

	events := slices.Concat(s.Events, o.Events)
	slices.SortStableFunc(events, func(a, b Event) int { return cmp.Compare(a.At, b.At) })
	for i := range events {
		if events[i].Phase == "" {
			events[i].Phase = phaseAt(s, events[i].At)
		}
	}
	sum.Events = append(sum.Events, events...)
	return g
}

// phaseAt names the phase that contains offset at (the last one that
// started at or before it), "" when none does.
func phaseAt(s *Shard, at time.Duration) string {
	name := ""
	for _, p := range s.Phases {
		if p.Start <= at {
			name = p.Name
		}
	}
	return name
}
