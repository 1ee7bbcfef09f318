package bench

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// series is one line of a chart panel.
type series struct {
	name, color string
	dashed      bool
	x, y        []float64
}

// seriesColors are the lines' colours, by name.
var seriesColors = map[string]string{"floor": "#777777", StoreSQLite: "#1f77b4", StorePostgres: "#d62728"}

// Chart renders the concurrency sweep as an SVG image of two panels,
// throughput and p99 against the number of clients, with a line for the
// floor and for each store swept. Without a sweep it is a note saying so.
func (r *Report) Chart() []byte {
	const w, h = 960, 420
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", w, h, w, h)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", w, h)
	swept := r.sweptStores()
	if len(swept) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">no concurrency sweep in this run (--concurrency-sweep)</text>`+"\n", w/2, h/2)
		b.WriteString("</svg>\n")
		return []byte(b.String())
	}
	title := fmt.Sprintf("accountplane bench: %s, %d accounts, %gs per point", r.Settings.SweepOp, r.Settings.Accounts, r.Settings.DurationSeconds)
	fmt.Fprintf(&b, `<text x="%d" y="22" text-anchor="middle" font-size="15" font-weight="bold">%s</text>`+"\n", w/2, html.EscapeString(title))

	var rps, p99 []series
	line := func(name string, dashed bool, pts []SweepPoint, get func(SweepPoint) float64) series {
		s := series{name: name, color: seriesColors[name], dashed: dashed}
		for _, p := range pts {
			s.x = append(s.x, float64(p.Clients))
			s.y = append(s.y, get(p))
		}
		return s
	}
	floorPts := swept[0].Sweep
	rps = append(rps, line("floor", true, floorPts, func(p SweepPoint) float64 { return p.Floor.RPS }))
	p99 = append(p99, line("floor", true, floorPts, func(p SweepPoint) float64 { return p.Floor.P99 / 1e3 }))
	for _, st := range swept {
		rps = append(rps, line(st.Store, false, st.Sweep, func(p SweepPoint) float64 { return p.Target.RPS }))
		p99 = append(p99, line(st.Store, false, st.Sweep, func(p SweepPoint) float64 { return p.Target.P99 / 1e3 }))
	}
	panel(&b, 0, 40, w/2, h-40, "Throughput", "requests/s", rps)
	panel(&b, w/2, 40, w/2, h-40, "p99 latency", "ms", p99)
	b.WriteString("</svg>\n")
	return []byte(b.String())
}

// panel draws one chart at (x0, y0) of size w×h: a log2 axis of clients, a
// linear axis from zero, a line and markers per series, and a legend.
func panel(b *strings.Builder, x0, y0, w, h int, title, unit string, ss []series) {
	const left, right, top, bottom = 70, 20, 30, 50
	px0, py0 := float64(x0+left), float64(y0+top)
	pw, ph := float64(w-left-right), float64(h-top-bottom)

	xmin, xmax, ymax := math.Inf(1), math.Inf(-1), 0.0
	for _, s := range ss {
		for i := range s.x {
			xmin, xmax = math.Min(xmin, s.x[i]), math.Max(xmax, s.x[i])
			ymax = math.Max(ymax, s.y[i])
		}
	}
	step, top2 := niceScale(ymax)
	xpos := func(x float64) float64 {
		if xmax <= xmin {
			return px0 + pw/2
		}
		return px0 + pw*(math.Log2(x)-math.Log2(xmin))/(math.Log2(xmax)-math.Log2(xmin))
	}
	ypos := func(y float64) float64 { return py0 + ph - ph*y/top2 }

	fmt.Fprintf(b, `<text x="%.0f" y="%.0f" text-anchor="middle" font-size="14">%s</text>`+"\n", px0+pw/2, py0-10, html.EscapeString(title))
	// Grid and y labels.
	for y := 0.0; y <= top2*1.0001; y += step {
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e5e5e5"/>`+"\n", px0, ypos(y), px0+pw, ypos(y))
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n", px0-6, ypos(y), compact(y))
	}
	// X ticks at every client count measured.
	seen := map[float64]bool{}
	for _, s := range ss {
		for _, x := range s.x {
			if seen[x] {
				continue
			}
			seen[x] = true
			fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e5e5e5"/>`+"\n", xpos(x), py0, xpos(x), py0+ph)
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", xpos(x), py0+ph+16, strconv.FormatFloat(x, 'f', -1, 64))
		}
	}
	fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="#333"/>`+"\n", px0, py0, pw, ph)
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">clients (closed loop, log scale)</text>`+"\n", px0+pw/2, py0+ph+36)
	fmt.Fprintf(b, `<text transform="translate(%.1f %.1f) rotate(-90)" text-anchor="middle">%s</text>`+"\n", px0-52, py0+ph/2, html.EscapeString(unit))

	for i, s := range ss {
		var pts []string
		for j := range s.x {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", xpos(s.x[j]), ypos(s.y[j])))
		}
		dash := ""
		if s.dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		fmt.Fprintf(b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n", strings.Join(pts, " "), s.color, dash)
		for j := range s.x {
			fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s, %g clients: %s</title></circle>`+"\n",
				xpos(s.x[j]), ypos(s.y[j]), s.color, html.EscapeString(s.name), s.x[j], compact(s.y[j]))
		}
		// Legend, top left inside the plot.
		ly := py0 + 16 + float64(i)*18
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2"%s/>`+"\n", px0+10, ly, px0+34, ly, s.color, dash)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" dominant-baseline="middle">%s</text>`+"\n", px0+40, ly, html.EscapeString(s.name))
	}
}

// niceScale returns a tick step of 1, 2 or 5 times a power of ten and the
// axis top, a multiple of it at or above max, for about five ticks.
func niceScale(max float64) (step, top float64) {
	if max <= 0 || math.IsNaN(max) || math.IsInf(max, 0) {
		return 1, 5
	}
	raw := max / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if step = m * mag; step >= raw {
			break
		}
	}
	return step, math.Ceil(max/step) * step
}

// compact formats an axis value: 12k, 1.5k, 0.25.
func compact(v float64) string {
	switch {
	case v >= 1000:
		return strconv.FormatFloat(v/1000, 'g', 3, 64) + "k"
	case v == math.Trunc(v):
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}
