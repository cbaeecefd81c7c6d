package score_test

import (
	"math"
	"testing"

	"github.com/slmmux/slmmux/engine/score"
)

// More pass@k values worked out by hand, including sizes where the
// binomial coefficients themselves overflow a float64 (C(2000, 1000) is
// about 2e600), which the product form never computes.
func TestPassAtKByHand(t *testing.T) {
	cases := []struct {
		n, c, k int
		want    float64
		how     string
	}{
		{2, 1, 1, 0.5, "one of two"},
		{5, 2, 2, 0.7, "1 - C(3,2)/C(5,2) = 1 - 3/10"},
		{6, 2, 3, 0.8, "1 - C(4,3)/C(6,3) = 1 - 4/20"},
		{20, 5, 1, 0.25, "pass@1 is c/n"},
		{200, 1, 100, 0.5, "C(199,100)/C(200,100) = 100/200"},
		{2000, 1, 1000, 0.5, "C(1999,1000)/C(2000,1000) = 1000/2000"},
		{2000, 2, 1000, 1 - (1000.0/2000)*(999.0/1999), "two passes: 1 - (1000/2000)(999/1999)"},
		{10, 0, 10, 0, "no pass"},
		{10, 1, 10, 1, "every draw holds the pass"},
	}
	for _, c := range cases {
		if got := score.PassAtK(c.n, c.c, c.k); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("PassAtK(%d, %d, %d) = %v, want %v (%s)", c.n, c.c, c.k, got, c.want, c.how)
		}
	}
}
