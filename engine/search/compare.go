package search

import "github.com/slmmux/slmmux/engine/mux"

// Compare runs Search once per objective (in Objectives order) with cfg's
// sizes, hold-out split and SLM-MUX settings and no ranked list, so that
// the picks' MuxAcc (and HeldOutMuxAcc) show which objective picks better.
// cfg's own objective keeps cfg's λ and robust level; the others use their
// defaults.
func Compare(ds *mux.Dataset, cfg Config) ([]*Result, error) {
	if cfg.Objective == "" {
		cfg.Objective = Paper
	}
	var out []*Result
	for _, o := range Objectives {
		c := cfg
		c.Top = 0
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
