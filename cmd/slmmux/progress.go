package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/slmmux/slmmux/engine"
)

// progress renders Eval's advance: a bar (items, samples/s, ETA) on a
// terminal, a log line every few seconds otherwise. schollz/progressbar is
// a small, thread-safe bar that needs no TUI runtime.
type progress struct {
	w       io.Writer
	bar     *progressbar.ProgressBar
	perItem int
	items   int
	mu      sync.Mutex
	start   time.Time
	last    time.Time
	first   int // samples stored before this call
	seen    bool
	latest  engine.Progress
}

func newProgress(w io.Writer, items, perItem int) *progress {
	p := &progress{w: w, perItem: max(perItem, 1), items: items, start: time.Now(), last: time.Now()}
	if isTerminal(w) {
		p.bar = progressbar.NewOptions(items*p.perItem,
			progressbar.OptionSetWriter(w), progressbar.OptionSetDescription("samples"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("samples"),
			progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish())
	}
	return p
}

func (p *progress) update(e engine.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.seen {
		p.first, p.seen = e.Done-1, true
	}
	p.latest = e
	if p.bar != nil {
		if e.Total != p.bar.GetMax() {
			p.bar.ChangeMax(e.Total) // adaptive sampling skipped samples
		}
		_ = p.bar.Set(e.Done)
		return
	}
	if time.Since(p.last) >= 5*time.Second || e.Done == e.Total {
		p.last = time.Now()
		fmt.Fprintln(p.w, p.line(e))
	}
}

func (p *progress) line(e engine.Progress) string {
	el := time.Since(p.start).Seconds()
	rate := float64(e.Done-p.first) / el
	eta := "?"
	if rate > 0 {
		eta = time.Duration(float64(e.Total-e.Done) / rate * float64(time.Second)).Round(time.Second).String()
	}
	if e.Total < p.items*p.perItem { // adaptive sampling: the total shrinks as samples are not needed
		return fmt.Sprintf("progress: %d/%d samples (%d not needed so far), %.1f samples/s, ETA %s, failed %d, model %s",
			e.Done, e.Total, p.items*p.perItem-e.Total, rate, eta, e.Failed, e.Model)
	}
	return fmt.Sprintf("progress: %d/%d items, %d/%d samples, %.1f samples/s, ETA %s, failed %d, model %s",
		e.Done/p.perItem, e.Total/p.perItem, e.Done, e.Total, rate, eta, e.Failed, e.Model)
}

func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
