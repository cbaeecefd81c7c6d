package report

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// SVG renders the chart as one <svg class="chart"> element, standalone
// (it carries its own xmlns, font and colours).
func (c LineChart) SVG() template.HTML {
	w, h := sizeOr(c.Width, c.Height)
	f := &frame{w: w, h: h, left: 64, right: 18, top: 50, bottom: 46}
	f.fitLegend(c.Series)
	yt := yRange(c.Series, c.Percent, false)
	f.y0, f.y1 = yt[0], yt[len(yt)-1]
	xlo, xhi, integer := math.Inf(1), math.Inf(-1), true
	for _, s := range c.Series {
		for _, x := range s.X {
			xlo, xhi = math.Min(xlo, x), math.Max(xhi, x)
			integer = integer && x == math.Round(x)
		}
	}
	if math.IsInf(xlo, 1) {
		xlo, xhi = 0, 1
	}
	if xhi == xlo {
		xlo, xhi = xlo-1, xhi+1
	}
	xt := niceTicks(xlo, xhi, 6, integer || c.IntegerX)
	span := xhi - xlo
	f.x0, f.x1 = xlo-span*0.04, xhi+span*0.04
	f.open(c.Title, c.YLabel, c.Series, c.Percent, yt)
	for _, t := range xt {
		if t < f.x0 || t > f.x1 {
			continue
		}
		x := f.px(t)
		f.printf(`<line x1="%.1f" y1="%g" x2="%.1f" y2="%g" stroke="#333"/>`, x, h-f.bottom, x, h-f.bottom+4)
		f.printf(`<text x="%.1f" y="%g" text-anchor="middle" fill="#555">%s</text>`, x, h-f.bottom+17, tickLabel(t, xt, false))
	}
	f.printf(`<text x="%.1f" y="%g" text-anchor="middle" fill="#333">%s</text>`, (f.left+w-f.right)/2, h-8, esc(c.XLabel))
	for i, s := range c.Series {
		col := esc(colorOf(c.Series, i))
		var path strings.Builder
		pen := "M"
		for j, x := range s.X {
			if j >= len(s.Y) || math.IsNaN(s.Y[j]) {
				pen = "M"
				continue
			}
			fmt.Fprintf(&path, "%s%.1f %.1f", pen, f.px(x), f.py(s.Y[j]))
			pen = "L"
		}
		dash := ""
		if s.Dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		f.printf(`<path class="series" d="%s" stroke="%s" stroke-width="2.2" fill="none"%s/>`, path.String(), col, dash)
		for j, x := range s.X {
			if j >= len(s.Y) || math.IsNaN(s.Y[j]) {
				continue
			}
			y := s.Y[j]
			if j < len(s.Err) {
				f.errBar(f.px(x), y, s.Err[j], col)
			}
			f.printf(`<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s: %s at %s</title></circle>`,
				f.px(x), f.py(y), col, esc(s.Name), valueLabel(y, c.Percent), tickLabel(x, xt, false))
		}
	}
	return f.close()
}

// SVG renders the chart as one <svg class="chart"> element. Long category
// labels are slanted.
func (c BarChart) SVG() template.HTML {
	w, h := sizeOr(c.Width, c.Height)
	const left, right = 64, 12
	longest := 0
	for _, l := range c.Categories {
		longest = max(longest, len([]rune(l)))
	}
	slant := float64(longest)*7.2 > (w-left-right)/float64(max(len(c.Categories), 1))-6
	bottom := 34.0
	if slant {
		bottom = 30 + 5.2*float64(min(longest, 24))
	}
	f := &frame{w: w, h: h, left: left, right: right, top: 50, bottom: bottom}
	f.fitLegend(c.Series)
	yt := yRange(c.Series, c.Percent, true)
	f.y0, f.y1 = yt[0], yt[len(yt)-1]
	f.x0, f.x1 = 0, float64(max(len(c.Categories), 1))
	f.open(c.Title, c.YLabel, c.Series, c.Percent, yt)
	groupW := f.px(1) - f.px(0)
	barW := groupW * 0.8 / float64(max(len(c.Series), 1))
	for ci, label := range c.Categories {
		cx := f.px(float64(ci) + 0.5)
		if slant {
			f.printf(`<text transform="translate(%.1f %g) rotate(-35)" text-anchor="end" fill="#333">%s</text>`, cx+4, h-bottom+14, esc(label))
		} else {
			f.printf(`<text x="%.1f" y="%g" text-anchor="middle" fill="#333">%s</text>`, cx, h-bottom+16, esc(label))
		}
		for si, s := range c.Series {
			if ci >= len(s.Y) || math.IsNaN(s.Y[ci]) {
				continue
			}
			y := s.Y[ci]
			x := f.px(float64(ci)+0.1) + float64(si)*barW
			top, base := f.py(math.Max(y, 0)), f.py(math.Min(y, 0))
			col := colorOf(c.Series, si)
			if ci < len(s.Colors) && s.Colors[ci] != "" {
				col = s.Colors[ci]
			}
			tip := esc(label)
			if s.Name != "" {
				tip += ", " + esc(s.Name)
			}
			f.printf(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s</title></rect>`,
				x+1, top, math.Max(barW-2, 1), math.Max(base-top, 0.5), esc(col), tip, valueLabel(y, c.Percent))
			if ci < len(s.Err) {
				f.errBar(x+barW/2, y, s.Err[ci], "#222")
			}
		}
	}
	return f.close()
}

func valueLabel(v float64, percent bool) string {
	if percent {
		return fmt.Sprintf("%.1f%%", 100*v)
	}
	return fmt.Sprintf("%.4g", v)
}
