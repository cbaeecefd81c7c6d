package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/sched"
)

// askJSON is `ask --json`.
type askJSON struct {
	Question   string               `json:"question"`
	Answer     string               `json:"answer"`
	Model      string               `json:"model"`
	Confidence float64              `json:"confidence"`
	Models     []engine.ModelAnswer `json:"models"`
	WallMS     float64              `json:"wall_ms"`
}

func (a *App) askCmd() *cobra.Command {
	var (
		bf                       benchFlags
		sf                       samplingFlags
		pf                       planFlags
		modelList, profile, vacc string
		asJSON, showResponses    bool
	)
	cmd := &cobra.Command{
		Use:   `ask [--models a,b,c] [--samples k] "question"`,
		Short: "Answer one question with SLM-MUX, live",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			question := strings.TrimSpace(args[0])
			if question == "" {
				return usagef("ask: the question is empty")
			}
			b, err := bf.build()
			if err != nil {
				return err
			}
			if err := sf.validate(); err != nil {
				return err
			}
			p, err := mux.ParseProfile(profile)
			if err != nil {
				return usagef("--profile: %v", err)
			}
			acc, err := parseValAcc(vacc)
			if err != nil {
				return err
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			ms, _, err := resolveModels(cmd.Context(), c, splitList(modelList))
			if err != nil {
				return err
			}
			waves, hook, err := a.schedule(cmd.Context(), c, ms, pf, &sf.s, sched.Work{Items: 1, Samples: sf.s.Samples})
			if err != nil {
				return err
			}
			eng, err := engine.New(engine.Config{Generator: c, Slots: pf.slots, Logger: a.log()})
			if err != nil {
				return err
			}
			progress := func(model string, done, total int) {
				fmt.Fprintf(a.Stderr, "\r%d/%d samples (%s)   ", done, total, model)
			}
			ans, err := eng.Ask(cmd.Context(), b, benchmark.Item{ID: "ask", Question: question},
				engine.AskConfig{Models: ms, Sampling: sf.s, Profile: p, ValAcc: acc, Progress: progress, Waves: waves, WaveDone: hook})
			fmt.Fprintln(a.Stderr)
			if err != nil {
				return err
			}
			if !showResponses {
				for i := range ans.Models {
					ans.Models[i].Responses = nil
				}
			}
			if asJSON {
				return writeJSON(a.Stdout, askJSON{question, ans.Answer, ans.Model, ans.Confidence, ans.Models, float64(ans.Wall.Microseconds()) / 1000})
			}
			printAnswer(a, ans)
			return nil
		},
	}
	f := cmd.Flags()
	bf.register(f, "math500")
	sf.register(f, 3)
	pf.register(f)
	f.StringVar(&modelList, "models", "", "comma-separated models (default: every installed model)")
	f.StringVar(&profile, "profile", "paper", "paper or official confidence")
	f.StringVar(&vacc, "val-acc", "", "validation accuracies for ties, e.g. a=0.71,b=0.64")
	f.BoolVar(&asJSON, "json", false, "print one JSON object")
	f.BoolVar(&showResponses, "responses", false, "include every raw response")
	return cmd
}

func printAnswer(a *App, ans engine.Answer) {
	if ans.Model == "" {
		fmt.Fprintln(a.Stdout, "no model gave a parsable answer")
	} else {
		fmt.Fprintf(a.Stdout, "answer: %s\nfrom:   %s (confidence %.2f)\n\n", ans.Answer, ans.Model, ans.Confidence)
	}
	w := tabwriter.NewWriter(a.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "MODEL\tANSWER\tVOTES\tCONFIDENCE\tSAMPLES")
	for _, m := range ans.Models {
		if m.Error != "" {
			fmt.Fprintf(w, "%s\t(failed: %s)\t\t\t\n", m.Model, m.Error)
			continue
		}
		fmt.Fprintf(w, "%s\t%s\t%d/%d\t%.2f\t%s\n", m.Model, orDefault(m.Answer, "-"), m.Votes, m.Samples, m.Confidence, strings.Join(quoteAll(m.Answers), " "))
	}
	w.Flush()
	fmt.Fprintf(a.Stdout, "\n%.1fs\n", ans.Wall.Seconds())
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = orDefault(s, "∅")
	}
	return out
}
