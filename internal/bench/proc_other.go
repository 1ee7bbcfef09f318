//go:build !linux

package bench

import "os/exec"

// setDeathSignal does nothing outside Linux: an interrupted run may leave
// its children running there.
func setDeathSignal(*exec.Cmd) {}
