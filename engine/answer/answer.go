// Package answer names the kinds of answer SLM-MUX votes on and reads code
// out of replies.
//
// A question's [Kind] decides how its samples are compared: [Short]
// answers (a number, a letter, a formula) are extracted and compared by
// equality, as the paper does; [Code] and [Text] replies are compared by
// similarity. A benchmark fixes its kind; a chat question's kind is chosen
// from its samples.
package answer

import "fmt"

// Kind is what a question's answer is.
type Kind string

const (
	// Short is an extracted short answer voted on by equality.
	Short Kind = "short"
	// Code is a program, compared after [NormalizeCode].
	Code Kind = "code"
	// Text is free prose, compared as text.
	Text Kind = "text"
	// Auto chooses a question's kind from its samples.
	Auto Kind = "auto"
)

// KindError is an unknown kind name.
type KindError struct{ Name string }

func (e *KindError) Error() string {
	return fmt.Sprintf("unknown answer kind %q (valid: auto, short, code, text)", e.Name)
}

// ParseKind reads "auto", "short", "code" or "text"; "" is Auto.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(s); k {
	case "":
		return Auto, nil
	case Auto, Short, Code, Text:
		return k, nil
	}
	return "", &KindError{Name: s}
}
