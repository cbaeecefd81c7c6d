package ollama

import (
	"context"
	"errors"
	"time"

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

func (c *Client) generateOnce(ctx context.Context, greq *api.GenerateRequest) (models.Result, error) {
	var out models.Result
	err := c.api.Generate(ctx, greq, func(r api.GenerateResponse) error {
		out = fromGenerateResponse(r)
		return nil
	})
	return out, c.convertErr(ctx, greq.Model, err)
}

// Preload loads model into memory and keeps it for keepAlive (negative:
// until unloaded). It returns the server-reported load time.
func (c *Client) Preload(ctx context.Context, model string, keepAlive time.Duration) (time.Duration, error) {
	res, err := c.Generate(ctx, models.Request{Model: model, KeepAlive: &keepAlive})
	return res.Load, err
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
		Stream: &stream, Options: toOptions(req.Options),
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
	if o.Seed != nil {
		m["seed"] = *o.Seed
	}
	if o.NumPredict != 0 {
		m["num_predict"] = o.NumPredict
	}
	if o.NumCtx > 0 {
		m["num_ctx"] = o.NumCtx
	}
	if len(o.Stop) > 0 {
		m["stop"] = o.Stop
	}
	return m
}

func fromGenerateResponse(r api.GenerateResponse) models.Result {
	return models.Result{
		Model: r.Model, Text: r.Response, DoneReason: r.DoneReason,
		PromptTokens: r.PromptEvalCount, OutputTokens: r.EvalCount,
		Total: r.TotalDuration, Load: r.LoadDuration,
		PromptEval: r.PromptEvalDuration, Eval: r.EvalDuration,
	}
}
