package hardware

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// nvidiaFields is the nvidia-smi query, in the column order parseNvidiaSMI
// expects. compute_cap needs driver 510 or later; older drivers reject it,
// and the probe asks again without it.
var nvidiaFields = []string{
	"index", "name", "uuid", "memory.total", "memory.used", "memory.free",
	"driver_version", "compute_cap",
}

func nvidiaArgs(fields []string) []string {
	return []string{"--query-gpu=" + strings.Join(fields, ","), "--format=csv,noheader,nounits"}
}

const mib = 1 << 20

// commandRunner runs a command and returns its standard output. An error
// from a command that ran carries the first line it printed.
type commandRunner func(ctx context.Context, name string, args ...string) ([]byte, error)

// runCommand is the real commandRunner.
func runCommand(ctx context.Context, name string, args ...string) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = time.Second // do not wait on pipes held by orphans after a kill
	if err := cmd.Run(); err != nil {
		msg := firstLine(stderr.Bytes())
		if msg == "" {
			msg = firstLine(stdout.Bytes())
		}
		if msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		return stdout.Bytes(), err
	}
	return stdout.Bytes(), nil
}

// probeNvidia runs nvidia-smi and parses its CSV. Every failure becomes a
// note: a host without NVIDIA hardware or tools is a normal host.
func probeNvidia(ctx context.Context, cfg Config, run commandRunner) ([]GPU, []string) {
	out, err := runWithTimeout(ctx, cfg, run, nvidiaArgs(nvidiaFields))
	if err != nil && strings.Contains(err.Error(), "not a valid field") {
		out, err = runWithTimeout(ctx, cfg, run, nvidiaArgs(nvidiaFields[:len(nvidiaFields)-1]))
	}
	switch {
	case errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist):
		return nil, []string{"nvidia-smi not found"}
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		return nil, []string{fmt.Sprintf("nvidia-smi timed out after %s", cfg.Timeout)}
	case err != nil && noNvidiaDevices(out, err):
		return nil, []string{"nvidia-smi: no devices were found"}
	case err != nil:
		return nil, []string{fmt.Sprintf("nvidia-smi failed: %v", err)}
	}
	gpus, err := parseNvidiaSMI(bytes.NewReader(out))
	if err != nil {
		return nil, []string{fmt.Sprintf("nvidia-smi output not understood: %v", err)}
	}
	if len(gpus) == 0 {
		return nil, []string{"nvidia-smi: no devices were found"}
	}
	var notes []string
	for _, g := range gpus {
		if g.TotalBytes == 0 {
			// e.g. DGX Spark (GB10), whose memory is unified with the CPU's
			notes = append(notes, fmt.Sprintf("nvidia GPU %d (%s) reports no memory size; budget falls back to RAM unless another GPU reports memory", g.Index, g.Name))
		}
	}
	return gpus, notes
}

func runWithTimeout(ctx context.Context, cfg Config, run commandRunner, args []string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	out, err := run(ctx, cfg.NvidiaSMI, args...)
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("%w: %w", ctx.Err(), err)
	}
	return out, err
}

// noNvidiaDevices reports nvidia-smi's answer on a host with the driver but
// no GPU: it prints "No devices were found" and exits with status 6.
func noNvidiaDevices(out []byte, err error) bool {
	const msg = "No devices were found"
	return bytes.Contains(out, []byte(msg)) || (err != nil && strings.Contains(err.Error(), msg))
}

// parseNvidiaSMI parses the output of
//
//	nvidia-smi --query-gpu=index,name,uuid,memory.total,memory.used,memory.free,driver_version,compute_cap --format=csv,noheader,nounits
//
// one GPU per line, memory in MiB. The compute_cap column may be missing
// (old drivers). Values such as "[N/A]" or "[Not Supported]" read as
// zero or empty; a missing used or free value is derived from the other two.
// Blank lines, surrounding spaces and CRLF line ends are accepted, and
// "No devices were found" yields no GPUs.
func parseNvidiaSMI(r io.Reader) ([]GPU, error) {
	var gpus []GPU
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text()) // also drops a CR before the LF
		if text == "" {
			continue
		}
		if strings.Contains(text, "No devices were found") {
			return nil, nil
		}
		g, err := parseNvidiaLine(text)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		gpus = append(gpus, g)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read nvidia-smi output: %w", err)
	}
	return gpus, nil
}

func parseNvidiaLine(text string) (GPU, error) {
	f := strings.Split(text, ",")
	if len(f) != len(nvidiaFields) && len(f) != len(nvidiaFields)-1 {
		return GPU{}, fmt.Errorf("got %d fields, want %d", len(f), len(nvidiaFields))
	}
	for i := range f {
		f[i] = nvidiaValue(f[i])
	}
	g := GPU{Vendor: "nvidia", Name: f[1], UUID: f[2], Driver: f[6]}
	if len(f) == len(nvidiaFields) {
		g.ComputeCap = f[7]
	}
	var err error
	if g.Index, err = strconv.Atoi(f[0]); err != nil {
		return GPU{}, fmt.Errorf("index: %w", err)
	}
	var mem [3]uint64
	var known [3]bool
	for i, name := range []string{"memory.total", "memory.used", "memory.free"} {
		if f[3+i] == "" {
			continue
		}
		n, err := strconv.ParseUint(f[3+i], 10, 64)
		if err != nil {
			return GPU{}, fmt.Errorf("%s: %w", name, err)
		}
		mem[i], known[i] = n*mib, true
	}
	total, used, free := mem[0], mem[1], mem[2]
	switch {
	case known[0] && known[2] && !known[1] && free <= total:
		used = total - free
	case known[0] && known[1] && !known[2] && used <= total:
		free = total - used
	}
	g.TotalBytes, g.UsedBytes, g.FreeBytes, g.UsableBytes = total, used, free, free
	return g, nil
}

// nvidiaValue trims a CSV value and maps nvidia-smi's placeholders
// ("[N/A]", "N/A", "[Not Supported]", "[Unknown Error]", …) to "".
func nvidiaValue(s string) string {
	s = strings.TrimSpace(s)
	if s == "N/A" || (strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]")) {
		return ""
	}
	return s
}

// firstLine returns the first non-blank line of b, trimmed.
func firstLine(b []byte) string {
	for line := range strings.Lines(string(b)) {
		if s := strings.TrimSpace(line); s != "" {
			return s
		}
	}
	return ""
}
