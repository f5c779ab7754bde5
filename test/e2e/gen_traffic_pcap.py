#!/usr/bin/python3
"""gen_traffic_pcap.py: write a pcap of known traffic for the exporters to
turn into flow records (softflowd -r, pmacctd pcap_savefile).  A FILE ONLY:
nothing is sent anywhere.

The traffic: IPv4 and IPv6 flows of TCP, UDP, ICMP and ICMPv6, with fixed
addresses (documentation ranges), ports and payload sizes; some flows carry
an 802.1Q tag.  A few hundred packets over a few seconds of timestamps, starting at a
fixed time (so the file is the same on every run) or at --t0 (UNIX
seconds; exporters_e2e.sh stamps the traffic minutes before it runs, so
that flow times can be checked against the packets' own times).

Usage: gen_traffic_pcap.py [--t0 SECONDS] OUT.pcap [TRUTH.json]
TRUTH.json lists each flow (5-tuple, vlan, packets, IP bytes, and the
times of its first and last packet in microseconds) as built.
"""

import argparse
import json
import sys

from scapy.all import Ether, Dot1Q, IP, IPv6, TCP, UDP, ICMP, ICMPv6EchoRequest, Raw, wrpcap

T0 = 1700000000.0          # 2023-11-14T22:13:20Z
MAC_A = "02:00:00:00:00:0a"
MAC_B = "02:00:00:00:00:0b"

# (name, family, proto, src, dst, sport, dport, vlan, packets, payload bytes, start offset s, gap s)
FLOWS = [
    ("tcp4",     4, "tcp",   "192.0.2.10",   "198.51.100.20", 40001, 443, None, 40, 500, 0.00, 0.05),
    ("tcp4v",    4, "tcp",   "192.0.2.11",   "198.51.100.21", 40002, 80,  100,  30, 1000, 0.10, 0.07),
    ("udp4",     4, "udp",   "192.0.2.12",   "198.51.100.22", 5353, 53,   None, 25, 60,  0.20, 0.09),
    ("udp4v",    4, "udp",   "192.0.2.13",   "198.51.100.23", 40004, 514, 200,  20, 300, 0.30, 0.11),
    ("icmp4",    4, "icmp",  "192.0.2.14",   "198.51.100.24", 0, 0,       None, 10, 56,  0.40, 0.20),
    ("tcp6",     6, "tcp",   "2001:db8::10", "2001:db8:1::20", 40101, 443, None, 35, 700, 0.05, 0.06),
    ("tcp6v",    6, "tcp",   "2001:db8::11", "2001:db8:1::21", 40102, 22, 300,  25, 200, 0.15, 0.08),
    ("udp6",     6, "udp",   "2001:db8::12", "2001:db8:1::22", 40103, 123, None, 20, 48,  0.25, 0.10),
    ("icmp6",    6, "icmp6", "2001:db8::13", "2001:db8:1::23", 0, 0,       None, 12, 56,  0.35, 0.15),
    ("udp4big",  4, "udp",   "192.0.2.15",   "203.0.113.25",  40005, 9000, None, 30, 1400, 0.50, 0.04),
]


def build(t0=T0):
    pkts = []
    truth = []
    for (name, fam, proto, src, dst, sport, dport, vlan, n, size, start, gap) in FLOWS:
        ip_bytes = 0
        for i in range(n):
            l3 = IP(src=src, dst=dst, ttl=64, id=(i + 1)) if fam == 4 else IPv6(src=src, dst=dst, hlim=64)
            if proto == "tcp":
                # SYN first, then ACK|PSH, FIN|ACK last.
                flags = "S" if i == 0 else ("FA" if i == n - 1 else "PA")
                l4 = TCP(sport=sport, dport=dport, flags=flags, seq=1000 + i * size, window=8192)
            elif proto == "udp":
                l4 = UDP(sport=sport, dport=dport)
            elif proto == "icmp":
                l4 = ICMP(type=8, code=0, id=7, seq=i)
            else:
                l4 = ICMPv6EchoRequest(id=7, seq=i)
            pkt = l3 / l4 / Raw(bytes((i + j) % 256 for j in range(size)))
            ip_bytes += len(pkt)
            frame = Ether(src=MAC_A, dst=MAC_B)
            if vlan is not None:
                frame = frame / Dot1Q(vlan=vlan)
            frame = frame / pkt
            # Whole microseconds (a pcap's resolution), computed from
            # integers so the truth below is exactly what the file holds.
            frame.time = _us_time(t0, start + i * gap)
            pkts.append(frame)
        truth.append({"name": name, "family": fam, "proto": proto, "src": src, "dst": dst,
                      "sport": sport, "dport": dport, "vlan": vlan, "packets": n,
                      "ip_bytes": ip_bytes,
                      "first_us": _us(t0, start), "last_us": _us(t0, start + (n - 1) * gap)})
    pkts.sort(key=lambda p: p.time)
    return pkts, truth


def _us(t0, offset):
    """t0 + offset seconds in whole microseconds."""
    return round(t0 * 1000000) + round(offset * 1000000)


def _us_time(t0, offset):
    from decimal import Decimal
    return Decimal(_us(t0, offset)) / 1000000


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--t0", type=float, default=T0, help="time of the first packet (UNIX seconds)")
    ap.add_argument("out")
    ap.add_argument("truth", nargs="?")
    args = ap.parse_args()
    pkts, truth = build(args.t0)
    wrpcap(args.out, pkts)
    if args.truth:
        with open(args.truth, "w") as fh:
            json.dump(truth, fh, indent=1)
    print("wrote %d packets in %d flows to %s" % (len(pkts), len(truth), args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
