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
	// Logprobs asks for each output token's log-probability; a backend
	// that cannot return them leaves Result.Logprobs nil.
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
	// Logprobs holds each output token with its log-probability, when the
	// request asked for them and the backend returned them; else nil.
	Logprobs []TokenLogprob
}

// TokenLogprob is one output token and its natural-log probability.
type TokenLogprob struct {
	Token   string
	Logprob float64
}

// Float is a convenience for optional float options.
func Float(v float64) *float64 { return &v }

// Int is a convenience for optional int options (such as Options.Seed).
func Int(v int) *int { return &v }

// DefaultPins are the values an Ollama daemon applied, up to v0.32.9, to a
// model whose Modelfile sets none (v0.32.10 changed repeat_penalty's
// default to 1.0), and num_predict -1 (no cap). A request slmmux makes
// sends them rather than leave them to the daemon, so a run samples the
// same way on an old and a new daemon.
var DefaultPins = Options{TopK: 40, TopP: Float(0.9), RepeatPenalty: Float(1.1), NumPredict: -1, NumCtx: 2048}

// Pinned returns o with every sampling option slmmux relies on set: o's
// own value, else the model's (own: its Modelfile's parameters), else
// DefaultPins. Temperature and Seed are o's (slmmux always sets them);
// NumThread and Stop are left as they are.
func (o Options) Pinned(own Options) Options {
	if o.TopP == nil {
		o.TopP = firstFloat(own.TopP, DefaultPins.TopP)
	}
	if o.RepeatPenalty == nil {
		o.RepeatPenalty = firstFloat(own.RepeatPenalty, DefaultPins.RepeatPenalty)
	}
	if o.Temperature == nil && own.Temperature != nil {
		o.Temperature = Float(*own.Temperature)
	}
	o.TopK = firstInt(o.TopK, own.TopK, DefaultPins.TopK)
	o.NumPredict = firstInt(o.NumPredict, own.NumPredict, DefaultPins.NumPredict)
	o.NumCtx = firstInt(o.NumCtx, own.NumCtx, DefaultPins.NumCtx)
	return o
}

func firstFloat(vs ...*float64) *float64 {
	for _, v := range vs {
		if v != nil {
			return Float(*v)
		}
	}
	return nil
}

func firstInt(vs ...int) int {
	for _, v := range vs {
		if v != 0 {
			return v
		}
	}
	return 0
}
