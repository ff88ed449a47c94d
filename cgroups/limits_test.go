package cgroups

import (
	"strings"
	"testing"
)

func TestParseMemory(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  string // substring of the error; "" = no error
	}{
		{"0", 0, ""},
		{"1024", 1024, ""},
		{"1024b", 1024, ""},
		{"512k", 512 << 10, ""},
		{"512K", 512 << 10, ""},
		{"64m", 64 << 20, ""},
		{"64M", 64 << 20, ""},
		{"64mb", 64 << 20, ""},
		{"64MB", 64 << 20, ""},
		{"64MiB", 64 << 20, ""},
		{"64mi", 64 << 20, ""},
		{"64 m", 64 << 20, ""},
		{"1g", 1 << 30, ""},
		{"1.5g", 3 << 29, ""},
		{"2t", 2 << 40, ""},
		{"1p", 1 << 50, ""},
		{" 8m ", 8 << 20, ""},
		{"", 0, "want a number"},
		{"m", 0, "want a number"},
		{"abc", 0, "want a number"},
		{"-1", 0, "must not be negative"},
		{"-64m", 0, "must not be negative"},
		{"64x", 0, "unknown unit"},
		{"64mm", 0, "unknown unit"},
		{"64bb", 0, "unknown unit"},
		{"64ib", 0, "unknown unit"},
		{"1.2.3m", 0, "want a number"},
		{".5m", 0, "want a number"},
		{"5.m", 0, "want a number"},
		{"1e6", 0, "unknown unit"},
		{"9223372036854775807", 9223372036854775807, ""},
		{"9223372036854775808", 0, "too large"},
		{"8388608t", 0, "too large"},
		{"8192p", 0, "too large"},
	} {
		got, err := ParseMemory(tc.in)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("ParseMemory(%q): %v", tc.in, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseMemory(%q) = %d, %v; want error containing %q", tc.in, got, err, tc.err)
		case tc.err == "" && got != tc.want:
			t.Errorf("ParseMemory(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestParseCPUs(t *testing.T) {
	for _, tc := range []struct {
		in            string
		quota, period int64
		err           string
	}{
		{"0.5", 50000, 100000, ""},
		{"2", 200000, 100000, ""},
		{"1.5", 150000, 100000, ""},
		{"0.01", 1000, 100000, ""},
		{"0.1", 10000, 100000, ""}, // exact: 0.1 has no exact float64
		{".25", 25000, 100000, ""},
		{"0.333333333", 33333, 100000, ""},
		{"64", 6400000, 100000, ""},
		{"0", 0, 0, "greater than 0"},
		{"0.0", 0, 0, "greater than 0"},
		{"-1", 0, 0, "greater than 0"},
		{"0.001", 0, 0, "minimum of 0.01"},
		{"0.0000000001", 0, 0, "too precise"},
		{"", 0, 0, "decimal number"},
		{".", 0, 0, "decimal number"},
		{"half", 0, 0, "decimal number"},
		{"1/2", 0, 0, "decimal number"},
		{"1e3", 0, 0, "decimal number"},
		{"1.2.3", 0, 0, "decimal number"},
		{" 1", 0, 0, "decimal number"},
		{"99999999999999999999", 0, 0, "too large"},
	} {
		q, p, err := ParseCPUs(tc.in)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("ParseCPUs(%q): %v", tc.in, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseCPUs(%q) = %d, %d, %v; want error containing %q", tc.in, q, p, err, tc.err)
		case tc.err == "" && (q != tc.quota || p != tc.period):
			t.Errorf("ParseCPUs(%q) = %d, %d; want %d, %d", tc.in, q, p, tc.quota, tc.period)
		}
	}
}

func TestLimitsCheck(t *testing.T) {
	for _, tc := range []struct {
		l    Limits
		want string // "" for no error
	}{
		{Limits{}, ""},
		{Limits{MemoryBytes: 6 << 20}, ""},
		{Limits{MemoryBytes: 1 << 20}, "invalid --memory 1m: minimum memory limit allowed is 6MB"},
		{Limits{MemoryBytes: 6<<20 - 1}, "minimum memory limit allowed is 6MB"},
		{Limits{CPUQuota: 200000, CPUPeriod: 100000}, ""},
		{Limits{CPUQuota: 200001, CPUPeriod: 100000}, "invalid --cpus: range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available"},
		{Limits{CPUQuota: 300000}, "range of CPUs is from 0.01 to 2.00"},
	} {
		err := tc.l.Check(2)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%+v.Check(2) = %v, want %q", tc.l, err, tc.want)
		}
	}
}
