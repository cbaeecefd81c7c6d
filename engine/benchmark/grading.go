package benchmark

import "context"

// Grading returns b as a Grader: b itself when it judges whole replies,
// else one whose verdict is Correct of the extracted answer, so one scorer
// serves every set.
func Grading(b Benchmark) Grader {
	if g, ok := b.(Grader); ok {
		return g
	}
	return extracting{b}
}

type extracting struct{ Benchmark }

func (e extracting) Grade(_ context.Context, response string, it Item) (Verdict, error) {
	a := e.Extract(response, it)
	switch {
	case a == "":
		return Verdict{Reason: "no answer could be read"}, nil
	case !e.Correct(a, it):
		return Verdict{Reason: "answer " + a + ", reference " + it.Reference}, nil
	}
	return Verdict{Pass: true}, nil
}
