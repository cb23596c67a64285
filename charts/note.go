package charts

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// note writes a line of grey text in the middle of a panel: it says why a
// panel is empty instead of leaving the reader to guess.
type note string

// Plot implements plot.Plotter.
func (n note) Plot(c draw.Canvas, _ *plot.Plot) {
	s := textStyle(sansFont, labelSize, greyText)
	s.XAlign, s.YAlign = draw.XCenter, draw.YCenter
	c.FillText(s, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: (c.Min.Y + c.Max.Y) / 2}, string(n))
}

// emptyPanel gives p a fixed range and the text why it has no data.
func emptyPanel(p *plot.Plot, why string) {
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	p.X.Tick.Marker = plot.ConstantTicks{}
	p.Y.Tick.Marker = plot.ConstantTicks{}
	p.Add(note(why))
}
