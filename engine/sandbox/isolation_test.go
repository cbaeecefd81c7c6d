//go:build unix

package sandbox

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// probeCode prints what a program can see of its identity and
// surroundings, one "key value" line each, and attempts nothing harmful.
const probeCode = `
import os, socket
print("uid", os.getuid())
print("groups", os.getgroups())
print("ppid", os.getppid())
caps = [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")]
print("capeff", caps[0])
print("pids", sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))
print("ifaces", [n for _, n in socket.if_nameindex()])
print("env", sorted(os.environ))
try:
    os.kill(1, 0)
    print("kill1", "ok")
except OSError as e:
    print("kill1", e.errno)
`

// probe runs probeCode and returns its lines as a map.
func probe(t *testing.T) (Result, map[string]string) {
	t.Helper()
	r := mustRun(t, Program{Code: probeCode}, Limits{})
	if r.Status != Passed {
		t.Fatalf("probe: %s %q\n%s", r.Status, r.Reason, r.Stderr)
	}
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(r.Stdout), "\n") {
		k, v, _ := strings.Cut(line, " ")
		out[k] = v
	}
	t.Logf("probe: %v", out)
	return r, out
}

// requireNamespaces skips (or, under CI=true, fails) a test that needs the
// namespaces when the kernel refused them.
func requireNamespaces(t *testing.T) {
	t.Helper()
	requirePython(t)
	if r, _ := probe(t); r.Network != NoNetwork || r.Filesystem != PrivateFiles {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the sandbox runs without namespaces here (network %s, file system %s)", r.Network, r.Filesystem)
		}
		t.Skipf("the kernel refused the namespaces (network %s, file system %s)", r.Network, r.Filesystem)
	}
}

func TestNamespaceIsolation(t *testing.T) {
	requirePython(t)
	r, out := probe(t)
	if r.Network != NoNetwork {
		t.Skipf("no user namespaces here (network %s)", r.Network)
	}
	want := map[string]string{
		"uid":    "0", // of the user namespace; nobody (or the caller) outside
		"groups": "[]",
		"ppid":   "1", // the prelude, the namespace's init
		"capeff": "0000000000000000",
		"pids":   "[1, 2]",
		"ifaces": "['lo']",
		"env":    "['HOME', 'LANG', 'PATH', 'TMPDIR']",
		"kill1":  "ok", // the prelude only: nothing outside is visible
	}
	if os.Geteuid() != 0 {
		delete(want, "groups") // an unprivileged caller keeps its groups
	}
	for k, v := range want {
		if out[k] != v {
			t.Errorf("%s = %q, want %q", k, out[k], v)
		}
	}
	if r.Filesystem != PrivateFiles {
		t.Errorf("Filesystem = %q, want %q", r.Filesystem, PrivateFiles)
	}
}

func TestFallbackWithoutNamespaces(t *testing.T) {
	requirePython(t)
	if noUserNS.Load() {
		t.Skip("already running without namespaces")
	}
	noUserNS.Store(true)
	defer noUserNS.Store(false)
	r, out := probe(t)
	if r.Network != Shared || r.Filesystem != Shared {
		t.Errorf("network %s, file system %s; want both shared", r.Network, r.Filesystem)
	}
	if uid, _ := strconv.Atoi(out["uid"]); os.Geteuid() == 0 && (uid < uidBase || uid >= uidBase+uidSpan || out["groups"] != "[]") {
		t.Errorf("uid %s groups %s, want a uid of the sandbox range and no groups when the caller is root", out["uid"], out["groups"])
	}
	if out["capeff"] != "0000000000000000" {
		t.Errorf("CapEff %s, want none", out["capeff"])
	}
}

func TestProbe(t *testing.T) {
	requirePython(t)
	r, err := Probe(t.Context())
	if err != nil || r.Status != Passed || r.Network == "" || r.Filesystem == "" {
		t.Errorf("Probe = %+v, %v; want a passed run that names its isolation", r, err)
	}
}
