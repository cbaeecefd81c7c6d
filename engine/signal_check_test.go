package engine_test

import (
	"context"
	"errors"
	"testing"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/confidence"
	"github.com/slmmux/slmmux/engine/enginetest"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/models"
)

// oldDaemon is a SignalBackend whose version predates log-probabilities.
type oldDaemon struct{ enginetest.FakeGenerator }

func (*oldDaemon) Embed(context.Context, string, []string, models.Options) ([][]float32, error) {
	return [][]float32{{1, 0}}, nil
}

func (*oldDaemon) LogprobSupport(context.Context) (models.Support, error) {
	return models.Support{Version: "0.6.5", Since: "0.12.11", Known: true}, nil
}

func (*oldDaemon) Host() string { return "http://old:11434" }

// A signal other than consistency is refused on a host that cannot give
// it, naming the host and its models, and on a daemon too old for
// log-probabilities; a host without the models is not asked, and
// consistency needs nothing.
func TestCheckSignalRefusesWhatAHostCannotGive(t *testing.T) {
	lp, err := confidence.New(confidence.Logprob, confidence.Options{Profile: mux.Paper})
	if err != nil {
		t.Fatal(err)
	}
	hs, err := engine.NewHosts([]engine.Host{
		{Name: "compat", Generator: &enginetest.FakeGenerator{}, Installed: infos("a")},
		{Name: "old", Generator: &oldDaemon{}, Installed: infos("b")},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var be *engine.SignalBackendError
	if err := hs.CheckSignal(t.Context(), lp, []string{"a", "b"}, "", nil); !errors.As(err, &be) || be.Host != "compat" || len(be.Models) != 1 || be.Models[0] != "a" {
		t.Fatalf("OpenAI-like host: %v", err)
	}
	var le *engine.LogprobsError
	if err := hs.CheckSignal(t.Context(), lp, []string{"b"}, "", nil); !errors.As(err, &le) || le.Host != "http://old:11434" || !le.Support.Known {
		t.Fatalf("old daemon: %v", err)
	}
	if err := hs.CheckSignal(t.Context(), nil, []string{"a", "b"}, "", nil); err != nil {
		t.Fatalf("consistency: %v", err)
	}
}
