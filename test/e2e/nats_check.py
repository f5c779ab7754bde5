#!/usr/bin/python3
"""nats_check.py: oracles of test/e2e/nats_e2e.sh.

  compare TABLE.jsonl SOURCE [--pattern P] [--count N]
      SOURCE is nats:PORT:STREAM (read over the NATS protocol,
      test/lib/nats_proto.py) or file:PATH (JSON lines).  Every row of the
      table dump must have exactly one JSON flow with the same (src_addr,
      src_port, bytes) and the same value in every field GoFlow2's JSON
      and the table share (absent key <=> SQL NULL), and nothing else may
      be there (--skip-prefix A: flows whose src_addr starts with A are
      not looked at).  With --pattern PREFIX, for a subject pattern
      'PREFIX.{type}.{src_group}.{hash:src_addr,dst_addr:4}', each
      message's subject must be what this script computes for the row:
      the bucket is FNV-1a 64 over (family byte, address bytes) of
      src_addr then dst_addr, mod 4, written here from the definition,
      not taken from the C code.
      --format bin: SOURCE holds length-delimited FlowMessages, read by
      decode_bin() below with the field numbers of GoFlow2's own
      pb/flow.proto (netsampler/goflow2), not with our proto file.
  keys SOURCE [--format bin]  print the flow keys (src_addr src_port bytes)
  stream-subjects PORT STREAM   print the stream's subjects
  stream-replicas PORT STREAM   print the stream's replica count
  stream-count PORT STREAM      print how many messages the stream holds
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
          "observation_point_id", "in_if_format", "out_if_format", "vxlan_vni",
          "fw_event", "src_group", "dst_group"]
# Not in GoFlow2's FlowMessage: left out of the bin comparison.
NOT_IN_GOFLOW2 = {"in_if_format", "out_if_format", "vxlan_vni", "fw_event"}


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


# GoFlow2's FlowMessage (netsampler/goflow2 pb/flow.proto): field number ->
# (name, kind).  goflow2plus adds fields from 1000 up; of those only the
# context group names are read here.
GOFLOW2_FIELDS = {
    1: ("type", "enum"), 110: ("time_received_ns", "u"), 4: ("sequence_num", "u"),
    3: ("sampling_rate", "u"), 11: ("sampler_address", "addr"),
    111: ("time_flow_start_ns", "u"), 112: ("time_flow_end_ns", "u"),
    9: ("bytes", "u"), 10: ("packets", "u"), 6: ("src_addr", "addr"),
    7: ("dst_addr", "addr"), 30: ("etype", "u"), 20: ("proto", "u"),
    21: ("src_port", "u"), 22: ("dst_port", "u"), 18: ("in_if", "u"),
    19: ("out_if", "u"), 27: ("src_mac", "mac"), 28: ("dst_mac", "mac"),
    33: ("src_vlan", "u"), 34: ("dst_vlan", "u"), 29: ("vlan_id", "u"),
    23: ("ip_tos", "u"), 24: ("forwarding_status", "u"), 25: ("ip_ttl", "u"),
    38: ("ip_flags", "u"), 26: ("tcp_flags", "u"), 31: ("icmp_type", "u"),
    32: ("icmp_code", "u"), 37: ("ipv6_flow_label", "u"),
    35: ("fragment_id", "u"), 36: ("fragment_offset", "u"),
    14: ("src_as", "u"), 15: ("dst_as", "u"), 12: ("next_hop", "addr"),
    13: ("next_hop_as", "u"), 16: ("src_net", "u"), 17: ("dst_net", "u"),
    100: ("bgp_next_hop", "addr"), 101: ("bgp_communities", "rep"),
    102: ("as_path", "rep"), 81: ("mpls_label", "rep"),
    70: ("observation_domain_id", "u"), 71: ("observation_point_id", "u"),
    1010: ("src_group", "str"), 1011: ("dst_group", "str"),
}
FLOW_TYPES = {0: "FLOWUNKNOWN", 1: "SFLOW_5", 2: "NETFLOW_V5", 3: "NETFLOW_V9", 4: "IPFIX",
              5: "NETFLOW_V1", 6: "NETFLOW_V7", 7: "NETFLOW_V8"}


def varint(b, i):
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7f) << shift
        shift += 7
        if not c & 0x80:
            return v, i


def decode_bin(msg):
    """One FlowMessage into the JSON form (GoFlow2's keys and values)."""
    d = {}
    i = 0
    while i < len(msg):
        tag, i = varint(msg, i)
        num, wt = tag >> 3, tag & 7
        if wt == 0:
            val, i = varint(msg, i)
        elif wt == 2:
            n, i = varint(msg, i)
            val, i = msg[i:i + n], i + n
        elif wt == 1:
            val, i = msg[i:i + 8], i + 8
        elif wt == 5:
            val, i = msg[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d" % wt)
        if num not in GOFLOW2_FIELDS:
            continue
        name, kind = GOFLOW2_FIELDS[num]
        if kind == "addr":
            d[name] = str(ipaddress.ip_address(bytes(val)))
        elif kind == "enum":
            d[name] = FLOW_TYPES.get(val, str(val))
        elif kind == "mac":
            d[name] = ":".join("%02x" % ((val >> s) & 255) for s in range(40, -8, -8))
        elif kind == "str":
            d[name] = bytes(val).decode()
        elif kind == "rep":
            if wt == 2:     # packed
                j, vals = 0, []
                while j < len(val):
                    x, j = varint(val, j)
                    vals.append(x)
                d.setdefault(name, []).extend(vals)
            else:
                d.setdefault(name, []).append(val)
        else:
            d[name] = val
    # GoFlow2 sends prefix lengths; the JSON form is the masked prefix.
    for net, addr in (("src_net", "src_addr"), ("dst_net", "dst_addr")):
        if net in d and addr in d:
            d[net] = str(ipaddress.ip_network("%s/%d" % (d[addr], d[net]), strict=False))
        else:
            d.pop(net, None)
    if "type" not in d:
        d["type"] = "FLOWUNKNOWN"
    return d


def split_delimited(data):
    i = 0
    while i < len(data):
        n, i = varint(data, i)
        yield data[i:i + n]
        i += n


def flows_of(data, fmt):
    if fmt == "bin":
        return [decode_bin(m) for m in split_delimited(data)]
    out = []
    for line in data.split(b"\n"):
        if line:
            d = json.loads(line)
            ctx = d.get("context", {})
            if "source_group" in ctx:
                d["src_group"] = ctx["source_group"]
            if "destination_group" in ctx:
                d["dst_group"] = ctx["destination_group"]
            out.append(d)
    return out


def load_source(src, fmt="json"):
    """[(subject or None, headers, flow dict)] from nats:PORT:STREAM or file:PATH."""
    out = []
    kind, _, rest = src.partition(":")
    if kind == "file":
        with open(rest, "rb") as f:
            for d in flows_of(f.read(), fmt):
                out.append((None, {}, d))
        return out
    port, _, stream = rest.partition(":")
    nc = Nats(port=int(port))
    for _, subject, hdrs, data in nc.stream_messages(stream):
        for d in flows_of(data, fmt):
            out.append((subject, hdrs, d))
    nc.close()
    return out


def compare(table_path, src, pattern=None, count=None, skip=None, fmt="json"):
    rows = {}
    with open(table_path) as f:
        for line in f:
            r = json.loads(line)
            k = key_of(r)
            if k in rows:
                print("table has key %r twice" % (k,))
                return 1
            rows[k] = r
    got = load_source(src, fmt)
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
            if fmt == "bin" and col in NOT_IN_GOFLOW2:
                continue
            tv = norm(col, r.get(col))
            jv = norm(col, d.get(col))
            if tv != jv:
                print("flow %r: %s = %r, table says %r" % (k, col, jv, tv))
                errors += 1
        if pattern is not None:
            want = "%s.%s.%s.%d" % (pattern, r["type"], token(r.get("src_group")),
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
        fmt = "json"
        if "--format" in args:
            i = args.index("--format")
            fmt = args[i + 1]
            del args[i:i + 2]
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
        return compare(args[0], args[1], pattern, count, skip, fmt)
    if cmd == "keys":
        fmt = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--format" else "json"
        for _, _, d in load_source(sys.argv[2], fmt):
            print("%s %d %d" % key_of(d))
        return 0
    if cmd == "stream-subjects":
        nc = Nats(port=int(sys.argv[2]))
        print(" ".join(nc.stream_info(sys.argv[3])["config"]["subjects"]))
        return 0
    if cmd == "stream-replicas":
        nc = Nats(port=int(sys.argv[2]))
        print(nc.stream_info(sys.argv[3])["config"].get("num_replicas", 1))
        return 0
    if cmd == "stream-count":
        nc = Nats(port=int(sys.argv[2]))
        print(nc.stream_info(sys.argv[3])["state"]["messages"])
        return 0
    if cmd == "create-stream":
        nc = Nats(port=int(sys.argv[2]))
        nc.stream_create(sys.argv[3], [sys.argv[4]])
        return 0
    if cmd == "max-flows-per-msg":
        nc = Nats(port=int(sys.argv[2]))
        fmt = sys.argv[4] if len(sys.argv) > 4 else "json"
        print(max(len(flows_of(d, fmt)) for _, _, _, d in nc.stream_messages(sys.argv[3])))
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
