package serve

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/slmmux/slmmux/models"
)

// ollamaRequest is what /api/chat and /api/generate requests carry that an
// ensemble uses; other fields are accepted and ignored.
type ollamaRequest struct {
	Model    string                     `json:"model"`
	Messages []chatMessage              `json:"messages"`
	Prompt   string                     `json:"prompt"`
	System   string                     `json:"system"`
	Images   []json.RawMessage          `json:"images"`
	Stream   *bool                      `json:"stream"`
	Options  map[string]json.RawMessage `json:"options"`
}

func (s *Server) ollamaChat(w http.ResponseWriter, r *http.Request) {
	var req ollamaRequest
	e, ok := s.ensembleRequest(w, r, &req, func() string { return req.Model })
	if !ok {
		return
	}
	msgs, err := messagesOf(req.Messages)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.ollamaAnswer(w, r, e, req, msgs, "message")
}

func (s *Server) ollamaGenerate(w http.ResponseWriter, r *http.Request) {
	var req ollamaRequest
	e, ok := s.ensembleRequest(w, r, &req, func() string { return req.Model })
	if !ok {
		return
	}
	switch {
	case len(req.Images) > 0:
		s.badRequest(w, r, fmt.Errorf("%w: images: %s", errBadRequest, textOnly(e)))
		return
	case req.Prompt != "" && strings.TrimSpace(req.Prompt) == "":
		s.badRequest(w, r, fmt.Errorf("%w: prompt: blank; send the question", errBadRequest))
		return
	case req.Prompt == "":
		// An empty prompt loads a model in Ollama; an ensemble has nothing to load.
		writeJSON(w, http.StatusOK, map[string]any{"model": req.Model, "created_at": time.Now().UTC(), "response": "", "done": true, "done_reason": "load"})
		return
	}
	msgs := []message{{Role: "user", Content: req.Prompt}}
	if req.System != "" {
		msgs = append([]message{{Role: "system", Content: req.System}}, msgs...)
	}
	s.ollamaAnswer(w, r, e, req, msgs, "response")
}

// ollamaAnswer answers in Ollama's framing: one JSON object, or (stream,
// Ollama's default) NDJSON lines, the content then a final done line.
func (s *Server) ollamaAnswer(w http.ResponseWriter, r *http.Request, e *Ensemble, req ollamaRequest, msgs []message, field string) {
	rep, ok := s.answerOrFail(w, r, e, msgs, req.Options)
	if !ok {
		return
	}
	content := func(text string) any {
		if field == "message" {
			return map[string]string{"role": "assistant", "content": text}
		}
		return text
	}
	now := time.Now().UTC()
	final := map[string]any{"model": req.Model, "created_at": now, field: content(""), "done": true, "done_reason": "stop",
		"total_duration": rep.Wall.Nanoseconds(), "eval_count": rep.Tokens, "slmmux": rep.Info}
	if field == "response" {
		final["context"] = []int{}
	}
	if req.Stream != nil && !*req.Stream {
		final[field] = content(rep.Content)
		writeJSON(w, http.StatusOK, final)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	enc := json.NewEncoder(w)
	_ = enc.Encode(map[string]any{"model": req.Model, "created_at": now, field: content(rep.Content), "done": false})
	_ = enc.Encode(final)
}

// ollamaShow describes an ensemble as a model; other models are the
// daemon's.
func (s *Server) ollamaShow(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model string `json:"model"`
		Name  string `json:"name"`
	}
	e, ok := s.ensembleRequest(w, r, &req, func() string { return cmp.Or(req.Model, req.Name) }, "model", "name")
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"modelfile":  fmt.Sprintf("# SLM-MUX ensemble of %v, k=%d", e.Models, e.Sampling.Samples),
		"parameters": fmt.Sprintf("temperature %v\nnum_predict %d", e.Sampling.Temperature, e.Sampling.NumPredict),
		"template":   "{{ .Prompt }}",
		"details": map[string]any{"format": "slmmux", "family": "slmmux", "families": []string{"slmmux"},
			"parameter_size": fmt.Sprintf("%d models", len(e.Models)), "quantization_level": ""},
		"model_info":   map[string]any{"slmmux.members": e.Models, "slmmux.samples": e.Sampling.Samples},
		"capabilities": []string{"completion"},
		"modified_at":  time.Now().UTC(),
	})
}

// ollamaTags lists the daemon's models and the ensembles.
func (s *Server) ollamaTags(w http.ResponseWriter, r *http.Request) {
	var up struct {
		Models []json.RawMessage `json:"models"`
	}
	// An OpenAI-compatible upstream's models are not reachable through
	// Ollama's API here: only the ensembles are listed.
	if !s.cfg.UpstreamOpenAI {
		if err := s.upstreamJSON(r, "/api/tags", &up); err != nil {
			s.fail(w, r, http.StatusBadGateway, err.Error())
			return
		}
	}
	out := make([]any, 0, len(up.Models)+len(s.ensembles))
	for _, e := range s.cfg.Ensembles {
		out = append(out, map[string]any{"name": e.Name, "model": e.Name, "modified_at": time.Now().UTC(), "size": 0,
			"digest": e.digest(), "details": map[string]any{"format": "slmmux", "family": "slmmux", "families": []string{"slmmux"},
				"parameter_size": fmt.Sprintf("%d models", len(e.Models)), "quantization_level": ""}})
	}
	for _, m := range up.Models {
		out = append(out, m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"models": out})
}

// upstreamJSON GETs path from the daemon into v.
func (s *Server) upstreamJSON(r *http.Request, path string, v any) error {
	u := s.upstreamURL(path)
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	if s.cfg.UpstreamOpenAI && s.cfg.UpstreamAPIKey != "" {
		req.Header.Set("Authorization", "Bearer "+s.cfg.UpstreamAPIKey)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s at %s: %w: %w", s.upstreamName(), s.cfg.Upstream.Host, models.ErrUnavailable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s at %s: %s %s", s.upstreamName(), s.cfg.Upstream.Host, u.Path, resp.Status)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(v)
}

// digest identifies an ensemble's definition (clients such as `ollama
// list` show its first 12 characters).
func (e *Ensemble) digest() string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%s|%v|%d|%v|%s", e.Name, e.Models, e.Sampling.Samples, e.Sampling.Temperature, e.Profile)))
	return hex.EncodeToString(h[:])
}
