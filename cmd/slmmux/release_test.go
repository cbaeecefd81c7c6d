package main

import (
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// make release cross-compiles a static binary with the version stamped:
// linux/arm64 here (the edge's usual board), checked as an arm64 ELF with
// no dynamic loader and the version inside. (make release builds
// linux/amd64 and darwin/arm64 the same way.)
func TestReleaseBuildsStaticArm64(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: cross-compiling takes a while")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatalf("make: %v", err)
	}
	dist := t.TempDir()
	const version = "v0.0.0-release-test"
	cmd := exec.Command("make", "-C", "../..", "release", "DIST="+dist, "TARGETS=linux/arm64", "VERSION="+version)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make release: %v\n%s", err, out)
	}
	path := filepath.Join(dist, "slmmux-linux-arm64")
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 {
		t.Errorf("machine %v, want arm64", f.Machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary asks for a dynamic loader: not static")
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(version)) {
		t.Errorf("the version %s is not stamped in the binary", version)
	}
}
