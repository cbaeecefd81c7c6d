package benchmark_test

import (
	"fmt"
	"log"

	"github.com/slmmux/slmmux/engine/benchmark"
)

func ExampleNew() {
	b, err := benchmark.New("math500", benchmark.Config{})
	if err != nil {
		log.Fatal(err)
	}
	// Load fills Reference with the canonical answer; here it is typed in.
	it := benchmark.Item{Question: "What is 1/2?", Reference: `\frac{1}{2}`}
	for _, response := range []string{
		`So the answer is $\boxed{0.5}$.`,
		`\boxed{\dfrac12}`,
		`First \boxed{1}, but on reflection \boxed{1/2}.`,
		`no box`,
	} {
		answer := b.Extract(response, it)
		fmt.Printf("%q %v\n", answer, b.Correct(answer, it))
	}
	// Output:
	// "\\frac{1}{2}" true
	// "\\frac{1}{2}" true
	// "\\frac{1}{2}" true
	// "" false
}

func ExampleOfficialGPQA() {
	response := "Let me answer carefully. ##Answer: B##"
	b, _ := benchmark.New("gpqa", benchmark.Config{})
	fmt.Println("official:", benchmark.OfficialGPQA(response, nil))
	fmt.Println("improved:", b.Extract(response, benchmark.Item{}))
	// Output:
	// official: C
	// improved: B
}

func ExampleOfficialGSM8K() {
	b, _ := benchmark.New("gsm8k", benchmark.Config{})
	for _, response := range []string{"#### 1,600", "The total is $1,000."} {
		fmt.Printf("official %q, improved %q\n", benchmark.OfficialGSM8K(response), b.Extract(response, benchmark.Item{}))
	}
	// Output:
	// official "1", improved "1600"
	// official "0", improved "1000"
}
