#!/usr/bin/python3
"""compare_db_tshark.py: rows that goflow2plus wrote to goflow2plus.flows
against tshark's decode of the datagrams that reached it.

Input: the pcap of the datagrams (captured on lo during an exporter run,
or a shared capture that was replayed), tshark's decode of it (run here
with --tshark-arg, or a stored X.tshark.json.gz), and the rows, dumped by
the caller as JSON lines with the query in ROWS_SQL below (psql -At).

Checks: number of records, sums of bytes and packets, and per record
(matched on the flow key) src/dst address, ports, protocol, bytes,
packets, in/out interface, start/end time (to the microsecond, the
resolution of timestamptz), sampling rate, and for sFlow agent, VLANs,
MACs.  The allowances are the ones of test/conformance/compare_tshark.py
(imported from there), plus those a database adds, written below.

With --truth (gen_traffic_pcap.py's file), the rows are also checked
against the traffic as built; --times adds flow start/end against the
packets' own times (see time_check).

Usage: compare_db_tshark.py --pcap X.pcap --rows rows.jsonl --label NAME
         [--tshark-json X.tshark.json.gz | --tshark-arg=-d --tshark-arg=udp.port==N,cflow ...]
         [--map map.json] [--type NETFLOW_V9] [--max-problems 20]
         [--truth traffic.json [--times] [--time-tolerance-ms 1100]]
--map gives {original exporter: loopback source} when the datagrams were
replayed (replay_udp.py), so the expected sampler_address of NetFlow/IPFIX
records is the loopback source; sFlow's agent comes from the payload.
Prints disagreements and 'RESULT ok|FAIL label ...'; exit 1 on failure.
"""

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "conformance"))
import tshark_oracle as tso  # noqa: E402
from compare_tshark import KEY, norm_val, field_allowed  # noqa: E402

# The caller dumps rows with this query (one JSON object per line).
ROWS_SQL = """SELECT json_build_object(
 'type', type, 'sampler_address', host(sampler_address),
 'src_addr', host(src_addr), 'dst_addr', host(dst_addr),
 'src_port', src_port, 'dst_port', dst_port, 'proto', proto, 'etype', etype,
 'bytes', bytes, 'packets', packets, 'in_if', in_if, 'out_if', out_if,
 'sampling_rate', sampling_rate,
 'time_flow_start_us', (extract(epoch FROM time_flow_start) * 1000000)::bigint,
 'time_flow_end_us', (extract(epoch FROM time_flow_end) * 1000000)::bigint,
 'time_received_us', (extract(epoch FROM time_received) * 1000000)::bigint,
 'src_vlan', src_vlan, 'dst_vlan', dst_vlan, 'vlan_id', vlan_id,
 'src_mac', src_mac::text, 'dst_mac', dst_mac::text, 'vxlan_vni', vxlan_vni,
 'tcp_flags', tcp_flags, 'ip_tos', ip_tos, 'ip_ttl', ip_ttl, 'ipv6_flow_label', ipv6_flow_label,
 'src_as', src_as, 'dst_as', dst_as, 'next_hop', host(next_hop), 'bgp_next_hop', host(bgp_next_hop),
 'src_net_len', masklen(src_net), 'dst_net_len', masklen(dst_net), 'fw_event', fw_event)
 FROM goflow2plus.flows"""


def load_rows(path):
    rows = []
    with open(path) as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            r = json.loads(line)
            # A column that is NULL is a field that is absent.
            r = {k: v for k, v in r.items() if v is not None}
            rows.append(r)
    return rows


def expected_from_tshark(theirs, mapping):
    """tshark's records in the units the table stores.  timestamptz keeps
    microseconds: a time in ns is compared as ns // 1000."""
    out = []
    for t in theirs:
        e = dict(t)
        for ns_key, us_key in (("time_flow_start_ns", "time_flow_start_us"),
                               ("time_flow_end_ns", "time_flow_end_us")):
            if ns_key in e:
                v = e.pop(ns_key)
                if v is not None:
                    e[us_key] = v // 1000
        if mapping and e.get("type") != "SFLOW_5" and e.get("sampler_address") in mapping:
            e["sampler_address"] = mapping[e["sampler_address"]]
        out.append(e)
    return out


_PROTO_NUM = {"tcp": 6, "udp": 17, "icmp": 1, "icmp6": 58}


def truth_check(label, truth, O, typ, problems):
    """The rows against the traffic as it was built (gen_traffic_pcap.py's
    truth file): an oracle that owes nothing to tshark or the exporter.
    NetFlow/IPFIX: per flow key, the rows' bytes (IP bytes) and packets add
    up to what was built (an exporter may split a flow over records); no
    row has a key that was not built.  NetFlow v1/v5/v7 carry IPv4 only.
    sFlow: each row is one sampled packet of a built flow, at most as many
    rows as the flow has packets.  ICMP flows are keyed without ports
    (exporters put type/code there, each in its own way)."""
    def key(src, dst, proto, sport, dport):
        src = norm_val("src_addr", src)
        dst = norm_val("dst_addr", dst)
        if proto in (1, 58):
            return (src, dst, proto)
        return (src, dst, proto, sport, dport)
    want = {}
    for f in truth:
        if typ in ("NETFLOW_V1", "NETFLOW_V5", "NETFLOW_V7") and f["family"] != 4:
            continue
        want[key(f["src"], f["dst"], _PROTO_NUM[f["proto"]], f["sport"], f["dport"])] = f
    got = {}
    for o in O:
        k = key(o.get("src_addr"), o.get("dst_addr"), o.get("proto"), o.get("src_port"), o.get("dst_port"))
        g = got.setdefault(k, {"rows": 0, "bytes": 0, "packets": 0})
        g["rows"] += 1
        g["bytes"] += o.get("bytes") or 0
        g["packets"] += o.get("packets") or 0
    bad = 0
    for k, g in got.items():
        if k not in want:
            problems.append("%s truth: rows for a flow that was never built: %s" % (label, k))
            bad += 1
    for k, f in want.items():
        g = got.get(k)
        if g is None:
            problems.append("%s truth: no row for built flow %s" % (label, f["name"]))
            bad += 1
        elif typ == "SFLOW_5":
            if g["rows"] > f["packets"] or g["packets"] != g["rows"]:
                problems.append("%s truth: flow %s has %d sample rows (%d packets), built with %d packets" % (
                    label, f["name"], g["rows"], g["packets"], f["packets"]))
                bad += 1
        elif (g["bytes"], g["packets"]) != (f["ip_bytes"], f["packets"]):
            problems.append("%s truth: flow %s rows add up to %d bytes %d packets, built %d bytes %d packets" % (
                label, f["name"], g["bytes"], g["packets"], f["ip_bytes"], f["packets"]))
            bad += 1
    return bad == 0


def time_check(label, truth, O, tol_us, problems):
    """Flow start/end against the times of the packets themselves (the
    truth file's first_us/last_us per flow): an oracle that owes nothing
    to tshark, to the exporter's clocks or to our time arithmetic.  Each
    row of a built flow must lie within [first - tol, last + tol], the
    earliest start be within tol of the first packet and the latest end
    within tol of the last one; no time may be after the row's
    time_received (+ tol).  tol covers the export time's rounding to a
    whole second (v9, IPFIX) and milliseconds of uptime.  Prints the
    largest distances seen, so a run shows how close it came."""
    def key(src, dst, proto, sport, dport):
        src = norm_val("src_addr", src)
        dst = norm_val("dst_addr", dst)
        if proto in (1, 58):
            return (src, dst, proto)
        return (src, dst, proto, sport, dport)
    want = {key(f["src"], f["dst"], _PROTO_NUM[f["proto"]], f["sport"], f["dport"]): f for f in truth}
    spans = {}
    bad = 0
    worst = {"start": 0, "end": 0}
    for o in O:
        k = key(o.get("src_addr"), o.get("dst_addr"), o.get("proto"), o.get("src_port"), o.get("dst_port"))
        f = want.get(k)
        if f is None:
            continue    # truth_check reports it
        st, en, rcv = o.get("time_flow_start_us"), o.get("time_flow_end_us"), o.get("time_received_us")
        if st is None or en is None or rcv is None:
            problems.append("%s times: flow %s row without start/end/received: %s %s %s" % (
                label, f["name"], st, en, rcv))
            bad += 1
            continue
        for what, t in (("start", st), ("end", en)):
            if not f["first_us"] - tol_us <= t <= f["last_us"] + tol_us:
                problems.append("%s times: flow %s %s %.6f s is %.3f s from its packets [%.6f, %.6f]" % (
                    label, f["name"], what, t / 1e6,
                    (t - f["first_us"] if t < f["first_us"] else t - f["last_us"]) / 1e6,
                    f["first_us"] / 1e6, f["last_us"] / 1e6))
                bad += 1
            if t > rcv + tol_us:
                problems.append("%s times: flow %s %s %.6f s is %.3f s after it was received" % (
                    label, f["name"], what, t / 1e6, (t - rcv) / 1e6))
                bad += 1
        sp = spans.setdefault(f["name"], [st, en, f])
        sp[0] = min(sp[0], st)
        sp[1] = max(sp[1], en)
    for name, (st, en, f) in spans.items():
        worst["start"] = max(worst["start"], abs(st - f["first_us"]))
        worst["end"] = max(worst["end"], abs(en - f["last_us"]))
        if abs(st - f["first_us"]) > tol_us or abs(en - f["last_us"]) > tol_us:
            problems.append("%s times: flow %s spans [%.6f, %.6f], its packets [%.6f, %.6f]" % (
                label, name, st / 1e6, en / 1e6, f["first_us"] / 1e6, f["last_us"] / 1e6))
            bad += 1
    print("  times: %d flows, largest |start - first packet| %.3f ms, |end - last packet| %.3f ms" % (
        len(spans), worst["start"] / 1e3, worst["end"] / 1e3))
    return bad == 0


def match_and_compare(label, T, O, allowed_extra, problems, max_problems):
    used = [False] * len(O)
    by_key = {}
    for j, o in enumerate(O):
        by_key.setdefault(tuple(norm_val(k, o.get(k)) for k in KEY), []).append(j)
    compared = 0
    for i, t in enumerate(T):
        tk = tuple(norm_val(k, t.get(k)) for k in KEY)
        cands = [j for j in by_key.get(tk, []) if not used[j]]
        shown = {k: v for k, v in t.items() if not k.startswith("_") and v is not None}
        j = None
        for c in cands:
            if all(norm_val(k, O[c].get(k)) == norm_val(k, v) for k, v in shown.items()):
                j = c
                break
        if j is None:
            for c in cands:
                if O[c].get("bytes") == t.get("bytes") and O[c].get("packets") == t.get("packets"):
                    j = c
                    break
        if j is None and cands:
            j = cands[0]
        if j is None and t.get("_vxlan_undissected"):
            # tshark's key is the outer VXLAN packet, ours the inner one
            # (see compare_tshark.field_allowed): match on what both show.
            for c in range(len(O)):
                if not used[c] and "vxlan_vni" in O[c] and all(
                        O[c].get(k) == t.get(k) for k in ("bytes", "in_if", "out_if", "sampling_rate")):
                    j = c
                    break
        if j is None:
            problems.append("%s tshark record %d (frame %s): no row in goflow2plus.flows: %s" % (
                label, i + 1, t.get("_frame"), shown))
            continue
        used[j] = True
        compared += 1
        o = O[j]
        for field, tv in shown.items():
            tvn = norm_val(field, tv)
            ov = norm_val(field, o.get(field))
            if ov == tvn or field_allowed(field, ov, tvn, t, o):
                continue
            problems.append("%s record %d (frame %s) field %s: row %s, tshark %s" % (
                label, i + 1, t.get("_frame"), field, ov, tvn))
    extra = [O[j] for j in range(len(O)) if not used[j]]
    if len(extra) > allowed_extra:
        for o in extra[allowed_extra:][:max_problems]:
            problems.append("%s row not in tshark's decode: %s" % (label, {k: o.get(k) for k in KEY}))
        if len(extra) - allowed_extra > max_problems:
            problems.append("%s ... %d more rows not in tshark's decode" % (label, len(extra) - allowed_extra - max_problems))
    return compared, len(extra)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--rows", required=True)
    ap.add_argument("--label", default=None)
    ap.add_argument("--tshark-json", default=None)
    ap.add_argument("--tshark-arg", action="append", default=None)
    ap.add_argument("--map", default=None)
    ap.add_argument("--type", default=None, help="compare only records of this type")
    ap.add_argument("--max-problems", type=int, default=20)
    ap.add_argument("--truth", default=None, help="gen_traffic_pcap.py's truth file: check rows against it too")
    ap.add_argument("--times", action="store_true",
                    help="check flow start/end against the truth file's packet times")
    ap.add_argument("--time-tolerance-ms", type=float, default=1100.0)
    ap.add_argument("--print-sql", action="store_true", help="print the row query and exit")
    args = ap.parse_args()
    if args.print_sql:
        print(ROWS_SQL)
        return 0
    label = args.label or os.path.basename(args.pcap)
    packets = tso.load_tshark_json(args.pcap, extra_args=args.tshark_arg, tshark_json=args.tshark_json)
    theirs, frames, state = tso.decode(packets)
    allowed_extra = sum(tso.pending_allowance(state).values())
    mapping = None
    if args.map:
        with open(args.map) as fh:
            mapping = json.load(fh)
    T = expected_from_tshark(theirs, mapping)
    O = [tso.normalize_ours(r) for r in load_rows(args.rows)]
    if args.type:
        T = [t for t in T if t.get("type") == args.type]
        O = [o for o in O if o.get("type") == args.type]
    problems = []
    truth_ok = None
    if args.truth:
        with open(args.truth) as fh:
            truth = json.load(fh)
        truth_ok = truth_check(label, truth, O, args.type, problems)
        if args.times:
            time_check(label, truth, O, round(args.time_tolerance_ms * 1000), problems)
    if state.count_truncated and truth_ok:
        # tshark stopped early in some datagrams (see
        # tshark_oracle._bytes_not_shown): it is no oracle for the records
        # in the bytes it did not show.  They are accepted only because
        # every row agrees with the traffic as built (truth_check).
        n_before = len(O)
        print("  note: tshark stopped at the header count in frame(s) %s (%d bytes not shown); "
              "rows beyond its decode are checked against the built traffic only" % (
                  sorted(state.count_truncated), sum(state.count_truncated.values())))
        allowed_extra += n_before
    # Totals first: they say at a glance whether anything was lost.
    t_bytes = sum(t.get("bytes") or 0 for t in T)
    t_pkts = sum(t.get("packets") or 0 for t in T)
    o_bytes = sum(o.get("bytes") or 0 for o in O)
    o_pkts = sum(o.get("packets") or 0 for o in O)
    if allowed_extra == 0 and not state.count_truncated:
        if len(T) != len(O):
            problems.append("%s record count: rows %d, tshark %d" % (label, len(O), len(T)))
        # Sums only where tshark shows the counters of every record.
        if all("bytes" in t and "packets" in t for t in T) and (t_bytes, t_pkts) != (o_bytes, o_pkts):
            problems.append("%s sums: rows %d bytes %d packets, tshark %d bytes %d packets" % (
                label, o_bytes, o_pkts, t_bytes, t_pkts))
    elif not (len(T) <= len(O) <= len(T) + allowed_extra):
        problems.append("%s record count: rows %d, tshark %d (+ up to %d decoded from data kept pending)" % (
            label, len(O), len(T), allowed_extra))
    compared, extra = match_and_compare(label, T, O, allowed_extra, problems, args.max_problems)
    for p in problems[:args.max_problems * 3]:
        print("  " + p)
    if len(problems) > args.max_problems * 3:
        print("  ... %d more" % (len(problems) - args.max_problems * 3))
    print("RESULT %s %s: tshark %d records (%d bytes, %d packets), rows %d (%d bytes, %d packets), "
          "%d matched, %d disagreements" % (
              "ok" if not problems else "FAIL", label, len(T), t_bytes, t_pkts, len(O), o_bytes, o_pkts,
              compared, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
