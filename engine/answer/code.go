package answer

import (
	"strings"
)

// fence is one fenced block of a reply.
type fence struct {
	lang string
	body string
}

// fences returns the fenced blocks of a reply (``` or ~~~, three or more),
// in order. An unclosed last fence runs to the end of the reply: a reply
// cut by its token limit still carries its code.
func fences(reply string) []fence {
	var out []fence
	lines := strings.Split(reply, "\n")
	for i := 0; i < len(lines); i++ {
		open := strings.TrimSpace(lines[i])
		mark := fenceMark(open)
		if mark == "" {
			continue
		}
		lang := strings.ToLower(strings.TrimSpace(strings.TrimLeft(open, mark[:1])))
		if f := strings.Fields(lang); len(f) > 0 {
			lang = f[0]
		}
		var body []string
		j := i + 1
		for ; j < len(lines); j++ {
			t := strings.TrimSpace(lines[j])
			if strings.HasPrefix(t, mark) && strings.Trim(t, mark[:1]) == "" {
				break
			}
			body = append(body, lines[j])
		}
		out = append(out, fence{lang: lang, body: strings.Join(body, "\n")})
		i = j
	}
	return out
}

// fenceMark returns the run of backticks or tildes (at least three) that
// opens a fence at the start of line, or "".
func fenceMark(line string) string {
	for _, c := range []string{"`", "~"} {
		n := len(line) - len(strings.TrimLeft(line, c))
		if n >= 3 {
			return line[:n]
		}
	}
	return ""
}

// codeLangs are fence tags that mark code. An untagged fence counts as code
// too; tags of other formats (text, markdown, output, json) do not.
var proseLangs = map[string]bool{"text": true, "txt": true, "markdown": true, "md": true, "output": true, "console": true, "plaintext": true}

// ExtractCode returns the code of a reply: the longest fenced block tagged
// python (or py), else the longest fenced block of any code language or
// none; else the whole reply when every non-blank line of it reads as code
// (no fences, a definition or statement first, no sentence-like lines).
// ok is false when the reply carries no code.
func ExtractCode(reply string) (code string, ok bool) {
	var best, bestPy string
	for _, f := range fences(reply) {
		if proseLangs[f.lang] || strings.TrimSpace(f.body) == "" {
			continue
		}
		if (f.lang == "python" || f.lang == "py" || f.lang == "python3") && len(f.body) > len(bestPy) {
			bestPy = f.body
		}
		if len(f.body) > len(best) {
			best = f.body
		}
	}
	switch {
	case bestPy != "":
		return bestPy, true
	case best != "":
		return best, true
	}
	if looksLikeCode(reply) {
		return strings.Trim(reply, "\n"), true
	}
	return "", false
}

// codeStarts are how the first line of an unfenced program begins.
var codeStarts = []string{"def ", "class ", "import ", "from ", "async def ", "@", "#!", "if __name__", "for ", "while ", "return ", "print(", "func ", "package ", "#include", "function ", "const ", "let ", "var ", "public ", "int ", "fn "}

// looksLikeCode reports whether an unfenced reply is all code: it starts
// like a program and no line reads as a sentence of prose (words and a
// final period, with no code punctuation).
func looksLikeCode(reply string) bool {
	lines := strings.Split(strings.TrimSpace(reply), "\n")
	if len(lines) == 0 || lines[0] == "" {
		return false
	}
	first := strings.TrimSpace(lines[0])
	starts := false
	for _, s := range codeStarts {
		if strings.HasPrefix(first, s) {
			starts = true
			break
		}
	}
	if !starts {
		return false
	}
	for _, l := range lines {
		if proseLine(l) {
			return false
		}
	}
	return true
}

// proseLine reports whether an unindented line is a sentence: several words,
// ending in '.', '!' or ':' after a word, with none of the punctuation code
// lines carry.
func proseLine(l string) bool {
	if l == "" || l[0] == ' ' || l[0] == '\t' || l[0] == '#' {
		return false
	}
	t := strings.TrimSpace(l)
	if len(strings.Fields(t)) < 4 || strings.ContainsAny(t, "()[]{}=<>\"'`_") {
		return false
	}
	return strings.HasSuffix(t, ".") || strings.HasSuffix(t, "!") || strings.HasSuffix(t, "?")
}

// NormalizeCode returns code with comments, blank lines and trailing
// white space removed, so samples that differ only in those compare equal.
// Comments are '#' to the end of a line outside string literals (Python
// and shell), and '//' lines; a docstring stays (it can be a program's
// behaviour: doctests, __doc__). Indentation is kept: in Python it is
// syntax.
func NormalizeCode(code string) string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(code, "\r\n", "\n"), "\n") {
		l = strings.TrimRight(stripComment(l), " \t\r")
		if strings.TrimSpace(l) == "" {
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// stripComment removes a '#' comment outside quotes, or a whole '//' line.
func stripComment(l string) string {
	if strings.HasPrefix(strings.TrimSpace(l), "//") {
		return ""
	}
	var quote byte
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case quote != 0 && c == '\\':
			i++
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '"' || c == '\''):
			quote = c
		case quote == 0 && c == '#':
			return l[:i]
		}
	}
	return l
}
