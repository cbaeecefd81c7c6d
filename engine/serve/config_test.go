package serve

import (
	"errors"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/engine/mux"
)

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig("c.yaml", []byte(`
ensembles:
  mux:
    models: [a, b]
    samples: 5
    temperature: 0.3
    extractor: auto
  math:
    models: [c]
    val_acc: {c: 0.7}
`))
	if err != nil {
		t.Fatal(err)
	}
	if e := c.Ensembles["mux"]; len(e.Models) != 2 || e.Samples != 5 || *e.Temperature != 0.3 {
		t.Errorf("mux: %+v", e)
	}
	if c.Ensembles["mux"].Tie() != mux.TieOrder || c.Ensembles["math"].Tie() != mux.TieVal {
		t.Errorf("default tie-breaks: %q %q", c.Ensembles["mux"].Tie(), c.Ensembles["math"].Tie())
	}
	if e := (EnsembleConfig{AgreementRun: "r"}); e.Tie() != mux.TieAgreement {
		t.Errorf("agreement_run alone: %q", e.Tie())
	}
	if e := (EnsembleConfig{AgreementRun: "r", TieBreak: "order"}); e.Tie() != mux.TieOrder {
		t.Errorf("named rule: %q", e.Tie())
	}
	if n, _ := EnsembleName("math"); n != "mux:math" {
		t.Errorf("name %q", n)
	}
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown key", "ensembles:\n  mux:\n    modles: [a]\n", "line 3: field modles not found"},
		{"wrong type", "ensembles:\n  mux:\n    samples: many\n", "line 3: cannot unmarshal !!str `many` into int"},
		{"unknown top-level key", "backend: []\nensembles: {mux: {}}\n", "line 1: field backend not found"},
		{"backends only", "backends: [{name: a, kind: ollama, url: \"http://h:1\"}]\n", "no ensembles"},
		{"bad extractor", "ensembles: {mux: {extractor: regex}}\n", `ensembles.mux.extractor "regex"`},
		{"bad name", "ensembles: {\"a b\": {}}\n", "no ensemble name"},
		{"both accuracies", "ensembles: {mux: {val_acc: {a: 1}, val_run: r}}\n", "not both"},
		{"bad tie-break", "ensembles: {mux: {tie_break: random}}\n", `ensembles.mux.tie_break: unknown tie-break "random"`},
		{"val without accuracies", "ensembles: {mux: {tie_break: val}}\n", "tie_break val needs val_acc or val_run"},
		{"agreement without a run", "ensembles: {mux: {tie_break: agreement}}\n", "tie_break agreement needs agreement_run"},
		{"empty", "", "no ensembles"},
		{"not yaml", "ensembles: [\n", "c.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig("c.yaml", []byte(tc.yaml))
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}
