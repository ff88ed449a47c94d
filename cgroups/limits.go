package cgroups

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// DefaultCPUPeriod is the CFS bandwidth period minictr uses, in microseconds
// (100 ms, the kernel's and docker's default). See [Limits.CPUQuota].
const DefaultCPUPeriod = 100000

// minCPUQuota is the smallest quota the kernel accepts (1 ms); see
// Documentation/scheduler/sched-bwc.rst.
const minCPUQuota = 1000

// Limits are the resource limits of one container, as plain numbers. The
// zero value means "no limits"; every field's zero means unlimited. The
// JSON names are those of a container's config.json ("limits").
type Limits struct {
	// MemoryBytes caps the memory (page cache included) the group may use
	// (-m/--memory). Swap is capped too -- memory.swap.max=0 on v2,
	// memory.memsw.limit_in_bytes=MemoryBytes on v1 -- because otherwise a
	// process over its limit is not killed but pushed page by page to swap,
	// and the "limit" only makes it slow.
	MemoryBytes int64 `json:"memoryBytes,omitempty"`

	// CPUQuota and CPUPeriod set CFS bandwidth control: the group may run
	// for CPUQuota microseconds of CPU time (summed over all CPUs) in every
	// CPUPeriod microseconds of wall time, then it is throttled -- taken off
	// the CPUs -- until the next period starts. --cpus 0.5 is 50000/100000;
	// --cpus 2 is 200000/100000 (two CPUs' worth). 0 quota = unlimited;
	// 0 period = DefaultCPUPeriod.
	CPUQuota  int64 `json:"cpuQuota,omitempty"`
	CPUPeriod int64 `json:"cpuPeriod,omitempty"`

	// PidsMax caps the number of tasks (processes and threads) in the
	// group (--pids-limit). fork(2) and clone(2) fail with EAGAIN at the
	// limit, which is what stops a fork bomb from filling the PID table of
	// the whole machine.
	PidsMax int64 `json:"pidsMax,omitempty"`
}

// period returns l.CPUPeriod, or DefaultCPUPeriod when it is unset.
func (l Limits) period() int64 {
	if l.CPUPeriod > 0 {
		return l.CPUPeriod
	}
	return DefaultCPUPeriod
}

var memoryUnits = map[byte]int64{'k': 1 << 10, 'm': 1 << 20, 'g': 1 << 30, 't': 1 << 40, 'p': 1 << 50}

// ParseMemory parses a memory size the way docker's -m/--memory does:
// a number, optionally with a fraction, and an optional binary unit
// b, k, m, g, t or p (case-insensitive, 1k = 1024), which may be followed
// by "b" or "ib": "1024", "512k", "64m", "64MB", "1.5GiB". "0" means
// unlimited. Negative numbers and anything else are an error.
func ParseMemory(s string) (int64, error) {
	in := s
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("invalid memory size %q: must not be negative", in)
	}
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(s)
	}
	num, unit := s[:i], strings.ToLower(strings.TrimPrefix(s[i:], " "))
	if num == "" || strings.Count(num, ".") > 1 || strings.HasPrefix(num, ".") || strings.HasSuffix(num, ".") {
		return 0, fmt.Errorf("invalid memory size %q: want a number with an optional unit, e.g. 64m or 1g", in)
	}
	mult := int64(1)
	if unit != "" && unit != "b" {
		m, ok := memoryUnits[unit[0]]
		if rest := unit[1:]; !ok || (rest != "" && rest != "b" && rest != "i" && rest != "ib") {
			return 0, fmt.Errorf("invalid memory size %q: unknown unit %q (use b, k, m, g, t or p)", in, s[i:])
		}
		mult = m
	}
	if n, err := strconv.ParseInt(num, 10, 64); err == nil { // integers stay exact
		if n > math.MaxInt64/mult {
			return 0, fmt.Errorf("invalid memory size %q: too large", in)
		}
		return n * mult, nil
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f*float64(mult) >= math.MaxInt64 {
		return 0, fmt.Errorf("invalid memory size %q: too large", in)
	}
	return int64(f * float64(mult)), nil
}

// ParseCPUs turns docker's --cpus value (a decimal number of CPUs) into a
// CFS quota and period in microseconds: "0.5" -> 50000, 100000; "2" ->
// 200000, 100000. Like docker it allows at most 9 decimal places and
// computes exactly (no float rounding). Values <= 0, values below 0.01 (the
// kernel's minimum quota of 1 ms per 100 ms period) and junk are errors.
func ParseCPUs(s string) (quota, period int64, err error) {
	bad := func(why string) (int64, int64, error) {
		return 0, 0, fmt.Errorf("invalid cpus %q: %s", s, why)
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" || strings.Trim(whole+frac, "0123456789") != "" {
		if strings.HasPrefix(s, "-") {
			return bad("must be greater than 0")
		}
		return bad("want a decimal number of CPUs, e.g. 0.5 or 2")
	}
	if len(frac) > 9 {
		return bad("too precise (at most 9 decimal places)")
	}
	cpus, ok := new(big.Rat).SetString(s)
	if !ok {
		return bad("want a decimal number of CPUs, e.g. 0.5 or 2")
	}
	if cpus.Sign() <= 0 {
		return bad("must be greater than 0")
	}
	// quota = cpus * period, rounded down to a whole microsecond.
	q := new(big.Int).Quo(new(big.Int).Mul(cpus.Num(), big.NewInt(DefaultCPUPeriod)), cpus.Denom())
	if !q.IsInt64() {
		return bad("too large")
	}
	if q.Int64() < minCPUQuota {
		return bad("below the minimum of 0.01 (the kernel's smallest quota is 1ms per 100ms period)")
	}
	return q.Int64(), DefaultCPUPeriod, nil
}

// MinMemory is the smallest memory limit a container may have: docker's
// (6 MB). Below it the container's own init -- a Go runtime, before the
// command even starts -- may be killed by the OOM killer, and the run fails
// at random places instead of with a clear message.
const MinMemory = 6 << 20

// Check refuses limits that can never work on a machine with ncpu CPUs, as
// docker does: a memory limit under MinMemory, and a CPU quota of more
// CPUs than there are (it would never bind).
func (l Limits) Check(ncpu int) error {
	if l.MemoryBytes > 0 && l.MemoryBytes < MinMemory {
		return fmt.Errorf("invalid --memory %s: minimum memory limit allowed is 6MB", FormatMemory(l.MemoryBytes))
	}
	if l.CPUQuota > int64(ncpu)*l.period() {
		return fmt.Errorf("invalid --cpus: range of CPUs is from 0.01 to %d.00, as there are only %d CPUs available", ncpu, ncpu)
	}
	return nil
}
