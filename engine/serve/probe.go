package serve

import (
	"context"
	"net/http"
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
