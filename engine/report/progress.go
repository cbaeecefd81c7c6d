package report

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Progress renders a collection's advance: a bar (samples, samples/s, ETA)
// on a terminal, a line every few seconds otherwise. schollz/progressbar
// is a small, thread-safe bar that needs no TUI runtime.
type Progress struct {
	w       io.Writer
	bar     *progressbar.ProgressBar
	perItem int
	items   int
	mu      sync.Mutex
	start   time.Time
	last    time.Time
	first   int // samples stored before this call
	seen    bool
}

// NewProgress renders to w the progress of items items with perItem
// samples each; terminal chooses the bar.
func NewProgress(w io.Writer, terminal bool, items, perItem int) *Progress {
	p := &Progress{w: w, perItem: max(perItem, 1), items: items, start: time.Now(), last: time.Now()}
	if terminal {
		p.bar = progressbar.NewOptions(items*p.perItem,
			progressbar.OptionSetWriter(w), progressbar.OptionSetDescription("samples"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("samples"),
			progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish())
	}
	return p
}

// Update shows that done of total samples are stored (failed failed),
// model being the latest one's; it is safe for concurrent use.
func (p *Progress) Update(done, total, failed int, model string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.seen {
		p.first, p.seen = done-1, true
	}
	if p.bar != nil {
		if total != p.bar.GetMax() {
			p.bar.ChangeMax(total) // adaptive sampling skipped samples
		}
		_ = p.bar.Set(done)
		return
	}
	if time.Since(p.last) >= 5*time.Second || done == total {
		p.last = time.Now()
		fmt.Fprintln(p.w, p.line(done, total, failed, model))
	}
}

func (p *Progress) line(done, total, failed int, model string) string {
	rate := float64(done-p.first) / time.Since(p.start).Seconds()
	eta := "?"
	if rate > 0 {
		eta = time.Duration(float64(total-done) / rate * float64(time.Second)).Round(time.Second).String()
	}
	if total < p.items*p.perItem { // adaptive sampling: the total shrinks as samples are not needed
		return fmt.Sprintf("progress: %d/%d samples (%d not needed so far), %.1f samples/s, ETA %s, failed %d, model %s",
			done, total, p.items*p.perItem-total, rate, eta, failed, model)
	}
	return fmt.Sprintf("progress: %d/%d items, %d/%d samples, %.1f samples/s, ETA %s, failed %d, model %s",
		done/p.perItem, total/p.perItem, done, total, rate, eta, failed, model)
}

// Finish ends the bar.
func (p *Progress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
