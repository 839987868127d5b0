package ping

import (
	"testing"
	"time"
)

func TestIsqrtLikeLlsqrt(t *testing.T) {
	// llsqrt stops when Newton's estimate stops shrinking and returns
	// that estimate: for n*n-1 it lands on n.
	for _, tc := range []struct{ in, want int64 }{
		{-5, 0}, {0, 0}, {1, 1}, {2, 1}, {3, 2}, {4, 2}, {8, 3}, {9, 3}, {15, 4},
		{16, 4}, {93, 9}, {99, 10}, {100, 10}, {41412, 203}, {1 << 40, 1 << 20},
	} {
		if got := isqrt(tc.in); got != tc.want {
			t.Errorf("isqrt(%d) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func us(v ...int64) []time.Duration {
	d := make([]time.Duration, len(v))
	for i, x := range v {
		d[i] = time.Duration(x) * time.Microsecond
	}
	return d
}

// The samples and summaries below are what iputils printed on this
// machine for the same round-trip times.
func TestSummaryMatchesIputils(t *testing.T) {
	for _, tc := range []struct {
		rtts []time.Duration
		want string
	}{
		{us(448, 41), "0.041/0.244/0.448/0.203"},
		{us(63, 49), "0.049/0.056/0.063/0.007"},
		{us(19, 41, 41, 42), "0.019/0.035/0.042/0.009"},
		{us(261, 58, 58), "0.058/0.125/0.261/0.095"},
		{us(77), "0.077/0.077/0.077/0.000"},
		{us(26, 40, 39, 41), "0.026/0.036/0.041/0.006"},
		{us(1234567, 2000), "2.000/618.283/1234.567/616.283"},
	} {
		min, avg, max, mdev := StatsFromRTTs(tc.rtts)
		m := func(d time.Duration) string { return string(appendMs(nil, int64(d/time.Microsecond))) }
		got := m(min) + "/" + m(avg) + "/" + m(max) + "/" + m(mdev)
		if got != tc.want {
			t.Errorf("%v: %s, want %s", tc.rtts, got, tc.want)
		}
	}
}

func TestSummaryText(t *testing.T) {
	withRTT := func(s Stats, rtts ...int64) Stats {
		var a rttAcc
		for _, x := range rtts {
			a.add(x)
		}
		a.fill(&s)
		return s
	}
	for _, tc := range []struct {
		name   string
		host   string
		s      Stats
		timing bool
		want   string
	}{
		{"ok", "192.168.1.11", withRTT(Stats{Transmitted: 2, Received: 2, Time: 1001 * time.Millisecond}, 50, 61), true,
			"--- 192.168.1.11 ping statistics ---\n" +
				"2 packets transmitted, 2 received, 0% packet loss, time 1001ms\n" +
				"rtt min/avg/max/mdev = 0.050/0.055/0.061/0.005 ms\n"},
		{"all lost", "192.0.2.99", Stats{Transmitted: 2, Time: 1018*time.Millisecond + 400*time.Microsecond}, true,
			"--- 192.0.2.99 ping statistics ---\n" +
				"2 packets transmitted, 0 received, 100% packet loss, time 1018ms\n\n"},
		{"no timing", "127.0.0.1", Stats{Transmitted: 2, Received: 2, Time: 202 * time.Millisecond}, false,
			"--- 127.0.0.1 ping statistics ---\n" +
				"2 packets transmitted, 2 received, 0% packet loss, time 202ms\n\n"},
		{"errors and pipe", "192.0.2.98", Stats{Transmitted: 5, Errors: 5, Pipe: 4, Time: 4032 * time.Millisecond}, true,
			"--- 192.0.2.98 ping statistics ---\n" +
				"5 packets transmitted, 0 received, +5 errors, 100% packet loss, time 4032ms\n" +
				"pipe 4\n"},
		{"third lost, dups", "h", withRTT(Stats{Transmitted: 3, Received: 2, Duplicates: 1, Corrupted: 1, Pipe: 2, Time: 2500499 * time.Microsecond}, 100, 200, 300), true,
			"--- h ping statistics ---\n" +
				"3 packets transmitted, 2 received, +1 duplicates, +1 corrupted, 33.3333% packet loss, time 2500ms\n" +
				"rtt min/avg/max/mdev = 0.100/0.200/0.300/0.081 ms, pipe 2\n"},
		{"two thirds", "h", Stats{Transmitted: 3, Received: 1}, false,
			"--- h ping statistics ---\n" +
				"3 packets transmitted, 1 received, 66.6667% packet loss, time 0ms\n\n"},
		{"nothing sent", "h", Stats{}, true,
			"--- h ping statistics ---\n0 packets transmitted, 0 received\n\n"},
	} {
		if got := Summary(tc.host, tc.s, tc.timing); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
	// With -i 0, iputils adds the mean gap between probes and the moving
	// average of the round trips.
	for _, tc := range []struct {
		name string
		s    Stats
		want string
	}{
		{"flood", withRTT(Stats{Transmitted: 5, Received: 5, Time: 4 * time.Millisecond, EWMA: 12 * time.Microsecond}, 10, 12, 14, 10, 12),
			"--- h ping statistics ---\n" +
				"5 packets transmitted, 5 received, 0% packet loss, time 4ms\n" +
				"rtt min/avg/max/mdev = 0.010/0.011/0.014/0.001 ms, ipg/ewma 1.000/0.012 ms\n"},
		{"flood, one probe", withRTT(Stats{Transmitted: 1, Received: 1}, 10), "--- h ping statistics ---\n" +
			"1 packets transmitted, 1 received, 0% packet loss, time 0ms\n" +
			"rtt min/avg/max/mdev = 0.010/0.010/0.010/0.000 ms\n"},
		{"flood, no timing, pipe", Stats{Transmitted: 3, Received: 2, Pipe: 2, Time: 30 * time.Millisecond, EWMA: 0}, "--- h ping statistics ---\n" +
			"3 packets transmitted, 2 received, 33.3333% packet loss, time 30ms\n" +
			"pipe 2, ipg/ewma 15.000/0.000 ms\n"},
	} {
		if got := summary("h", tc.s, tc.s.Min > 0, true); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

func TestFmtRTT(t *testing.T) {
	for _, tc := range []struct {
		us   int64
		want string
	}{
		{0, "0.000"}, {50, "0.050"}, {999, "0.999"}, {1000, "1.00"}, {1234, "1.23"},
		{1235, "1.24"}, {9994, "9.99"}, {9995, "10.0"}, {12345, "12.3"}, {99949, "99.9"},
		{99950, "100"}, {123456, "123"}, {1234567, "1235"},
	} {
		if got := fmtRTT(tc.us); got != tc.want {
			t.Errorf("fmtRTT(%d) = %q, want %q", tc.us, got, tc.want)
		}
	}
}

func TestLoss(t *testing.T) {
	for _, tc := range []struct {
		tx, rx int
		want   string
	}{{0, 0, "0"}, {1, 1, "0"}, {2, 0, "100"}, {3, 1, "66.6667"}, {7, 6, "14.2857"}, {1000000, 999999, "0.0001"}} {
		if got := fmtLoss(Stats{Transmitted: tc.tx, Received: tc.rx}); got != tc.want {
			t.Errorf("%d/%d: %q, want %q", tc.rx, tc.tx, got, tc.want)
		}
	}
}
