package ollama

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ollama/ollama/api"

	"github.com/slmmux/slmmux/models"
)

// Generate runs one complete (non-streamed) generation. A busy daemon is
// retried with exponential backoff up to Config.BusyRetries times; the
// waits end early when ctx is cancelled.
func (c *Client) Generate(ctx context.Context, req models.Request) (models.Result, error) {
	greq := toGenerateRequest(req)
	wait := c.backoff
	for attempt := 0; ; attempt++ {
		res, err := c.generateOnce(ctx, greq)
		if err == nil || !errors.Is(err, models.ErrBusy) || attempt >= c.retries {
			return res, err
		}
		select {
		case <-c.sleep(wait):
			wait *= 2
		case <-ctx.Done():
			return models.Result{}, ctx.Err()
		}
	}
}

// generateOnce posts one non-streamed generation. It uses the api
// package's request and response types but not api.Client.Generate, whose
// streaming reader allocates an 8 MiB buffer per call: that doubled the
// client-side time per request (BenchmarkAdapterOverhead).
func (c *Client) generateOnce(ctx context.Context, greq *api.GenerateRequest) (models.Result, error) {
	var r api.GenerateResponse
	if err := c.post(ctx, "/api/generate", greq, &r); err != nil {
		err = c.convertErr(ctx, greq.Model, err)
		if errors.Is(err, models.ErrContextExceeded) {
			n, _ := greq.Options["num_ctx"].(int)
			err = &models.ContextError{Model: greq.Model, NumCtx: n,
				PromptChars: utf8.RuneCountInString(greq.System) + utf8.RuneCountInString(greq.Prompt), Err: err}
		}
		return models.Result{}, err
	}
	return fromGenerateResponse(r), nil
}

// post sends a JSON request and decodes a JSON answer; error answers come
// back as api.StatusError, as the api package reports them.
func (c *Client) post(ctx context.Context, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base.JoinPath(path).String(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var e struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(b, &e)
	if resp.StatusCode >= http.StatusBadRequest {
		if e.Error == "" {
			e.Error = strings.TrimSpace(string(b))
		}
		return api.StatusError{StatusCode: resp.StatusCode, Status: resp.Status, ErrorMessage: e.Error}
	}
	if e.Error != "" {
		return errors.New(e.Error)
	}
	return json.Unmarshal(b, out)
}

// Preload loads req.Model into memory with req's runner options (NumCtx,
// NumThread: different ones would reload it at the first request) and keeps
// it for req.KeepAlive (negative: until unloaded). The prompt is ignored.
func (c *Client) Preload(ctx context.Context, req models.Request) error {
	req.Prompt, req.System = "", ""
	_, err := c.Generate(ctx, req)
	return err
}

// Unload asks the daemon to free model's memory now (keep_alive 0).
func (c *Client) Unload(ctx context.Context, model string) error {
	zero := time.Duration(0)
	_, err := c.Generate(ctx, models.Request{Model: model, KeepAlive: &zero})
	return err
}

func toGenerateRequest(req models.Request) *api.GenerateRequest {
	stream := false
	g := &api.GenerateRequest{
		Model: req.Model, Prompt: req.Prompt, System: req.System,
		Stream: &stream, Options: toOptions(req.Options), Logprobs: req.Logprobs,
	}
	if req.KeepAlive != nil {
		g.KeepAlive = &api.Duration{Duration: *req.KeepAlive}
	}
	return g
}

// toOptions builds the options map; a map (not api.Options) lets seed 0 be
// sent explicitly.
func toOptions(o models.Options) map[string]any {
	m := map[string]any{}
	if o.Temperature != nil {
		m["temperature"] = *o.Temperature
	}
	if o.TopP != nil {
		m["top_p"] = *o.TopP
	}
	if o.TopK > 0 {
		m["top_k"] = o.TopK
	}
	if o.RepeatPenalty != nil {
		m["repeat_penalty"] = *o.RepeatPenalty
	}
	if o.Seed != nil {
		m["seed"] = *o.Seed
	}
	if o.NumPredict != 0 {
		m["num_predict"] = o.NumPredict
	}
	if o.NumCtx > 0 {
		m["num_ctx"] = o.NumCtx
	}
	if o.NumThread > 0 {
		m["num_thread"] = o.NumThread
	}
	if len(o.Stop) > 0 {
		m["stop"] = o.Stop
	}
	return m
}

func fromGenerateResponse(r api.GenerateResponse) models.Result {
	var lps []models.TokenLogprob
	if len(r.Logprobs) > 0 {
		lps = make([]models.TokenLogprob, len(r.Logprobs))
		for i, l := range r.Logprobs {
			lps[i] = models.TokenLogprob{Token: l.Token, Logprob: l.Logprob}
		}
	}
	return models.Result{Logprobs: lps,
		Model: r.Model, Text: r.Response, DoneReason: r.DoneReason,
		PromptTokens: r.PromptEvalCount, OutputTokens: r.EvalCount,
		Total: r.TotalDuration, Load: r.LoadDuration,
		PromptEval: r.PromptEvalDuration, Eval: r.EvalDuration,
	}
}
