package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/confidence"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/report"
)

// muxOptions are mux's flags.
type muxOptions struct {
	run                runFlags
	mf                 muxFlags
	cf                 confidenceFlags
	samples, trials    int
	seed               uint64
	asJSON, adaptive   bool
	samplesSet, tieSet bool // --samples, --tie-break given
	baselines          string
	samplers           []mux.Sampler // --baselines, set by validate

	profile mux.Profile       // --profile, set by validate
	sig     confidence.Signal // --confidence, set by validate
}

func (a *App) muxCmd() *cobra.Command {
	var o muxOptions
	cmd := &cobra.Command{
		Use:   "mux --run DIR",
		Short: "Offline SLM-MUX and its baselines over stored samples (no daemon needed)",
		Long: `mux replays SLM-MUX over a run folder's samples.jsonl. With --samples below what
is stored it draws k samples per model and item, --trials times (seeded), and
reports the mean with its standard error. Baselines: each model alone (mean
accuracy of one sample), each model with self-consistency (majority of its k),
Agent Forest (majority of all models' samples pooled) and the oracle (some
model's own answer is right). --baselines esc,ac,cisc adds the field's
cheaper samplers over every stored sample in sample order, per model and as
SLM-MUX's sampler, beside exact adaptive sampling: ESC (esc:W, window 5),
Adaptive-Consistency (ac:P, threshold 0.95) and CISC (cisc:T, temperature
0.1; with the logprob or verbalized signal the run recorded).

Ties between equally confident models go by --tie-break: val (validation
accuracy from --val-acc or --val-run), agreement (no labels: how often each
model's answer agrees with the other models' pooled answer on the other
items of the run) or order. Under --profile official, Agent Forest's pooled
ties go to the answer whose best supporter scores highest by that rule
(the authors' best_support), then to the first seen.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.samplesSet, o.tieSet = cmd.Flags().Changed("samples"), cmd.Flags().Changed("tie-break")
			if err := o.validate(); err != nil {
				return err
			}
			return a.runMux(o)
		},
	}
	f := cmd.Flags()
	o.run.register(f)
	f.IntVar(&o.samples, "samples", 0, "samples per model k (default: all stored)")
	f.IntVar(&o.trials, "trials", 1, "seeded repetitions when k is below what is stored")
	f.Uint64Var(&o.seed, "seed", 0, "seed of the sample draws")
	f.BoolVar(&o.asJSON, "json", false, "print one JSON object")
	f.BoolVar(&o.adaptive, "adaptive", false, "also replay exact adaptive sampling: how many samples the same selections need")
	f.StringVar(&o.baselines, "baselines", "", "also replay samplers over every stored sample: esc, ac, cisc (esc:W, ac:P, cisc:T set window, threshold, temperature)")
	o.mf.register(cmd)
	f.Lookup("profile").Usage = "paper (confidence = count/k) or official (count/non-empty, the authors' code)"
	f.Lookup("val-acc").Usage = "validation accuracies for ties, e.g. a=0.71,b=0.64"
	o.cf.register(f, false)
	return cmd
}

// validate checks the flags that need no run and sets o.profile and o.sig
// (reading --probe's file).
func (o *muxOptions) validate() error {
	p, err := o.mf.parseProfile()
	if err != nil {
		return err
	}
	if err := o.cf.validate(); err != nil {
		return err
	}
	if o.sig, err = o.cf.signal(p); err != nil {
		return err
	}
	o.profile = p
	if o.baselines != "" {
		if o.samplers, err = mux.ParseSamplers(o.baselines); err != nil {
			return usagef("--baselines: %w", err)
		}
	}
	switch {
	case o.trials < 1 || o.trials > mux.MaxTrials:
		return usagef("--trials %d: need 1 to %d", o.trials, mux.MaxTrials)
	case (o.adaptive || o.samplers != nil) && o.samplesSet:
		return usagef("--adaptive and --baselines replay every stored sample: drop --samples")
	case o.samplesSet && o.samples < 1:
		return usagef("--samples %d: need at least 1 sample per model", o.samples)
	}
	return o.run.validate("mux")
}

func (a *App) runMux(o muxOptions) error {
	run, err := a.loadRun(o.run)
	if err != nil {
		return err
	}
	ds := run.Dataset
	if run.Meta != nil && len(run.Meta.Adaptive) > 0 {
		if o.samplers != nil {
			return usagef("--baselines needs every sample: this run was collected with adaptive sampling")
		}
		return a.muxAdaptiveRun(run, o.asJSON, o.tieSet || o.mf.valAcc != "" || o.mf.valRun != "" || o.run.models != "")
	}
	acc, tie, err := o.mf.tie(ds)
	if err != nil {
		return err
	}
	rp, err := run.Replay(engine.ReplayConfig{Sim: tie.Sim(mux.SimConfig{K: o.samples, Trials: o.trials, Seed: o.seed, Profile: o.profile}),
		Signal: o.sig, SignalSim: confidence.SimConfig{K: o.samples, Trials: o.trials, Seed: o.seed, ValAcc: acc}, Adaptive: o.adaptive, Samplers: o.samplers})
	switch {
	case errors.Is(err, mux.ErrAdaptiveProfile):
		return usagef("--adaptive: %w (drop --profile official)", err)
	case err != nil:
		return settingErr(err) // a run without the signal's data is a usage error too (hint)
	}
	if o.asJSON {
		v, err := run.View(rp, o.profile)
		if err != nil {
			return err
		}
		return writeJSON(a.Stdout, v)
	}
	disc, err := engine.DiscussionRows(run.Dir)
	if err != nil {
		return err
	}
	printResults(a.Stdout, rp.Sim, ds.Models, disc)
	printSignal(a.Stdout, rp.Signal)
	if err := report.WriteSamplers(a.Stdout, rp.Samplers); err != nil {
		return err
	}
	if err := report.WriteAdaptive(a.Stdout, rp.Adaptive); err != nil {
		return err
	}
	fmt.Fprintln(a.Stdout, tieNote(rp.Sim.TieBreak))
	return nil
}

// muxAdaptiveRun reports a run collected with exact adaptive sampling: the
// selection over its stored samples, which is full sampling's for the
// tie-break order it was collected with (run.json's adaptive). Draws,
// trials and the baselines need every sample.
func (a *App) muxAdaptiveRun(run *engine.Run, asJSON, otherTies bool) error {
	order := run.Meta.Adaptive
	res, err := engine.AdaptiveSelection(run.Dir, order, run.Meta.Samples)
	if err != nil {
		return err
	}
	note := ""
	if otherTies {
		note = "the run was collected adaptively for ties by model order " + strings.Join(order, ", ") + ": that order is used; --models, --tie-break, --val-acc and --val-run do not apply to it"
	}
	if asJSON {
		return writeJSON(a.Stdout, engine.AdaptiveRunView{Adaptive: res, TieOrder: order, Baselines: adaptiveBaselines, Note: note})
	}
	if err := report.WriteStored(a.Stdout, res, adaptiveBaselines); err != nil {
		return err
	}
	if note != "" {
		fmt.Fprintln(a.Stdout, note)
	}
	return nil
}
