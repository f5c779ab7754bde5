"""tshark_oracle.py: what tshark says is in a capture of flow datagrams.

Reads tshark's JSON decode (`tshark -T json --no-duplicate-keys`) of a
capture of NetFlow v1/v5/v7/v8/v9, IPFIX or sFlow v5 datagrams and turns it into
one dict per flow record, with goflow2plus's field names and units, so a
comparator can put it beside what our decoder produced.  Shared by
test/conformance/compare_tshark.py and test/e2e/compare_db_tshark.py.

Only facts tshark itself shows are used; where our record needs context
tshark does not print (an IPFIX relative time without systemInitTime, a
sampling rate that only options data gives), the field is left out and so
not compared.  Each such rule is written down where it is applied.
"""

import calendar
import gzip
import json
import os
import re
import subprocess
import time

# tshark's JSON with --no-duplicate-keys turns a repeated key into a list.


def first(v):
    """The first value of a field that may be repeated."""
    if isinstance(v, list):
        return first(v[0]) if v else None
    return v


def last(v):
    if isinstance(v, list):
        return last(v[-1]) if v else None
    return v


def as_int(v):
    v = first(v)
    if v is None:
        return None
    v = str(v)
    return int(v, 16) if v.startswith("0x") else int(float(v)) if "." in v else int(v)


_MONTHS = {m: i + 1 for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"])}


def abs_time_ns(s):
    """'Oct 21, 2022 11:07:58.660000000 UTC' -> ns since the epoch."""
    m = re.match(r"(\w{3})\s+(\d+), (\d{4}) (\d+):(\d+):(\d+)(?:\.(\d+))? UTC", s)
    if not m:
        return None
    mon, day, year, hh, mm, ss, frac = m.groups()
    secs = calendar.timegm((int(year), _MONTHS[mon], int(day), int(hh), int(mm), int(ss), 0, 0, 0))
    frac = (frac or "0").ljust(9, "0")[:9]
    return secs * 1000000000 + int(frac)


def load_tshark_json(pcap, extra_args=None, tshark_json=None):
    """The decode beside the pcap (X.tshark.json.gz), or run tshark with
    the arguments in X.tshark-args.txt (or extra_args)."""
    base = pcap[:-5] if pcap.endswith(".pcap") else pcap
    if tshark_json is None and os.path.exists(base + ".tshark.json.gz"):
        tshark_json = base + ".tshark.json.gz"
    if tshark_json:
        opener = gzip.open if tshark_json.endswith(".gz") else open
        with opener(tshark_json, "rt") as fh:
            return json.load(fh)
    args = extra_args
    if args is None:
        args = []
        if os.path.exists(base + ".tshark-args.txt"):
            with open(base + ".tshark-args.txt") as fh:
                args = fh.read().split()
    out = subprocess.run(["tshark", "-n", "-r", pcap, "-T", "json", "--no-duplicate-keys"] + args,
                         check=True, capture_output=True).stdout
    return json.loads(out or b"[]")


def _leaves(d):
    """All leaf key/values of a nested dict, depth first, in order."""
    for k, v in d.items():
        if isinstance(v, dict):
            yield from _leaves(v)
        else:
            yield k, v


def _flat(d):
    """Nested dict -> flat dict of leaves (first occurrence wins)."""
    out = {}
    for k, v in _leaves(d):
        out.setdefault(k, v)
    return out


_SET_RE = re.compile(r"^(?:Flow)?Set \d+ \[id=(\d+)\]")

# Template field types that give a record length tshark does not print
# directly: 65535 is the IPFIX variable-length marker.
VARLEN = 65535


class CflowState:
    """Template kinds and options data seen so far, per exporter, so that a
    data set can be told apart from an options data set, and a sampling
    rate announced in options data can be expected on later records."""

    def __init__(self):
        self.templates = {}   # (exporter, domain, id) -> ("data"|"options", [lengths], [names], port)
        self.sampling = {}    # (exporter, domain, sampler id) -> rate
        self.pending = []     # sets tshark could not decode: dicts
        self.count_truncated = {}  # frame -> bytes after the sets tshark showed
        self.sys_init = {}    # (exporter, domain) -> systemInitTime ns, from options data


def _template_defs(setdict):
    """(id, kind, lengths) for each template in a template set."""
    for k, v in setdict.items():
        if not isinstance(v, dict):
            continue
        kind = None
        if k.startswith("Template (Id = "):
            kind = "data"
        elif k.startswith("Options Template (Id = "):
            kind = "options"
        if kind is None:
            continue
        tid = as_int(v.get("cflow.template_id"))
        lengths = []
        names = []
        for fk, fv in v.items():
            if fk.startswith("Field (") and isinstance(fv, dict):
                lengths.append(as_int(fv.get("cflow.template_field_length")))
                names.append(fk)
        yield tid, kind, lengths, names


def _pick_addr(fl, v4key, v6key, pick):
    """A template may carry both IPv4 and IPv6 address fields.  The
    record's address is the one of its IP version (IE 60, cflow.ip_version)
    when given; else, when one family's value is all zeros and the other's
    is not (akvorado's physicalinterfaces capture fills the unused family
    with zeros), the non-zero one; else the family whose field comes last
    in the record (the inner packet of an SRv6 template: see pick)."""
    cands = []
    for k in fl:
        if k in (v4key, v6key):
            cands.append((k, pick(fl[k])))
    if not cands:
        return None
    ver = as_int(fl.get("cflow.ip_version"))
    if ver in (4, 6):
        fam = [c for c in cands if (c[0] == v4key) == (ver == 4)]
        if fam:
            return fam[-1][1]
    nonzero = [c for c in cands if c[1] not in ("0.0.0.0", "::")]
    if nonzero:
        cands = nonzero
    return cands[-1][1]


def _rate_of(fl):
    """The sampling rate (1 in N) that a record says, from the elements
    that define it: NetFlow v9 samplingInterval (34) or
    samplerRandomInterval (50); IPFIX (RFC 5477) random n-out-of-N
    samplingPopulation/samplingSize (310/309); count-based
    (samplingPacketInterval + samplingPacketSpace) / samplingPacketInterval
    (305, 306).  samplingPacketInterval alone does not give a rate, nor
    does a zero divisor: None then, and nothing is compared."""
    for key in ("cflow.sampling_interval", "cflow.sampler_random_interval"):
        if key in fl:
            return as_int(fl[key])
    pop = as_int(fl.get("cflow.sampling_population"))
    size = as_int(fl.get("cflow.sampling_size"))
    if pop is not None and size:
        return pop // size
    interval = as_int(fl.get("cflow.sampling_packet_interval"))
    space = as_int(fl.get("cflow.sampling_packet_space"))
    if interval and space is not None:
        return (interval + space) // interval
    return None


def _sampler_id(fl):
    for key in ("cflow.sampler_id", "cflow.selector_id"):
        if key in fl:
            return as_int(fl[key])
    return 0


SKEW_TOLERANCE_NS = 1000000000

# NetFlow versions with a fixed record layout and a nanosecond export time.
FIXED_RECORD_VERSIONS = (1, 5, 7, 8)


def v8_as_cisco(scheme, fl):
    """tshark 4.0's decode of a v8 record, corrected where it departs from
    Cisco's v8 format (which flow-tools' ftpdu_v8_* structures, written
    against real router exports, follow too):
      * prefix schemes 5, 13 and 14 send dst_mask before src_mask; tshark
        labels the first byte srcmask: the two are swapped back;
      * AS-ToS (9) sends src_as, dst_as, input, output, tos, pad,
        reserved; tshark reads the last 8 bytes as tos, pad, reserved,
        input, output: those 8 bytes are rebuilt from tshark's values and
        read in Cisco's order.
    Everything else is taken as tshark shows it."""
    fl = dict(fl)
    if scheme in (5, 13, 14) and "cflow.srcmask" in fl and "cflow.dstmask" in fl:
        fl["cflow.srcmask"], fl["cflow.dstmask"] = fl["cflow.dstmask"], fl["cflow.srcmask"]
    if scheme == 9 and all(k in fl for k in ("cflow.tos", "cflow.padding", "cflow.reserved",
                                            "cflow.inputint", "cflow.outputint")):
        raw = bytes([as_int(fl["cflow.tos"]) & 0xff, int(str(first(fl["cflow.padding"])), 16)])
        raw += bytes.fromhex(str(first(fl["cflow.reserved"])).replace(":", ""))
        raw += as_int(fl["cflow.inputint"]).to_bytes(2, "big")
        raw += as_int(fl["cflow.outputint"]).to_bytes(2, "big")
        fl["cflow.inputint"] = str(int.from_bytes(raw[0:2], "big"))
        fl["cflow.outputint"] = str(int.from_bytes(raw[2:4], "big"))
        fl["cflow.tos"] = "0x%02x" % raw[4]
    return fl


def _signed32(v):
    """v modulo 2^32 as a two's complement 32-bit number."""
    v %= 1 << 32
    return v - (1 << 32) if v >= 1 << 31 else v


def cflow_records(frame, exporter, cf, state, port=None):
    """Flow records of one NetFlow/IPFIX packet as dicts of our fields."""
    recs = []
    version = as_int(cf.get("cflow.version"))
    ts = cf.get("cflow.timestamp_tree", {})
    unix_secs = as_int(ts.get("cflow.unix_secs"))
    unix_nsecs = as_int(ts.get("cflow.unix_nsecs")) or 0
    sysuptime = cf.get("cflow.sysuptime")
    sysuptime_ms = round(float(first(sysuptime)) * 1000) if sysuptime is not None else None
    domain = as_int(cf.get("cflow.source_id", cf.get("cflow.od_id"))) or 0
    typ = {1: "NETFLOW_V1", 5: "NETFLOW_V5", 7: "NETFLOW_V7", 8: "NETFLOW_V8",
           9: "NETFLOW_V9", 10: "IPFIX"}.get(version, "FLOWUNKNOWN")
    fixed = version in FIXED_RECORD_VERSIONS

    # The export time (v1/v5/v7/v8 with nanoseconds), for the clock-skew
    # rule and IPFIX's uptime offsets.
    if version == 10:
        export_ns = (as_int(ts.get("cflow.exporttime")) or 0) * 1000000000
    else:
        export_ns = (unix_secs or 0) * 1000000000 + (unix_nsecs if fixed else 0)

    def base_ns():
        # v1/v5/v7/v8 and v9 relative times count back from the header's
        # sysUptime, taken at unix_secs(.nsecs), as GoFlow2 computes them.
        # IPFIX has no sysUptime in its header: its relative times need
        # systemInitTime from options data, which tshark does not apply,
        # so they are not compared.
        if fixed:
            return unix_secs * 1000000000 + unix_nsecs
        if version == 9:
            return unix_secs * 1000000000
        return None

    def record(fl, set_id, pick=first):
        r = {"_frame": frame, "_set": set_id, "type": typ, "sampler_address": exporter}
        src = _pick_addr(fl, "cflow.srcaddr", "cflow.srcaddrv6", pick)
        dst = _pick_addr(fl, "cflow.dstaddr", "cflow.dstaddrv6", pick)
        if src is not None:
            r["src_addr"] = src
        if dst is not None:
            r["dst_addr"] = dst
        # RFC 5103 biflows (ipfixprobe) repeat octets/packets as reverse
        # elements (PEN 29305); tshark lists the forward one first, and the
        # forward one is what a flow record carries.
        for ours, theirs in (("src_port", "cflow.srcport"), ("dst_port", "cflow.dstport"),
                             ("proto", "cflow.protocol"), ("bytes", "cflow.octets"),
                             ("packets", "cflow.packets"), ("in_if", "cflow.inputint"),
                             ("out_if", "cflow.outputint"),
                             # IE 58 sourceVlanId and IE 59 postVlanId, which
                             # GoFlow2 calls SrcVlan and DstVlan.
                             ("src_vlan", "cflow.vlanid"), ("dst_vlan", "cflow.post_vlanid")):
            if theirs in fl:
                r[ours] = as_int(pick(fl[theirs]))
        # More of what tshark shows, where its field and ours mean the same.
        for ours, theirs in (("tcp_flags", "cflow.tcpflags"), ("ip_tos", "cflow.tos"),
                             ("src_as", "cflow.srcas"), ("dst_as", "cflow.dstas"),
                             ("fw_event", "cflow.firewall_event")):
            if theirs in fl and ours not in r:
                r[ours] = as_int(pick(fl[theirs]))
        nh = _pick_addr(fl, "cflow.nexthop", "cflow.nexthopv6", pick)
        if nh is not None:
            r["next_hop"] = nh
        bnh = _pick_addr(fl, "cflow.bgpnexthop", "cflow.bgpnexthopv6", pick)
        if bnh is not None:
            r["bgp_next_hop"] = bnh
        # octetTotalCount/packetTotalCount (IE 85/86, tshark's
        # "permanent" counters) stand in when the deltas are absent, as
        # goflow2plus's NetFlow decoder says it does (telegraf's IPFIX).
        if "bytes" not in r and "cflow.permanent_octets" in fl:
            r["bytes"] = as_int(pick(fl["cflow.permanent_octets"]))
        if "packets" not in r and "cflow.permanent_packets" in fl:
            r["packets"] = as_int(pick(fl["cflow.permanent_packets"]))
        # A sampled frame (dataLinkFrameSection, IE 315): goflow2plus parses
        # it and fills what the record lacks, one packet of
        # dataLinkFrameSize bytes (README, "Protocols"); tshark decodes the
        # same frame in its section tree, which is the oracle here.
        if "cflow.data_link_frame_section" in fl:
            if "bytes" not in r and "cflow.data_link_frame_size" in fl:
                r["bytes"] = as_int(pick(fl["cflow.data_link_frame_size"]))
            if "packets" not in r:
                r["packets"] = 1
            # The flow's fields are flattened (_flat): the frame's decode
            # is there as ip.src, ipv6.src, udp.srcport, ...  The outer
            # network layer is the one the parser reports (eth.type / the
            # VLAN's etype say which); its protocol is the last IPv6 next
            # header; ports only when TCP or UDP follows it (a tunnelled
            # packet's inner ports are not the flow's).
            etype = as_int(first(fl.get("vlan.etype", fl.get("eth.type"))))
            fam = "ipv6" if etype == 0x86DD else "ip" if etype == 0x0800 else None
            if fam is not None and fam + ".src" in fl:
                r.setdefault("src_addr", first(fl[fam + ".src"]))
                r.setdefault("dst_addr", first(fl[fam + ".dst"]))
                nxt = None
                if fam == "ip":
                    nxt = as_int(first(fl.get("ip.proto")))
                else:
                    for k in ("ipv6.nxt", "ipv6.hopopts.nxt", "ipv6.routing.nxt",
                              "ipv6.fraghdr.nxt", "ipv6.dstopts.nxt"):
                        if k in fl:
                            nxt = as_int(first(fl[k]))
                if nxt is not None:
                    r.setdefault("proto", nxt)
                    l4 = {6: "tcp", 17: "udp"}.get(nxt)
                    if l4 and l4 + ".srcport" in fl:
                        r.setdefault("src_port", as_int(first(fl[l4 + ".srcport"])))
                        r.setdefault("dst_port", as_int(first(fl[l4 + ".dstport"])))
        # Bidirectional records (Cisco ASA NSEL) count each direction
        # apart: goflow2plus's bytes/packets are their sum when nothing
        # else counts the record (README, "Cisco ASA NSEL").
        for ours, fwd, rev in (("bytes", "cflow.initiator_octets", "cflow.responder_octets"),
                               ("packets", "cflow.initiator_packets", "cflow.responder_packets")):
            if ours not in r and (fwd in fl or rev in fl):
                r[ours] = (as_int(pick(fl.get(fwd))) or 0) + (as_int(pick(fl.get(rev))) or 0)
        # A v9 FIRST/LAST_SWITCHED sent in 8 bytes (Cisco NX-OS: a 32-bit
        # uptime behind 4 zero bytes) is shown by tshark as an absolute
        # time near 1970: no oracle for those times, so none is compared.
        if version == 9 and set_id is not None:
            tm = state.templates.get((exporter, domain, set_id))
            if tm and any(("FIRST_SWITCHED" in n or "LAST_SWITCHED" in n) and ln == 8
                          for ln, n in zip(tm[1], tm[2])):
                fl = {k: v for k, v in fl.items()
                      if k not in ("cflow.abstimestart", "cflow.abstimeend",
                                   "cflow.timestart", "cflow.timeend")}
                r["_no_times"] = True
        if fixed and version != 1:
            for ours, theirs in (("src_net_len", "cflow.srcmask"), ("dst_net_len", "cflow.dstmask")):
                if theirs in fl:
                    r[ours] = as_int(pick(fl[theirs]))
        if version == 8:
            # Aggregation prefixes: the address column holds the prefix.
            for ours, theirs in (("src_addr", "cflow.srcnet"), ("dst_addr", "cflow.dstnet")):
                if theirs in fl and ours not in r:
                    r[ours] = pick(fl[theirs])
        for ours, theirs, rel in (("time_flow_start_ns", "cflow.abstimestart", "cflow.timestart"),
                                  ("time_flow_end_ns", "cflow.abstimeend", "cflow.timeend")):
            if theirs in fl:
                t = abs_time_ns(first(fl[theirs]))
                if t == 0 and rel not in fl:
                    # tshark shows an uptime offset (21/22) of exactly 0
                    # as the absolute time "Jan 1, 1970" (softflowd -a
                    # gives the first flow offset 0): read it as offset 0.
                    fl = dict(fl)
                    fl[rel] = "0"
                else:
                    r[ours] = t
        # IPFIX times relative to systemInitTimeMilliseconds (IE 160), from
        # the record itself or from options data seen earlier.
        init = None
        if "cflow.sys_init_time" in fl:
            init = abs_time_ns(first(fl["cflow.sys_init_time"]))
        elif (exporter, domain) in state.sys_init:
            init = state.sys_init[(exporter, domain)]
        # The offsets are 32-bit uptime readings: they are placed relative
        # to the uptime at export, (export - init) mod 2^32, as a signed
        # difference (softflowd -r without -a sends offsets "before"
        # init; a device up for more than 2^32 ms wraps).
        if version == 10 and init is not None:
            up_at_export_ms = export_ns // 1000000 - init // 1000000
            for ours, theirs in (("time_flow_start_ns", "cflow.timestart"),
                                 ("time_flow_end_ns", "cflow.timeend")):
                if theirs in fl and ours not in r:
                    off_ms = round(float(pick(fl[theirs])) * 1000)
                    r[ours] = export_ns - _signed32(up_at_export_ms - off_ms) * 1000000
        b = base_ns()
        if b is not None and sysuptime_ms is not None:
            for ours, theirs in (("time_flow_start_ns", "cflow.timestart"),
                                 ("time_flow_end_ns", "cflow.timeend")):
                if theirs in fl and ours not in r:
                    up_ms = round(float(first(fl[theirs])) * 1000)
                    # sysUptime and the switched times are 32-bit
                    # millisecond counters (RFC 3954): the distance back
                    # from the header is their difference read as a signed
                    # 32-bit number, so a counter that wrapped between the
                    # two (softflowd reading an old pcap does this) still
                    # gives a time in the past, and a FIRST after sysUptime
                    # a time after the export.  tshark subtracts the
                    # printed values as they are.
                    r[ours] = max(0, b - _signed32(sysuptime_ms - up_ms) * 1000000)
        # goflow2plus's clock-skew rule (README, "Flow times"), applied so
        # that rows and tshark can be compared: more than 1 s after the
        # export time is clamped to it.  The e2e check against the
        # traffic's own packet times (compare_db_tshark.py --truth) does
        # not rely on it.
        if export_ns:
            for ours in ("time_flow_start_ns", "time_flow_end_ns"):
                if r.get(ours) is not None and r[ours] > export_ns + SKEW_TOLERANCE_NS:
                    r[ours] = export_ns
        return r

    if fixed:
        # The v5 header's sampling field: 2 bits mode, 14 bits interval.
        # tshark prints the interval as cflow.samplerate.  v1, v7 and v8
        # have none.
        rate = as_int(cf.get("cflow.samplerate")) if version == 5 else None
        scheme = as_int(cf.get("cflow.aggmethod")) if version == 8 else None
        for k, v in cf.items():
            if k.startswith("pdu ") and isinstance(v, dict):
                fl = _flat(v)
                if version == 8:
                    fl = v8_as_cisco(scheme, fl)
                r = record(fl, None, first)
                if version == 5:
                    r["sampling_rate"] = rate
                recs.append(r)
        return recs

    for k, v in cf.items():
        m = _SET_RE.match(k)
        if not m or not isinstance(v, dict):
            continue
        set_id = int(m.group(1))
        if set_id in (0, 1, 2, 3):
            for tid, kind, lengths, names in _template_defs(v):
                state.templates[(exporter, domain, tid)] = (kind, lengths, names, port)
                # A template that arrives after data tshark could not
                # decode may let our decoder decode that data now.
                for p in state.pending:
                    if (p["exporter"], p["domain"], p["set_id"]) == (exporter, domain, tid) and p.get("resolved_frame") is None:
                        p["resolved_frame"] = frame
                        p["lengths"] = lengths
                        p["kind"] = kind
            continue
        flows = [(fk, fv) for fk, fv in v.items() if fk.startswith("Flow ") and isinstance(fv, dict)]
        if not flows:
            for fk, fv in v.items():
                if "no template found" in fk:
                    nbytes = as_int(re.search(r"\((\d+) bytes\)", fk).group(1))
                    known = state.templates.get((exporter, domain, set_id))
                    if known is not None and known[3] != port:
                        # tshark scopes templates by the UDP conversation,
                        # source port included; goflow2plus (as GoFlow2)
                        # by exporter address and observation domain.  An
                        # exporter that changed its source port (pmacct
                        # test 112) keeps its templates for us, not for
                        # tshark: the data is decodable here and now.
                        state.pending.append({"frame": frame, "exporter": exporter, "domain": domain,
                                              "set_id": set_id, "bytes": nbytes,
                                              "resolved_frame": frame, "kind": known[0],
                                              "lengths": known[1], "why": "port"})
                    else:
                        state.pending.append({"frame": frame, "exporter": exporter, "domain": domain,
                                              "set_id": set_id, "bytes": nbytes,
                                              "resolved_frame": None})
            continue
        tmpl = state.templates.get((exporter, domain, set_id), ("data", None, [], None))
        kind = tmpl[0]
        # Biflow templates (RFC 5103, PEN 29305 reverse elements): tshark
        # gives the reverse value under the same key, after the forward
        # one; the flow record carries the forward one.  Otherwise a field
        # repeated in a template (Cisco/Huawei SRv6 templates list the
        # outer IPv6 and the inner IPv4 5-tuple) takes its LAST value, as
        # GoFlow2 does and as goflow2plus reports the inner packet.
        pick = first if any("[Reverse]" in n for n in tmpl[2]) else last
        for fk, fv in flows:
            fl = _flat(fv)
            if kind == "options":
                if "cflow.sys_init_time" in fl:
                    state.sys_init[(exporter, domain)] = abs_time_ns(first(fl["cflow.sys_init_time"]))
                rate = _rate_of(fl)
                if rate is not None:
                    state.sampling[(exporter, domain, _sampler_id(fl))] = rate
                continue
            r = record(fl, set_id, pick)
            rate = _rate_of(fl)
            if rate is not None:
                r["sampling_rate"] = rate
            else:
                sid = _sampler_id(fl)
                if (exporter, domain, sid) in state.sampling:
                    # Options data gave this exporter's sampler a rate:
                    # GoFlow2 applies it to later data records.
                    r["sampling_rate"] = state.sampling[(exporter, domain, sid)]
                    r["_sampling_from_options"] = True
            recs.append(r)
    return recs


def _hdr_fields(tree, r):
    """Fields of a sampled packet header, from tshark's dissection of it.
    In a tunnel (VXLAN, GRE) tshark lists the layers in order and the
    repeated keys become lists; goflow2plus reports the INNER packet
    (src/core/include/packet.h), so the last ip/ipv6/tcp/udp layer is taken, but
    the first (outermost) VLAN tag, the one seen at the sampling port."""
    ip = last(tree.get("ip")) if "ip" in tree else None
    ip6 = last(tree.get("ipv6")) if "ipv6" in tree else None
    if isinstance(tree.get("ip"), list) or isinstance(tree.get("ipv6"), list):
        r["_tunnel"] = True
    # The innermost of IPv4/IPv6 when both appear (6in4 and the like) is
    # not knowable from the JSON order alone: such samples are marked.
    if ip is not None and ip6 is not None:
        r["_tunnel"] = True
    l3 = ip6 if ip6 is not None else ip
    if l3 is not None and ip6 is None:
        r["src_addr"] = ip.get("ip.src")
        r["dst_addr"] = ip.get("ip.dst")
        r["proto"] = as_int(ip.get("ip.proto"))
        r["etype"] = 0x0800
        r["ip_ttl"] = as_int(ip.get("ip.ttl"))
        r["ip_tos"] = as_int(ip.get("ip.dsfield"))
    elif ip6 is not None:
        r["src_addr"] = ip6.get("ipv6.src")
        r["dst_addr"] = ip6.get("ipv6.dst")
        r["etype"] = 0x86dd
        r["ip_ttl"] = as_int(ip6.get("ipv6.hlim"))
        r["ip_tos"] = as_int(ip6.get("ipv6.tclass"))
        fl6 = ip6.get("ipv6.flow")
        if fl6 is not None:
            r["ipv6_flow_label"] = as_int(fl6)
    for l4 in ("tcp", "udp"):
        if l4 in tree:
            t = last(tree[l4])
            r["src_port"] = as_int(t.get(l4 + ".srcport"))
            r["dst_port"] = as_int(t.get(l4 + ".dstport"))
    if r.get("dst_port") == 4789 and "vxlan" not in tree:
        # tshark stops at the outer UDP of a VXLAN packet inside an sFlow
        # header (it does not dissect 4789 there); goflow2plus reports the
        # inner packet (src/core/include/packet.h).  The packet fields are then not
        # comparable; the comparator skips them when ours has vxlan_vni.
        r["_vxlan_undissected"] = True
    if ip6 is not None:
        # ipv6.nxt names the first extension header, not the upper layer:
        # take the upper layer from the dissected protocol instead.
        if "tcp" in tree:
            r["proto"] = 6
        elif "udp" in tree:
            r["proto"] = 17
        elif "icmpv6" in tree:
            r["proto"] = 58
        else:
            r["proto"] = as_int(ip6.get("ipv6.nxt"))
    if "vlan" in tree:
        r["vlan_id"] = as_int(first(tree["vlan"]).get("vlan.id"))
    if "eth" in tree:
        e = first(tree["eth"]) if not r.get("_tunnel") else last(tree["eth"])
        r["src_mac"] = e.get("eth.src")
        r["dst_mac"] = e.get("eth.dst")


def sflow_records(frame, sf):
    recs = []
    agent = sf.get("sflow_245.agent", sf.get("sflow_245.agentv6"))
    for k, v in sf.items():
        if not isinstance(v, dict):
            continue
        if not (k.startswith("Flow sample") or k.startswith("Expanded flow sample")):
            continue
        r = {"_frame": frame, "type": "SFLOW_5", "sampler_address": agent, "packets": 1}
        r["sampling_rate"] = as_int(v.get("sflow.flow_sample.sampling_rate"))
        if k.startswith("Expanded"):
            r["in_if"] = as_int(v.get("sflow.flow_sample.input_interface_value"))
            r["out_if"] = as_int(v.get("sflow.flow_sample.output_interface_value"))
        else:
            # Compact flow sample: 2 format bits over a 30-bit value.
            iv = as_int(v.get("sflow.flow_sample.input_interface"))
            if iv is not None:
                r["in_if"] = iv & 0x3fffffff
            ot = v.get("sflow.flow_sample.output_interface_tree", {})
            if "sflow.flow_sample.output_interface_value" in ot:
                r["out_if"] = as_int(ot["sflow.flow_sample.output_interface_value"])
        for rk, rv in v.items():
            if not isinstance(rv, dict):
                continue
            if rk == "Raw packet header":
                r["bytes"] = as_int(rv.get("sflow_245.header.frame_length"))
                tree = rv.get("sflow_245.header_tree")
                if isinstance(tree, dict):
                    _hdr_fields(tree, r)
            elif rk == "Extended router data":
                r["next_hop"] = rv.get("sflow_245.nexthop")
            elif rk == "Extended switch data":
                r["src_vlan"] = as_int(rv.get("sflow_245.vlan.in"))
                r["dst_vlan"] = as_int(rv.get("sflow_245.vlan.out"))
            elif rk in ("IPv4 data", "IPv6 data") and "src_addr" not in r:
                r["src_addr"] = rv.get("sflow_245.ipv4_src", rv.get("sflow_245.ipv6_src"))
                r["dst_addr"] = rv.get("sflow_245.ipv4_dst", rv.get("sflow_245.ipv6_dst"))
                r["proto"] = as_int(rv.get("sflow.ip_protocol"))
                r["src_port"] = as_int(rv.get("sflow_245.ip.source_port"))
                r["dst_port"] = as_int(rv.get("sflow.ip.destination_port"))
                if "bytes" not in r:
                    r["bytes"] = as_int(rv.get("sflow_245.ip.length"))
        recs.append(r)
    return recs


def _bytes_not_shown(layers, cfs):
    """Bytes of a NetFlow v9 datagram after the last flowset tshark shows.
    tshark stops at the header's record count; softflowd 1.1.0 writes a
    count smaller than what it sends (it leaves out some data records), so
    tshark shows only part of the datagram, while a collector that reads
    flowsets to the end of the datagram (GoFlow2, goflow2plus) gets them
    all.  Comparators use this to know where tshark is no oracle."""
    if "udp" not in layers or len(cfs) != 1:
        return 0
    cf = cfs[0]
    if as_int(cf.get("cflow.version")) != 9:
        return 0
    total = as_int(first(layers["udp"]).get("udp.length")) - 8
    shown = 20
    for k, v in cf.items():
        if _SET_RE.match(k) and isinstance(v, dict):
            shown += as_int(v.get("cflow.flowset_length")) or 0
    return total - shown if total - shown >= 4 else 0


def packet_exporter(layers):
    if "ip" in layers:
        return first(layers["ip"]).get("ip.src")
    if "ipv6" in layers:
        return first(layers["ipv6"]).get("ipv6.src")
    return None


def decode(packets):
    """All flow records tshark shows, plus per-frame facts.

    Returns (records, frames, state): records in capture order; frames maps
    frame number -> {"exporter", "kind": "cflow"|"sflow", "malformed": bool}.
    """
    state = CflowState()
    records = []
    frames = {}
    for p in packets:
        layers = p["_source"]["layers"]
        frame = as_int(layers["frame"]["frame.number"])
        exporter = packet_exporter(layers)
        if "cflow" in layers:
            cfs = layers["cflow"] if isinstance(layers["cflow"], list) else [layers["cflow"]]
            frames[frame] = {"exporter": exporter, "kind": "cflow",
                             "malformed": "_ws.malformed" in layers}
            left = _bytes_not_shown(layers, cfs)
            if left:
                state.count_truncated[frame] = left
            port = as_int(first(layers["udp"]).get("udp.srcport")) if "udp" in layers else None
            for cf in cfs:
                records.extend(cflow_records(frame, exporter, cf, state, port))
        elif "sflow" in layers:
            sfs = layers["sflow"] if isinstance(layers["sflow"], list) else [layers["sflow"]]
            frames[frame] = {"exporter": exporter, "kind": "sflow",
                             "malformed": "_ws.malformed" in layers}
            for sf in sfs:
                records.extend(sflow_records(frame, sf))
    return records, frames, state


def pending_allowance(state):
    """frame -> how many records our decoder may add there beyond tshark's,
    because data tshark flagged 'no template found' earlier got its template
    in that frame.  goflow2plus keeps such data pending and decodes it when
    the template comes (tshark never goes back).  The count is the most
    records the pending bytes can hold: floor(bytes / record length) for a
    fixed-length template; for a variable-length one, bytes / 1."""
    allow = {}
    for p in state.pending:
        f = p.get("resolved_frame")
        if f is None or p.get("kind") != "data":
            continue
        if p["frame"] > f:
            continue  # cannot happen: resolved at or after the frame
        lengths = p.get("lengths") or []
        if lengths and all(x is not None and x != VARLEN for x in lengths):
            reclen = sum(lengths)
        else:
            reclen = 1
        if reclen > 0:
            allow[f] = allow.get(f, 0) + p["bytes"] // reclen
    return allow


_ETYPES = {"IPv4": 0x0800, "IPv6": 0x86dd, "ARP": 0x0806}
_PROTOS = {"ICMP": 1, "TCP": 6, "UDP": 17, "ICMPv6": 58, "SCTP": 132}


def normalize_ours(rec):
    """A goflow2plus JSON record with names turned back into numbers."""
    r = dict(rec)
    # Prefix lengths: the JSON's "src_net": "198.51.100.0/24" (the table
    # rows give masklen() directly).
    for net, ln in (("src_net", "src_net_len"), ("dst_net", "dst_net_len")):
        if isinstance(r.get(net), str) and "/" in r[net] and ln not in r:
            r[ln] = int(r[net].rsplit("/", 1)[1])
    if isinstance(r.get("etype"), str):
        r["etype"] = _ETYPES.get(r["etype"], r["etype"])
    if isinstance(r.get("proto"), str):
        r["proto"] = _PROTOS.get(r["proto"], r["proto"])
    return r


def now():
    return time.time()
