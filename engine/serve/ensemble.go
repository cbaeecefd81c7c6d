package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/answer"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/models"
)

// message is one chat turn, its content as text.
type message struct {
	Role    string
	Content string
}

// chatMessage is a chat turn as a client sends it: content a string, null
// or (OpenAI) a list of parts; images (Ollama) a list.
type chatMessage struct {
	Role    string            `json:"role"`
	Content json.RawMessage   `json:"content"`
	Images  []json.RawMessage `json:"images"`
}

// messagesOf reads a chat's turns for an ensemble, which answers text:
// the text parts of a content list are joined with newlines; a part of
// another type, or images, are refused (errBadRequest) naming the fix.
func messagesOf(in []chatMessage) ([]message, error) {
	out := make([]message, 0, len(in))
	for i, m := range in {
		if len(m.Images) > 0 {
			return nil, fmt.Errorf("%w: messages[%d].images: an ensemble answers text only: send the question as text, or ask a model that reads images directly", errBadRequest, i)
		}
		text, err := contentText(m.Content)
		if err != nil {
			return nil, fmt.Errorf("%w: messages[%d].content: %w", errBadRequest, i, err)
		}
		out = append(out, message{Role: m.Role, Content: text})
	}
	return out, nil
}

// contentText is a message's content as text: a string, null (""), or the
// text of a list of text parts, joined with newlines.
func contentText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", nil
	case raw[0] == '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case raw[0] != '[':
		return "", fmt.Errorf("want a string or a list of parts, got %.40s", raw)
	}
	var parts []struct {
		Type string  `json:"type"`
		Text *string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", fmt.Errorf("want a list of parts such as {\"type\": \"text\", \"text\": \"...\"}: %w", err)
	}
	texts := make([]string, 0, len(parts))
	for j, p := range parts {
		if p.Type != "text" || p.Text == nil {
			return "", fmt.Errorf("part %d is of type %q: an ensemble answers text only: send text parts only, or ask a model that reads %q parts directly", j, p.Type, p.Type)
		}
		texts = append(texts, *p.Text)
	}
	return strings.Join(texts, "\n"), nil
}

// textOnly says that e answers text only, and what to do instead.
func textOnly(e *Ensemble) string {
	return fmt.Sprintf("ensemble %s answers text only: send the question as text, or ask a model that reads images directly", e.Name)
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
	if e.kind() != answer.Short {
		x = "general"
	}
	b, err := benchmark.New("jsonl", benchmark.Config{Extractor: x})
	return chatBench{Benchmark: b, systems: systems}, err
}

// kind is the answer kind e's extractor names: auto (the default), code
// or text; the short-answer extractors are Short.
func (e *Ensemble) kind() answer.Kind {
	switch e.Extractor {
	case "", "auto":
		return answer.Auto
	case "code":
		return answer.Code
	case "text":
		return answer.Text
	}
	return answer.Short
}

// promptOf turns a chat into a system prompt and one user prompt: a single
// user turn is sent as it is; a longer history is laid out turn by turn,
// the last user turn last.
func promptOf(msgs []message) (system, user string, err error) {
	var turns []message
	for _, m := range msgs {
		switch m.Role {
		case "system", "developer": // OpenAI's developer messages are its system messages
			system = strings.TrimSpace(strings.Join([]string{system, m.Content}, "\n"))
		case "user", "assistant", "tool":
			turns = append(turns, m)
		default:
			return "", "", fmt.Errorf("%w: messages: unknown role %q (system, developer, user, assistant or tool)", errBadRequest, m.Role)
		}
	}
	if len(turns) == 0 || turns[len(turns)-1].Role != "user" {
		return "", "", fmt.Errorf("%w: messages: the last message must be the user's question", errBadRequest)
	}
	if strings.TrimSpace(turns[len(turns)-1].Content) == "" {
		return "", "", fmt.Errorf("%w: messages: the user's question is blank (content empty or null); send the question", errBadRequest)
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
	Ensemble   string  `json:"ensemble"`
	Model      string  `json:"model"` // the winner; "" when no model answered
	Answer     string  `json:"answer"`
	Confidence float64 `json:"confidence"`
	// Kind is the question's answer kind (short, code or text); Measure
	// how code and text samples were compared (bleu, rouge-l, cosine).
	Kind    answer.Kind    `json:"kind"`
	Measure answer.Measure `json:"measure,omitempty"`
	Members []MemberInfo   `json:"members"`
	// Method is the discussion method of a method ensemble ("": SLM-MUX).
	Method string `json:"method,omitempty"`
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
func (s *Server) answer(ctx context.Context, e *Ensemble, msgs []message, opts map[string]json.RawMessage) (Reply, error) {
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

// reply builds the content: a whole reply of the winning model (its first
// sample with the winning short answer; its medoid sample on a code or
// text question, or under the embedding signal).
func reply(e *Ensemble, ans engine.Answer) Reply {
	r := Reply{Info: Info{Ensemble: e.Name, Model: ans.Model, Answer: ans.Answer, Confidence: ans.Confidence, Kind: ans.Kind, Measure: ans.Measure},
		Wall: ans.Wall, Content: ans.Reply}
	if e.Discussion != nil {
		r.Info.Method = string(e.Discussion.Method)
	}
	for _, m := range ans.Models {
		r.Tokens += m.Tokens
		r.PromptTokens += m.PromptTokens
		r.Info.Members = append(r.Info.Members, MemberInfo{Model: m.Model, Answer: m.Answer, Votes: m.Votes, K: m.Samples,
			Answers: m.Answers, Samples: m.Responses, Tokens: m.Tokens, Error: m.Error})
	}
	if ans.Model == "" {
		r.Content = "No model of the ensemble gave an answer that could be read (see the slmmux object for each model's replies)."
	}
	return r
}

// applyOptions takes the request's options that SLM-MUX honours: seed,
// temperature and num_predict (the ensemble's k stays). One of a wrong
// type, a fraction or a value past int64 where an integer is needed, is
// an error naming it; null leaves the ensemble's setting; other options
// are ignored.
func applyOptions(s engine.Sampling, opts map[string]json.RawMessage) (engine.Sampling, error) {
	for k, raw := range opts {
		if string(bytes.TrimSpace(raw)) == "null" {
			continue
		}
		var err error
		switch k {
		case "temperature":
			if err = json.Unmarshal(raw, &s.Temperature); err != nil {
				err = fmt.Errorf("%w: option %s: want a number, got %.40s", errBadRequest, k, raw)
			}
		case "seed":
			s.Seed, err = intOption(k, raw)
		case "num_predict", "max_tokens":
			s.NumPredict, err = intOption(k, raw)
		}
		if err != nil {
			return s, err
		}
	}
	if err := s.Validate(); err != nil {
		return s, fmt.Errorf("options: %w", err)
	}
	return s, nil
}

// intOption reads option k as a whole number that fits int64.
func intOption(k string, raw json.RawMessage) (int, error) {
	var v int64
	if err := json.Unmarshal(raw, &v); err != nil || int64(int(v)) != v {
		return 0, fmt.Errorf("%w: option %s: want an integer (int64), got %.40s", errBadRequest, k, raw)
	}
	return int(v), nil
}

// badRequest answers 400 with err's message.
func (s *Server) badRequest(w http.ResponseWriter, r *http.Request, err error) {
	s.fail(w, r, http.StatusBadRequest, strings.TrimPrefix(err.Error(), errBadRequest.Error()+": "))
}

// answerOrFail answers, or writes the error in the API's shape and
// reports false (also when the client has left or Abort ended it).
func (s *Server) answerOrFail(w http.ResponseWriter, r *http.Request, e *Ensemble, msgs []message, opts map[string]json.RawMessage) (Reply, bool) {
	rep, err := s.answer(r.Context(), e, msgs, opts)
	if r.Context().Err() != nil {
		s.unfinished(w, r) // the client left, or Abort
		return rep, false
	}
	if err == nil {
		return rep, true
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
