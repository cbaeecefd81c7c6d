package benchmark

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/engine/enginetest"
)

// peerCase is one line of shared/data/graders/peer-cases.jsonl: a case
// ported from another grader's test suite, naming its suite, file and test.
type peerCase struct {
	ID             string   `json:"id"`
	Suite          string   `json:"suite"`
	File           string   `json:"file"`
	Test           string   `json:"test"`
	Benchmark      string   `json:"benchmark"`
	Kind           string   `json:"kind"`
	Response       string   `json:"response"`
	Reference      *string  `json:"reference"`
	ReferenceFrom  *string  `json:"reference_from"`
	AltReferences  []string `json:"alt_references_from"`
	Choices        []string `json:"choices"`
	Expected       *bool    `json:"expected"`
	ExpectedAnswer *string  `json:"expected_answer"`
	Repeat         *struct {
		Text  string `json:"text"`
		Count int    `json:"count"`
	} `json:"repeat"`
}

func loadPeerCases(t *testing.T) []peerCase {
	t.Helper()
	f, err := os.Open(enginetest.DataFile(t, "graders/peer-cases.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []peerCase
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var c peerCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestPeerCases checks this package's verdicts against the 1,173 cases
// ported from Math-Verify, lighteval, hendrycks/math, NeMo-Skills,
// inspect_ai, verl, lm-evaluation-harness and opencompass (each subtest is
// named suite/file/test).
func TestPeerCases(t *testing.T) {
	cases := loadPeerCases(t)
	known := loadPeerDisagreements(t)
	type tally struct{ strict, flexible, known, total int }
	perSuite := map[string]*tally{}
	for _, c := range cases {
		n := perSuite[c.Suite]
		if n == nil {
			n = &tally{}
			perSuite[c.Suite] = n
		}
		n.total++
		t.Run(c.Suite+"/"+c.File+"/"+c.ID, func(t *testing.T) {
			strict, flexible := checkPeerCase(t, c)
			why, listed := known[c.ID]
			switch {
			case strict:
				n.strict++
			case flexible:
				n.flexible++
			case listed:
				n.known++
				t.Skipf("known disagreement (%s)", why)
			default:
				t.Errorf("disagrees with %s %s %s in both modes", c.Suite, c.File, c.Test)
			}
			if listed && (strict || flexible) {
				t.Logf("listed as a known disagreement (%s) but agrees now", why)
			}
		})
	}
	for s, n := range perSuite {
		t.Logf("%s: %d cases: strict agrees %d, flexible only %d, known disagreements %d", s, n.total, n.strict, n.flexible, n.known)
	}
}

// loadPeerDisagreements reads testdata/peer-disagreements.txt: one case id
// a line, a tab, and the policy that makes this package decide otherwise.
func loadPeerDisagreements(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "peer-disagreements.txt"))
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]string{}
	for line := range strings.Lines(string(data)) {
		if id, why, ok := strings.Cut(strings.TrimSpace(line), "\t"); ok && !strings.HasPrefix(id, "#") {
			known[id] = why
		}
	}
	return known
}

// checkPeerCase reports whether this package agrees with the peer's
// verdict in Strict mode, else whether it does in Flexible mode.
func checkPeerCase(t *testing.T, c peerCase) (strict, flexible bool) {
	t.Helper()
	for _, mode := range []ExtractMode{Strict, Flexible} {
		ok, msg := peerVerdict(t, c, mode)
		if mode == Strict {
			strict = ok
			if !ok {
				t.Log("strict: " + msg)
			}
			continue
		}
		if flexible = ok; !ok {
			t.Log("flexible: " + msg)
		}
	}
	return strict, flexible
}

func peerVerdict(t *testing.T, c peerCase, mode ExtractMode) (bool, string) {
	b, err := New(c.Benchmark, Config{Extract: mode})
	if err != nil {
		t.Fatal(err)
	}
	resp := c.Response
	if c.Repeat != nil {
		resp = strings.Repeat(c.Repeat.Text, c.Repeat.Count) + resp
	}
	if c.Kind == "extract" {
		got := b.Extract(resp, Item{Choices: c.Choices})
		return got == *c.ExpectedAnswer, fmt.Sprintf("Extract(%.200q) = %q, want %q", resp, got, *c.ExpectedAnswer)
	}
	var refs []string
	switch {
	case c.Reference != nil:
		refs = []string{*c.Reference}
	case c.ReferenceFrom != nil:
		refs = []string{peerReference(b, *c.ReferenceFrom)}
	}
	for _, r := range c.AltReferences {
		refs = append(refs, peerReference(b, r))
	}
	verdict, got := false, ""
	for _, r := range refs {
		it := Item{Reference: r, Choices: c.Choices}
		got = b.Extract(resp, it)
		verdict = verdict || b.Correct(got, it)
	}
	return verdict == *c.Expected, fmt.Sprintf("Correct(Extract(%.200q) = %q, %q) = %v, want %v", resp, got, refs, verdict, *c.Expected)
}

// peerReference extracts a reference from a peer's gold text; a MATH gold
// that boxes several answers is the list of them (the rule Extract
// applies to replies when the reference is a list).
func peerReference(b Benchmark, text string) string {
	if b.Name() == "math500" {
		if boxes := allBoxes(text); len(boxes) >= 2 {
			return canonMath(strings.Join(boxes, ","))
		}
	}
	return b.Extract(text, Item{})
}
