package cni

import (
	"bytes"
	"strings"
	"testing"

	"nsbox/internal/json"
)

// env is a CNI environment for Main.
type env map[string]string

func (e env) get(k string) string { return e[k] }

func run(t *testing.T, p Plugin, e env, stdin string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(p, e.get, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

var nop = Plugin{Name: "test",
	Add: func(c *Call) (*Result, error) {
		return &Result{CNIVersion: CurrentVersion, IPs: []IPConfig{{Interface: -1, Address: mustPrefix("10.1.0.2/24")}}}, nil
	},
	Del: func(c *Call) error { return nil },
}

const conf = `{"cniVersion":"1.0.0","name":"net1","type":"test"}`

func full(cmd string) env {
	return env{"CNI_COMMAND": cmd, "CNI_CONTAINERID": "c1", "CNI_NETNS": "/no/such/netns", "CNI_IFNAME": "eth0", "CNI_PATH": "/bin"}
}

func without(e env, keys ...string) env {
	out := env{}
	for k, v := range e {
		out[k] = v
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

func with(e env, k, v string) env {
	out := without(e)
	out[k] = v
	return out
}

// The reference's answers (containernetworking/cni v1.3.1 skel, as its
// host-local prints them) to a bad environment or configuration: the
// same object, byte for byte, and exit status 1.
func TestMainRefusals(t *testing.T) {
	for _, c := range []struct {
		name  string
		env   env
		stdin string
		want  string
	}{
		{"no CNI_CONTAINERID", without(full("ADD"), "CNI_CONTAINERID"), conf,
			"{\n    \"code\": 4,\n    \"msg\": \"required env variables [CNI_CONTAINERID] missing\"\n}"},
		{"no CNI_IFNAME nor CNI_PATH", without(full("ADD"), "CNI_IFNAME", "CNI_PATH"), conf,
			"{\n    \"code\": 4,\n    \"msg\": \"required env variables [CNI_IFNAME,CNI_PATH] missing\"\n}"},
		{"DEL needs no netns", without(full("DEL"), "CNI_NETNS", "CNI_PATH"), conf,
			"{\n    \"code\": 4,\n    \"msg\": \"required env variables [CNI_PATH] missing\"\n}"},
		{"bad container id before a missing variable", with(without(full("ADD"), "CNI_PATH"), "CNI_CONTAINERID", "c/1"), conf,
			"{\n    \"code\": 4,\n    \"msg\": \"invalid characters in containerID\",\n    \"details\": \"c/1\"\n}"},
		{"interface name too long", with(full("ADD"), "CNI_IFNAME", "abcdefghijklmnop"), conf,
			"{\n    \"code\": 4,\n    \"msg\": \"interface name is too long\",\n    \"details\": \"interface name should be less than 16 characters\"\n}"},
		{"interface name with a colon", with(full("ADD"), "CNI_IFNAME", "eth0:1"), conf,
			"{\n    \"code\": 4,\n    \"msg\": \"interface name contains / or : or whitespace characters\"\n}"},
		{"unknown command", full("FOO"), "",
			"{\n    \"code\": 6,\n    \"msg\": \"error unmarshall network config: unexpected end of JSON input\"\n}"},
		{"unknown command, good config", full("FOO"), conf,
			"{\n    \"code\": 4,\n    \"msg\": \"unknown CNI_COMMAND: FOO\"\n}"},
		{"bad JSON", full("ADD"), `{"name":`,
			"{\n    \"code\": 6,\n    \"msg\": \"error unmarshall network config: unexpected end of JSON input\"\n}"},
		{"name not a string", full("ADD"), `{"name":5}`,
			"{\n    \"code\": 6,\n    \"msg\": \"error unmarshall network config: json: cannot unmarshal number into Go struct field .name of type string\"\n}"},
		{"no name", full("ADD"), `{"cniVersion":"1.0.0"}`,
			"{\n    \"code\": 7,\n    \"msg\": \"missing network name\"\n}"},
		{"bad name", full("ADD"), `{"cniVersion":"1.0.0","name":"a b"}`,
			"{\n    \"code\": 7,\n    \"msg\": \"invalid characters found in network name\",\n    \"details\": \"a b\"\n}"},
		{"unknown version", full("ADD"), `{"cniVersion":"9.1.0","name":"n"}`,
			"{\n    \"code\": 1,\n    \"msg\": \"incompatible CNI versions\",\n    \"details\": \"config is \\\"9.1.0\\\", plugin supports [\\\"0.1.0\\\" \\\"0.2.0\\\" \\\"0.3.0\\\" \\\"0.3.1\\\" \\\"0.4.0\\\" \\\"1.0.0\\\" \\\"1.1.0\\\"]\"\n}"},
		{"CHECK before 0.4.0", full("CHECK"), `{"cniVersion":"0.3.1","name":"n"}`,
			"{\n    \"code\": 1,\n    \"msg\": \"config version does not allow CHECK\"\n}"},
		{"CHECK of an unparsable version", full("CHECK"), `{"cniVersion":"x.1","name":"n"}`,
			"{\n    \"code\": 6,\n    \"msg\": \"failed to convert major version part \\\"x\\\": strconv.Atoi: parsing \\\"x\\\": invalid syntax\"\n}"},
		{"GC before 1.1.0", full("GC"), `{"cniVersion":"1.0.0","name":"n"}`,
			"{\n    \"code\": 1,\n    \"msg\": \"config version does not allow GC\"\n}"},
		{"STATUS of a version after 1.1.0", full("STATUS"), `{"cniVersion":"1.2.0","name":"n"}`,
			"{\n    \"code\": 1,\n    \"msg\": \"plugin version does not allow STATUS\"\n}"},
		{"cniVersion not a string", full("ADD"), `{"cniVersion":1,"name":"n"}`,
			"{\n    \"code\": 6,\n    \"msg\": \"decoding version from network config: json: cannot unmarshal number into Go struct field .cniVersion of type string\"\n}"},
	} {
		out, _, code := run(t, nop, c.env, c.stdin)
		if code != 1 || out != c.want {
			t.Errorf("%s: exit %d\n%s\nwant exit 1\n%s", c.name, code, out, c.want)
		}
	}
}

func TestMainVersionAndAbout(t *testing.T) {
	out, _, code := run(t, nop, env{"CNI_COMMAND": "VERSION"}, "ignored")
	want := `{"cniVersion":"1.1.0","supportedVersions":["0.1.0","0.2.0","0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}` + "\n"
	if code != 0 || out != want {
		t.Fatalf("VERSION: exit %d %q, want %q", code, out, want)
	}
	out, errOut, code := run(t, nop, env{}, "")
	if code != 0 || out != "" || !strings.Contains(errOut, "CNI protocol versions supported: 0.1.0, 0.2.0, 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0") {
		t.Fatalf("no CNI_COMMAND: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// The result is printed in the configuration's version; a missing
// cniVersion is 0.1.0; DEL of a netns path that does not exist reaches
// the plugin.
func TestMainAddPrintsConfVersion(t *testing.T) {
	out, _, code := run(t, nop, full("ADD"), `{"cniVersion":"0.4.0","name":"n"}`)
	want := "{\n    \"cniVersion\": \"0.4.0\",\n    \"ips\": [\n        {\n            \"version\": \"4\",\n            \"address\": \"10.1.0.2/24\"\n        }\n    ],\n    \"dns\": {}\n}"
	if code != 0 || out != want {
		t.Fatalf("ADD 0.4.0: exit %d\n%s\nwant\n%s", code, out, want)
	}
	out, _, code = run(t, nop, full("ADD"), `{"name":"n"}`)
	want = "{\n    \"cniVersion\": \"0.1.0\",\n    \"ip4\": {\n        \"ip\": \"10.1.0.2/24\"\n    },\n    \"dns\": {}\n}"
	if code != 0 || out != want {
		t.Fatalf("ADD without cniVersion: exit %d\n%s\nwant\n%s", code, out, want)
	}
	if out, _, code := run(t, nop, full("DEL"), conf); code != 0 || out != "" {
		t.Fatalf("DEL: exit %d %q", code, out)
	}
}

func TestMainPluginErrors(t *testing.T) {
	p := Plugin{Name: "t", Add: func(*Call) (*Result, error) { return nil, Errorf(ErrTryAgainLater, "busy", "later") }}
	out, _, code := run(t, p, full("ADD"), conf)
	if want := "{\n    \"code\": 11,\n    \"msg\": \"busy\",\n    \"details\": \"later\"\n}"; code != 1 || out != want {
		t.Fatalf("plugin's own code: exit %d\n%s", code, out)
	}
	p.Add = func(*Call) (*Result, error) { return nil, errString("plain") }
	if out, _, code := run(t, p, full("ADD"), conf); code != 1 || out != "{\n    \"code\": 999,\n    \"msg\": \"plain\"\n}" {
		t.Fatalf("plain error: exit %d\n%s", code, out)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// Stdin is bounded.
func TestMainStdinBound(t *testing.T) {
	big := `{"name":"n","x":"` + strings.Repeat("a", MaxConfigSize) + `"}`
	out, _, code := run(t, nop, full("ADD"), big)
	if code != 1 || !strings.Contains(out, "\"code\": 6") || !strings.Contains(out, "more than 1048576 bytes") {
		t.Fatalf("oversized config: exit %d %s", code, out)
	}
}

func TestParseArgs(t *testing.T) {
	var ip string
	f := ArgField{Key: "IP", Set: func(v string) error { ip = v; return nil }}
	for _, c := range []struct{ in, err, ip string }{
		{"", "", ""},
		{"IP=10.0.0.5", "", "10.0.0.5"},
		{"IP=10.0.0.5;K8S_POD_NAME=x", `ARGS: unknown args ["K8S_POD_NAME=x"]`, "10.0.0.5"},
		{"IgnoreUnknown=1;IP=10.0.0.6;K8S_POD_NAME=x", "", "10.0.0.6"},
		{"K8S_POD_NAME=x;IgnoreUnknown=true", "", ""},
		{"IgnoreUnknown=yes", `ARGS: error parsing value of pair "IgnoreUnknown=yes": boolean unmarshal error: invalid input yes`, ""},
		{"IP", `ARGS: invalid pair "IP"`, ""},
		{"IP=a=b", `ARGS: invalid pair "IP=a=b"`, ""},
		{"IP=1;", `ARGS: invalid pair ""`, "1"},
		{"ip=10.0.0.5", `ARGS: unknown args ["ip=10.0.0.5"]`, ""},
	} {
		ip = ""
		err := ParseArgs(c.in, f)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.err || ip != c.ip {
			t.Errorf("ParseArgs(%q): err %q ip %q, want %q %q", c.in, got, ip, c.err, c.ip)
		}
	}
}

func TestVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		ge   bool
	}{{"1.0.0", "0.4.0", true}, {"0.4.0", "0.4.0", true}, {"0.3.1", "0.4.0", false}, {"", "0.1.0", true}, {"1", "0.9.9", true}, {"1.1", "1.1.0", true}} {
		if ge, err := AtLeast(c.a, c.b); err != nil || ge != c.ge {
			t.Errorf("AtLeast(%q, %q) = %v, %v", c.a, c.b, ge, err)
		}
	}
	if _, err := AtLeast("1.2.3.4", "1.0.0"); err == nil || err.Error() != `invalid version "1.2.3.4": too many parts` {
		t.Errorf("four parts: %v", err)
	}
}

// A result read in any version and written again in it is unchanged;
// the formats are the reference's (types 020, 040, 100).
func TestResultRoundTrip(t *testing.T) {
	for _, c := range []struct{ v, in string }{
		{"1.1.0", `{"cniVersion":"1.1.0","dns":{"nameservers":["10.0.0.53"]},"interfaces":[{"mac":"aa:bb:cc:dd:ee:ff","mtu":1400,"name":"eth0","sandbox":"/run/netns/x"}],"ips":[{"address":"10.1.0.2/24","gateway":"10.1.0.1","interface":0}],"routes":[{"dst":"0.0.0.0/0","gw":"10.1.0.1","priority":5,"table":100}]}`},
		{"0.4.0", `{"cniVersion":"0.4.0","interfaces":[{"name":"eth0","mac":"aa:bb:cc:dd:ee:ff","sandbox":"/x"}],"ips":[{"version":"6","interface":0,"address":"fd00::2/64","gateway":"fd00::1"}],"routes":[{"dst":"::/0"}],"dns":{}}`},
		{"0.2.0", `{"cniVersion":"0.2.0","ip4":{"ip":"10.1.0.2/24","gateway":"10.1.0.1","routes":[{"dst":"0.0.0.0/0"}]},"ip6":{"ip":"fd00::2/64"},"dns":{"domain":"x"}}`},
	} {
		j, err := json.Parse([]byte(c.in))
		if err != nil {
			t.Fatal(err)
		}
		r, err := ParseResult(c.v, j)
		if err != nil {
			t.Fatalf("%s: %v", c.v, err)
		}
		out, err := r.Encode(c.v)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(out.Append(nil)); got != c.in {
			t.Errorf("%s:\n got %s\nwant %s", c.v, got, c.in)
		}
	}
	if _, err := (&Result{}).Encode("0.2.0"); err == nil || err.Error() != "cannot convert: no valid IP addresses" {
		t.Errorf("0.2.0 without addresses: %v", err)
	}
	j, _ := json.Parse([]byte(`{"cniVersion":"0.4.0"}`))
	if _, err := ParseResult("1.0.0", j); err == nil || err.Error() != `result type supports [1.0.0 1.1.0] but unmarshalled CNIVersion is "0.4.0"` {
		t.Errorf("version mismatch: %v", err)
	}
}
