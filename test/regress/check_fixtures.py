#!/usr/bin/python3
"""check_fixtures.py - the regression test's expected rows against two oracles.

1. known_values.json: the field values gen_fixtures.py built the packets
   from.  Every column listed there must show that value in the expected
   output; every other column of the row must be NULL (shown empty).
2. tshark: decodes fixtures.pcap (the same datagrams) on its own; the
   values it reports are turned into the SQL text our rows must show
   (addresses, ports, counters, masks -> src_net/dst_net, uptime-relative
   or absolute times -> timestamptz, options data -> sampling_rate) and
   compared with the expected output as well.

Rows are read from expanded (\\x) records in the .out files that carry a
'fixture' and a 'rec' column.  Usage:
    check_fixtures.py [DIR_WITH_OUT_FILES ...]   (default: expected/)
Exit status 0 when everything agrees, 1 otherwise; 77 when tshark is absent.
"""
import datetime
import decimal
import glob
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIX = os.path.join(HERE, "fixtures")
META = {"fixture", "rec", "received_now"}

def parse_out_files(dirs):
    """{fixture: {rec: {column: text}}} from expanded records."""
    rows = {}
    for d in dirs:
        for path in sorted(glob.glob(os.path.join(d, "*.out"))):
            cur = None
            for line in open(path):
                line = line.rstrip("\n")
                if line.startswith("-[ RECORD "):
                    cur = {}
                    continue
                m = re.match(r"^(\w+)\s+\| ?(.*)$", line)
                if cur is not None and m:
                    cur[m.group(1)] = m.group(2).rstrip()
                    if "fixture" in cur and "rec" in cur and m.group(1) == "rec":
                        rows.setdefault(cur["fixture"], {})[int(cur["rec"])] = cur
                    continue
                if cur is not None and not m:
                    cur = None
    return rows

def ts_text(ns):
    secs, rem = divmod(int(ns), 10**9)
    d = datetime.datetime.fromtimestamp(secs, tz=datetime.timezone.utc)
    s = d.strftime("%Y-%m-%d %H:%M:%S")
    us = rem // 1000
    if us:
        s += (".%06d" % us).rstrip("0")
    return s + "+00"

def sec_ns(text):
    return int(decimal.Decimal(text) * 10**9)

def abs_ns(text):
    # "Nov 14, 2023 22:15:50.250000000 UTC"
    m = re.match(r"^(\w+ +\d+, \d+ \d+:\d+:\d+)\.(\d+) UTC$", text)
    d = datetime.datetime.strptime(m.group(1), "%b %d, %Y %H:%M:%S").replace(
        tzinfo=datetime.timezone.utc)
    return int(d.timestamp()) * 10**9 + int(m.group(2).ljust(9, "0")[:9])

def flows_in(node, out):
    """Flow records (dicts with an address field), in packet order."""
    if isinstance(node, dict):
        if "cflow.srcaddr" in node or "cflow.srcaddrv6" in node:
            out.append(node)
            return
        for v in node.values():
            flows_in(v, out)
    elif isinstance(node, list):
        for v in node:
            flows_in(v, out)

def find_key(node, key):
    if isinstance(node, dict):
        if key in node:
            return node[key]
        for v in node.values():
            r = find_key(v, key)
            if r is not None:
                return r
    elif isinstance(node, list):
        for v in node:
            r = find_key(v, key)
            if r is not None:
                return r
    return None

def net(addr, plen):
    return str(ipaddress.ip_network("%s/%s" % (addr, plen), strict=False))

def tshark_rows(pcap, names):
    out = subprocess.run(["tshark", "-r", pcap, "-d", "udp.port==2055,cflow",
                          "-d", "udp.port==4739,cflow", "-T", "json",
                          "--no-duplicate-keys"],
                         check=True, capture_output=True, text=True).stdout
    frames = json.loads(out)
    rates = {}      # exporter -> sampling rate learnt from options data
    result = {}
    for name, fr in zip(names, frames):
        layers = fr["_source"]["layers"]
        exporter = (layers.get("ip") or layers.get("ipv6"))
        exporter = exporter.get("ip.src") or exporter.get("ipv6.src")
        cf = layers.get("cflow")
        if cf is None:
            continue
        if isinstance(cf, list):
            cf = cf[0]
        version = int(cf.get("cflow.version", "0"))
        # Options data seen by tshark: remember the rate for this exporter.
        si = find_key(cf, "cflow.sampling_interval")
        pi = find_key(cf, "cflow.sampling_packet_interval")
        ps = find_key(cf, "cflow.sampling_packet_space")
        if version in (9, 10) and si is not None:
            rates[exporter] = int(si)
        if pi is not None and ps is not None:
            rates[exporter] = round((int(pi) + int(ps)) / int(pi))
        recs = []
        flows_in(cf, recs)
        rows = []
        for f in recs:
            r = {"sampler_address": exporter}
            r["type"] = {5: "NETFLOW_V5", 9: "NETFLOW_V9", 10: "IPFIX"}[version]
            r["sequence_num"] = cf["cflow.sequence"]
            src = f.get("cflow.srcaddr") or f.get("cflow.srcaddrv6")
            dst = f.get("cflow.dstaddr") or f.get("cflow.dstaddrv6")
            r["src_addr"], r["dst_addr"] = src, dst
            r["etype"] = "2048" if "cflow.srcaddr" in f else "34525"
            simple = {"cflow.srcport": "src_port", "cflow.dstport": "dst_port",
                      "cflow.protocol": "proto", "cflow.octets": "bytes",
                      "cflow.octets64": "bytes", "cflow.packets": "packets",
                      "cflow.packets64": "packets", "cflow.inputint": "in_if",
                      "cflow.outputint": "out_if", "cflow.srcas": "src_as",
                      "cflow.dstas": "dst_as", "cflow.nexthop": "next_hop",
                      "cflow.srcmac": "src_mac", "cflow.dstmac": "dst_mac",
                      "cflow.vlanid": "src_vlan", "cflow.srcvlan": "src_vlan",
                      "cflow.ipv6flowlabel": "ipv6_flow_label"}
            for k, col in simple.items():
                if k in f:
                    r[col] = f[k]
            for k, col in (("cflow.tos", "ip_tos"), ("cflow.tcpflags", "tcp_flags")):
                if k in f:
                    r[col] = str(int(f[k], 16))
            sm = f.get("cflow.srcmask") or f.get("cflow.srcmaskv6")
            dm = f.get("cflow.dstmask") or f.get("cflow.dstmaskv6")
            if sm is not None:
                r["src_net"] = net(src, sm)
            if dm is not None:
                r["dst_net"] = net(dst, dm)
            td = f.get("cflow.timedelta_tree", {})
            if version in (5, 9):
                export_ns = int(cf["cflow.timestamp_tree"]["cflow.unix_secs"]) * 10**9
                if version == 5:
                    export_ns += int(cf["cflow.timestamp_tree"]["cflow.unix_nsecs"])
                up = sec_ns(cf["cflow.sysuptime"])
                r["time_flow_start"] = ts_text(export_ns - (up - sec_ns(td["cflow.timestart"])))
                r["time_flow_end"] = ts_text(export_ns - (up - sec_ns(td["cflow.timeend"])))
            else:
                r["time_flow_start"] = ts_text(abs_ns(td["cflow.abstimestart"]))
                r["time_flow_end"] = ts_text(abs_ns(td["cflow.abstimeend"]))
            if version == 5 and int(cf.get("cflow.samplerate", "0")) > 0:
                r["sampling_rate"] = cf["cflow.samplerate"]
            elif version in (9, 10) and exporter in rates:
                r["sampling_rate"] = str(rates[exporter])
            if version == 9:
                r["observation_domain_id"] = cf["cflow.source_id"]
            if version == 10:
                r["observation_domain_id"] = cf["cflow.od_id"]
            rows.append(r)
        if rows:
            result[name] = rows
    return result

def main():
    dirs = sys.argv[1:] or [os.path.join(ROOT, "expected")]
    known = json.load(open(os.path.join(FIX, "known_values.json")))
    got = parse_out_files(dirs)
    errors = []
    checked = 0

    for fx, rows in known["rows"].items():
        if fx not in got:
            errors.append("%s: no rows for it in %s" % (fx, ", ".join(dirs)))
            continue
        if len(got[fx]) != len(rows):
            errors.append("%s: %d rows shown, %d known" % (fx, len(got[fx]), len(rows)))
        for i, want in enumerate(rows, 1):
            have = got[fx].get(i, {})
            if have.get("received_now") != "t":
                errors.append("%s rec %d: received_now is %r" % (fx, i, have.get("received_now")))
            for col, text in have.items():
                if col in META:
                    continue
                exp = want.get(col, "")
                checked += 1
                if text != exp:
                    errors.append("%s rec %d %s: shown %r, known value %r" % (fx, i, col, text, exp))
            for col in want:
                if col not in have:
                    errors.append("%s rec %d: column %s not shown" % (fx, i, col))

    if shutil.which("tshark") is None:
        print("tshark not found: known-value check only (%d values), %d problems"
              % (checked, len(errors)))
        for e in errors:
            print("  " + e)
        sys.exit(1 if errors else 77)
    tsh = tshark_rows(os.path.join(FIX, "fixtures.pcap"), known["packets"])
    # The sampled v9 data reuses the data packet; tshark sees it after the
    # options, like the session in 03_decode_netflow_v9.sql.
    for fx, rows in tsh.items():
        if fx not in got:
            continue
        for i, want in enumerate(rows, 1):
            have = got[fx].get(i, {})
            for col, text in want.items():
                checked += 1
                if have.get(col) != text:
                    errors.append("%s rec %d %s: shown %r, tshark says %r"
                                  % (fx, i, col, have.get(col), text))
    missing = [fx for fx in known["rows"] if fx not in tsh and not fx.startswith("sflow")]
    for fx in missing:
        errors.append("%s: tshark decoded no flows" % fx)

    # sFlow counters: tshark's sflow dissector against the interface_counters row.
    out = subprocess.run(["tshark", "-r", os.path.join(FIX, "fixtures.pcap"),
                          "-Y", "sflow", "-T", "json", "--no-duplicate-keys"],
                         check=True, capture_output=True, text=True).stdout
    sf = json.loads(out)[0]["_source"]["layers"]["sflow"]
    flat = {}
    def walk(n):
        if isinstance(n, dict):
            for k, v in n.items():
                if isinstance(v, (dict, list)):
                    walk(v)
                else:
                    flat.setdefault(k, v)
        elif isinstance(n, list):
            for v in n:
                walk(v)
    walk(sf)
    sfmap = {"sflow_245.agent": "sampler_address", "sflow_245.sub_agent_id": "sub_agent_id",
             "sflow.counters_sample.sequence_number": "sequence_num",
             "sflow.counters_sample.source_id_type": "source_id_type",
             "sflow.counters_sample.source_id_index": "source_id_index",
             "sflow_245.ifindex": "if_index", "sflow_245.iftype": "if_type",
             "sflow_245.ifspeed": "speed", "sflow_245.ifdirection": "direction",
             "sflow_245.ifinoct": "in_octets", "sflow_245.ifinpkt": "in_ucast_pkts",
             "sflow_245.ifinmcast": "in_multicast_pkts", "sflow_245.ifinbcast": "in_broadcast_pkts",
             "sflow_245.ifindisc": "in_discards", "sflow_245.ifinerr": "in_errors",
             "sflow_245.ifinunk": "in_unknown_protos", "sflow_245.ifoutoct": "out_octets",
             "sflow_245.ifoutpkt": "out_ucast_pkts", "sflow_245.ifoutmcast": "out_multicast_pkts",
             "sflow_245.ifoutbcast": "out_broadcast_pkts", "sflow_245.ifoutdisc": "out_discards",
             "sflow_245.ifouterr": "out_errors", "sflow_245.ifpromisc": "promiscuous_mode"}
    for k, v in flat.items():
        if k.startswith("sflow_245.dot3Stats"):
            name = "dot3_" + re.sub(r"(?<!^)([A-Z])", r"_\1", k[len("sflow_245.dot3Stats"):]).lower()
            name = name.replace("s_q_e", "sqe").replace("f_c_s", "fcs").replace("_mac_", "_mac_")
            sfmap[k] = name
    have = got.get("sflow_counters", {}).get(1, {})
    for k, col in sfmap.items():
        if k in flat:
            checked += 1
            if have.get(col) != flat[k]:
                errors.append("sflow_counters %s: shown %r, tshark says %r" % (col, have.get(col), flat[k]))
    status = (int(flat["sflow_245.ifadmin_status"]) | (int(flat["sflow_245.ifoper_status"]) << 1))
    checked += 1
    if have.get("status") != str(status):
        errors.append("sflow_counters status: shown %r, tshark says admin|oper<<1 = %d"
                      % (have.get("status"), status))

    # sFlow flow sample: sample fields, the raw header as tshark dissects
    # it, and the extended gateway record.
    out = subprocess.run(["tshark", "-r", os.path.join(FIX, "fixtures.pcap"),
                          "-Y", "frame.number == %d" % (known["packets"].index("sflow_flow") + 1),
                          "-T", "json", "--no-duplicate-keys"],
                         check=True, capture_output=True, text=True).stdout
    frames = json.loads(out)
    if len(frames) != 1 or "sflow" not in frames[0]["_source"]["layers"]:
        errors.append("tshark did not decode the sflow_flow frame as sFlow")
    else:
        sfl = frames[0]["_source"]["layers"]["sflow"]
        smp = next(v for k, v in sfl.items() if k.startswith("Flow sample"))
        raw = smp["Raw packet header"]
        tree = raw["sflow_245.header_tree"]
        gw = smp["Extended gateway data"]
        path = list(gw["sflow.as_type_tree"]["sflow_245.dstAS"])
        comms = list(gw["sflow_245.communityEntries_tree"]["sflow_245.dstAS"])
        ipl, tcp = tree["ip"], tree["tcp"]
        want = {
            "type": "SFLOW_5", "sequence_num": sfl["sflow_245.sequence_number"],
            "sampler_address": sfl["sflow_245.agent"],
            "sampling_rate": smp["sflow.flow_sample.sampling_rate"],
            "in_if": smp["sflow.flow_sample.input_interface"],
            "out_if": smp["sflow.flow_sample.output_interface_tree"]["sflow.flow_sample.output_interface_value"],
            "out_if_format": smp["sflow.flow_sample.output_interface_tree"]["sflow.flow_sample.output_interface_format"],
            "bytes": raw["sflow_245.header.frame_length"],
            "src_mac": tree["eth"]["eth.src"], "dst_mac": tree["eth"]["eth.dst"],
            "vlan_id": tree["vlan"]["vlan.id"], "etype": str(int(tree["vlan"]["vlan.etype"], 16)),
            "src_addr": ipl["ip.src"], "dst_addr": ipl["ip.dst"],
            "ip_tos": str(int(ipl["ip.dsfield"], 16)), "ip_ttl": ipl["ip.ttl"],
            "fragment_id": str(int(ipl["ip.id"], 16)), "ip_flags": str(int(ipl["ip.flags"], 16)),
            "fragment_offset": ipl["ip.frag_offset"], "proto": ipl["ip.proto"],
            "src_port": tcp["tcp.srcport"], "dst_port": tcp["tcp.dstport"],
            "tcp_flags": str(int(tcp["tcp.flags"], 16)),
            "bgp_next_hop": gw["sflow_245.nexthop"], "src_as": gw["sflow_245.srcAS"],
            "as_path": "{%s}" % ",".join(path), "bgp_communities": "{%s}" % ",".join(comms),
            "dst_as": path[-1], "next_hop_as": path[0],
        }
        have = got.get("sflow_flow", {}).get(1, {})
        for col, text in want.items():
            checked += 1
            if have.get(col) != text:
                errors.append("sflow_flow %s: shown %r, tshark says %r" % (col, have.get(col), text))

    # sFlow drop samples: tshark does not dissect format 5 (it shows
    # "Unknown sample format"), so it checks the datagram header and the
    # sample type, and then dissects the header bytes the row holds as an
    # Ethernet frame of its own, whose fields must match the parsed columns.
    idx = known["packets"].index("sflow_drop") + 1
    out = subprocess.run(["tshark", "-r", os.path.join(FIX, "fixtures.pcap"),
                          "-Y", "frame.number == %d" % idx, "-T", "json",
                          "--no-duplicate-keys"],
                         check=True, capture_output=True, text=True).stdout
    frames = json.loads(out)
    drop_rows = got.get("sflow_drop", {})
    if len(frames) != 1 or "sflow" not in frames[0]["_source"]["layers"]:
        errors.append("tshark did not decode the sflow_drop frame as sFlow")
    else:
        sfl = frames[0]["_source"]["layers"]["sflow"]
        samples = []
        for v in sfl.values():
            samples += v if isinstance(v, list) else [v]
        types = [v.get("sflow_245.sampletype") for v in samples
                 if isinstance(v, dict) and "sflow_245.sampletype" in v]
        checked += 1
        if types != ["5"] * len(drop_rows):
            errors.append("sflow_drop: tshark sample types %r, %d rows shown" % (types, len(drop_rows)))
        for i, have in sorted(drop_rows.items()):
            for col, key in (("sampler_address", "sflow_245.agent"),
                             ("sub_agent_id", "sflow_245.sub_agent_id")):
                checked += 1
                if have.get(col) != sfl.get(key):
                    errors.append("sflow_drop rec %d %s: shown %r, tshark says %r"
                                  % (i, col, have.get(col), sfl.get(key)))
    import struct, tempfile
    for i, have in sorted(drop_rows.items()):
        hexhdr = have.get("header", "")
        if not hexhdr:
            continue
        frame = bytes.fromhex(hexhdr[2:])
        with tempfile.NamedTemporaryFile(suffix=".pcap") as tf:
            # pcap: global header (linktype 1, Ethernet), one record.
            tf.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
            tf.write(struct.pack("<IIII", 0, 0, len(frame), len(frame)) + frame)
            tf.flush()
            out = subprocess.run(["tshark", "-r", tf.name, "-T", "json", "--no-duplicate-keys"],
                                 check=True, capture_output=True, text=True).stdout
        lay = json.loads(out)[0]["_source"]["layers"]
        eth, vlan, ipl, udp = lay.get("eth", {}), lay.get("vlan", {}), lay.get("ip", {}), lay.get("udp", {})
        want = {"src_mac": eth.get("eth.src"), "dst_mac": eth.get("eth.dst"),
                "vlan_id": vlan.get("vlan.id"),
                "etype": str(int(vlan.get("vlan.etype", "0x0"), 16)),
                "src_addr": ipl.get("ip.src"), "dst_addr": ipl.get("ip.dst"),
                "proto": ipl.get("ip.proto"), "src_port": udp.get("udp.srcport"),
                "dst_port": udp.get("udp.dstport")}
        for col, text in want.items():
            checked += 1
            if have.get(col) != text:
                errors.append("sflow_drop rec %d %s: shown %r, tshark says %r (header dissected)"
                              % (i, col, have.get(col), text))

    for e in errors:
        print("  " + e)
    print("%d values checked against known values and tshark" % checked)
    print("fixtures: %d passed, %d failed" % (checked - len(errors), len(errors)))
    sys.exit(1 if errors else 0)

if __name__ == "__main__":
    main()
