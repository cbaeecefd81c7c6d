package ollama

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ollama/ollama/api"

	"github.com/slmmux/slmmux/models/gguf"
)

// ImportResult says what Import did.
type ImportResult struct {
	Digest   string // sha256 of the GGUF uploaded, "sha256:<hex>"
	Uploaded bool   // false when the daemon already had the blob
	// ConvertedF16 reports that the source was converted to F16 first
	// (ImportFile), so Digest is the F16 copy's.
	ConvertedF16 bool
}

// ImportOptions are the settings of a created model.
type ImportOptions struct {
	// Template, when not empty, sets the prompt template (e.g.
	// "{{ .Prompt }}").
	Template string
	// Quantize is "" (keep the file's types), "F16", or one of
	// Quantizations (the daemon quantizes on create): see ParseQuantization.
	Quantize string
}

// Quantizations are the types Ollama's create quantizes to (its
// ParseFileType also knows F16, F32 and BF16; v0.6.5 knows more, but
// these three are what both v0.6.5 and v0.24.0 accept).
var Quantizations = []string{"Q8_0", "Q4_K_M", "Q4_K_S"}

// ErrQuantization is ParseQuantization's error.
var ErrQuantization = errors.New("unsupported quantization")

// ParseQuantization returns q, matched case-insensitively, in Ollama's
// spelling: "F16" (converted here, in Go) or one of Quantizations ("" is
// ""). Any other value is an error wrapping ErrQuantization that lists the
// choices.
func ParseQuantization(q string) (string, error) {
	if q == "" {
		return "", nil
	}
	for _, ok := range append([]string{"F16"}, Quantizations...) {
		if strings.EqualFold(q, ok) {
			return ok, nil
		}
	}
	return "", fmt.Errorf("%w %q: want q8_0, q4_K_M, q4_K_S (quantized by the daemon) or f16", ErrQuantization, q)
}

// QuantizeSource checks that f can be quantized: its tensors must all be
// floats (F32, F16, BF16). It returns whether the daemon would refuse the
// file as it is labelled: Ollama quantizes only files whose
// general.file_type reads as F16, BF16 or F32, and it reads 0 (llama.cpp's
// ALL_F32) and a missing key as unknown, so an F32 file needs an F16 copy
// (gguf.ConvertF16). An error wraps gguf.ErrNotFloat and names the fix.
func QuantizeSource(f *gguf.File) (needsF16 bool, err error) {
	if q := f.QuantizedTypes(); len(q) > 0 {
		ft, _ := f.FileType()
		return false, fmt.Errorf("%w (%s tensors; general.file_type %d): quantizing needs an F16, BF16 or F32 source",
			gguf.ErrNotFloat, strings.Join(q, ", "), ft)
	}
	ft, ok := f.FileType()
	return !ok || (ft != gguf.FileTypeMostlyF16 && ft != gguf.FileTypeMostlyBF16), nil
}

// hasF32Matrix reports whether f stores a matrix as F32 (F16 would halve
// it).
func hasF32Matrix(f *gguf.File) bool {
	for _, t := range f.Tensors {
		if t.Type == gguf.TypeF32 && len(t.Dims) > 1 {
			return true
		}
	}
	return false
}

// Import creates model name from a local GGUF file with no network access:
// it hashes the file, uploads it as a blob unless the daemon already has a
// blob with that digest, and creates the model from it. template, when not
// empty, sets the model's prompt template (e.g. "{{ .Prompt }}").
func (c *Client) Import(ctx context.Context, name, path, template string) (ImportResult, error) {
	return c.ImportFile(ctx, name, path, ImportOptions{Template: template})
}

// FileError is a file that ImportFile refuses before uploading anything
// (CheckImportFile); its message names the file and the fix.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string { return e.Err.Error() }
func (e *FileError) Unwrap() error { return e.Err }

// CheckImportFile reads the header of the GGUF file at path and refuses,
// as a *FileError, a file that is missing, not GGUF (gguf.ErrNotGGUF),
// truncated (gguf.ErrTruncated) or lacking what a runner needs
// (gguf.ErrIncomplete: it would crash the daemon on its first request),
// and with quantize one that cannot be quantized (QuantizeSource).
func CheckImportFile(path string, quantize bool) (*gguf.File, error) {
	f, err := gguf.ReadFileInfo(path)
	switch {
	case errors.Is(err, gguf.ErrNotGGUF):
		err = fmt.Errorf("%s is not a GGUF file (%w): convert it with llama.cpp's convert_hf_to_gguf.py first", path, err)
	case errors.Is(err, gguf.ErrTruncated):
		err = fmt.Errorf("%s is truncated (%w): copy or download it again", path, err)
	case err != nil: // missing or unreadable: gguf's error names the file
	default:
		if err = f.CheckRunnable(); err != nil {
			err = fmt.Errorf("%s: %w: it would crash the daemon on its first request; export the model again", path, err)
		} else if quantize {
			if _, err = QuantizeSource(f); err != nil {
				err = fmt.Errorf("%s: %w", path, err)
			}
		}
	}
	if err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	return f, nil
}

// ImportFile is Import with options. It first checks the file
// (CheckImportFile) and fails before uploading anything when it cannot
// run or, with o.Quantize set, cannot be quantized; when the daemon would refuse the file's label, or
// o.Quantize is "F16" and the file has F32 matrices, it uploads an F16
// copy (gguf.ConvertF16, written to a temporary file) instead, and the
// daemon quantizes that.
func (c *Client) ImportFile(ctx context.Context, name, path string, o ImportOptions) (ImportResult, error) {
	q, err := ParseQuantization(o.Quantize)
	if err != nil {
		return ImportResult{}, err
	}
	o.Quantize = q
	f, err := CheckImportFile(path, q != "")
	if err != nil {
		return ImportResult{}, err
	}
	convert := false
	if q != "" {
		needsF16, _ := QuantizeSource(f) // checked
		convert = needsF16 || (q == "F16" && hasF32Matrix(f))
	}
	if q == "F16" {
		o.Quantize = "" // done here: the daemon creates the F16 file as it is
	}
	if convert {
		tmp, digest, err := convertF16File(path)
		if err != nil {
			return ImportResult{}, err
		}
		defer os.Remove(tmp)
		open := func() (io.ReadCloser, error) { return os.Open(tmp) }
		res, err := c.ImportBlobWith(ctx, name, filepath.Base(path), digest, open, o)
		res.ConvertedF16 = true
		return res, err
	}
	digest, err := fileDigest(path)
	if err != nil {
		return ImportResult{}, err
	}
	open := func() (io.ReadCloser, error) { return os.Open(path) }
	return c.ImportBlobWith(ctx, name, filepath.Base(path), digest, open, o)
}

// convertF16File writes the F16 copy of the GGUF at path to a temporary
// file and returns its path and digest; the caller removes it.
func convertF16File(path string) (string, string, error) {
	src, err := os.Open(path)
	if err != nil {
		return "", "", fmt.Errorf("import: %w", err)
	}
	defer src.Close()
	st, err := src.Stat()
	if err != nil {
		return "", "", fmt.Errorf("import: %w", err)
	}
	tmp, err := os.CreateTemp("", "slmmux-f16-*.gguf")
	if err != nil {
		return "", "", fmt.Errorf("import: %w", err)
	}
	h := sha256.New()
	_, err = gguf.ConvertF16(io.MultiWriter(tmp, h), src, st.Size())
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", "", fmt.Errorf("import %s: F16 copy: %w", path, err)
	}
	return tmp.Name(), "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// ImportBlob is Import for content that is not a file of its own (an
// embedded model, say): digest is its "sha256:<hex>", and open is called
// only when the daemon lacks the blob.
func (c *Client) ImportBlob(ctx context.Context, name, filename, digest string, open func() (io.ReadCloser, error), template string) (ImportResult, error) {
	return c.ImportBlobWith(ctx, name, filename, digest, open, ImportOptions{Template: template})
}

// ImportBlobWith is ImportBlob with options; o.Quantize, when set, must
// be one of Quantizations and the blob a source the daemon accepts (see
// QuantizeSource): the daemon quantizes it on create.
func (c *Client) ImportBlobWith(ctx context.Context, name, filename, digest string, open func() (io.ReadCloser, error), o ImportOptions) (ImportResult, error) {
	res := ImportResult{Digest: digest}
	if o.Quantize != "" && !slices.Contains(Quantizations, o.Quantize) {
		return res, fmt.Errorf("create %s: %w %q: the daemon quantizes to %s", name, ErrQuantization, o.Quantize, strings.Join(Quantizations, ", "))
	}
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
		Model: name, Stream: &stream, Template: o.Template, Quantize: o.Quantize,
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
