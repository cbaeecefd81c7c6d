package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/slmmux/slmmux/engine/report"
	"github.com/slmmux/slmmux/models"
	"github.com/slmmux/slmmux/models/ollama"
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
			return report.ModelsTable(list).WriteText(a.Stdout)
		},
	}
	cmd.AddCommand(a.importCmd())
	return cmd
}

// importOptions are models import's argument and flags.
type importOptions struct {
	path, name, template, quantize string

	q string // --quantize as ollama.ParseQuantization reads it, set by validate
}

func (a *App) importCmd() *cobra.Command {
	var o importOptions
	cmd := &cobra.Command{
		Use:   "import FILE.gguf --name NAME [--quantize q8_0|q4_K_M|q4_K_S|f16]",
		Short: "Import a local GGUF file into Ollama through its API (air-gapped; idempotent), optionally quantized",
		Long: `import uploads a GGUF file to the daemon (unless it has the blob already) and creates
model NAME from it. With --quantize the daemon quantizes on create (q8_0, q4_K_M,
q4_K_S); it does so only from an F16, BF16 or F32 source whose general.file_type says
so, and reads an F32 file's label (0) as unknown, so an F32 file is converted to F16
here first (a temporary copy; the import says so). --quantize f16 only does that
conversion. A file that is already quantized is refused before anything is uploaded.
Tensors narrower than a quantization's block (256 for K-quants) fall back to other
types (Q5_0, Q8_0, F16): the import prints what the daemon made.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.path = args[0]
			if err := o.validate(); err != nil {
				return err
			}
			return a.runImport(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.name, "name", "", "model name in Ollama (required)")
	f.StringVar(&o.template, "template", "", `prompt template, e.g. "{{ .Prompt }}" for a raw model (default: the GGUF's own chat template, if any)`)
	f.StringVar(&o.quantize, "quantize", "", "quantize on create: q8_0, q4_K_M or q4_K_S (by the daemon), or f16 (converted here); the source must be F32, F16 or BF16")
	return cmd
}

// validate checks the flags and sets o.q; it reads nothing.
func (o *importOptions) validate() error {
	if o.name == "" {
		return usagef("models import: --name is required (the name the model will have in Ollama)")
	}
	q, err := ollama.ParseQuantization(o.quantize)
	if err != nil {
		return usagef("models import: --quantize: %w", err)
	}
	o.q = q
	return nil
}

func (a *App) runImport(ctx context.Context, o importOptions) error {
	c, err := a.client()
	if err != nil {
		return err
	}
	res, err := c.ImportFile(ctx, o.name, o.path, ollama.ImportOptions{Template: o.template, Quantize: o.q})
	if errors.As(err, new(*ollama.FileError)) {
		return usagef("models import: %w", err) // nothing was uploaded
	}
	if err != nil {
		return err
	}
	how := "uploaded"
	if !res.Uploaded {
		how = "already in the daemon, not uploaded again"
	}
	fmt.Fprintf(a.Stdout, "imported %s as %s (%s; %s)\n", o.path, o.name, res.Digest, how)
	switch {
	case res.ConvertedF16 && o.q == "F16":
		fmt.Fprintf(a.Stdout, "converted to F16 first, here (the daemon keeps it as it is)\n")
	case res.ConvertedF16:
		fmt.Fprintf(a.Stdout, "converted to F16 first: Ollama quantizes only files labelled F16, BF16 or F32, and reads an F32 file's general.file_type (0) as unknown\n")
	}
	if o.q != "" {
		if info, err := c.Show(ctx, o.name); err == nil {
			fmt.Fprintf(a.Stdout, "the daemon reports %s: tensors %s\n", info.Quantization, models.TensorTypeCounts(info.Tensors))
		}
	}
	return nil
}
