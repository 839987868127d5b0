// Package bridge is the CNI bridge plugin: a Linux bridge in the host's
// network namespace, a veth pair per container with one end on the
// bridge and the other in the container, the addresses an IPAM plugin
// hands out, routes, the gateway address on the bridge, and masquerading
// through nftables. It behaves as the reference plugin
// (github.com/containernetworking/plugins/plugins/main/bridge) does for
// every field this kernel can serve; see NetConf for those, and loadConf
// for what it refuses.
package bridge
