package serve

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// openaiRequest is what /v1/chat/completions and /v1/completions requests
// carry that an ensemble uses; the options are checked as Ollama's are
// (applyOptions).
type openaiRequest struct {
	Model       string          `json:"model"`
	Messages    []chatMessage   `json:"messages"`
	Prompt      string          `json:"prompt"`
	Stream      bool            `json:"stream"`
	Temperature json.RawMessage `json:"temperature"`
	Seed        json.RawMessage `json:"seed"`
	MaxTokens   json.RawMessage `json:"max_tokens"`
}

func (q openaiRequest) options() map[string]json.RawMessage {
	o := map[string]json.RawMessage{}
	for k, v := range map[string]json.RawMessage{"temperature": q.Temperature, "seed": q.Seed, "max_tokens": q.MaxTokens} {
		if v != nil {
			o[k] = v
		}
	}
	return o
}

func (s *Server) openaiChat(w http.ResponseWriter, r *http.Request) {
	var req openaiRequest
	e, ok := s.ensembleRequest(w, r, &req, func() string { return req.Model })
	if !ok {
		return
	}
	msgs, err := messagesOf(req.Messages)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.openaiAnswer(w, r, req, e, msgs, true)
}

func (s *Server) openaiCompletion(w http.ResponseWriter, r *http.Request) {
	var req openaiRequest
	e, ok := s.ensembleRequest(w, r, &req, func() string { return req.Model })
	if !ok {
		return
	}
	if strings.TrimSpace(req.Prompt) == "" {
		s.fail(w, r, http.StatusBadRequest, "prompt: empty or blank; send the question")
		return
	}
	s.openaiAnswer(w, r, req, e, []message{{Role: "user", Content: req.Prompt}}, false)
}

// openaiAnswer answers in OpenAI's shape: one object, or server-sent
// events ending with "data: [DONE]". usage counts every sample's tokens.
func (s *Server) openaiAnswer(w http.ResponseWriter, r *http.Request, req openaiRequest, e *Ensemble, msgs []message, chat bool) {
	rep, ok := s.answerOrFail(w, r, e, msgs, req.options())
	if !ok {
		return
	}
	id := "slmmux-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	created := time.Now().Unix()
	usage := map[string]int{"prompt_tokens": rep.PromptTokens, "completion_tokens": rep.Tokens, "total_tokens": rep.PromptTokens + rep.Tokens}
	object, choice := "text_completion", map[string]any{"index": 0, "text": rep.Content, "finish_reason": "stop"}
	if chat {
		object, choice = "chat.completion", map[string]any{"index": 0, "message": map[string]string{"role": "assistant", "content": rep.Content}, "finish_reason": "stop"}
	}
	if !req.Stream {
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "object": object, "created": created, "model": req.Model,
			"choices": []any{choice}, "usage": usage, "slmmux": rep.Info})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	event := func(v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "data: %s\n\n", b)
	}
	chunk := func(delta map[string]string, finish any, extra map[string]any) map[string]any {
		c := map[string]any{"index": 0, "finish_reason": finish}
		obj := "text_completion"
		if chat {
			c["delta"], obj = delta, "chat.completion.chunk"
		} else {
			c["text"] = delta["content"]
		}
		out := map[string]any{"id": id, "object": obj, "created": created, "model": req.Model, "choices": []any{c}}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	event(chunk(map[string]string{"role": "assistant", "content": rep.Content}, nil, nil))
	event(chunk(map[string]string{}, "stop", map[string]any{"usage": usage, "slmmux": rep.Info}))
	fmt.Fprint(w, "data: [DONE]\n\n")
}

// openaiModels lists the ensembles and the daemon's models.
func (s *Server) openaiModels(w http.ResponseWriter, r *http.Request) {
	var up struct {
		Data []json.RawMessage `json:"data"`
	}
	if err := s.upstreamJSON(r, "/v1/models", &up); err != nil {
		s.fail(w, r, http.StatusBadGateway, err.Error())
		return
	}
	out := make([]any, 0, len(up.Data)+len(s.cfg.Ensembles))
	for _, e := range s.cfg.Ensembles {
		out = append(out, map[string]any{"id": e.Name, "object": "model", "created": time.Now().Unix(), "owned_by": "slmmux"})
	}
	for _, m := range up.Data {
		out = append(out, m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": out})
}
