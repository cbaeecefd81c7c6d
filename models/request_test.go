package models

import (
	"reflect"
	"testing"
)

func TestPinned(t *testing.T) {
	cases := []struct {
		name         string
		o, own, want Options
	}{
		{"nothing set: the old daemon's defaults",
			Options{Temperature: Float(0.3), Seed: Int(7)}, Options{},
			Options{Temperature: Float(0.3), Seed: Int(7), TopK: 40, TopP: Float(0.9), RepeatPenalty: Float(1.1), NumPredict: -1, NumCtx: 2048}},
		{"the model's Modelfile wins over the defaults",
			Options{Temperature: Float(0.3)}, Options{Temperature: Float(0.7), TopK: 20, TopP: Float(0.8), RepeatPenalty: Float(1.05), NumCtx: 8192},
			Options{Temperature: Float(0.3), TopK: 20, TopP: Float(0.8), RepeatPenalty: Float(1.05), NumPredict: -1, NumCtx: 8192}},
		{"the request wins over both",
			Options{Temperature: Float(1), TopK: 5, TopP: Float(0.5), RepeatPenalty: Float(1), NumPredict: 64, NumCtx: 1024, NumThread: 2},
			Options{TopK: 20, TopP: Float(0.8), RepeatPenalty: Float(1.05), NumPredict: 100, NumCtx: 8192},
			Options{Temperature: Float(1), TopK: 5, TopP: Float(0.5), RepeatPenalty: Float(1), NumPredict: 64, NumCtx: 1024, NumThread: 2}},
	}
	for _, c := range cases {
		if got := c.o.Pinned(c.own); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
	own := Options{TopP: Float(0.8)}
	got := Options{}.Pinned(own)
	*got.TopP = 0.1
	if *own.TopP != 0.8 {
		t.Error("Pinned must copy the model's values, not share them")
	}
}
