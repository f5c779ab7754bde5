#!/usr/bin/python3
"""geoip_captures.py: the GeoIP columns that goflow2plus wrote for replayed
captures against mmdblookup (the oracle), one check per address.

Input: the rows' distinct (role, address, AS, country) as test/e2e/
geoip_captures.sh dumps them (ROWS_SQL below, psql -At, '|' separated),
the two databases the worker used, and the replayed pcaps (each with its
stored tshark decode X.tshark.json.gz beside it).

For every distinct src_addr and dst_addr of the rows:
  - country: every row's src_country (where the address is the source)
    and dst_country (where it is the destination) must be what
    `mmdblookup --file COUNTRY --ip ADDR <path>` prints, NULL where it
    finds nothing (most captured addresses are private: "not found" is
    compared like any answer).  <path> is the file's layout: `country
    iso_code` (MaxMind) or `country_code` (ip-location-db); both are
    tried, in the order the file's metadata type suggests.
  - AS: the exporter's own value comes from tshark's decode of the same
    datagrams (cflow.srcas/dstas; sFlow's extended gateway record, mapped
    as GoFlow2 maps it: src_as = srcAS, dst_as = the last AS of the path,
    or the router's AS when the path is empty).  Where the exporter sent
    a non-zero AS it must be kept; where it sent 0 or none the row must
    hold mmdblookup's autonomous_system_number, or what was sent (0, or
    NULL for none) when the ASN file has no entry.  Compared as sets of
    values per (role, address), so a record that our decoder and tshark
    count differently (data kept pending until its template comes) does
    not make a GeoIP failure.

An IPv4-mapped IPv6 address is given to mmdblookup in its IPv4 form, the
form geoip.h promises to look it up in (the unit test's oracle does the
same).

mmdblookup answers one address per run, so the runs are batched: one
shell per few hundred addresses, two shells at a time.

Prints one line per failing address and 'N passed, M failed' (addresses
as units); exit 1 on any failure.

Usage: geoip_captures.py --rows ROWS --country-db F --asn-db F PCAP...
       geoip_captures.py --print-sql
"""

import argparse
import concurrent.futures
import ipaddress
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "conformance"))
import tshark_oracle as tso  # noqa: E402

ROWS_SQL = """SELECT 's', host(src_addr), src_as, src_country, count(*)
 FROM goflow2plus.flows WHERE src_addr IS NOT NULL GROUP BY 1, 2, 3, 4
UNION ALL
SELECT 'd', host(dst_addr), dst_as, dst_country, count(*)
 FROM goflow2plus.flows WHERE dst_addr IS NOT NULL GROUP BY 1, 2, 3, 4"""

BATCH = 200
ROLE_NAME = {"s": "src", "d": "dst"}


def norm_addr(text):
    return str(ipaddress.ip_address(text))


def lookup_form(addr):
    """The address as mmdblookup gets it (IPv4-mapped -> IPv4)."""
    a = ipaddress.ip_address(addr)
    if a.version == 6 and a.ipv4_mapped is not None:
        return str(a.ipv4_mapped)
    return addr


# ---- the oracle: mmdblookup, batched ---------------------------------------

_MARK = "@@geocap@@"
# One mmdblookup per address; each answer is preceded by a marker line.
_SHELL = ('f=$1; shift; p=$1; shift; for ip; do echo "' + _MARK + ' $ip"; '
          'mmdblookup --file "$f" --ip "$ip" $p 2>/dev/null; done')


def _run_batch(dbfile, path, addrs):
    out = subprocess.run(["sh", "-c", _SHELL, "sh", dbfile, path] + addrs,
                         capture_output=True, text=True, check=False).stdout
    answers = {}
    cur = None
    for line in out.splitlines():
        if line.startswith(_MARK + " "):
            cur = line[len(_MARK) + 1:]
            answers[cur] = ""
        elif cur is not None and line.strip() and not answers[cur]:
            answers[cur] = line.strip()
    missing = [a for a in addrs if a not in answers]
    if missing:
        raise SystemExit("geoip_captures: mmdblookup gave no answer block for %s" % missing[:3])
    return answers


def mmdblookup_all(dbfile, path, addrs):
    """{address: first line of mmdblookup's value, '' when none}."""
    addrs = sorted(set(addrs))
    chunks = [addrs[i:i + BATCH] for i in range(0, len(addrs), BATCH)]
    answers = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        for a in ex.map(lambda c: _run_batch(dbfile, path, c), chunks):
            answers.update(a)
    return answers


def db_type(dbfile):
    out = subprocess.run(["mmdblookup", "--file", dbfile, "--ip", "0.0.0.0", "--verbose"],
                         capture_output=True, text=True, check=False).stdout
    m = re.search(r"^\s*Type:\s*(.*)$", out, re.M)
    return m.group(1).strip() if m else ""


_CC_RE = re.compile(r'^"([A-Z]{2})" <utf8_string>$')
_AS_RE = re.compile(r"^(\d+) <uint(?:16|32|64)>$")


def oracle_countries(dbfile, addrs):
    """{address: 'CC' or None}: the layout's path first, then the other
    one for the addresses the first found nothing for."""
    paths = ["country iso_code", "country_code"]
    if not re.search(r"GeoLite2|GeoIP2", db_type(dbfile)):
        paths.reverse()
    result = {}
    todo = sorted(set(lookup_form(a) for a in addrs))
    for path in paths:
        ans = mmdblookup_all(dbfile, path, todo)
        left = []
        for ip in todo:
            m = _CC_RE.match(ans[ip])
            if m:
                result[ip] = m.group(1)
            else:
                left.append(ip)
        todo = left
    return {a: result.get(lookup_form(a)) for a in addrs}


def oracle_asns(dbfile, addrs):
    """{address: AS number, 0 when the file has none}."""
    forms = sorted(set(lookup_form(a) for a in addrs))
    ans = mmdblookup_all(dbfile, "autonomous_system_number", forms)
    out = {}
    for a in addrs:
        m = _AS_RE.match(ans[lookup_form(a)])
        n = int(m.group(1)) if m else 0
        out[a] = n if n <= 0xFFFFFFFF else 0
    return out


# ---- what the exporters sent, from tshark ----------------------------------

def _gateway_as(sample):
    """(src_as, dst_as) an sFlow flow sample's extended gateway record sends,
    or (None, None) without one: GoFlow2's mapping (see the module doc)."""
    gw = sample.get("Extended gateway data")
    if not isinstance(gw, dict):
        return None, None
    src = tso.as_int(gw.get("sflow_245.srcAS"))
    # The path's ASNs sit under as_type_tree (one per segment, a list when
    # repeated); tshark names the communities sflow_245.dstAS too, under
    # communityEntries_tree, which is not part of the path.
    segs = gw.get("sflow.as_type_tree", [])
    path = [tso.as_int(v) for k, v in _leaves_all({"s": segs}) if k == "sflow_245.dstAS"]
    dst = path[-1] if path else tso.as_int(gw.get("sflow_245.as"))
    return src, dst


def _leaves_all(d):
    """Leaves of a nested dict in order, a repeated key's list flattened."""
    for k, v in d.items():
        if isinstance(v, dict):
            yield from _leaves_all(v)
        elif isinstance(v, list):
            for x in v:
                if isinstance(x, dict):
                    yield from _leaves_all(x)
                else:
                    yield k, x
        else:
            yield k, v


def _flow_samples(sf):
    # The same samples, in the same order, as tso.sflow_records takes.
    return [v for k, v in sf.items() if isinstance(v, dict) and
            (k.startswith("Flow sample") or k.startswith("Expanded flow sample"))]


def records_with_as(packets):
    """tshark's flow records of a decode, each as (record, sent src_as,
    sent dst_as), and the decoder state (templates, pending sets)."""
    records, _, state = tso.decode(packets)
    # sFlow: the gateway AS of each sample, in tso's record order.
    gw = {}
    for p in packets:
        layers = p["_source"]["layers"]
        if "sflow" not in layers or "cflow" in layers:
            continue
        frame = tso.as_int(layers["frame"]["frame.number"])
        sfs = layers["sflow"] if isinstance(layers["sflow"], list) else [layers["sflow"]]
        gw[frame] = [_gateway_as(s) for sf in sfs for s in _flow_samples(sf)]
    out = []
    seen = {}
    for r in records:
        if r.get("type") == "SFLOW_5":
            i = seen.get(r["_frame"], 0)
            seen[r["_frame"]] = i + 1
            out.append((r,) + gw[r["_frame"]][i])
        else:
            out.append((r, r.get("src_as"), r.get("dst_as")))
    return out, state


def pending_records(pcap, packets, state, tmpdir):
    """Records of the data sets tshark saw before their template.  Our
    decoder keeps such a set until the template comes and then decodes it;
    tshark never goes back.  Given the capture twice in a row (mergecap
    -a), tshark knows every template in the second pass: the records of
    the pending frames' second copies are taken from there."""
    frames = {p["frame"] for p in state.pending
              if p.get("kind") == "data" and p.get("resolved_frame") is not None}
    if not frames:
        return []
    twice = os.path.join(tmpdir, "twice.pcap")
    subprocess.run(["mergecap", "-F", "pcap", "-a", "-w", twice, pcap, pcap], check=True)
    base = pcap[:-5] if pcap.endswith(".pcap") else pcap
    args = []
    if os.path.exists(base + ".tshark-args.txt"):
        with open(base + ".tshark-args.txt") as fh:
            args = fh.read().split()
    recs, _ = records_with_as(tso.load_tshark_json(twice, extra_args=args))
    n = len(packets)
    return [x for x in recs if x[0]["_frame"] > n and x[0]["_frame"] - n in frames]


def sent_values(pcaps):
    """({(role, address): set of AS values sent (None: no field)},
    set of values sent by records whose addresses tshark cannot give)."""
    sent = {}
    unplaced = set()
    with tempfile.TemporaryDirectory(prefix="geoip_captures.") as tmpdir:
        for pcap in pcaps:
            packets = tso.load_tshark_json(pcap)
            recs, state = records_with_as(packets)
            recs += pending_records(pcap, packets, state, tmpdir)
            for r, src_as, dst_as in recs:
                if r.get("_tunnel") or r.get("_vxlan_undissected"):
                    # tshark shows the outer packet of a tunnel it does not
                    # dissect (or cannot tell inner from outer); our
                    # decoder stores the inner one.
                    unplaced.update((src_as, dst_as))
                    continue
                for role, key, v in (("s", "src_addr", src_as), ("d", "dst_addr", dst_as)):
                    if r.get(key) is None:
                        continue
                    sent.setdefault((role, norm_addr(r[key])), set()).add(v)
    return sent, unplaced


# ---- the comparison --------------------------------------------------------

def load_rows(path):
    """{address: {role: {(as, country), ...}}}."""
    rows = {}
    with open(path) as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line:
                continue
            role, addr, asn, cc, _n = line.split("|")
            rows.setdefault(norm_addr(addr), {}).setdefault(role, set()).add(
                (int(asn) if asn != "" else None, cc if cc != "" else None))
    return rows


def expected_as(sent, found):
    """The stored AS for a sent value: kept when non-zero, else the file's."""
    if sent not in (None, 0):
        return sent
    return found if found else sent


def fmt(v):
    return "NULL" if v is None else str(v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows")
    ap.add_argument("--country-db")
    ap.add_argument("--asn-db")
    ap.add_argument("--print-sql", action="store_true")
    ap.add_argument("--max-problems", type=int, default=40)
    ap.add_argument("pcaps", nargs="*")
    args = ap.parse_args()
    if args.print_sql:
        print(ROWS_SQL)
        return 0
    if not (args.rows and args.country_db and args.asn_db and args.pcaps):
        ap.error("--rows, --country-db, --asn-db and at least one PCAP are required")

    rows = load_rows(args.rows)
    addrs = sorted(rows)
    sent, unplaced = sent_values(args.pcaps)
    ccs = oracle_countries(args.country_db, addrs)
    asns = oracle_asns(args.asn_db, addrs)

    passed = failed = 0
    stats = {"cc_found": 0, "as_found": 0, "kept": 0, "filled": 0, "private": 0, "unplaced": 0,
             "kept_differs": 0}
    for a in addrs:
        problems = []
        want_cc = ccs[a]
        got_cc = {cc for role in rows[a].values() for _, cc in role}
        if got_cc != {want_cc}:
            problems.append("country %s, mmdblookup %s" % (
                "/".join(sorted(fmt(c) for c in got_cc)), fmt(want_cc)))
        for role, vals in sorted(rows[a].items()):
            got_as = {asn for asn, _ in vals}
            if (role, a) in sent:
                ex_sent = sent[(role, a)]
                want_as = {expected_as(s, asns[a]) for s in ex_sent}
                bad = got_as != want_as
            elif unplaced:
                # Only in a tunnel's inner packet: one of the values those
                # records sent.
                ex_sent = unplaced
                want_as = {expected_as(s, asns[a]) for s in ex_sent}
                bad = not got_as <= want_as
                stats["unplaced"] += 1
            else:
                problems.append("%s_as: tshark shows no record with this %s_addr" %
                                (ROLE_NAME[role], ROLE_NAME[role]))
                continue
            if bad:
                problems.append("%s_as %s, expected %s (exporter sent %s, mmdblookup %s)" % (
                    ROLE_NAME[role], "/".join(sorted(fmt(v) for v in got_as)),
                    "/".join(sorted(fmt(v) for v in want_as)),
                    "/".join(sorted(fmt(v) for v in ex_sent)), asns[a] or "none"))
            stats["kept"] += any(s not in (None, 0) for s in ex_sent)
            stats["kept_differs"] += any(s not in (None, 0, asns[a]) for s in ex_sent) and asns[a] != 0
            stats["filled"] += any(s in (None, 0) for s in ex_sent) and asns[a] != 0
        stats["cc_found"] += want_cc is not None
        stats["as_found"] += asns[a] != 0
        stats["private"] += ipaddress.ip_address(a).is_private
        if problems:
            failed += 1
            if failed <= args.max_problems:
                print("FAIL - %s: %s" % (a, "; ".join(problems)))
        else:
            passed += 1
    print("addresses %d (%d private): country found for %d, AS found for %d; "
          "(role, address) pairs with an exporter AS kept %d (the file says another %d), "
          "filled from the file %d, only inside a tunnel %d"
          % (len(addrs), stats["private"], stats["cc_found"], stats["as_found"],
             stats["kept"], stats["kept_differs"], stats["filled"], stats["unplaced"]))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
