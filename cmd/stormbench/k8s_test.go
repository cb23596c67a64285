package main

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/experiment"
	"github.com/stormbench/stormbench/loadgen"
	"go.yaml.in/yaml/v3"
)

// k8sRecipe is the Kubernetes Indexed Job of docs/scale.md.
const k8sRecipe = "../../scripts/k8s/stormbench-shards.yaml"

// k8sJob is the part of a batch/v1 Job the recipe's test reads.
type k8sJob struct {
	Kind string `yaml:"kind"`
	Spec struct {
		CompletionMode string `yaml:"completionMode"`
		Completions    int    `yaml:"completions"`
		Parallelism    int    `yaml:"parallelism"`
		Template       struct {
			Spec struct {
				Containers []struct {
					Env []struct {
						Name      string `yaml:"name"`
						Value     string `yaml:"value"`
						ValueFrom *struct {
							SecretKeyRef *struct {
								Name string `yaml:"name"`
								Key  string `yaml:"key"`
							} `yaml:"secretKeyRef"`
						} `yaml:"valueFrom"`
					} `yaml:"env"`
					Command   []string `yaml:"command"`
					Args      []string `yaml:"args"`
					Resources struct {
						Requests map[string]string `yaml:"requests"`
					} `yaml:"resources"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

// TestK8sRecipe: the Kubernetes recipe's command line is one that run
// accepts in every pod — only flags that exist, the documented shard form
// --shard "$JOB_COMPLETION_INDEX/N" with N the Job's completions and
// parallelism, --start-at from the environment, the control token from a
// Secret through the environment and never on the command line — each
// pod's shard fits a pod (one source address, its memory request), and the
// merge it prints takes the N shards' folders.
func TestK8sRecipe(t *testing.T) {
	raw, err := os.ReadFile(k8sRecipe)
	if err != nil {
		t.Fatal(err)
	}
	var job k8sJob
	if err := yaml.Unmarshal(raw, &job); err != nil {
		t.Fatalf("%s: %v", k8sRecipe, err)
	}
	n := job.Spec.Completions
	if job.Kind != "Job" || job.Spec.CompletionMode != "Indexed" || n < 2 || job.Spec.Parallelism != n {
		t.Fatalf("want an Indexed Job running its N ≥ 2 completions at once: kind %q, mode %q, completions %d, parallelism %d",
			job.Kind, job.Spec.CompletionMode, n, job.Spec.Parallelism)
	}
	if len(job.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("%d containers, want one", len(job.Spec.Template.Spec.Containers))
	}
	c := job.Spec.Template.Spec.Containers[0]
	if strings.Join(c.Command, " ") != "/bin/sh -c" || len(c.Args) != 1 {
		t.Fatalf("command %q args %q: want /bin/sh -c and one command line", c.Command, c.Args)
	}
	line := c.Args[0]
	if shard := fmt.Sprintf(`--shard "$JOB_COMPLETION_INDEX/%d"`, n); !strings.Contains(line, shard) || !strings.Contains(line, `--start-at "$START_AT"`) {
		t.Fatalf("command line %q: want the documented shard form %s and --start-at \"$START_AT\"", line, shard)
	}
	if !strings.Contains(string(raw), fmt.Sprintf("-shard-*-of-%d", n)) {
		t.Errorf("the recipe's merge does not take the folders of its %d shards (*-shard-*-of-%d)", n, n)
	}
	env := map[string]string{}
	tokenFromSecret := false
	for _, e := range c.Env {
		env[e.Name] = e.Value
		if e.Name == experiment.TokenEnv && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			tokenFromSecret = true
		}
	}
	if !tokenFromSecret {
		t.Errorf("$%s does not come from a Secret", experiment.TokenEnv)
	}
	if _, err := strconv.ParseInt(env["START_AT"], 10, 64); err != nil {
		t.Errorf("START_AT %q: want Unix seconds", env["START_AT"])
	}
	memory := parseQuantity(t, c.Resources.Requests["memory"])

	// Every pod's command line, as its shell expands it, is a run that
	// starts: the flags exist, their values are valid together.
	t.Setenv(experiment.TokenEnv, "recipe-test-token-0123456789")
	startAt := time.Now().Add(10 * time.Minute).Truncate(time.Second)
	for _, i := range []int{0, 1, n - 1} {
		words, err := shellWords(line, map[string]string{"JOB_COMPLETION_INDEX": strconv.Itoa(i), "START_AT": strconv.FormatInt(startAt.Unix(), 10)})
		if err != nil {
			t.Fatal(err)
		}
		if len(words) < 3 || strings.Join(words[:3], " ") != "exec stormbench run" {
			t.Fatalf("command line %q: want exec stormbench run …", line)
		}
		args := words[3:]
		for k, a := range args {
			if a == "--control-token" || strings.HasPrefix(a, "--control-token=") {
				t.Fatalf("the token is on the command line: %q", a)
			}
			if a == "--out" && k+1 < len(args) {
				args[k+1] = t.TempDir() // not /results on this machine
			}
		}
		// The pod's limits, not this machine's, are checked below.
		plan, err := planRun(append(args, "--no-preflight"), io.Discard, io.Discard)
		if err != nil {
			t.Fatalf("pod %d: run refuses the recipe's command line: %v", i, err)
		}
		if plan.Loadgen.Shard != (loadgen.Shard{Index: i, Count: n}) || !plan.StartAt.Equal(startAt) || plan.Control == "" {
			t.Fatalf("pod %d: shard %+v, start %v, control %q; want %d/%d at %v through the control API",
				i, plan.Loadgen.Shard, plan.StartAt, plan.Control, i, n, startAt)
		}
		perPod := (plan.Loadgen.Clients + n - 1) / n
		pod := loadgen.Machine{PortsPerAddr: 60999 - 32768 + 1, MemAvailable: memory, FileLimit: 1 << 20}
		if err := loadgen.Preflight(loadgen.Plan{Clients: perPod, Workers: plan.Workers, SourceAddrs: 1}, pod); err != nil {
			t.Fatalf("pod %d: %d clients do not fit a pod (one address, the default port range, %d MiB): %v", i, perPod, memory>>20, err)
		}
	}
}

// parseQuantity reads a Kubernetes memory quantity such as 4Gi or 512Mi.
func parseQuantity(t *testing.T, q string) int64 {
	t.Helper()
	m := regexp.MustCompile(`^([0-9]+)(Ki|Mi|Gi)$`).FindStringSubmatch(q)
	if m == nil {
		t.Fatalf("memory request %q: want N followed by Ki, Mi or Gi", q)
	}
	v, _ := strconv.ParseInt(m[1], 10, 64)
	return v << map[string]int{"Ki": 10, "Mi": 20, "Gi": 30}[m[2]]
}

// shellWords splits a POSIX shell command line into words as sh does for
// the recipe: blanks separate words, single quotes keep everything,
// double quotes keep blanks, and $NAME or ${NAME} expand from env (an
// unknown name is an error: the test would not see what the pod runs).
func shellWords(s string, env map[string]string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord, quote := false, byte(0)
	expand := func(i int) (int, error) {
		j := i + 1
		braced := j < len(s) && s[j] == '{'
		if braced {
			j++
		}
		k := j
		for k < len(s) && (s[k] == '_' || s[k] >= 'A' && s[k] <= 'Z' || s[k] >= 'a' && s[k] <= 'z' || s[k] >= '0' && s[k] <= '9') {
			k++
		}
		name := s[j:k]
		if braced {
			if k >= len(s) || s[k] != '}' {
				return 0, fmt.Errorf("unclosed ${ in %q", s)
			}
			k++
		}
		v, ok := env[name]
		if !ok || name == "" {
			return 0, fmt.Errorf("$%s is not set for the test", name)
		}
		cur.WriteString(v)
		return k, nil
	}
	for i := 0; i < len(s); {
		ch := s[i]
		switch {
		case quote == '\'':
			if ch == '\'' {
				quote = 0
			} else {
				cur.WriteByte(ch)
			}
			i++
		case ch == '$':
			k, err := expand(i)
			if err != nil {
				return nil, err
			}
			inWord, i = true, k
		case quote == '"':
			if ch == '"' {
				quote = 0
			} else {
				cur.WriteByte(ch)
			}
			i++
		case ch == '\'' || ch == '"':
			quote, inWord = ch, true
			i++
		case ch == ' ' || ch == '\t' || ch == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
			i++
		default:
			cur.WriteByte(ch)
			inWord = true
			i++
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed %c in %q", quote, s)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// TestShellWords: the splitter reads what sh would.
func TestShellWords(t *testing.T) {
	env := map[string]string{"I": "3", "AT": "1700000000"}
	tests := []struct {
		in   string
		want []string
		err  bool
	}{
		{`exec stormbench run --shard "$I/20" --start-at "$AT"`, []string{"exec", "stormbench", "run", "--shard", "3/20", "--start-at", "1700000000"}, false},
		{"a  b\n c", []string{"a", "b", "c"}, false},
		{`'$I keeps' "x y"z ${I}0`, []string{"$I keeps", "x yz", "30"}, false},
		{`""`, []string{""}, false},
		{`"open`, nil, true},
		{`$NOPE`, nil, true},
		{`${I`, nil, true},
	}
	for _, tt := range tests {
		got, err := shellWords(tt.in, env)
		if (err != nil) != tt.err || strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("shellWords(%q) = %q, %v; want %q (error %v)", tt.in, got, err, tt.want, tt.err)
		}
	}
}
