package ollama

import (
	"context"
	"time"
)

// Status is what a daemon says about itself, as `slmmux probe --json`
// shows it (its "daemon" object, docs/formats.md).
type Status struct {
	Host      string         `json:"host"`
	Reachable bool           `json:"reachable"`
	Version   string         `json:"version,omitempty"`
	Running   []RunningModel `json:"running"`
	Error     string         `json:"error,omitempty"`
}

// RunningModel is a loaded model in a Status.
type RunningModel struct {
	Name      string `json:"name"`
	SizeBytes int64  `json:"size_bytes"`
	VRAMBytes int64  `json:"vram_bytes"`
}

// Status asks the daemon for its version and loaded models, waiting at
// most timeout: a daemon that does not answer is a Status with its Error,
// not an error.
func (c *Client) Status(ctx context.Context, timeout time.Duration) Status {
	s := Status{Host: c.Host(), Running: []RunningModel{}}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	v, err := c.Version(ctx)
	if err != nil {
		s.Error = err.Error()
		return s
	}
	s.Version, s.Reachable = v, true
	if run, err := c.Running(ctx); err == nil {
		for _, r := range run {
			s.Running = append(s.Running, RunningModel{r.Name, r.SizeBytes, r.VRAMBytes})
		}
	}
	return s
}
