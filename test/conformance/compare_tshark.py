#!/usr/bin/python3
"""compare_tshark.py: goflow2plus's core decoder against tshark, over every
shared capture of real exporters' flow datagrams.

For each X.pcap under the captures folder (default ../shared/testdata/
captures beside the repository; skipped with a message, exit 0, when
absent), runs build/tools/gf_pcap_decode -f -s on it and compares, per
export packet (frame), the flow records with tshark's decode of the same
file (X.tshark.json.gz beside it, or tshark run with X.tshark-args.txt):
number of records, and per record the fields tshark shows: src/dst
address, ports, protocol, bytes, packets, in/out interface, start/end
time, sampling rate; for sFlow also agent, frame length (bytes), VLANs,
MACs.

Usage: compare_tshark.py [--captures DIR] [--tool PATH] [--only SUBSTR] [-v]

Prints each disagreement as  file frame N record I field: ours X, tshark Y
and ends with 'N passed, N failed' (files as units; a file passes when
every record agrees).  Exit 1 on any failure.

Known, documented differences are encoded below as explicit allowances,
each with its reason; nothing else is loosened.
"""

import argparse
import ipaddress
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tshark_oracle as tso  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_CAPTURES = os.path.join(os.path.dirname(REPO), "shared", "testdata", "captures")
DEFAULT_TOOL = os.path.join(REPO, "build", "tools", "gf_pcap_decode")

KEY = ("src_addr", "dst_addr", "src_port", "dst_port", "proto")


def norm_val(field, v):
    if v is None:
        return None
    if field in ("src_addr", "dst_addr", "sampler_address", "next_hop", "bgp_next_hop"):
        try:
            return ipaddress.ip_address(v).compressed
        except ValueError:
            return v
    if field in ("src_mac", "dst_mac"):
        return str(v).lower()
    return v


def rkey(r):
    return tuple(norm_val(k, r.get(k)) for k in KEY)


def run_tool(tool, pcap):
    p = subprocess.run([tool, "-f", "-s", pcap], capture_output=True, text=True)
    recs = []
    for line in p.stdout.splitlines():
        if line.strip():
            recs.append(tso.normalize_ours(json.loads(line)))
    summary = None
    errors = []
    for line in p.stderr.splitlines():
        if line.startswith("{\"summary\""):
            summary = json.loads(line)
        elif line.strip():
            errors.append(line)
    return p.returncode, recs, summary, errors


PACKET_FIELDS = ("src_addr", "dst_addr", "src_port", "dst_port", "proto", "etype",
                 "src_mac", "dst_mac")


def field_allowed(field, ours, theirs, t, o):
    """Explicit, documented allowances for one field.  Returns a reason
    string when the difference is a known one, else None."""
    # A v5 header sampling interval of 0 means "not sampled": GoFlow2 and
    # we may leave sampling_rate unset (absent) or write 0.
    if field == "sampling_rate" and theirs == 0 and ours in (None, 0):
        return "sampling interval 0 = unsampled"
    # Options data that say 1-in-1 (pmacct 400-502: selectorAlgorithm 3
    # with samplingPopulation = samplingSize = 1) describe no sampling:
    # leaving sampling_rate unset says the same.  Any other rate must match.
    if field == "sampling_rate" and theirs == 1 and ours is None and t.get("_sampling_from_options"):
        return "options data say 1 in 1 = unsampled"
    # sFlow header with VXLAN: tshark shows only the outer packet there,
    # we the inner one (src/core/include/packet.h); see tshark_oracle._hdr_fields.
    if field in PACKET_FIELDS and t.get("_vxlan_undissected") and "vxlan_vni" in o:
        return "VXLAN inner packet not dissected by tshark"
    return None


def compare_file(pcap, tool, verbose):
    name = os.path.relpath(pcap, CAPTURES)
    problems = []
    notes = []
    packets = tso.load_tshark_json(pcap)
    theirs, frames, state = tso.decode(packets)
    allow_extra = tso.pending_allowance(state)
    rc, ours, summary, errors = run_tool(tool, pcap)
    if rc != 0:
        problems.append("%s: gf_pcap_decode exited %d (%s)" % (name, rc, "; ".join(errors[-3:])))
        return problems, notes, 0, 0
    by_frame_t = {}
    by_frame_o = {}
    for r in theirs:
        by_frame_t.setdefault(r["_frame"], []).append(r)
    for r in ours:
        by_frame_o.setdefault(r.get("frame"), []).append(r)
    compared = 0
    for frame in sorted(set(by_frame_t) | set(by_frame_o), key=lambda x: (x is None, x)):
        T = by_frame_t.get(frame, [])
        O = list(by_frame_o.get(frame, []))
        used = [False] * len(O)
        for i, t in enumerate(T):
            tk = rkey(t)
            j = None
            # A record equal in every field tshark shows first, then same
            # flow key and counters, then same key, then same position:
            # records are compared in the order they come.
            for cand in range(len(O)):
                if not used[cand] and all(norm_val(k, O[cand].get(k)) == norm_val(k, v)
                                          for k, v in t.items() if not k.startswith("_") and v is not None):
                    j = cand
                    break
            for cand in range(len(O) if j is None else 0):
                if not used[cand] and rkey(O[cand]) == tk and O[cand].get("bytes") == t.get("bytes") \
                        and O[cand].get("packets") == t.get("packets"):
                    j = cand
                    break
            if j is None:
                for cand in range(len(O)):
                    if not used[cand] and rkey(O[cand]) == tk:
                        j = cand
                        break
            if j is None and i < len(O) and not used[i]:
                j = i
            if j is None:
                problems.append("%s frame %s record %d: missing in ours (tshark: %s)" % (
                    name, frame, i + 1, {k: t[k] for k in t if not k.startswith("_")}))
                continue
            used[j] = True
            o = O[j]
            compared += 1
            for field, tv in t.items():
                if field.startswith("_") or tv is None:
                    continue
                tvn = norm_val(field, tv)
                ov = norm_val(field, o.get(field))
                if ov == tvn:
                    continue
                why = field_allowed(field, ov, tvn, t, o)
                if why:
                    continue
                tag = ""
                if t.get("_sampling_from_options") and field == "sampling_rate":
                    tag = " [rate from options data]"
                if t.get("_tunnel"):
                    tag += " [tunnel]"
                problems.append("%s frame %s record %d field %s: ours %s, tshark %s%s" % (
                    name, frame, i + 1, field, ov, tvn, tag))
        extra = [O[j] for j in range(len(O)) if not used[j]]
        if extra:
            allowed = allow_extra.get(frame, 0)
            if len(extra) <= allowed:
                # Data tshark flagged "no template found" in an earlier
                # frame; its template came in this frame; we kept the data
                # pending and decoded it now.  tshark never goes back, so
                # there is no oracle for these records' fields.
                notes.append("%s frame %s: %d record(s) decoded from data kept pending "
                             "until its template came (tshark shows it as malformed; not compared)"
                             % (name, frame, len(extra)))
            else:
                for o in extra[allowed:]:
                    problems.append("%s frame %s: extra record in ours, not in tshark: %s" % (
                        name, frame, {k: o[k] for k in KEY if k in o}))
    if verbose and summary:
        notes.append("%s: %s" % (name, json.dumps(summary["summary"])))
    if verbose:
        for e in errors[:5]:
            notes.append("%s: decoder: %s" % (name, e))
    return problems, notes, compared, len(theirs)


def main():
    global CAPTURES
    ap = argparse.ArgumentParser()
    ap.add_argument("--captures", default=DEFAULT_CAPTURES)
    ap.add_argument("--tool", default=DEFAULT_TOOL)
    ap.add_argument("--only", default=None, help="only files whose path contains this")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--max-problems", type=int, default=20, help="per file")
    args = ap.parse_args()
    CAPTURES = args.captures
    if not os.path.isdir(CAPTURES):
        print("compare_tshark: no captures at %s, skipped" % CAPTURES)
        print("0 passed, 0 failed, 1 skipped")
        return 0
    if not os.access(args.tool, os.X_OK):
        print("compare_tshark: %s not built (run test/tools/build.sh)" % args.tool)
        return 1
    pcaps = []
    for root, _, files in os.walk(CAPTURES):
        for f in files:
            if f.endswith(".pcap"):
                pcaps.append(os.path.join(root, f))
    pcaps.sort()
    if args.only:
        pcaps = [p for p in pcaps if args.only in p]
    passed = failed = 0
    total_compared = total_theirs = 0
    for pcap in pcaps:
        problems, notes, compared, n_theirs = compare_file(pcap, args.tool, args.verbose)
        total_compared += compared
        total_theirs += n_theirs
        for n in notes:
            print("note: " + n)
        if problems:
            failed += 1
            print("FAIL %s (%d disagreements, %d/%d records matched)" % (
                os.path.relpath(pcap, CAPTURES), len(problems), compared, n_theirs))
            for p in problems[:args.max_problems]:
                print("  " + p)
            if len(problems) > args.max_problems:
                print("  ... %d more" % (len(problems) - args.max_problems))
        else:
            passed += 1
            print("ok   %s (%d records)" % (os.path.relpath(pcap, CAPTURES), compared))
    print("records: %d of tshark's %d matched to ours" % (total_compared, total_theirs))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


CAPTURES = DEFAULT_CAPTURES

if __name__ == "__main__":
    sys.exit(main())
