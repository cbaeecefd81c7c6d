package benchmark

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/slmmux/slmmux/engine/answer"
	"github.com/slmmux/slmmux/engine/ifeval"
)

// ifevalBench is IFEval (Zhou et al. 2023, google-research
// instruction_following_eval): 541 prompts, each with verifiable
// instructions ("answer in fewer than 200 words", "no commas"), checked by
// the package ifeval, a port of the authors' checker. There is no
// reference answer; a response passes when it follows every instruction
// of its prompt (strict).
type ifevalBench struct{}

func (ifevalBench) Name() string { return "ifeval" }

// Kind is answer.Text: replies are free prose.
func (ifevalBench) Kind() answer.Kind { return answer.Text }

// Load reads the authors' input_data.jsonl: one {key, prompt,
// instruction_id_list, kwargs} a line. An item's ID is its key, its
// Question the prompt, and its Check the ifeval.Input.
func (b ifevalBench) Load(path string) ([]Item, error) {
	data, err := readData(b.Name(), path)
	if err != nil {
		return nil, err
	}
	ins, err := ifeval.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("benchmark: ifeval: %s: %w", path, err)
	}
	items := make([]Item, len(ins))
	for i, in := range ins {
		items[i] = Item{ID: strconv.Itoa(in.Key), Question: in.Prompt, Check: in}
	}
	return items, nil
}

// Prompt is the prompt alone as the user message, without a system
// message, as the authors and lm-evaluation-harness send it.
func (ifevalBench) Prompt(it Item) Prompt { return Prompt{User: it.Question} }

// Extract returns the trimmed reply: the text voted on.
func (ifevalBench) Extract(response string, _ Item) string { return strings.TrimSpace(response) }

// Correct is false: IFEval replies are judged by Grade.
func (ifevalBench) Correct(string, Item) bool { return false }

// Grade checks response against the item's instructions. It passes when
// every instruction is followed in the strict check; Reason lists the
// instructions not followed; Detail is the ifeval.Result, the authors'
// strict and loose outputs.
func (ifevalBench) Grade(_ context.Context, response string, it Item) (Verdict, error) {
	in, ok := it.Check.(ifeval.Input)
	if !ok {
		return Verdict{}, fmt.Errorf("benchmark: ifeval: item %s carries no instructions (Check is %T)", it.ID, it.Check)
	}
	r := ifeval.Check(in, response)
	v := Verdict{Pass: r.Strict.FollowAll, Detail: r}
	if !v.Pass {
		failed := r.Strict.Failed()
		if len(failed) == 0 {
			v.Reason = "instructions could not be checked"
		} else {
			v.Reason = "not followed: " + strings.Join(failed, ", ")
		}
	}
	return v, nil
}
