// Package cni is the Container Network Interface plugin protocol, spec
// versions 0.1.0 to 1.1.0, as the reference plugins speak it
// (github.com/containernetworking/cni's skel and types packages are the
// model for behaviour, not for code): a runtime runs the plugin binary with
// CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS and
// CNI_PATH in the environment and the network configuration (JSON) on
// stdin; the plugin answers with a result or an error (JSON) on stdout.
//
// Main validates the environment and the configuration in the reference's
// order, negotiates the version (the configuration's cniVersion must be
// one the plugin supports; CHECK needs 0.4.0, GC and STATUS 1.1.0), calls
// the plugin's function for the command and prints its result converted
// to the configuration's version, or its error as the spec's object
// {"code": N, "msg": ..., "details": ...} with exit status 1.
//
// The plugins themselves live in the packages below (cni/bridge,
// cni/hostlocal, cni/loopback); this package knows no network device.
// JSON is read and written with nsbox/internal/json (no reflect), and
// every input is bounded: stdin at MaxConfigSize bytes, nesting at
// json.MaxDepth.
package cni
