#!/usr/bin/python3
"""make_sflow_seeds.py OUTDIR
Writes seed inputs for the sFlow fuzz targets (nothing is committed):
  OUTDIR/sflow/   sFlow datagrams: a few built here field by field, plus
                  the UDP payloads of the shared sFlow captures when
                  ../shared/testdata/captures (or /work/shared/...) exists;
  OUTDIR/packet/  sampled headers for fuzz_packet (first byte = protocol
                  selector: 0 Ethernet, 1 IPv4, 2 IPv6), built here and cut
                  out of the capture datagrams' raw header records.
"""
import os
import struct
import sys


def u32(*v):
    return b''.join(struct.pack('>I', x & 0xffffffff) for x in v)


def tlv(tag, body):
    return u32(tag, len(body)) + body


def eth_ipv4_tcp():
    eth = bytes.fromhex('001122334455' '66778899aabb' '0800')
    ip = bytes.fromhex('45280578' '12344000' '3d060000') + bytes([10, 1, 2, 3, 192, 0, 2, 9])
    tcp = struct.pack('>HHIIBBHHH', 40000, 443, 1, 2, 0x50, 0x18, 1024, 0, 0)
    return eth + ip + tcp


def vxlan_frame():
    outer = bytes.fromhex('001122334455' '66778899aabb' '0800')
    ip = bytes.fromhex('45000064' '00014000' '40110000') + bytes([10, 0, 0, 1, 10, 0, 0, 2])
    udp = struct.pack('>HHHH', 49152, 4789, 80, 0)
    vx = bytes.fromhex('08000000' '00006400')
    inner = bytes.fromhex('0a0102030405' '0a060708090a' '86dd')
    ip6 = u32((6 << 28) | 0x1234, (8 << 16) | (58 << 8) | 64) + bytes(15) + b'\x01' + bytes(15) + b'\x02'
    return outer + ip + udp + vx + inner + ip6 + bytes([128, 0, 0, 0])


def header_record(frame):
    pad = b'\0' * (-len(frame) % 4)
    return tlv(1, u32(1, len(frame) + 4, 4, len(frame)) + frame + pad)


def datagram(samples, seq=1):
    return u32(5, 1) + bytes([10, 0, 0, 1]) + u32(0, seq, 1000, len(samples)) + b''.join(samples)


def flow_sample(records, expanded=False):
    if expanded:
        head = u32(1, 0, 3, 1000, 0, 0, 0, 3, 0, 7)
    else:
        head = u32(1, 3, 1000, 0, 0, 3, 0x80000002)
    return tlv(3 if expanded else 1, head + u32(len(records)) + b''.join(records))


def synthetic():
    sw = tlv(1001, u32(10, 0, 20, 0))
    rt = tlv(1002, u32(1) + bytes([192, 0, 2, 1]) + u32(24, 16))
    gw = tlv(1003, u32(1) + bytes([192, 0, 2, 1]) + u32(64500, 64501, 64502, 2, 1, 1, 65001, 2, 2, 65002, 65003, 1, 0xfde80064, 100))
    mp = tlv(1006, u32(1) + bytes(4) + u32(2, 16, 17, 1, 18))
    s4 = tlv(3, u32(576, 17) + bytes([1, 2, 3, 4, 5, 6, 7, 8]) + u32(53, 33333, 0, 0))
    s6 = tlv(4, u32(576, 6) + bytes(32) + u32(1, 2, 0x12, 0))
    se = tlv(2, u32(64) + bytes(16) + u32(0x0800))
    generic = tlv(1, u32(3, 6) + struct.pack('>Q', 10**10) + u32(1, 3) + struct.pack('>Q', 12345) + u32(1, 2, 3, 4, 5, 6) + struct.pack('>Q', 54321) + u32(1, 2, 3, 4, 5, 0))
    ether = tlv(2, u32(*range(13)))
    ctr = tlv(2, u32(9, 3, 2) + generic + ether)
    drop = tlv(5, u32(1, 0, 3, 0, 3, 0, 259, 2) + header_record(eth_ipv4_tcp()) + tlv(1036, u32(4)))
    return {
        'typical': datagram([flow_sample([header_record(eth_ipv4_tcp()), sw])]),
        'full': datagram([flow_sample([header_record(eth_ipv4_tcp()), sw, rt, gw, mp]), ctr]),
        'expanded': datagram([flow_sample([s4, se, s6], expanded=True), tlv(4, u32(9, 0, 3, 1) + generic)]),
        'vxlan': datagram([flow_sample([header_record(vxlan_frame())])]),
        'drop': datagram([drop]),
        'unknown': datagram([tlv((4413 << 12) | 1, u32(1, 2)), flow_sample([tlv(2000, b'')])]),
    }


def headers_in(dgram):
    """Yield (protocol, header bytes) of raw header records; best effort."""
    try:
        off = 4
        atype = struct.unpack_from('>I', dgram, off)[0]
        off += 4 + (4 if atype == 1 else 16) + 16
        n = struct.unpack_from('>I', dgram, off - 4)[0]
        for _ in range(n):
            tag, ln = struct.unpack_from('>II', dgram, off)
            body = dgram[off + 8:off + 8 + ln]
            off += 8 + ln
            fmt = tag & 0xfff
            if fmt not in (1, 3, 5):
                continue
            p = {1: 32, 3: 44, 5: 32}[fmt]
            nrec = struct.unpack_from('>I', body, p - 4)[0]
            for _ in range(nrec):
                rtag, rln = struct.unpack_from('>II', body, p)
                rec = body[p + 8:p + 8 + rln]
                p += 8 + rln
                if rtag == 1:
                    proto, _, _, hl = struct.unpack_from('>IIII', rec, 0)
                    yield proto, rec[16:16 + hl]
    except struct.error:
        return


def pcap_payloads(path):
    with open(path, 'rb') as f:
        data = f.read()
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack_from('<I', data, off + 8)[0]
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        l3 = 18 if pkt[12:14] == b'\x81\x00' else 14
        if len(pkt) <= l3:
            continue
        if pkt[l3] >> 4 == 4:
            l4 = l3 + (pkt[l3] & 15) * 4
        else:
            l4 = l3 + 40
        yield pkt[l4 + 8:]


def main():
    out = sys.argv[1]
    os.makedirs(os.path.join(out, 'sflow'), exist_ok=True)
    os.makedirs(os.path.join(out, 'packet'), exist_ok=True)
    dgrams = synthetic()
    here = os.path.dirname(os.path.abspath(__file__))
    for cap in (os.path.join(here, '../../../shared/testdata/captures'),
                '/work/shared/testdata/captures'):
        if not os.path.isdir(cap):
            continue
        for sub, _, files in os.walk(cap):
            for name in files:
                if not name.endswith('.pcap') or 'sflow' not in name and not name.startswith('data-'):
                    continue
                for i, p in enumerate(pcap_payloads(os.path.join(sub, name))):
                    if p[:4] == b'\0\0\0\x05':
                        dgrams['cap-%s-%d' % (name[:-5], i)] = p
        break
    sel = {1: 0, 11: 1, 12: 2}
    nh = 0
    for name, d in sorted(dgrams.items()):
        with open(os.path.join(out, 'sflow', name), 'wb') as f:
            f.write(d)
        for proto, h in headers_in(d):
            with open(os.path.join(out, 'packet', '%s-%d' % (name, nh)), 'wb') as f:
                f.write(bytes([sel.get(proto, 3)]) + h)
            nh += 1
    print('wrote %d sFlow seeds and %d header seeds to %s' % (len(dgrams), nh, out))


main()
