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
		p.text("%sSent %d bytes %d pkts (dropped %d, overlimits %d) ", prefix, st.Bytes, st.Packets, st.Drops, st.Overlimits)
		if st.BPS != 0 || st.PPS != 0 || st.Qlen != 0 || st.Backlog != 0 {
			p.text("\n%s", prefix)
			if st.BPS != 0 || st.PPS != 0 {
				p.text("rate ")
				if st.BPS != 0 {
					p.text("%s ", p.formatRate(st.BPS))
				}
				if st.PPS != 0 {
					p.text("%dpps ", st.PPS)
				}
			}
			if st.Qlen != 0 || st.Backlog != 0 {
				p.text("backlog ")
				if st.Backlog != 0 {
					p.text("%s ", cli.FormatSize(st.Backlog))
				}
				if st.Qlen != 0 {
					p.text("%dp ", st.Qlen)
				}
			}
		}
		return
	}
	if st.HasBasic {
		p.text("%s", prefix)
		p.uint(pANY, "bytes", "Sent %d bytes", st.Bytes)
		if st.Packets64 != 0 {
			p.uint(pANY, "packets", " %d pkt", st.Packets64)
		} else {
			p.uint(pANY, "packets", " %d pkt", uint64(st.Packets))
		}
	}
	if st.HasQueue {
		p.uint(pANY, "drops", " (dropped %d", uint64(st.Drops))
		p.uint(pANY, "overlimits", ", overlimits %d", uint64(st.Overlimits))
		p.uint(pANY, "requeues", " requeues %d) ", uint64(st.Requeues))
	}
	if st.HasBasicHW && (st.BytesHW != 0 || st.PacketsHW != 0) {
		if st.HasBasic && st.Bytes >= st.BytesHW && st.Packets >= st.PacketsHW {
			p.nl()
			p.text("%s", prefix)
			p.uint(pANY, "sw_bytes", "Sent software %d bytes", st.Bytes-st.BytesHW)
			p.uint(pANY, "sw_packets", " %d pkt", uint64(st.Packets-st.PacketsHW))
		}
		p.nl()
		p.text("%s", prefix)
		p.uint(pANY, "hw_bytes", "Sent hardware %d bytes", st.BytesHW)
		p.uint(pANY, "hw_packets", " %d pkt", uint64(st.PacketsHW))
	}
	if st.HasRateEst64 || st.HasRateEst {
		p.text("\n%s", prefix)
		p.uint(pJSON, "rate", "", st.BPS)
		p.rate(pFP, "", "rate %s", st.BPS)
		p.uint(pANY, "pps", " %dpps", st.PPS)
	}
	if st.HasQueue {
		if !st.HasRateEst {
			p.nl()
		}
		p.text("%s", prefix)
		p.size(pANY, "backlog", "backlog %s", st.Backlog)
		p.uint(pANY, "qlen", " %dp", uint64(st.Qlen))
		p.uint(pFP, "", " requeues %d", uint64(st.Requeues))
	}
}
