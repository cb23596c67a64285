package loadgen

import "math/rand/v2"

// splitmix is SplitMix64's finaliser: it turns (seed, client ID) into
// well-mixed, independent PCG seeds, so that client 7's draws do not depend
// on how many clients the run has or how they are sharded.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// clientRNG returns the generator of one client, derived from (seed, id).
func clientRNG(seed, id uint64) rand.PCG {
	return *rand.NewPCG(splitmix(seed^splitmix(id)), splitmix(id+0x632be59bd9b4e019))
}

// uniform returns a draw in [0, n) from r (n > 0).
func uniform(r *rand.PCG, n int64) int64 {
	if n <= 0 {
		return 0
	}
	return int64(r.Uint64() % uint64(n))
}
