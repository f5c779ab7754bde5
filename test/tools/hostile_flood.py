#!/usr/bin/python3
"""hostile_flood.py: hostile NetFlow/IPFIX/sFlow traffic against a collector
on THIS machine (loopback only), interleaved with known good flows.

The hostile part is a timed flood of datagrams of many shapes (random,
truncated, bad lengths, huge counts, template churn, templates with
thousands of fields, zero-length and endless variable-length fields,
IPFIX withdraw storms, data before templates, sFlow with huge counts),
plus mutations of the real captures in --captures (skipped when that
folder is absent), sent from many source addresses in 127.0.0.0/8 (each
socket bound to its own 127.x.y.z; x >= 1, so 127.0.0.0/16 stays clean).

The good part comes from 127.0.0.1 only, one socket: NetFlow v9 and IPFIX
template + data with values derived from a flow index, so that a test can
count exactly which flows landed:

    v9:    src_addr 10.200.<i/256>.<i%256>, dst_addr 10.254.254.9
    IPFIX: src_addr 10.201.<i/256>.<i%256>, dst_addr 10.254.254.10
    both:  bytes = 1000 + i, packets = 1 + i % 1000,
           src_port = 1024 + i % 60000, proto 17, dst_port 9 / 10

A "late" exporter (127.0.0.2, NetFlow v9, dst_addr 10.254.254.11, same
value rule) first appears in the middle of the flood, after the template
churn has started: whether its flows land says whether hostile exporters
can lock a new one out.

A JSON report (what was sent, per class) goes to --report.

Usage: hostile_flood.py --port N [--seconds 40] [--rate 2500]
                        [--captures DIR] [--good-v9 2000] [--good-ipfix 1000]
                        [--late 200] [--sources 3000] [--seed 1]
                        [--classes a,b] [--exclude a,b] [--report OUT.json]
                        [--list-classes]
"""

import argparse
import ipaddress
import json
import os
import random
import socket
import struct
import sys
import time

MAX_UDP = 65507                 # largest IPv4 UDP payload
GOOD_PER_DATAGRAM = 10          # good flow records per datagram

# ---- reading the captures (classic libpcap, Ethernet or Linux SLL) --------


def pcap_udp_payloads(path):
    """UDP payloads of a classic pcap file, in order; fragments skipped."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        return []               # pcapng or something else: not used here
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    out = []
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        payload = udp_payload(frame, linktype)
        if payload is not None:
            out.append(payload)
    return out


def udp_payload(frame, linktype):
    if linktype == 1:           # Ethernet, maybe VLAN tagged
        pos, etype = 14, frame[12:14]
        while etype in (b"\x81\x00", b"\x88\xa8") and len(frame) >= pos + 4:
            etype = frame[pos + 2:pos + 4]
            pos += 4
    elif linktype == 113:       # Linux cooked capture
        pos, etype = 16, frame[14:16]
    else:
        return None
    if etype == b"\x08\x00" and len(frame) >= pos + 20:
        ihl = (frame[pos] & 0x0F) * 4
        flags_frag = struct.unpack("!H", frame[pos + 6:pos + 8])[0]
        if frame[pos + 9] != 17 or flags_frag & 0x3FFF:
            return None
        pos += ihl
    elif etype == b"\x86\xdd" and len(frame) >= pos + 40:
        nh = frame[pos + 6]
        pos += 40
        while nh in (0, 43, 60) and len(frame) >= pos + 8:
            nh, pos = frame[pos], pos + 8 + frame[pos + 1] * 8
        if nh != 17:
            return None
    else:
        return None
    if len(frame) < pos + 8:
        return None
    ulen = struct.unpack("!H", frame[pos + 4:pos + 6])[0]
    return bytes(frame[pos + 8:pos + max(ulen, 8)])


def looks_like_flow_export(p):
    if len(p) < 4:
        return False
    ver16 = struct.unpack("!H", p[:2])[0]
    return ver16 in (5, 9, 10) or struct.unpack("!I", p[:4])[0] == 5


def load_captures(folder):
    """[(file name, [payloads])] for every pcap with flow-export payloads."""
    files = []
    for root, _dirs, names in os.walk(folder):
        for name in sorted(names):
            if not name.endswith(".pcap"):
                continue
            path = os.path.join(root, name)
            payloads = [p for p in pcap_udp_payloads(path) if looks_like_flow_export(p)]
            if payloads:
                files.append((os.path.relpath(path, folder), payloads))
    files.sort()
    return files

# ---- builders ---------------------------------------------------------------


def pad4(b):
    return b + bytes((-len(b)) % 4)


def v9_packet(flowsets, count, seq=1, source_id=0, uptime=100000):
    return struct.pack("!HHIIII", 9, count & 0xFFFF, uptime, int(time.time()),
                       seq & 0xFFFFFFFF, source_id & 0xFFFFFFFF) + b"".join(flowsets)


def flowset(set_id, body, length=None):
    """A v9 flowset or IPFIX set: id, length (of header + body), body."""
    if length is None:
        length = 4 + len(body)
    return struct.pack("!HH", set_id, length & 0xFFFF) + body


def v9_template_record(tid, fields):
    return struct.pack("!HH", tid, len(fields)) + b"".join(struct.pack("!HH", t, n) for t, n in fields)


def ipfix_template_record(tid, fields, count=None):
    """fields: (id, length) or (id, length, pen); a pen sets the enterprise bit."""
    body = b""
    for f in fields:
        if len(f) == 3:
            body += struct.pack("!HHI", f[0] | 0x8000, f[1], f[2])
        else:
            body += struct.pack("!HH", f[0], f[1])
    return struct.pack("!HH", tid, len(fields) if count is None else count) + body


def ipfix_message(sets, domain=0, seq=1, length=None):
    body = b"".join(sets)
    if length is None:
        length = 16 + len(body)
    return struct.pack("!HHIII", 10, length & 0xFFFF, int(time.time()),
                       seq & 0xFFFFFFFF, domain & 0xFFFFFFFF) + body


def sflow_datagram(samples, nsamples=None, agent="192.0.2.77", seq=1, agent_type=1):
    hdr = struct.pack("!II", 5, agent_type)
    if agent_type == 1:
        hdr += socket.inet_aton(agent)
    hdr += struct.pack("!III", 0, seq, 1000)
    hdr += struct.pack("!I", (len(samples) if nsamples is None else nsamples) & 0xFFFFFFFF)
    return hdr + b"".join(samples)


def sflow_sample(tag, body, length=None):
    return struct.pack("!II", tag, (len(body) if length is None else length) & 0xFFFFFFFF) + body


def sflow_flow_sample(records, nrecords=None, seq=1):
    body = struct.pack("!IIIIIII", seq, 3, 1000, 5000, 0, 3, 4)
    body += struct.pack("!I", (len(records) if nrecords is None else nrecords) & 0xFFFFFFFF)
    return body + b"".join(records)


def sflow_record(tag, body, length=None):
    return struct.pack("!II", tag, (len(body) if length is None else length) & 0xFFFFFFFF) + body


def ipv4_udp_frame(src="198.51.100.1", dst="198.51.100.2", vlans=0):
    eth = bytes.fromhex("020000000002020000000001")
    for _ in range(vlans):
        eth += struct.pack("!HH", 0x8100, 10)
    eth += struct.pack("!H", 0x0800)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 1, 0, 64, 17, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    return eth + ip + struct.pack("!HHHH", 1111, 2222, 8, 0)


def raw_header_record(frame, header_len=None, frame_len=None):
    body = struct.pack("!IIII", 1, (frame_len or len(frame) + 4) & 0xFFFFFFFF, 4,
                       (len(frame) if header_len is None else header_len) & 0xFFFFFFFF)
    return sflow_record(1, pad4(body + frame))

# ---- the good exporters ----------------------------------------------------

# IN_BYTES, IN_PKTS, PROTOCOL, L4_SRC_PORT, IPV4_SRC_ADDR, L4_DST_PORT, IPV4_DST_ADDR
GOOD_FIELDS = [(1, 4), (2, 4), (4, 1), (7, 2), (8, 4), (11, 2), (12, 4)]
GOOD_V9_TID = 300
GOOD_IPFIX_TID = 400
GOOD_DOMAIN = 0x600D


def good_record(net, i, dst, dport):
    src = "%d.%d.%d.%d" % (10, net, (i >> 8) & 0xFF, i & 0xFF)
    return struct.pack("!IIBH4sH4s", 1000 + i, 1 + i % 1000, 17, 1024 + i % 60000,
                       socket.inet_aton(src), dport, socket.inet_aton(dst))


def good_v9(indices, seq, net=200, dst="10.254.254.9", dport=9, with_template=True):
    sets = []
    count = len(indices)
    if with_template:
        sets.append(flowset(0, v9_template_record(GOOD_V9_TID, GOOD_FIELDS)))
        count += 1
    sets.append(flowset(GOOD_V9_TID, pad4(b"".join(good_record(net, i, dst, dport) for i in indices))))
    return v9_packet(sets, count, seq=seq, source_id=GOOD_DOMAIN)


def good_ipfix(indices, seq, with_template=True):
    sets = []
    if with_template:
        sets.append(flowset(2, ipfix_template_record(GOOD_IPFIX_TID, GOOD_FIELDS)))
    sets.append(flowset(GOOD_IPFIX_TID,
                        b"".join(good_record(201, i, "10.254.254.10", 10) for i in indices)))
    return ipfix_message(sets, domain=GOOD_DOMAIN, seq=seq)

# ---- hostile shapes ----------------------------------------------------------
# Each returns a list of datagrams to send, in order, from one source.

# Information elements with their usual lengths, for plausible layouts.
KNOWN_IES = [(1, 4), (1, 8), (2, 4), (2, 8), (4, 1), (5, 1), (6, 1), (7, 2), (8, 4),
             (10, 4), (11, 2), (12, 4), (14, 4), (16, 4), (17, 4), (21, 4), (22, 4),
             (27, 16), (28, 16), (32, 2), (34, 4), (35, 1), (56, 6), (58, 2),
             (61, 1), (80, 6), (89, 1), (136, 1), (150, 4), (152, 8), (153, 8)]

INTERESTING16 = [0, 1, 3, 4, 5, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF]
INTERESTING32 = [0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF]


def random_layout(rng, n):
    return [rng.choice(KNOWN_IES) for _ in range(n)]


def record_bytes(rng, fields):
    return rng.randbytes(sum(n for _t, n in fields))


class Shapes:
    """The hostile shapes; each method takes the rng and returns datagrams."""

    def __init__(self, rng, captures):
        self.rng = rng
        self.captures = captures
        self.seq = 0

    def nseq(self):
        self.seq += 1
        return self.seq

    # -- garbage ---------------------------------------------------------

    def random(self):
        r = self.rng
        n = r.choice([0, 1, 2, 3, 4, r.randrange(5, 64), r.randrange(64, 1500), r.randrange(1500, 9000)])
        return [r.randbytes(n)]

    def random_versioned(self):
        r = self.rng
        head = r.choice([struct.pack("!H", 5), struct.pack("!H", 9), struct.pack("!H", 10),
                         struct.pack("!I", 5)])
        return [head + r.randbytes(r.randrange(0, 1400))]

    def truncated(self):
        r = self.rng
        whole = r.choice([self.v5_huge_count, self.template_churn, self.sflow_huge_counts,
                          self.endless_varlen])()[-1]
        return [whole[:r.randrange(0, max(1, len(whole)))]]

    # -- NetFlow v5 ------------------------------------------------------

    def v5_huge_count(self):
        r = self.rng
        nrec = r.randrange(0, 4)
        count = r.choice([31, 255, 0x7FFF, 0xFFFF, nrec + 1, 0])
        hdr = struct.pack("!HHIIIIBBH", 5, count, 1000, int(time.time()), 0, self.nseq(), 0, 0,
                          r.choice([0, 0xFFFF, 0x4000 | 100]))
        return [hdr + r.randbytes(48 * nrec)]

    # -- v9 / IPFIX lengths and counts ------------------------------------

    def v9_bad_lengths(self):
        r = self.rng
        tid = r.randrange(256, 65536)
        fields = random_layout(r, r.randrange(1, 10))
        tmpl = v9_template_record(tid, fields)
        kind = r.randrange(6)
        if kind == 0:       # flowset length 0: a reader that does not check loops forever
            sets = [flowset(0, tmpl), struct.pack("!HH", tid, 0) + record_bytes(r, fields)]
        elif kind == 1:     # length below the set header
            sets = [flowset(0, tmpl, length=r.choice([1, 2, 3]))]
        elif kind == 2:     # length past the datagram
            sets = [flowset(0, tmpl, length=r.choice([len(tmpl) + 5, 0xFFFF]))]
        elif kind == 3:     # template field count larger than the set
            sets = [flowset(0, struct.pack("!HH", tid, 0xFFFF) + tmpl[4:])]
        elif kind == 4:     # options template: scope length odd / longer than the set
            body = struct.pack("!HHH", tid, r.choice([0, 3, 0xFFFC, 8]), r.choice([0, 1, 0xFFFF, 8]))
            sets = [flowset(1, body + r.randbytes(r.randrange(0, 40)))]
        else:               # a template id below 256 used as a data set
            sets = [flowset(r.randrange(2, 256), r.randbytes(r.randrange(0, 200)))]
        return [v9_packet(sets, r.choice([1, 2, 0xFFFF, 0]), seq=self.nseq(),
                          source_id=r.getrandbits(32))]

    def ipfix_bad_lengths(self):
        r = self.rng
        tid = r.randrange(256, 65536)
        fields = random_layout(r, r.randrange(1, 10))
        tmpl = flowset(2, ipfix_template_record(tid, fields))
        data = flowset(tid, record_bytes(r, fields) * r.randrange(1, 5))
        body = tmpl + data
        kind = r.randrange(6)
        if kind == 0:       # message length larger than the datagram
            return [ipfix_message([body], domain=r.getrandbits(32), length=16 + len(body) + r.randrange(1, 3000))]
        if kind == 1:       # message length smaller than its header
            return [ipfix_message([body], domain=r.getrandbits(32), length=r.randrange(0, 16))]
        if kind == 2:       # set length 0 / 3 / past the end
            bad = struct.pack("!HH", tid, r.choice([0, 3, 0xFFFF, len(data) + 1])) + data[4:]
            return [ipfix_message([tmpl, bad], domain=r.getrandbits(32))]
        if kind == 3:       # options template: scope count 0 or above the field count
            n = len(fields)
            rec = struct.pack("!HHH", tid, n, r.choice([0, n + 1, 0xFFFF])) + \
                b"".join(struct.pack("!HH", t, l) for t, l in fields)
            return [ipfix_message([flowset(3, rec)], domain=r.getrandbits(32))]
        if kind == 4:       # a field of length 0xFFFE (fixed, longer than any set)
            bad = flowset(2, ipfix_template_record(tid, [(1, 0xFFFE)]))
            return [ipfix_message([bad, flowset(tid, r.randbytes(100))], domain=r.getrandbits(32))]
        # set ids 4..255 are reserved
        return [ipfix_message([flowset(r.randrange(4, 256), r.randbytes(r.randrange(0, 300)))],
                              domain=r.getrandbits(32))]

    # -- template state ----------------------------------------------------

    def template_churn(self):
        """Many templates of random ids and small layouts, v9 or IPFIX."""
        r = self.rng
        n = r.randrange(20, 300)
        templates = [(r.randrange(256, 65536), random_layout(r, r.randrange(1, 9))) for _ in range(n)]
        if r.random() < 0.5:
            recs = b"".join(v9_template_record(t, f) for t, f in templates)
            return [v9_packet([flowset(0, recs)], n, seq=self.nseq(), source_id=r.randrange(0, 8))]
        recs = b"".join(ipfix_template_record(t, f) for t, f in templates)
        return [ipfix_message([flowset(2, recs)], domain=r.randrange(0, 8), seq=self.nseq())]

    def template_redefine(self):
        """One template id redefined again and again, data in between."""
        r = self.rng
        tid = r.randrange(256, 300)
        out = []
        for _ in range(r.randrange(2, 8)):
            fields = random_layout(r, r.randrange(1, 12))
            out.append(ipfix_message([flowset(2, ipfix_template_record(tid, fields)),
                                      flowset(tid, record_bytes(r, fields) * 3)], domain=1, seq=self.nseq()))
        return out

    def thousands_of_fields(self):
        """Templates far over any sane field count, and at the 512 limit."""
        r = self.rng
        kind = r.randrange(5)
        tid = r.randrange(256, 65536)
        if kind == 0:       # IPFIX, 1000..16000 plain fields in one 64 KB datagram
            n = r.randrange(1000, (MAX_UDP - 24) // 4)
            rec = ipfix_template_record(tid, random_layout(r, n))
            return [ipfix_message([flowset(2, rec)], domain=r.getrandbits(32))]
        if kind == 1:       # IPFIX enterprise fields, 8 bytes each
            n = r.randrange(1000, (MAX_UDP - 24) // 8)
            rec = ipfix_template_record(tid, [(r.randrange(1, 0x7FFF), r.choice([1, 2, 4, 0xFFFF]), r.getrandbits(32)) for _ in range(n)])
            return [ipfix_message([flowset(2, rec)], domain=r.getrandbits(32))]
        if kind == 2:       # v9, field count 65535 with what fits
            n = (MAX_UDP - 28) // 4
            body = struct.pack("!HH", tid, 0xFFFF) + b"".join(struct.pack("!HH", t, l) for t, l in random_layout(r, n))
            return [v9_packet([flowset(0, body)], 1, seq=self.nseq(), source_id=r.getrandbits(32))]
        # at and just over the limit, many per datagram: the memory an exporter can make us hold
        n = r.choice([512, 513, 511])
        per = (MAX_UDP - 24) // (4 + 4 * n)
        recs = b"".join(ipfix_template_record(r.randrange(256, 65536), random_layout(r, n)) for _ in range(per))
        return [ipfix_message([flowset(2, recs)], domain=r.randrange(0, 4))]

    def zero_length_fields(self):
        """511 zero-length fields and one byte; then many 1-byte records."""
        r = self.rng
        tid = r.randrange(256, 65536)
        nzero = r.choice([511, 300, 100])
        fields = [(r.randrange(1, 200), 0) for _ in range(nzero)] + [(4, 1)]
        nrec = r.randrange(100, 3000)
        if r.random() < 0.5:
            return [ipfix_message([flowset(2, ipfix_template_record(tid, fields)),
                                   flowset(tid, r.randbytes(nrec))], domain=r.getrandbits(32))]
        return [v9_packet([flowset(0, v9_template_record(tid, fields)),
                           flowset(tid, pad4(r.randbytes(nrec)))], 1 + nrec, source_id=r.getrandbits(32))]

    def endless_varlen(self):
        """Variable-length fields whose lengths run past the set, or never end."""
        r = self.rng
        tid = r.randrange(256, 65536)
        nvar = r.choice([1, 8, 100, 500])
        fields = [(r.choice([82, 83, 84, 95, 96, 100, 315]), 0xFFFF) for _ in range(nvar)]
        kind = r.randrange(4)
        if kind == 0:       # long form length past the set
            data = b"\xff" + struct.pack("!H", r.choice([0xFFFF, 3000, 70])) + r.randbytes(20)
        elif kind == 1:     # short form lengths just past the end, repeated
            data = bytes([200]) + r.randbytes(50)
        elif kind == 2:     # many zero-length values: tiny records, many of them
            data = bytes(min(nvar * r.randrange(1, 30), 3000))
        else:               # 255 without its two length bytes
            data = b"\x00" * (nvar - 1) + b"\xff"
        return [ipfix_message([flowset(2, ipfix_template_record(tid, fields)),
                               flowset(tid, data)], domain=r.getrandbits(32))]

    def withdraw_storm(self):
        """IPFIX withdrawals: template id 2 with field count 0 (withdraw all), repeated."""
        r = self.rng
        size = r.choice([1472, 1472, 1472, 8000, MAX_UDP - 24])
        kind = r.randrange(3)
        n = (size - 20) // 4
        if kind == 0:
            recs = struct.pack("!HH", 2, 0) * n
            sets = [flowset(2, recs)]
        elif kind == 1:     # options withdraw all in an options template set
            sets = [flowset(3, struct.pack("!HH", 3, 0) * n)]
        else:               # withdraw many single ids (most unknown)
            sets = [flowset(2, b"".join(struct.pack("!HH", r.randrange(256, 65536), 0) for _ in range(n)))]
        domain = r.randrange(0, 4)
        # Something to withdraw first, so that withdrawals are real too.
        seed = ipfix_message([flowset(2, b"".join(ipfix_template_record(256 + k, random_layout(r, 3))
                                                  for k in range(50)))], domain=domain)
        return [seed, ipfix_message(sets, domain=domain, seq=self.nseq())]

    def data_before_template(self):
        """Data sets whose template never comes: fills the pending buffers."""
        r = self.rng
        size = r.choice([1400, 8000, MAX_UDP - 24])
        if r.random() < 0.5:
            sets = []
            left = size
            while left > 100:
                n = r.randrange(50, min(left, 8000))
                sets.append(flowset(r.randrange(256, 65536), r.randbytes(n - 4)))
                left -= n
            return [ipfix_message(sets, domain=r.randrange(0, 16), seq=self.nseq())]
        body = flowset(r.randrange(256, 65536), pad4(r.randbytes(size - 4)))
        return [v9_packet([body], r.randrange(1, 100), seq=self.nseq(), source_id=r.randrange(0, 16))]

    def pending_overflow(self):
        """One exporter, one domain: 2.6 MB of data without template (limit: 1 MiB)."""
        r = self.rng
        dom = r.getrandbits(32)
        return [ipfix_message([flowset(1000 + k, r.randbytes(MAX_UDP - 24))], domain=dom, seq=k)
                for k in range(40)]

    # -- sFlow ---------------------------------------------------------------

    def sflow_huge_counts(self):
        r = self.rng
        frame = ipv4_udp_frame(vlans=r.choice([0, 1, 12]))
        rec = raw_header_record(frame)
        kind = r.randrange(8)
        if kind == 0:       # datagram claims 2^32-1 samples, holds 2
            s = [sflow_sample(1, sflow_flow_sample([rec]))] * 2
            return [sflow_datagram(s, nsamples=0xFFFFFFFF, seq=self.nseq())]
        if kind == 1:       # sample claims 2^32-1 records
            return [sflow_datagram([sflow_sample(1, sflow_flow_sample([rec], nrecords=0xFFFFFFFF))])]
        if kind == 2:       # more samples than the decoder's explicit limit
            s = [sflow_sample(r.choice([(1 << 12) | 1, 0x7FF]), b"")] * r.randrange(1100, 3000)
            return [sflow_datagram(s, seq=self.nseq())]
        if kind == 3:       # more records than the per-sample limit
            recs = [sflow_record((7 << 12) | 9, b"")] * r.randrange(70, 2000)
            return [sflow_datagram([sflow_sample(1, sflow_flow_sample(recs))])]
        if kind == 4:       # sample / record lengths past the end
            return [sflow_datagram([sflow_sample(1, sflow_flow_sample([rec]), length=r.choice(INTERESTING32))])]
        if kind == 5:       # raw header longer than its record, frame length 2^32-1
            bad = raw_header_record(frame, header_len=r.choice([0xFFFFFFFF, 5000, len(frame) + 9]),
                                    frame_len=0xFFFFFFFF)
            return [sflow_datagram([sflow_sample(1, sflow_flow_sample([bad]))])]
        if kind == 6:       # unknown or IPv6 agent address type, cut short
            return [struct.pack("!II", 5, r.choice([2, 3, 0xFFFFFFFF])) + r.randbytes(r.randrange(0, 24))]
        # expanded and counter samples with random bodies
        return [sflow_datagram([sflow_sample(r.choice([2, 3, 4, 5]), r.randbytes(r.randrange(0, 400)))
                                for _ in range(r.randrange(1, 20))])]

    # -- mutations of the real captures --------------------------------------

    def capture_replay(self):
        """A run of one capture's datagrams, unchanged, from a hostile source."""
        name, payloads = self.rng.choice(self.captures)
        return payloads[:self.rng.randrange(1, 30)]

    def capture_mutated(self):
        """A run of one capture's datagrams (templates first), about half mutated."""
        r = self.rng
        name, payloads = r.choice(self.captures)
        out = []
        for p in payloads[:r.randrange(1, 30)]:
            out.append(self.mutate(p) if r.random() < 0.6 else p)
        return out

    def capture_amplified(self):
        """A capture datagram with one of its sets repeated to fill 64 KB."""
        r = self.rng
        name, payloads = r.choice(self.captures)
        p = r.choice(payloads)
        sets = walk_sets(p)
        if not sets:
            return [p]
        start, end = r.choice(sets)
        chunk = p[start:end]
        reps = max(1, (MAX_UDP - len(p)) // max(1, len(chunk)))
        q = p + chunk * min(reps, 2000)
        return [fix_total_length(q[:MAX_UDP])]

    def mutate(self, p):
        r = self.rng
        b = bytearray(p)
        if not b:
            return bytes(b)
        kind = r.randrange(9)
        if kind == 0:       # bit flips
            for _ in range(r.randrange(1, 16)):
                i = r.randrange(len(b))
                b[i] ^= 1 << r.randrange(8)
        elif kind == 1:     # interesting 16-bit values at even offsets (lengths, counts, ids)
            for _ in range(r.randrange(1, 4)):
                i = r.randrange(0, max(1, len(b) - 1)) & ~1
                b[i:i + 2] = struct.pack("!H", r.choice(INTERESTING16))
        elif kind == 2:     # interesting 32-bit values at 4-aligned offsets (sFlow XDR)
            for _ in range(r.randrange(1, 4)):
                i = r.randrange(0, max(1, len(b) - 3)) & ~3
                b[i:i + 4] = struct.pack("!I", r.choice(INTERESTING32))
        elif kind == 3:     # a set's length
            sets = walk_sets(p)
            if sets:
                start, end = r.choice(sets)
                b[start + 2:start + 4] = struct.pack("!H", r.choice([0, 1, 3, 4, 5, end - start - 1,
                                                                        end - start + 1, 0xFFFF]) & 0xFFFF)
        elif kind == 4:     # a template's field count
            for start, end in walk_sets(p):
                if struct.unpack("!H", p[start:start + 2])[0] in (0, 1, 2, 3) and end - start >= 8:
                    b[start + 6:start + 8] = struct.pack("!H", r.choice([0, 1, 511, 512, 513, 0xFFFF]))
                    break
        elif kind == 5:     # the header count / message length
            b[2:4] = struct.pack("!H", r.choice(INTERESTING16))
        elif kind == 6:     # truncate
            del b[r.randrange(len(b)):]
        elif kind == 7:     # random tail
            b += r.randbytes(r.randrange(1, 3000))
        else:               # splice with another capture datagram
            _n, other = r.choice(self.captures)
            q = r.choice(other)
            cut = r.randrange(len(b))
            b = b[:cut] + q[r.randrange(len(q)):]
        return bytes(b[:MAX_UDP])


def walk_sets(p):
    """(start, end) of each v9 flowset / IPFIX set, as far as they parse."""
    if len(p) < 4:
        return []
    ver = struct.unpack("!H", p[:2])[0]
    if ver == 9:
        off = 20
    elif ver == 10:
        off = 16
    else:
        return []
    out = []
    while off + 4 <= len(p):
        length = struct.unpack("!H", p[off + 2:off + 4])[0]
        if length < 4 or off + length > len(p):
            break
        out.append((off, off + length))
        off += length
    return out


def fix_total_length(p):
    """Make an IPFIX message length match the datagram (so only the sets are odd)."""
    if len(p) >= 4 and struct.unpack("!H", p[:2])[0] == 10:
        return p[:2] + struct.pack("!H", len(p) & 0xFFFF) + p[4:]
    return p

# ---- classes, weights and caps ----------------------------------------------

# (name, weight, cap on how many times it may be chosen or None, needs captures)
CLASSES = [
    ("random", 12, None, False),
    ("random_versioned", 10, None, False),
    ("truncated", 8, None, False),
    ("v5_huge_count", 6, None, False),
    ("v9_bad_lengths", 8, None, False),
    ("ipfix_bad_lengths", 8, None, False),
    ("template_churn", 5, None, False),
    ("template_redefine", 3, None, False),
    ("thousands_of_fields", 3, 800, False),
    ("zero_length_fields", 2, 300, False),
    ("endless_varlen", 5, None, False),
    ("withdraw_storm", 3, 400, False),
    ("data_before_template", 4, 600, False),
    ("pending_overflow", 1, 5, False),
    ("sflow_huge_counts", 8, None, False),
    ("capture_replay", 4, None, True),
    ("capture_mutated", 12, None, True),
    ("capture_amplified", 2, 200, True),
]


class SourcePool:
    """Sending sockets bound to 127.x.y.z (x >= 1), replaced now and then."""

    def __init__(self, rng, size, total):
        self.rng = rng
        self.total = total
        self.used = set()
        self.socks = [self.new_socket() for _ in range(size)]

    def new_socket(self):
        while True:
            addr = "127.%d.%d.%d" % (self.rng.randrange(1, 255), self.rng.randrange(0, 256),
                                      self.rng.randrange(1, 255))
            if addr not in self.used or len(self.used) >= self.total:
                break
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        s.bind((addr, 0))
        self.used.add(addr)
        return s

    def pick(self):
        i = self.rng.randrange(len(self.socks))
        if len(self.used) < self.total and self.rng.random() < 0.1:
            self.socks[i].close()
            self.socks[i] = self.new_socket()
        return self.socks[i]

    def close(self):
        for s in self.socks:
            s.close()


def loopback_only(host):
    if not ipaddress.ip_address(host).is_loopback:
        raise SystemExit("hostile_flood: refusing to send to %s: loopback only" % host)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int)
    ap.add_argument("--seconds", type=float, default=40.0)
    ap.add_argument("--rate", type=float, default=2500.0, help="hostile datagrams per second")
    ap.add_argument("--mbytes", type=float, default=20.0, help="hostile MB per second at most")
    ap.add_argument("--captures", default=None)
    ap.add_argument("--good-v9", type=int, default=2000)
    ap.add_argument("--good-ipfix", type=int, default=1000)
    ap.add_argument("--late", type=int, default=200)
    ap.add_argument("--sources", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--classes", default="")
    ap.add_argument("--exclude", default="")
    ap.add_argument("--report", default=None)
    ap.add_argument("--list-classes", action="store_true")
    args = ap.parse_args()

    if args.list_classes:
        for name, w, cap, cap_needed in CLASSES:
            print(name)
        return 0
    if args.port is None:
        ap.error("--port is required")
    loopback_only(args.host)
    rng = random.Random(args.seed)

    captures = []
    capture_note = "no --captures given"
    if args.captures:
        if os.path.isdir(args.captures):
            captures = load_captures(args.captures)
            capture_note = "%d capture files, %d datagrams" % (
                len(captures), sum(len(p) for _n, p in captures))
        else:
            capture_note = "captures folder %s missing: capture classes skipped" % args.captures

    only = set(c for c in args.classes.split(",") if c)
    skip = set(c for c in args.exclude.split(",") if c)
    active = [(n, w, cap) for n, w, cap, needs in CLASSES
              if (not only or n in only) and n not in skip and (captures or not needs)]
    shapes = Shapes(rng, captures)
    dest = (args.host, args.port)

    good = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    good.bind(("127.0.0.1", 0))
    late = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    late.bind(("127.0.0.2", 0))
    pool = SourcePool(rng, 200, args.sources)

    # The good datagrams, in order, each at an even share of the time.
    good_plan = []
    for k in range(0, args.good_v9, GOOD_PER_DATAGRAM):
        good_plan.append(("v9", list(range(k, min(k + GOOD_PER_DATAGRAM, args.good_v9)))))
    ipfix_plan = [("ipfix", list(range(k, min(k + GOOD_PER_DATAGRAM, args.good_ipfix))))
                  for k in range(0, args.good_ipfix, GOOD_PER_DATAGRAM)]
    # interleave v9 and IPFIX datagrams evenly
    merged = []
    for i in range(max(len(good_plan), len(ipfix_plan))):
        if i < len(good_plan):
            merged.append(good_plan[i])
        if i < len(ipfix_plan):
            merged.append(ipfix_plan[i])
    good_plan = merged
    late_plan = [list(range(k, min(k + GOOD_PER_DATAGRAM, args.late)))
                 for k in range(0, args.late, GOOD_PER_DATAGRAM)]

    sent = {n: {"chosen": 0, "datagrams": 0, "bytes": 0, "send_errors": 0} for n, _w, _c in active}
    good_sent = {"v9_flows": 0, "ipfix_flows": 0, "datagrams": 0, "late_flows": 0, "late_datagrams": 0}

    def send_good(kind, idx, seq):
        # Template in every 5th datagram (a refresh), and always in the first.
        with_t = seq % 5 == 0 or seq < 2
        if kind == "v9":
            good.sendto(good_v9(idx, seq, with_template=with_t), dest)
            good_sent["v9_flows"] += len(idx)
        else:
            good.sendto(good_ipfix(idx, seq, with_template=with_t), dest)
            good_sent["ipfix_flows"] += len(idx)
        good_sent["datagrams"] += 1

    # Before the flood: the good exporter is known (its first datagrams).
    gi = 0
    for gi in range(min(2, len(good_plan))):
        send_good(good_plan[gi][0], good_plan[gi][1], gi)
    gi = min(2, len(good_plan))
    time.sleep(0.3)

    t0 = time.monotonic()
    end = t0 + args.seconds
    weights = [w for _n, w, _c in active]
    hostile_n = 0
    hostile_bytes = 0
    late_i = 0
    late_start = args.seconds * 0.5
    while True:
        now = time.monotonic()
        if now >= end:
            break
        el = now - t0
        # Good datagrams spread evenly over the first 95 % of the flood.
        while gi < len(good_plan) and el >= (gi - 2) * args.seconds * 0.95 / max(1, len(good_plan) - 2):
            send_good(good_plan[gi][0], good_plan[gi][1], gi)
            gi += 1
        if late_i < len(late_plan) and el >= late_start + late_i * 0.2:
            late.sendto(good_v9(late_plan[late_i], late_i + 1, net=202, dst="10.254.254.11",
                                dport=11, with_template=True), dest)
            good_sent["late_flows"] += len(late_plan[late_i])
            good_sent["late_datagrams"] += 1
            late_i += 1
        if not active:
            time.sleep(0.01)
            continue
        # Pace: datagram rate and byte rate.
        ahead = max(hostile_n / args.rate, hostile_bytes / (args.mbytes * 1e6)) - el
        if ahead > 0:
            time.sleep(min(ahead, 0.02))
            continue
        k = rng.choices(range(len(active)), weights=weights)[0]
        name, _w, cap = active[k]
        st = sent[name]
        if cap is not None and st["chosen"] >= cap:
            weights[k] = 0
            if not any(weights):
                active = []
            continue
        st["chosen"] += 1
        sock = pool.pick()
        for p in getattr(shapes, name)():
            p = p[:MAX_UDP]
            try:
                sock.sendto(p, dest)
                st["datagrams"] += 1
                st["bytes"] += len(p)
                hostile_n += 1
                hostile_bytes += len(p)
            except OSError:
                st["send_errors"] += 1
    # Whatever good datagrams are left go now, after the flood.
    while gi < len(good_plan):
        send_good(good_plan[gi][0], good_plan[gi][1], gi)
        gi += 1
    while late_i < len(late_plan):
        late.sendto(good_v9(late_plan[late_i], late_i + 1, net=202, dst="10.254.254.11",
                            dport=11, with_template=True), dest)
        good_sent["late_flows"] += len(late_plan[late_i])
        good_sent["late_datagrams"] += 1
        late_i += 1
    elapsed = time.monotonic() - t0
    pool.close()

    report = {
        "seconds": round(elapsed, 2),
        "captures": capture_note,
        "hostile_datagrams": hostile_n,
        "hostile_bytes": hostile_bytes,
        "hostile_sources": len(pool.used),
        "good": good_sent,
        "classes": sent,
    }
    text = json.dumps(report, indent=1, sort_keys=True)
    if args.report:
        with open(args.report, "w") as f:
            f.write(text + "\n")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
