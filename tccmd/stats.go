package tccmd

import (
	"nsbox/cli"
	"nsbox/rtnl"
)

// printStats is print_tcstats_attr (and print_tcstats2_attr): what the
// kernel counted, each line starting with prefix.
func (s *session) printStats(st *rtnl.TCStats, prefix string) {
	if st == nil {
		return
	}
	p := s.p
	if st.Compat {
		// the old struct tc_stats, printed with fprintf
		p.Text("%sSent %d bytes %d pkts (dropped %d, overlimits %d) ", prefix, st.Bytes, st.Packets, st.Drops, st.Overlimits)
		if st.BPS != 0 || st.PPS != 0 || st.Qlen != 0 || st.Backlog != 0 {
			p.Text("\n%s", prefix)
			if st.BPS != 0 || st.PPS != 0 {
				p.Text("rate ")
				if st.BPS != 0 {
					p.Text("%s ", p.FormatRate(st.BPS))
				}
				if st.PPS != 0 {
					p.Text("%dpps ", st.PPS)
				}
			}
			if st.Qlen != 0 || st.Backlog != 0 {
				p.Text("backlog ")
				if st.Backlog != 0 {
					p.Text("%s ", cli.FormatSize(st.Backlog))
				}
				if st.Qlen != 0 {
					p.Text("%dp ", st.Qlen)
				}
			}
		}
		return
	}
	if st.HasBasic {
		p.Text("%s", prefix)
		p.Uint("bytes", "Sent %d bytes", st.Bytes)
		if st.Packets64 != 0 {
			p.Uint("packets", " %d pkt", st.Packets64)
		} else {
			p.Uint("packets", " %d pkt", uint64(st.Packets))
		}
	}
	if st.HasQueue {
		p.Uint("drops", " (dropped %d", uint64(st.Drops))
		p.Uint("overlimits", ", overlimits %d", uint64(st.Overlimits))
		p.Uint("requeues", " requeues %d) ", uint64(st.Requeues))
	}
	if st.HasBasicHW && (st.BytesHW != 0 || st.PacketsHW != 0) {
		if st.HasBasic && st.Bytes >= st.BytesHW && st.Packets >= st.PacketsHW {
			p.NL()
			p.Text("%s", prefix)
			p.Uint("sw_bytes", "Sent software %d bytes", st.Bytes-st.BytesHW)
			p.Uint("sw_packets", " %d pkt", uint64(st.Packets-st.PacketsHW))
		}
		p.NL()
		p.Text("%s", prefix)
		p.Uint("hw_bytes", "Sent hardware %d bytes", st.BytesHW)
		p.Uint("hw_packets", " %d pkt", uint64(st.PacketsHW))
	}
	if st.HasRateEst64 || st.HasRateEst {
		p.Text("\n%s", prefix)
		p.JSONUint("rate", st.BPS)
		p.Text("rate %s", p.FormatRate(st.BPS))
		p.Uint("pps", " %dpps", st.PPS)
	}
	if st.HasQueue {
		if !st.HasRateEst {
			p.NL()
		}
		p.Text("%s", prefix)
		p.Size("backlog", "backlog %s", st.Backlog)
		p.Uint("qlen", " %dp", uint64(st.Qlen))
		p.Text(" requeues %d", uint64(st.Requeues))
	}
}
