package runstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
)

// decodeSample parses one samples.jsonl line. Lines as slmmux writes them
// (a flat object of the Sample fields, lowercase keys) take a hand-written
// fast path that decodes each value once; anything else (other keys,
// nested values, odd spacing the fast path does not know) falls back to
// encoding/json, so both read the same lines the same way. With response
// false the response text is skipped, which offline analysis never needs.
//
// Measured on 100,000 lines (40 models x 500 items x 5 samples):
// encoding/json twice per line (presence check, then the struct) took
// about 0.6 s; the fast path about a tenth of that (BenchmarkLoadRun).
func decodeSample(b []byte, response bool) (Sample, error) {
	return decodeInterned(b, response, nil)
}

// decodeInterned is decodeSample sharing one string per distinct item
// and model id through in (nil: none), which saves most of a large run's
// allocations.
func decodeInterned(b []byte, response bool, in map[string]string) (Sample, error) {
	if s, ok := fastSample(b, response, in); ok {
		return s, nil
	}
	return slowSample(b, response)
}

// slowSample is the encoding/json path: one decode into a struct whose
// pointer fields tell a missing required field from a zero value.
func slowSample(b []byte, response bool) (Sample, error) {
	var w struct {
		Item         *string   `json:"item"`
		Model        *string   `json:"model"`
		Sample       *int      `json:"sample"`
		Answer       *string   `json:"answer"`
		Correct      *bool     `json:"correct"`
		Seed         *int      `json:"seed"`
		Response     string    `json:"response"`
		PromptTokens int       `json:"prompt_tokens"`
		OutputTokens int       `json:"output_tokens"`
		DurationMS   float64   `json:"duration_ms"`
		LoadMS       float64   `json:"load_ms"`
		Error        string    `json:"error"`
		Kind         string    `json:"kind"`
		AStrict      *string   `json:"answer_strict"`
		AFlexible    *string   `json:"answer_flexible"`
		LogprobMean  *float64  `json:"logprob_mean"`
		LogprobMin   *float64  `json:"logprob_min"`
		Verbal       *float64  `json:"verbal_confidence"`
		VerbalReply  *string   `json:"verbal_reply"`
		VerbalTokens int       `json:"verbal_tokens"`
		Embedding    []float32 `json:"embedding"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return Sample{}, err
	}
	switch {
	case w.Item == nil:
		return Sample{}, errors.New(`missing "item"`)
	case w.Model == nil:
		return Sample{}, errors.New(`missing "model"`)
	case w.Sample == nil:
		return Sample{}, errors.New(`missing "sample"`)
	case w.Answer == nil:
		return Sample{}, errors.New(`missing "answer"`)
	case w.Correct == nil:
		return Sample{}, errors.New(`missing "correct"`)
	}
	s := Sample{Item: *w.Item, Model: *w.Model, Sample: *w.Sample, Answer: *w.Answer, Correct: *w.Correct,
		Seed: w.Seed, PromptTokens: w.PromptTokens, OutputTokens: w.OutputTokens,
		DurationMS: w.DurationMS, LoadMS: w.LoadMS, Error: w.Error, Kind: w.Kind, AnswerStrict: w.AStrict, AnswerFlexible: w.AFlexible,
		LogprobMean: w.LogprobMean, LogprobMin: w.LogprobMin, Verbal: w.Verbal, VerbalReply: w.VerbalReply,
		VerbalTokens: w.VerbalTokens, Embedding: w.Embedding}
	if response {
		s.Response = w.Response
	}
	return s, nil
}

// fastSample decodes a flat JSON object of known keys. It reports false
// whenever it is not sure, leaving the line to encoding/json.
func fastSample(b []byte, response bool, in map[string]string) (Sample, bool) {
	var s Sample
	var have uint8 // item, model, sample, answer, correct
	p := fastParser{b: b}
	if !p.lit('{') {
		return s, false
	}
	if p.lit('}') {
		return s, false
	}
	for {
		key, ok := p.plainBytes()
		if !ok || !p.lit(':') {
			return s, false
		}
		switch string(key) {
		case "item":
			s.Item, ok = p.interned(in)
			have |= 1
		case "model":
			s.Model, ok = p.interned(in)
			have |= 2
		case "sample":
			s.Sample, ok = p.int()
			have |= 4
		case "answer":
			s.Answer, ok = p.str()
			have |= 8
		case "correct":
			s.Correct, ok = p.bool()
			have |= 16
		case "seed":
			var v int
			v, ok = p.int()
			s.Seed = &v
		case "response":
			if response {
				s.Response, ok = p.str()
			} else {
				ok = p.skipString()
			}
		case "prompt_tokens":
			s.PromptTokens, ok = p.int()
		case "output_tokens":
			s.OutputTokens, ok = p.int()
		case "duration_ms":
			s.DurationMS, ok = p.float()
		case "load_ms":
			s.LoadMS, ok = p.float()
		case "error":
			s.Error, ok = p.str()
		case "kind":
			s.Kind, ok = p.str()
		case "answer_strict":
			s.AnswerStrict, ok = p.strPtr()
		case "answer_flexible":
			s.AnswerFlexible, ok = p.strPtr()
		case "logprob_mean":
			s.LogprobMean, ok = p.floatPtr()
		case "logprob_min":
			s.LogprobMin, ok = p.floatPtr()
		case "verbal_confidence":
			s.Verbal, ok = p.floatPtr()
		case "verbal_reply":
			s.VerbalReply, ok = p.strPtr()
		case "verbal_tokens":
			s.VerbalTokens, ok = p.int()
		case "embedding":
			s.Embedding, ok = p.floats()
		default:
			return s, false
		}
		if !ok {
			return s, false
		}
		if p.lit(',') {
			continue
		}
		if p.lit('}') && p.end() && have == 31 {
			return s, true
		}
		return s, false
	}
}

// fastParser reads the JSON subset fastSample accepts.
type fastParser struct {
	b []byte
	i int
}

func (p *fastParser) space() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\r' || p.b[p.i] == '\n') {
		p.i++
	}
}

func (p *fastParser) lit(c byte) bool {
	p.space()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *fastParser) end() bool { p.space(); return p.i == len(p.b) }

// plainBytes reads a string without escapes, control characters or
// non-ASCII bytes, as a view into the line.
func (p *fastParser) plainBytes() ([]byte, bool) {
	if !p.lit('"') {
		return nil, false
	}
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return p.b[start : p.i-1], true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return nil, false
		}
		p.i++
	}
	return nil, false
}

// interned reads a string, sharing the copy of an id seen before.
func (p *fastParser) interned(in map[string]string) (string, bool) {
	save := p.i
	if b, ok := p.plainBytes(); ok && in != nil {
		if s, ok := in[string(b)]; ok {
			return s, true
		}
		s := string(b)
		in[s] = s
		return s, true
	}
	p.i = save
	return p.str()
}

// str reads a string; one with escapes or non-ASCII bytes goes through
// encoding/json so invalid UTF-8 and escapes are handled identically.
func (p *fastParser) str() (string, bool) {
	save := p.i
	if b, ok := p.plainBytes(); ok {
		return string(b), true
	}
	p.i = save
	p.space()
	start := p.i
	if !p.skipString() {
		return "", false
	}
	var s string
	if err := json.Unmarshal(p.b[start:p.i], &s); err != nil {
		return "", false
	}
	return s, true
}

// skipString moves past a string, escapes included, accepting exactly what
// encoding/json accepts: no raw control characters, only JSON's escapes.
func (p *fastParser) skipString() bool {
	if !p.lit('"') {
		return false
	}
	for p.i < len(p.b) {
		switch c := p.b[p.i]; {
		case c == '"':
			p.i++
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if !p.escape() {
				return false
			}
		default:
			p.i++
		}
	}
	return false
}

// escape moves past one escape sequence at p.i (the backslash), if valid.
func (p *fastParser) escape() bool {
	if p.i+1 >= len(p.b) {
		return false
	}
	switch p.b[p.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		p.i += 2
		return true
	case 'u':
		if p.i+6 > len(p.b) {
			return false
		}
		for _, h := range p.b[p.i+2 : p.i+6] {
			if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
				return false
			}
		}
		p.i += 6
		return true
	}
	return false
}

func (p *fastParser) token() []byte {
	p.space()
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c == ',' || c == '}' || c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			break
		}
		p.i++
	}
	return p.b[start:p.i]
}

func (p *fastParser) int() (int, bool) {
	t := p.token()
	if len(t) == 0 || t[0] == '+' || (len(t) > 1 && t[0] == '0') || (len(t) > 2 && t[0] == '-' && t[1] == '0') {
		return 0, false
	}
	n, err := strconv.Atoi(string(t))
	return n, err == nil
}

func (p *fastParser) float() (float64, bool) {
	return jsonFloat(p.token())
}

// jsonFloat parses a JSON number, refusing anything JSON does not allow.
func jsonFloat(t []byte) (float64, bool) {
	digits := bytes.TrimPrefix(t, []byte("-"))
	if len(digits) == 0 || digits[0] < '0' || digits[0] > '9' || t[len(t)-1] < '0' || t[len(t)-1] > '9' ||
		(len(digits) > 1 && digits[0] == '0' && digits[1] != '.' && digits[1] != 'e' && digits[1] != 'E') ||
		bytes.ContainsAny(t, "_xXnNiIpP+") && !bytes.ContainsAny(t, "eE") {
		return 0, false // leave anything JSON does not allow to encoding/json
	}
	f, err := strconv.ParseFloat(string(t), 64)
	return f, err == nil
}

func (p *fastParser) strPtr() (*string, bool) {
	v, ok := p.str()
	return &v, ok
}

func (p *fastParser) floatPtr() (*float64, bool) {
	f, ok := p.float()
	return &f, ok
}

// floats reads an array of numbers as float32, the nearest float32 as
// encoding/json gives a []float32.
func (p *fastParser) floats() ([]float32, bool) {
	if !p.lit('[') {
		return nil, false
	}
	if p.lit(']') {
		return []float32{}, true
	}
	var out []float32
	for {
		t := p.numToken()
		if _, ok := jsonFloat(t); !ok {
			return nil, false
		}
		f32, err := strconv.ParseFloat(string(t), 32)
		if err != nil {
			return nil, false
		}
		out = append(out, float32(f32))
		if p.lit(',') {
			continue
		}
		if p.lit(']') {
			return out, true
		}
		return nil, false
	}
}

// numToken is token that also ends at ']'.
func (p *fastParser) numToken() []byte {
	p.space()
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			break
		}
		p.i++
	}
	return p.b[start:p.i]
}

func (p *fastParser) bool() (bool, bool) {
	switch string(p.token()) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}
