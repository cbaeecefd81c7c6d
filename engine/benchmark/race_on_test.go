//go:build race

package benchmark

// raceEnabled: the race detector slows this package's scans about tenfold.
const raceEnabled = true
