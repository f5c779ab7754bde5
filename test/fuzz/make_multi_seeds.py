#!/usr/bin/env python3
"""Seeds for fuzz_decode_multi: the NetFlow/IPFIX seeds of corpus_netflow and
the sFlow datagram seeds of make_sflow_seeds.py, wrapped in the multi-datagram
framing ([ctl][len hi][len lo][datagram]...), alone and in sequences that
matter across datagrams: data before its template from the same exporter,
from another exporter, after an expiry, and every seed in a row.

Usage: /usr/bin/python3 test/fuzz/make_multi_seeds.py DIR
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def frame(ctl, dg):
    return bytes([ctl, len(dg) >> 8, len(dg) & 0xff]) + dg


def ctl(exporter=0, proto=0, step=1):
    return (exporter & 7) | ((proto & 3) << 3) | ((step & 7) << 5)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    nf = {}
    src = os.path.join(HERE, "corpus_netflow")
    for name in sorted(os.listdir(src)):
        with open(os.path.join(src, name), "rb") as fh:
            nf[name] = fh.read()
    sf = []
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, os.path.join(HERE, "make_sflow_seeds.py"), tmp],
                       check=True, stdout=subprocess.DEVNULL)
        sdir = os.path.join(tmp, "sflow")     # tmp/packet: header seeds
        for name in sorted(os.listdir(sdir)):
            with open(os.path.join(sdir, name), "rb") as fh:
                b = fh.read()
            if b[:4] == b"\x00\x00\x00\x05":
                sf.append(b)
    seeds = {}
    for name, b in nf.items():
        seeds["one_" + name] = frame(ctl(), b)
    for i, b in enumerate(sf):
        seeds["sflow_%02d" % i] = frame(ctl(exporter=4 + i % 4), b)
    data = nf.get("v9_data_before_template")
    tpl = nf.get("v9_template_only")
    if data and tpl:
        seeds["pending_same"] = frame(ctl(0), data) + frame(ctl(0), tpl)
        seeds["pending_other"] = frame(ctl(0), data) + frame(ctl(1), tpl)
        seeds["pending_expired"] = frame(ctl(0), data) + frame(ctl(0, step=7), tpl)
        seeds["template_then_data"] = frame(ctl(2), tpl) + frame(ctl(2), data)
    everything = b"".join(frame(ctl(i % 8, proto=0), b)
                          for i, b in enumerate(list(nf.values()) + sf))
    seeds["everything"] = everything
    for name, b in seeds.items():
        with open(os.path.join(out, name), "wb") as fh:
            fh.write(b)
    print("wrote %d multi-datagram seeds to %s" % (len(seeds), out))


if __name__ == "__main__":
    main()
