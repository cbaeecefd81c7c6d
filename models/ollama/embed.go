package ollama

import (
	"context"
	"fmt"

	"github.com/ollama/ollama/api"

	"github.com/slmmux/slmmux/models"
)

// Embed returns one embedding per text from model through /api/embed
// (Ollama 0.2.6 and later), inputs truncated to the model's context.
// Ollama normalises the vectors to unit length. Of opts only the runner
// options are sent (NumCtx, NumThread): a model that also generates must
// get the same ones, or the daemon reloads it between the two.
func (c *Client) Embed(ctx context.Context, model string, texts []string, opts models.Options) ([][]float32, error) {
	if len(texts) == 0 {
		return nil, nil
	}
	truncate := true
	req := &api.EmbedRequest{Model: model, Input: texts, Truncate: &truncate,
		Options: toOptions(models.Options{NumCtx: opts.NumCtx, NumThread: opts.NumThread})}
	var r api.EmbedResponse
	if err := c.post(ctx, "/api/embed", req, &r); err != nil {
		return nil, c.convertErr(ctx, model, err)
	}
	if len(r.Embeddings) != len(texts) {
		return nil, fmt.Errorf("embed %s: %d embeddings for %d texts", model, len(r.Embeddings), len(texts))
	}
	for i, e := range r.Embeddings {
		if len(e) == 0 {
			return nil, fmt.Errorf("embed %s: text %d: an empty embedding", model, i)
		}
	}
	return r.Embeddings, nil
}
