package benchmark

import "strings"

// The prompt strings below are the official framework's (SLM-MUX-ICLR,
// MIT licence, src/slm_mux/benchmarks/{math500,gsm8k,gpqa}.py), byte for
// byte; prompt_test.go checks them against the SHA-256 fingerprints of spec
// Appendix C.

const (
	mathSystem = "Solve the following problem step by step. " +
		"Review what you have done and make sure you have not made any mistakes. " +
		"Be careful with intervals and plus or minus signs. Those parts are very easy to make mistakes. " +
		`Provide the final answer enclosed in LaTeX \boxed{...}.`

	// mathFormatOfficial keeps the doubled braces: the official code
	// appends it after str.format, so they are sent literally.
	mathFormatOfficial = "\nPlease provide your final answer in the form: \\boxed{{...}}"
	mathFormatPaper    = "\nPlease provide your final answer in the form: \\boxed{...}"

	gsmSystem = "You are a helpful math tutor. Reason step by step to solve the problem. " +
		"After your reasoning, output the final answer on a new line prefixed with '####'. " +
		"Example: #### 42"

	gpqaSystem = "You are a PhD student in science. " +
		"Reason step by step through the following question and provide the best answer. " +
		"Review what you have done and make sure you have not made any mistakes. " +
		"Give your single-letter choice as '##Answer: X##'."

	gpqaFormat = "\nPlease provide your final single-letter answer in the format: ##Answer: X##."
)

func mathPrompt(style PromptStyle, problem string) Prompt {
	format := mathFormatPaper
	if style == Official {
		format = mathFormatOfficial
	}
	return Prompt{System: mathSystem, User: "Problem:\n" + problem + "\n" + format}
}

// gsmPrompt is the same in both styles: the official user message is the
// bare problem, which the system message already explains.
func gsmPrompt(question string) Prompt {
	return Prompt{System: gsmSystem, User: "Problem:\n" + question}
}

// gpqaPrompt is the same in both styles. Choices are listed verbatim, one
// per line, as the official code does (a choice ending in a newline gives
// a blank line); without choices the bare letters A–D are listed.
func gpqaPrompt(question string, choices []string) Prompt {
	return Prompt{System: gpqaSystem, User: choiceUser(question, choices)}
}

func choiceUser(question string, choices []string) string {
	if len(choices) == 0 {
		choices = defaultChoices
	}
	var b strings.Builder
	b.WriteString("Question:\n" + question + "\n\nChoices:\n")
	for _, c := range choices {
		b.WriteString(c + "\n")
	}
	b.WriteString(gpqaFormat)
	return b.String()
}
