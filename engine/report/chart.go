package report

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// Series is one line of a LineChart or one bar colour of a BarChart.
type Series struct {
	Name   string
	X      []float64 // LineChart only
	Y      []float64 // NaN: no point
	Err    []float64 // optional ± error bar half-widths
	Dashed bool      // LineChart only
	Color  string    // CSS colour; "" takes the palette's next
	Colors []string  // BarChart only: per-bar colours overriding Color
}

// LineChart is a line chart over numeric x with markers, optional error
// bars and a legend. The zero size is 520×320.
type LineChart struct {
	Title, XLabel, YLabel string
	Series                []Series
	Percent               bool // y values are shares, labelled as percentages
	IntegerX              bool // x ticks at whole numbers only (also implied by whole x values)
	Width, Height         int
}

// BarChart is a grouped vertical bar chart: one group per category, one
// bar per series, with optional error bars.
type BarChart struct {
	Title, YLabel string
	Categories    []string
	Series        []Series
	Percent       bool
	Width, Height int
}

// palette is Okabe–Ito, distinguishable with colour-vision deficiencies.
var palette = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999", "#000000"}

func color(i int) string { return palette[i%len(palette)] }

// colorOf is series i's colour.
func colorOf(series []Series, i int) string {
	if c := series[i].Color; c != "" {
		return c
	}
	return color(i)
}

// frame is a chart's plotting area and scales.
type frame struct {
	w, h                     float64
	left, right, top, bottom float64
	x0, x1, y0, y1           float64 // data ranges
	b                        strings.Builder
}

func (f *frame) px(x float64) float64 {
	return f.left + (x-f.x0)/(f.x1-f.x0)*(f.w-f.left-f.right)
}

func (f *frame) py(y float64) float64 {
	return f.h - f.bottom - (y-f.y0)/(f.y1-f.y0)*(f.h-f.top-f.bottom)
}

func (f *frame) printf(format string, args ...any) { fmt.Fprintf(&f.b, format, args...) }

func esc(s string) string { return html.EscapeString(s) }

// open starts the <svg> element with a title, a legend row and the y axis.
func (f *frame) open(title, ylabel string, series []Series, percent bool, yticks []float64) {
	f.printf(`<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-label="%s" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="12">`,
		f.w, f.h, f.w, f.h, esc(title))
	f.printf(`<title>%s</title><rect width="100%%" height="100%%" fill="#fff"/>`, esc(title))
	f.printf(`<text x="%g" y="18" font-size="14" font-weight="600" fill="#222">%s</text>`, f.left, esc(title))
	for i, it := range f.legend(series) {
		if series[i].Name == "" {
			continue
		}
		dash := ""
		if series[i].Dashed {
			dash = ` stroke-dasharray="5 3"`
		}
		f.printf(`<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="%s" stroke-width="3"%s/><text x="%g" y="%g" fill="#333">%s</text>`,
			it.x, it.y, it.x+18, it.y, esc(colorOf(series, i)), dash, it.x+22, it.y+4, esc(series[i].Name))
	}
	for _, t := range yticks {
		y := f.py(t)
		f.printf(`<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="#e5e5e5"/>`, f.left, y, f.w-f.right, y)
		f.printf(`<text x="%g" y="%.1f" text-anchor="end" fill="#555">%s</text>`, f.left-6, y+4, tickLabel(t, yticks, percent))
	}
	f.printf(`<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#333"/>`, f.left, f.top, f.left, f.h-f.bottom)
	f.printf(`<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#333"/>`, f.left, f.h-f.bottom, f.w-f.right, f.h-f.bottom)
	cy := (f.top + f.h - f.bottom) / 2
	f.printf(`<text transform="translate(13 %.1f) rotate(-90)" text-anchor="middle" fill="#333">%s</text>`, cy, esc(ylabel))
}

// legendPos is where one legend entry starts.
type legendPos struct{ x, y float64 }

// legend lays the entries out in rows under the title, wrapping at the
// right edge.
func (f *frame) legend(series []Series) []legendPos {
	out := make([]legendPos, len(series))
	x, y := f.left, 34.0
	for i, s := range series {
		if s.Name == "" {
			out[i] = legendPos{x, y}
			continue
		}
		wd := 38 + 7.2*float64(len([]rune(s.Name)))
		if x > f.left && x+wd > f.w-f.right {
			x, y = f.left, y+17
		}
		out[i] = legendPos{x, y}
		x += wd
	}
	return out
}

// fitLegend moves the plot down by the legend's extra rows, or up when
// no series is named.
func (f *frame) fitLegend(series []Series) {
	named := false
	for _, s := range series {
		named = named || s.Name != ""
	}
	if !named {
		f.top -= 16
		return
	}
	pos := f.legend(series)
	f.top += pos[len(pos)-1].y - 34
}

func (f *frame) close() template.HTML {
	f.b.WriteString(`</svg>`)
	return template.HTML(f.b.String()) // every text node went through esc
}

// errBar draws a vertical ± bar with caps at x around y.
func (f *frame) errBar(x, y, e float64, col string) {
	if e <= 0 || math.IsNaN(e) {
		return
	}
	lo, hi := f.py(y-e), f.py(y+e)
	f.printf(`<path d="M%.1f %.1fV%.1fM%.1f %.1fh8M%.1f %.1fh8" stroke="%s" stroke-width="1.2" fill="none"/>`,
		x, lo, hi, x-4, lo, x-4, hi, col)
}

// yRange returns nice y ticks covering every value ± its error. Shares
// stay within [0, 1]; zero is included when zeroBase is set.
func yRange(series []Series, percent, zeroBase bool) []float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range series {
		for i, y := range s.Y {
			if math.IsNaN(y) {
				continue
			}
			e := 0.0
			if i < len(s.Err) && !math.IsNaN(s.Err[i]) {
				e = s.Err[i]
			}
			lo, hi = math.Min(lo, y-e), math.Max(hi, y+e)
		}
	}
	if math.IsInf(lo, 1) {
		lo, hi = 0, 1
	}
	if zeroBase {
		lo = math.Min(lo, 0)
	}
	if hi-lo < 1e-9 {
		lo, hi = lo-0.05, hi+0.05
	}
	pad := (hi - lo) * 0.08
	if !zeroBase || lo < 0 {
		lo -= pad
	}
	hi += pad
	if percent {
		lo, hi = math.Max(lo, 0), math.Min(hi, 1)
	}
	return niceTicks(lo, hi, 5, false)
}

// niceTicks returns about n ticks spanning [lo, hi] at a step of 1, 2, 2.5
// or 5 × 10^e (whole numbers only when integer is set).
func niceTicks(lo, hi float64, n int, integer bool) []float64 {
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if step = m * mag; step >= raw {
			break
		}
	}
	if integer {
		step = math.Max(1, math.Round(step))
	}
	start := math.Floor(lo/step+1e-9) * step
	var out []float64
	for t := start; t <= hi+step*(1-1e-9); t += step {
		out = append(out, math.Round(t/step)*step)
	}
	return out
}

func tickLabel(t float64, ticks []float64, percent bool) string {
	step := 1.0
	if len(ticks) > 1 {
		step = ticks[1] - ticks[0]
	}
	if percent {
		t, step = t*100, step*100
	}
	dec := 0
	for d := step; d < 1-1e-9 && dec < 4; d *= 10 {
		dec++
	}
	if x := step * math.Pow(10, float64(dec)); math.Abs(x-math.Round(x)) > 1e-6 {
		dec++ // a step of 2.5
	}
	s := fmt.Sprintf("%.*f", dec, t)
	if percent {
		s += "%"
	}
	return s
}

func sizeOr(w, h int) (float64, float64) {
	if w == 0 {
		w = 520
	}
	if h == 0 {
		h = 320
	}
	return float64(w), float64(h)
}
