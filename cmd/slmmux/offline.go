package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/engine/search"
)

// runFlags name the run folder an offline command reads and the models it
// keeps: --run and --models, shared by mux, search, scale, report and
// calibrate.
type runFlags struct {
	dir, models, group string
}

// register adds --run and --models. A command that words their help its
// own way sets the flag's Usage after.
func (rf *runFlags) register(f *pflag.FlagSet) {
	f.StringVar(&rf.dir, "run", "", "run folder holding samples.jsonl (required)")
	f.StringVar(&rf.models, "models", "", "comma-separated models, in tie-break order (default: the run's models in run.json order)")
	f.StringVar(&rf.group, "group", "similarity", "code answers: similarity (of the code) or behaviour (what the code gave on the visible examples: eval --group behaviour records it)")
}

// validate checks that --run was given; name is the command.
func (rf runFlags) validate(name string) error {
	if rf.dir == "" {
		return usagef("%s: --run DIR is required", name)
	}
	return checkGroup(rf.group)
}

// checkGroup checks --group's value.
func checkGroup(g string) error {
	if g != "similarity" && g != "behaviour" {
		return usagef("--group %q: use similarity or behaviour", g)
	}
	return nil
}

// muxFlags are the SLM-MUX rule's settings shared by mux, search, scale and
// report: confidence profile and tie-break accuracies.
type muxFlags struct {
	profile, valAcc, valRun, tieBreak string
}

func (mf *muxFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&mf.profile, "profile", "paper", "SLM-MUX confidence: paper (count/k) or official (count/non-empty)")
	f.StringVar(&mf.valAcc, "val-acc", "", "validation accuracies for SLM-MUX ties, e.g. a=0.71,b=0.64")
	f.StringVar(&mf.valRun, "val-run", "", "take validation accuracies from another run folder")
	f.StringVar(&mf.tieBreak, "tie-break", "", tieBreakUsage)
	cmd.MarkFlagsMutuallyExclusive("val-acc", "val-run")
}

// parseProfile checks --profile.
func (mf *muxFlags) parseProfile() (mux.Profile, error) {
	p, err := mux.ParseProfile(mf.profile)
	if err != nil {
		return "", usagef("--profile: %w", err)
	}
	return p, nil
}

// build checks the flags against the run's dataset: the profile and the
// tie-break (agreement is estimated over ds).
func (mf *muxFlags) build(ds *mux.Dataset) (mux.Profile, mux.TieRule, error) {
	p, err := mf.parseProfile()
	if err != nil {
		return "", mux.TieRule{}, err
	}
	_, t, err := mf.tie(ds)
	return p, t, err
}

// tie returns the validation accuracies given (--val-acc or --val-run;
// nil when neither), whatever the rule, and the tie-break rule over ds.
func (mf *muxFlags) tie(ds *mux.Dataset) (map[string]float64, mux.TieRule, error) {
	acc, err := valAccFlags(mf.valAcc, mf.valRun, ds.Models)
	if err != nil {
		return nil, mux.TieRule{}, err
	}
	t, err := resolveTie(mf.tieBreak, acc, ds)
	return acc, t, err
}

// valAccFlags is --val-acc's map, or --val-run's measured accuracies.
func valAccFlags(valAcc, valRun string, models []string) (map[string]float64, error) {
	acc, err := parseValAcc(valAcc)
	if err != nil {
		return nil, err
	}
	if valRun != "" {
		if acc, err = engine.ValAcc(valRun, models); err != nil {
			return nil, fmt.Errorf("--val-run: %w", err)
		}
	}
	return acc, nil
}

// loadRun loads the run folder of rf (checked by rf.validate) for an
// offline analysis command and prints its notes (files it could not read,
// lines it ignored). It also tunes the garbage collector for the replay.
func (a *App) loadRun(rf runFlags) (*engine.Run, error) {
	// An offline analysis is short-lived and allocates about a run's worth
	// of memory once. A run up to 128 MiB of samples (about 600,000) is
	// replayed without collecting garbage at all, under a 2 GiB memory
	// limit that still bounds the heap; a larger one collects 4x less often
	// than the default, for a heap at most a few times the run's.
	if a.Getenv("GOGC") == "" && a.Getenv("GOMEMLIMIT") == "" {
		if st, err := os.Stat(filepath.Join(rf.dir, runstore.SamplesFile)); err == nil && st.Size() <= 128<<20 {
			debug.SetMemoryLimit(2 << 30)
			debug.SetGCPercent(-1)
		} else {
			debug.SetGCPercent(400)
		}
	}
	load := engine.LoadRun
	if rf.group == "behaviour" {
		load = engine.LoadRunByBehaviour
	}
	r, err := load(rf.dir, splitList(rf.models))
	if errors.Is(err, engine.ErrNoBehaviour) {
		return nil, usagef("--group behaviour: %w: run eval --group behaviour --allow-code-execution on the folder first", err)
	}
	if err != nil {
		return nil, err
	}
	for _, n := range r.Notes {
		fmt.Fprintf(a.Stderr, "note: %s\n", n)
	}
	return r, nil
}

// analysisErr maps an engine's ErrConfig (input that cannot be analysed)
// to a usage error.
func analysisErr(name string, err error) error {
	if errors.Is(err, search.ErrConfig) {
		return usagef("%s: %w", name, err)
	}
	return err
}
