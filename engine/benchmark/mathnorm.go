package benchmark

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// canonMath returns the canonical form of a MATH answer (a box's content or
// a reference). It extends the official normalize_answer (spec §5.3) so
// that equivalent spellings meet: \dfrac12, \frac12, 1/2, .5 and 0.5 all
// give \frac{1}{2}; 1,000 gives 1000; \text{} wrappers, trailing units,
// degrees, percent and dollar signs, \left/\right, spacing commands and
// spaces go (one space stays after a command name that a letter follows:
// "\cot x"). Every step is a linear scan; none can panic.
func canonMath(s string) string {
	s = boxNames.Replace(s)
	s = scanCommands(s)
	s = unwrapText(s)
	s = dropUnitWords(s)
	s = dropApprox(s)
	s = canonRelation(s)
	s = dropVariable(s)
	s = braceArgs(s)
	s = mixedNumber(s)
	s = removeSpace(s)
	if s = canonValue(peel(s), 0); hasBoxName(s) {
		return "" // only adversarial input ("\fb%ox") rebuilds a box name
	}
	return s
}

// Deleted text leaves a space everywhere in canonMath, so that no
// deletion can join two pieces into a new command name ("\r$ight").
var boxNames = strings.NewReplacer(`\boxed`, " ", `\fbox`, " ")

func hasBoxName(s string) bool {
	return strings.Contains(s, `\boxed`) || strings.Contains(s, `\fbox`)
}

// removeSpace deletes every space (scanCommands has mapped them all to
// ' '), except that one stays between a command name and a letter, where
// it separates tokens: "\cot x" is not "\cotx", nor "\sq rt" "\sqrt".
func removeSpace(s string) string {
	if strings.IndexByte(s, ' ') < 0 && strings.IndexByte(s, negSpace) < 0 {
		return s
	}
	out := make([]byte, 0, len(s))
	inName := false // inside a \letters command name
	depth := 0      // brackets open: only a top-level list is at stake
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == negSpace {
			j := i + 1
			for j < len(s) && (s[j] == ' ' || s[j] == negSpace) {
				j++ // "32,\! 349" is one number
			}
			if inName && j < len(s) && isASCIILetter(s[j]) {
				out = append(out, ' ') // "\c\!irc" is not "\circ"
			}
			i, inName = j-1, false
			continue
		}
		switch c {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		}
		if c == ' ' {
			j := i
			for j < len(s) && s[j] == ' ' {
				j++
			}
			if inName && j < len(s) && isASCIILetter(s[j]) {
				out = append(out, ' ')
			}
			if depth == 0 && listComma(out) && j < len(s) && isASCIIDigit(s[j]) {
				out = append(out, ' ') // "10, 100" is a list, not 10100
			}
			i, inName = j-1, false
			continue
		}
		inName = isASCIILetter(c) && (inName || i > 0 && s[i-1] == '\\')
		out = append(out, c)
	}
	return string(out)
}

// negSpace stands for \! (a negative thin space) until removeSpace drops
// it; unlike a space it never separates list elements.
const negSpace = '\x01'

// listComma reports whether out ends with a digit and a comma, so that a
// space after it separates list elements rather than thousands groups.
func listComma(out []byte) bool {
	n := len(out)
	return n >= 2 && out[n-1] == ',' && isASCIIDigit(out[n-2])
}

// peel removes braces that enclose all of s and a final full stop, in any
// nesting: {{5}} → 5, {5.}. → 5 (but 1,2,... keeps its dots).
func peel(s string) string {
	if !strings.HasPrefix(s, "{") && !strings.HasSuffix(s, ".") {
		return s
	}
	closeAt := matchBraces(s)
	i, j := 0, len(s)-1
	for i <= j {
		switch {
		case s[j] == '.' && (j == i || s[j-1] != '.'):
			j--
		case s[i] == '{' && int(closeAt[i]) == j:
			i, j = i+1, j-1
		default:
			return s[i : j+1]
		}
	}
	return ""
}

// spacingCommands are dropped; the key is the name after the backslash.
var spacingCommands = map[string]bool{
	"!": true, ",": true, ";": true, ":": true, ">": true, " ": true, "$": true, "%": true,
	"left": true, "right": true, "bigl": true, "bigr": true, "Bigl": true, "Bigr": true,
	"big": true, "Big": true, "bigg": true, "Bigg": true, "biggl": true, "biggr": true,
	"displaystyle": true, "textstyle": true, "quad": true, "qquad": true, "degree": true,
}

// scanCommands is one pass over s that turns spacing and sizing commands,
// "$", "%", "~", degree marks and every space character into ' ' (removed
// later), \dfrac and \tfrac into \frac, the row separator \\ into ";" and
// {,} into ",", and un-doubles double-escaped commands (\\frac).
func scanCommands(s string) string {
	if strings.IndexByte(s, negSpace) >= 0 {
		s = strings.ReplaceAll(s, string(negSpace), " ") // the marker is ours alone
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			out, i = scanCommand(out, s, i)
			continue
		case c == '$' || c == '%' || c == '~':
			out = append(out, ' ')
		case strings.HasPrefix(s[i:], "{,}"):
			out = append(out, ',')
			i += 3
			continue
		case c < utf8.RuneSelf && pyIsSpace(rune(c)):
			out = append(out, ' ')
		case c < utf8.RuneSelf:
			out = append(out, c)
		default:
			r, w := utf8.DecodeRuneInString(s[i:])
			switch {
			case pyIsSpace(r) || r == '°':
				out = append(out, ' ')
			default:
				out = append(out, s[i:i+w]...)
			}
			i += w
			continue
		}
		i++
	}
	return string(out)
}

// scanCommand handles the backslash at s[i]; it returns the extended out
// and where to go on.
func scanCommand(out []byte, s string, i int) ([]byte, int) {
	j := i + 1
	if j < len(s) && s[j] == '\\' {
		if j+1 < len(s) && isASCIILetter(s[j+1]) {
			return out, j // double-escaped command: drop one backslash
		}
		return append(out, ';'), j + 1
	}
	for j < len(s) && isASCIILetter(s[j]) {
		j++
	}
	if j == i+1 && j < len(s) {
		r, w := utf8.DecodeRuneInString(s[j:])
		j += w // a one-character command such as \, or \{
		if pyIsSpace(r) {
			return append(out, ' '), j // "\ " is a space
		}
	}
	switch name := s[i+1 : j]; {
	case name == "dfrac" || name == "tfrac" || name == "cfrac":
		return append(out, `\frac`...), j
	case name == "circ":
		// ^\circ and ^{\circ} are degrees; spaces may sit between.
		t := bytes.TrimRight(out, " \x01")
		if bytes.HasSuffix(t, []byte("^")) {
			return append(t[:len(t)-1], ' '), j
		}
		if k := skipSet(s, j, " "); bytes.HasSuffix(t, []byte("^{")) && strings.HasPrefix(s[k:], "}") {
			return append(t[:len(t)-2], ' '), k + 1
		}
	case name == "!":
		return append(out, negSpace), j // "1,\!000" stays one number
	case spacingCommands[name]:
		if isSizer(name) && strings.HasPrefix(s[j:], ".") {
			j++ // \left. and \right. are invisible delimiters
		}
		return append(out, ' '), j
	}
	return append(out, s[i:j]...), j
}

// isSizer reports whether a command sizes a delimiter (\left, \bigr, ...).
func isSizer(name string) bool {
	return name == "left" || name == "right" || strings.HasPrefix(strings.ToLower(name), "big")
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isASCIIDigit(c byte) bool  { return c >= '0' && c <= '9' }

// textCommands wrap plain text; their braces go, their content stays.
var textCommands = map[string]bool{
	"text": true, "textbf": true, "textit": true, "textrm": true, "textup": true,
	"textnormal": true, "mathrm": true, "mathbf": true, "mathit": true, "mbox": true, "emph": true,
}

// unwrapText removes \text{...} wrappers (keeping their content), and drops
// a trailing \text{unit} group, optionally squared or cubed, after a
// number: 5\text{ cm}, 15\mbox{ cm}^2.
func unwrapText(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	closeAt := matchBraces(s)
	skip := make(map[int32]bool)
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '}' && skip[int32(i)] {
			b.WriteByte(' ')
			i++
			continue
		}
		if s[i] != '\\' {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i + 1
		for j < len(s) && isASCIILetter(s[j]) {
			j++
		}
		k := j
		for k < len(s) && s[k] == ' ' {
			k++
		}
		if !textCommands[s[i+1:j]] || k >= len(s) || s[k] != '{' || closeAt[k] < 0 {
			end := max(j, i+2)
			b.WriteString(s[i:min(end, len(s))])
			i = end
			continue
		}
		c := int(closeAt[k])
		if tail := s[c+1:]; len(tail) <= 8 && isExponentTail(tail) && isUnitText(s[k+1:c]) && isNumberLike(b.String()) {
			break
		}
		skip[int32(c)] = true
		b.WriteByte(' ')
		i = k + 1
	}
	return b.String()
}

// isUnitText reports whether t is plain words, such as " cm" or " sq. units".
func isUnitText(t string) bool {
	letters := 0
	for _, r := range t {
		switch {
		case unicode.IsLetter(r):
			letters++
		case r == ' ' || r == '.':
		default:
			return false
		}
	}
	return letters > 0
}

// isExponentTail reports whether t is empty or a small power such as ^2.
func isExponentTail(t string) bool {
	switch strings.TrimSpace(t) {
	case "", "^2", "^3", "^{2}", "^{3}":
		return true
	}
	return false
}

// isNumberLike reports whether t could be a quantity: it holds a digit and
// ends with a digit, letter, "}" or ")".
func isNumberLike(t string) bool {
	t = strings.TrimRight(t, " ")
	if t == "" || !strings.ContainsAny(t, "0123456789") {
		return false
	}
	c := t[len(t)-1]
	return isASCIIDigit(c) || isASCIILetter(c) || c == '}' || c == ')'
}

// unitWords are trailing words dropped after a number ("5 cm", "864
// square inches"). Single letters are left alone: "5 m" may be 5m.
var unitWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`cm mm km ft yd mi inch inches foot feet yard yards mile miles
		meter meters metre metres centimeter centimeters kilometer kilometers millimeter millimeters
		unit units square sq sq. cubic degree degrees dollar dollars cent cents hour hours hr hrs
		minute minutes min mins second seconds sec secs day days week weeks month months year years
		mph pound pounds lb lbs ounce ounces oz gallon gallons liter liters litre litres ml kg
		gram grams kilogram kilograms percent pct percentage`) {
		unitWords[w] = true
	}
}

// dropUnitWords removes unit words that follow a number at the end of s.
func dropUnitWords(s string) string {
	fields := strings.Fields(s)
	n := len(fields)
	for n > 1 && unitWords[strings.ToLower(trimExponent(fields[n-1]))] {
		n--
	}
	if n == len(fields) || !isNumberLike(fields[n-1]) {
		return s
	}
	return strings.Join(fields[:n], " ")
}

func trimExponent(w string) string {
	for _, e := range []string{"^2", "^3", "^{2}", "^{3}"} {
		if t, ok := strings.CutSuffix(w, e); ok {
			return t
		}
	}
	return w
}
