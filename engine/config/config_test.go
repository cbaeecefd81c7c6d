package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestParseBackends(t *testing.T) {
	c, err := Parse("c.yaml", []byte(`
backends:
  - name: local
    kind: ollama
    url: http://127.0.0.1:11434
  - name: gpu1
    kind: ollama
    url: http://gpu1:11434
    budget: 24GiB
    max_concurrency: 2
  - name: vllm
    kind: openai
    url: https://vllm.lan:8000/v1
    api_key_env: VLLM_API_KEY
    max_concurrency: 16
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Backends) != 3 || len(c.Ensembles) != 0 {
		t.Fatalf("%+v", c)
	}
	local, gpu, vllm := c.Backends[0], c.Backends[1], c.Backends[2]
	if !local.Loopback() || gpu.Loopback() || local.Line != 3 || gpu.Line != 6 {
		t.Errorf("local %+v gpu %+v", local, gpu)
	}
	if gpu.BudgetBytes != 24<<30 || gpu.MaxConcurrency != 2 || vllm.APIKeyEnv != "VLLM_API_KEY" || vllm.Kind != KindOpenAI {
		t.Errorf("gpu %+v vllm %+v", gpu, vllm)
	}
	entry := func(kv string) string {
		return "backends:\n  - name: a\n    kind: ollama\n    url: http://h:11434\n" + kv
	}
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown key", entry("    budegt: 8GiB\n"), "line 5: field budegt not found"},
		{"wrong type", entry("    max_concurrency: lots\n"), "line 5: cannot unmarshal"},
		{"empty list", "backends: []\n", "line 1: backends is empty"},
		{"no name", "backends:\n  - kind: ollama\n    url: http://h:1\n", "backends[0], line 2: name is missing"},
		{"bad name", "backends: [{name: 'a b', kind: ollama, url: 'http://h:1'}]\n", `backends[0] (a b).name, line 1 "a b"`},
		{"no kind", "backends:\n  - name: a\n    url: http://h:1\n", "backends[0] (a), line 2: kind is missing: use kind: ollama or kind: openai"},
		{"bad kind", "backends:\n  - name: a\n    kind: vllm\n    url: http://h:1\n", `backends[0] (a).kind, line 3 "vllm": use ollama`},
		{"no url", "backends:\n  - name: a\n    kind: ollama\n", "url is missing"},
		{"url without scheme", "backends:\n  - name: a\n    kind: ollama\n    url: gpu1:11434\n", `backends[0] (a).url, line 4 "gpu1:11434"`},
		{"url ftp", "backends: [{name: a, kind: ollama, url: 'ftp://h:1'}]\n", `scheme "ftp"`},
		{"url port", "backends: [{name: a, kind: ollama, url: 'http://h:99999'}]\n", "url"},
		{"url credentials", "backends: [{name: a, kind: openai, url: 'http://u:p@h:1/v1'}]\n", "api_key_env"},
		{"url query", "backends: [{name: a, kind: ollama, url: 'http://h:1?x=1'}]\n", "query"},
		{"ollama path", "backends: [{name: a, kind: ollama, url: 'http://h:1/v1'}]\n", "without a path"},
		{"budget syntax", entry("    budget: 8 gigs\n"), `backends[0] (a).budget, line 5 "8 gigs": not a positive size (e.g. 24GiB`},
		{"budget zero", entry("    budget: 0GiB\n"), "not a positive size"},
		{"budget huge", entry("    budget: 2EiB\n"), "budget"},
		{"openai budget", "backends:\n  - name: a\n    kind: openai\n    url: http://h:1/v1\n    budget: 8GiB\n", "line 5: an openai server manages its own memory"},
		{"key in env name", entry("    api_key_env: sk-abc123\n"), "never the key itself"},
		{"concurrency", entry("    max_concurrency: -1\n"), "max_concurrency, line 5 -1"},
		{"duplicate", entry("  - name: a\n    kind: ollama\n    url: http://h2:11434\n"), `backends[1] (a).name, line 5: the name "a" is also backends[0]'s`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("c.yaml", []byte(tc.yaml))
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v\nwant %q", err, tc.want)
			}
		})
	}
}

func TestParseEnsemblesOptional(t *testing.T) {
	for _, y := range []string{"", "ensembles: {mux: {models: [a]}}\n", "backends: [{name: a, kind: ollama, url: 'http://h:1'}]\n"} {
		if _, err := Parse("c.yaml", []byte(y)); err != nil {
			t.Errorf("%q: %v", y, err)
		}
	}
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]uint64{"8GiB": 8 << 30, "512MiB": 512 << 20, "2.5GB": 2.5e9, "1000": 1000, "1 g": 1 << 30} {
		if got, err := ParseBytes(in); err != nil || got != want {
			t.Errorf("%q: %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "-1GiB", "NaN", "+Inf", "2EiB"} {
		if _, err := ParseBytes(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

// val_acc is checked as --val-acc is: accuracies in [0, 1], NaN refused,
// and only the ensemble's models; two keys naming one ensemble are refused
// naming both.
func TestParseEnsembleChecks(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"ensembles:\n  mux:\n    models: [a, b]\n    val_acc: {a: .nan}\n", "ensembles.mux.val_acc.a: NaN: an accuracy is in [0, 1]"},
		{"ensembles:\n  mux:\n    models: [a, b]\n    val_acc: {a: 1.5}\n", "ensembles.mux.val_acc.a: 1.5"},
		{"ensembles:\n  mux:\n    models: [a, b]\n    val_acc: {a: -0.1}\n", "ensembles.mux.val_acc.a: -0.1"},
		{"ensembles:\n  mux:\n    models: [a, b]\n    val_acc: {c: 0.5}\n", "ensembles.mux.val_acc.c: not one of the ensemble's models (a, b)"},
		{"ensembles:\n  math:\n    models: [a]\n  \"mux:math\":\n    models: [b]\n", "ensembles.math and ensembles.mux:math both define the ensemble mux:math"},
	} {
		_, err := Parse("c.yaml", []byte(tc.yaml))
		if !errors.Is(err, ErrConfig) || !strings.Contains(fmt.Sprint(err), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.yaml, err, tc.want)
		}
	}
	if _, err := Parse("c.yaml", []byte("ensembles:\n  mux:\n    models: [a, b:latest]\n    val_acc: {a:latest: 0.7, b: 0.6}\n")); err != nil {
		t.Errorf("members named with and without :latest: %v", err)
	}
}

// Load refuses what is not a regular file (a FIFO would block the open,
// /dev/zero never ends) and files over MaxFileBytes, before reading them.
func TestLoadRefusesSpecialAndLargeFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, bytes.Repeat([]byte("# padding\n"), MaxFileBytes/10+1), 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{fifo: "not a regular file but a named pipe (FIFO)", "/dev/zero": "not a regular file but a device",
		dir: "not a regular file but a folder", big: fmt.Sprintf("over %d", MaxFileBytes)} {
		done := make(chan error, 1)
		go func() { _, err := Load(path); done <- err }()
		select {
		case err := <-done:
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %v, want %q", path, err, want)
			}
		case <-time.After(time.Minute):
			t.Fatalf("%s: Load still blocked after a minute", path)
		}
	}
}

func TestParseFootprints(t *testing.T) {
	got, err := ParseFootprints([]string{"a=1GiB", "b=512MiB"})
	if err != nil || len(got) != 2 || got[0].Model != "a" || got[0].Bytes != 1<<30 || got[1].Bytes != 512<<20 || got[1].Source != "flag" {
		t.Fatalf("got %+v, %v", got, err)
	}
	for _, bad := range [][]string{{"a"}, {"=1GiB"}, {"a=lots"}, {"a=1GiB", "a=2GiB"}} {
		if _, err := ParseFootprints(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
