package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// Version is the default Ollama version: the newest release whose GGUF
// runner still builds with cgo from the Go module proxy (from v0.30 GGUF
// models run in a separately built llama-server). Tests and the demo use
// it; scripts/ollama.sh pins the same.
const Version = "v0.24.0"

// CompatVersion is the old daemon kept for the compatibility job of
// `make test` (SLMMUX_OLLAMA_VERSION=v0.6.5): the newest tag that a plain
// `go install` builds, so both an old and a current daemon stay supported.
const CompatVersion = "v0.6.5"

// VersionEnv selects the daemon version that tests and the demo build and
// start; empty means Version.
const VersionEnv = "SLMMUX_OLLAMA_VERSION"

// Modules that carry the three header-only libraries the v0.24.0 sources
// include from vendor/ (Go module zips drop vendor/ folders), so the
// build needs nothing but the Go module proxy and gcc: miniaudio 0.11.23
// bundled by malgo; nlohmann/json 3.11.3 (the version Debian's
// nlohmann-json3-dev had, which builds it) and stb_image 2.30, which
// Ollama v0.6.5's llama.cpp kept in its common/ folder (8 MB).
const (
	miniaudioModule = "github.com/gen2brain/malgo@v0.11.24"
	headersModule   = "github.com/ollama/ollama@" + CompatVersion
)

// vendorHeaders are where each header comes from in headersModule's
// folder and where it goes under the build's llama/llama.cpp/vendor.
var vendorHeaders = [][2]string{
	{"llama/llama.cpp/common/json.hpp", "nlohmann/json.hpp"},
	{"llama/llama.cpp/common/stb_image.h", "stb/stb_image.h"},
}

// Selected is the version named by $SLMMUX_OLLAMA_VERSION, else Version.
func Selected() (string, error) {
	v := os.Getenv(VersionEnv)
	switch v {
	case "":
		return Version, nil
	case Version, CompatVersion:
		return v, nil
	}
	return "", fmt.Errorf("daemon: %s=%q: use %s (the default) or %s", VersionEnv, v, Version, CompatVersion)
}

// CacheDir is where the pinned daemon is built: $SLMMUX_CACHE, else the
// user cache folder (~/.cache/slmmux on Linux).
func CacheDir() string {
	if d := os.Getenv("SLMMUX_CACHE"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "slmmux")
	}
	return filepath.Join(os.TempDir(), "slmmux-cache")
}

// BinaryPath is where EnsureBinary puts the selected daemon (Version
// when $SLMMUX_OLLAMA_VERSION names none we know).
func BinaryPath() string {
	v, err := Selected()
	if err != nil {
		v = Version
	}
	return VersionPath(v)
}

// VersionPath is where EnsureVersion puts version v.
func VersionPath(v string) string {
	return filepath.Join(CacheDir(), "ollama-"+v, "bin", "ollama")
}

// EnsureBinary is EnsureVersion of the selected version.
func EnsureBinary(ctx context.Context, progress io.Writer) (string, error) {
	v, err := Selected()
	if err != nil {
		return "", err
	}
	return EnsureVersion(ctx, v, progress)
}

// EnsureVersion returns the path of daemon version v (Version or
// CompatVersion), building it first from the Go module proxy when it is
// missing: one progress line, then about 5 minutes on two idle cores for
// v0.24.0 cold (8-9 under load, 34 s with a warm build cache) and 2 for
// v0.6.5. Concurrent callers, even in other processes, wait for one
// build. The progress line goes to progress (nil: stderr); the build's own
// output, when it fails, into the error.
func EnsureVersion(ctx context.Context, v string, progress io.Writer) (string, error) {
	bin := VersionPath(v)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", fmt.Errorf("daemon: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(filepath.Dir(bin), ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", fmt.Errorf("daemon: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", fmt.Errorf("daemon: lock: %w", err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if _, err := os.Stat(bin); err == nil { // built while we waited
		return bin, nil
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("daemon: %w: install Go 1.26+ or Ollama itself (then set OLLAMA_HOST)", errNoGo)
	}
	if progress == nil {
		progress = os.Stderr
	}
	out := &tailBuffer{max: 4 << 10}
	b := builder{goBin: gobin, version: v, bin: bin, log: out}
	dir := filepath.Dir(filepath.Dir(bin))
	switch v {
	case CompatVersion:
		fmt.Fprintf(progress, "building Ollama %s from the Go module proxy into %s (about 2 minutes on 2 cores, once)...\n", v, dir)
		err = b.install(ctx)
	case Version:
		fmt.Fprintf(progress, "building Ollama %s from the Go module proxy into %s (about 5-9 minutes on 2 cores, once)...\n", v, dir)
		err = b.buildVendored(ctx)
	default:
		return "", fmt.Errorf("daemon: no recipe for Ollama %s: use %s or %s", v, Version, CompatVersion)
	}
	if err != nil && out.Len() > 0 {
		err = fmt.Errorf("%w\nlast lines of the build:\n%s", err, out.String())
	}
	if err != nil {
		return "", err
	}
	return bin, nil
}

type builder struct {
	goBin, version, bin string
	log                 io.Writer
}

// ldflags stamps the version, so /api/version reports it (else 0.0.0).
func (b builder) ldflags() string {
	return "-X=github.com/ollama/ollama/version.Version=" + strings.TrimPrefix(b.version, "v")
}

func (b builder) gocmd(ctx context.Context, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, b.goBin, args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1", "GOFLAGS=-buildvcs=false", "GOWORK=off")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = b.log, b.log
	return cmd
}

// install is `go install` of the module (v0.6.5 builds from its zip alone).
func (b builder) install(ctx context.Context) error {
	cmd := b.gocmd(ctx, os.TempDir(), "install", "-ldflags="+b.ldflags(), "github.com/ollama/ollama@"+b.version)
	cmd.Env = append(cmd.Env, "GOBIN="+filepath.Dir(b.bin))
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("daemon: build ollama %s (needs gcc for cgo): %w", b.version, err)
	}
	return nil
}

// buildVendored builds from a writable copy of the module source with the
// three header-only libraries its llama.cpp includes from vendor/. The copy
// stays at a fixed place: cgo's build cache is keyed by the source path.
func (b builder) buildVendored(ctx context.Context) error {
	dirs, err := b.download(ctx, "github.com/ollama/ollama@"+b.version, miniaudioModule, headersModule)
	if err != nil {
		return err
	}
	src := filepath.Join(filepath.Dir(filepath.Dir(b.bin)), "src")
	if err := os.RemoveAll(src); err != nil {
		return fmt.Errorf("daemon: %w", err)
	}
	if err := copyTree(dirs[0], src); err != nil {
		return fmt.Errorf("daemon: copy the %s sources: %w", b.version, err)
	}
	vendor := filepath.Join(src, "llama", "llama.cpp", "vendor", "miniaudio")
	if err := os.MkdirAll(vendor, 0o755); err != nil {
		return fmt.Errorf("daemon: %w", err)
	}
	if err := copyFile(filepath.Join(dirs[1], "miniaudio.h"), filepath.Join(vendor, "miniaudio.h")); err != nil {
		return fmt.Errorf("daemon: miniaudio.h from %s: %w", miniaudioModule, err)
	}
	if err := placeHeaders(dirs[2], filepath.Dir(vendor)); err != nil {
		return err
	}
	tmp := b.bin + ".tmp"
	if err := b.gocmd(ctx, src, "build", "-trimpath", "-ldflags="+b.ldflags(), "-o", tmp, ".").Run(); err != nil {
		return fmt.Errorf("daemon: build ollama %s (needs gcc/g++ for cgo): %w", b.version, err)
	}
	return os.Rename(tmp, b.bin)
}

// placeHeaders copies vendorHeaders from the headers module's folder into
// vendor, and adds nlohmann/json_fwd.hpp, which the single-header
// json.hpp makes whole: it includes json.hpp.
func placeHeaders(from, vendor string) error {
	for _, h := range vendorHeaders {
		dst := filepath.Join(vendor, h[1])
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return fmt.Errorf("daemon: %w", err)
		}
		if err := copyFile(filepath.Join(from, h[0]), dst); err != nil {
			return fmt.Errorf("daemon: %s from %s: %w", h[1], headersModule, err)
		}
	}
	fwd := filepath.Join(vendor, "nlohmann", "json_fwd.hpp")
	if err := os.WriteFile(fwd, []byte("// The single-header json.hpp declares everything json_fwd.hpp would.\n#include \"json.hpp\"\n"), 0o644); err != nil {
		return fmt.Errorf("daemon: %w", err)
	}
	return nil
}

// download fetches modules into the module cache and returns their folders.
func (b builder) download(ctx context.Context, mods ...string) ([]string, error) {
	var out bytes.Buffer
	cmd := b.gocmd(ctx, os.TempDir(), append([]string{"mod", "download", "-json"}, mods...)...)
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("daemon: go mod download %s (needs the Go module proxy): %w", strings.Join(mods, " "), err)
	}
	dirs := make([]string, 0, len(mods))
	dec := json.NewDecoder(&out)
	for {
		var m struct{ Path, Version, Dir, Error string }
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("daemon: go mod download: %w", err)
		}
		if m.Error != "" || m.Dir == "" {
			return nil, fmt.Errorf("daemon: go mod download %s@%s: %s", m.Path, m.Version, m.Error)
		}
		dirs = append(dirs, m.Dir)
	}
	if len(dirs) != len(mods) {
		return nil, fmt.Errorf("daemon: go mod download gave %d folders for %d modules", len(dirs), len(mods))
	}
	return dirs, nil
}

// copyTree copies a read-only module folder into a writable one.
func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		return copyFile(p, dst)
	})
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) Len() int       { return len(t.b) }
func (t *tailBuffer) String() string { return string(t.b) }
