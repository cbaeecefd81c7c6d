package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/discuss"
	"github.com/slmmux/slmmux/engine/enginetest"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/models"
)

// discussion fixtures: two sums; "wrong" always answers 7, "right" and
// "right2" the sum; a verifier approves a candidate that holds the sum.
func discussFixture(t *testing.T) (benchmark.Benchmark, []benchmark.Item) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "d.jsonl")
	os.WriteFile(path, []byte(`{"id":"q1","question":"What is 2+2?","answer":"4"}
{"id":"q2","question":"What is 3+3?","answer":"6"}
`), 0o644)
	b, err := benchmark.New("jsonl", benchmark.Config{Extractor: "number"})
	if err != nil {
		t.Fatal(err)
	}
	items, err := b.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return b, items
}

var sums = map[string]string{"2+2": "4", "3+3": "6"}

func sumOf(text string) string {
	for q, a := range sums {
		if strings.Contains(text, q) {
			return a
		}
	}
	return "?"
}

func discussGen(prompts *[]models.Request) *enginetest.FakeGenerator {
	var mu sync.Mutex
	return &enginetest.FakeGenerator{GenerateFn: func(_ context.Context, req models.Request) (models.Result, error) {
		if prompts != nil {
			mu.Lock()
			*prompts = append(*prompts, req)
			mu.Unlock()
		}
		text := req.System + "\n" + req.Prompt
		if strings.Contains(req.System, "verifier") {
			cand := text[strings.Index(text, "Proposed solution:"):]
			if regexp.MustCompile(`\\boxed\{` + sumOf(text) + `\}`).MatchString(cand) {
				return models.Result{Text: "Checked.\nAPPROVE", OutputTokens: 2}, nil
			}
			return models.Result{Text: "REJECT", OutputTokens: 1}, nil
		}
		if req.Model == "wrong" {
			return models.Result{Text: `\boxed{7}`, OutputTokens: 3}, nil
		}
		return models.Result{Text: `The sum is \boxed{` + sumOf(text) + `}`, OutputTokens: 5}, nil
	}}
}

func runDiscussion(t *testing.T, ctx context.Context, gen engine.Generator, dir string, dc discuss.Config) (engine.DiscussStats, error) {
	b, items := discussFixture(t)
	return engine.Discuss(ctx, gen, engine.DiscussConfig{Discussion: dc, Models: []string{"wrong", "right", "right2"},
		Bench: b, Items: items, Sampling: engine.Sampling{Samples: 1, Temperature: 0.3}, Dir: dir})
}

func TestDiscussionMethods(t *testing.T) {
	for _, c := range []struct {
		dc          discuss.Config
		generations int
		winner      string
	}{
		{discuss.Config{Method: discuss.Debate}, 2 * 3 * 2, "right"},                         // 2 items x 3 agents x 2 rounds
		{discuss.Config{Method: discuss.MoA, Aggregator: "right2"}, 2 * (3*2 + 1), "right2"}, // 2 layers of 3, then the aggregator
		{discuss.Config{Method: discuss.MAV}, 2 * (3 + 3*3*3), "right"},                      // 3 candidates, each by 3 models x 3 aspects
	} {
		dir := t.TempDir()
		var reqs []models.Request
		st, err := runDiscussion(t, t.Context(), discussGen(&reqs), dir, c.dc)
		if err != nil {
			t.Fatalf("%s: %v", c.dc.Method, err)
		}
		if st.Generated != c.generations {
			t.Errorf("%s: %d generations, want %d", c.dc.Method, st.Generated, c.generations)
		}
		rows, err := engine.DiscussionRows(dir)
		if err != nil || len(rows) != 1 || rows[0].Accuracy != 1 || rows[0].Items != 2 || rows[0].Generations != c.generations {
			t.Errorf("%s: rows %+v, %v: the method answers both right", c.dc.Method, rows, err)
		}
		turns, _ := runstore.ReadTurns(dir)
		for _, tr := range turns {
			if tr.Role == "final" && tr.Model != c.winner {
				t.Errorf("%s: %s won item %s, want %s", c.dc.Method, tr.Model, tr.Item, c.winner)
			}
		}
		if c.dc.Method == discuss.Debate {
			// Round 2 shows agent 0 its own reply and the other two.
			var r2 *models.Request
			for i := range reqs {
				if reqs[i].Model == "wrong" && strings.Contains(reqs[i].Prompt, "One agent solution") && strings.Contains(reqs[i].Prompt, "2+2") {
					r2 = &reqs[i]
				}
			}
			if r2 == nil || strings.Count(r2.Prompt, "One agent solution") != 2 || !strings.Contains(r2.Prompt, "Your previous solution to the problem:\n```\n\\boxed{7}") {
				t.Errorf("debate round 2 prompt: %+v", r2)
			}
		}
	}
}

// TestDiscussionResumesMidRound: a debate stopped after four generations
// resumes without redoing one; the two calls together generate what one
// uninterrupted run does.
func TestDiscussionResumesMidRound(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	var n atomic.Int64
	inner := discussGen(nil)
	stop := &enginetest.FakeGenerator{GenerateFn: func(c context.Context, req models.Request) (models.Result, error) {
		if n.Add(1) > 4 {
			cancel()
			return models.Result{}, c.Err()
		}
		return inner.GenerateFn(c, req)
	}}
	dc := discuss.Config{Method: discuss.Debate}
	if _, err := runDiscussion(t, ctx, stop, dir, dc); err == nil {
		t.Fatal("the interrupted run must report its interruption")
	}
	first, _ := runstore.ReadTurns(dir)
	st, err := runDiscussion(t, t.Context(), discussGen(nil), dir, dc)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 4 || st.Generated != 12-4 || st.Reused != 4 {
		t.Errorf("stored %d before the stop; resume generated %d, reused %d (want 4, 8, 4)", len(first), st.Generated, st.Reused)
	}
	if st, _ := runDiscussion(t, t.Context(), discussGen(nil), dir, dc); st.Generated != 0 {
		t.Errorf("a finished run generates nothing more: %+v", st)
	}
}
