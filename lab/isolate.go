package lab

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"

	"nsbox/nsenter"
)

// isolatedEnv marks the re-executed child of lab run -isolated.
const isolatedEnv = "NSBOX_LAB_ISOLATED"

// runIsolated runs "nsbox lab run FILE" again in a fresh network and mount
// namespace: the lab's "default namespace" is then a new, empty one, its
// namespace files and journal live on private tmpfs mounts, and nothing
// of the host (interfaces, routes, /var/run/netns) is touched.
func runIsolated(file string, errw io.Writer) int {
	args := []string{"nsbox", "lab", "run"}
	if file != "" {
		args = append(args, file)
	}
	cmd := &exec.Cmd{Path: "/proc/self/exe", Args: args}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), isolatedEnv+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: unix.CLONE_NEWNET | unix.CLONE_NEWNS,
		Pdeathsig:  unix.SIGKILL,
	}
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ee.ExitCode() < 0 {
			fmt.Fprintf(errw, "nsbox lab run -isolated: %v\n", err)
			return 1
		}
		return ee.ExitCode()
	}
	if err != nil {
		fmt.Fprintf(errw, "nsbox lab run -isolated: cannot enter new namespaces: %v (needs root or CAP_SYS_ADMIN)\n", err)
		return 1
	}
	return 0
}

// setupIsolated runs in the child, already in its own network and mount
// namespaces: / private, fresh tmpfs on /run (so /run/netns and
// /run/nsbox), on /var/run if it is not the same, on /etc/netns if it
// exists; sysfs for this namespace on /sys; lo up.
func setupIsolated() error {
	if err := unix.Mount("", "/", "", unix.MS_PRIVATE|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("make / private: %v", err)
	}
	if err := os.MkdirAll("/run", 0o755); err != nil {
		return err
	}
	if err := unix.Mount("nsbox-lab", "/run", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755"); err != nil {
		return fmt.Errorf("tmpfs on /run: %v", err)
	}
	for _, d := range []string{"/run/netns", "/run/nsbox"} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return err
		}
	}
	if fi, err := os.Lstat("/var/run"); err == nil && fi.IsDir() {
		// A directory of its own, not a link to /run.
		if err := unix.Mount("nsbox-lab", "/var/run", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755"); err != nil {
			return fmt.Errorf("tmpfs on /var/run: %v", err)
		}
		if err := os.Mkdir("/var/run/netns", 0o755); err != nil {
			return err
		}
	} else if err != nil {
		// No /var/run at all (a FROM scratch image): keep namespace
		// files in /run/netns.
		nsenter.RunDir = "/run/netns"
	}
	if fi, err := os.Stat(nsenter.EtcDir); err == nil && fi.IsDir() {
		if err := unix.Mount("nsbox-lab", nsenter.EtcDir, "tmpfs", 0, "mode=0755"); err != nil {
			return fmt.Errorf("tmpfs on %s: %v", nsenter.EtcDir, err)
		}
	}
	if err := os.MkdirAll("/sys", 0o755); err == nil {
		unix.Unmount("/sys", unix.MNT_DETACH)
		if err := unix.Mount("sysfs", "/sys", "sysfs", 0, ""); err != nil {
			return fmt.Errorf("mount sysfs: %v", err)
		}
	}
	os.Setenv("NSBOX_LAB_DIR", "/run/nsbox")
	x := newExe()
	defer x.close()
	if err := x.setUp("", "lo"); err != nil {
		return fmt.Errorf("lo up: %s", errText(err))
	}
	return nil
}
