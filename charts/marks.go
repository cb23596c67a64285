package charts

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// newGrid returns a light grid at the major ticks: enough to read values
// off, too faint to compete with the data.
func newGrid() *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical = draw.LineStyle{Color: gridColor, Width: vg.Points(0.5)}
	g.Horizontal = draw.LineStyle{Color: gridColor, Width: vg.Points(0.5)}
	return g
}

// newLine returns a line through the points (xs[i], ys[i]) in colour c,
// skipping points that are not finite, or nil when none is left.
func newLine(xs, ys []float64, c color.Color, dashes []vg.Length) *plotter.Line {
	return newLineWidth(xs, ys, c, dashes, vg.Points(1.6))
}

// newLineWidth is newLine with a line width.
func newLineWidth(xs, ys []float64, c color.Color, dashes []vg.Length, width vg.Length) *plotter.Line {
	n := min(len(xs), len(ys))
	pts := make(plotter.XYs, 0, n)
	for i := range n {
		if finite(xs[i]) && finite(ys[i]) {
			pts = append(pts, plotter.XY{X: xs[i], Y: ys[i]})
		}
	}
	if len(pts) == 0 {
		return nil
	}
	l := &plotter.Line{XYs: decimate(pts, maxLinePoints)}
	l.LineStyle = draw.LineStyle{Color: c, Width: width, Dashes: dashes}
	return l
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// stormSpan is one storm on a time axis: T0 and the end of its window.
type stormSpan struct {
	t0, end float64
	label   string
}

// stormMarks shades each storm's window and draws a line at its T0; with
// labels it names the storm at the top of the line.
type stormMarks struct {
	spans  []stormSpan
	labels bool
	fill   bool
}

// Plot implements plot.Plotter.
func (m stormMarks) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	ls := textStyle(sansFont, tickSize-1, stormLine)
	for _, s := range m.spans {
		x0 := max(trX(s.t0), c.Min.X)
		x1 := min(trX(s.end), c.Max.X)
		if m.fill && x1 > x0 {
			c.SetColor(stormFill)
			c.Fill(vg.Rectangle{Min: vg.Point{X: x0, Y: c.Min.Y}, Max: vg.Point{X: x1, Y: c.Max.Y}}.Path())
		}
		if x0 > c.Min.X || s.t0 >= p.X.Min {
			c.StrokeLine2(draw.LineStyle{Color: stormLine, Width: vg.Points(1.2)}, x0, c.Min.Y, x0, c.Max.Y)
		}
		if m.labels && s.label != "" {
			c.FillText(ls, vg.Point{X: x0 + vg.Points(3), Y: c.Max.Y - vg.Points(2)}, s.label)
		}
	}
}

// DataRange implements plot.DataRanger: the time axis covers every storm
// window even when the series stop before its end.
func (m stormMarks) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	for _, s := range m.spans {
		xmin, xmax = math.Min(xmin, s.t0), math.Max(xmax, s.end)
	}
	return xmin, xmax, math.Inf(1), math.Inf(-1)
}

// bar is one setting's bar: the median of its repeats with their range,
// or missing when no repeat has a value.
type bar struct {
	med, lo, hi float64
	ok          bool
	n, of       int // repeats with a value, repeats in all
	color       color.Color
}

// bars draws one bar per setting at x = 0, 1, …: the median as the bar,
// the min–max range of the repeats as an error bar, the value above it.
// A setting without a value gets no bar but a "no value" note, so that a
// missing figure is never read as zero.
type bars struct {
	items  []bar
	format func(float64) string
}

// Plot implements plot.Plotter.
func (b bars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	step := trX(1) - trX(0)
	half := step * 0.3
	ls := textStyle(sansFont, tickSize, color.Black)
	ls.XAlign, ls.YAlign = draw.XCenter, draw.YBottom
	note := textStyle(sansFont, tickSize, greyText)
	note.XAlign, note.YAlign = draw.XCenter, draw.YBottom
	whisker := draw.LineStyle{Color: color.Black, Width: vg.Points(1.2)}
	for i, it := range b.items {
		x := trX(float64(i))
		if !it.ok {
			outline := draw.LineStyle{Color: greyText, Width: vg.Points(0.8), Dashes: dashed}
			y0, y1 := trY(0), trY(0)+vg.Points(30)
			c.StrokeLines(outline, []vg.Point{{X: x - half, Y: y0}, {X: x - half, Y: y1}, {X: x + half, Y: y1}, {X: x + half, Y: y0}})
			c.FillText(note, vg.Point{X: x, Y: y1 + vg.Points(3)}, "no value")
			continue
		}
		c.SetColor(it.color)
		c.Fill(vg.Rectangle{Min: vg.Point{X: x - half, Y: trY(0)}, Max: vg.Point{X: x + half, Y: trY(it.med)}}.Path())
		top := trY(it.med)
		if it.of > 1 {
			lo, hi := trY(it.lo), trY(it.hi)
			cap := half / 3
			c.StrokeLine2(whisker, x, lo, x, hi)
			c.StrokeLine2(whisker, x-cap, lo, x+cap, lo)
			c.StrokeLine2(whisker, x-cap, hi, x+cap, hi)
			top = max(top, hi)
		}
		label := b.format(it.med)
		if it.n < it.of {
			label += fmt.Sprintf(" (%d of %d runs)", it.n, it.of)
		}
		c.FillText(ls, vg.Point{X: x, Y: top + vg.Points(3)}, label)
	}
}

// DataRange implements plot.DataRanger, with room above the highest bar
// for its label.
func (b bars) DataRange() (xmin, xmax, ymin, ymax float64) {
	for _, it := range b.items {
		if it.ok {
			ymax = math.Max(ymax, math.Max(it.hi, it.med))
		}
	}
	if ymax == 0 {
		ymax = 1
	}
	return -0.5, float64(len(b.items)) - 0.5, 0, ymax * 1.15
}
