package search

import (
	"sync"

	"github.com/slmmux/slmmux/engine/mux"
)

// Compare runs Search once per objective (in Objectives order) with cfg's
// sizes, hold-out split and SLM-MUX settings and no ranked list, so that
// the picks' MuxAcc (and HeldOutMuxAcc) show which objective picks better.
// cfg's own objective keeps cfg's λ and robust level; the others use their
// defaults.
func Compare(ds *mux.Dataset, cfg Config) ([]*Result, error) {
	return CompareWith(ds, cfg, nil)
}

// SearchAndCompare is Search under cfg and Compare, the searches run at
// once (they share nothing but ds, which they only read): what `slmmux
// search` prints. The results are those of Search then Compare.
func SearchAndCompare(ds *mux.Dataset, cfg Config) (*Result, []*Result, error) {
	if cfg.Objective == "" {
		cfg.Objective = Paper
	}
	res := make([]*Result, len(Objectives))
	errs := make([]error, len(Objectives))
	var wg sync.WaitGroup
	for i, o := range Objectives {
		c := cfg
		if o != cfg.Objective {
			c.Top, c.Objective, c.Lambda, c.RobustLevel = 0, o, o.DefaultLambda(), 0
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i], errs[i] = Search(ds, c)
		}()
	}
	wg.Wait()
	var own *Result
	compare := make([]*Result, len(Objectives))
	for i, o := range Objectives {
		if errs[i] != nil {
			return nil, nil, errs[i]
		}
		compare[i] = res[i]
		if o == cfg.Objective {
			own = res[i]
			c := *own
			c.Ranked = nil // as Compare's Top 0 leaves it
			compare[i] = &c
		}
	}
	return own, compare, nil
}

// CompareWith is Compare reusing have, a Search of ds under cfg already
// made, for cfg's own objective: one search fewer.
func CompareWith(ds *mux.Dataset, cfg Config, have *Result) ([]*Result, error) {
	if cfg.Objective == "" {
		cfg.Objective = Paper
	}
	var out []*Result
	for _, o := range Objectives {
		c := cfg
		c.Top = 0
		if o == cfg.Objective && have != nil {
			r := *have
			r.Ranked = nil // as Top 0 leaves it
			out = append(out, &r)
			continue
		}
		if o != cfg.Objective {
			c.Objective, c.Lambda, c.RobustLevel = o, o.DefaultLambda(), 0
		}
		r, err := Search(ds, c)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
