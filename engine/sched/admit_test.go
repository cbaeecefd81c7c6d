package sched

import (
	"slices"
	"testing"
)

func TestAdmit(t *testing.T) {
	const G = 1 << 30
	b := Budget{Bytes: 4 * G, MaxLoaded: 3}
	cases := []struct {
		name   string
		b      Budget
		loaded []Loaded
		want   []Want
		out    Admission
	}{
		{name: "nothing waits", b: b, loaded: []Loaded{{Model: "a", Bytes: G}}, out: Admission{}},
		{name: "fits beside the loaded", b: b,
			loaded: []Loaded{{Model: "a", Bytes: G, Busy: true}},
			want:   []Want{{Model: "b", Bytes: 2 * G, Oldest: 1}},
			out:    Admission{Load: []string{"b"}}},
		{name: "oldest first, then the most work", b: Budget{Bytes: 2 * G},
			want: []Want{{Model: "c", Bytes: G, Oldest: 2, Work: 9}, {Model: "b", Bytes: G, Oldest: 1, Work: 1}, {Model: "a", Bytes: G, Oldest: 1, Work: 3}},
			out:  Admission{Load: []string{"a", "b"}, Waiting: "c"}},
		{name: "work known in advance loads in the plan's order", b: Budget{Bytes: 2 * G},
			want: []Want{{Model: "a", Bytes: G, Oldest: 1, Rank: 2, Work: 9}, {Model: "b", Bytes: G, Oldest: 1, Rank: 0}, {Model: "c", Bytes: G, Oldest: 1, Rank: 1}},
			out:  Admission{Load: []string{"b", "c"}, Waiting: "a"}},
		{name: "evicts the least recently used idle model", b: b,
			loaded: []Loaded{{Model: "a", Bytes: 2 * G, Used: 5}, {Model: "b", Bytes: G, Used: 2}, {Model: "c", Bytes: G, Busy: true}},
			want:   []Want{{Model: "d", Bytes: G, Oldest: 7}},
			out:    Admission{Load: []string{"d"}, Evict: []string{"b"}}},
		{name: "a busy model is never evicted: d waits", b: b,
			loaded: []Loaded{{Model: "a", Bytes: 3 * G, Busy: true}},
			want:   []Want{{Model: "d", Bytes: 2 * G, Oldest: 4}, {Model: "e", Bytes: 1, Oldest: 5}},
			out:    Admission{Waiting: "d"}},
		{name: "max loaded counts models", b: Budget{Bytes: 100 * G, MaxLoaded: 1},
			loaded: []Loaded{{Model: "a", Bytes: G, Used: 1}},
			want:   []Want{{Model: "b", Bytes: G, Oldest: 1}, {Model: "c", Bytes: G, Oldest: 2}},
			out:    Admission{Load: []string{"b"}, Evict: []string{"a"}, Waiting: "c"}},
		{name: "no budget: the server's own memory", b: Budget{},
			loaded: []Loaded{{Model: "a", Bytes: 100 * G, Busy: true}},
			want:   []Want{{Model: "b", Bytes: 100 * G, Oldest: 1}},
			out:    Admission{Load: []string{"b"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Admit(tc.b, tc.loaded, tc.want)
			if !slices.Equal(got.Load, tc.out.Load) || !slices.Equal(got.Evict, tc.out.Evict) || got.Waiting != tc.out.Waiting {
				t.Errorf("Admit = %+v, want %+v", got, tc.out)
			}
		})
	}
}
