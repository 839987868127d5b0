package tccmd

import (
	"strconv"

	"nsbox/cli"
	"nsbox/rtnl"
)

// Actions: m_action.c's parse_action and tc_print_action, with the
// mirred (m_mirred.c) and gact (m_gact.c) kinds.

// tcActions are tc 6.1's action modules nsbox does not speak.
var tcActions = [...]string{"bpf", "connmark", "csum", "ct", "ctinfo", "gate", "ife", "ipt", "mpls", "nat",
	"pedit", "police", "sample", "simple", "skbedit", "skbmod", "tunnel_key", "vlan", "xt"}

// verdicts are action_a2n's names, in its order of matching.
var verdicts = [...]struct {
	name string
	v    int32
}{
	{"continue", rtnl.TC_ACT_UNSPEC}, {"drop", rtnl.TC_ACT_SHOT}, {"shot", rtnl.TC_ACT_SHOT},
	{"pass", rtnl.TC_ACT_OK}, {"ok", rtnl.TC_ACT_OK}, {"reclassify", rtnl.TC_ACT_RECLASSIFY},
	{"pipe", rtnl.TC_ACT_PIPE}, {"goto", rtnl.TC_ACT_GOTO_CHAIN}, {"jump", rtnl.TC_ACT_JUMP},
	{"trap", rtnl.TC_ACT_TRAP},
}

// actionA2N is action_a2n(arg, &result, false).
func actionA2N(s string) (int32, bool) {
	for _, v := range verdicts {
		if matches(s, v.name) {
			return v.v, true
		}
	}
	return 0, false
}

// actionN2A is action_n2a.
func actionN2A(v int32) string {
	switch {
	case v&^rtnl.TC_ACT_EXT_VAL_MASK == rtnl.TC_ACT_GOTO_CHAIN:
		return "goto"
	case v&^rtnl.TC_ACT_EXT_VAL_MASK == rtnl.TC_ACT_JUMP:
		return "jump"
	}
	switch v {
	case rtnl.TC_ACT_UNSPEC:
		return "continue"
	case rtnl.TC_ACT_OK:
		return "pass"
	case rtnl.TC_ACT_SHOT:
		return "drop"
	case rtnl.TC_ACT_RECLASSIFY:
		return "reclassify"
	case rtnl.TC_ACT_PIPE:
		return "pipe"
	case rtnl.TC_ACT_STOLEN:
		return "stolen"
	case rtnl.TC_ACT_TRAP:
		return "trap"
	}
	return strconv.Itoa(int(v))
}

// parseControl is parse_action_control: a verdict, "goto chain N" or
// "jump N".
func parseControl(a *args) (int32, error) {
	if !a.more() {
		return 0, failf("")
	}
	v, ok := actionA2N(a.cur())
	if !ok {
		return 0, failf("Bad action type %s", a.cur())
	}
	switch v {
	case rtnl.TC_ACT_GOTO_CHAIN:
		w, err := a.next()
		if err != nil {
			return 0, err
		}
		if !matches(w, "chain") {
			return 0, failf("\"chain index\" expected")
		}
		if w, err = a.next(); err != nil {
			return 0, err
		}
		c, ok := getU32(w, 10)
		if !ok || c > rtnl.TC_ACT_EXT_VAL_MASK {
			return 0, failf("Illegal \"chain index\"")
		}
		v |= int32(c)
	case rtnl.TC_ACT_JUMP:
		w, err := a.next()
		if err != nil {
			return 0, err
		}
		c, ok := getU32(w, 10)
		if !ok || c > rtnl.TC_ACT_EXT_VAL_MASK {
			return 0, failf("Invalid \"jump count\" (%s)", w)
		}
		v |= int32(c)
	}
	a.skip()
	return v, nil
}

// newCmd is new_cmd: a word that starts another tc command.
func newCmd(w string) bool {
	return matches(w, "change") || matches(w, "replace") || matches(w, "delete") ||
		matches(w, "get") || matches(w, "add")
}

// parseActions is parse_action: "KIND OPTIONS [action KIND OPTIONS]...",
// up to flowid or classid. Its "return -1" failures are code 1 (the
// caller adds its own line), exit(-1) ones code 255.
func (s *session) parseActions(a *args) ([]*rtnl.Action, error) {
	if !a.more() {
		return nil, failf("")
	}
	var acts []*rtnl.Action
	eap := false
	badValue := func(msg string) error {
		word := "(null)"
		if a.more() {
			word = a.cur()
		}
		if msg != "" {
			msg += "\n"
		}
		return failf("%sparse_action: bad value (%d:%s)!", msg, len(a.rest()), word)
	}
	for a.more() {
		w := a.cur()
		switch {
		case w == "action":
			a.skip()
			eap = true
			continue
		case w == "flowid", w == "classid":
			return acts, nil
		case w == "help":
			return nil, failf("")
		case newCmd(w):
			return acts, nil
		}
		kind := w
		if _, ok := actionA2N(w); ok {
			kind = "gact"
		}
		eap = false
		start := a.i
		var act *rtnl.Action
		var err error
		switch kind {
		case "mirred":
			act, err = s.parseMirred(a)
		default:
			for _, k := range tcActions {
				if k == kind {
					return nil, usageErr("nsbox: tc action \"%s\" is not implemented", kind)
				}
			}
			// tc's get_action_kind falls back to gact for a kind it
			// does not know
			act, err = s.parseGact(a)
		}
		if err != nil {
			te := err.(*cli.Error)
			if te.Code != cli.ExitFail {
				return nil, te
			}
			a.i = start // tc reports the words as they were before the kind
			return nil, badValue(joinLines(te.Msg, "bad action parsing"))
		}
		for a.more() && (a.cur() == "cookie" || matches(a.cur(), "hw_stats") || a.cur() == "no_percpu") {
			return nil, usageErr("nsbox: \"tc ... action ... %s\" is not implemented", a.cur())
		}
		var flag uint32
		for i := 0; i < 2 && a.more(); i++ {
			switch a.cur() {
			case "skip_sw":
				flag |= 1 << 2 // TCA_ACT_FLAGS_SKIP_SW
				a.skip()
			case "skip_hw":
				flag |= 1 << 1 // TCA_ACT_FLAGS_SKIP_HW
				a.skip()
			}
		}
		if flag != 0 {
			act.Flags = &[2]uint32{flag, flag}
		}
		acts = append(acts, act)
	}
	if eap {
		return nil, badValue("bad action empty 1")
	}
	return acts, nil
}

func joinLines(a, b string) string {
	if a == "" {
		return b
	}
	return a + "\n" + b
}

const mirredUsage = `Usage: mirred <DIRECTION> <ACTION> [index INDEX] <dev DEVICENAME>
where:
	DIRECTION := <ingress | egress>
	ACTION := <mirror | redirect>
	INDEX  is the specific policy instance id
	DEVICENAME is the devicename`

// parseMirred is parse_mirred and parse_direction.
func (s *session) parseMirred(a *args) (*rtnl.Action, error) {
	if _, err := a.next(); err != nil { // "mirred"
		return nil, err
	}
	w := a.cur()
	if !matches(w, "egress") && !matches(w, "ingress") && !matches(w, "index") {
		if matches(w, "help") {
			return nil, usageErr("%s", mirredUsage)
		}
		return nil, failf("mirred option not supported %s", w)
	}
	m := &rtnl.Mirred{}
	ok, iok := 0, false
	mirror, redir, ingress, egress := false, false, false, false
	dev := ""
loop:
	for a.more() {
		w := a.cur()
		switch {
		case matches(w, "action"):
			if _, err := a.next(); err != nil {
				return nil, err
			}
			break loop
		case !egress && matches(w, "egress"):
			egress = true
			if ingress {
				return nil, failf("Can't have both egress and ingress")
			}
			if _, err := a.next(); err != nil {
				return nil, err
			}
			ok++
			continue
		case !ingress && matches(w, "ingress"):
			ingress = true
			if egress {
				return nil, failf("Can't have both ingress and egress")
			}
			if _, err := a.next(); err != nil {
				return nil, err
			}
			ok++
			continue
		case matches(w, "index"):
			v, err := a.next()
			if err != nil {
				return nil, err
			}
			idx, good := getU32(v, 10)
			if !good {
				return nil, failf("Illegal \"index\"")
			}
			m.Index = idx
			iok = true
			if ok == 0 {
				a.skip()
				break loop
			}
		case ok == 0:
			s.out.Flush()
			stderr.Write([]byte("was expecting egress or ingress (" + w + ")\n"))
			break loop
		case !mirror && matches(w, "mirror"):
			mirror = true
			if redir {
				return nil, failf("Can't have both mirror and redir")
			}
			m.Eaction, m.Action = rtnl.TCA_INGRESS_MIRROR, rtnl.TC_ACT_PIPE
			if egress {
				m.Eaction = rtnl.TCA_EGRESS_MIRROR
			}
			ok++
		case !redir && matches(w, "redirect"):
			redir = true
			if mirror {
				return nil, failf("Can't have both mirror and redir")
			}
			m.Eaction, m.Action = rtnl.TCA_INGRESS_REDIR, rtnl.TC_ACT_STOLEN
			if egress {
				m.Eaction = rtnl.TCA_EGRESS_REDIR
			}
			ok++
		case (redir || mirror) && matches(w, "dev"):
			v, err := a.next()
			if err != nil {
				return nil, err
			}
			if dev != "" {
				return nil, duparg("dev", v)
			}
			dev = cut(v)
			a.skip()
			break loop
		}
		if _, err := a.next(); err != nil {
			return nil, err
		}
	}
	if ok == 0 && !iok {
		return nil, failf("")
	}
	if dev != "" {
		idx, err := s.ifindex(dev)
		if err != nil {
			return nil, err
		}
		if idx == 0 {
			return nil, failf("Cannot find device \"%s\"", dev)
		}
		m.Ifindex = uint32(idx)
	}
	if m.Eaction == rtnl.TCA_EGRESS_MIRROR || m.Eaction == rtnl.TCA_INGRESS_MIRROR {
		// parse_action_control_dflt: a verdict if one follows
		save := a.i
		if v, err := parseControl(a); err == nil {
			m.Action = v
		} else {
			a.i = save
		}
	}
	if a.more() {
		if iok && matches(a.cur(), "index") {
			return nil, failf("mirred: Illegal double index")
		}
		if matches(a.cur(), "index") {
			v, err := a.next()
			if err != nil {
				return nil, err
			}
			idx, good := getU32(v, 10)
			if !good {
				return nil, failf("mirred: Illegal \"index\"")
			}
			m.Index = idx
			a.skip()
		}
	}
	return &rtnl.Action{Kind: "mirred", Mirred: m}, nil
}

const gactUsage = `Usage: ... gact <ACTION> [RAND] [INDEX]
Where: 	ACTION := reclassify | drop | continue | pass | pipe |
       	          goto chain <CHAIN_INDEX> | jump <JUMP_COUNT>
	RAND := random <RANDTYPE> <ACTION> <VAL>
	RANDTYPE := netrand | determ
	VAL : = value not exceeding 10000
	JUMP_COUNT := Absolute jump from start of action list
	INDEX := index value used

` // m_gact.c's explain() ends with an empty line

// parseGact is parse_gact.
func (s *session) parseGact(a *args) (*rtnl.Action, error) {
	g := &rtnl.TcGen{}
	if matches(a.cur(), "gact") {
		if _, err := a.next(); err != nil {
			return nil, err
		}
	}
	index := func() error {
		v, err := a.next()
		if err != nil {
			return err
		}
		idx, ok := getU32(v, 10)
		if !ok {
			return failf("Illegal \"index\"")
		}
		g.Index = idx
		a.skip()
		return nil
	}
	if matches(a.cur(), "index") {
		if err := index(); err != nil {
			return nil, err
		}
		return &rtnl.Action{Kind: "gact", Gact: g}, nil
	}
	v, err := parseControl(a)
	if err != nil {
		te := err.(*cli.Error)
		if te.Code != cli.ExitFail {
			return nil, te
		}
		return nil, usageErr("%s", joinLines(te.Msg, gactUsage))
	}
	g.Action = v
	if a.more() {
		switch {
		case matches(a.cur(), "random"):
			return nil, usageErr("nsbox: \"tc ... action gact random\" is not implemented")
		case matches(a.cur(), "help"):
			return nil, usageErr("%s", gactUsage)
		}
	}
	if a.more() {
		switch {
		case matches(a.cur(), "index"):
			if err := index(); err != nil {
				return nil, err
			}
		case matches(a.cur(), "help"):
			return nil, usageErr("%s", gactUsage)
		}
	}
	return &rtnl.Action{Kind: "gact", Gact: g}, nil
}

// printActions is tc_print_action for a filter's actions (bound ones).
func (s *session) printActions(acts []*rtnl.Action) {
	p := s.p
	p.OpenArray("actions", "")
	for _, act := range acts {
		p.OpenObject("")
		p.NL()
		p.Uint("order", "\taction order %d: ", uint64(act.Order))
		s.printAction(act)
		p.CloseObject()
	}
	p.CloseArray("")
}

// printAction is tc_print_one_action.
func (s *session) printAction(act *rtnl.Action) {
	p := s.p
	switch {
	case act.Kind == "mirred":
		s.printMirred(act)
	case act.Kind == "gact":
		s.printGact(act)
	case len(act.Options) > 0:
		p.Text("[Unknown action, optlen=%d] ", len(act.Options))
	}
	if s.o.brief && act.Index != 0 {
		p.Uint("index", "\t index %d", uint64(act.Index))
		p.NL()
	}
	if s.o.stats && act.Stats != nil {
		p.Text("\tAction statistics:")
		p.NL()
		p.OpenObject("stats")
		s.printStats(act.Stats, "\t")
		p.CloseObject()
		p.NL()
	}
	if len(act.Cookie) > 0 {
		const hexd = "0123456789abcdef"
		b := make([]byte, 0, 2*len(act.Cookie))
		for _, c := range act.Cookie {
			b = append(b, hexd[c>>4], hexd[c&0xf])
		}
		p.String("cookie", "\tcookie %s", string(b))
		p.NL()
	}
	if act.Flags != nil && act.Flags[1]&1 != 0 { // TCA_ACT_FLAGS_NO_PERCPU_STATS
		p.Bool("no_percpu", "\tno_percpu", act.Flags[0]&1 != 0)
		p.NL()
	}
}

// printControl is print_action_control.
func (s *session) printControl(prefix string, v int32, suffix string) {
	p := s.p
	p.Text("%s", prefix)
	p.OpenObject("control_action")
	p.String("type", "%s", actionN2A(v))
	if v&^rtnl.TC_ACT_EXT_VAL_MASK == rtnl.TC_ACT_GOTO_CHAIN {
		p.Uint("chain", " chain %d", uint64(v&rtnl.TC_ACT_EXT_VAL_MASK))
	}
	if v&^rtnl.TC_ACT_EXT_VAL_MASK == rtnl.TC_ACT_JUMP {
		p.Uint("jump", " %d", uint64(v&rtnl.TC_ACT_EXT_VAL_MASK))
	}
	p.CloseObject()
	p.Text("%s", suffix)
}

func (s *session) printTm(t *rtnl.Tcft) {
	if t == nil {
		return
	}
	const hz = 100 // sysconf(_SC_CLK_TCK)
	p := s.p
	if t.Install != 0 {
		p.Uint("installed", " installed %d sec", t.Install/hz)
	}
	if t.LastUse != 0 {
		p.Uint("last_used", " used %d sec", t.LastUse/hz)
	}
	if t.FirstUse != 0 {
		p.Uint("first_used", " firstused %d sec", t.FirstUse/hz)
	}
	if t.Expires != 0 {
		p.Uint("expires", " expires %d sec", t.Expires/hz)
	}
}

func (s *session) printMirred(act *rtnl.Action) {
	p := s.p
	p.String("kind", "%s ", "mirred")
	if act.Options == nil {
		return
	}
	m := act.Mirred
	if m == nil {
		s.out.Flush()
		stderr.Write([]byte("Missing mirred parameters\n"))
		return
	}
	n2a, dir, what := "unknown", "unknown", "unknown"
	switch m.Eaction {
	case rtnl.TCA_EGRESS_REDIR:
		n2a, dir, what = "Egress Redirect", "egress", "redirect"
	case rtnl.TCA_INGRESS_REDIR:
		n2a, dir, what = "Ingress Redirect", "ingress", "redirect"
	case rtnl.TCA_EGRESS_MIRROR:
		n2a, dir, what = "Egress Mirror", "egress", "mirror"
	case rtnl.TCA_INGRESS_MIRROR:
		n2a, dir, what = "Ingress Mirror", "ingress", "mirror"
	}
	p.Text("(%s", n2a)
	p.JSONString("mirred_action", what)
	p.JSONString("direction", dir)
	p.String("to_dev", " to device %s)", s.ifname(int32(m.Ifindex)))
	s.printControl(" ", m.Action, "")
	p.NL()
	p.Uint("index", "\tindex %d", uint64(m.Index))
	p.Int("ref", " ref %d", int64(m.Refcnt))
	p.Int("bind", " bind %d", int64(m.Bindcnt))
	if s.o.stats {
		s.printTm(act.Tm)
	}
	p.NL()
}

func (s *session) printGact(act *rtnl.Action) {
	p := s.p
	p.String("kind", "%s ", "gact")
	if act.Options == nil {
		return
	}
	g := act.Gact
	if g == nil {
		s.out.Flush()
		stderr.Write([]byte("Missing gact parameters\n"))
		return
	}
	s.printControl("action ", g.Action, "")
	// CONFIG_GACT_PROB: the probability part, zero when absent
	p.OpenObject("prob")
	p.NL()
	p.String("random_type", "\t random type %s", "none")
	s.printControl(" ", 0, " ")
	p.Int("val", "val %d", 0)
	p.CloseObject()
	p.NL()
	p.Uint("index", "\t index %d", uint64(g.Index))
	p.Int("ref", " ref %d", int64(g.Refcnt))
	p.Int("bind", " bind %d", int64(g.Bindcnt))
	if s.o.stats {
		s.printTm(act.Tm)
	}
	p.NL()
}
