package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// ProbePath is the route where serve reports the memory budget of the
// machine it runs on, so that a pool on another machine can plan this
// host's memory (a backends: entry without budget: reads it).
const ProbePath = "/api/slmmux/probe"

// Probe is GET /api/slmmux/probe's answer.
type Probe struct {
	// BudgetBytes is the memory models may use here: --budget when serve
	// was given one, else free VRAM (else available RAM) less --margin.
	BudgetBytes    uint64 `json:"budget_bytes"`
	TotalBytes     uint64 `json:"memory_total_bytes"`
	AvailableBytes uint64 `json:"memory_available_bytes"`
	GPUs           int    `json:"gpus"`
	PhysicalCores  int    `json:"physical_cores"`
	Version        string `json:"version"`
}

func (s *Server) probe(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Probe == nil {
		s.fail(w, r, http.StatusNotFound, "this server reports no probe")
		return
	}
	p, err := s.cfg.Probe(r.Context())
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "probe: "+err.Error())
		return
	}
	p.Version = s.cfg.Version
	writeJSON(w, http.StatusOK, p)
}

// ProbeFunc reports the machine's budget for ProbePath.
type ProbeFunc func(ctx context.Context) (Probe, error)

// ProbeStatusError reports a host that answers ProbePath with a status
// other than 200 OK: it is not a server of this package.
type ProbeStatusError struct {
	Base, Status string
}

func (e *ProbeStatusError) Error() string {
	return fmt.Sprintf("%s answers %s to %s", e.Base, e.Status, ProbePath)
}

// RemoteProbe reads the budget of the host at base (an slmmux serve) from
// its ProbePath route through hc, within 10 seconds. A host that answers
// no budget is an error; one that answers another status than 200 OK, a
// *ProbeStatusError.
func RemoteProbe(ctx context.Context, hc *http.Client, base string) (Probe, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var p Probe
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(base, "/")+ProbePath, nil)
	if err != nil {
		return p, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return p, fmt.Errorf("%s answers no %s (%w)", base, ProbePath, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return p, &ProbeStatusError{Base: base, Status: resp.Status}
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&p); err != nil || p.BudgetBytes == 0 {
		return p, fmt.Errorf("%s: %s gave no budget_bytes (%v)", base, ProbePath, err)
	}
	return p, nil
}
