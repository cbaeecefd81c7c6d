package report

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const chromium = "/usr/bin/chromium"

// chromiumArgs are the flags for a quiet, offline, throwaway browser.
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

// TestReportInChromium opens the page in headless Chromium and counts the
// charts and headings in the DOM it built. With SLMMUX_REPORT_SCREENSHOT
// set to a .png path it also saves a 1200×1600 screenshot there (the
// README's picture: SLMMUX_REPORT_SCREENSHOT=$PWD/docs/report.png).
func TestReportInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	needChromium(t)
	r := synthReport(t, 200, 9)
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.WriteHTML(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, chromium, chromiumArgs(filepath.Join(dir, "profile"), "--dump-dom", "file://"+path)...).Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom: %v", err)
	}
	dom := string(out)
	if n := strings.Count(dom, `<svg class="chart"`); n != wantCharts {
		t.Errorf("DOM has %d charts, want %d", n, wantCharts)
	}
	for _, h := range wantHeadings {
		if !strings.Contains(dom, "<h2>"+h+"</h2>") {
			t.Errorf("DOM lacks heading %q", h)
		}
	}
	if shot := os.Getenv("SLMMUX_REPORT_SCREENSHOT"); shot != "" {
		args := chromiumArgs(filepath.Join(dir, "profile2"), "--hide-scrollbars", "--window-size=1200,1600",
			"--screenshot="+shot, "file://"+path)
		if b, err := exec.CommandContext(ctx, chromium, args...).CombinedOutput(); err != nil {
			t.Fatalf("chromium --screenshot: %v\n%s", err, b)
		}
		t.Logf("screenshot saved to %s", shot)
	}
}
