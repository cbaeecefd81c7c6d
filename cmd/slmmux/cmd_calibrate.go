package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/confidence"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/models"
)

// calibrateBatch is how many replies go into one /api/embed request.
const calibrateBatch = 64

// calibrateOptions are calibrate's flags.
type calibrateOptions struct {
	run             runFlags
	out, embedModel string
}

func (a *App) calibrateCmd() *cobra.Command {
	var o calibrateOptions
	cmd := &cobra.Command{
		Use:   "calibrate --run DIR [--out FILE] [--embed-model M]",
		Short: "Train the probe confidence signal on a labelled run (embeds its replies through the daemon)",
		Long: `calibrate embeds every stored reply of a labelled run folder through the daemon
(with --embed-model, else each model itself) and fits, per model, a logistic
probe predicting from a reply's embedding whether its answer is correct. It
writes the probe file (default DIR/probe.json) that --confidence probe --probe
FILE uses in ask, eval, mux and serve (config: probe).`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.run.validate("calibrate"); err != nil {
				return err
			}
			if o.out == "" {
				o.out = filepath.Join(o.run.dir, "probe.json")
			}
			return a.runCalibrate(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	o.run.register(f)
	f.Lookup("run").Usage = "labelled run folder (required)"
	f.Lookup("models").Usage = "comma-separated models (default: the run's)"
	f.StringVar(&o.out, "out", "", "probe file to write (default: DIR/probe.json)")
	f.StringVar(&o.embedModel, "embed-model", "", "the model that embeds replies (default: each model itself); ask, eval and serve must use the same")
	return cmd
}

func (a *App) runCalibrate(ctx context.Context, o calibrateOptions) error {
	run, err := a.loadRun(o.run)
	if err != nil {
		return err
	}
	samples, err := runstore.ReadSamples(o.run.dir) // with their replies
	if err != nil {
		return err
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	ms := run.Dataset.Models
	cf := confidenceFlags{embedModel: o.embedModel}
	if _, err := cf.checkEmbed(ctx, c, ms); err != nil {
		return err
	}
	digests := map[string]string{}
	if run.Meta != nil {
		for _, m := range run.Meta.Models {
			digests[m.Name] = m.Digest
		}
	}
	pf := &confidence.ProbeFile{Format: confidence.ProbeFormat, EmbedModel: o.embedModel, Run: o.run.dir, Models: map[string]confidence.ModelProbe{}}
	w := tabwriter.NewWriter(a.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "MODEL\tSAMPLES\tCORRECT\tTRAIN ACCURACY")
	for _, m := range ms {
		p, err := o.train(ctx, c, run, samples, m)
		if err != nil {
			return err
		}
		p.Digest = digests[m]
		pf.Models[m] = p
		fmt.Fprintf(w, "%s\t%d\t%.3f\t%.3f\n", m, p.Samples, p.PositiveRate, p.TrainAccuracy)
	}
	w.Flush()
	var buf bytes.Buffer
	if err := writeJSON(&buf, pf); err != nil {
		return err
	}
	if err := os.WriteFile(o.out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("calibrate: --out: %w", err)
	}
	fmt.Fprintf(a.Stdout, "probe written to %s: use it with --confidence probe --probe %s\n", o.out, o.out)
	return nil
}

// train fits model m's probe on its labelled replies among samples,
// embedded by --embed-model or by m itself.
func (o calibrateOptions) train(ctx context.Context, e engine.Embedder, run *engine.Run, samples []runstore.Sample, m string) (confidence.ModelProbe, error) {
	var texts []string
	var ys []bool
	for _, s := range samples {
		if s.Model == m && strings.TrimSpace(s.Response) != "" && s.Error == "" {
			texts, ys = append(texts, s.Response), append(ys, s.Correct)
		}
	}
	if len(texts) < 10 {
		return confidence.ModelProbe{}, usagef("calibrate: model %s has %d replies in %s: a probe needs at least 10 labelled replies (run eval with more items)", m, len(texts), o.run.dir)
	}
	em := o.embedModel
	if em == "" {
		em = m
	}
	opts := models.Options{}
	if run.Meta != nil && o.embedModel == "" {
		opts.NumCtx, opts.NumThread = run.Meta.NumCtx, run.Meta.NumThread
	}
	xs, err := embedAll(ctx, e, em, texts, opts)
	if err != nil {
		return confidence.ModelProbe{}, fmt.Errorf("calibrate: embed with %s: %w", em, err)
	}
	p, err := confidence.Train(xs, ys, confidence.TrainConfig{})
	if err != nil {
		return confidence.ModelProbe{}, fmt.Errorf("calibrate: %s: %w", m, err)
	}
	return p, nil
}

// embedAll embeds texts in batches.
func embedAll(ctx context.Context, e engine.Embedder, model string, texts []string, opts models.Options) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for i := 0; i < len(texts); i += calibrateBatch {
		vs, err := e.Embed(ctx, model, texts[i:min(i+calibrateBatch, len(texts))], opts)
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	return out, nil
}
