package charts

import (
	"image/color"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Fonts: sans-serif throughout, because the charts are read on screens at
// small sizes where a serif face blurs.
var (
	sansFont = font.Font{Typeface: "Liberation", Variant: "Sans"}
	boldFont = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold}
)

// Font sizes in points.
const (
	titleSize    = 15
	subtitleSize = 10
	panelSize    = 11.5
	labelSize    = 11
	tickSize     = 10
	legendSize   = 10
)

// palette is the Okabe–Ito set: distinguishable with the common forms of
// colour blindness, which matters when a setting is told only by colour.
var palette = []color.Color{
	rgb(0x00, 0x72, 0xB2), // blue
	rgb(0xE6, 0x9F, 0x00), // orange
	rgb(0x00, 0x9E, 0x73), // green
	rgb(0xCC, 0x79, 0xA7), // purple
	rgb(0xD5, 0x5E, 0x00), // vermillion
	rgb(0x56, 0xB4, 0xE9), // sky blue
	rgb(0x99, 0x88, 0x22), // olive (yellow is unreadable on white)
	rgb(0x00, 0x00, 0x00), // black
}

// colour returns the palette colour of the i-th series or setting.
func colour(i int) color.Color { return palette[i%len(palette)] }

// Colours of the storm marks.
var (
	stormFill = color.NRGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0x22}
	stormLine = rgb(0xB0, 0x30, 0x00)
	gridColor = color.Gray{Y: 0xDD}
	greyText  = color.Gray{Y: 0x44}
	warnRed   = rgb(0xB0, 0x00, 0x20)
)

func rgb(r, g, b uint8) color.Color { return color.RGBA{R: r, G: g, B: b, A: 0xFF} }

// dashed is the dash pattern of the server's series and of secondary lines.
var dashed = []vg.Length{vg.Points(5), vg.Points(3)}

// textStyle returns a plain text style of fnt at size points.
func textStyle(fnt font.Font, size float64, c color.Color) text.Style {
	return text.Style{
		Color:   c,
		Font:    font.From(fnt, vg.Points(size)),
		XAlign:  draw.XLeft,
		YAlign:  draw.YTop,
		Handler: plot.DefaultTextHandler,
	}
}

// newPanel returns a plot styled like every other panel: sans fonts, a
// bold panel title, axis labels and a light grid.
func newPanel(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(boldFont, panelSize)
	p.Title.Padding = vg.Points(6)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sansFont, labelSize)
		a.Tick.Label.Font = font.From(sansFont, tickSize)
		a.Tick.Length = vg.Points(5)
		a.Padding = vg.Points(2)
	}
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.X.Label.Padding = vg.Points(4)
	p.Y.Label.Padding = vg.Points(4)
	p.X.Tick.Marker = niceTicks{}
	p.Y.Tick.Marker = niceTicks{}
	g := newGrid()
	p.Add(g)
	return p
}
