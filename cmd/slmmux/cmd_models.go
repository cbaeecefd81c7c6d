package main

import (
	"errors"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/slmmux/slmmux/models/gguf"
)

func (a *App) modelsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "models",
		Short: "List installed models, or import a local GGUF file with no network",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			list, err := c.Installed(cmd.Context())
			if err != nil {
				return err
			}
			if len(list) == 0 {
				fmt.Fprintln(a.Stdout, "no models installed: `ollama pull NAME`, or `slmmux models import FILE.gguf --name NAME`")
				return nil
			}
			w := tabwriter.NewWriter(a.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tSIZE\tFAMILY\tPARAMETERS\tQUANTIZATION")
			for _, m := range list {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", m.Name, human(m.SizeBytes), m.Family, m.ParameterSize, m.Quantization)
			}
			return w.Flush()
		},
	}
	cmd.AddCommand(a.importCmd())
	return cmd
}

func (a *App) importCmd() *cobra.Command {
	var name, template string
	cmd := &cobra.Command{
		Use:   "import FILE.gguf --name NAME",
		Short: "Import a local GGUF file into Ollama through its API (air-gapped; idempotent)",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := args[0]
			if name == "" {
				return usagef("models import: --name is required (the name the model will have in Ollama)")
			}
			if err := checkGGUF(path); err != nil {
				return err
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			res, err := c.Import(cmd.Context(), name, path, template)
			if err != nil {
				return err
			}
			how := "uploaded"
			if !res.Uploaded {
				how = "already in the daemon, not uploaded again"
			}
			fmt.Fprintf(a.Stdout, "imported %s as %s (%s; %s)\n", path, name, res.Digest, how)
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "model name in Ollama (required)")
	cmd.Flags().StringVar(&template, "template", "", `prompt template, e.g. "{{ .Prompt }}" for a raw model (default: the GGUF's own chat template, if any)`)
	return cmd
}

// checkGGUF rejects a missing, non-GGUF or truncated file before anything
// is uploaded.
func checkGGUF(path string) error {
	if _, err := os.Stat(path); err != nil {
		return usagef("models import: %w", err)
	}
	f, err := gguf.ReadFileInfo(path)
	if err == nil {
		if err = f.CheckRunnable(); err != nil {
			return usagef("models import: %s: %w: it would crash the daemon on its first request; export the model again", path, err)
		}
	}
	if err != nil {
		switch {
		case errors.Is(err, gguf.ErrNotGGUF):
			return usagef("models import: %s is not a GGUF file (%w): convert it with llama.cpp's convert_hf_to_gguf.py first", path, err)
		case errors.Is(err, gguf.ErrTruncated):
			return usagef("models import: %s is truncated (%w): copy or download it again", path, err)
		}
		return usagef("models import: %s: %w", path, err)
	}
	return nil
}

func human(b int64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(b)/(1<<10))
	}
	return fmt.Sprintf("%d B", b)
}
