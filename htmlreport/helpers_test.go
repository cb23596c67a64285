package htmlreport

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// update rewrites the golden files: go test ./htmlreport -update.
var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Fixture results folders (shared with package charts).
const (
	fixtures  = "../testdata/results"
	fxFull    = "20261123-071911-restart-full"
	fxNone    = "20261123-071935-restart-none"
	fxDecorr  = "20261123-071941-restart-decorrelated"
	fxMissing = "missing-optional"
	fxPartial = "partial"
	fxBad     = "malformed"
)

// copyFixture copies a fixture folder into a temporary folder, because a
// report is written into the folder it reports.
func copyFixture(t testing.TB, name string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), name)
	if err := os.CopyFS(dst, os.DirFS(filepath.Join(fixtures, name))); err != nil {
		t.Fatal(err)
	}
	return dst
}

// parsePage parses dir/report.html.
func parsePage(t testing.TB, dir string) *html.Node {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// forbiddenElements load or run something from elsewhere.
var forbiddenElements = map[atom.Atom]bool{
	atom.Script: true, atom.Link: true, atom.Iframe: true, atom.Frame: true,
	atom.Img: true, atom.Object: true, atom.Embed: true, atom.Base: true,
	atom.Audio: true, atom.Video: true, atom.Source: true, atom.Picture: true,
	atom.Form: true,
}

// forbiddenAttrs name another resource.
var forbiddenAttrs = map[string]bool{
	"src": true, "srcset": true, "data": true, "poster": true, "action": true,
	"formaction": true, "background": true, "ping": true, "manifest": true,
}

// assertSelfContained fails the test for every external reference in doc.
func assertSelfContained(t *testing.T, doc *html.Node) {
	t.Helper()
	for _, p := range externalRefs(doc) {
		t.Error(p)
	}
}

// externalRefs lists what in doc refers to the network or another file:
// script, link, iframe, img and the like; a src, or an href that is not a
// #fragment (xlink:href included); url( or @import in a style element or
// attribute; a meta refresh.
func externalRefs(doc *html.Node) []string {
	var bad []string
	add := func(format string, a ...any) { bad = append(bad, fmt.Sprintf(format, a...)) }
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if forbiddenElements[n.DataAtom] || n.Data == "image" || n.Data == "use" || n.Data == "foreignobject" {
				add("element <%s> in the page", n.Data)
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				switch {
				case forbiddenAttrs[key]:
					add("<%s %s=%q>", n.Data, a.Key, a.Val)
				case key == "href" && !strings.HasPrefix(a.Val, "#"):
					add("<%s %s:%s=%q>: a link that is not a #fragment", n.Data, a.Namespace, a.Key, a.Val)
				case key == "style":
					bad = append(bad, cssRefs(a.Val, "style attribute of <"+n.Data+">")...)
				case key == "http-equiv" && strings.EqualFold(a.Val, "refresh"):
					add("meta refresh")
				}
			}
			if n.DataAtom == atom.Style {
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					bad = append(bad, cssRefs(c.Data, "<style>")...)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return bad
}

// cssRefs lists what in css loads something.
func cssRefs(css, where string) []string {
	var bad []string
	low := strings.ToLower(css)
	for _, b := range []string{"url(", "@import", "@font-face", "image-set("} {
		if strings.Contains(low, b) {
			bad = append(bad, fmt.Sprintf("%s contains %q", where, b))
		}
	}
	return bad
}

// count of elements named name in doc.
func countElements(doc *html.Node, name string) int {
	n := 0
	var walk func(*html.Node)
	walk = func(x *html.Node) {
		if x.Type == html.ElementNode && x.Data == name {
			n++
		}
		for c := x.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return n
}

// outlineElements are the elements whose text the golden outline keeps,
// one line each.
var outlineElements = map[atom.Atom]bool{
	atom.Title: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.P: true,
	atom.Li: true, atom.Tr: true, atom.Dt: true, atom.Dd: true,
	atom.Figcaption: true, atom.Summary: true, atom.Code: true,
}

// outline renders the text structure of doc for a golden file: one line
// per heading, paragraph, list item, table row (cells joined by " | ") and
// so on, with its class; each SVG chart stands as "[svg]", because its
// markup differs between platforms' font metrics and plot versions.
func outline(doc *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch {
			case n.Data == "svg":
				b.WriteString("[svg]\n")
				return
			case outlineElements[n.DataAtom] && !(n.DataAtom == atom.Code && insideOutlined(n)):
				b.WriteString(n.Data)
				if c := attr(n, "class"); c != "" {
					b.WriteString("." + strings.ReplaceAll(c, " ", "."))
				}
				b.WriteString(": " + text(n) + "\n")
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return b.String()
}

// insideOutlined reports whether an ancestor of n has its own outline line.
func insideOutlined(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && outlineElements[p.DataAtom] {
			return true
		}
	}
	return false
}

// text returns n's text with whitespace collapsed; table cells are joined
// by " | " and bold cells are marked *…*.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(x *html.Node) {
		switch {
		case x.Type == html.TextNode:
			b.WriteString(x.Data)
		case x.Type == html.ElementNode && x.Data == "svg":
			b.WriteString("[svg]")
			return
		case x.Type == html.ElementNode && (x.DataAtom == atom.Td || x.DataAtom == atom.Th) && x.PrevSibling != nil:
			b.WriteString(" | ")
		}
		if x.Type == html.ElementNode && strings.Contains(attr(x, "class"), "best") {
			b.WriteString("*")
			defer b.WriteString("*")
		}
		for c := x.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./htmlreport -update to write it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the page's outline (go test ./htmlreport -update rewrites it):\n%s", path, diff(string(want), got))
	}
}

// diff names the first differing line of two texts.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + strconv.Itoa(i+1) + ":\n- " + a + "\n+ " + b
		}
	}
	return ""
}
