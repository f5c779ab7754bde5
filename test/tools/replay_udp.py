#!/usr/bin/python3
"""replay_udp.py: send the UDP payloads of a pcap, in capture order, to a
collector on THIS machine.  Only loopback destinations are accepted
(127.0.0.0/8 or ::1); anything else is refused.

tcpreplay -i lo does not deliver UDP to local sockets here, and a replay
must not pretend to be the original exporters anyway: each payload is sent
from a socket bound to a loopback source address.  Every distinct original
exporter (IP source) gets its own loopback source (127.0.<n>.<m>, from
--first-source on), so exporters whose template ids collide stay apart at
the collector, exactly as they were on the wire.  The mapping is printed
(or written with --map) for the comparator.

IP fragments are skipped (counted), as are non-UDP packets (e.g. the BMP
and BGP sessions in pmacct's captures).

Several PCAPs are replayed one after the other in one run (importing
scapy alone costs seconds here, per process).  Each file's exporters get
loopback sources of their own, counting on from the previous file's, so
no template state carries over between files; --map and the printed
mapping are then {pcap: {original source: loopback source}}.

Usage: replay_udp.py PCAP [PCAP...] --port N [--host 127.0.0.1] [--pause 0.001]
                     [--only-source IP] [--first-source 127.0.1.1]
                     [--map OUT.json] [--list-sources]
"""

import argparse
import ipaddress
import json
import socket
import sys
import time

from scapy.all import IP, IPv6, UDP, PcapReader
from scapy.layers.inet6 import IPv6ExtHdrFragment


def loopback_only(host):
    addr = ipaddress.ip_address(host)
    if not addr.is_loopback:
        raise SystemExit("replay_udp: refusing to send to %s: loopback only" % host)
    return addr


def datagrams(path):
    """(index, source ip, payload) for each whole UDP datagram; counts."""
    stats = {"frames": 0, "udp": 0, "fragments": 0, "other": 0}
    out = []
    with PcapReader(path) as rd:
        for pkt in rd:
            stats["frames"] += 1
            if IP in pkt:
                ip = pkt[IP]
                if ip.flags.MF or ip.frag:
                    stats["fragments"] += 1
                    continue
                src = ip.src
            elif IPv6 in pkt:
                if IPv6ExtHdrFragment in pkt:
                    stats["fragments"] += 1
                    continue
                src = pkt[IPv6].src
            else:
                stats["other"] += 1
                continue
            if UDP not in pkt:
                stats["other"] += 1
                continue
            udp = pkt[UDP]
            payload = bytes(udp.payload)
            # Trust the UDP length over any link-layer padding.
            if udp.len and udp.len >= 8:
                payload = payload[:udp.len - 8]
            stats["udp"] += 1
            out.append((stats["frames"], src, payload))
    return out, stats


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pcap", nargs="+")
    ap.add_argument("--port", type=int, required=False)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--pause", type=float, default=0.001, help="seconds between datagrams")
    ap.add_argument("--only-source", default=None, help="replay only datagrams from this IP source")
    ap.add_argument("--first-source", default="127.0.1.1",
                    help="loopback source for the first exporter; later ones count up")
    ap.add_argument("--map", default=None, help="write {original source: loopback source} here")
    ap.add_argument("--list-sources", action="store_true", help="print the IP sources and exit")
    args = ap.parse_args()
    many = len(args.pcap) > 1

    files = []
    for path in args.pcap:
        dgs, stats = datagrams(path)
        sources = []
        for _, src, _ in dgs:
            if src not in sources:
                sources.append(src)
        files.append((path, dgs, stats, sources))
    if args.list_sources:
        for path, _, _, sources in files:
            for s in sources:
                print("%s\t%s" % (path, s) if many else s)
        return 0
    if args.port is None:
        ap.error("--port is required")
    dest = loopback_only(args.host)
    first = ipaddress.ip_address(args.first_source)
    if not first.is_loopback or first.version != 4:
        raise SystemExit("replay_udp: --first-source must be an IPv4 loopback address")
    fam = socket.AF_INET6 if dest.version == 6 else socket.AF_INET
    # Sources are numbered over all files before anything is sent, so that
    # running out of loopback addresses stops the run before it starts.
    n = 0
    plans = []
    for path, dgs, _, sources in files:
        mapping = {}
        for i, s in enumerate(sources):
            if args.only_source and s != args.only_source:
                continue
            local = str(first + n + i)
            if not ipaddress.ip_address(local).is_loopback:
                raise SystemExit("replay_udp: ran out of loopback source addresses")
            mapping[s] = local
        n += len(sources)
        plans.append((path, dgs, mapping))
    sent = 0
    for path, dgs, mapping in plans:
        socks = {}
        for s, local in mapping.items():
            sk = socket.socket(fam, socket.SOCK_DGRAM)
            if fam == socket.AF_INET:
                sk.bind((local, 0))
            socks[s] = sk
        for _, src, payload in dgs:
            if src not in socks:
                continue
            socks[src].sendto(payload, (str(dest), args.port))
            sent += 1
            if args.pause > 0:
                time.sleep(args.pause)
        for sk in socks.values():
            sk.close()
    if many:
        mapping = {path: m for path, _, m in plans}
    else:
        mapping = plans[0][2]
    stats = {}
    for _, _, st, _ in files:
        for k, v in st.items():
            stats[k] = stats.get(k, 0) + v
    if args.map:
        with open(args.map, "w") as fh:
            json.dump(mapping, fh)
    out = {"sent": sent, "sources": mapping, **stats}
    if many:
        out["files"] = len(files)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
