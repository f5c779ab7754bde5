#!/usr/bin/python3
"""mapping_oracle.py: tshark's decode of the data records of a capture, one
line per record, sorted, for test/e2e/mapping_e2e.sh to compare with the
rows a mapping produced.

Usage: mapping_oracle.py PCAP TSHARK_ARGS FIELD[:INDEX] ...
Each FIELD is a tshark cflow field name (cflow.octets); :INDEX picks one
value when a record has the field more than once (IPFIX reverse elements
follow the forward ones, in template order).  Only records that carry
every field are printed; a field's values are joined with '|'.
"""
import json
import shlex
import subprocess
import sys


def flows(o):
    """Every "Flow N" object of the cflow layer, in order."""
    if isinstance(o, dict):
        for k, v in o.items():
            if k.startswith("Flow ") and isinstance(v, dict):
                yield v
            else:
                yield from flows(v)
    elif isinstance(o, list):
        for v in o:
            yield from flows(v)


def main():
    pcap, args, specs = sys.argv[1], shlex.split(sys.argv[2]), sys.argv[3:]
    out = subprocess.run(["tshark", "-r", pcap, *args, "-T", "json", "--no-duplicate-keys"],
                         check=True, capture_output=True, text=True).stdout
    lines = []
    for pkt in json.loads(out):
        cf = pkt["_source"]["layers"].get("cflow")
        if cf is None:
            continue
        for f in flows(cf):
            vals = []
            for spec in specs:
                name, _, idx = spec.partition(":")
                v = f.get(name)
                if v is None:
                    break
                if isinstance(v, list):
                    if not idx:
                        break
                    v = v[int(idx)]
                vals.append(str(v))
            else:
                lines.append("|".join(vals))
    for line in sorted(lines):
        print(line)


main()
