//go:build race

package classifier

// raceOn reports a -race build: the cross-validation test is skipped there
// (training 600 models under the race detector takes minutes).
const raceOn = true
