package ollama

import "testing"

func TestParseParams(t *testing.T) {
	// qwen2.5's /api/show parameters, as a v0.24.0 daemon prints them.
	text := "repeat_penalty                 1.05\nstop                           \"<|im_start|>\"\nstop                           \"<|im_end|>\"\ntemperature                    0.7\ntop_k                          20\ntop_p                          0.8\nnum_ctx                        4096\nnum_predict                    512\nmirostat                       abc"
	o := parseParams(text)
	if *o.RepeatPenalty != 1.05 || *o.Temperature != 0.7 || o.TopK != 20 || *o.TopP != 0.8 || o.NumCtx != 4096 || o.NumPredict != 512 {
		t.Errorf("parseParams = %+v", o)
	}
	if o := parseParams(""); o.TopP != nil || o.TopK != 0 {
		t.Errorf("no parameters: %+v", o)
	}
}
