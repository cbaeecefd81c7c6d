// Package daemon builds, starts and stops a private Ollama daemon: the
// pinned version ([Version], or [CompatVersion] when $SLMMUX_OLLAMA_VERSION
// names it) built from the Go module proxy into a cache
// folder, listening on a free loopback port with its own models folder and
// HOME, so it never touches a user's daemon or ~/.ollama. Tests (through
// package ollamatest) and `slmmux demo` use it.
package daemon

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Options configures Start. Zero values mean defaults.
type Options struct {
	Binary    string            // ollama binary; default: EnsureBinary's result
	ModelsDir string            // OLLAMA_MODELS; default: a new temp folder, removed by Stop
	Env       map[string]string // extra server settings, e.g. OLLAMA_MAX_LOADED_MODELS
	LogPath   string            // server log; default: inside the state folder
	Timeout   time.Duration     // how long to wait for /api/version; default 60s
	// Addr is the host:port to listen on; default a free loopback port.
	// A restarted daemon reuses its predecessor's Addr and ModelsDir.
	Addr string
}

// Daemon is a running private Ollama server.
type Daemon struct {
	Host      string // "http://127.0.0.1:PORT"
	ModelsDir string
	LogPath   string
	cmd       *exec.Cmd
	stateDir  string
	ownModels bool
	exited    chan struct{} // closed when the process has exited
	waitErr   error
}

// Start launches a daemon and waits until it answers /api/version.
func Start(ctx context.Context, opt Options) (*Daemon, error) {
	bin := opt.Binary
	if bin == "" {
		var err error
		if bin, err = EnsureBinary(ctx, nil); err != nil {
			return nil, err
		}
	}
	state, err := os.MkdirTemp("", "slmmux-ollama-")
	if err != nil {
		return nil, fmt.Errorf("daemon: %w", err)
	}
	d := &Daemon{stateDir: state, ModelsDir: opt.ModelsDir, LogPath: opt.LogPath}
	if d.ModelsDir == "" {
		d.ModelsDir, d.ownModels = filepath.Join(state, "models"), true
	}
	if d.LogPath == "" {
		d.LogPath = filepath.Join(state, "server.log")
	}
	var lastErr error
	for range 3 { // a freed port can be taken before the daemon binds it
		if lastErr = d.launch(ctx, bin, opt); lastErr == nil {
			return d, nil
		}
	}
	os.RemoveAll(state)
	return nil, lastErr
}

func (d *Daemon) launch(ctx context.Context, bin string, opt Options) error {
	addr := opt.Addr
	if addr == "" {
		port, err := freePort()
		if err != nil {
			return err
		}
		addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	}
	logf, err := os.Create(d.LogPath)
	if err != nil {
		return fmt.Errorf("daemon: %w", err)
	}
	defer logf.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "OLLAMA_HOST="+addr, "OLLAMA_MODELS="+d.ModelsDir,
		"HOME="+d.stateDir, "OLLAMA_NOPRUNE=1", "OLLAMA_NO_CLOUD=1")
	for k, v := range opt.Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("daemon: start %s: %w", bin, err)
	}
	d.cmd, d.Host, d.exited = cmd, "http://"+addr, make(chan struct{})
	go func() { d.waitErr = cmd.Wait(); close(d.exited) }()
	timeout := opt.Timeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	if err := d.waitReady(ctx, timeout); err != nil {
		d.kill()
		return fmt.Errorf("%w\nlast lines of %s:\n%s", err, d.LogPath, tail(d.LogPath, 15))
	}
	return nil
}

func (d *Daemon) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, d.Host+"/api/version", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-d.exited:
			return fmt.Errorf("daemon: exited before answering: %v", d.waitErr)
		case <-deadline.C:
			return fmt.Errorf("daemon: no answer on %s within %s", d.Host, timeout)
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// PID is the server's process id.
func (d *Daemon) PID() int { return d.cmd.Process.Pid }

// Kill ends the daemon and its runners with SIGKILL at once, as a crash
// would, leaving its folders (fault-injection tests restart it).
func (d *Daemon) Kill() {
	if d.cmd == nil || d.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
	<-d.exited
	d.cmd = nil
}

// Stop ends the daemon (by its PID and process group, so its runners go
// too) and removes the folders Start created.
func (d *Daemon) Stop() error {
	d.kill()
	return os.RemoveAll(d.stateDir)
}

func (d *Daemon) kill() {
	if d.cmd == nil || d.cmd.Process == nil {
		return
	}
	pgid := d.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-d.exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-d.exited
	}
	d.cmd = nil
}

// Log returns the server log so far (for test failure messages).
func (d *Daemon) Log() string { return tail(d.LogPath, 40) }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("daemon: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(string(bytes.TrimRight(b, "\n")), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

var errNoGo = errors.New("the pinned Ollama is not built and no Go toolchain is on PATH to build it")
