package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/models"
	"github.com/slmmux/slmmux/models/demo"
	"github.com/slmmux/slmmux/models/gguf"
	"github.com/slmmux/slmmux/models/ollama"
	"github.com/slmmux/slmmux/models/openai"
)

// Exit codes (documented in docs/reference.md).
const (
	exitOK          = 0
	exitError       = 1   // a run failed
	exitUsage       = 2   // bad flags or input: nothing was done
	exitUnavailable = 3   // the Ollama daemon cannot be reached
	exitNotFound    = 4   // a model is not installed
	exitBug         = 70  // an internal error (EX_SOFTWARE): a panic
	exitInterrupted = 130 // SIGINT (128 + 2)
	exitTerminated  = 143 // SIGTERM (128 + 15)
)

// signalError is the cause of a context cancelled by a signal.
type signalError struct{ sig os.Signal }

func (e signalError) Error() string { return "received " + e.sig.String() }

// usageError is bad input: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// flagError marks every error cobra reports about flags and arguments as a
// usage error (root.SetFlagErrorFunc and the Args validators).
func flagError(_ *cobra.Command, err error) error { return usageError{err} }

// usageArgs wraps a cobra.PositionalArgs so its errors are usage errors.
func usageArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := v(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

// settingFlags names the flag of each engine setting.
var settingFlags = map[string]string{
	"samples": "--samples", "temperature": "--temperature", "seed": "--seed", "seed_mode": "--seed-mode",
	"num_predict": "--num-predict", "num_ctx": "--num-ctx", "num_thread": "--threads",
	"repeat_penalty": "--repeat-penalty", "top_p": "--top-p",
}

// settingErr turns an engine setting's error into a usage error that
// names the flag.
func settingErr(err error) error {
	var se *engine.SettingError
	if errors.As(err, &se) {
		flag := settingFlags[se.Setting]
		if flag == "" {
			flag = se.Setting
		}
		return usagef("%s %v: %s", flag, se.Value, se.Reason)
	}
	var ke *mux.KError
	if errors.As(err, &ke) {
		return usagef("--%w", ke)
	}
	var fe *engine.FootprintMissingError
	if errors.As(err, &fe) {
		return usagef("--footprint has no size for %q: give every model of --models", fe.Model)
	}
	return err
}

// hint maps the library's neutral errors to an exit code and, where it
// helps, what to do next in the command line's terms.
func hint(err error) (code int, next string) {
	var ue usageError
	var se *openai.StatusError
	var ae *openai.AuthError
	var sd *engine.SignalDataError
	switch {
	case errors.As(err, &sd):
		return exitUsage, fmt.Sprintf("collect them with slmmux eval --confidence %s (a new --run folder)", sd.Method)
	case errors.Is(err, engine.ErrNoLogprobs):
		return exitError, fmt.Sprintf("use Ollama %s or later, or --confidence consistency", ollama.FeatureLogprobs.Since)
	case errors.As(err, &ae) && ae.KeyEnv != "":
		return exitError, "--api-key-env (a backend's api_key_env) names the variable the key is read from"
	case errors.As(err, &se) && se.RouteMissing():
		return exitError, "give --base-url (a backend's url) the API's root, usually ending in /v1"
	case errors.As(err, &se) && se.Code == http.StatusTooManyRequests:
		return exitError, "lower --max-concurrency (a backend's max_concurrency)"
	case errors.Is(err, gguf.ErrNotFloat):
		return exitUsage, "import it without --quantize, or quantize from the model's F16 or F32 export"
	case fromOpenAI(err) && errors.Is(err, models.ErrUnavailable):
		return exitUnavailable, "start the server, or fix --base-url (a backend's url)"
	case fromOpenAI(err) && errors.Is(err, models.ErrModelNotInstalled):
		return exitNotFound, ""
	case errors.As(err, new(*demo.HostError)):
		return exitUnavailable, "or unset OLLAMA_HOST: the demo then starts a daemon of its own"
	case errors.Is(err, models.ErrUnavailable):
		return exitUnavailable, "or run `slmmux demo`, which starts a daemon of its own"
	case errors.Is(err, models.ErrModelNotInstalled):
		return exitNotFound, "a local GGUF file: `slmmux models import FILE.gguf --name NAME`"
	case errors.Is(err, engine.ErrNoModels):
		return exitNotFound, "pass --models, or install a model: `ollama pull NAME` or `slmmux models import FILE.gguf --name NAME`"
	case errors.Is(err, models.ErrContextExceeded):
		return exitError, "raise --num-ctx (the context holds the prompt and the answer), or shorten the question"
	case errors.Is(err, runstore.ErrLocked):
		return exitUsage, "wait for it to finish, or stop it; the kernel releases the lock when it exits"
	case errors.Is(err, runstore.ErrMismatch):
		return exitUsage, "use another --run folder, or the same settings to resume"
	case errors.Is(err, runstore.ErrNoSamples):
		return exitUsage, "run `slmmux eval ... --run DIR` first, or point --run at a run folder"
	case errors.Is(err, engine.ErrNotInRun):
		return exitUsage, "pass --models with models of the run"
	case errors.Is(err, engine.ErrInsufficientMemory):
		return exitUsage, "pass a larger --budget if the probe is too cautious, or a smaller --num-ctx or --slots to shrink the KV cache"
	case errors.Is(err, engine.ErrInvalid), errors.As(err, new(*mux.KError)):
		return exitUsage, ""
	case errors.As(err, &ue):
		return exitUsage, ""
	}
	return exitError, ""
}

// report prints err for a person and maps it to an exit code.
func (a *App) report(ctx context.Context, err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		fmt.Fprintln(a.Stderr, "slmmux: interrupted; everything finished so far is saved — run the same command again to resume")
		var se signalError
		if errors.As(context.Cause(ctx), &se) && se.sig == syscall.SIGTERM {
			return exitTerminated
		}
		return exitInterrupted
	}
	code, next := hint(err)
	msg := err.Error()
	if next != "" && !strings.Contains(msg, next) {
		msg += "\n  " + next
	}
	fmt.Fprintf(a.Stderr, "slmmux: %s\n", msg)
	return code
}
