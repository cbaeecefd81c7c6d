package ollama

import (
	"strconv"
	"strings"

	"github.com/slmmux/slmmux/models"
)

// clampsContextSince is the first release that caps num_ctx at a model's
// trained context (ollama/ollama#11175, merged 2025-06-23; v0.24.0 does,
// v0.6.5 does not).
var clampsContextSince = [3]int{0, 9, 3}

// releaseAtLeast reports whether version v ("0.24.0", "v0.9.3-rc1") is at
// least min. An unparsable version, and 0.0.0 (a build without a stamped
// version), are unknown: false.
func releaseAtLeast(v string, min [3]int) bool {
	v = strings.TrimPrefix(v, "v")
	if i := strings.IndexAny(v, "-+ "); i >= 0 {
		v = v[:i]
	}
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return false
	}
	var got [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return false
		}
		got[i] = n
	}
	if got == [3]int{} {
		return false
	}
	for i := range got {
		if got[i] != min[i] {
			return got[i] > min[i]
		}
	}
	return true
}

// legacyTensorTypes undoes a naming slip of older daemons (v0.6.5's
// fs/ggml Tensor.Type formats a tensor's type id with the file-type
// names): what such a daemon's /api/show lists → the tensor's real type.
// "unknown" is id 6, Q5_0 (ids 4 and 5 are unused by ggml).
var legacyTensorTypes = map[string]string{
	"F32": "F32", "F16": "F16", "Q4_0": "Q4_0", "Q4_1": "Q4_1", "unknown": "Q5_0",
	"Q8_0": "Q5_1", "Q5_0": "Q8_0", "Q5_1": "Q8_1", "Q2_K": "Q2_K", "Q3_K_S": "Q3_K",
	"Q3_K_M": "Q4_K", "Q3_K_L": "Q5_K", "Q4_K_S": "Q6_K", "Q4_K_M": "Q8_K", "IQ4_XS": "BF16",
}

// tensorNames says how a daemon of a given version names tensor types in
// /api/show: v0.24.0 with ggml's type names, v0.6.5 with the file-type
// names (legacyTensorTypes); for versions between, and unknown ones, the
// file size decides (tensorTypesFor).
func tensorNames(version string) (ggml, legacy bool) {
	switch {
	case releaseAtLeast(version, [3]int{0, 24, 0}):
		return true, false
	case releaseAtLeast(version, [3]int{0, 0, 1}) && !releaseAtLeast(version, [3]int{0, 6, 6}):
		return false, true
	}
	return false, false
}

// tensorTypesFor reads the tensor types a daemon listed: as ggml type
// names, or with legacyTensorTypes, as its version says; when the version
// does not say, whichever reading gives weights that fit in the model's
// file (fileBytes) and come closest to it.
func tensorTypesFor(ts []models.Tensor, fileBytes int64, version string) []models.Tensor {
	ggml, old := tensorNames(version)
	if ggml {
		return ts
	}
	legacy := make([]models.Tensor, len(ts))
	for i, t := range ts {
		legacy[i] = t
		if real, ok := legacyTensorTypes[t.Type]; ok {
			legacy[i].Type = real
		} else {
			legacy = nil
			break
		}
	}
	fits := func(list []models.Tensor) (uint64, bool) {
		n, err := models.WeightBytes(list)
		return n, err == nil && (fileBytes <= 0 || n <= uint64(fileBytes))
	}
	if legacy == nil {
		return ts
	}
	if old {
		return legacy
	}
	direct, okD := fits(ts)
	prev, okL := fits(legacy)
	if okL && (!okD || prev > direct) {
		return legacy
	}
	return ts
}
