package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
)

//go:embed report.html.tmpl
var pageSource string

var page = template.Must(template.New("report").Parse(pageSource))

// WriteHTML writes the report as one self-contained HTML page: inline CSS,
// charts as inline SVG, no scripts, fonts or network assets.
func (r *Report) WriteHTML(w io.Writer) error {
	data := struct {
		Title, Dir string
		Cards      []card
		Sections   []section
	}{"SLM-MUX report: " + r.Dir, r.Dir, r.cards(), r.sections()}
	if err := page.Execute(w, data); err != nil {
		return fmt.Errorf("render report: %w", err)
	}
	return nil
}

// WriteMarkdown writes the report's prose and tables as Markdown (GitHub
// flavour), for terminals and pull requests; the charts are in the HTML.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# SLM-MUX report: `%s`\n\n", r.Dir)
	for _, c := range r.cards() {
		fmt.Fprintf(&b, "- **%s**: %s (%s)\n", c.Label, c.Value, mdEscape(c.Note))
	}
	b.WriteString("\nCharts: see `report.html` beside this file.\n")
	for _, s := range r.sections() {
		fmt.Fprintf(&b, "\n## %s\n\n", s.Title)
		for _, p := range s.Intro {
			fmt.Fprintf(&b, "%s\n\n", mdEscape(p))
		}
		for _, t := range s.Tables {
			t.writeMarkdown(&b)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (t Table) writeMarkdown(b *strings.Builder) {
	if t.Caption != "" {
		fmt.Fprintf(b, "**%s**\n\n", mdEscape(t.Caption))
	}
	row := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			fmt.Fprintf(b, " %s |", mdCell(c))
		}
		b.WriteString("\n")
	}
	row(t.Head)
	sep := make([]string, len(t.Head))
	for i := range sep {
		sep[i] = "---"
	}
	row(sep)
	for _, r := range t.Rows {
		row(r)
	}
	b.WriteString("\n")
}

// mdCell keeps a cell on one line and its pipes literal.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

// mdEscape keeps prose from turning into Markdown markup by accident.
func mdEscape(s string) string {
	return strings.NewReplacer("*", `\*`, "_", `\_`, "<", "&lt;", "|", `\|`).Replace(s)
}
