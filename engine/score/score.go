// Package score grades responses made anywhere (by slmmux or by another
// tool) against a benchmark's checker: code run against its tests in the
// sandbox, text checked against IFEval's instructions. It reads a
// responses file, finds each response's item, grades it, and gives the
// metrics per model: pass@1 and pass@k for code, IFEval's prompt- and
// instruction-level accuracy, strict and loose, for text.
package score

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/benchmark"
)

// Response is one line of a responses file: its item, named by key,
// task_id, id or the exact prompt, the response, and the model that made
// it ("" when the line names none).
type Response struct {
	Line     int
	Ref      string // the key, task_id or id as text ("" when only the prompt names it)
	Prompt   string
	Response string
	Model    string
}

// DefaultModel names the responses of a line without "model".
const DefaultModel = "responses"

// ReadResponses reads a JSONL responses file. Each line is an object with
// "response" and one of "key", "task_id", "id" (a number or a string) or
// "prompt"; "model" is optional. Errors name the file and line.
func ReadResponses(path string) ([]Response, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Response
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 64<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(line, &raw); err != nil {
			return nil, fmt.Errorf("%s:%d: not a JSON object: %v", path, n, err)
		}
		r := Response{Line: n, Model: DefaultModel}
		resp, ok := raw["response"]
		if !ok || json.Unmarshal(resp, &r.Response) != nil {
			return nil, fmt.Errorf("%s:%d: no \"response\" string", path, n)
		}
		for _, k := range []string{"key", "task_id", "id"} {
			if v, ok := raw[k]; ok && r.Ref == "" {
				r.Ref = scalar(v)
			}
		}
		if v, ok := raw["prompt"]; ok {
			json.Unmarshal(v, &r.Prompt)
		}
		if v, ok := raw["model"]; ok {
			var m string
			if json.Unmarshal(v, &m) == nil && m != "" {
				r.Model = m
			}
		}
		if r.Ref == "" && r.Prompt == "" {
			return nil, fmt.Errorf("%s:%d: the line names no item (give \"key\", \"task_id\", \"id\" or the exact \"prompt\")", path, n)
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no responses", path)
	}
	return out, nil
}

// scalar reads a JSON number or string as text.
func scalar(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(v, &n) == nil {
		return n.String()
	}
	return ""
}

// Record is one graded response.
type Record struct {
	Response
	// Item is the matched item's id; "" when none matched (Err says why).
	Item    string
	Sample  int // the response's index among its model's responses to Item
	Verdict benchmark.Verdict
	Err     string
	// Missing marks a blank response AddMissing added for an item the
	// model did not answer.
	Missing bool
}

// Match finds each response's item: by key, task_id or id against the
// item ids (an MBPP or IFEval number, "HumanEval/3"), else by the exact
// prompt against each item's question and its prompt's user message. A
// response that matches nothing keeps an Err that says so.
func Match(b benchmark.Benchmark, items []benchmark.Item, rs []Response) []Record {
	byID := map[string]int{}
	byPrompt := map[string]int{}
	for i, it := range items {
		byID[it.ID] = i
		byPrompt[it.Question] = i
		if u := b.Prompt(it).User; u != "" {
			if _, ok := byPrompt[u]; !ok {
				byPrompt[u] = i
			}
		}
	}
	count := map[[2]string]int{}
	out := make([]Record, len(rs))
	for j, r := range rs {
		out[j].Response = r
		i, ok := byID[r.Ref]
		if !ok && r.Ref != "" {
			i, ok = byID[b.Name()+"-"+r.Ref]
		}
		if !ok && r.Prompt != "" {
			i, ok = byPrompt[r.Prompt]
		}
		if !ok {
			what := "id " + strconv.Quote(r.Ref)
			if r.Ref == "" {
				what = "this exact prompt"
			}
			out[j].Err = fmt.Sprintf("line %d: no item with %s in the data file", r.Line, what)
			continue
		}
		id := items[i].ID
		out[j].Item = id
		k := [2]string{id, r.Model}
		out[j].Sample = count[k]
		count[k]++
	}
	return out
}

// Grade grades every matched record in place, up to workers at once (0:
// the cores). The error is the first grading failure (the sandbox could
// not start, or execution is not allowed), never a wrong answer.
func Grade(ctx context.Context, g benchmark.Grader, items []benchmark.Item, recs []Record, workers int) error {
	byID := engine.ItemsByID(items)
	eg, ctx := engine.GradeGroup(ctx, workers)
	for i := range recs {
		if recs[i].Err != "" {
			continue
		}
		eg.Go(func() error {
			r := &recs[i]
			v, err := engine.GradeOne(ctx, g, r.Response.Response, "", byID[r.Item])
			r.Verdict = v
			return err
		})
	}
	return eg.Wait()
}

// AddMissing adds, for each model of recs, a blank response to every item
// it did not answer, marked Missing: scored as a reply that follows no
// instruction and passes no test, as the IFEval authors' evaluation scores
// every prompt of the data set. Without it the metrics cover the answered
// items only.
func AddMissing(items []benchmark.Item, recs []Record) []Record {
	for _, m := range Models(recs) {
		answered := map[string]bool{}
		for _, r := range recs {
			if r.Model == m && r.Err == "" {
				answered[r.Item] = true
			}
		}
		for _, it := range items {
			if !answered[it.ID] {
				recs = append(recs, Record{Response: Response{Ref: it.ID, Model: m}, Item: it.ID, Missing: true})
			}
		}
	}
	return recs
}

// Models returns the models of recs in order of first appearance.
func Models(recs []Record) []string {
	var out []string
	for _, r := range recs {
		if !slices.Contains(out, r.Model) {
			out = append(out, r.Model)
		}
	}
	return out
}
