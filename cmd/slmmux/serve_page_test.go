package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slmmux/slmmux/models/demo"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

const chromium = "/usr/bin/chromium"

// chromiumArgs are the flags for a quiet, offline, throwaway browser (as
// engine/report's test uses).
func chromiumArgs(profile string, extra ...string) []string {
	return append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + profile}, extra...)
}

func needChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing (CI=true): apt-get install -y chromium", chromium)
		}
		t.Skipf("%s is missing: apt-get update && apt-get install -y chromium to run this test", chromium)
	}
}

// TestServePageInChromium opens the web page at / with ?q= in headless
// Chromium, which asks the question at load, and reads the DOM it built:
// the answer 12 and a vote-table row for each demo model, or the
// server's error. Virtual time
// stands still while a fetch is pending, so --virtual-time-budget waits
// for the ensemble's answer. With SLMMUX_SERVE_SCREENSHOT set to a .png
// path it also saves a screenshot there (the README's picture:
// SLMMUX_SERVE_SCREENSHOT=$PWD/docs/serve.png).
func TestServePageInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	needChromium(t)
	base := startServe(t, ollamatest.Shared(t))
	page := base + "/?q=What%20is%2085-73%3F"
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	dump := func(url string) string {
		out, err := exec.CommandContext(ctx, chromium, chromiumArgs(filepath.Join(dir, "profile"),
			"--virtual-time-budget=60000", "--dump-dom", url)...).Output()
		if err != nil {
			t.Fatalf("chromium --dump-dom %s: %v", url, err)
		}
		return string(out)
	}
	dom := dump(page)
	if !strings.Contains(dom, `data-state="done"`) || !strings.Contains(dom, `<div class="answer" id="answer">12</div>`) {
		t.Fatalf("the page shows no answer 12:\n%s", dom)
	}
	cat, err := demo.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range cat.Pool() {
		if !strings.Contains(dom, `data-model="`+m+`"><td>`+m+`</td>`) {
			t.Errorf("the vote table has no row for %s", m)
		}
	}
	if n := strings.Count(dom, "<details"); n != len(cat.Pool()) {
		t.Errorf("%d expandable sample lists, want %d", n, len(cat.Pool()))
	}
	// A server error (a model the daemon lacks) is shown in the page.
	if dom := dump(page + "&model=no-such-model"); !strings.Contains(dom, `data-state="error"`) || !strings.Contains(dom, "not found") {
		t.Errorf("the page shows no error for a missing model:\n%s", dom)
	}
	if shot := os.Getenv("SLMMUX_SERVE_SCREENSHOT"); shot != "" {
		args := chromiumArgs(filepath.Join(dir, "profile2"), "--virtual-time-budget=60000", "--hide-scrollbars",
			"--window-size=1100,900", "--screenshot="+shot, page)
		if b, err := exec.CommandContext(ctx, chromium, args...).CombinedOutput(); err != nil {
			t.Fatalf("chromium --screenshot: %v\n%s", err, b)
		}
		t.Logf("screenshot saved to %s", shot)
	}
}
