package models

import "time"

// Options are the sampling and runner settings of one generation. A nil
// pointer or zero value means "the backend's default"; Seed is a pointer so
// that seed 0 can be sent explicitly.
type Options struct {
	Temperature *float64
	TopP        *float64
	TopK        int
	// RepeatPenalty scales down tokens seen in the last 64 (prompt
	// included); nil = the backend's default (1.1 in Ollama), 1 = off.
	RepeatPenalty *float64
	Seed          *int
	NumPredict    int      // maximum tokens to generate; 0 = backend default
	NumCtx        int      // context window; a change reloads the model in Ollama
	NumThread     int      // CPU threads of the runner; 0 = backend default; a change reloads the model
	Stop          []string // stop sequences
}

// Request is one generation: a model, a prompt with an optional system
// message, and options. KeepAlive, when non-nil, tells the backend how long
// to keep the model loaded afterwards (0 unloads it, negative keeps it).
type Request struct {
	Model     string
	System    string
	Prompt    string
	Options   Options
	KeepAlive *time.Duration
	// Logprobs asks for each generated token's log-probability
	// (Result.Logprobs); backends without them fail the request.
	Logprobs bool
}

// Result is one completed generation.
type Result struct {
	Model        string
	Text         string
	DoneReason   string        // "stop", "length", ...
	PromptTokens int           // prompt tokens evaluated (0 when served from cache)
	OutputTokens int           // tokens generated
	Total        time.Duration // server-reported total time
	Load         time.Duration // server-reported load time; large when the model was (re)loaded
	PromptEval   time.Duration
	Eval         time.Duration
	// Logprobs holds each generated token's log-probability, when the
	// request asked for them (Ollama: log-softmax of the raw logits, the
	// end token excluded).
	Logprobs []TokenLogprob
}

// TokenLogprob is one generated token and its log-probability.
type TokenLogprob struct {
	Token   string
	Logprob float64
}

// Float is a convenience for optional float options.
func Float(v float64) *float64 { return &v }

// Int is a convenience for optional int options (such as Options.Seed).
func Int(v int) *int { return &v }
