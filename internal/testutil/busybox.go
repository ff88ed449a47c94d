package testutil

import (
	"debug/elf"
	"io/fs"
	"os"
	"testing"
)

// BusyboxPath is where Debian's busybox-static package installs its binary.
// It must be static: the test rootfs has no /lib, no ld.so, no libc.
const BusyboxPath = "/bin/busybox"

// Applets are the busybox commands BusyboxRoot links into /bin: enough for
// the labs (a shell, ps, mount, hostname, id, ip; ping, wget, httpd, nc for
// the network) and for tests that look around inside a container (stat,
// sha256sum, find).
var Applets = []string{
	"sh", "ls", "cat", "echo", "true", "false", "sleep", "id", "ps",
	"hostname", "mount", "umount", "stat", "sha256sum", "find", "env",
	"mkdir", "rm", "touch", "cp", "mv", "ln", "grep", "sed", "head",
	"tail", "wc", "uname", "whoami", "readlink", "chmod", "chown", "df",
	"ip", "kill", "top", "test", "pwd", "printf", "seq", "dd", "free",
	"ping", "wget", "httpd", "nc", "sync",
}

// BusyboxRoot returns the files of a minimal root filesystem: the static
// busybox binary, hard links named after its applets (busybox looks at
// argv[0] to know which command to be; the official busybox image uses
// hard links the same way), /etc/passwd and /etc/group with root, nobody and
// an "app" user (uid 1000), and the directories a container expects to
// mount over (/proc, /sys, /dev) or write to (/tmp with the sticky bit).
func BusyboxRoot(t testing.TB) []File {
	t.Helper()
	RequireTool(t, "busybox", "busybox-static")
	data := staticBusybox(t)
	files := []File{
		Dir("bin", 0o755),
		{Name: "bin/busybox", Mode: 0o755, Data: data},
	}
	for _, a := range Applets {
		files = append(files, Hardlink("bin/"+a, "bin/busybox"))
	}
	files = append(files,
		Dir("dev", 0o755),
		Dir("etc", 0o755),
		Reg("etc/passwd", 0o644, "root:x:0:0:root:/root:/bin/sh\n"+
			"nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"+
			"app:x:1000:1000:app:/home/app:/bin/sh\n"),
		Reg("etc/group", 0o644, "root:x:0:\nnogroup:x:65534:\napp:x:1000:\n"),
		Reg("etc/hostname", 0o644, "busybox\n"),
		Dir("home", 0o755),
		File{Name: "home/app", Mode: fs.ModeDir | 0o750, Uid: 1000, Gid: 1000},
		Dir("proc", 0o555),
		Dir("root", 0o700),
		Dir("sys", 0o555),
		Dir("tmp", fs.ModeSticky|0o777),
	)
	return files
}

// staticBusybox reads BusyboxPath and checks that it has no program
// interpreter (PT_INTERP), i.e. that it is the busybox-static build and not
// the dynamically linked one from the "busybox" package.
func staticBusybox(t testing.TB) []byte {
	t.Helper()
	f, err := elf.Open(BusyboxPath)
	if err != nil {
		t.Skipf("open %s: %v: install the Debian package busybox-static", BusyboxPath, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Skipf("%s is dynamically linked: install the Debian package busybox-static", BusyboxPath)
		}
	}
	data, err := os.ReadFile(BusyboxPath)
	if err != nil {
		t.Fatalf("read %s: %v", BusyboxPath, err)
	}
	return data
}
