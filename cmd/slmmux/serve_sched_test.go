package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/slmmux/slmmux/models/ollama/daemon"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

// schedMembers are the ensemble of the scheduler's live tests (the
// issue's example): two specialists and a generalist of the demo pool.
var schedMembers = []string{"demo-addsub", "demo-mul", "demo-mix"}

// sameQuestion is the request whose answer must not depend on batching.
const sameQuestion = `{"model":"mux","seed":5,"temperature":1,"messages":[{"role":"user","content":"What is 47*8?"}]}`

// chatReply is what the determinism tests compare: the content and the
// whole slmmux object.
func chatReply(t testing.TB, base, body string) string {
	t.Helper()
	code, reply := post(t, base+"/v1/chat/completions", body)
	var out struct {
		Choices []struct {
			Message struct{ Content string }
		}
		Slmmux json.RawMessage
	}
	if code != 200 || json.Unmarshal([]byte(reply), &out) != nil || len(out.Choices) != 1 {
		t.Fatalf("chat: %d %s", code, reply)
	}
	return out.Choices[0].Message.Content + "\n" + string(out.Slmmux)
}

// batched sends 8 concurrent requests, sameQuestion at positions 0, 3
// and 7 and other questions elsewhere, and returns the three replies.
func batched(t *testing.T, base string) []string {
	t.Helper()
	var wg sync.WaitGroup
	replies := make([]string, 8)
	for i := range replies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := sameQuestion
			if i != 0 && i != 3 && i != 7 {
				body = fmt.Sprintf(`{"model":"mux","seed":5,"temperature":1,"messages":[{"role":"user","content":"What is %d*%d?"}]}`, i+11, i+3)
			}
			replies[i] = chatReply(t, base, body)
		}()
	}
	wg.Wait()
	return []string{replies[0], replies[3], replies[7]}
}

// serveConfig writes a serve config: the ensemble mux over schedMembers
// (adaptive or not), on the given backends (none: the daemon at
// OLLAMA_HOST).
func serveConfig(t *testing.T, adaptive bool, extra string, backends ...[2]string) string {
	t.Helper()
	var sb strings.Builder
	if len(backends) > 0 {
		sb.WriteString("backends:\n")
		for _, b := range backends {
			fmt.Fprintf(&sb, "  - name: %s\n    kind: ollama\n    url: %s\n", b[0], b[1])
		}
	}
	fmt.Fprintf(&sb, "ensembles:\n  mux:\n    models: [%s]\n    samples: 3\n    adaptive: %v\n%s", strings.Join(schedMembers, ", "), adaptive, extra)
	path := filepath.Join(t.TempDir(), "serve.yaml")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// The same request gives the same answer, content and slmmux object alike,
// sent alone, at positions 0, 3 and 7 of 8 concurrent requests, with one
// model loaded at a time, and on a pool of two hosts; with adaptive
// sampling too. The item id comes from the request's content, and each
// model's samples run on one queue whatever the batching.
func TestServeAnswersDependOnlyOnTheRequest(t *testing.T) {
	d := ollamatest.StartT(t, daemon.Options{Env: map[string]string{"OLLAMA_MAX_LOADED_MODELS": "1"}})
	demoModels(t, d)
	d2 := ollamatest.StartT(t, daemon.Options{})
	demoModels(t, d2)
	env := map[string]string{"OLLAMA_HOST": d.Host}
	for _, adaptive := range []bool{false, true} {
		t.Run(fmt.Sprintf("adaptive=%v", adaptive), func(t *testing.T) {
			one := launchServe(t, env, "--config", serveConfig(t, adaptive, ""), "--max-loaded", "1")
			alone := chatReply(t, one, sameQuestion)
			if again := chatReply(t, one, sameQuestion); again != alone {
				t.Fatalf("the same request twice:\n%s\n%s", alone, again)
			}
			for i, r := range batched(t, one) {
				if r != alone {
					t.Errorf("position %d of 8 concurrent requests:\n%s\nalone:\n%s", []int{0, 3, 7}[i], r, alone)
				}
			}
			pool := launchServe(t, env, "--config", serveConfig(t, adaptive, "", [2]string{"alpha", d.Host}, [2]string{"beta", d2.Host}), "--max-loaded", "1")
			if r := chatReply(t, pool, sameQuestion); r != alone {
				t.Errorf("on a pool of two hosts:\n%s\none host:\n%s", r, alone)
			}
		})
	}
}

// Ten requests one after another to an ensemble whose members fit
// together start each member's runner once: models stay loaded between
// requests (the daemon's log).
func TestServeKeepsMembersLoadedBetweenRequests(t *testing.T) {
	d := ollamatest.StartT(t, daemon.Options{})
	demoModels(t, d)
	base := launchServe(t, map[string]string{"OLLAMA_HOST": d.Host}, "--models", strings.Join(schedMembers, ","), "--samples", "2")
	before := runnerStarts(t, d.LogPath)
	for i := range 10 {
		chatReply(t, base, fmt.Sprintf(`{"model":"mux","messages":[{"role":"user","content":"What is %d+%d?"}]}`, i, 2*i))
	}
	if n := runnerStarts(t, d.LogPath) - before; n != len(schedMembers) {
		t.Errorf("%d runner starts for 10 requests to %d members that fit together: want one each", n, len(schedMembers))
	}
}

// An ensemble with confidence: logprob on a pool of two hosts chooses
// what it chooses on one host: the pool's samples carry their token
// log-probabilities (before, a pool weighed every sample 0).
func TestServeLogprobEnsembleOnAPool(t *testing.T) {
	d, d2 := ollamatest.StartT(t, daemon.Options{}), ollamatest.StartT(t, daemon.Options{})
	demoModels(t, d)
	demoModels(t, d2)
	env := map[string]string{"OLLAMA_HOST": d.Host}
	extra := "    confidence: logprob\n"
	one := launchServe(t, env, "--config", serveConfig(t, false, extra))
	pool := launchServe(t, env, "--config", serveConfig(t, false, extra, [2]string{"alpha", d.Host}, [2]string{"beta", d2.Host}))
	for _, q := range []string{"What is 47*8?", "What is 85-73?", "What is 19+26?"} {
		body := fmt.Sprintf(`{"model":"mux","seed":3,"temperature":1,"messages":[{"role":"user","content":%q}]}`, q)
		a, b := chatReply(t, one, body), chatReply(t, pool, body)
		if a != b {
			t.Errorf("%s: one host\n%s\npool\n%s", q, a, b)
		}
		var info struct {
			Slmmux struct{ Confidence float64 }
		}
		_, raw, _ := strings.Cut(b, "\n")
		if json.Unmarshal([]byte(`{"slmmux":`+raw+`}`), &info) != nil || info.Slmmux.Confidence == 0 {
			t.Errorf("%s: pool confidence %v: the samples' log-probabilities were lost", q, raw)
		}
	}
}
