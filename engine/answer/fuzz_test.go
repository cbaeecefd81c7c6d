package answer

import (
	"strings"
	"testing"
)

// FuzzCode: ExtractCode finds code inside the reply (never invents it),
// and NormalizeCode is idempotent and keeps no blank or comment-only line.
func FuzzCode(f *testing.F) {
	for _, s := range []string{
		"```python\ndef f(x):\n    return x  # id\n```\nThis returns x.",
		"def f():\n    s = '# not a comment'\n    return s\n",
		"```\n```",
		"~~~py\nx = \"a\\\"#b\" # c\n~~~",
		"``` text\nhello\n```\n```go\nfunc f() {}\n```",
		"\r\n# only a comment\r\n\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, reply string) {
		code, ok := ExtractCode(reply)
		if ok && !strings.Contains(strings.ReplaceAll(reply, "\r\n", "\n"), code) && !strings.Contains(reply, code) {
			t.Fatalf("ExtractCode(%q) = %q: not part of the reply", reply, code)
		}
		n := NormalizeCode(code)
		if again := NormalizeCode(n); again != n {
			t.Fatalf("NormalizeCode is not idempotent on %q: %q then %q", code, n, again)
		}
		for _, l := range strings.Split(n, "\n") {
			if n != "" && strings.TrimSpace(l) == "" {
				t.Fatalf("NormalizeCode(%q) keeps a blank line: %q", code, n)
			}
		}
	})
}
