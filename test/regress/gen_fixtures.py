#!/usr/bin/python3
"""gen_fixtures.py - build the regression test's flow datagrams from known values.

Every packet is assembled with struct from the field values written below
(the KNOWN table), so the expected rows of the regression tests can be
checked against those values and against tshark's decode of the same bytes
(see check_fixtures.py), instead of against our own decoder's output.

Writes, in test/regress/fixtures/:
  packets.sql        psql \\set lines, one bytea hex literal per datagram,
                     included by the test scripts
  fixtures.pcap      the same datagrams as Ether/IP/UDP frames from the
                     exporter's address to port 2055 (file only, nothing is sent)
  known_values.json  per fixture and record: the values the rows must show
                     (SQL text form) and the tshark field values

Run with Debian's /usr/bin/python3 (it has scapy).  The output is
deterministic; `gen_fixtures.py --check` fails if the committed files differ.
"""
import ipaddress
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")

def ip4(s):
    return ipaddress.IPv4Address(s).packed

def ip6(s):
    return ipaddress.IPv6Address(s).packed

def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))

def ts_text(ns):
    """timestamptz text as the regression run shows it (TimeZone UTC set by the test)."""
    import datetime
    secs, rem = divmod(ns, 10**9)
    us = rem // 1000
    d = datetime.datetime.fromtimestamp(secs, tz=datetime.timezone.utc)
    s = d.strftime("%Y-%m-%d %H:%M:%S")
    if us:
        s += (".%06d" % us).rstrip("0")
    return s + "+00"

PACKETS = []   # (name, exporter, bytes)
KNOWN = {}     # name -> list of {column: sql text}
TSHARK = {}    # name -> list of {tshark field: value}, the oracle view

# ---------------------------------------------------------------- NetFlow v5

NF5_UPTIME = 100000           # ms
NF5_SECS = 1700000000
NF5_NSECS = 123456000
NF5_EXPORT_NS = NF5_SECS * 10**9 + NF5_NSECS

NF5_RECORDS = [
    dict(src="10.1.2.3", dst="192.168.7.9", nh="10.0.0.1", inif=3, outif=7,
         pkts=12, octets=3456, first=90000, last=99000, sport=443, dport=51234,
         flags=0x1b, proto=6, tos=0x10, sas=65001, das=65002, smask=24, dmask=16),
    dict(src="172.16.5.4", dst="8.8.8.8", nh="0.0.0.0", inif=1, outif=2,
         pkts=1, octets=64, first=99500, last=99500, sport=0, dport=2048,
         flags=0, proto=1, tos=0, sas=0, das=15169, smask=0, dmask=32),
]

def nf5_packet(records, count=None, seq=4242, sampling=0x4000 | 100):
    body = b""
    for r in records:
        body += ip4(r["src"]) + ip4(r["dst"]) + ip4(r["nh"])
        body += struct.pack(">HHIIII", r["inif"], r["outif"], r["pkts"], r["octets"],
                            r["first"], r["last"])
        body += struct.pack(">HHBBBBHHBBH", r["sport"], r["dport"], 0, r["flags"],
                            r["proto"], r["tos"], r["sas"], r["das"], r["smask"],
                            r["dmask"], 0)
    hdr = struct.pack(">HHIIIIBBH", 5, len(records) if count is None else count,
                      NF5_UPTIME, NF5_SECS, NF5_NSECS, seq, 0, 0, sampling)
    return hdr + body

def net(addr, plen):
    return str(ipaddress.ip_network("%s/%d" % (addr, plen), strict=False))

def nf5_known():
    rows, tsh = [], []
    for r in NF5_RECORDS:
        start = NF5_EXPORT_NS - (NF5_UPTIME - r["first"]) * 10**6
        end = NF5_EXPORT_NS - (NF5_UPTIME - r["last"]) * 10**6
        rows.append({
            "type": "NETFLOW_V5", "time_flow_start": ts_text(start),
            "time_flow_end": ts_text(end), "sequence_num": "4242",
            "sampling_rate": "100", "sampling_rate_source": "packet_header",
            "sampler_address": "192.0.2.5",
            "bytes": str(r["octets"]), "packets": str(r["pkts"]),
            "src_addr": r["src"], "dst_addr": r["dst"], "etype": "2048",
            "proto": str(r["proto"]), "src_port": str(r["sport"]),
            "dst_port": str(r["dport"]), "in_if": str(r["inif"]),
            "out_if": str(r["outif"]), "ip_tos": str(r["tos"]),
            "tcp_flags": str(r["flags"]), "src_as": str(r["sas"]),
            "dst_as": str(r["das"]), "next_hop": r["nh"],
            "src_net": net(r["src"], r["smask"]), "dst_net": net(r["dst"], r["dmask"]),
        })
        tsh.append({"cflow.srcaddr": r["src"], "cflow.dstaddr": r["dst"],
                    "cflow.nexthop": r["nh"], "cflow.inputint": str(r["inif"]),
                    "cflow.outputint": str(r["outif"]), "cflow.packets": str(r["pkts"]),
                    "cflow.octets": str(r["octets"]), "cflow.srcport": str(r["sport"]),
                    "cflow.dstport": str(r["dport"]), "cflow.protocol": str(r["proto"]),
                    "cflow.tos": str(r["tos"]), "cflow.srcas": str(r["sas"]),
                    "cflow.dstas": str(r["das"]), "cflow.srcmask": str(r["smask"]),
                    "cflow.dstmask": str(r["dmask"]),
                    "cflow.tcpflags": "0x%02x" % r["flags"],
                    "cflow.sampling_interval": "100", "cflow.sequence": "4242"})
    return rows, tsh

PACKETS.append(("nf5_two", "192.0.2.5", nf5_packet(NF5_RECORDS)))
KNOWN["nf5_two"], TSHARK["nf5_two"] = nf5_known()

# Malformed v5: the header promises 30 records, the datagram has 100 bytes.
bad = nf5_packet(NF5_RECORDS, count=30)[:100]
PACKETS.append(("nf5_bogus_count", "192.0.2.5", bad))
# Malformed v5: only 10 bytes of header.
PACKETS.append(("nf5_truncated", "192.0.2.5", nf5_packet(NF5_RECORDS)[:10]))
# Unknown version 6 (a 24-byte header that is no NetFlow version we read, nor sFlow).
PACKETS.append(("unknown_version", "192.0.2.5",
                struct.pack(">HH", 6, 0) + bytes(20)))
# Three bytes: not even a version word.
PACKETS.append(("too_short", "192.0.2.5", b"\x00\x09\x00"))

# ---------------------------------------------------------------- NetFlow v9

V9_UPTIME = 200000
V9_SECS = 1700000100
V9_SOURCE_ID = 7
V9_TEMPLATE_ID = 256
V9_FIELDS = [  # (field type, length, key)
    (8, 4, "src"), (12, 4, "dst"), (7, 2, "sport"), (11, 2, "dport"),
    (4, 1, "proto"), (1, 4, "octets"), (2, 4, "pkts"), (22, 4, "first"),
    (21, 4, "last"), (10, 2, "inif"), (14, 2, "outif"), (5, 1, "tos"),
    (6, 1, "flags"), (56, 6, "smac"), (58, 2, "svlan"), (15, 4, "nh"),
    (9, 1, "smask"), (13, 1, "dmask"), (16, 4, "sas"), (17, 4, "das"),
]
V9_RECORDS = [
    dict(src="198.51.100.10", dst="203.0.113.20", sport=53, dport=33333, proto=17,
         octets=1500, pkts=3, first=150000, last=190000, inif=10, outif=20,
         tos=0, flags=0, smac="00:11:22:33:44:55", svlan=100, nh="198.51.100.1",
         smask=24, dmask=24, sas=64500, das=4200000000),
    dict(src="198.51.100.11", dst="203.0.113.21", sport=22, dport=40000, proto=6,
         octets=987654, pkts=700, first=100000, last=199999, inif=11, outif=21,
         tos=0xb8, flags=0x1f, smac="aa:bb:cc:dd:ee:ff", svlan=4094, nh="0.0.0.0",
         smask=25, dmask=30, sas=0, das=64501),
]

def v9_header(seq, count):
    return struct.pack(">HHIIII", 9, count, V9_UPTIME, V9_SECS, seq, V9_SOURCE_ID)

def flowset(set_id, body, align=4):
    pad = (-(len(body) + 4)) % align
    body += bytes(pad)
    return struct.pack(">HH", set_id, len(body) + 4) + body

def v9_field_bytes(ftype, length, v):
    if ftype in (8, 12, 15):
        return ip4(v)
    if ftype == 56:
        return mac(v)
    return v.to_bytes(length, "big")

def v9_template_packet(seq=1):
    body = struct.pack(">HH", V9_TEMPLATE_ID, len(V9_FIELDS))
    for t, l, _ in V9_FIELDS:
        body += struct.pack(">HH", t, l)
    return v9_header(seq, 1) + flowset(0, body)

def v9_data_packet(seq=2):
    body = b""
    for r in V9_RECORDS:
        for t, l, k in V9_FIELDS:
            body += v9_field_bytes(t, l, r[k])
    return v9_header(seq, len(V9_RECORDS)) + flowset(V9_TEMPLATE_ID, body)

def v9_known(sampling=None):
    export_ns = V9_SECS * 10**9
    rows, tsh = [], []
    for r in V9_RECORDS:
        row = {
            "type": "NETFLOW_V9",
            "time_flow_start": ts_text(export_ns - (V9_UPTIME - r["first"]) * 10**6),
            "time_flow_end": ts_text(export_ns - (V9_UPTIME - r["last"]) * 10**6),
            "sequence_num": "2", "sampler_address": "192.0.2.9",
            "bytes": str(r["octets"]), "packets": str(r["pkts"]),
            "src_addr": r["src"], "dst_addr": r["dst"], "etype": "2048",
            "proto": str(r["proto"]), "src_port": str(r["sport"]),
            "dst_port": str(r["dport"]), "in_if": str(r["inif"]),
            "out_if": str(r["outif"]), "src_mac": r["smac"],
            "src_vlan": str(r["svlan"]), "ip_tos": str(r["tos"]),
            "tcp_flags": str(r["flags"]), "src_as": str(r["sas"]),
            "dst_as": str(r["das"]), "next_hop": r["nh"],
            "src_net": net(r["src"], r["smask"]), "dst_net": net(r["dst"], r["dmask"]),
            "observation_domain_id": str(V9_SOURCE_ID),
        }
        if sampling:
            row["sampling_rate"] = str(sampling)
            # The rate came in options data (nf9_options), not the record.
            row["sampling_rate_source"] = "options"
        rows.append(row)
        tsh.append({"cflow.srcaddr": r["src"], "cflow.dstaddr": r["dst"],
                    "cflow.srcport": str(r["sport"]), "cflow.dstport": str(r["dport"]),
                    "cflow.protocol": str(r["proto"]), "cflow.octets": str(r["octets"]),
                    "cflow.packets": str(r["pkts"]), "cflow.inputint": str(r["inif"]),
                    "cflow.outputint": str(r["outif"]), "cflow.tos": str(r["tos"]),
                    "cflow.srcmac": r["smac"], "cflow.srcvlan": str(r["svlan"]),
                    "cflow.nexthop": r["nh"], "cflow.srcmask": str(r["smask"]),
                    "cflow.dstmask": str(r["dmask"]), "cflow.srcas": str(r["sas"]),
                    "cflow.dstas": str(r["das"]),
                    "cflow.tcpflags": "0x%02x" % r["flags"]})
    return rows, tsh

PACKETS.append(("nf9_template", "192.0.2.9", v9_template_packet()))
PACKETS.append(("nf9_data", "192.0.2.9", v9_data_packet()))
KNOWN["nf9_data"], TSHARK["nf9_data"] = v9_known()

# v9 options: scope System (1) length 4, SAMPLING_INTERVAL (34) = 1000,
# SAMPLING_ALGORITHM (35) = 2 (random).  Template 257, data in the same
# datagram, before a data flowset of template 256.
V9_OPT_ID = 257
V9_RATE = 1000
def v9_options_packet(seq=3):
    tmpl = struct.pack(">HHH", V9_OPT_ID, 4, 8) + struct.pack(">HH", 1, 4) + \
        struct.pack(">HHHH", 34, 4, 35, 1)
    opt_data = struct.pack(">IIB", 0, V9_RATE, 2)
    return v9_header(seq, 2) + flowset(1, tmpl) + flowset(V9_OPT_ID, opt_data)

PACKETS.append(("nf9_options", "192.0.2.9", v9_options_packet()))
PACKETS.append(("nf9_data_sampled", "192.0.2.9", v9_data_packet(seq=2)))
KNOWN["nf9_data_sampled"], TSHARK["nf9_data_sampled"] = v9_known(sampling=V9_RATE)

# Malformed v9: a template flowset whose template has field count 0
# ("zero-length template"), and a flowset with length 0.
PACKETS.append(("nf9_zero_template", "192.0.2.9",
                v9_header(4, 1) + struct.pack(">HHHH", 0, 8, 300, 0)))
PACKETS.append(("nf9_set_len0", "192.0.2.9",
                v9_header(5, 1) + struct.pack(">HH", 256, 0) + bytes(8)))
# Malformed v9: template flowset cut in the middle of its field list.
tp = v9_template_packet()
PACKETS.append(("nf9_template_cut", "192.0.2.9",
                tp[:20] + struct.pack(">HH", 0, 4 + 4 + 4 * len(V9_FIELDS)) + tp[24:24 + 4 + 4 * 5]))

# ---------------------------------------------------------------- IPFIX

IPFIX_SECS = 1700000200
IPFIX_DOMAIN = 42
IPFIX_TID = 300
IPFIX_OPT_TID = 301
IPFIX_FIELDS = [
    (27, 16, "src"), (28, 16, "dst"), (7, 2, "sport"), (11, 2, "dport"),
    (4, 1, "proto"), (1, 8, "octets"), (2, 8, "pkts"), (152, 8, "start_ms"),
    (153, 8, "end_ms"), (5, 1, "tos"), (31, 4, "label"), (58, 2, "vlan"),
    (56, 6, "smac"), (80, 6, "dmac"), (16, 4, "sas"), (17, 4, "das"),
    (29, 1, "smask"), (10, 4, "inif"), (14, 4, "outif"), (6, 2, "flags"),
]
IPFIX_RECORDS = [
    dict(src="2001:db8::1", dst="2001:db8:0:1::2", sport=443, dport=55000, proto=6,
         octets=5000000000, pkts=4000000, start_ms=1700000150250, end_ms=1700000199999,
         tos=0, label=0xabcde, vlan=42, smac="02:00:00:00:00:01",
         dmac="02:00:00:00:00:02", sas=65550, das=13335, smask=48, inif=100,
         outif=200, flags=0x12),
    dict(src="fe80::1", dst="ff02::1", sport=546, dport=547, proto=17,
         octets=120, pkts=1, start_ms=1700000200000, end_ms=1700000200000,
         tos=0, label=0, vlan=1, smac="02:00:00:00:00:03",
         dmac="33:33:00:01:00:02", sas=0, das=0, smask=10, inif=1, outif=0,
         flags=0),
]
IPFIX_INTERVAL, IPFIX_SPACE = 1, 511   # rate (1 + 511) / 1 = 512

def ipfix_msg(seq, sets):
    body = b"".join(sets)
    return struct.pack(">HHIII", 10, 16 + len(body), IPFIX_SECS, seq, IPFIX_DOMAIN) + body

def ipfix_set(set_id, body):
    return struct.pack(">HH", set_id, len(body) + 4) + body

def ipfix_field_bytes(ie, length, v):
    if ie in (27, 28):
        return ip6(v)
    if ie in (56, 80):
        return mac(v)
    return v.to_bytes(length, "big")

def ipfix_templates(seq=0):
    t = struct.pack(">HH", IPFIX_TID, len(IPFIX_FIELDS))
    for ie, l, _ in IPFIX_FIELDS:
        t += struct.pack(">HH", ie, l)
    o = struct.pack(">HHH", IPFIX_OPT_TID, 3, 1) + \
        struct.pack(">HHHHHH", 149, 4, 305, 4, 306, 4)
    return ipfix_msg(seq, [ipfix_set(2, t), ipfix_set(3, o)])

def ipfix_data(seq=1):
    opt = struct.pack(">III", IPFIX_DOMAIN, IPFIX_INTERVAL, IPFIX_SPACE)
    body = b""
    for r in IPFIX_RECORDS:
        for ie, l, k in IPFIX_FIELDS:
            body += ipfix_field_bytes(ie, l, r[k])
    return ipfix_msg(seq, [ipfix_set(IPFIX_OPT_TID, opt), ipfix_set(IPFIX_TID, body)])

def ipfix_known():
    rows, tsh = [], []
    for r in IPFIX_RECORDS:
        rows.append({
            "type": "IPFIX", "time_flow_start": ts_text(r["start_ms"] * 10**6),
            "time_flow_end": ts_text(r["end_ms"] * 10**6), "sequence_num": "1",
            "sampling_rate": str((IPFIX_INTERVAL + IPFIX_SPACE) // IPFIX_INTERVAL),
            "sampling_rate_source": "options",
            "sampler_address": "2001:db8:ffff::7",
            "bytes": str(r["octets"]), "packets": str(r["pkts"]),
            "src_addr": r["src"], "dst_addr": r["dst"], "etype": "34525",
            "proto": str(r["proto"]), "src_port": str(r["sport"]),
            "dst_port": str(r["dport"]), "in_if": str(r["inif"]),
            "out_if": str(r["outif"]), "src_mac": r["smac"], "dst_mac": r["dmac"],
            "src_vlan": str(r["vlan"]), "ip_tos": str(r["tos"]),
            "tcp_flags": str(r["flags"]), "ipv6_flow_label": str(r["label"]),
            "src_as": str(r["sas"]), "dst_as": str(r["das"]),
            "src_net": net(r["src"], r["smask"]),
            "observation_domain_id": str(IPFIX_DOMAIN),
        })
        tsh.append({"cflow.srcaddrv6": r["src"], "cflow.dstaddrv6": r["dst"],
                    "cflow.srcport": str(r["sport"]), "cflow.dstport": str(r["dport"]),
                    "cflow.protocol": str(r["proto"]), "cflow.octets64": str(r["octets"]),
                    "cflow.packets64": str(r["pkts"]), "cflow.tos": str(r["tos"]),
                    "cflow.ipv6flowlabel": str(r["label"]), "cflow.srcvlan": str(r["vlan"]),
                    "cflow.srcmac": r["smac"], "cflow.dstmac": r["dmac"],
                    "cflow.srcas": str(r["sas"]), "cflow.dstas": str(r["das"]),
                    "cflow.srcmaskv6": str(r["smask"]), "cflow.inputint": str(r["inif"]),
                    "cflow.outputint": str(r["outif"])})
    return rows, tsh

PACKETS.append(("ipfix_templates", "2001:db8:ffff::7", ipfix_templates()))
PACKETS.append(("ipfix_data", "2001:db8:ffff::7", ipfix_data()))
KNOWN["ipfix_data"], TSHARK["ipfix_data"] = ipfix_known()

# Malformed IPFIX: message length disagrees with the datagram; a set of
# length 0 (would loop forever if trusted); a truncated data record set.
m = bytearray(ipfix_templates())
m[2:4] = struct.pack(">H", len(m) + 8)
PACKETS.append(("ipfix_bad_length", "2001:db8:ffff::7", bytes(m)))
PACKETS.append(("ipfix_set_len0", "2001:db8:ffff::7",
                ipfix_msg(9, [struct.pack(">HH", IPFIX_TID, 0) + bytes(4)])))
PACKETS.append(("ipfix_zero_template", "2001:db8:ffff::7",
                ipfix_msg(10, [ipfix_set(2, struct.pack(">HH", 999, 0))])))
PACKETS.append(("ipfix_bad_withdrawal", "2001:db8:ffff::7",
                ipfix_msg(13, [ipfix_set(2, struct.pack(">HH", 5, 0))])))
PACKETS.append(("ipfix_set_past_end", "2001:db8:ffff::7",
                ipfix_msg(12, [struct.pack(">HH", IPFIX_TID, 200) + bytes(20)])))

# ---------------------------------------------------------------- sFlow v5

# One counters sample (format 2) with a generic interface record (1) and
# an Ethernet record (2).  decode() ignores it; the writer stores it in
# goflow2plus.interface_counters.
SF_AGENT = "192.0.2.77"
SF_GENERIC = dict(if_index=5, if_type=6, speed=10000000000, direction=1, status=3,
                  in_octets=18446744073709551000, in_ucast=1001, in_mcast=1002,
                  in_bcast=1003, in_discards=1004, in_errors=1005, in_unknown=1006,
                  out_octets=123456789012, out_ucast=2001, out_mcast=2002,
                  out_bcast=2003, out_discards=2004, out_errors=2005, promisc=1)
SF_ETHER = list(range(3001, 3014))   # the 13 dot3 counters in wire order

def sflow_counters_packet():
    g = SF_GENERIC
    gen = struct.pack(">IIQIIQIIIIIIQIIIIII", g["if_index"], g["if_type"], g["speed"],
                      g["direction"], g["status"], g["in_octets"], g["in_ucast"],
                      g["in_mcast"], g["in_bcast"], g["in_discards"], g["in_errors"],
                      g["in_unknown"], g["out_octets"], g["out_ucast"], g["out_mcast"],
                      g["out_bcast"], g["out_discards"], g["out_errors"], g["promisc"])
    assert len(gen) == 88
    eth = struct.pack(">13I", *SF_ETHER)
    recs = struct.pack(">II", 1, len(gen)) + gen + struct.pack(">II", 2, len(eth)) + eth
    sample = struct.pack(">III", 77, (0 << 24) | 5, 2) + recs
    hdr = struct.pack(">II", 5, 1) + ip4(SF_AGENT) + struct.pack(">IIII", 3, 900, 123456, 1)
    return hdr + struct.pack(">II", 2, len(sample)) + sample

PACKETS.append(("sflow_counters", SF_AGENT, sflow_counters_packet()))
g = SF_GENERIC
KNOWN["sflow_counters"] = [{
    "sampler_address": SF_AGENT, "sub_agent_id": "3", "sequence_num": "77",
    "source_id_type": "0", "source_id_index": "5", "if_index": "5", "if_type": "6",
    "speed": str(g["speed"]), "direction": "1", "status": "3",
    "in_octets": str(g["in_octets"]), "in_ucast_pkts": "1001",
    "in_multicast_pkts": "1002", "in_broadcast_pkts": "1003", "in_discards": "1004",
    "in_errors": "1005", "in_unknown_protos": "1006",
    "out_octets": str(g["out_octets"]), "out_ucast_pkts": "2001",
    "out_multicast_pkts": "2002", "out_broadcast_pkts": "2003",
    "out_discards": "2004", "out_errors": "2005", "promiscuous_mode": "1",
    "dot3_alignment_errors": "3001", "dot3_fcs_errors": "3002",
    "dot3_single_collision_frames": "3003", "dot3_multiple_collision_frames": "3004",
    "dot3_sqe_test_errors": "3005", "dot3_deferred_transmissions": "3006",
    "dot3_late_collisions": "3007", "dot3_excessive_collisions": "3008",
    "dot3_internal_mac_transmit_errors": "3009", "dot3_carrier_sense_errors": "3010",
    "dot3_frame_too_longs": "3011", "dot3_internal_mac_receive_errors": "3012",
    "dot3_symbol_errors": "3013",
}]

# One flow sample (format 1): a raw packet header (802.1Q-tagged
# Ethernet/IPv4/TCP) and an extended gateway record (AS path and
# communities, the array columns).
SF_SEQ = 901
SF_RATE = 2048
SF_HDR = dict(smac="00:00:5e:00:53:01", dmac="00:00:5e:00:53:02", vlan=300,
              src="203.0.113.7", dst="198.51.100.99", tos=0x28, ttl=61, ipid=4321,
              sport=8080, dport=61000, tcpflags=0x18, frame_length=1514)
SF_GW = dict(nexthop="192.0.2.254", router_as=65000, src_as=64512, src_peer_as=64513,
             path=[65001, 65002, 4200000001], communities=[(65001 << 16) | 100, 4294967295])

def sflow_flow_packet():
    from scapy.all import Ether, Dot1Q, IP, TCP
    h = SF_HDR
    frame = bytes(Ether(src=h["smac"], dst=h["dmac"]) / Dot1Q(vlan=h["vlan"]) /
                  IP(src=h["src"], dst=h["dst"], tos=h["tos"], ttl=h["ttl"], id=h["ipid"],
                     flags="DF") /
                  TCP(sport=h["sport"], dport=h["dport"], flags="PA", seq=1, ack=1, window=512))
    hdr = frame[:64] if len(frame) > 64 else frame
    pad = bytes((-len(hdr)) % 4)
    raw = struct.pack(">IIII", 1, h["frame_length"], 4, len(hdr)) + hdr + pad
    g = SF_GW
    gw = struct.pack(">I", 1) + ip4(g["nexthop"]) + struct.pack(
        ">IIII", g["router_as"], g["src_as"], g["src_peer_as"], 1)
    gw += struct.pack(">II", 2, len(g["path"])) + struct.pack(">%dI" % len(g["path"]), *g["path"])
    gw += struct.pack(">I", len(g["communities"])) + \
        struct.pack(">%dI" % len(g["communities"]), *g["communities"])
    gw += struct.pack(">I", 100)    # local_pref
    recs = struct.pack(">II", 1, len(raw)) + raw + struct.pack(">II", 1003, len(gw)) + gw
    # input ifIndex 7 (format 0); output "multiple interfaces": format 2, count 3.
    sample = struct.pack(">IIIIIIII", 78, (0 << 24) | 7, SF_RATE, 1000000, 0,
                         7, (2 << 30) | 3, 2) + recs
    dg = struct.pack(">II", 5, 1) + ip4(SF_AGENT) + struct.pack(">IIII", 3, SF_SEQ, 123999, 1)
    return dg + struct.pack(">II", 1, len(sample)) + sample

PACKETS.append(("sflow_flow", SF_AGENT, sflow_flow_packet()))
# Malformed sFlow: the same datagram cut inside its flow sample; and one
# whose sample count promises a second sample that is not there.
PACKETS.append(("sflow_truncated", SF_AGENT, sflow_flow_packet()[:60]))
_sf = bytearray(sflow_flow_packet())
_sf[24:28] = struct.pack(">I", 2)
PACKETS.append(("sflow_bogus_count", SF_AGENT, bytes(_sf)))
KNOWN["sflow_flow"] = [{
    "type": "SFLOW_5", "sequence_num": str(SF_SEQ), "sampling_rate": str(SF_RATE),
    "sampling_rate_source": "sflow",
    "sampler_address": SF_AGENT, "bytes": str(SF_HDR["frame_length"]), "packets": "1",
    "src_addr": SF_HDR["src"], "dst_addr": SF_HDR["dst"], "etype": "2048", "proto": "6",
    "src_port": str(SF_HDR["sport"]), "dst_port": str(SF_HDR["dport"]),
    "in_if": "7", "out_if": "3", "in_if_format": "0", "out_if_format": "2",
    "src_mac": SF_HDR["smac"], "dst_mac": SF_HDR["dmac"], "vlan_id": str(SF_HDR["vlan"]),
    "ip_tos": str(SF_HDR["tos"]), "ip_ttl": str(SF_HDR["ttl"]), "ip_flags": "2",
    "tcp_flags": str(SF_HDR["tcpflags"]), "fragment_id": str(SF_HDR["ipid"]),
    "fragment_offset": "0", "src_as": str(SF_GW["src_as"]),
    "dst_as": str(SF_GW["path"][-1]), "next_hop_as": str(SF_GW["path"][0]),
    "bgp_next_hop": SF_GW["nexthop"],
    "as_path": "{%s}" % ",".join(str(a) for a in SF_GW["path"]),
    "bgp_communities": "{%s}" % ",".join(str(c) for c in SF_GW["communities"]),
}]

# One datagram with two discarded packet samples (enterprise 0, format 5,
# sFlow dropped packet notification extension): sequence_number,
# source_id_type, source_id_index, drops, input, output, reason, then flow
# records.  The first carries a raw packet header (802.1Q/IPv4/UDP) and is
# dropped for reason 258 (acl); the second has no record at all, reason 257
# (ttl_exceeded), input unknown (0).  Codes from the extension's drop_reason
# list.  tshark shows these samples only as "Unknown sample format", so
# check_fixtures.py has it dissect the header bytes of the row instead.
SFD_SEQ = 4711
SFD_SAMPLES = [
    dict(seq=31, src_type=0, src_index=12, drops=5, inif=12, outif=13, reason=258),
    dict(seq=32, src_type=0, src_index=14, drops=0, inif=0, outif=14, reason=257),
]
SFD_HDR = dict(smac="00:00:5e:00:53:0a", dmac="00:00:5e:00:53:0b", vlan=77,
               src="192.0.2.33", dst="198.51.100.44", sport=5353, dport=53,
               frame_length=90)

def sflow_drop_frame():
    from scapy.all import Ether, Dot1Q, IP, UDP, Raw
    h = SFD_HDR
    return bytes(Ether(src=h["smac"], dst=h["dmac"]) / Dot1Q(vlan=h["vlan"]) /
                 IP(src=h["src"], dst=h["dst"], ttl=1, id=7) /
                 UDP(sport=h["sport"], dport=h["dport"]) / Raw(b"q" * 16))

def sflow_drop_packet():
    frame = sflow_drop_frame()
    raw = struct.pack(">IIII", 1, SFD_HDR["frame_length"], 4, len(frame)) + frame + \
        bytes((-len(frame)) % 4)
    samples = b""
    for i, d in enumerate(SFD_SAMPLES):
        recs = struct.pack(">II", 1, len(raw)) + raw if i == 0 else b""
        body = struct.pack(">IIIIIIII", d["seq"], d["src_type"], d["src_index"], d["drops"],
                           d["inif"], d["outif"], d["reason"], 1 if i == 0 else 0) + recs
        samples += struct.pack(">II", 5, len(body)) + body
    return struct.pack(">II", 5, 1) + ip4(SF_AGENT) + \
        struct.pack(">IIII", 3, SFD_SEQ, 124000, len(SFD_SAMPLES)) + samples

PACKETS.append(("sflow_drop", SF_AGENT, sflow_drop_packet()))
_h = SFD_HDR
KNOWN["sflow_drop"] = []
for _i, _d in enumerate(SFD_SAMPLES):
    _row = {"sampler_address": SF_AGENT, "sub_agent_id": "3", "sequence_num": str(_d["seq"]),
            "source_id_type": str(_d["src_type"]), "source_id_index": str(_d["src_index"]),
            "drops": str(_d["drops"]), "in_if": str(_d["inif"]), "out_if": str(_d["outif"]),
            "reason": str(_d["reason"])}
    if _i == 0:
        _row.update({"header_protocol": "1", "frame_length": str(_h["frame_length"]),
                     "header": "\\x" + sflow_drop_frame().hex(),
                     "src_addr": _h["src"], "dst_addr": _h["dst"], "etype": "2048",
                     "proto": "17", "src_port": str(_h["sport"]), "dst_port": str(_h["dport"]),
                     "src_mac": _h["smac"], "dst_mac": _h["dmac"], "vlan_id": str(_h["vlan"])})
    KNOWN["sflow_drop"].append(_row)

# ---------------------------------------------------------------- output

def write_all(outdir):
    os.makedirs(outdir, exist_ok=True)
    lines = ["-- Generated by test/regress/gen_fixtures.py; do not edit.",
             "-- One psql variable per datagram, as a bytea hex literal."]
    for name, exp, data in PACKETS:
        lines.append("\\set %s '\\\\x%s'" % (name, data.hex()))
        lines.append("\\set %s_exporter '%s'" % (name, exp))
    with open(os.path.join(outdir, "packets.sql"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(outdir, "known_values.json"), "w") as f:
        json.dump({"rows": KNOWN, "tshark": TSHARK,
                   "packets": [n for n, _, _ in PACKETS]}, f, indent=1, sort_keys=True)
        f.write("\n")
    from scapy.all import Ether, IP, IPv6, UDP, Raw, wrpcap
    frames = []
    for i, (name, exp, data) in enumerate(PACKETS):
        if ":" in exp:
            l3 = IPv6(src=exp, dst="::1")
        else:
            l3 = IP(src=exp, dst="127.0.0.1")
        dport = 4739 if name.startswith("ipfix") else \
            6343 if name.startswith("sflow") else 2055
        fr = Ether(src="02:00:00:00:00:aa", dst="02:00:00:00:00:bb") / l3 / \
            UDP(sport=50000, dport=dport) / Raw(data)
        fr.time = 1700000000 + i
        frames.append(fr)
    wrpcap(os.path.join(outdir, "fixtures.pcap"), frames)

if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--check":
        import filecmp, tempfile
        with tempfile.TemporaryDirectory() as tmp:
            write_all(tmp)
            bad = [n for n in ("packets.sql", "known_values.json")
                   if not filecmp.cmp(os.path.join(tmp, n), os.path.join(OUT, n), shallow=False)]
        if bad:
            sys.exit("fixtures out of date: %s (run gen_fixtures.py)" % ", ".join(bad))
        print("fixtures up to date")
    else:
        write_all(OUT)
