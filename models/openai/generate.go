package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/slmmux/slmmux/models"
)

// DefaultTopP is the top_p sent when a request leaves it unset: the OpenAI
// API's own default, sent explicitly so that every server samples alike
// (Ollama's native default is 0.9: give TopP 0.9 for answers equal to it).
const DefaultTopP = 1.0

// chatRequest is /v1/chat/completions' body. Sampling fields are always
// sent (temperature, top_p, penalties); the optional ones when set.
type chatRequest struct {
	Model            string    `json:"model"`
	Messages         []message `json:"messages,omitempty"`
	Prompt           *string   `json:"prompt,omitempty"` // completions
	Stream           bool      `json:"stream"`
	Temperature      float64   `json:"temperature"`
	TopP             float64   `json:"top_p"`
	FrequencyPenalty float64   `json:"frequency_penalty"`
	PresencePenalty  float64   `json:"presence_penalty"`
	N                int       `json:"n"`
	Seed             *int      `json:"seed,omitempty"`
	MaxTokens        *int      `json:"max_tokens,omitempty"`
	Stop             []string  `json:"stop,omitempty"`
	// Logprobs is a bool on chat, an int (top alternatives) on completions.
	Logprobs    any  `json:"logprobs,omitempty"`
	TopLogprobs *int `json:"top_logprobs,omitempty"`
}

type message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// response is both endpoints' answer.
type response struct {
	Model   string `json:"model"`
	Choices []struct {
		Message      *message        `json:"message"`
		Text         *string         `json:"text"`
		FinishReason *string         `json:"finish_reason"`
		Logprobs     json.RawMessage `json:"logprobs"`
	} `json:"choices"`
	Usage struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
	} `json:"usage"`
}

// Generate runs one complete (non-streamed) generation, waiting for a free
// slot of the client's concurrency limit first. Sent explicitly: the
// temperature (1 when unset, the API's default), top_p (DefaultTopP when
// unset), frequency and presence penalties (0), n (1), and the seed,
// max_tokens (Options.NumPredict when positive) and stop when set. The
// OpenAI API cannot carry Options.TopK, RepeatPenalty, NumCtx or
// NumThread, nor KeepAlive: they are not sent, and the server's own
// settings apply. Result.Total is the wall time of the HTTP exchange (the
// API reports no durations); Load and the eval times stay 0.
func (c *Client) Generate(ctx context.Context, req models.Request) (models.Result, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return models.Result{}, ctx.Err()
	}
	defer func() { <-c.sem }()
	body, path := c.toRequest(req)
	wait := c.backoff
	for attempt := 0; ; attempt++ {
		start := c.now()
		var resp response
		err := c.do(ctx, http.MethodPost, path, req.Model, body, &resp)
		if err == nil {
			return c.fromResponse(req, resp, c.now().Sub(start))
		}
		var se *StatusError
		if !errors.Is(err, models.ErrBusy) || attempt >= c.retries || !errors.As(err, &se) {
			return models.Result{}, err
		}
		d := wait
		if se.RetryAfter > 0 {
			d = min(se.RetryAfter, 30*time.Second)
		}
		select {
		case <-c.sleep(d):
			wait *= 2
		case <-ctx.Done():
			return models.Result{}, ctx.Err()
		}
	}
}

func (c *Client) toRequest(req models.Request) (chatRequest, string) {
	o := req.Options
	r := chatRequest{Model: req.Model, Temperature: 1, TopP: DefaultTopP, N: 1, Seed: o.Seed, Stop: o.Stop}
	if o.Temperature != nil {
		r.Temperature = *o.Temperature
	}
	if o.TopP != nil {
		r.TopP = *o.TopP
	}
	if o.NumPredict > 0 {
		n := o.NumPredict
		r.MaxTokens = &n
	}
	if c.endpoint == Completions {
		p := req.Prompt
		if req.System != "" {
			p = req.System + "\n\n" + p
		}
		r.Prompt = &p
		if req.Logprobs {
			r.Logprobs = 1 // the legacy API's count of alternatives; 0 would mean none in Ollama
		}
		return r, "/completions"
	}
	if req.System != "" {
		r.Messages = append(r.Messages, message{Role: "system", Content: req.System})
	}
	r.Messages = append(r.Messages, message{Role: "user", Content: req.Prompt})
	if req.Logprobs {
		zero := 0
		r.Logprobs, r.TopLogprobs = true, &zero
	}
	return r, "/chat/completions"
}

func (c *Client) fromResponse(req models.Request, r response, took time.Duration) (models.Result, error) {
	if len(r.Choices) == 0 {
		return models.Result{}, &StatusError{Code: http.StatusOK, Message: "the answer has no choices", Model: req.Model, Host: c.base.Host}
	}
	ch := r.Choices[0]
	res := models.Result{Model: req.Model, PromptTokens: r.Usage.PromptTokens, OutputTokens: r.Usage.CompletionTokens, Total: took}
	switch {
	case ch.Message != nil:
		res.Text = ch.Message.Content
	case ch.Text != nil:
		res.Text = *ch.Text
	}
	if ch.FinishReason != nil {
		res.DoneReason = *ch.FinishReason
	}
	if req.Logprobs {
		res.Logprobs = parseLogprobs(ch.Logprobs)
	}
	return res, nil
}

// parseLogprobs reads the chat shape ({"content": [{"token", "logprob"}]},
// which Ollama also uses on /v1/completions) and the legacy completions
// shape ({"tokens": [...], "token_logprobs": [...]}). Anything else, or
// none, is nil.
func parseLogprobs(raw json.RawMessage) []models.TokenLogprob {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var lp struct {
		Content []struct {
			Token   string  `json:"token"`
			Logprob float64 `json:"logprob"`
		} `json:"content"`
		Tokens        []string   `json:"tokens"`
		TokenLogprobs []*float64 `json:"token_logprobs"`
	}
	if json.Unmarshal(raw, &lp) != nil {
		return nil
	}
	var out []models.TokenLogprob
	for _, t := range lp.Content {
		out = append(out, models.TokenLogprob{Token: t.Token, Logprob: t.Logprob})
	}
	if out == nil && len(lp.Tokens) == len(lp.TokenLogprobs) {
		for i, t := range lp.Tokens {
			if lp.TokenLogprobs[i] != nil {
				out = append(out, models.TokenLogprob{Token: t, Logprob: *lp.TokenLogprobs[i]})
			}
		}
	}
	return out
}

// do sends one request (a JSON body when in is not nil) to the API path
// and decodes a JSON answer into out; errors come back mapped (see
// convertErr).
func (c *Client) do(ctx context.Context, method, path, model string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.JoinPath(path).String(), body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return c.netErr(ctx, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return c.netErr(ctx, err)
	}
	if resp.StatusCode >= http.StatusBadRequest {
		return c.statusErr(resp, b, model, path)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return &StatusError{Code: resp.StatusCode, Message: "malformed answer: " + c.redact(snippet(b)), Model: model, Host: c.base.Host, Path: path}
	}
	return nil
}

func (c *Client) statusErr(resp *http.Response, b []byte, model, path string) error {
	var e struct {
		Error json.RawMessage `json:"error"`
	}
	msg := ""
	if json.Unmarshal(b, &e) == nil && len(e.Error) > 0 {
		var obj struct {
			Message string `json:"message"`
		}
		var s string
		switch {
		case json.Unmarshal(e.Error, &obj) == nil && obj.Message != "":
			msg = obj.Message
		case json.Unmarshal(e.Error, &s) == nil:
			msg = s
		}
	}
	if msg == "" {
		msg = snippet(b)
	}
	if msg == "" {
		msg = resp.Status
	}
	se := &StatusError{Code: resp.StatusCode, Message: c.redact(msg), Model: model, Host: c.base.Host, Path: path}
	if s := resp.Header.Get("Retry-After"); s != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n >= 0 {
			se.RetryAfter = time.Duration(n) * time.Second
		}
	}
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		return &AuthError{StatusError: se, KeyEnv: c.keyEnv, KeySent: c.key != ""}
	}
	return se
}

// snippet is the start of a body, on one line.
func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}
