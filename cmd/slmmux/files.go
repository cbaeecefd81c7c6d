package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// output is one file a command writes.
type output struct {
	name  string
	write func(io.Writer) error
}

// writeFiles writes each output into dir atomically (a temporary file,
// then a rename), so a killed command never leaves a half-written file, and
// returns their paths. cmd names the command for errors.
func writeFiles(cmd, dir string, outs []output) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	var files []string
	for _, o := range outs {
		path := filepath.Join(dir, o.name)
		if err := writeAtomic(path, o.write); err != nil {
			return nil, fmt.Errorf("%s: write %s: %w", cmd, path, err)
		}
		files = append(files, path)
	}
	return files, nil
}

func writeAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
