package charts

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/stormbench/stormbench/reporter"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Chart is one chart written as PNG and SVG.
type Chart struct {
	// Title is the chart's title as drawn on it.
	Title string
	// PNG is the path of the PNG file.
	PNG string
	// SVG is the path of the SVG file.
	SVG string
}

// pngDPI is the PNG's resolution: 11 × 6.5 in become 1100 × 650 pixels,
// sharp in a report page without being heavy.
const pngDPI = 100

// write draws f into outDir/base.png and outDir/base.svg.
func (f *figure) write(outDir, base string) (Chart, error) {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return Chart{}, fmt.Errorf("chart %s: %w", base, err)
	}
	c := Chart{Title: f.title, PNG: filepath.Join(outDir, base+".png"), SVG: filepath.Join(outDir, base+".svg")}

	img := vgimg.NewWith(vgimg.UseWH(f.width, f.height), vgimg.UseDPI(pngDPI))
	if err := f.draw(draw.New(img)); err != nil {
		return Chart{}, fmt.Errorf("chart %s: %w", base, err)
	}
	var png bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&png); err != nil {
		return Chart{}, fmt.Errorf("chart %s: png: %w", base, err)
	}

	svg := vgsvg.New(f.width, f.height)
	if err := f.draw(draw.New(svg)); err != nil {
		return Chart{}, fmt.Errorf("chart %s: %w", base, err)
	}
	var sb bytes.Buffer
	if _, err := svg.WriteTo(&sb); err != nil {
		return Chart{}, fmt.Errorf("chart %s: svg: %w", base, err)
	}

	if err := reporter.WriteFileAtomic(c.PNG, png.Bytes()); err != nil {
		return Chart{}, err
	}
	if err := reporter.WriteFileAtomic(c.SVG, fallbackFonts(sb.Bytes())); err != nil {
		return Chart{}, err
	}
	return c, nil
}

// fallbackFonts names fonts with Liberation Sans's metrics (Arimo, Arial)
// and the generic family after it: the SVG names the font it was laid out
// with but does not embed it (embedding would add a data: URL), and a
// browser without Liberation would otherwise fall back to a serif face.
func fallbackFonts(svg []byte) []byte {
	return []byte(strings.ReplaceAll(string(svg),
		"font-family:Liberation Sans;",
		"font-family:'Liberation Sans',Arimo,Arial,Helvetica,sans-serif;"))
}

// Chart sizes: wide enough for two panels side by side, tall enough for
// two stacked ones.
const (
	chartWidth  = 11 * vg.Inch
	chartHeight = 6.5 * vg.Inch
)
