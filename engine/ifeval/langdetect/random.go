package langdetect

import "math"

// pyRandom is CPython's random.Random (Mersenne Twister MT19937) as far as
// langdetect uses it: seed with a small non-negative int, random(), gauss()
// and choice() (through _randbelow with getrandbits, as in CPython 3.11).
type pyRandom struct {
	mt        [624]uint32
	mti       int
	gaussNext float64
	hasGauss  bool
}

// seed is Random.seed(n) for 0 <= n < 2^32 (init_by_array with one key).
func (r *pyRandom) seed(n uint32) {
	r.initGenrand(19650218)
	const nn = 624
	key := []uint32{n}
	i, j := 1, 0
	for k := max(nn, len(key)); k > 0; k-- {
		r.mt[i] = (r.mt[i] ^ ((r.mt[i-1] ^ (r.mt[i-1] >> 30)) * 1664525)) + key[j] + uint32(j)
		i++
		j++
		if i >= nn {
			r.mt[0] = r.mt[nn-1]
			i = 1
		}
		if j >= len(key) {
			j = 0
		}
	}
	for k := nn - 1; k > 0; k-- {
		r.mt[i] = (r.mt[i] ^ ((r.mt[i-1] ^ (r.mt[i-1] >> 30)) * 1566083941)) - uint32(i)
		i++
		if i >= nn {
			r.mt[0] = r.mt[nn-1]
			i = 1
		}
	}
	r.mt[0] = 0x80000000
	r.hasGauss = false
}

func (r *pyRandom) initGenrand(s uint32) {
	r.mt[0] = s
	for i := 1; i < 624; i++ {
		r.mt[i] = 1812433253*(r.mt[i-1]^(r.mt[i-1]>>30)) + uint32(i)
	}
	r.mti = 624
}

// uint32 is genrand_uint32.
func (r *pyRandom) uint32() uint32 {
	const (
		n         = 624
		m         = 397
		matrixA   = 0x9908b0df
		upperMask = 0x80000000
		lowerMask = 0x7fffffff
	)
	if r.mti >= n {
		mag := [2]uint32{0, matrixA}
		var kk int
		for kk = 0; kk < n-m; kk++ {
			y := (r.mt[kk] & upperMask) | (r.mt[kk+1] & lowerMask)
			r.mt[kk] = r.mt[kk+m] ^ (y >> 1) ^ mag[y&1]
		}
		for ; kk < n-1; kk++ {
			y := (r.mt[kk] & upperMask) | (r.mt[kk+1] & lowerMask)
			r.mt[kk] = r.mt[kk+(m-n)] ^ (y >> 1) ^ mag[y&1]
		}
		y := (r.mt[n-1] & upperMask) | (r.mt[0] & lowerMask)
		r.mt[n-1] = r.mt[m-1] ^ (y >> 1) ^ mag[y&1]
		r.mti = 0
	}
	y := r.mt[r.mti]
	r.mti++
	y ^= y >> 11
	y ^= (y << 7) & 0x9d2c5680
	y ^= (y << 15) & 0xefc60000
	y ^= y >> 18
	return y
}

// random is Random.random(): a float in [0, 1) with 53 random bits.
func (r *pyRandom) random() float64 {
	a, b := r.uint32()>>5, r.uint32()>>6
	return (float64(a)*67108864.0 + float64(b)) * (1.0 / 9007199254740992.0)
}

// gauss is Random.gauss(0, 1).
func (r *pyRandom) gauss() float64 {
	if r.hasGauss {
		r.hasGauss = false
		return r.gaussNext
	}
	x2pi := r.random() * (2 * math.Pi)
	g2rad := math.Sqrt(-2.0 * math.Log(1.0-r.random()))
	r.gaussNext = math.Sin(x2pi) * g2rad
	r.hasGauss = true
	return math.Cos(x2pi) * g2rad
}

// below is Random._randbelow(n) for 0 < n < 2^32.
func (r *pyRandom) below(n int) int {
	k := 0
	for v := n; v > 0; v >>= 1 {
		k++
	}
	for {
		v := int(r.uint32() >> (32 - k))
		if v < n {
			return v
		}
	}
}
