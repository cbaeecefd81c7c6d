// Command demo-pack turns the training script's PyTorch exports into the
// embedded demo models: for each model of catalog.json it converts
// build/NAME (model.json + model.bin) to NAME.gguf with the project's GGUF
// writer and records the file's digest in the catalog.
//
//	go run ./models/demo/cmd/demo-pack -dir models/demo
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/slmmux/slmmux/models/gguf"
)

func main() {
	dir := flag.String("dir", "models/demo", "folder holding catalog.json and build/")
	flag.Parse()
	if err := pack(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "demo-pack:", err)
		os.Exit(1)
	}
}

func pack(dir string) error {
	path := filepath.Join(dir, "catalog.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var cat map[string]any
	if err := json.Unmarshal(b, &cat); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	list, _ := cat["models"].([]any)
	for _, x := range list {
		m, _ := x.(map[string]any)
		name, _ := m["name"].(string)
		f, err := gguf.FromTorchExport(filepath.Join(dir, "build", name))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		var buf bytes.Buffer
		if _, err := f.WriteTo(&buf); err != nil {
			return err
		}
		file := name + ".gguf"
		if err := os.WriteFile(filepath.Join(dir, file), buf.Bytes(), 0o644); err != nil {
			return err
		}
		sum := sha256.Sum256(buf.Bytes())
		m["file"], m["digest"] = file, "sha256:"+hex.EncodeToString(sum[:])
		fmt.Printf("%s: %d bytes, %s\n", file, buf.Len(), m["digest"])
	}
	out, err := json.MarshalIndent(cat, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(out, '\n'), 0o644)
}
