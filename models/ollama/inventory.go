package ollama

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"syscall"

	"github.com/ollama/ollama/api"

	"github.com/slmmux/slmmux/models"
)

// Version returns the daemon's version. A daemon built from source without
// a stamped version answers "0.0.0": treat it as unknown, not as old.
func (c *Client) Version(ctx context.Context) (string, error) {
	var v string
	err := c.bounded(ctx, "", func(ctx context.Context) (err error) {
		v, err = c.api.Version(ctx)
		return err
	})
	return v, err
}

// bounded runs a metadata call within the client's CallTimeout: a daemon
// that accepts the connection but does not answer in time is unreachable
// (an *UnavailableError saying so), not a hang.
//
// A metadata call only reads, so one whose connection broke mid-answer (a
// kept-alive connection the other side had closed, a proxy restarting) is
// sent once more before the daemon counts as unreachable.
func (c *Client) bounded(ctx context.Context, model string, call func(context.Context) error) error {
	cctx, cancel := context.WithTimeout(ctx, c.calls)
	defer cancel()
	err := call(cctx)
	if err != nil && cctx.Err() == nil && brokenConn(err) {
		err = call(cctx)
	}
	if err != nil && ctx.Err() == nil && errors.Is(cctx.Err(), context.DeadlineExceeded) {
		return &UnavailableError{Host: c.base.Host, Err: fmt.Errorf("no answer within %v", c.calls)}
	}
	return c.convertErr(ctx, model, err)
}

// brokenConn reports a connection that ended mid-answer.
func brokenConn(err error) bool {
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)
}

// tagsModel is one model of /api/tags as daemons of v0.30 and later
// describe it: api.ListModelResponse plus the context length, which the
// api package does not decode. Older daemons leave the newer fields out.
type tagsModel struct {
	api.ListModelResponse
	ContextLength int `json:"context_length,omitempty"`
}

// Installed lists the installed models (/api/tags), with what v0.30 and
// later daemons add: cloud models (remote_host, remote_model: Info.Remote),
// capabilities and the context length.
func (c *Client) Installed(ctx context.Context) ([]models.Info, error) {
	var resp struct {
		Models []tagsModel `json:"models"`
	}
	err := c.bounded(ctx, "", func(ctx context.Context) error {
		return c.getJSON(ctx, "/api/tags", &resp)
	})
	if err != nil {
		return nil, err
	}
	out := make([]models.Info, 0, len(resp.Models))
	for _, m := range resp.Models {
		i := models.Info{
			Name: m.Name, Digest: m.Digest, SizeBytes: m.Size,
			Family: m.Details.Family, ParameterSize: m.Details.ParameterSize,
			Quantization: m.Details.QuantizationLevel, ContextLength: m.ContextLength,
			Remote:     m.RemoteHost != "" || m.RemoteModel != "",
			RemoteHost: m.RemoteHost, RemoteModel: m.RemoteModel,
		}
		for _, cp := range m.Capabilities {
			i.Capabilities = append(i.Capabilities, string(cp))
		}
		out = append(out, i)
	}
	return out, nil
}

// getJSON GETs path and decodes its JSON answer into v; an answer other
// than 200 is an api.StatusError (as the api package's own calls give).
func (c *Client) getJSON(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base.JoinPath(path).String(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(body, &e)
		return api.StatusError{StatusCode: resp.StatusCode, Status: resp.Status, ErrorMessage: e.Error}
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Running lists the models loaded in memory (/api/ps).
func (c *Client) Running(ctx context.Context) ([]models.Running, error) {
	var resp *api.ProcessResponse
	err := c.bounded(ctx, "", func(ctx context.Context) (err error) {
		resp, err = c.api.ListRunning(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]models.Running, 0, len(resp.Models))
	for _, m := range resp.Models {
		out = append(out, models.Running{
			Name: m.Name, Digest: m.Digest, SizeBytes: m.Size, VRAMBytes: m.SizeVRAM,
			ContextLength: m.ContextLength, ExpiresAt: m.ExpiresAt,
		})
	}
	return out, nil
}

// Show describes one installed model (/api/show, verbose), including the
// architecture numbers and the per-tensor types that memory estimates need.
func (c *Client) Show(ctx context.Context, name string) (models.Info, error) {
	var resp *api.ShowResponse
	err := c.bounded(ctx, name, func(ctx context.Context) (err error) {
		resp, err = c.api.Show(ctx, &api.ShowRequest{Model: name, Verbose: true})
		return err
	})
	if err != nil {
		return models.Info{}, err
	}
	info := models.Info{
		Name: name, Family: resp.Details.Family, ParameterSize: resp.Details.ParameterSize,
		Quantization: resp.Details.QuantizationLevel,
	}
	arch, _ := resp.ModelInfo["general.architecture"].(string)
	num := func(key string) int {
		v, ok := resp.ModelInfo[arch+"."+key].(float64)
		if !ok {
			return 0
		}
		return int(v)
	}
	info.ContextLength = num("context_length")
	info.Params = parseParams(resp.Parameters)
	for _, cp := range resp.Capabilities {
		info.Capabilities = append(info.Capabilities, string(cp))
	}
	version, _ := c.Version(ctx)
	info.ClampsContext = releaseAtLeast(version, clampsContextSince)
	info.Arch = models.Arch{
		Layers: num("block_count"), Embedding: num("embedding_length"),
		Heads: num("attention.head_count"), KVHeads: num("attention.head_count_kv"),
	}
	if info.Arch.KVHeads == 0 {
		info.Arch.KVHeads = info.Arch.Heads
	}
	for _, t := range resp.Tensors {
		info.Tensors = append(info.Tensors, models.Tensor{Name: t.Name, Type: t.Type, Shape: t.Shape})
	}
	// /api/show has no digest or size; take them from /api/tags.
	if list, err := c.Installed(ctx); err == nil {
		for _, m := range list {
			if m.Name == name || strings.TrimSuffix(m.Name, ":latest") == name {
				info.Name, info.Digest, info.SizeBytes = m.Name, m.Digest, m.SizeBytes
				info.Remote, info.RemoteHost, info.RemoteModel = m.Remote, m.RemoteHost, m.RemoteModel
				if info.ContextLength == 0 {
					info.ContextLength = m.ContextLength
				}
				if len(info.Capabilities) == 0 {
					info.Capabilities = m.Capabilities
				}
			}
		}
	}
	info.Tensors = tensorTypesFor(info.Tensors, info.SizeBytes, version)
	return info, nil
}

// parseParams reads the sampling options of /api/show's parameters text,
// one "name value" line each (as a Modelfile's PARAMETER lines); names
// slmmux does not pin, and values that do not parse, are skipped.
func parseParams(text string) models.Options {
	var o models.Options
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		v, err := strconv.ParseFloat(strings.Trim(f[1], `"`), 64)
		if err != nil {
			continue
		}
		switch f[0] {
		case "temperature":
			o.Temperature = models.Float(v)
		case "top_p":
			o.TopP = models.Float(v)
		case "repeat_penalty":
			o.RepeatPenalty = models.Float(v)
		case "top_k":
			o.TopK = int(v)
		case "num_ctx":
			o.NumCtx = int(v)
		case "num_predict":
			o.NumPredict = int(v)
		}
	}
	return o
}
