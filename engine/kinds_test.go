package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/slmmux/slmmux/engine/answer"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/runstore"
)

// kindReply is one hand-written reply and what the question's kind reads
// from it: the normalized code (code questions), the general rule's
// answer (short questions), or "" for text questions (whose form is the
// trimmed reply itself).
type kindReply struct{ text, want string }

type kindModel struct {
	name    string
	replies []kindReply
}

// kindCases are realistic replies of small models to chat questions:
// code with and without fences, code followed by prose, prose, lists,
// refusals and empty replies.
var kindCases = []struct {
	name     string
	models   []kindModel
	kind     answer.Kind
	winner   string // "" when no model answers
	contains string // in the winning answer
}{
	{
		name: "code: comments and spacing only beat substance",
		models: []kindModel{
			{"drift", []kindReply{
				{"```python\ndef reverse_list(xs):\n    return xs[::-1]\n```", "def reverse_list(xs):\n    return xs[::-1]"},
				{"You can use a loop:\n\n```python\ndef reverse_list(xs):\n    out = []\n    for x in xs:\n        out.insert(0, x)\n    return out\n```\n\nThis builds the list from the front.",
					"def reverse_list(xs):\n    out = []\n    for x in xs:\n        out.insert(0, x)\n    return out"},
				{"```python\ndef reverse_list(lst):\n    return list(reversed(lst))\n```", "def reverse_list(lst):\n    return list(reversed(lst))"},
			}},
			{"steady", []kindReply{
				{"Here is the function:\n\n```python\ndef reverse_list(xs):\n    # walk from the end\n    result = []\n    for i in range(len(xs) - 1, -1, -1):\n        result.append(xs[i])\n    return result\n```\nThis returns a new list.",
					"def reverse_list(xs):\n    result = []\n    for i in range(len(xs) - 1, -1, -1):\n        result.append(xs[i])\n    return result"},
				{"```python\ndef reverse_list(xs):\n    result = []\n\n    for i in range(len(xs) - 1, -1, -1):   \n        result.append(xs[i])  # add it\n    return result\n```",
					"def reverse_list(xs):\n    result = []\n    for i in range(len(xs) - 1, -1, -1):\n        result.append(xs[i])\n    return result"},
				{"```py\n# Reverse a list without slicing.\ndef reverse_list(xs):\n    result = []\n    for i in range(len(xs) - 1, -1, -1):\n        result.append(xs[i])\n\n    return result\n```\n\nExample: `reverse_list([1, 2, 3])` gives `[3, 2, 1]`.",
					"def reverse_list(xs):\n    result = []\n    for i in range(len(xs) - 1, -1, -1):\n        result.append(xs[i])\n    return result"},
			}},
			{"bare", []kindReply{
				{"def reverse_list(xs):\n    xs.reverse()\n    return xs\n", "def reverse_list(xs):\n    xs.reverse()\n    return xs"},
				{"def reverse_list(a):\n    n = len(a)\n    for i in range(n // 2):\n        a[i], a[n - 1 - i] = a[n - 1 - i], a[i]\n    return a",
					"def reverse_list(a):\n    n = len(a)\n    for i in range(n // 2):\n        a[i], a[n - 1 - i] = a[n - 1 - i], a[i]\n    return a"},
				{"Use slicing: `xs[::-1]` returns the list reversed.", ""},
			}},
		},
		kind: answer.Code, winner: "steady", contains: "result.append(xs[i])",
	},
	{
		name: "code: an unclosed fence cut by the token limit still counts",
		models: []kindModel{
			{"a", []kindReply{
				{"```python\ndef is_even(n):\n    return n % 2 == 0\n```", "def is_even(n):\n    return n % 2 == 0"},
				{"```python\ndef is_even(n):\n    return n % 2 == 0", "def is_even(n):\n    return n % 2 == 0"},
			}},
			{"b", []kindReply{
				{"```\ndef is_even(n):\n    if n % 2 == 0:\n        return True\n    return False\n```", "def is_even(n):\n    if n % 2 == 0:\n        return True\n    return False"},
				{"I'm not able to run code, but an even number is divisible by two.", ""},
			}},
		},
		kind: answer.Code, winner: "a", contains: "n % 2 == 0",
	},
	{
		name: "short: arithmetic in prose and boxes votes by equality",
		models: []kindModel{
			{"m1", []kindReply{
				{"17 * 3 = 51.\nThe answer is 51.", "51"},
				{"Multiplying, we get \\boxed{51}", "51"},
				{"51", "51"},
			}},
			{"m2", []kindReply{
				{"17 times 3 is 52", "52"},
				{"So the answer is 51.", "51"},
				{"", ""},
			}},
		},
		kind: answer.Short, winner: "m1", contains: "51",
	},
	{
		name: "short: a number ending a sentence",
		models: []kindModel{
			{"m1", []kindReply{
				{"A spider has 8 legs.", "8"},
				{"Spiders are arachnids, and arachnids have 8 legs.", "8"},
			}},
			{"m2", []kindReply{
				{"Spiders have eight legs, so 8.", "8"},
				{"6", "6"},
			}},
		},
		kind: answer.Short, winner: "m1", contains: "8",
	},
	{
		name: "text: paraphrases beat disagreement",
		models: []kindModel{
			{"scatter", []kindReply{
				{"The sky looks blue because of the ocean reflecting onto the atmosphere above it.", ""},
				{"Blue light has more energy, so our eyes are more sensitive to it during the day.", ""},
				{"I'm sorry, I cannot answer questions about the weather.", ""},
			}},
			{"rayleigh", []kindReply{
				{"The sky is blue because sunlight is scattered by the molecules in the air, and blue light is scattered much more than red light because of its shorter wavelength.", ""},
				{"Sunlight is scattered by the molecules of the air, and blue light, with its shorter wavelength, is scattered much more than red light. That is why the sky is blue.", ""},
				{"The sky is blue because the air scatters blue sunlight more than red sunlight: shorter wavelengths are scattered much more by the molecules in the air.", ""},
			}},
		},
		kind: answer.Text, winner: "rayleigh", contains: "scattered",
	},
	{
		name: "text: lists are not short answers",
		models: []kindModel{
			{"list-a", []kindReply{
				{"Here are three primary colors:\n1. Red\n2. Blue\n3. Yellow", ""},
				{"1. Red\n2. Yellow\n3. Blue", ""},
				{"- Red\n- Blue\n- Yellow", ""},
			}},
			{"list-b", []kindReply{
				{"1. Green\n2. Orange\n3. Purple", ""},
				{"The primary colors are:\n- Cyan\n- Magenta\n- Yellow\n- Black", ""},
				{"Red, green and blue are the primary colors of light, and they mix to white.", ""},
			}},
		},
		kind: answer.Text, winner: "list-a", contains: "Red",
	},
	{
		name: "text: a haiku is not its last line",
		models: []kindModel{
			{"poet", []kindReply{
				{"Crisp leaves drift and fall\nthe maple lets go of red\nautumn wind carries", ""},
				{"Crisp leaves drift and fall\nthe old maple lets go of red\nthe autumn wind sighs", ""},
			}},
			{"prose", []kindReply{
				{"Autumn is a season of change, when the leaves turn and the air grows cold.", ""},
				{"Here is a haiku:\nGolden light fading\nsquirrels hurry through the leaves\nsummer says goodbye", ""},
			}},
		},
		kind: answer.Text, winner: "poet", contains: "maple",
	},
	{
		name: "short: identical refusals vote together",
		models: []kindModel{
			{"careful", []kindReply{
				{"I'm sorry, but I can't help with that.", "i'msorry,butican'thelpwiththat"},
				{"I'm sorry, but I can't help with that.", "i'msorry,butican'thelpwiththat"},
				{"", ""},
			}},
			{"chatty", []kindReply{
				{"I can't assist with that request.", "ican'tassistwiththatrequest"},
				{"Sorry, I can't do that.", "sorry,ican'tdothat"},
				{"No.", "no"},
			}},
		},
		kind: answer.Short, winner: "careful", contains: "sorry",
	},
	{
		name: "empty replies: no answer",
		models: []kindModel{
			{"m1", []kindReply{{"", ""}, {"  \n", ""}}},
			{"m2", []kindReply{{"", ""}, {"", ""}}},
		},
		kind: answer.Short, winner: "",
	},
	{
		name: "text: one model answers, the other is silent",
		models: []kindModel{
			{"silent", []kindReply{{"", ""}, {"", ""}}},
			{"talker", []kindReply{
				{"Paris has been the capital of France since the tenth century, with short interruptions.", ""},
				{"", ""},
			}},
		},
		kind: answer.Text, winner: "talker", contains: "Paris",
	},
}

// TestKindsOnHandWrittenReplies runs SLM-MUX's automatic kind over the
// replies above, as ask and serve do: the kind detected, what each reply
// reads as, and the winning model.
func TestKindsOnHandWrittenReplies(t *testing.T) {
	general, err := benchmark.New("jsonl", benchmark.Config{Extractor: "general"})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, c := range kindCases {
		t.Run(c.name, func(t *testing.T) {
			k := len(c.models[0].replies)
			store := map[runstore.Key]runstore.Sample{}
			var names []string
			for _, m := range c.models {
				names = append(names, m.name)
				for j, r := range m.replies {
					store[runstore.Key{Item: "q", Model: m.name, Sample: j}] = runstore.Sample{Item: "q", Model: m.name, Sample: j,
						Response: r.text, Answer: general.Extract(r.text, benchmark.Item{})}
					total++
				}
			}
			get := func(key runstore.Key) (runstore.Sample, bool) { s, ok := store[key]; return s, ok }
			ans, err := Tally("q", AskConfig{Models: names, Sampling: Sampling{Samples: k}, Kind: answer.Auto}, get, nil, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if ans.Kind != c.kind || ans.Model != c.winner {
				t.Fatalf("kind %s, winner %q; want %s, %q\n%+v", ans.Kind, ans.Model, c.kind, c.winner, ans.Models)
			}
			if !strings.Contains(ans.Answer, c.contains) || c.winner != "" && !strings.Contains(ans.Reply, c.contains) {
				t.Errorf("answer %q, reply %q: want both to contain %q", ans.Answer, ans.Reply, c.contains)
			}
			if c.winner == "" && ans.Reply != "" {
				t.Errorf("no winner but reply %q", ans.Reply)
			}
			for i, m := range c.models {
				for j, r := range m.replies {
					got := ans.Models[i].Answers[j]
					want := r.want
					if c.kind == answer.Text {
						want = strings.TrimSpace(r.text)
					}
					if got != want {
						t.Errorf("%s sample %d reads %q, want %q", m.name, j, got, want)
					}
				}
			}
		})
	}
	if total < 40 {
		t.Errorf("%d replies in the table, want at least 40", total)
	}
}

// A question of a fixed kind is not detected: Short keeps today's vote,
// even on replies that carry code.
func TestFixedShortKindIsNotDetected(t *testing.T) {
	store := map[runstore.Key]runstore.Sample{
		{Item: "q", Model: "a", Sample: 0}: {Response: "```python\nprint(4)\n```\nThe answer is 4.", Answer: "4"},
		{Item: "q", Model: "a", Sample: 1}: {Response: "```python\nprint(2+2)\n```\nThe answer is 4.", Answer: "4"},
	}
	get := func(key runstore.Key) (runstore.Sample, bool) { s, ok := store[key]; return s, ok }
	ans, err := Tally("q", AskConfig{Models: []string{"a"}, Sampling: Sampling{Samples: 2}}, get, nil, time.Now())
	if err != nil || ans.Kind != answer.Short || ans.Answer != "4" || ans.Confidence != 1 {
		t.Fatalf("%+v, %v", ans, err)
	}
	if ans.Reply != store[runstore.Key{Item: "q", Model: "a", Sample: 0}].Response {
		t.Errorf("reply %q: want the first sample with the answer", ans.Reply)
	}
	auto, err := Tally("q", AskConfig{Models: []string{"a"}, Sampling: Sampling{Samples: 2}, Kind: answer.Auto}, get, nil, time.Now())
	if err != nil || auto.Kind != answer.Code {
		t.Fatalf("auto: %+v, %v", auto, err)
	}
}

// With an embedding model named, a text question compares the samples'
// embeddings by cosine; one sample without its embedding falls back to
// ROUGE-L for the whole question.
func TestTextByEmbeddings(t *testing.T) {
	store := map[runstore.Key]runstore.Sample{
		{Item: "q", Model: "a", Sample: 0}: {Response: "alpha beta gamma delta, a long prose reply of no number", Embedding: []float32{1, 0}},
		{Item: "q", Model: "a", Sample: 1}: {Response: "totally different words here, prose again without figures", Embedding: []float32{1, 0.01}},
		{Item: "q", Model: "b", Sample: 0}: {Response: "alpha beta gamma delta, a long prose reply of no number", Embedding: []float32{1, 0}},
		{Item: "q", Model: "b", Sample: 1}: {Response: "alpha beta gamma delta, a long prose reply of no number!", Embedding: []float32{0, 1}},
	}
	get := func(key runstore.Key) (runstore.Sample, bool) { s, ok := store[key]; return s, ok }
	cfg := AskConfig{Models: []string{"a", "b"}, Sampling: Sampling{Samples: 2}, Kind: answer.Text, EmbedModel: "e"}
	ans, err := Tally("q", cfg, get, nil, time.Now())
	if err != nil || ans.Measure != answer.Cosine || ans.Model != "a" {
		t.Fatalf("cosine: model %q measure %q, %v", ans.Model, ans.Measure, err)
	}
	cfg.EmbedModel = ""
	if ans, _ = Tally("q", cfg, get, nil, time.Now()); ans.Measure != answer.RougeL || ans.Model != "b" {
		t.Fatalf("rouge-l: model %q measure %q", ans.Model, ans.Measure)
	}
	s := store[runstore.Key{Item: "q", Model: "b", Sample: 1}]
	s.Embedding = nil
	store[runstore.Key{Item: "q", Model: "b", Sample: 1}] = s
	cfg.EmbedModel = "e"
	if ans, _ = Tally("q", cfg, get, nil, time.Now()); ans.Measure != answer.RougeL || ans.Model != "b" {
		t.Fatalf("a missing embedding: model %q measure %q", ans.Model, ans.Measure)
	}
}
