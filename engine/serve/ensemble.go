package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/models"
)

// message is one chat turn, as both APIs send it.
type message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// chatBench asks chats: each question's system message as the system
// prompt, its turns as the user prompt, and the ensemble's extractor for
// the votes.
type chatBench struct {
	benchmark.Benchmark                   // jsonl with the ensemble's extractor
	systems             map[string]string // item id -> system prompt
}

func (b chatBench) Prompt(it benchmark.Item) benchmark.Prompt {
	return benchmark.Prompt{System: b.systems[it.ID], User: it.Question}
}

func chatBenchFor(e *Ensemble, systems map[string]string) (chatBench, error) {
	x := e.Extractor
	if x == "" || x == "auto" {
		x = "general"
	}
	b, err := benchmark.New("jsonl", benchmark.Config{Extractor: x})
	return chatBench{Benchmark: b, systems: systems}, err
}

// promptOf turns a chat into a system prompt and one user prompt: a single
// user turn is sent as it is; a longer history is laid out turn by turn,
// the last user turn last.
func promptOf(msgs []message) (system, user string, err error) {
	var turns []message
	for _, m := range msgs {
		switch m.Role {
		case "system":
			system = strings.TrimSpace(strings.Join([]string{system, m.Content}, "\n"))
		case "user", "assistant", "tool":
			turns = append(turns, m)
		default:
			return "", "", fmt.Errorf("%w: messages: unknown role %q (system, user, assistant or tool)", errBadRequest, m.Role)
		}
	}
	if len(turns) == 0 || turns[len(turns)-1].Role != "user" {
		return "", "", fmt.Errorf("%w: messages: the last message must be the user's question", errBadRequest)
	}
	if len(turns) == 1 {
		return system, strings.TrimSpace(turns[0].Content), nil
	}
	var sb strings.Builder
	for _, t := range turns {
		fmt.Fprintf(&sb, "%s: %s\n\n", strings.ToUpper(t.Role[:1])+t.Role[1:], t.Content)
	}
	sb.WriteString("Assistant:")
	return system, sb.String(), nil
}

// Reply is an ensemble's answer: the content to return and the "slmmux"
// object every response carries.
type Reply struct {
	Content      string
	PromptTokens int
	Tokens       int // output tokens of every sample
	Info         Info
	Wall         time.Duration
}

// Info is the "slmmux" object of a response.
type Info struct {
	Ensemble   string       `json:"ensemble"`
	Model      string       `json:"model"` // the winner; "" when no model answered
	Answer     string       `json:"answer"`
	Confidence float64      `json:"confidence"`
	Members    []MemberInfo `json:"members"`
}

// MemberInfo is one member model's part.
type MemberInfo struct {
	Model   string   `json:"model"`
	Answer  string   `json:"answer"`
	Votes   int      `json:"votes"`
	K       int      `json:"k"`
	Answers []string `json:"answers"`
	Samples []string `json:"samples,omitempty"`
	Tokens  int      `json:"tokens"`
	Error   string   `json:"error,omitempty"`
}

// errBadRequest marks a request an ensemble cannot answer as sent: 400.
var errBadRequest = errors.New("bad request")

// errQueueFull is answered with 503 and Retry-After.
var errQueueFull = errors.New("too many requests waiting")

// answer runs SLM-MUX for one chat. Requests wait their turn (the members
// own the daemon's memory while they run), at most MaxQueue of them.
func (s *Server) answer(ctx context.Context, e *Ensemble, msgs []message, opts map[string]any) (Reply, error) {
	if len(msgs) == 0 {
		return Reply{}, fmt.Errorf("%w: messages: empty; send at least the user's question", errBadRequest)
	}
	system, user, err := promptOf(msgs)
	if err != nil {
		return Reply{}, err
	}
	s.mu.Lock()
	if s.waiting >= s.cfg.MaxQueue {
		s.mu.Unlock()
		return Reply{}, errQueueFull
	}
	s.waiting++
	s.mu.Unlock()
	defer func() { s.mu.Lock(); s.waiting--; s.mu.Unlock() }()
	if s.cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.cfg.Timeout)
		defer cancel()
	}
	samp, err := applyOptions(e.Sampling, opts)
	if err != nil {
		return Reply{}, err
	}
	ans, err := s.ask(ctx, e, samp, system, user)
	for _, m := range ans.Models {
		n := 0
		for _, r := range m.Responses {
			if r != "" {
				n++
			}
		}
		s.metrics.samples.WithLabelValues(m.Model).Add(float64(n))
	}
	s.metrics.loads.Add(float64(ans.Loads))
	if err != nil && (ans.Models == nil || errors.Is(err, models.ErrUnavailable)) {
		return Reply{}, err
	}
	return reply(e, ans), nil
}

// reply builds the content: the winning model's first sample whose answer
// is the winning answer, a whole natural reply.
func reply(e *Ensemble, ans engine.Answer) Reply {
	r := Reply{Info: Info{Ensemble: e.Name, Model: ans.Model, Answer: ans.Answer, Confidence: ans.Confidence}, Wall: ans.Wall,
		Content: ans.Reply} // set by signals other than consistency (embedding: the medoid)
	for _, m := range ans.Models {
		r.Tokens += m.Tokens
		r.PromptTokens += m.PromptTokens
		r.Info.Members = append(r.Info.Members, MemberInfo{Model: m.Model, Answer: m.Answer, Votes: m.Votes, K: m.Samples,
			Answers: m.Answers, Samples: m.Responses, Tokens: m.Tokens, Error: m.Error})
		if m.Model == ans.Model && r.Content == "" {
			for j, a := range m.Answers {
				if a == ans.Answer {
					r.Content = m.Responses[j]
					break
				}
			}
		}
	}
	if ans.Model == "" {
		r.Content = "No model of the ensemble gave an answer that could be read (see the slmmux object for each model's replies)."
	}
	return r
}

// applyOptions takes the request's options that SLM-MUX honours: seed,
// temperature and num_predict (the ensemble's k stays).
func applyOptions(s engine.Sampling, opts map[string]any) (engine.Sampling, error) {
	for k, v := range opts {
		f, ok := v.(float64)
		if !ok {
			continue
		}
		switch k {
		case "temperature":
			s.Temperature = f
		case "seed":
			s.Seed = int(f)
		case "num_predict", "max_tokens":
			s.NumPredict = int(f)
		}
	}
	if err := s.Validate(); err != nil {
		return s, fmt.Errorf("options: %w", err)
	}
	return s, nil
}

// answerOrFail answers, or writes the error in the API's shape and
// reports false (also when the client has left).
func (s *Server) answerOrFail(w http.ResponseWriter, r *http.Request, e *Ensemble, msgs []message, opts map[string]any) (Reply, bool) {
	rep, err := s.answer(r.Context(), e, msgs, opts)
	if err == nil {
		return rep, true
	}
	if r.Context().Err() != nil {
		return rep, false // the client left
	}
	code := status(err)
	if code == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	s.fail(w, r, code, strings.TrimPrefix(err.Error(), errBadRequest.Error()+": "))
	return rep, false
}

// status maps an answering error to an HTTP status.
func status(err error) int {
	switch {
	case errors.Is(err, errQueueFull):
		return http.StatusServiceUnavailable
	case errors.Is(err, models.ErrUnavailable):
		return http.StatusBadGateway
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout
	case errors.Is(err, engine.ErrInvalid), errors.Is(err, errBadRequest):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
