package cli

import (
	"fmt"
	"math/bits"
	"os"
	"strconv"
	"strings"
)

// securityStatus reads this process's guards from /proc/self/status: the
// effective capability set (a hex mask, bit N is capability N of
// capabilities(7)) and the seccomp mode (0 none, 1 strict, 2 filter).
func securityStatus() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	var capEff, mode string
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, ":")
		switch k {
		case "CapEff":
			capEff = strings.TrimSpace(v)
		case "Seccomp":
			mode = strings.TrimSpace(v)
		}
	}
	n, _ := strconv.ParseUint(capEff, 16, 64)
	modes := map[string]string{"0": "no filter", "1": "strict", "2": "a filter"}
	return fmt.Sprintf("CapEff %s (%d capabilities), Seccomp %s (%s)", capEff, bits.OnesCount64(n), mode, modes[mode])
}
