//go:build race

package web

// raceEnabled is true when the race detector is on: its shadow memory and
// slowdown widen the bounds of the load tests.
const raceEnabled = true
