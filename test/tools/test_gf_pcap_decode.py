#!/usr/bin/python3
"""test_gf_pcap_decode.py: the pcap reading of gf_pcap_decode, independent
of the decoders: one hand-built NetFlow v5 datagram (1 record) wrapped in
every link type, byte order and time unit the tool claims to read, plus
IP fragments and non-UDP frames that must be counted and skipped.  The
oracle is what the file was built with (scapy), checked through the tool's
-s summary and, when the v5 decoder is present, the record's
time_received_ns, sampler_address and addresses.

Usage: test_gf_pcap_decode.py [--tool build/tools/gf_pcap_decode]
Ends with 'N passed, N failed'.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

from scapy.all import Ether, Dot1Q, IP, IPv6, UDP, TCP, Raw, CookedLinux, wrpcap, fragment  # noqa: F401
try:
    from scapy.all import CookedLinuxV2
except ImportError:
    CookedLinuxV2 = None

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(REPO, "build", "tools", "gf_pcap_decode")
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)


def v5_payload():
    # Header: version 5, count 1, uptime 100000 ms, secs 1700000000, nsecs 0,
    # sequence 7, engine 0/0, sampling 0.  Record: 10.0.0.1 -> 10.0.0.2,
    # nexthop 0, in 3 out 4, 5 packets 500 bytes, first 99000 last 99500,
    # ports 1234 -> 80, tcp flags 0x12, proto 6, tos 0, AS 0/0, masks 24/16.
    hdr = struct.pack("!HHIIIIBBH", 5, 1, 100000, 1700000000, 0, 7, 0, 0, 0)
    rec = struct.pack("!4s4s4sHHIIIIHHBBBBHHBBH",
                      bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]), bytes(4), 3, 4,
                      5, 500, 99000, 99500, 1234, 80, 0, 0x12, 6, 0, 0, 0, 24, 16, 0)
    return hdr + rec


def run(path):
    p = subprocess.run([TOOL, "-s", path], capture_output=True, text=True)
    summ = None
    for line in p.stderr.splitlines():
        if line.startswith("{\"summary\""):
            summ = json.loads(line)
    flows = [json.loads(x) for x in p.stdout.splitlines() if x.strip()]
    return p.returncode, summ, flows


def swap_pcap(src, dst):
    """Rewrite a little-endian classic pcap as big-endian."""
    data = open(src, "rb").read()
    out = bytearray()
    magic, vmaj, vmin, tz, sig, snap, lt = struct.unpack("<IHHiIII", data[:24])
    out += struct.pack(">IHHiIII", magic, vmaj, vmin, tz, sig, snap, lt)
    off = 24
    while off < len(data):
        s, f, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        out += struct.pack(">IIII", s, f, incl, orig)
        out += data[off + 16:off + 16 + incl]
        off += 16 + incl
    open(dst, "wb").write(bytes(out))


def main():
    tmp = tempfile.mkdtemp(prefix="gf_pcap_test_")
    pay = v5_payload()
    ip4 = IP(src="192.0.2.7", dst="127.0.0.1") / UDP(sport=5000, dport=2055) / Raw(pay)
    ip6 = IPv6(src="2001:db8::7", dst="::1") / UDP(sport=5000, dport=2055) / Raw(pay)
    t = 1700000123.456789
    cases = []

    def add(name, pkts, linktype=None, nano=False, exporter="192.0.2.7", swap=False):
        path = os.path.join(tmp, name + ".pcap")
        for p in pkts:
            p.time = t
        wrpcap(path, pkts, linktype=linktype, nano=nano)
        if swap:
            swap_pcap(path, path + ".be")
            path = path + ".be"
        cases.append((name, path, exporter, nano))

    add("eth", [Ether() / ip4])
    add("eth_vlan", [Ether() / Dot1Q(vlan=10) / ip4])
    add("eth_qinq", [Ether() / Dot1Q(vlan=10, type=0x8100) / Dot1Q(vlan=20) / ip4])
    add("eth_v6", [Ether() / ip6], exporter="2001:db8::7")
    add("eth_nsec", [Ether() / ip4], nano=True)
    add("eth_be", [Ether() / ip4], swap=True)
    add("raw", [ip4], linktype=101)
    add("raw_v6", [ip6], linktype=101, exporter="2001:db8::7")
    add("sll", [CookedLinux(proto=0x0800) / ip4], linktype=113)
    if CookedLinuxV2 is not None:
        add("sll2", [CookedLinuxV2(proto=0x0800) / ip4], linktype=276)
    else:
        # Hand-built SLL2 header: protocol(2) reserved(2) ifindex(4)
        # arphrd(2) pkttype(1) addrlen(1) addr(8).
        sll2 = struct.pack("!HHIHBB8s", 0x0800, 0, 1, 1, 0, 6, bytes(8))
        add("sll2", [Raw(sll2 + bytes(ip4))], linktype=276)

    for name, path, exporter, nano in cases:
        rc, summ, flows = run(path)
        check(rc == 0, "%s: exit %d" % (name, rc))
        if summ is None:
            check(False, "%s: no summary" % name)
            continue
        s = summ["summary"]
        check(s["frames"] == 1 and s["udp_datagrams"] == 1,
              "%s: frames %d udp %d, expected 1 and 1" % (name, s["frames"], s["udp_datagrams"]))
        check(summ["counters"]["packets"] == 1, "%s: decoder saw %d datagrams" % (name, summ["counters"]["packets"]))
        if flows:
            f = flows[0]
            want_ns = 1700000123456789000 if not nano else None
            if want_ns:
                check(f["time_received_ns"] == want_ns,
                      "%s: time_received_ns %s, expected %d" % (name, f["time_received_ns"], want_ns))
            check(f.get("sampler_address") == exporter,
                  "%s: sampler_address %s, expected %s" % (name, f.get("sampler_address"), exporter))
            check(f.get("src_addr") == "10.0.0.1" and f.get("dst_addr") == "10.0.0.2",
                  "%s: addresses %s %s" % (name, f.get("src_addr"), f.get("dst_addr")))

    # Fragments and non-UDP: counted, never handed to the decoder.
    big = IP(src="192.0.2.7", dst="127.0.0.1", id=99) / UDP(sport=1, dport=2055) / Raw(pay * 40)
    frags = fragment(big, fragsize=800)
    path = os.path.join(tmp, "frags.pcap")
    wrpcap(path, [Ether() / fr for fr in frags] + [Ether() / IP() / TCP()])
    rc, summ, flows = run(path)
    s = summ["summary"] if summ else {}
    check(s.get("ip_fragments") == len(frags), "frags: ip_fragments %s, expected %d" % (s.get("ip_fragments"), len(frags)))
    check(s.get("non_udp") == 1, "frags: non_udp %s, expected 1" % s.get("non_udp"))
    check(s.get("udp_datagrams") == 0, "frags: udp_datagrams %s, expected 0" % s.get("udp_datagrams"))

    # A truncated file and a pcapng file are refused with a message.
    path = os.path.join(tmp, "cut.pcap")
    wrpcap(path, [Ether() / ip4])
    data = open(path, "rb").read()
    open(path, "wb").write(data[:-10])
    rc, summ, flows = run(path)
    check(rc == 1, "cut: exit %d, expected 1" % rc)
    open(path, "wb").write(b"\x0a\x0d\x0d\x0a" + bytes(40))
    rc, summ, flows = run(path)
    check(rc == 1, "pcapng: exit %d, expected 1" % rc)

    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--tool":
        TOOL = sys.argv[2]
    sys.exit(main())
