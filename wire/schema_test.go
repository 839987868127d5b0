package wire

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestSchemaText: every line of the tables parses, every reference
// resolves, and the structs have the kernel's sizes.
func TestSchemaText(t *testing.T) {
	names, structs, spaces, err := parseSchema(schemaText)
	if err != nil {
		t.Fatal(err)
	}
	// what the code looks up by name must be there
	for _, n := range []string{"af", "netlink_proto", "nlmsg_types", "rtm_types", "sock_diag_types",
		"nlm_flags", "nlm_flags_get", "nlm_flags_new", "nlm_flags_del", "nlm_flags_ack"} {
		if len(names[n]) == 0 {
			t.Errorf("names %s missing", n)
		}
	}
	for _, sp := range []string{"linkinfo", "rta", "extack", "inet6", "af_spec", "bridge_af_spec",
		"info_slave_data.bridge", "info_data.veth", "info_data.bridge", "info_data.vxlan", "info_data.vlan"} {
		if spaces[sp] == nil {
			t.Errorf("space %s missing", sp)
		}
	}
	for proto, types := range map[int][]uint16{protoRoute: {16, 20, 24, 28, 32, 36, 80, 88, 92, 104, 108}, protoSockDiag: {20}, protoNetfilter: {16, 0xa00, 0xa03, 0xa06}} {
		for _, ty := range types {
			for _, fam := range []byte{1, 2, 16, 17, 0} {
				for _, req := range []bool{false, true} {
					h, a := familyNames(&ctx{proto: proto, msgType: ty, request: req}, []byte{fam})
					if structs[h] == nil || (a != "" && spaces[a] == nil) {
						t.Errorf("proto %d type %d family %d: %q %q not in the tables", proto, ty, fam, h, a)
					}
				}
			}
		}
	}
	// sizes: <linux/*.h> as golang.org/x/sys/unix has them, or by hand
	for name, want := range map[string]int{
		"ifinfomsg": unix.SizeofIfInfomsg, "ifaddrmsg": unix.SizeofIfAddrmsg, "ifa_cacheinfo": unix.SizeofIfaCacheinfo,
		"ndmsg": unix.SizeofNdMsg, "rtmsg": unix.SizeofRtMsg, "rtnexthop": unix.SizeofRtNexthop,
		"tcmsg": 20, "nhmsg": 8, "fib_rule_hdr": 12, "rta_cacheinfo": 32, "nda_cacheinfo": 16,
		"rtnl_link_stats": 96, "rtnl_link_stats64": 200, "rtnl_link_ifmap": 32, "if_stats_msg": 12,
		"inet_diag_sockid": 48, "inet_diag_req_v2": 56, "inet_diag_msg": 72, "unix_diag_req": 24,
		"unix_diag_msg": 16, "netlink_diag_req": 20, "netlink_diag_msg": 28, "packet_diag_req": 20,
		"packet_diag_msg": 16, "bridge_vlan_info": 4, "ifla_bridge_id": 8, "rta_mfc_stats": 24,
		"tc_tbf_qopt": 36, "tc_htb_opt": 44, "tc_htb_glob": 20, "tc_netem_qopt": 24, "tc_u32_sel": 16,
		"tc_u32_key": 16, "tc_mirred": 28, "tc_gact": 20, "tc_prio_qopt": 20, "tc_netem_slot": 40,
	} {
		if s := structs[name]; s == nil || s.size() != want {
			t.Errorf("struct %s: %v, want %d bytes", name, s, want)
		}
	}
	// every names table and struct is used somewhere
	text := schemaText
	for n := range names {
		if n != "sock_type" && !strings.Contains(text, "="+n+"\n") && !strings.Contains(text, "="+n+" ") &&
			!strings.Contains(text, "="+n+"\t") && !used(n) {
			t.Errorf("names %s is not used", n)
		}
	}
	for n := range structs {
		if !strings.Contains(text, "struct="+n) && !strings.Contains(text, "struct[]="+n) && !used(n) {
			t.Errorf("struct %s is not used", n)
		}
	}
}

// used: names the code looks up itself.
func used(n string) bool {
	switch n {
	case "af", "netlink_proto", "nlmsg_types", "rtm_types", "sock_diag_types", "nlm_flags", "nlm_flags_get",
		"nlm_flags_new", "nlm_flags_del", "nlm_flags_ack", "rtnexthop", "nft_types":
		return true
	}
	h := false
	for _, proto := range []int{protoRoute, protoSockDiag} {
		for ty := uint16(16); ty < 130; ty++ {
			for _, fam := range []byte{1, 2, 16, 17, 0} {
				for _, req := range []bool{false, true} {
					a, _ := familyNames(&ctx{proto: proto, msgType: ty, request: req}, []byte{fam})
					h = h || a == n
				}
			}
		}
	}
	h = h || n == "sock_diag_req" || n == "nfgenmsg" // the header of every nftables message
	return h
}

// TestSchemaErrors: a bad line is reported with its number.
func TestSchemaErrors(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"names x\n1 A 2", "line 2: want pairs"},
		{"names x\nq A", `line 2: value "q" is not a number`},
		{"struct s\na u24", `line 2: a: unknown type "u24"`},
		{"struct s\na u8 enum=nope", `line 2: no names "enum=nope"`},
		{"struct s\na s32 hex", `line 2: a: "hex" does not go with s32`},
		{"struct s\na pad", "line 2: a: pad wants a byte count"},
		{"struct s\n(pad a u8", "line 2: no ) after ("},
		{"space x 1 X_*\nX_A u33", `line 2: X_A: unknown type "u33"`},
		{"space x 1 X_*\nX_A", "line 2: X_A has no type"},
		{"struct s\na u8\nspace x 1 X_*\nX_A u8 struct=s", "line 4: X_A: a type word and struct= or nest= both"},
		{"space x 1 X_*\nX_A struct=s", `line 2: X_A: no struct "struct=s"`},
		{"space x 1 X_*\nX_A u8\n1 X_B u8", "line 3: X_B: type 1 is X_A already"},
		{"space x 1 X_*\nX_A nest=y", "X_A: no space y"},
		{"space x one X_*", `line 1: first type "one" is not a number`},
		{"X_A u8", "line 1: a line before the first"},
		{"names a\nnames a", "line 2: names a twice"},
	} {
		_, _, _, err := parseSchema(c.text)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.text, err, c.want)
		}
	}
}
