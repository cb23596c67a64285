package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// repoRoot is the module's root, seen from this package's directory.
const repoRoot = "../.."

// markdownFiles returns README.md, every docs/*.md and results/README.md,
// as paths from this package's directory.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) == 0 {
		t.Fatal("no docs/*.md")
	}
	files := append([]string{filepath.Join(repoRoot, "README.md")}, docs...)
	return append(files, filepath.Join(repoRoot, "results", "README.md"))
}

// TestDocsLinks: every relative link of README.md, docs/*.md and
// results/README.md points to a file or directory of the repository, and
// every #anchor to a heading of the Markdown file it names (GitHub's
// anchors), so that no page sends a reader nowhere.
func TestDocsLinks(t *testing.T) {
	for _, f := range markdownFiles(t) {
		md, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range checkLinks(repoRoot, f, md) {
			t.Error(p)
		}
	}
}

// TestLinkCheckerFindsBreakage: the checker of TestDocsLinks reports a
// missing file, a missing anchor in another file and in the same file, a
// link that leaves the repository and an anchor on a file it cannot read
// headings of, and nothing else: links in code, external links and every
// heading form GitHub accepts pass.
func TestLinkCheckerFindsBreakage(t *testing.T) {
	root := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("docs/b.md", "# B page\n\n## TLS (wss)\n\n## The harness's own `health`\n\n## Twice\n\n## Twice\n\n```\n# not a heading\n```\n")
	write("main.go", "package main\n")
	readme := strings.Join([]string{
		"# Top",
		"[ok](docs/b.md) [ok](docs/b.md#tls-wss) [ok](docs/b.md#the-harnesss-own-health)",
		"[ok](docs/b.md#twice-1) [ok](#top) [ok](main.go) [ok](docs/) [ok](https://example.com/x#y)",
		"![ok](docs/b.md \"title\") `[in code](nowhere.md)`",
		"```",
		"[in a fence](nowhere.md)",
		"```",
		"[missing](docs/c.md)",
		"[no anchor](docs/b.md#not-a-heading)",
		"[no anchor here](#nope)",
		"[outside](../x.md)",
		"[not markdown](main.go#L1)",
		"[twice too many](docs/b.md#twice-2)",
	}, "\n")
	write("README.md", readme)
	got := checkLinks(root, filepath.Join(root, "README.md"), []byte(readme))
	want := []string{"docs/c.md", "docs/b.md#not-a-heading", "#nope", "../x.md", "main.go#L1", "docs/b.md#twice-2"}
	if len(got) != len(want) {
		t.Fatalf("problems %q, want one for each of %q", got, want)
	}
	for i, w := range want {
		if !strings.Contains(got[i], "("+w+")") {
			t.Errorf("problem %d is %q, want one about (%s)", i, got[i], w)
		}
	}
}

// TestGitHubAnchor: headings become anchors as GitHub makes them:
// lower-case, spaces to '-', punctuation dropped, code and links by their
// text.
func TestGitHubAnchor(t *testing.T) {
	for _, tt := range []struct{ heading, anchor string }{
		{"TLS (wss)", "tls-wss"},
		{"The harness's own health", "the-harnesss-own-health"},
		{"Against a server that admits only so many: the AWS backoff study", "against-a-server-that-admits-only-so-many-the-aws-backoff-study"},
		{"Measured on this machine (2 cores, 24 GiB, Linux)", "measured-on-this-machine-2-cores-24-gib-linux"},
		{"stormbench run", "stormbench-run"},
		{"report.html and the charts", "reporthtml-and-the-charts"},
		{"`summary.json` fields", "summaryjson-fields"},
		{"[Faults](faults.md) and more", "faults-and-more"},
		{"snake_case and kebab-case", "snake_case-and-kebab-case"},
		{"Größe × 2 → ok", "größe--2--ok"},
	} {
		if got := githubAnchor(tt.heading); got != tt.anchor {
			t.Errorf("githubAnchor(%q) = %q, want %q", tt.heading, got, tt.anchor)
		}
	}
}

// TestLayoutListsEveryPackage: docs/layout.md names every Go package
// directory of the module as `dir/`, so that a new package cannot be
// added without saying what it is for.
func TestLayoutListsEveryPackage(t *testing.T) {
	layout, err := os.ReadFile(filepath.Join(repoRoot, "docs", "layout.md"))
	if err != nil {
		t.Fatal(err)
	}
	dirs := goPackageDirs(t, repoRoot)
	if !slices.Contains(dirs, "cmd/stormbench") {
		t.Fatalf("found packages %v, not cmd/stormbench: wrong root?", dirs)
	}
	for _, d := range dirs {
		if !bytes.Contains(layout, []byte("`"+d+"/`")) {
			t.Errorf("docs/layout.md does not mention `%s/`: add it with what the package is for", d)
		}
	}
}

// goPackageDirs returns the directories under root (slash-separated,
// relative) that hold .go files, skipping what the go command skips:
// testdata and directories whose name starts with '.' or '_'; and
// node_modules.
func goPackageDirs(t *testing.T, root string) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (name == "testdata" || name == "node_modules" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") {
			rel, err := filepath.Rel(root, filepath.Dir(p))
			if err != nil {
				return err
			}
			rel = filepath.ToSlash(rel)
			if rel != "." && !slices.Contains(dirs, rel) {
				dirs = append(dirs, rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// mdLine is one line of a Markdown file outside fenced code blocks: as
// it is (raw), and with its inline code spans blanked out (text).
type mdLine struct {
	n         int
	raw, text string
}

// proseLines returns the lines of md that are not in a fenced code block.
func proseLines(md []byte) []mdLine {
	var out []mdLine
	var fence string
	sc := bufio.NewScanner(bytes.NewReader(md))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimLeft(line, " ")
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]) == "" {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence = trimmed[:len(trimmed)-len(strings.TrimLeft(trimmed, trimmed[:1]))]
			continue
		}
		out = append(out, mdLine{n, line, blankCode(line)})
	}
	return out
}

// blankCode replaces every inline code span of line (CommonMark: a run of
// backticks up to the next run of the same length) by "code" wrapped in
// the same runs, so that its text is not taken for links; codeText keeps
// the text instead.
func blankCode(line string) string { return codeSpans(line, false) }

// codeText replaces every code span of line by its text.
func codeText(line string) string { return codeSpans(line, true) }

func codeSpans(line string, keep bool) string {
	var b strings.Builder
	for i := 0; i < len(line); {
		if line[i] != '`' {
			b.WriteByte(line[i])
			i++
			continue
		}
		j := i
		for j < len(line) && line[j] == '`' {
			j++
		}
		run := line[i:j]
		end := -1
		for k := j; k < len(line); {
			if line[k] != '`' {
				k++
				continue
			}
			m := k
			for m < len(line) && line[m] == '`' {
				m++
			}
			if m-k == len(run) {
				end = k
				break
			}
			k = m
		}
		if end < 0 {
			b.WriteString(run)
			i = j
			continue
		}
		if keep {
			b.WriteString(strings.TrimSpace(line[j:end]))
		} else {
			b.WriteString(run + "code" + run)
		}
		i = end + len(run)
	}
	return b.String()
}

var (
	headingRE = regexp.MustCompile(`^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$`)
	linkRE    = regexp.MustCompile(`!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)`)
)

// headingAnchors returns the anchors GitHub gives the headings of md:
// the second heading with the same anchor gets "-1", the third "-2", ….
func headingAnchors(md []byte) map[string]bool {
	anchors := map[string]bool{}
	seen := map[string]int{}
	for _, l := range proseLines(md) {
		m := headingRE.FindStringSubmatch(l.raw)
		if m == nil {
			continue
		}
		a := githubAnchor(m[2])
		if k := seen[a]; k > 0 {
			anchors[fmt.Sprintf("%s-%d", a, k)] = true
		} else {
			anchors[a] = true
		}
		seen[a]++
	}
	return anchors
}

// githubAnchor is the anchor GitHub makes of a heading's text: the text
// as rendered (code spans and links by their text), lower-cased, every
// character dropped that is not a letter, mark, number, '_', '-' or
// space, and each space turned into '-'.
func githubAnchor(heading string) string {
	text := codeText(heading)
	text = linkRE.ReplaceAllString(text, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r) || unicode.Is(unicode.Pc, r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// checkLinks returns a problem for every relative link of file (whose
// text is md) that does not point to a file or directory under root, or
// whose #anchor is not a heading of the Markdown file it points to.
// External links (with a scheme) are not followed.
func checkLinks(root, file string, md []byte) []string {
	var problems []string
	rootAbs, err := filepath.Abs(root)
	if err != nil {
		return []string{err.Error()}
	}
	anchorsOf := map[string]map[string]bool{}
	for _, l := range proseLines(md) {
		for _, m := range linkRE.FindAllStringSubmatch(l.text, -1) {
			target := m[2]
			if target == "" || strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			where := fmt.Sprintf("%s:%d: link (%s)", file, l.n, target)
			pathPart, anchor, hasAnchor := strings.Cut(target, "#")
			dest := file
			if pathPart != "" {
				if strings.HasPrefix(pathPart, "/") {
					dest = filepath.Join(rootAbs, filepath.FromSlash(pathPart))
				} else {
					dest = filepath.Join(filepath.Dir(file), filepath.FromSlash(pathPart))
				}
			}
			destAbs, err := filepath.Abs(dest)
			if err != nil {
				problems = append(problems, where+": "+err.Error())
				continue
			}
			if rel, err := filepath.Rel(rootAbs, destAbs); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				problems = append(problems, where+": points outside the repository")
				continue
			}
			if _, err := os.Stat(destAbs); err != nil {
				problems = append(problems, where+": no such file or directory")
				continue
			}
			if !hasAnchor {
				continue
			}
			if !strings.HasSuffix(destAbs, ".md") {
				problems = append(problems, where+": an anchor on a file that is not Markdown cannot be checked")
				continue
			}
			anchors, ok := anchorsOf[destAbs]
			if !ok {
				text, err := os.ReadFile(destAbs)
				if err != nil {
					problems = append(problems, where+": "+err.Error())
					continue
				}
				anchors = headingAnchors(text)
				anchorsOf[destAbs] = anchors
			}
			if !anchors[anchor] {
				problems = append(problems, where+": no heading with anchor #"+anchor)
			}
		}
	}
	return problems
}
