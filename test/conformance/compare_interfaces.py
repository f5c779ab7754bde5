#!/usr/bin/python3
"""compare_interfaces.py: the interface facts goflow2plus's core decoder
learns (the sink's interface callback) against tshark, over the shared
captures of real exporters.

Interface facts come from NetFlow v9 / IPFIX options data that name an
interface (interfaceName 82, interfaceDescription 83 with ingressInterface
10 / egressInterface 14: Cisco's interface table) and from sFlow counter
samples (generic interface record: ifIndex, ifSpeed).  For every capture
whose tshark decode shows any (cflow.if_name / cflow.if_descr, or
sflow_245.ifspeed), runs build/tools/gf_pcap_decode -i -f and compares,
per frame and in order, (exporter, ifIndex, name, description, speed).

tshark is the oracle for the text: it shows a string field up to its first
NUL, which is also where ours ends.  Two rules of ours that tshark does
not apply are written down where they are used: an ifSpeed of 0 teaches
nothing, and a record whose ingress and egress differ names no one
interface.  The exporter of NetFlow / IPFIX facts is the datagram's source
address, of sFlow facts the agent address, as for the flows.

Usage: compare_interfaces.py [--captures DIR] [--tool PATH] [-v]
Ends with 'N passed, N failed' (files as units).  Exit 1 on any failure.
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
# A git worktree lives elsewhere: the shared folder's usual place then.
if not os.path.isdir(DEFAULT_CAPTURES):
    DEFAULT_CAPTURES = "/work/shared/testdata/captures"
DEFAULT_TOOL = os.path.join(REPO, "build", "tools", "gf_pcap_decode")


def addr(a):
    return ipaddress.ip_address(a).compressed if a else a


def _dicts(v):
    """A tshark node that --no-duplicate-keys may have made a list."""
    if isinstance(v, list):
        for x in v:
            yield from _dicts(x)
    elif isinstance(v, dict):
        yield v


def cflow_facts(frame, exporter, cf):
    """Options records that name an interface, as tshark shows them."""
    out = []
    for k, s in cf.items():
        if not tso._SET_RE.match(k):
            continue
        for st in _dicts(s):
            for fk, fl in st.items():
                if not fk.startswith("Flow "):
                    continue
                for rec in _dicts(fl):
                    if "cflow.if_name" not in rec and "cflow.if_descr" not in rec:
                        continue
                    idx = {tso.as_int(rec.get(f)) for f in ("cflow.inputint", "cflow.outputint")
                           if rec.get(f) is not None}
                    # Ours: ingress and egress that differ name no one
                    # interface (src/core/netflow_v9_ipfix.c); not seen in
                    # these captures, kept for a capture that has it.
                    if len(idx) != 1:
                        continue
                    name = tso.first(rec.get("cflow.if_name")) or None
                    descr = tso.first(rec.get("cflow.if_descr")) or None
                    if name is None and descr is None:
                        continue
                    out.append({"frame": frame, "exporter": addr(exporter),
                                "if_index": idx.pop(), "name": name,
                                "description": descr, "speed": None})
    return out


def sflow_facts(frame, sf):
    """Generic interface counter records with a non-zero ifSpeed.  Only
    the counter samples directly under the datagram: a sampled packet
    header may itself hold an sFlow datagram, which is not ours to read."""
    out = []
    agent = addr(tso.first(sf.get("sflow_245.agent")))
    for k, smp in sf.items():
        if "ounters sample" not in k:
            continue
        for s in _dicts(smp):
            for rk, rec in s.items():
                for r in _dicts(rec):
                    if "sflow_245.ifspeed" not in r:
                        continue
                    speed = tso.as_int(r.get("sflow_245.ifspeed"))
                    # Ours: 0 is what agents send for "unknown".
                    if not speed:
                        continue
                    out.append({"frame": frame, "exporter": agent,
                                "if_index": tso.as_int(r.get("sflow_245.ifindex")),
                                "name": None, "description": None, "speed": speed})
    return out


def tshark_facts(pcap):
    facts = []
    for p in tso.load_tshark_json(pcap):
        layers = p["_source"]["layers"]
        frame = tso.as_int(layers["frame"]["frame.number"])
        if "cflow" in layers:
            exporter = tso.packet_exporter(layers)
            for cf in _dicts(layers["cflow"]):
                facts.extend(cflow_facts(frame, exporter, cf))
        elif "sflow" in layers:
            for sf in _dicts(layers["sflow"]):
                facts.extend(sflow_facts(frame, sf))
    return facts


def our_facts(tool, pcap):
    p = subprocess.run([tool, "-i", "-f", pcap], capture_output=True, text=True)
    out = []
    for line in p.stdout.splitlines():
        if not line.strip():
            continue
        j = json.loads(line)
        i = j["interface"]
        out.append({"frame": j["frame"], "exporter": addr(i["exporter"]),
                    "if_index": i["if_index"], "name": i.get("name"),
                    "description": i.get("description"), "speed": i.get("speed")})
    return p.returncode, out


def has_interfaces(pcap):
    """Cheap pre-filter: does tshark's decode mention any interface fact?"""
    base = pcap[:-5]
    gz = base + ".tshark.json.gz"
    if not os.path.exists(gz):
        return True
    import gzip
    with gzip.open(gz, "rt") as fh:
        text = fh.read()
    return "cflow.if_name" in text or "cflow.if_descr" in text or "sflow_245.ifspeed" in text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--captures", default=DEFAULT_CAPTURES)
    ap.add_argument("--tool", default=DEFAULT_TOOL)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if not os.path.isdir(args.captures):
        print("compare_interfaces: no captures at %s, skipped" % args.captures)
        print("0 passed, 0 failed, 1 skipped")
        return 0
    if not os.access(args.tool, os.X_OK):
        print("compare_interfaces: %s not built (run test/tools/build.sh)" % args.tool)
        print("0 passed, 1 failed")
        return 1
    pcaps = sorted(os.path.join(r, f) for r, _, fs in os.walk(args.captures)
                   for f in fs if f.endswith(".pcap"))
    passed = failed = 0
    total = 0
    for pcap in pcaps:
        if not has_interfaces(pcap):
            continue
        name = os.path.relpath(pcap, args.captures)
        theirs = tshark_facts(pcap)
        rc, ours = our_facts(args.tool, pcap)
        problems = []
        if rc != 0:
            problems.append("gf_pcap_decode exited %d" % rc)
        if not theirs:
            problems.append("tshark shows no interface fact, yet the decode mentions one")
        if len(ours) != len(theirs):
            problems.append("%d facts in ours, %d in tshark" % (len(ours), len(theirs)))
        for i, (o, t) in enumerate(zip(ours, theirs)):
            if o != t:
                problems.append("fact %d: ours %s, tshark %s" % (i + 1, o, t))
        total += len(theirs)
        if problems:
            failed += 1
            print("FAIL %s" % name)
            for p in problems[:20]:
                print("  " + p)
        else:
            passed += 1
            names = len({(t["exporter"], t["if_index"]) for t in theirs})
            print("ok   %s (%d facts, %d interfaces)" % (name, len(theirs), names))
            if args.verbose:
                for t in theirs[:3]:
                    print("     e.g. %s" % t)
    print("interface facts compared: %d" % total)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
