package security

import (
	"testing"

	"golang.org/x/sys/unix"
)

// The table's numbers are the kernel's.
func TestCapNumbersMatchKernelHeaders(t *testing.T) {
	for name, n := range map[string]int{
		"CHOWN": unix.CAP_CHOWN, "FOWNER": unix.CAP_FOWNER, "SETPCAP": unix.CAP_SETPCAP,
		"NET_RAW": unix.CAP_NET_RAW, "SYS_ADMIN": unix.CAP_SYS_ADMIN, "MKNOD": unix.CAP_MKNOD,
		"AUDIT_WRITE": unix.CAP_AUDIT_WRITE, "SETFCAP": unix.CAP_SETFCAP, "SYSLOG": unix.CAP_SYSLOG,
		"AUDIT_READ": unix.CAP_AUDIT_READ, "PERFMON": unix.CAP_PERFMON, "BPF": unix.CAP_BPF,
		"CHECKPOINT_RESTORE": unix.CAP_CHECKPOINT_RESTORE,
	} {
		if got, ok := capNumber(name); !ok || got != n {
			t.Errorf("%s: table says %d, <linux/capability.h> %d", name, got, n)
		}
	}
	if len(capNames)-1 != unix.CAP_LAST_CAP {
		t.Errorf("table ends at %d, x/sys/unix's CAP_LAST_CAP is %d", len(capNames)-1, unix.CAP_LAST_CAP)
	}
}
