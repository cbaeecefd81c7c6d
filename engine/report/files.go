package report

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/engine/search"
)

// File is one file an analysis writes: its name and how to write it.
type File struct {
	Name  string
	Write func(io.Writer) error
}

// Files are the report's files: report.html and report.md.
func (r *Report) Files() []File {
	return []File{{"report.html", r.WriteHTML}, {"report.md", r.WriteMarkdown}}
}

// ScaleFiles are the scaling curves' files: samples.csv and models.csv,
// then the SVG charts (ScaleCharts).
func ScaleFiles(sc *search.Scaling) []File {
	files := []File{
		{"samples.csv", func(w io.Writer) error { return WriteSamplesCSV(w, sc) }},
		{"models.csv", func(w io.Writer) error { return WriteModelsCSV(w, sc) }},
	}
	for _, c := range ScaleCharts(sc) {
		files = append(files, File{c.Name + ".svg", func(w io.Writer) error {
			_, err := io.WriteString(w, string(c.SVG)+"\n")
			return err
		}})
	}
	return files
}

// WriteFiles writes each file into dir (made if missing) atomically
// (runstore.WriteFile), so a killed command never leaves a half-written
// file, and returns their paths.
func WriteFiles(dir string, files []File) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var paths []string
	for _, f := range files {
		path := filepath.Join(dir, f.Name)
		if err := runstore.WriteFile(path, f.Write); err != nil {
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}
