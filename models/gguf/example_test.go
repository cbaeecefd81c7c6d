package gguf_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/slmmux/slmmux/models/gguf"
)

func ExampleRandomLlama() {
	f, err := gguf.RandomLlama(1, gguf.Size{}) // the tiny default
	if err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		log.Fatal(err)
	}
	info, err := gguf.ReadInfo(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		log.Fatal(err)
	}
	arch, _ := info.Get("general.architecture")
	fmt.Println(arch, len(info.Tensors), "tensors,", buf.Len(), "bytes")
	// Output: llama 21 tensors, 168992 bytes
}

func ExampleTokenize() {
	v := gguf.CharVocab([]string{"▁", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"})
	for _, id := range gguf.Tokenize(v, "What is 2+2?") {
		fmt.Print(v.Tokens[id], " ")
	}
	fmt.Println()
	// Output: <s> ▁ <0x57> <0x68> <0x61> <0x74> ▁ <0x69> <0x73> ▁ 2 <0x2B> 2 <0x3F>
}
