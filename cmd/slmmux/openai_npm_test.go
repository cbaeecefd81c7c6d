package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/models/ollama/daemon"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

// openaiNPM is the official openai npm package the test installs (v5: the
// last line that runs on this machine's Node 20; v6 needs Node 22).
const openaiNPM = "openai@5.7.0"

// openaiPackage installs openaiNPM into the cache once and returns the
// package folder. Without node or the registry the test skips, or fails
// under CI=true.
func openaiPackage(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(daemon.CacheDir(), "npm", strings.ReplaceAll(openaiNPM, "@", "-"))
	pkg := filepath.Join(dir, "node_modules", "openai")
	if _, err := os.Stat(filepath.Join(pkg, "package.json")); err == nil {
		return pkg
	}
	if _, err := exec.LookPath("npm"); err != nil {
		ollamatest.Unavailable(t, err)
	}
	cmd := exec.CommandContext(t.Context(), "npm", "install", "--prefix", dir, "--no-save", "--no-audit", "--no-fund", openaiNPM)
	if out, err := cmd.CombinedOutput(); err != nil {
		ollamatest.Unavailable(t, fmt.Errorf("npm install %s: %w\n%s", openaiNPM, err, out))
	}
	return pkg
}

const openaiScript = `
const { OpenAI } = require(process.argv[2]);
const client = new OpenAI({ baseURL: process.argv[3], apiKey: "unused" });
const messages = [{ role: "user", content: "What is 85-73?" }];
(async () => {
  const r = await client.chat.completions.create({ model: "mux", messages });
  let streamed = "", info = null;
  const s = await client.chat.completions.create({ model: "mux", messages, stream: true });
  for await (const c of s) {
    streamed += (c.choices[0] && c.choices[0].delta && c.choices[0].delta.content) || "";
    if (c.slmmux) info = c.slmmux;
  }
  const models = await client.models.list();
  console.log(JSON.stringify({ content: r.choices[0].message.content, usage: r.usage, slmmux: r.slmmux,
    streamed, streamInfo: info, models: models.data.map((m) => m.id) }));
})().catch((e) => { console.error(e); process.exit(1); });
`

// The official openai npm package, unchanged, calls the server's chat
// completions with and without streaming and reads 12 and the slmmux
// object.
func TestServeWithOpenAINPMPackage(t *testing.T) {
	if testing.Short() {
		t.Skip("installs an npm package and starts the real daemon")
	}
	pkg := openaiPackage(t)
	d := ollamatest.Shared(t)
	base := startServe(t, d)
	script := filepath.Join(t.TempDir(), "client.js")
	os.WriteFile(script, []byte(openaiScript), 0o644)
	out, err := exec.CommandContext(t.Context(), "node", script, pkg, base+"/v1").CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var got struct {
		Content  string `json:"content"`
		Streamed string `json:"streamed"`
		Usage    struct {
			CompletionTokens int `json:"completion_tokens"`
		} `json:"usage"`
		Slmmux, StreamInfo struct {
			Answer  string `json:"answer"`
			Members []any  `json:"members"`
		}
		Models []string `json:"models"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !strings.Contains(got.Content, "12") || !strings.Contains(got.Streamed, "12") || got.Slmmux.Answer != "12" ||
		got.StreamInfo.Answer != "12" || len(got.Slmmux.Members) != len(demoPool(t)) || got.Usage.CompletionTokens == 0 || got.Models[0] != "mux" {
		t.Fatalf("openai client saw %s", out)
	}
}
