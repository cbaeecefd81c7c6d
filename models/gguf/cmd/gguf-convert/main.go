// Command gguf-convert writes llama GGUF models for slmmux tests and demos.
//
//	gguf-convert -in DIR -out FILE.gguf                 convert a PyTorch export
//	gguf-convert -random -seed N [-bytes N] -out FILE   write a seeded random model
//
// With -random and no -bytes (or a small one) it writes the tiny model
// (about 160 KB); -bytes asks for a file of roughly that many bytes.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/slmmux/slmmux/models/gguf"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gguf-convert:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("gguf-convert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "PyTorch export `dir` (model.json + model.bin) to convert")
	random := fs.Bool("random", false, "write a seeded random model instead of converting")
	seed := fs.Int64("seed", 1, "random seed (with -random)")
	size := fs.Int64("bytes", 0, "approximate file size in bytes (with -random; 0: tiny)")
	out := fs.String("out", "", "output `file`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || (*in == "") == !*random {
		fs.Usage()
		return errors.New("need -out and exactly one of -in or -random")
	}
	var f *gguf.File
	var err error
	if *random {
		f, err = gguf.RandomLlama(*seed, gguf.SizeForBytes(*size))
	} else {
		f, err = gguf.FromTorchExport(*in)
	}
	if err != nil {
		return err
	}
	return write(f, *out)
}

func write(f *gguf.File, path string) (err error) {
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
		}
	}()
	w := bufio.NewWriterSize(fh, 1<<20)
	if _, err := f.WriteTo(w); err != nil {
		return err
	}
	return w.Flush()
}
