//go:build race

package pwstrength

const raceEnabled = true
