package htmlreport

import (
	"bytes"
	"fmt"
	"html/template"
	"os"
)

// inlineSVG reads an SVG chart and returns its svg element for embedding
// in the page: the XML declaration and comments before it are dropped
// (they are not allowed inside HTML), and the CSS sizes it to the page.
// The markup is package charts' own output, which references nothing
// outside itself; TestNoExternalReferences checks the page as a whole.
func inlineSVG(path string) (template.HTML, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("inline %s: %w", path, err)
	}
	i := bytes.Index(b, []byte("<svg"))
	if i < 0 {
		return "", fmt.Errorf("inline %s: no svg element", path)
	}
	b = bytes.TrimSpace(b[i:])
	// role="img" makes it one image to a screen reader (the figure's
	// caption names it) rather than hundreds of loose text fragments.
	b = bytes.Replace(b, []byte("<svg "), []byte(`<svg role="img" `), 1)
	return template.HTML(b), nil // #nosec: our own chart, see above
}
