package lab

import (
	"bytes"
	"errors"
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
	"nsbox/nsenter"
)

// isolatedEnv marks the re-executed child of lab run -isolated.
const isolatedEnv = "NSBOX_LAB_ISOLATED"

// runIsolated runs "nsbox lab run FILE" again in a fresh network and mount
// namespace: the lab's "default namespace" is then a new, empty one, its
// namespace files and journal live on private tmpfs mounts, and nothing
// of the host (interfaces, routes, /var/run/netns) is touched. The
// topology from standard input ("-"), which this process has read
// already, is the child's standard input: data, the bytes read.
func runIsolated(file string, data []byte, errw io.Writer) int {
	args := []string{"nsbox", "lab", "run"}
	if file != "" {
		args = append(args, file)
	}
	cmd := &nsenter.Cmd{Path: "/proc/self/exe", Args: args}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if file == "-" {
		cmd.Stdin = bytes.NewReader(data)
	}
	cmd.Env = append(os.Environ(), isolatedEnv+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: unix.CLONE_NEWNET | unix.CLONE_NEWNS,
		Pdeathsig:  unix.SIGKILL,
	}
	err := cmd.Run()
	var ee *nsenter.ExitError
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
// namespaces: / made private; fresh tmpfs on /run (so /run/netns and
// /run/nsbox), on /var/run if it is a directory of its own, on
// /etc/netns if it exists; sysfs for this namespace on /sys; lo up.
//
// In a chroot whose / is no mount point (the scratch test's root), / cannot
// be made private; then every mount goes on top of a mount point that can
// be made private itself (/var/run, /sys), and the rest is done without.
func setupIsolated() error {
	rootPrivate := true
	if err := unix.Mount("", "/", "", unix.MS_PRIVATE|unix.MS_REC, ""); err != nil {
		if err != unix.EINVAL {
			return fmt.Errorf("make / private: %v", err)
		}
		rootPrivate = false
	}
	// over mounts fstype on target so that nothing propagates out.
	over := func(target, fstype, data string) error {
		if !rootPrivate {
			if err := unix.Mount("", target, "", unix.MS_PRIVATE|unix.MS_REC, ""); err != nil {
				return fmt.Errorf("%s: cannot make it private: %v (neither it nor / is a mount point)", target, err)
			}
		}
		var flags uintptr
		if fstype == "tmpfs" {
			flags = unix.MS_NOSUID | unix.MS_NODEV
		}
		if err := unix.Mount("nsbox-lab", target, fstype, flags, data); err != nil {
			return fmt.Errorf("%s on %s: %v", fstype, target, err)
		}
		return nil
	}
	runDir := "" // a fresh tmpfs for /run/netns and the journal
	if rootPrivate {
		if err := os.MkdirAll("/run", 0o755); err != nil {
			return err
		}
	}
	if fi, err := os.Stat("/run"); err == nil && fi.IsDir() {
		if err := over("/run", "tmpfs", "mode=0755"); err == nil {
			runDir = "/run"
		} else if rootPrivate {
			return err
		}
	}
	varRun := false
	if fi, err := os.Lstat("/var/run"); err == nil && fi.IsDir() {
		// A directory of its own, not a link to /run.
		if err := over("/var/run", "tmpfs", "mode=0755"); err != nil {
			return err
		}
		varRun = true
		if runDir == "" {
			runDir = "/var/run"
		}
	} else if err == nil && runDir == "" {
		return fmt.Errorf("/var/run is a link, and its target could not get a private tmpfs")
	}
	if runDir == "" {
		return fmt.Errorf("no /run or /var/run to hold private namespace files")
	}
	if !varRun {
		if _, err := os.Lstat("/var/run"); err != nil {
			// No /var/run at all (a FROM scratch image).
			nsenter.RunDir = runDir + "/netns"
		}
	}
	dirs := []string{runDir + "/netns"} // runDir/nsbox: made 0700 by lab
	if varRun {
		dirs = append(dirs, "/var/run/netns")
	}
	for _, d := range dirs {
		// All on the fresh tmpfs mounts: nothing is made in the image.
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if fi, err := os.Stat(nsenter.EtcDir); err == nil && fi.IsDir() {
		if err := over(nsenter.EtcDir, "tmpfs", "mode=0755"); err != nil && rootPrivate {
			return err
		}
	}
	if fi, err := os.Stat("/sys"); err == nil && fi.IsDir() {
		if err := over("/sys", "sysfs", ""); err != nil {
			return err
		}
	}
	os.Setenv("NSBOX_LAB_DIR", runDir+"/nsbox")
	x := newExe()
	defer x.close()
	if err := x.setUp("", "lo"); err != nil {
		return fmt.Errorf("lo up: %s", errText(err))
	}
	return nil
}
