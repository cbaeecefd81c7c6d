package ollama

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/slmmux/slmmux/models"
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

// WriteRows writes s for a person as "label\tvalue" rows, for a
// tabwriter: the version, address and loaded models, what the version
// offers, or how to reach a daemon that does not answer.
func (s Status) WriteRows(w io.Writer) {
	if !s.Reachable {
		fmt.Fprintf(w, "Ollama\tnot reachable at %s: start it with `ollama serve` or set OLLAMA_HOST\n", cmp.Or(s.Host, DefaultHost))
		return
	}
	v := s.Version
	if v == "0.0.0" {
		v = "version unknown (0.0.0: built from source)"
	}
	fmt.Fprintf(w, "Ollama\t%s at %s, %d model(s) loaded\n", v, s.Host, len(s.Running))
	switch has, known := VersionAtLeast(s.Version, FeatureLogprobs.Since); {
	case !known:
		fmt.Fprintf(w, "  features\tunknown for this build (logprobs need %s or later)\n", FeatureLogprobs.Since)
	case has:
		fmt.Fprintf(w, "  features\tlogprobs\n")
	default:
		fmt.Fprintf(w, "  features\tno logprobs (they need Ollama %s or later)\n", FeatureLogprobs.Since)
	}
	for _, r := range s.Running {
		fmt.Fprintf(w, "  %s\t%s (%s in VRAM)\n", r.Name, models.FormatBytes(r.SizeBytes), models.FormatBytes(r.VRAMBytes))
	}
}
