package htmlreport

import (
	"html/template"

	"github.com/stormbench/stormbench/charts"
)

// figureView is one chart on the page: its title and its SVG markup.
type figureView struct {
	Title string
	// File names the chart's PNG under plots/, for readers who want the
	// picture itself (as text: the page links to nothing).
	File string
	SVG  template.HTML
}

// figures inlines the SVG of every chart.
func figures(cs []charts.Chart) ([]figureView, error) {
	out := make([]figureView, 0, len(cs))
	for _, c := range cs {
		svg, err := inlineSVG(c.SVG)
		if err != nil {
			return nil, err
		}
		out = append(out, figureView{Title: c.Title, File: plotsDir + "/" + baseName(c.PNG), SVG: svg})
	}
	return out, nil
}
