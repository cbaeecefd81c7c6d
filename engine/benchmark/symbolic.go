package benchmark

import (
	"math"
	"math/big"
	"math/rand/v2"
)

// value is a number during evaluation: exact (r != nil) while only
// rational arithmetic has been done, else a float64.
type value struct {
	r *big.Rat
	f float64
}

func (v value) float() float64 {
	if v.r != nil {
		f, _ := v.r.Float64()
		return f
	}
	return v.f
}

// Bounds on exact arithmetic: integer powers up to maxExactPower, and
// rationals up to maxExactBits bits; beyond them evaluation goes on in
// float64, so no answer can make it slow.
const (
	maxExactPower = 64
	maxExactBits  = 4096
	symTrials     = 6
	symMinTrials  = 3
	symTolerance  = 1e-9
)

func exact(r *big.Rat) value {
	if r.Num().BitLen()+r.Denom().BitLen() > maxExactBits {
		f, _ := r.Float64()
		return value{f: f}
	}
	return value{r: r}
}

// symbolicEqual reports whether two answers are the same expression:
// both parse (parseExpr), and at symTrials seeded random points (exact
// rationals in [1/5, 3) for every variable) they agree, exactly where
// both values are rational and to a relative symTolerance otherwise. A
// point where just one side is undefined is a difference; at least
// symMinTrials points must be defined.
func symbolicEqual(a, b string) bool {
	x, err := parseExpr(a)
	if err != nil {
		return false
	}
	y, err := parseExpr(b)
	if err != nil {
		return false
	}
	vars := map[string]value{}
	rng := rand.New(rand.NewPCG(0x5e11, 0x13))
	defined := 0
	for range symTrials {
		for _, name := range exprVars(x, exprVars(y, nil)) {
			den := int64(7 + rng.IntN(13))
			vars[name] = value{r: big.NewRat(den/5+rng.Int64N(3*den-den/5), den)}
		}
		u, okU := x.eval(vars)
		v, okV := y.eval(vars)
		if okU != okV {
			return false
		}
		if !okU {
			continue
		}
		if !sameValue(u, v) {
			return false
		}
		defined++
	}
	return defined >= symMinTrials
}

func sameValue(u, v value) bool {
	if u.r != nil && v.r != nil {
		return u.r.Cmp(v.r) == 0
	}
	a, b := u.float(), v.float()
	return math.Abs(a-b) <= symTolerance*max(1, math.Abs(a), math.Abs(b))
}

// exprVars appends the variable names of e not yet in names.
func exprVars(e *expr, names []string) []string {
	if e.op == 'v' {
		for _, n := range names {
			if n == e.name {
				return names
			}
		}
		return append(names, e.name)
	}
	for _, a := range e.args {
		names = exprVars(a, names)
	}
	return names
}

// eval evaluates e; false means undefined (division by zero, a root of a
// negative number, an overflow).
func (e *expr) eval(vars map[string]value) (value, bool) {
	switch e.op {
	case 'n':
		return value{r: e.num}, true
	case 'v':
		v, ok := vars[e.name]
		return v, ok
	case 'c':
		if e.name == "e" {
			return value{f: math.E}, true
		}
		return value{f: math.Pi}, true
	}
	args := make([]value, len(e.args))
	for i, a := range e.args {
		v, ok := a.eval(vars)
		if !ok {
			return value{}, false
		}
		args[i] = v
	}
	var v value
	switch e.op {
	case '~':
		v = neg(args[0])
	case '+', '-', '*', '/':
		v = arith(e.op, args[0], args[1])
	case '^':
		v = pow(args[0], args[1])
	case 'f':
		v = apply(e.name, args)
	}
	ok := v.r != nil || !math.IsNaN(v.f) && !math.IsInf(v.f, 0)
	return v, ok
}

func neg(a value) value {
	if a.r != nil {
		return value{r: new(big.Rat).Neg(a.r)}
	}
	return value{f: -a.f}
}

func arith(op byte, a, b value) value {
	if a.r != nil && b.r != nil {
		r := new(big.Rat)
		switch op {
		case '+':
			r.Add(a.r, b.r)
		case '-':
			r.Sub(a.r, b.r)
		case '*':
			r.Mul(a.r, b.r)
		case '/':
			if b.r.Sign() == 0 {
				return value{f: math.NaN()}
			}
			r.Quo(a.r, b.r)
		}
		return exact(r)
	}
	x, y := a.float(), b.float()
	switch op {
	case '+':
		return value{f: x + y}
	case '-':
		return value{f: x - y}
	case '*':
		return value{f: x * y}
	}
	if y == 0 {
		return value{f: math.NaN()}
	}
	return value{f: x / y}
}

// pow is exact for a rational base and a small integer exponent.
func pow(a, b value) value {
	if a.r != nil && b.r != nil && b.r.IsInt() && b.r.Num().IsInt64() {
		n := b.r.Num().Int64()
		if n >= -maxExactPower && n <= maxExactPower && (n >= 0 || a.r.Sign() != 0) &&
			a.r.Num().BitLen()+a.r.Denom().BitLen() <= maxExactBits/maxExactPower {
			k := big.NewInt(n)
			if n < 0 {
				k.Neg(k)
			}
			r := new(big.Rat).SetFrac(new(big.Int).Exp(a.r.Num(), k, nil), new(big.Int).Exp(a.r.Denom(), k, nil))
			if n < 0 {
				r.Inv(r)
			}
			return exact(r)
		}
	}
	return value{f: math.Pow(a.float(), b.float())}
}

func apply(name string, args []value) value {
	x := args[0].float()
	switch name {
	case "sqrt":
		if r := args[0].r; r != nil && r.Sign() >= 0 {
			if n, d := new(big.Int).Sqrt(r.Num()), new(big.Int).Sqrt(r.Denom()); new(big.Int).Mul(n, n).Cmp(r.Num()) == 0 && new(big.Int).Mul(d, d).Cmp(r.Denom()) == 0 {
				return value{r: new(big.Rat).SetFrac(n, d)}
			}
		}
		return value{f: math.Sqrt(x)}
	case "log":
		if len(args) == 2 {
			return value{f: math.Log(x) / math.Log(args[1].float())}
		}
		return value{f: math.Log10(x)}
	case "ln":
		return value{f: math.Log(x)}
	}
	return value{f: trig(name, x)}
}

func trig(name string, x float64) float64 {
	switch name {
	case "sin":
		return math.Sin(x)
	case "cos":
		return math.Cos(x)
	case "tan":
		return math.Tan(x)
	case "sec":
		return 1 / math.Cos(x)
	case "csc":
		return 1 / math.Sin(x)
	case "cot":
		return 1 / math.Tan(x)
	case "arcsin":
		return math.Asin(x)
	case "arccos":
		return math.Acos(x)
	case "arctan":
		return math.Atan(x)
	case "sinh":
		return math.Sinh(x)
	case "cosh":
		return math.Cosh(x)
	case "tanh":
		return math.Tanh(x)
	}
	return math.Exp(x) // exp
}
