package jsonpath

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// TestAgainstEncodingJSON builds random nested messages (keys with dots,
// backslashes, equals signs, HTML characters encoding/json escapes, non-
// ASCII; every kind of value) and checks every key path with the fuzz
// oracle: what the fuzzer may take long to reach, every run covers.
func TestAgainstEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	keys := []string{"type", "seq", "a.b", `x\y`, "k=v", "<&>", "é", "😀", "t", "data", " ", "\u2028"}
	var value func(depth int) any
	value = func(depth int) any {
		switch n := rng.IntN(9); {
		case n < 3 && depth < 6:
			m := map[string]any{}
			for range rng.IntN(5) {
				m[keys[rng.IntN(len(keys))]] = value(depth + 1)
			}
			return m
		case n == 3 && depth < 6:
			a := make([]any, rng.IntN(4))
			for i := range a {
				a[i] = value(depth + 1)
			}
			return a
		case n == 4:
			return keys[rng.IntN(len(keys))] + "\"\\\n"[rng.IntN(3):]
		case n == 5:
			return json.Number(strconv.FormatInt(rng.Int64()>>rng.IntN(64)-rng.Int64N(1000), 10))
		case n == 6:
			return json.Number(strconv.FormatFloat(rng.NormFloat64()*1e12, 'g', -1, 64))
		case n == 7:
			return rng.IntN(2) == 0
		}
		return nil
	}
	checked := 0
	for range 2000 {
		top := map[string]any{}
		for range 1 + rng.IntN(6) {
			top[keys[rng.IntN(len(keys))]] = value(1)
		}
		var msg []byte
		var err error
		if rng.IntN(2) == 0 {
			msg, err = json.Marshal(top)
		} else {
			msg, err = json.MarshalIndent(top, " ", "\t")
		}
		if err != nil {
			t.Fatal(err)
		}
		tree, deep, ok := decode(msg)
		if !ok || deep {
			t.Fatalf("oracle refused %s", msg)
		}
		walk(tree, nil, func(ks []string) bool {
			check(t, msg, mustCompile(t, pathOf(slices.Clone(ks)...)), tree, deep)
			checked++
			return true
		})
		check(t, msg, mustCompile(t, "absent.key"), tree, deep)
	}
	t.Logf("%d paths checked", checked)
}
