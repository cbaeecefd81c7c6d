package openai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/slmmux/slmmux/models"
)

// Models lists the ids of the models the server serves (GET /v1/models),
// sorted.
func (c *Client) Models(ctx context.Context) ([]string, error) {
	var r struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	cctx, cancel := context.WithTimeout(ctx, c.calls)
	defer cancel()
	if err := c.do(cctx, http.MethodGet, "/models", "", nil, &r); err != nil {
		if ctx.Err() == nil && errors.Is(cctx.Err(), context.DeadlineExceeded) {
			return nil, &UnavailableError{Host: c.base.Host, Err: fmt.Errorf("no answer within %v", c.calls)}
		}
		return nil, err
	}
	out := make([]string, 0, len(r.Data))
	for _, m := range r.Data {
		if m.ID != "" {
			out = append(out, m.ID)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Installed lists the served models as models.Info with their names only:
// the API reports no digest, size or architecture.
func (c *Client) Installed(ctx context.Context) ([]models.Info, error) {
	ids, err := c.Models(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]models.Info, len(ids))
	for i, id := range ids {
		out[i] = models.Info{Name: id}
	}
	return out, nil
}
