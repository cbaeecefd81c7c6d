package ifeval

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"reflect"
	"testing"

	"github.com/slmmux/slmmux/engine/enginetest"
)

// responses reads a JSONL file of {"prompt", "response"} lines.
func responses(t *testing.T, path string) []struct{ Prompt, Response string } {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []struct{ Prompt, Response string }
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var r struct {
			Prompt   string `json:"prompt"`
			Response string `json:"response"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, struct{ Prompt, Response string }{r.Prompt, r.Response})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGPT4Table3 scores the authors' published GPT-4 responses and
// compares the four accuracies with the IFEval paper's Table 3.
//
// Responses are joined to prompts on the prompt text, as the authors'
// evaluation_main does. 540 of the 541 prompts get a response. Key 2785's
// prompt was revised upstream after the responses were made ("at least
// one placeholder" became "at least 3 placeholders"), so its response
// matches no prompt. The denominator is the data set's 541 prompts, as in
// the paper, and the prompt without a response is scored as a blank
// response, which follows no instruction (the authors' rule for a blank
// response).
func TestGPT4Table3(t *testing.T) {
	ins, err := Load(enginetest.DataFile(t, "ifeval.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 541 {
		t.Fatalf("%d prompts, want 541", len(ins))
	}
	rs := responses(t, enginetest.DataFile(t, "ifeval_gpt4_responses.jsonl"))
	byPrompt := make(map[string]string, len(rs))
	for _, r := range rs {
		byPrompt[r.Prompt] = r.Response
	}
	var s Scores
	var missing []int
	for _, in := range ins {
		resp, ok := byPrompt[in.Prompt]
		if !ok {
			missing = append(missing, in.Key)
		}
		s.Add(Strict(in, resp), Loose(in, resp))
	}
	if len(missing) != 1 || missing[0] != 2785 {
		t.Errorf("prompts without a response: %v, want [2785]", missing)
	}
	got := s.Accuracy()
	t.Logf("prompts %d, instructions %d", s.Prompts, s.Instructions)
	t.Logf("prompt-level strict %.2f %%, instruction-level strict %.2f %%, prompt-level loose %.2f %%, instruction-level loose %.2f %%",
		100*got.PromptStrict, 100*got.InstructionStrict, 100*got.PromptLoose, 100*got.InstructionLoose)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"prompt-level strict", got.PromptStrict, 76.89},
		{"instruction-level strict", got.InstructionStrict, 83.57},
		{"prompt-level loose", got.PromptLoose, 79.30},
		{"instruction-level loose", got.InstructionLoose, 85.37},
	} {
		if math.Abs(100*c.got-c.want) > 0.5 {
			t.Errorf("%s = %.2f %%, want %.2f %% ± 0.5", c.name, 100*c.got, c.want)
		}
	}
}

// TestCheckIsStrictAndLoose: Check, which builds the checkers once and
// starts the loose check from the strict verdicts, gives what Strict and
// Loose give, on every GPT-4 response, on each starred and with an extra
// line (loose variants that repeat one another), and on blank ones.
func TestCheckIsStrictAndLoose(t *testing.T) {
	ins, err := Load(enginetest.DataFile(t, "ifeval.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	byPrompt := map[string]string{}
	for _, r := range responses(t, enginetest.DataFile(t, "ifeval_gpt4_responses.jsonl")) {
		byPrompt[r.Prompt] = r.Response
	}
	for _, in := range ins {
		resp := byPrompt[in.Prompt]
		for _, v := range []string{resp, "*" + resp + "*\n", " \n ", "*"} {
			got := Check(in, v)
			if s := Strict(in, v); !reflect.DeepEqual(got.Strict, s) {
				t.Errorf("key %d on %.40q: Check's strict %v, Strict %v", in.Key, v, got.Strict.FollowList, s.FollowList)
			}
			if l := Loose(in, v); !reflect.DeepEqual(got.Loose, l) {
				t.Errorf("key %d on %.40q: Check's loose %v, Loose %v", in.Key, v, got.Loose.FollowList, l.FollowList)
			}
		}
	}
}
