package report

import (
	"slices"
	"strings"

	"github.com/slmmux/slmmux/models"
)

// ModelsTable is the installed models' table: each model's name, size,
// family, parameters and quantization, and a NOTE column when some model
// is one slmmux never runs (ModelNote).
func ModelsTable(list []models.Info) Table {
	t := Table{Head: []string{"NAME", "SIZE", "FAMILY", "PARAMETERS", "QUANTIZATION"}}
	notes := make([]string, len(list))
	for i, m := range list {
		notes[i] = ModelNote(m)
	}
	withNotes := slices.ContainsFunc(notes, func(n string) bool { return n != "" })
	if withNotes {
		t.Head = append(t.Head, "NOTE")
	}
	for i, m := range list {
		row := []string{m.Name, models.FormatBytes(m.SizeBytes), m.Family, m.ParameterSize, m.Quantization}
		if withNotes {
			row = append(row, notes[i])
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// ModelNote says why slmmux never runs m (a cloud model, an
// embedding-only model), "" when it does.
func ModelNote(m models.Info) string {
	switch {
	case m.Remote:
		return "cloud (" + m.RemoteHost + "): never used, prompts would leave the machine"
	case !m.Generates():
		return "no text generation (" + strings.Join(m.Capabilities, ", ") + "): left out of default lists"
	}
	return ""
}
