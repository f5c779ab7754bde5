#!/usr/bin/python3
"""nats_check.py: oracles of test/e2e/nats_e2e.sh.

  compare TABLE.jsonl SOURCE [--pattern P] [--count N]
      SOURCE is nats:PORT:STREAM (read over the NATS protocol,
      test/lib/nats_proto.py) or file:PATH (JSON lines).  Every row of the
      table dump must have exactly one JSON flow with the same (src_addr,
      src_port, bytes) and the same value in every field GoFlow2's JSON
      and the table share (absent key <=> SQL NULL), and nothing else may
      be there (--skip-prefix A: flows whose src_addr starts with A are
      not looked at).  With --pattern 'flows.{type}.{src_group}.{hash4}', each
      message's subject must be what this script computes for the row:
      the bucket is FNV-1a 64 over (family byte, address bytes) of
      src_addr then dst_addr, mod 4, written here from the definition,
      not taken from the C code.
  keys SOURCE       print the flow keys (src_addr src_port bytes) found
  stream-subjects PORT STREAM   print the stream's subjects
  create-stream PORT STREAM SUBJECT
  msgids PORT STREAM   exit 1 unless every message has a distinct Nats-Msg-Id
"""
import ipaddress
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from nats_proto import Nats  # noqa: E402

ETYPES = {"IPv4": 0x0800, "IPv6": 0x86dd, "ARP": 0x0806}
PROTOS = {"ICMP": 1, "TCP": 6, "UDP": 17, "ICMPv6": 58, "SCTP": 132}
# JSON key -> table column, where they differ only in unit.
TIMES = {"time_received_ns": "time_received_us",
         "time_flow_start_ns": "time_flow_start_us",
         "time_flow_end_ns": "time_flow_end_us"}
SHARED = ["type", "sequence_num", "sampling_rate", "sampler_address", "bytes",
          "packets", "src_addr", "dst_addr", "etype", "proto", "src_port",
          "dst_port", "in_if", "out_if", "src_mac", "dst_mac", "src_vlan",
          "dst_vlan", "vlan_id", "ip_tos", "ip_ttl", "ip_flags", "tcp_flags",
          "forwarding_status", "icmp_type", "icmp_code", "ipv6_flow_label",
          "fragment_id", "fragment_offset", "src_as", "dst_as", "next_hop",
          "next_hop_as", "src_net", "dst_net", "bgp_next_hop",
          "bgp_communities", "as_path", "mpls_label", "observation_domain_id",
          "observation_point_id", "in_if_format", "out_if_format", "vxlan_vni"]


def key_of(d):
    return (d.get("src_addr"), int(d.get("src_port", -1)), int(d.get("bytes", -1)))


def norm(col, v):
    if v is None:
        return None
    if col == "etype" and isinstance(v, str):
        return ETYPES[v]
    if col == "proto" and isinstance(v, str):
        return PROTOS[v]
    if col in ("sampler_address", "src_addr", "dst_addr", "next_hop", "bgp_next_hop"):
        return str(ipaddress.ip_address(v.split("/")[0]))
    if col in ("src_net", "dst_net"):
        return str(ipaddress.ip_network(v))
    if col in ("bgp_communities", "as_path", "mpls_label"):
        return [int(x) for x in v] if v else None
    return v


def fnv_bucket(addrs, n):
    h = 14695981039346656037
    for a in addrs:
        ip = ipaddress.ip_address(a)
        for b in bytes([ip.version]) + ip.packed:
            h ^= b
            h = (h * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h % n


def token(s):
    if not s:
        return "none"
    return "".join("_" if (c in ".*>" or ord(c) <= 32 or ord(c) == 127) else c for c in s)


def load_source(src):
    """[(subject or None, headers, flow dict)] from nats:PORT:STREAM or file:PATH."""
    out = []
    kind, _, rest = src.partition(":")
    if kind == "file":
        with open(rest, "rb") as f:
            for line in f:
                out.append((None, {}, json.loads(line)))
        return out
    port, _, stream = rest.partition(":")
    nc = Nats(port=int(port))
    for _, subject, hdrs, data in nc.stream_messages(stream):
        for line in data.split(b"\n"):
            if line:
                out.append((subject, hdrs, json.loads(line)))
    nc.close()
    return out


def compare(table_path, src, pattern=None, count=None, skip=None):
    rows = {}
    with open(table_path) as f:
        for line in f:
            r = json.loads(line)
            k = key_of(r)
            if k in rows:
                print("table has key %r twice" % (k,))
                return 1
            rows[k] = r
    got = load_source(src)
    errors = 0
    seen = set()
    for subject, _, d in got:
        k = key_of(d)
        if skip and d.get("src_addr", "").startswith(skip):
            continue
        if k in seen:
            print("%s holds flow %r twice" % (src, k))
            errors += 1
            continue
        seen.add(k)
        r = rows.get(k)
        if r is None:
            print("%s holds flow %r that the table does not" % (src, k))
            errors += 1
            continue
        for jk, col in TIMES.items():
            tv = r.get(col)
            jv = d.get(jk)
            if (tv is None) != (jv is None) or (tv is not None and abs(jv // 1000 - tv) > 1):
                print("flow %r: %s = %r, table %s = %r" % (k, jk, jv, col, tv))
                errors += 1
        for col in SHARED:
            tv = norm(col, r.get(col))
            jv = norm(col, d.get(col))
            if tv != jv:
                print("flow %r: %s = %r, table says %r" % (k, col, jv, tv))
                errors += 1
        if pattern is not None:
            want = "flows.%s.%s.%d" % (r["type"], token(r.get("src_group")),
                                       fnv_bucket([r["src_addr"].split("/")[0], r["dst_addr"].split("/")[0]], 4))
            if subject != want:
                print("flow %r: subject %s, expected %s" % (k, subject, want))
                errors += 1
    missing = set(rows) - seen
    if missing:
        print("%d table rows are not in %s, e.g. %r" % (len(missing), src, sorted(missing)[:3]))
        errors += 1
    if count is not None and len(rows) != count:
        print("table dump has %d rows, expected %d" % (len(rows), count))
        errors += 1
    print("%s: %d flows compared with %d rows, %d differences" % (src, len(got), len(rows), errors))
    return 1 if errors else 0


def main():
    cmd = sys.argv[1]
    if cmd == "compare":
        args = sys.argv[2:]
        pattern = count = skip = None
        if "--skip-prefix" in args:
            i = args.index("--skip-prefix")
            skip = args[i + 1]
            del args[i:i + 2]
        if "--pattern" in args:
            i = args.index("--pattern")
            pattern = args[i + 1]
            del args[i:i + 2]
        if "--count" in args:
            i = args.index("--count")
            count = int(args[i + 1])
            del args[i:i + 2]
        return compare(args[0], args[1], pattern, count, skip)
    if cmd == "keys":
        for _, _, d in load_source(sys.argv[2]):
            print("%s %d %d" % key_of(d))
        return 0
    if cmd == "stream-subjects":
        nc = Nats(port=int(sys.argv[2]))
        print(" ".join(nc.stream_info(sys.argv[3])["config"]["subjects"]))
        return 0
    if cmd == "create-stream":
        nc = Nats(port=int(sys.argv[2]))
        nc.stream_create(sys.argv[3], [sys.argv[4]])
        return 0
    if cmd == "msgids":
        nc = Nats(port=int(sys.argv[2]))
        ids = [h.get("Nats-Msg-Id") for _, _, h, _ in nc.stream_messages(sys.argv[3])]
        ok = all(ids) and len(set(ids)) == len(ids)
        print("%d messages, %d distinct Nats-Msg-Id" % (len(ids), len(set(i for i in ids if i))))
        return 0 if ok else 1
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
