package benchmark

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// parseChoices reads a "choices" field: absent or null (nil), a JSON list
// of strings, or a JSON string holding a Python list literal such as
// "['A 10^-8 eV\n', 'B 10^-11 eV']".
func parseChoices(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err == nil {
		return list, nil
	}
	var lit string
	if err := json.Unmarshal(raw, &lit); err != nil {
		return nil, errors.New(`"choices" must be a list of strings or a string holding a Python list`)
	}
	list, err := parsePyList(lit)
	if err != nil {
		return nil, fmt.Errorf(`"choices": %w`, err)
	}
	return list, nil
}

// parsePyList parses a Python list literal of string literals: single,
// double or triple quotes, r/u/b prefixes, adjacent literals concatenated,
// a trailing comma, and Python's escape sequences.
func parsePyList(s string) ([]string, error) {
	p := pyParser{s: s}
	p.space()
	if !p.eat('[') {
		return nil, p.fail("want '['")
	}
	list := []string{}
	for {
		p.space()
		if p.eat(']') {
			break
		}
		str, err := p.concat()
		if err != nil {
			return nil, err
		}
		list = append(list, str)
		p.space()
		if p.eat(']') {
			break
		}
		if !p.eat(',') {
			return nil, p.fail("want ',' or ']'")
		}
	}
	if p.space(); p.i != len(s) {
		return nil, p.fail("unexpected text after ']'")
	}
	return list, nil
}

type pyParser struct {
	s string
	i int
}

func (p *pyParser) fail(msg string) error {
	return fmt.Errorf("python list literal: offset %d: %s", p.i, msg)
}

func (p *pyParser) space() { p.i = skipSet(p.s, p.i, " \t\r\n\f") }

func (p *pyParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// concat reads one or more adjacent string literals and joins them.
func (p *pyParser) concat() (string, error) {
	var b strings.Builder
	for n := 0; ; n++ {
		start := p.i
		p.space()
		prefix := p.i
		for p.i < len(p.s) && strings.IndexByte("rRuUbB", p.s[p.i]) >= 0 && p.i-prefix < 2 {
			p.i++
		}
		if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
			if n == 0 {
				return "", p.fail("want a string literal")
			}
			p.i = start
			return b.String(), nil
		}
		raw := strings.ContainsAny(p.s[prefix:p.i], "rR")
		if err := p.literal(&b, raw); err != nil {
			return "", err
		}
	}
}

// literal reads one quoted literal at p.i into b.
func (p *pyParser) literal(b *strings.Builder, raw bool) error {
	quote := p.s[p.i : p.i+1]
	if strings.HasPrefix(p.s[p.i:], quote+quote+quote) {
		quote += quote + quote
	}
	p.i += len(quote)
	for {
		if p.i >= len(p.s) {
			return p.fail("unterminated string")
		}
		c := p.s[p.i]
		switch {
		case strings.HasPrefix(p.s[p.i:], quote):
			p.i += len(quote)
			return nil
		case c == '\n' && len(quote) == 1:
			return p.fail("newline in string")
		case c == '\\' && raw:
			// A raw string keeps the backslash; it still escapes a quote.
			end := min(p.i+2, len(p.s))
			b.WriteString(p.s[p.i:end])
			p.i = end
		case c == '\\':
			if err := p.escape(b); err != nil {
				return err
			}
		default:
			b.WriteByte(c)
			p.i++
		}
	}
}

var simpleEscapes = map[byte]string{
	'\\': `\`, '\'': "'", '"': `"`, 'a': "\a", 'b': "\b", 'f': "\f",
	'n': "\n", 'r': "\r", 't': "\t", 'v': "\v", '\n': "",
}

// escape decodes the escape sequence at p.i (a backslash).
func (p *pyParser) escape(b *strings.Builder) error {
	if p.i+1 >= len(p.s) {
		return p.fail("unterminated string")
	}
	c := p.s[p.i+1]
	if out, ok := simpleEscapes[c]; ok {
		b.WriteString(out)
		p.i += 2
		return nil
	}
	switch c {
	case '0', '1', '2', '3', '4', '5', '6', '7':
		end := p.i + 1
		for end < len(p.s) && end < p.i+4 && p.s[end] >= '0' && p.s[end] <= '7' {
			end++
		}
		v, _ := strconv.ParseUint(p.s[p.i+1:end], 8, 32)
		b.WriteRune(rune(v))
		p.i = end
	case 'x', 'u', 'U':
		n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[c]
		if p.i+2+n > len(p.s) {
			return p.fail(`truncated \` + string(c) + " escape")
		}
		v, err := strconv.ParseUint(p.s[p.i+2:p.i+2+n], 16, 32)
		if err != nil || v > utf8.MaxRune {
			return p.fail(`bad \` + string(c) + " escape")
		}
		b.WriteRune(rune(v))
		p.i += 2 + n
	case 'N':
		return p.fail(`\N{...} escapes are not supported`)
	default:
		b.WriteByte('\\') // Python keeps unknown escapes as they are
		p.i++
	}
	return nil
}
