#!/usr/bin/python3
"""gen_legacy_netflow.py: NetFlow datagrams that no exporter on this
machine sends, built byte by byte from the format descriptions, written as
a pcap (UDP from 127.0.0.1 to port 2055, where tshark decodes NetFlow
without being told).  test/e2e/legacy_e2e.sh replays the payloads to a
collector and compares the rows with tshark's decode of this pcap: tshark
is the oracle, this script only decides what is sent.

What it holds, one datagram per line of `--list`:
  * NetFlow v1 and v7, two records each;
  * NetFlow v8, one datagram per aggregation scheme 1 to 14, two records
    each, the values varied per scheme and record;
  * vendor quirks: a v5 datagram longer than its count needs (zero
    padding, and a count smaller than the records sent); a v9 template
    with fields of length 65535, read as IPFIX variable-length fields
    (H3C NetStream does this; GoFlow2 PR 77, logstash-codec-netflow 149);
    a v9 datagram zero-padded to 1408 bytes after its last flowset
    (nfdump issue 73, GoFlow2 issue 499); FIRST/LAST_SWITCHED sent in 8
    bytes (Cisco NX-OS, nfdump issue 80);
  * Cisco ASA NSEL (v9): create, update and teardown event records of one
    connection, bytes in initiatorOctets/responderOctets (231/232).

Times: every datagram's export time is --t0 (default: now - 60 s) and its
sysUptime is 3 days (so First/Last are plain uptime readings), except one
v8 datagram whose uptime has just wrapped (records from before the wrap).

--facts FILE writes what the datagrams hold beyond what tshark shows, as
JSON, for checks that do not go through tshark: the padding bytes sent
(v1/v5/v7/v8 beyond the count, v9 zeros after the last flowset), the
NX-OS flows' times (tshark shows 8-byte uptimes as 1970), the NSEL
connection's counters per event.

Usage: gen_legacy_netflow.py OUT.pcap [--t0 UNIX_SECONDS] [--list] [--facts FILE]
"""

import argparse
import json
import struct
import sys
import time

UPTIME = 3 * 86400 * 1000          # ms


def ip4(s):
    return bytes(int(x) for x in s.split("."))


def hdr_common(version, count, uptime, t0):
    return struct.pack("!HHIII", version, count, uptime, t0, 250000000)


def v1(t0):
    recs = b""
    for i in range(2):
        recs += ip4("10.1.0.%d" % (i + 1)) + ip4("10.2.0.1") + ip4("10.3.0.1")
        recs += struct.pack("!HHIIII", 3 + i, 4, 10 + i, 1500 + 100 * i,
                            UPTIME - 30000, UPTIME - 2000 - i)
        recs += struct.pack("!HHHBBBBBBI", 1024 + i, 80, 0, 6, 0x10, 0x1b, 0, 0, 0, 0)
    return hdr_common(1, 2, UPTIME, t0) + recs


def v7(t0):
    recs = b""
    for i in range(2):
        recs += ip4("172.16.%d.1" % i) + ip4("172.17.0.9") + ip4("172.18.0.1")
        recs += struct.pack("!HHIIII", 21, 22 + i, 7 + i, 700 + i, UPTIME - 50000, UPTIME - 1000)
        recs += struct.pack("!HHBBBBHHBBH", 53000 + i, 53, 0, 0x02, 17, 0xb8,
                            64500 + i, 64600, 16, 24, 0)
        recs += ip4("192.0.2.%d" % (10 + i))   # router_sc
    return hdr_common(7, 2, UPTIME, t0) + struct.pack("!II", 4242, 0) + recs


# v8 records in Cisco's field order; k varies the values per record.
def v8_record(scheme, k):
    flows, pkts, octs = 3 + k, 100 + k, 150000 + 1000 * k
    first, last = UPTIME - 60000 - k, UPTIME - 5000 + k
    router = struct.pack("!IIIII", flows, pkts, octs, first, last)
    sas, das, inp, out = 65010 + k, 65020 + k, 31 + k, 32 + k
    sport, dport, prot, tos = 123 + k, 4500 + k, (6, 17)[k % 2], 0x20 + 4 * k
    spfx, dpfx = ip4("198.51.%d.0" % (100 + k)), ip4("203.0.%d.0" % (113 + k))
    smask, dmask = 24 - k, 25 + k
    if scheme == 1:
        return router + struct.pack("!HHHH", sas, das, inp, out)
    if scheme == 2:
        return router + struct.pack("!BBHHH", prot, 0, 0, sport, dport)
    if scheme == 3:
        return router + spfx + struct.pack("!BBHHH", smask, 0, sas, inp, 0)
    if scheme == 4:
        return router + dpfx + struct.pack("!BBHHH", dmask, 0, das, out, 0)
    if scheme == 5:
        return router + spfx + dpfx + struct.pack("!BBHHHHH", dmask, smask, 0, sas, das, inp, out)
    dst, src = ip4("203.0.113.%d" % (9 + k)), ip4("198.51.100.%d" % (7 + k))
    if scheme == 6:
        return dst + struct.pack("!IIIIHBBI", pkts, octs, first, last, out, tos, tos + 8, k) + ip4("192.0.2.9")
    if scheme == 7:
        return dst + src + struct.pack("!IIIIHHBBHI", pkts, octs, first, last, out, inp, tos, tos + 8, 0, k) + ip4("192.0.2.9")
    if scheme == 8:
        return dst + src + struct.pack("!HHIIIIHHBBBBI", dport, sport, pkts, octs, first, last,
                                       out, inp, tos, prot, tos + 8, 0, k) + ip4("192.0.2.9")
    if scheme == 9:
        return router + struct.pack("!HHHHBBH", sas, das, inp, out, tos, 0, 0)
    if scheme == 10:
        return router + struct.pack("!BBHHHHH", prot, tos, 0, sport, dport, inp, out)
    if scheme == 11:
        return router + spfx + struct.pack("!BBHHH", smask, tos, sas, inp, 0)
    if scheme == 12:
        return router + dpfx + struct.pack("!BBHHH", dmask, tos, das, out, 0)
    if scheme == 13:
        return router + spfx + dpfx + struct.pack("!BBBBHHHH", dmask, smask, tos, 0, sas, das, inp, out)
    if scheme == 14:
        return router + spfx + dpfx + struct.pack("!BBBBHHHH", dmask, smask, tos, prot, sport, dport, inp, out)
    raise ValueError(scheme)


def v8(t0, scheme, uptime=UPTIME):
    recs = v8_record(scheme, 0) + v8_record(scheme, 1)
    if uptime != UPTIME:
        # Re-stamp First/Last relative to this uptime (across its wrap).
        recs = b""
        for k in range(2):
            r = bytearray(v8_record(scheme, k))
            struct.pack_into("!II", r, 12, (uptime - 9000 - k) % (1 << 32), (uptime - 2000) % (1 << 32))
            recs += bytes(r)
    h = hdr_common(8, 2, uptime, t0) + struct.pack("!IBBBBI", 800 + scheme, 0, 1, scheme, 2, 0)
    return h + recs


def v5_record(i):
    r = ip4("10.5.0.%d" % (i + 1)) + ip4("10.6.0.1") + ip4("0.0.0.0")
    r += struct.pack("!HHIIII", 1, 2, 5 + i, 500 + i, UPTIME - 8000, UPTIME - 1000)
    r += struct.pack("!HHBBBBHHBBH", 2000 + i, 443, 0, 0x18, 6, 0, 0, 0, 0, 0, 0)
    return r


def v5_padded(t0, count, n_records, pad):
    h = hdr_common(5, count, UPTIME, t0) + struct.pack("!IBBH", 55, 0, 0, 0)
    return h + b"".join(v5_record(i) for i in range(n_records)) + b"\0" * pad


def flowset(set_id, body):
    body += b"\0" * (-len(body) % 4)
    return struct.pack("!HH", set_id, 4 + len(body)) + body


def v9(t0, sets, count, source_id):
    return struct.pack("!HHIIII", 9, count, UPTIME, t0, 1, source_id) + b"".join(sets)


def template(tid, fields):
    return struct.pack("!HH", tid, len(fields)) + b"".join(struct.pack("!HH", i, n) for i, n in fields)


def varlen(b):
    if len(b) < 255:
        return bytes([len(b)]) + b
    return b"\xff" + struct.pack("!H", len(b)) + b


def v9_varlen(t0):
    # IN_BYTES, IN_PKTS, PROTOCOL, L4_SRC_PORT, IPV4_SRC_ADDR, L4_DST_PORT,
    # IPV4_DST_ADDR, APPLICATION_NAME (96) of variable length, FIRST/LAST.
    fields = [(1, 4), (2, 4), (4, 1), (7, 2), (8, 4), (11, 2), (12, 4), (96, 65535), (22, 4), (21, 4)]
    data = b""
    for i, name in enumerate((b"dns", b"", b"x" * 300)):
        data += struct.pack("!IIBH", 900 + i, 9 + i, 17, 3000 + i) + ip4("10.9.0.%d" % (i + 1))
        data += struct.pack("!H", 53) + ip4("10.9.1.1") + varlen(name)
        data += struct.pack("!II", UPTIME - 4000, UPTIME - 3000)
    return v9(t0, [flowset(0, template(300, fields)), flowset(300, data)], 4, 11)


def v9_zero_padded(t0, size=1408):
    fields = [(8, 4), (12, 4), (4, 1), (7, 2), (11, 2), (1, 4), (2, 4), (22, 4), (21, 4)]
    data = b""
    for i in range(2):
        data += ip4("10.7.0.%d" % (i + 1)) + ip4("10.7.1.1") + struct.pack(
            "!BHHIIII", 6, 4000 + i, 22, 4000 + i, 4 + i, UPTIME - 7000, UPTIME - 6000)
    dg = v9(t0, [flowset(0, template(301, fields)), flowset(301, data)], 3, 12)
    return dg + b"\0" * (size - len(dg))


def v9_nxos(t0):
    # FIRST/LAST_SWITCHED in 8 bytes: a 32-bit uptime behind 4 zero bytes.
    fields = [(8, 4), (12, 4), (4, 1), (7, 2), (11, 2), (1, 8), (2, 8), (22, 8), (21, 8)]
    data = b""
    for i in range(2):
        data += ip4("10.8.0.%d" % (i + 1)) + ip4("10.8.1.1") + struct.pack(
            "!BHHQQQQ", 17, 5000 + i, 161, 6000 + i, 6 + i, UPTIME - 9000, UPTIME - 500)
    return v9(t0, [flowset(0, template(302, fields)), flowset(302, data)], 3, 13)


def nsel(t0):
    """Cisco ASA NSEL: one connection's create, update and teardown events.
    Create events carry no counters; update events the bytes since the
    last update; the teardown event the connection's totals."""
    base = [(148, 4), (8, 4), (7, 2), (12, 4), (11, 2), (4, 1), (233, 1), (323, 8)]
    create = template(263, base + [(152, 8)])
    counted = template(264, base + [(231, 4), (232, 4), (152, 8)])
    ms0 = (t0 - 40) * 1000

    def rec(event, at_ms):
        return struct.pack("!I", 77001) + ip4("10.20.0.5") + struct.pack("!H", 51515) + \
            ip4("198.51.100.80") + struct.pack("!HBBQ", 443, 6, event, at_ms)
    data_create = rec(1, ms0) + struct.pack("!Q", ms0)
    # Two updates (deltas 1000+5000 and 400+2000), then the teardown
    # (totals 1400+7000): the sum of all three counts the traffic twice.
    data_counted = rec(5, ms0 + 10000) + struct.pack("!IIQ", 1000, 5000, ms0)
    data_counted += rec(5, ms0 + 20000) + struct.pack("!IIQ", 400, 2000, ms0)
    data_counted += rec(2, ms0 + 25000) + struct.pack("!IIQ", 1400, 7000, ms0)
    return v9(t0, [flowset(0, create + counted), flowset(263, data_create), flowset(264, data_counted)],
              6, 0)


def datagrams(t0):
    out = [("v1", v1(t0)), ("v7", v7(t0))]
    for s in range(1, 15):
        out.append(("v8 scheme %d" % s, v8(t0, s)))
    out.append(("v8 scheme 5 after an uptime wrap", v8(t0, 5, uptime=4000)))
    out.append(("v5 with 20 bytes of padding", v5_padded(t0, 2, 2, 20)))
    out.append(("v5 count 1, 2 records sent", v5_padded(t0, 1, 2, 0)))
    out.append(("v9 fields of length 65535 (variable)", v9_varlen(t0)))
    out.append(("v9 zero-padded to 1408 bytes", v9_zero_padded(t0)))
    out.append(("v9 FIRST/LAST_SWITCHED in 8 bytes", v9_nxos(t0)))
    out.append(("NSEL create/update/teardown", nsel(t0)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--t0", type=int, default=int(time.time()) - 60)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--facts", default=None)
    args = ap.parse_args()
    from scapy.all import IP, UDP, Raw, wrpcap
    dgs = datagrams(args.t0)
    pkts = []
    for i, (name, payload) in enumerate(dgs):
        p = IP(src="127.0.0.1", dst="127.0.0.1") / UDP(sport=40000 + i, dport=2055) / Raw(payload)
        p.time = args.t0 + i * 0.001
        pkts.append(p)
        if args.list:
            print("%2d %-40s %5d bytes" % (i + 1, name, len(payload)))
    wrpcap(args.out, pkts)
    if args.facts:
        export_ns = args.t0 * 1000000000 + 250000000
        nxos_export_ns = args.t0 * 1000000000      # v9: whole seconds
        padded = {name: len(p) - used for name, p, used in (
            ("v5 with 20 bytes of padding", v5_padded(args.t0, 2, 2, 20), 24 + 2 * 48),
            ("v5 count 1, 2 records sent", v5_padded(args.t0, 1, 2, 0), 24 + 48),
            ("v9 zero-padded to 1408 bytes", v9_zero_padded(args.t0), len(v9_zero_padded(args.t0, 0))))}
        facts = {
            "export_ns": export_ns,
            "padded_datagrams": len(padded),
            "padding_bytes": sum(padded.values()),
            "padding": padded,
            # src 10.8.0.x: First = UPTIME - 9000 ms, Last = UPTIME - 500 ms
            "nxos": {"src_prefix": "10.8.0.", "start_ns": nxos_export_ns - 9000 * 1000000,
                     "end_ns": nxos_export_ns - 500 * 1000000},
            # NSEL: event -> [initiator + responder bytes] per record
            "nsel": {"src": "10.20.0.5", "create": [], "update": [6000, 2400], "teardown": [8400]},
        }
        with open(args.facts, "w") as fh:
            json.dump(facts, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
