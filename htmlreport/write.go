package htmlreport

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"path/filepath"

	"github.com/stormbench/stormbench/reporter"
)

// Names in a reported folder.
const (
	// ReportFile is the page written into the folder.
	ReportFile = "report.html"
	// plotsDir is the folder of the charts, under the reported folder.
	plotsDir = "plots"
)

//go:embed templates/*.tmpl templates/style.css
var templateFS embed.FS

// pages are the parsed templates; a template that does not parse is a
// bug found by every test, so parsing at start-up may panic.
var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"css": func(s string) template.CSS { return template.CSS(s) },
}).ParseFS(templateFS, "templates/*.tmpl"))

// style is the page's CSS, inlined into every page.
var style = func() string {
	b, err := templateFS.ReadFile("templates/style.css")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// render executes the named page with v and writes it to dir/report.html
// atomically, so that a browser never shows half a page.
func render(dir, page string, v any) error {
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, page, v); err != nil {
		return fmt.Errorf("render %s: %w", page, err)
	}
	return reporter.WriteFileAtomic(filepath.Join(dir, ReportFile), b.Bytes())
}

// baseName returns the last element of path.
func baseName(path string) string { return filepath.Base(path) }
