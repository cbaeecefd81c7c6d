package mux

// StoredResult is SLM-MUX over a run collected with adaptive sampling:
// each question's selection over the samples that were stored.
type StoredResult struct {
	Accuracy float64 `json:"accuracy"`
	Stderr   float64 `json:"stderr"`
	Items    int     `json:"items"`
	Stored   int     `json:"samples_stored"`
	Total    int     `json:"samples_total"` // items x models x k
}

// SelectStored applies SLM-MUX once per question to the stored samples,
// a model's missing samples counting as no answer with confidence over k
// (paper profile): on a run made by exact adaptive sampling with the same
// tie-break order (valAcc, then ds's model order) this is the selection
// full sampling makes. No draws, no trials. Code and text answers count
// as votes by threshold (Dataset.Votes).
func SelectStored(ds *Dataset, k int, valAcc map[string]float64) StoredResult {
	ds = ds.Votes()
	res := StoredResult{Items: len(ds.Items), Total: len(ds.Items) * len(ds.Models) * k}
	correct := 0
	samples := make([]Samples, len(ds.Models))
	for _, it := range ds.Items {
		ids := map[string]int32{}
		for m, ss := range it.Samples {
			res.Stored += len(ss)
			answers := make([]string, max(k, len(ss)))
			for j, id := range ss {
				if id >= 0 {
					answers[j] = it.Answers[id]
					ids[it.Answers[id]] = id
				}
			}
			samples[m] = Samples{Model: ds.Models[m], Answers: answers}
		}
		ch := Select(samples, valAcc, Paper)
		if ch.Winner >= 0 && it.Correct[ids[ch.Answer]] {
			correct++
		}
	}
	if res.Items > 0 {
		res.Accuracy = float64(correct) / float64(res.Items)
		res.Stderr = Stderr(res.Accuracy, res.Items)
	}
	return res
}
