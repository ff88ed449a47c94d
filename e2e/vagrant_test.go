package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVagrantfileValid checks the workshop VM's Vagrantfile with
// `vagrant validate -p`: Ruby syntax, settings this Vagrant knows, and that
// the provisioning scripts it names exist. -p (--ignore-provider) skips the
// provider's own checks, so no VirtualBox or libvirt is needed, and validate
// neither downloads a box nor opens a socket (checked by hand: it passes
// under `unshare -n`, in a network namespace without interfaces).
func TestVagrantfileValid(t *testing.T) {
	vagrant, err := exec.LookPath("vagrant")
	if err != nil {
		t.Skip("vagrant not on PATH: install the Debian package `vagrant` to check the Vagrantfile")
	}

	t.Run("checkout", func(t *testing.T) {
		out, err := vagrantValidate(t, vagrant, copyVagrantFiles(t, true), nil)
		if err != nil {
			t.Fatalf("vagrant validate -p: %v\n%s", err, out)
		}
		if !strings.Contains(out, "validated successfully") {
			t.Fatalf("vagrant validate -p exited 0 but did not say it validated:\n%s", out)
		}
	})

	// The check has teeth: a Vagrantfile whose provisioning script is
	// missing must fail, naming the script.
	t.Run("missing provisioning script", func(t *testing.T) {
		out, err := vagrantValidate(t, vagrant, copyVagrantFiles(t, false), nil)
		if err == nil {
			t.Fatalf("vagrant validate -p passed without vagrant/provision.sh:\n%s", out)
		}
		if !strings.Contains(out, "provision.sh") {
			t.Fatalf("vagrant validate -p failed without naming provision.sh: %v\n%s", err, out)
		}
	})

	// On an ARM host the Vagrantfile needs Vagrant 2.4, the first that can
	// choose a box's architecture.
	t.Run("arm64 host", func(t *testing.T) { testARMHost(t, vagrant) })
}

// testARMHost validates the Vagrantfile as an arm64 host would. Vagrant
// learns the host's CPU from Ruby's RbConfig, and RUBYOPT can preload a
// file that changes the answer; a marker on stderr shows that it did.
func testARMHost(t *testing.T, vagrant string) {
	dir := copyVagrantFiles(t, true)
	fake := filepath.Join(t.TempDir(), "arm64.rb")
	const marker = "minictr-test: host_cpu=arm64"
	ruby := "require 'rbconfig'\nRbConfig::CONFIG['host_cpu'] = 'arm64'\nwarn '" + marker + "'\n"
	if err := os.WriteFile(fake, []byte(ruby), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := vagrantValidate(t, vagrant, dir, []string{"RUBYOPT=-r" + fake})
	if !strings.Contains(out, marker) {
		t.Skipf("this vagrant's Ruby ignores RUBYOPT, cannot pretend to be an ARM host:\n%s", out)
	}
	major, minor := vagrantVersion(t, vagrant)
	if major < 2 || major == 2 && minor < 4 {
		if err == nil || !strings.Contains(out, ">= 2.4.0") {
			t.Fatalf("vagrant %d.%d on an arm64 host: want a failure asking for >= 2.4.0, got err=%v\n%s", major, minor, err, out)
		}
	} else if err != nil {
		t.Fatalf("vagrant %d.%d on an arm64 host: vagrant validate -p: %v\n%s", major, minor, err, out)
	}
}

// vagrantVersion returns the major and minor version `vagrant --version`
// prints ("Vagrant 2.3.4" -> 2, 3).
func vagrantVersion(t *testing.T, vagrant string) (major, minor int) {
	t.Helper()
	out, err := exec.Command(vagrant, "--version").Output()
	if err != nil {
		t.Fatalf("vagrant --version: %v", err)
	}
	if _, err := fmt.Sscanf(string(out), "Vagrant %d.%d", &major, &minor); err != nil {
		t.Fatalf("vagrant --version: cannot read %q: %v", out, err)
	}
	return major, minor
}

// copyVagrantFiles copies the Vagrantfile, and with scripts the vagrant/
// directory of provisioning scripts it refers to, into a fresh directory:
// vagrant writes its machine state (.vagrant/) into the directory it runs
// in, and that must not be the checkout.
func copyVagrantFiles(t *testing.T, scripts bool) string {
	t.Helper()
	dir := t.TempDir()
	data, err := os.ReadFile("../Vagrantfile") // the repository root: go test runs in e2e/
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Vagrantfile"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if scripts {
		if err := os.CopyFS(filepath.Join(dir, "vagrant"), os.DirFS("../vagrant")); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// vagrantValidate runs `vagrant validate -p` in dir and returns its
// combined output. HOME is a fresh directory too (vagrant creates
// ~/.vagrant.d there), and the caller's VAGRANT_* settings, MINICTR_BOX and
// RUBYOPT are dropped so that they cannot change what is validated; env is
// added last.
func vagrantValidate(t *testing.T, vagrant, dir string, env []string) (string, error) {
	t.Helper()
	cmd := exec.Command(vagrant, "validate", "-p")
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "VAGRANT_") || strings.HasPrefix(kv, "MINICTR_BOX=") || strings.HasPrefix(kv, "HOME=") ||
			strings.HasPrefix(kv, "RUBYOPT=") {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, "HOME="+t.TempDir(), "VAGRANT_CHECKPOINT_DISABLE=1")
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
