package answer

import "testing"

func TestExtractCode(t *testing.T) {
	cases := []struct {
		name, reply, code string
		ok                bool
	}{
		{"python fence", "Here:\n```python\ndef f(x):\n    return x\n```\nThis returns x.", "def f(x):\n    return x", true},
		{"untagged fence", "```\nprint(1)\n```", "print(1)", true},
		{"python preferred over longer bash", "```bash\npip install numpy scipy pandas\n```\n```py\nimport numpy\n```", "import numpy", true},
		{"longest python fence", "```python\nx = 1\n```\nor\n```python\ndef f():\n    return 2\n```", "def f():\n    return 2", true},
		{"unclosed fence (cut reply)", "```python\ndef f():\n    return", "def f():\n    return", true},
		{"tilde fence", "~~~python\na = 1\n~~~", "a = 1", true},
		{"text fence is not code", "```text\nhello world\n```", "", false},
		{"bare program", "def add(a, b):\n    return a + b\n", "def add(a, b):\n    return a + b", true},
		{"bare program then prose", "def add(a, b):\n    return a + b\nThis adds the two numbers together.", "", false},
		{"prose", "The capital of France is Paris.", "", false},
		{"number", "42", "", false},
		{"empty", "", "", false},
		{"empty fence", "```python\n```", "", false},
	}
	for _, c := range cases {
		code, ok := ExtractCode(c.reply)
		if code != c.code || ok != c.ok {
			t.Errorf("%s: ExtractCode = %q, %v; want %q, %v", c.name, code, ok, c.code, c.ok)
		}
	}
}

func TestNormalizeCode(t *testing.T) {
	a := "def f(x):\n    # add one\n    return x + 1  # the result\n\n\n"
	b := "def f(x):\r\n    return x + 1\r\n"
	if NormalizeCode(a) != NormalizeCode(b) {
		t.Errorf("comments and spacing should not matter: %q vs %q", NormalizeCode(a), NormalizeCode(b))
	}
	if got := NormalizeCode("s = '# not a comment'  # a comment"); got != "s = '# not a comment'" {
		t.Errorf("a # inside a string is kept: %q", got)
	}
	if got := NormalizeCode("s = \"a\\\"#b\" # c"); got != "s = \"a\\\"#b\"" {
		t.Errorf("escaped quote: %q", got)
	}
	if NormalizeCode("def f():\n    return 1") == NormalizeCode("def f():\nreturn 1") {
		t.Error("indentation is syntax in Python and must be kept")
	}
}

func TestParseKind(t *testing.T) {
	for in, want := range map[string]Kind{"": Auto, "auto": Auto, "short": Short, "code": Code, "text": Text} {
		if got, err := ParseKind(in); err != nil || got != want {
			t.Errorf("ParseKind(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseKind("prose"); err == nil {
		t.Error("ParseKind(prose) should fail")
	}
}
