package charts

import (
	"fmt"
	"image/color"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// figure is a chart page: a title, subtitle lines (the settings), one
// legend for all panels, and a grid of aligned panels. The legend sits
// above the panels rather than inside them, so it never hides data.
type figure struct {
	title    string
	subtitle []string
	warnings []string // drawn in red under the subtitle: partial, saturated
	legend   []legendItem
	panels   [][]*plot.Plot // rows of columns; every row as long
	width    vg.Length
	height   vg.Length
}

// legendItem is one legend entry: a line (or a filled box) and its text.
type legendItem struct {
	text   string
	color  color.Color
	dashes []vg.Length
	fill   bool // a shaded area, drawn as a box
	width  vg.Length
}

// margin is the blank border around a figure.
const margin = 10

// draw lays out and draws f on c. Plot code panics on data it cannot
// draw; that becomes an error, never a crash of the caller.
func (f *figure) draw(c draw.Canvas) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("draw %q: %v", f.title, r)
		}
	}()
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	m := vg.Points(margin)
	left, right := c.Min.X+m, c.Max.X-m
	y := c.Max.Y - m

	ts := textStyle(boldFont, titleSize, color.Black)
	c.FillText(ts, vg.Point{X: left, Y: y}, f.title)
	y -= ts.Height(f.title) + vg.Points(3)

	ss := textStyle(sansFont, subtitleSize, greyText)
	for _, line := range f.subtitle {
		for _, l := range wrap(ss, line, right-left) {
			c.FillText(ss, vg.Point{X: left, Y: y}, l)
			y -= ss.Height(l) + vg.Points(1)
		}
	}
	ws := textStyle(boldFont, subtitleSize, warnRed)
	for _, line := range f.warnings {
		for _, l := range wrap(ws, line, right-left) {
			c.FillText(ws, vg.Point{X: left, Y: y}, l)
			y -= ws.Height(l) + vg.Points(1)
		}
	}
	y -= vg.Points(4)
	y = f.drawLegend(c, left, right, y)

	area := c
	area.Max.Y = y - vg.Points(4)
	area.Min.X, area.Max.X, area.Min.Y = left, right, c.Min.Y+m
	rows := len(f.panels)
	if rows == 0 {
		return nil
	}
	tiles := draw.Tiles{Rows: rows, Cols: len(f.panels[0]), PadX: vg.Points(28), PadY: vg.Points(14)}
	cells := plot.Align(f.panels, tiles, area)
	for j, row := range f.panels {
		for i, p := range row {
			if p != nil {
				p.Draw(cells[j][i])
			}
		}
	}
	return nil
}

// drawLegend draws the legend entries in rows from the top y and returns
// the y below them.
func (f *figure) drawLegend(c draw.Canvas, left, right, y vg.Length) vg.Length {
	if len(f.legend) == 0 {
		return y
	}
	ls := textStyle(sansFont, legendSize, color.Black)
	ls.YAlign = draw.YCenter
	swatch, gap, sep := vg.Points(24), vg.Points(5), vg.Points(18)
	lineH := ls.Height("Mg") + vg.Points(4)
	x := left
	y -= lineH / 2
	for _, it := range f.legend {
		w := swatch + gap + ls.Width(it.text)
		if x > left && x+w > right {
			x, y = left, y-lineH
		}
		it.drawSwatch(c, x, y, swatch)
		c.FillText(ls, vg.Point{X: x + swatch + gap, Y: y}, it.text)
		x += w + sep
	}
	return y - lineH/2
}

// drawSwatch draws the entry's sample at (x, y), w wide.
func (it legendItem) drawSwatch(c draw.Canvas, x, y, w vg.Length) {
	if it.fill {
		h := vg.Points(5)
		c.SetColor(it.color)
		c.Fill(vg.Rectangle{Min: vg.Point{X: x, Y: y - h}, Max: vg.Point{X: x + w, Y: y + h}}.Path())
		return
	}
	width := it.width
	if width == 0 {
		width = vg.Points(2)
	}
	c.StrokeLine2(draw.LineStyle{Color: it.color, Width: width, Dashes: it.dashes}, x, y, x+w, y)
}

// wrap breaks line into lines no wider than w at spaces.
func wrap(sty text.Style, line string, w vg.Length) []string {
	words := strings.Fields(line)
	var out []string
	cur := ""
	for _, word := range words {
		next := word
		if cur != "" {
			next = cur + " " + word
		}
		if cur != "" && sty.Width(next) > w {
			out = append(out, cur)
			next = word
		}
		cur = next
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}
