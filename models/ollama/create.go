package ollama

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/ollama/ollama/api"
)

// ImportResult says what Import did.
type ImportResult struct {
	Digest   string // sha256 of the GGUF file, "sha256:<hex>"
	Uploaded bool   // false when the daemon already had the blob
}

// Import creates model name from a local GGUF file with no network access:
// it hashes the file, uploads it as a blob unless the daemon already has a
// blob with that digest, and creates the model from it. template, when not
// empty, sets the model's prompt template (e.g. "{{ .Prompt }}").
func (c *Client) Import(ctx context.Context, name, path, template string) (ImportResult, error) {
	digest, err := fileDigest(path)
	if err != nil {
		return ImportResult{}, err
	}
	open := func() (io.ReadCloser, error) { return os.Open(path) }
	return c.ImportBlob(ctx, name, filepath.Base(path), digest, open, template)
}

// ImportBlob is Import for content that is not a file of its own (an
// embedded model, say): digest is its "sha256:<hex>", and open is called
// only when the daemon lacks the blob.
func (c *Client) ImportBlob(ctx context.Context, name, filename, digest string, open func() (io.ReadCloser, error), template string) (ImportResult, error) {
	res := ImportResult{Digest: digest}
	has, err := c.hasBlob(ctx, digest)
	if err != nil {
		return res, err
	}
	if !has {
		r, err := open()
		if err != nil {
			return res, fmt.Errorf("import %s: %w", filename, err)
		}
		defer r.Close()
		if err := c.api.CreateBlob(ctx, digest, r); err != nil {
			return res, c.convertErr(ctx, name, err)
		}
		res.Uploaded = true
	}
	stream := false
	req := &api.CreateRequest{
		Model: name, Stream: &stream, Template: template,
		Files: map[string]string{filename: digest},
	}
	if err := c.api.Create(ctx, req, func(api.ProgressResponse) error { return nil }); err != nil {
		return res, fmt.Errorf("create %s: %w", name, c.convertErr(ctx, name, err))
	}
	return res, nil
}

// hasBlob asks the daemon whether it stores a blob (HEAD /api/blobs/...).
func (c *Client) hasBlob(ctx context.Context, digest string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, c.base.JoinPath("/api/blobs", digest).String(), nil)
	if err != nil {
		return false, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return false, c.convertErr(ctx, "", err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK, nil
}

func fileDigest(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("import: read %s: %w", path, err)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}
