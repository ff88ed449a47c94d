package ns

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ProcStat is what minictr reads of a process in /proc/PID/stat (proc(5)):
// enough to tell whether a recorded container process still is the one it
// recorded, and who its parent is.
type ProcStat struct {
	State string // field 3: R running, S sleeping, Z zombie (exited, not yet reaped), ...
	PPid  int    // field 4: the parent's PID
	Start uint64 // field 22: start time in clock ticks since boot. PIDs are reused, start times are not
}

// ReadProcStat reads /proc/PID/stat.
func ReadProcStat(pid int) (ProcStat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ProcStat{}, err
	}
	return ParseProcStat(string(b))
}

// ParseProcStat picks fields 3, 4 and 22 out of a /proc/PID/stat line. The
// command name, field 2, is in parentheses and may hold spaces and
// parentheses, so fields are counted after its LAST ')'.
func ParseProcStat(stat string) (ProcStat, error) {
	i := strings.LastIndexByte(stat, ')')
	f := strings.Fields(stat[i+1:])
	if i < 0 || len(f) < 20 {
		return ProcStat{}, fmt.Errorf("parse /proc/PID/stat: too few fields in %q", stat)
	}
	ppid, err := strconv.Atoi(f[1])
	if err != nil {
		return ProcStat{}, fmt.Errorf("parse /proc/PID/stat: parent PID %q: %w", f[1], err)
	}
	start, err := strconv.ParseUint(f[19], 10, 64)
	if err != nil {
		return ProcStat{}, fmt.Errorf("parse /proc/PID/stat: start time %q: %w", f[19], err)
	}
	return ProcStat{State: f[0], PPid: ppid, Start: start}, nil
}
