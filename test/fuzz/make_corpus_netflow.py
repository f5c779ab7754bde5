#!/usr/bin/python3
"""Write seed datagrams for fuzz_netflow into test/fuzz/corpus_netflow.

The packets mirror those of test/unit/test_netflow_v5.c, test_netflow_v9.c
and test_ipfix.c: a v5 datagram, v9 templates + data + options (sampling),
IPFIX with enterprise and variable-length fields, options with 305/306, a
withdrawal, and interface tables (v9 as IOS-XE, IPFIX as IOS-XR, with a
variable-length name); and the datagrams of test/e2e/gen_legacy_netflow.py
(NetFlow v1, v7, v8 of every scheme, vendor quirks, NSEL).  Run: /usr/bin/python3 test/fuzz/make_corpus_netflow.py
"""
import os
import struct
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus_netflow")
SECS = 1700000000


def ip4(*a):
    return bytes(a)


def nset(set_id, body):
    return struct.pack(">HH", set_id, 4 + len(body)) + body


def v5():
    hdr = struct.pack(">HHIIIIBBH", 5, 2, 100000, SECS, 500000000, 42, 1, 2, 0x4000 | 100)
    recs = b""
    for host, first in ((1, 90000), (9, 4294966296)):
        recs += (ip4(10, 0, 0, host) + ip4(10, 0, 1, 2) + ip4(10, 0, 0, 254)
                 + struct.pack(">HHIIIIHHBBBBHHBBH", 3, 4, 10, 1500, first, 99000,
                               1234, 80, 0, 0x1B, 6, 0x10, 65001, 65002, 24, 16, 0))
    return hdr + recs


BASIC = [(8, 4), (12, 4), (15, 4), (7, 2), (11, 2), (4, 1), (6, 1), (5, 1), (1, 4),
         (2, 4), (22, 4), (21, 4), (10, 2), (14, 2), (9, 1), (13, 1), (16, 2), (17, 2)]


def basic_record(host):
    return (ip4(10, 1, 0, host) + ip4(10, 2, 0, 1) + ip4(10, 3, 0, 1)
            + struct.pack(">HHBBBIIIIHHBBHH", 5000, 443, 17, 0, 0xB8, 3000, 3,
                          150000, 199000, 7, 8, 8, 32, 64512, 13335))


def v9_template(tid, fields):
    return struct.pack(">HH", tid, len(fields)) + b"".join(struct.pack(">HH", *f) for f in fields)


def v9(sets, count=1, source=33):
    return struct.pack(">HHIIII", 9, count, 200000, SECS, 7, source) + b"".join(sets)


def v9_options_sampling():
    tpl = struct.pack(">HHH", 257, 4, 8) + struct.pack(">HHHHHH", 1, 4, 34, 4, 35, 1) + b"\0\0"
    data = struct.pack(">IIB", 0, 100, 2) + b"\0\0\0"
    return [nset(1, tpl), nset(257, data)]


def ipfix(sets, domain=5, seq=99):
    body = b"".join(sets)
    return struct.pack(">HHIII", 10, 16 + len(body), SECS, seq, domain) + body


def ipfix_fields(fields):
    out = b""
    for fid, flen, pen in fields:
        out += struct.pack(">HH", fid | (0x8000 if pen else 0), flen)
        if pen:
            out += struct.pack(">I", pen)
    return out


def ipfix_varlen():
    fields = [(8, 4, 0), (100, 4, 9), (101, 65535, 9), (11, 2, 0), (82, 65535, 0), (7, 2, 0)]
    tpl = struct.pack(">HH", 256, len(fields)) + ipfix_fields(fields)
    r1 = ip4(1, 1, 1, 1) + struct.pack(">I", 0xDEADBEEF) + b"\x03abc" + struct.pack(">H", 443) + b"\x00" + struct.pack(">H", 1111)
    r2 = (ip4(2, 2, 2, 2) + struct.pack(">I", 0) + b"\xff" + struct.pack(">H", 30) + b"\xee" * 30
          + struct.pack(">H", 8443) + b"\x04eth0" + struct.pack(">H", 2222))
    return ipfix([nset(2, tpl), nset(256, r1 + r2)])


def ipfix_times_sampling():
    basic = [(8, 4, 0), (12, 4, 0), (7, 2, 0), (11, 2, 0), (4, 1, 0), (1, 8, 0), (2, 8, 0),
             (152, 8, 0), (153, 8, 0), (302, 4, 0)]
    tpl = struct.pack(">HH", 256, len(basic)) + ipfix_fields(basic)
    rec = (ip4(192, 168, 0, 1) + ip4(192, 168, 1, 1)
           + struct.pack(">HHBQQQQI", 40000, 53, 17, 120, 2, 1699999990123, 1699999999456, 1))
    opts = [(302, 4, 0), (305, 4, 0), (306, 4, 0)]
    otpl = struct.pack(">HHH", 300, len(opts), 1) + ipfix_fields(opts)
    odata = struct.pack(">III", 1, 1, 99) + struct.pack(">III", 2, 3, 7)
    init = [(149, 4, 0), (160, 8, 0)]
    itpl = struct.pack(">HHH", 301, len(init), 1) + ipfix_fields(init)
    idata = struct.pack(">IQ", 5, 1699990000000)
    return ipfix([nset(3, otpl), nset(300, odata), nset(3, itpl), nset(301, idata),
                  nset(2, tpl), nset(256, rec + rec + b"\0\0\0")])


def ipfix_withdraw():
    return ipfix([nset(2, struct.pack(">HH", 256, 0)), nset(2, struct.pack(">HH", 2, 0)),
                  nset(3, struct.pack(">HH", 3, 0))])


def v9_interface_table():
    # Scope System; INPUT_SNMP, IF_NAME (33), IF_DESC (65), OUTPUT_SNMP.
    tpl = (struct.pack(">HHH", 258, 4, 16) + struct.pack(">HH", 1, 4)
           + struct.pack(">HHHHHHHH", 10, 4, 82, 33, 83, 65, 14, 4))
    recs = b""
    for idx, name, descr in ((1, b"Te0/0/0", b"TenGigabitEthernet0/0/0"), (7, b"Gi\xc3\xa90\xff", b"")):
        recs += ip4(10, 33, 67, 189) + struct.pack(">I", idx) + name.ljust(33, b"\0") \
            + descr.ljust(65, b"\0") + struct.pack(">I", idx)
    return v9([nset(1, tpl), nset(258, recs)], 2)


def ipfix_interface_table():
    # Scope ingress + egress interface; description and name 64 bytes, then
    # a template with a variable-length name and egress only.
    opts = [(10, 4, 0), (14, 4, 0), (83, 64, 0), (82, 64, 0)]
    otpl = struct.pack(">HHH", 310, len(opts), 2) + ipfix_fields(opts)
    rec = struct.pack(">II", 42, 42) + b"TenGigE0/0/0/0".ljust(64, b"\0") + b"TenGigE0_0_0_0".ljust(64, b"\0")
    vopts = [(14, 2, 0), (82, 65535, 0)]
    vtpl = struct.pack(">HHH", 311, len(vopts), 1) + ipfix_fields(vopts)
    vrec = struct.pack(">H", 5) + b"\x04eth5"
    return ipfix([nset(3, otpl), nset(310, rec), nset(3, vtpl), nset(311, vrec)])


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {
        "v5_two_records": v5(),
        "v9_template_and_data": v9([nset(0, v9_template(256, BASIC)),
                                    nset(256, basic_record(1) + basic_record(2) + b"\0\0\0")], 3),
        "v9_data_before_template": v9([nset(256, basic_record(1))]),
        "v9_template_only": v9([nset(0, v9_template(256, BASIC))]),
        "v9_options_sampling": v9(v9_options_sampling(), 2),
        "ipfix_varlen_enterprise": ipfix_varlen(),
        "ipfix_times_sampling": ipfix_times_sampling(),
        "ipfix_withdraw": ipfix_withdraw(),
        "v9_interface_table": v9_interface_table(),
        "ipfix_interface_table": ipfix_interface_table(),
    }
    # NetFlow v1, v7, v8 (every aggregation scheme), the vendor quirks and
    # NSEL, as test/e2e/gen_legacy_netflow.py builds them.
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "e2e"))
    import gen_legacy_netflow as legacy
    for i, (what, data) in enumerate(legacy.datagrams(SECS)):
        seeds["legacy_%02d_%s" % (i + 1, "".join(c if c.isalnum() else "_" for c in what)[:40])] = data
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
