package benchmark

import (
	"errors"
	"math/big"
	"strings"
)

// expr is a parsed arithmetic expression: the form of a MATH answer that
// symbolic equivalence (symbolic.go) evaluates.
type expr struct {
	op   byte     // 'n' number, 'v' variable, 'c' constant, 'f' function, '~' negation, or + - * / ^
	num  *big.Rat // for 'n'
	name string   // variable, constant or function name
	args []*expr
}

// Bounds that keep parsing linear and evaluation cheap: answers longer
// than maxExprLen bytes, nested deeper than maxExprDepth, or with more
// than maxExprNodes nodes are not parsed.
const (
	maxExprLen   = 512
	maxExprDepth = 32
	maxExprNodes = 256
)

var errNoExpr = errors.New("not an expression")

// exprFuncs are the functions parseExpr knows, by name without backslash.
var exprFuncs = map[string]bool{
	"sin": true, "cos": true, "tan": true, "sec": true, "csc": true, "cot": true,
	"arcsin": true, "arccos": true, "arctan": true, "sinh": true, "cosh": true, "tanh": true,
	"ln": true, "log": true, "exp": true, "sqrt": true,
}

// exprGreek are the Greek letters read as variables (\pi is a constant).
var exprGreek = map[string]bool{
	"alpha": true, "beta": true, "gamma": true, "delta": true, "theta": true, "phi": true,
	"lambda": true, "mu": true, "sigma": true, "omega": true, "rho": true, "tau": true, "psi": true,
}

// parseExpr parses a canonical MATH answer (canonMath's output, or similar
// ASCII such as "2*x" and "sqrt(3)") into an expression. It accepts
// numbers, single-letter and Greek variables, \pi and e, + - * / ^ **,
// \cdot \times \div, implicit products ("2x", "(r+5)(r+5)"), \frac, \sqrt
// (with an optional [n]), and the functions in exprFuncs, optionally
// raised to a power ("\sec^2 y"). Two letters side by side ("ab") are
// refused, so that words are never compared as products of letters.
func parseExpr(s string) (*expr, error) {
	if len(s) > maxExprLen {
		return nil, errNoExpr
	}
	p := &exprParser{s: s}
	e := p.sum()
	if p.skip(); p.err != nil || p.i != len(s) {
		return nil, errNoExpr
	}
	return e, nil
}

type exprParser struct {
	s            string
	i            int
	depth, nodes int
	err          error
}

func (p *exprParser) skip() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

// eat consumes tok when it comes next.
func (p *exprParser) eat(tok string) bool {
	p.skip()
	if strings.HasPrefix(p.s[p.i:], tok) && !(tok[0] == '\\' && isLetterAt(p.s, p.i+len(tok))) {
		p.i += len(tok)
		return true
	}
	return false
}

func (p *exprParser) node(e *expr) *expr {
	if p.nodes++; p.nodes > maxExprNodes {
		p.err = errNoExpr
	}
	return e
}

func (p *exprParser) fail() *expr {
	p.err = errNoExpr
	return &expr{op: 'n', num: new(big.Rat)}
}

func (p *exprParser) sum() *expr {
	if p.depth++; p.depth > maxExprDepth {
		return p.fail()
	}
	defer func() { p.depth-- }()
	e := p.product()
	for p.err == nil {
		switch {
		case p.eat("+"):
			e = p.node(&expr{op: '+', args: []*expr{e, p.product()}})
		case p.eat("-"):
			e = p.node(&expr{op: '-', args: []*expr{e, p.product()}})
		default:
			return e
		}
	}
	return e
}

func (p *exprParser) product() *expr {
	e := p.unary()
	for p.err == nil {
		switch {
		case p.eat("**"):
			p.i -= 2 // a power: left to unary
			return e
		case p.eat("*"), p.eat(`\cdot`), p.eat(`\times`):
			e = p.node(&expr{op: '*', args: []*expr{e, p.unary()}})
		case p.eat("/"), p.eat(`\div`):
			e = p.node(&expr{op: '/', args: []*expr{e, p.unary()}})
		case p.startsPrimary():
			if e.op == 'n' && strings.HasPrefix(p.s[p.i:], `\frac`) {
				return p.fail() // 2\frac{1}{2} is a mixed number, not a product
			}
			e = p.node(&expr{op: '*', args: []*expr{e, p.power()}})
		default:
			return e
		}
	}
	return e
}

// startsPrimary reports whether an implicit product continues here.
func (p *exprParser) startsPrimary() bool {
	p.skip()
	if p.i >= len(p.s) {
		return false
	}
	c := p.s[p.i]
	if c == '\\' {
		j := p.i + 1
		for j < len(p.s) && isASCIILetter(p.s[j]) {
			j++
		}
		name := p.s[p.i+1 : j]
		return name == "frac" || name == "pi" || exprFuncs[name] || exprGreek[name]
	}
	return isASCIIDigit(c) || isASCIILetter(c) || c == '(' || c == '{' || c == '.'
}

func (p *exprParser) unary() *expr {
	if p.depth++; p.depth > maxExprDepth {
		return p.fail()
	}
	defer func() { p.depth-- }()
	switch {
	case p.eat("-"):
		return p.node(&expr{op: '~', args: []*expr{p.unary()}})
	case p.eat("+"):
		return p.unary()
	}
	return p.power()
}

// power reads a primary and an optional exponent: x^2, x^{n+1}, 2**(1/4).
func (p *exprParser) power() *expr {
	base := p.primary()
	switch {
	case p.eat("**"):
		return p.node(&expr{op: '^', args: []*expr{base, p.unary()}})
	case p.eat("^"):
		return p.node(&expr{op: '^', args: []*expr{base, p.script()}})
	}
	return base
}

// script reads a LaTeX script: a braced group or one character (with an
// optional sign: x^-1).
func (p *exprParser) script() *expr {
	p.skip()
	switch {
	case p.eat("{"):
		e := p.sum()
		if !p.eat("}") {
			return p.fail()
		}
		return e
	case p.eat("-"):
		return p.node(&expr{op: '~', args: []*expr{p.script()}})
	case p.i < len(p.s) && isASCIIDigit(p.s[p.i]):
		p.i++
		return p.node(&expr{op: 'n', num: new(big.Rat).SetInt64(int64(p.s[p.i-1] - '0'))})
	case p.i < len(p.s) && isASCIILetter(p.s[p.i]) && !isLetterAt(p.s, p.i+1):
		p.i++
		return p.variable(p.s[p.i-1 : p.i])
	}
	return p.primary()
}

func (p *exprParser) variable(name string) *expr {
	if name == "e" || name == "pi" {
		return p.node(&expr{op: 'c', name: name})
	}
	return p.node(&expr{op: 'v', name: name})
}

func (p *exprParser) primary() *expr {
	if p.depth++; p.depth > maxExprDepth {
		return p.fail()
	}
	defer func() { p.depth-- }()
	p.skip()
	if p.i >= len(p.s) || p.err != nil {
		return p.fail()
	}
	switch c := p.s[p.i]; {
	case c == '(' || c == '{':
		p.i++
		e := p.sum()
		if !p.eat(map[byte]string{'(': ")", '{': "}"}[c]) {
			return p.fail()
		}
		return e
	case isASCIIDigit(c) || c == '.':
		j := p.i
		for j < len(p.s) && (isASCIIDigit(p.s[j]) || p.s[j] == '.') {
			j++
		}
		r, ok := parseDecimal(p.s[p.i:j])
		if !ok {
			return p.fail()
		}
		p.i = j
		return p.node(&expr{op: 'n', num: r})
	case isASCIILetter(c):
		j := p.i
		for j < len(p.s) && isASCIILetter(p.s[j]) {
			j++
		}
		name := p.s[p.i:j]
		p.i = j
		if len(name) == 1 {
			return p.variable(name)
		}
		if !exprFuncs[name] {
			return p.fail()
		}
		return p.function(name)
	case c == '\\':
		j := p.i + 1
		for j < len(p.s) && isASCIILetter(p.s[j]) {
			j++
		}
		name := p.s[p.i+1 : j]
		p.i = j
		return p.command(name)
	}
	return p.fail()
}

// command reads what follows a command name: \frac{a}{b}, \sqrt[n]{x},
// \pi, a Greek variable or a function.
func (p *exprParser) command(name string) *expr {
	switch {
	case name == "frac":
		a := p.braced()
		b := p.braced()
		return p.node(&expr{op: '/', args: []*expr{a, b}})
	case name == "sqrt":
		if p.eat("[") {
			n := p.sum()
			if !p.eat("]") {
				return p.fail()
			}
			x := p.power()
			inv := p.node(&expr{op: '/', args: []*expr{{op: 'n', num: big.NewRat(1, 1)}, n}})
			return p.node(&expr{op: '^', args: []*expr{x, inv}})
		}
		return p.node(&expr{op: 'f', name: "sqrt", args: []*expr{p.power()}})
	case name == "pi":
		return p.variable("pi")
	case exprGreek[name]:
		return p.node(&expr{op: 'v', name: `\` + name})
	case exprFuncs[name]:
		return p.function(name)
	}
	return p.fail()
}

func (p *exprParser) braced() *expr {
	if !p.eat("{") {
		return p.fail()
	}
	e := p.sum()
	if !p.eat("}") {
		return p.fail()
	}
	return e
}

// function reads a function's optional power and base and its argument:
// \sin^2 x, \log_2(8), sqrt(3). An exponent of -1 (an inverse) is refused.
func (p *exprParser) function(name string) *expr {
	var exp, base *expr
	if p.eat("^") {
		if exp = p.script(); exp.op == '~' {
			return p.fail()
		}
	}
	if name == "log" && p.eat("_") {
		base = p.script()
	}
	f := p.node(&expr{op: 'f', name: name, args: []*expr{p.power()}})
	if base != nil {
		f.args = append(f.args, base)
	}
	if exp != nil {
		f = p.node(&expr{op: '^', args: []*expr{f, exp}})
	}
	return f
}
