package ping

import (
	"strconv"
	"time"

	fmt "nsbox/internal/printf"
)

// Stats is what one run of ping counted. The round-trip summary uses
// iputils' arithmetic: whole microseconds, integer mean and an integer
// square root for mdev, so the numbers match what iputils prints for the
// same samples.
type Stats struct {
	Transmitted int // echo requests sent (or that failed locally: iputils counts both)
	Received    int // distinct replies
	Duplicates  int // replies to a sequence number already answered
	Corrupted   int // replies with a bad checksum
	Errors      int // ICMP errors (unreachable, time exceeded, ...) and local errors

	// RTTs holds the round-trip time of each reply with a send time in
	// its payload (Size >= 16), duplicates included, in arrival order.
	RTTs []time.Duration
	// Min, Avg, Max and Mdev summarise RTTs (zero when RTTs is empty).
	Min, Avg, Max, Mdev time.Duration

	// EWMA is the exponentially weighted moving average of the round
	// trips (weight 1/8), as iputils' "ipg/ewma".
	EWMA time.Duration

	// Time runs from the start to the last probe sent ("time 1001ms").
	Time time.Duration
	// Pipe is the largest number of probes seen in flight at once.
	Pipe int
	// Raw is true when a raw socket was used, false for a ping socket.
	Raw bool
}

// Loss is the packet loss in percent, as iputils computes it.
func (s Stats) Loss() float64 {
	if s.Transmitted == 0 {
		return 0
	}
	return float64(float32(float64(s.Transmitted-s.Received) * 100.0 / float64(s.Transmitted)))
}

// rttAcc accumulates round-trip times in microseconds like iputils'
// tsum/tsum2/tmin/tmax.
type rttAcc struct {
	n          int64
	sum        int64
	sum2       float64
	min, max   int64
	samplesUS  []int64
	haveSample bool
}

func (a *rttAcc) add(us int64) {
	if !a.haveSample || us < a.min {
		a.min = us
	}
	if us > a.max {
		a.max = us
	}
	a.haveSample = true
	a.n++
	a.sum += us
	a.sum2 += float64(us * us)
	a.samplesUS = append(a.samplesUS, us)
}

// summary returns min, avg, max and mdev in microseconds, computed as
// iputils' finish() does, over total = received + duplicates samples.
func (a *rttAcc) summary() (min, avg, max, mdev int64) {
	if a.n == 0 {
		return 0, 0, 0, 0
	}
	total := a.n
	avg = a.sum / total
	var variance int64
	if a.sum < 1<<31-1 {
		// This order keeps small times from rounding away (iputils).
		variance = int64((a.sum2 - float64((a.sum*a.sum)/total)) / float64(total))
	} else {
		variance = int64(a.sum2/float64(total)) - avg*avg
	}
	return a.min, avg, a.max, isqrt(variance)
}

// isqrt is iputils' llsqrt: Newton's method on integers, stopping when
// the estimate no longer shrinks. Like llsqrt it returns that last
// estimate, which for n*n-1 is n rather than the floor n-1.
func isqrt(a int64) int64 {
	if a <= 0 {
		return 0
	}
	prev, x := int64(1<<63-1), a
	for x < prev {
		prev = x
		x = (x + a/x) / 2
	}
	return x
}

// appendMs prints microseconds as milliseconds with three decimals.
func appendMs(b []byte, us int64) []byte {
	return fmt.Appendf(b, "%d.%03d", us/1000, us%1000)
}

// fmtRTT is the "time=" of a reply line: fewer decimals as it grows.
func fmtRTT(us int64) string {
	switch {
	case us >= 100000-50:
		return strconv.FormatInt((us+500)/1000, 10)
	case us >= 10000-5:
		return fmt.Sprintf("%d.%01d", (us+50)/1000, ((us+50)%1000)/100)
	case us >= 1000:
		return fmt.Sprintf("%d.%02d", (us+5)/1000, ((us+5)%1000)/10)
	}
	return fmt.Sprintf("%d.%03d", us/1000, us%1000)
}

// fmtLoss prints like C's "%g" of a float.
func fmtLoss(s Stats) string {
	return strconv.FormatFloat(s.Loss(), 'g', 6, 32)
}

// Summary is the statistics block iputils prints at the end, from the
// "--- host ping statistics ---" line on (the blank line before it is the
// caller's). timing says whether replies carried send times.
func Summary(host string, s Stats, timing bool) string {
	return summary(host, s, timing, false)
}

// summary adds, for a run with no interval (-i 0), iputils' "ipg/ewma":
// the mean gap between probes and the moving average of the round trips.
func summary(host string, s Stats, timing, flood bool) string {
	var b []byte
	b = fmt.Appendf(b, "--- %s ping statistics ---\n", host)
	b = fmt.Appendf(b, "%d packets transmitted, %d received", s.Transmitted, s.Received)
	if s.Duplicates > 0 {
		b = fmt.Appendf(b, ", +%d duplicates", s.Duplicates)
	}
	if s.Corrupted > 0 {
		b = fmt.Appendf(b, ", +%d corrupted", s.Corrupted)
	}
	if s.Errors > 0 {
		b = fmt.Appendf(b, ", +%d errors", s.Errors)
	}
	if s.Transmitted > 0 {
		ms := (s.Time + 500*time.Microsecond) / time.Millisecond
		b = fmt.Appendf(b, ", %s%% packet loss, time %dms", fmtLoss(s), ms)
	}
	b = append(b, '\n')
	comma := ""
	if s.Received > 0 && timing && len(s.RTTs) > 0 {
		b = append(b, "rtt min/avg/max/mdev = "...)
		for i, d := range [...]time.Duration{s.Min, s.Avg, s.Max, s.Mdev} {
			if i > 0 {
				b = append(b, '/')
			}
			b = appendMs(b, int64(d/time.Microsecond))
		}
		b = append(b, " ms"...)
		comma = ", "
	}
	if s.Pipe > 1 {
		b = fmt.Appendf(b, "%spipe %d", comma, s.Pipe)
		comma = ", "
	}
	if flood && s.Received > 0 && s.Transmitted > 1 {
		ipg := int64(s.Time/time.Microsecond) / int64(s.Transmitted-1)
		ewma := int64(s.EWMA / time.Microsecond)
		b = fmt.Appendf(b, "%sipg/ewma %d.%03d/%d.%03d ms", comma, ipg/1000, ipg%1000, ewma/1000, ewma%1000)
	}
	b = append(b, '\n')
	return string(b)
}

// statsFrom builds the exported summary from the accumulator.
func (a *rttAcc) fill(s *Stats) {
	s.RTTs = make([]time.Duration, len(a.samplesUS))
	for i, us := range a.samplesUS {
		s.RTTs[i] = time.Duration(us) * time.Microsecond
	}
	min, avg, max, mdev := a.summary()
	s.Min = time.Duration(min) * time.Microsecond
	s.Avg = time.Duration(avg) * time.Microsecond
	s.Max = time.Duration(max) * time.Microsecond
	s.Mdev = time.Duration(mdev) * time.Microsecond
}

// StatsFromRTTs computes the iputils summary of the given round-trip
// times (truncated to microseconds), for callers that gathered their own.
func StatsFromRTTs(rtts []time.Duration) (min, avg, max, mdev time.Duration) {
	var a rttAcc
	for _, d := range rtts {
		a.add(int64(d / time.Microsecond))
	}
	var s Stats
	a.fill(&s)
	return s.Min, s.Avg, s.Max, s.Mdev
}
