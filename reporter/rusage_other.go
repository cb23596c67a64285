//go:build !unix

package reporter

// usage returns a zero usage where getrusage is not available.
func usage() HarnessUsage {
	return HarnessUsage{Processes: 1}
}
