package cli

import "testing"

// TestUnits: tc's readers and printers of rates, sizes and times, on
// values whose tc 6.1 answer is known (by hand).
func TestUnits(t *testing.T) {
	for s, want := range map[string]uint64{"10mbit": 1250000, "1gbit": 125000000, "100kbit": 12500, "8bit": 1,
		"1Kibit": 128, "2MBps": 2000000, "1.5mbit": 187500, "10": 1, "1e3kbit": 125000, "10MBIT": 1250000} {
		if got, ok := ParseRate(s); !ok || got != want {
			t.Errorf("rate %q: %d %v, want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "mbit", "10m", "10mbps ", "ten"} {
		if _, ok := ParseRate(s); ok {
			t.Errorf("rate %q taken", s)
		}
	}
	for s, want := range map[string]uint32{"32kb": 32768, "1k": 1024, "1mb": 1 << 20, "1600": 1600, "1600b": 1600,
		"1mbit": 131072, "8kbit": 1024, "1.5k": 1536} {
		if got, ok := ParseSize(s); !ok || got != want {
			t.Errorf("size %q: %d %v, want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"-1", "5x", "1tb", "4294967296"} {
		if _, ok := ParseSize(s); ok {
			t.Errorf("size %q taken", s)
		}
	}
	for s, want := range map[string]uint32{"50ms": 50000, "1s": 1000000, "10us": 10, "10": 10, "1.5msec": 1500,
		"-5ms": 4294962296 /* as tc: the double's conversion wraps */} {
		if got, ok := ParseTime(s); !ok || got != want {
			t.Errorf("time %q: %d %v, want %d", s, got, ok, want)
		}
	}
	for v, want := range map[uint64]string{1250000: "10Mbit", 187500: "1500Kbit", 125: "1Kbit", 100: "800bit",
		1000000000: "8Gbit"} {
		if got := FormatRate(v); got != want {
			t.Errorf("rate %d: %q, want %q", v, got, want)
		}
	}
	// tc -iec, as tc 6.1 prints 1gbit, 2gbit, 10mbit, 1kbit and 1kibit
	for v, want := range map[uint64]string{125000000: "976562Kibit", 250000000: "1907Mibit", 1250000: "9765Kibit", 125: "1000bit", 128: "1Kibit"} {
		if got := FormatRateIEC(v); got != want {
			t.Errorf("-iec rate %d: %q, want %q", v, got, want)
		}
	}
	for v, want := range map[uint32]string{32767: "32Kb", 1600: "1600b", 1 << 20: "1Mb", 95268: "95268b", 1100: "1100b"} {
		if got := FormatSize(v); got != want {
			t.Errorf("size %d: %q, want %q", v, got, want)
		}
	}
	for v, want := range map[uint32]string{50000: "50ms", 999: "999us", 1500000: "1.5s", 12345: "12.3ms"} {
		if got := FormatTime(v); got != want {
			t.Errorf("time %d: %q, want %q", v, got, want)
		}
	}
}

func TestEqualFold(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"up", "UP", true}, {"LowerLayerDown", "LOWERLAYERDOWN", true}, {"mbit", "Mbit", true},
		{"teſting", "TESTING", false}, {"\u212abit", "kbit", false}, {"up", "upp", false},
		{"a[", "A{", false}, {"", "", true},
	} {
		if got := EqualFold(c.a, c.b); got != c.want {
			t.Errorf("EqualFold(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
