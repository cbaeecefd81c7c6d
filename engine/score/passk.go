package score

// PassAtK is the unbiased estimator of pass@k of Chen et al. (2021) for one
// problem with n samples of which c pass: 1 - C(n-c, k) / C(n, k), in the
// numerically stable product form of human-eval's estimate_pass_at_k. k
// above n is taken as n.
func PassAtK(n, c, k int) float64 {
	if k > n {
		k = n
	}
	if n-c < k {
		return 1
	}
	p := 1.0
	for i := n - c + 1; i <= n; i++ {
		p *= 1 - float64(k)/float64(i)
	}
	return 1 - p
}
