package experiment

import "github.com/stormbench/stormbench/reporter"

// collect closes the books of a fleet whose scenario is over: events (what
// happened to the harness) go into the results, shard.json included, so
// that a merge of machines keeps them; reason, when not empty, marks the
// results partial. Then every part's results are gathered into one shard.
// A part whose results are lost is named in the shard (and in err); the
// shard is nil only when nothing could be gathered.
func collect(fr *fleetRun, events []Event, reason string) (*reporter.Shard, error) {
	for _, ev := range events {
		fr.rec.Event(ev)
	}
	if reason != "" {
		fr.rec.MarkPartial(reason)
	}
	shard, _, err := fr.finish()
	return shard, err
}
