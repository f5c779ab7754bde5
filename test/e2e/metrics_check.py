#!/usr/bin/python3
"""metrics_check.py: the sender and the checker of test/e2e/metrics.sh.

  send NF_PORT SF_PORT NF2_PORT OUT.json
      Sends known traffic (IPFIX, NetFlow v9 and v5, sFlow, one datagram of
      an unknown version) from 127.0.0.1 and 127.0.0.2, and writes what
      GoFlow2's metrics must then say: every value is computed here from
      the datagrams as sent (their lengths, sets and records), never read
      back from the collector.
  expect URL EXPECTED.json
      Scrapes URL until every expected series has its value (10 s at
      most); every line of the text must parse with prometheus_client's
      parser, and types and label names must be GoFlow2's.
  blast PORT COUNT
      COUNT v5 datagrams from 127.0.0.2 as fast as possible.
  drops PORT
      The drops column of /proc/net/udp for the socket bound to PORT.
  scrape URL
      Prints the body (and checks the Content-Type) for the caller.
  same A.txt B.txt
      The two texts have the same series and the same values, except
      those that move with time alone.

Prints "ok   - ..." / "FAIL - ..." lines; the caller tallies them.
"""
import json
import socket
import struct
import sys
import time
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

A = "127.0.0.1"
B = "127.0.0.2"


def ok(what):
    print("ok   - " + what)


def fail(what):
    print("FAIL - " + what)


# ---- datagrams -------------------------------------------------------------

def ipfix(sets, seq, domain=1):
    body = b"".join(sets)
    return struct.pack("!HHIII", 10, 16 + len(body), int(time.time()), seq, domain) + body


def ipfix_template(tid):
    # sourceIPv4Address, destinationIPv4Address, octetDeltaCount(8),
    # packetDeltaCount(8), protocolIdentifier: 25-byte records.
    rec = struct.pack("!HH", tid, 5) + struct.pack("!HHHHHHHHHH", 8, 4, 12, 4, 1, 8, 2, 8, 4, 1)
    return struct.pack("!HH", 2, 4 + len(rec)) + rec


def flow_record(i):
    return (socket.inet_aton("10.0.0.%d" % (i % 250 + 1)) + socket.inet_aton("10.1.0.1") +
            struct.pack("!QQB", 1000 + i, 10, 6))


def data_set(tid, n, pad=0):
    recs = b"".join(flow_record(i) for i in range(n)) + b"\0" * pad
    return struct.pack("!HH", tid, 4 + len(recs)) + recs


def v9(flowsets, count, seq, source_id=7):
    body = b"".join(flowsets)
    return struct.pack("!HHIIII", 9, count, 100000, int(time.time()), seq, source_id) + body


def v9_template(tid):
    rec = struct.pack("!HH", tid, 5) + struct.pack("!HHHHHHHHHH", 8, 4, 12, 4, 1, 8, 2, 8, 4, 1)
    return struct.pack("!HH", 0, 4 + len(rec)) + rec


def v5(n, seq):
    now = time.time()
    hdr = struct.pack("!HHIIIIBBH", 5, n, 100000, int(now), 0, seq, 0, 0, 0)
    recs = b""
    for i in range(n):
        recs += struct.pack("!4s4s4sHHIIIIHHBBBBHHBBH",
                            socket.inet_aton("10.1.2.%d" % (i + 1)), socket.inet_aton("10.4.5.6"),
                            socket.inet_aton("10.9.9.9"), 1, 2, 1, 100,
                            99000, 99500, 1234, 80, 0, 0x12, 6, 0, 0, 0, 24, 16, 0)
    return hdr + recs


def sflow(seq):
    # A sampled Ethernet/IPv4/UDP header (42 bytes, padded to 44).
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 1, 0, 64, 17, 0,
                     socket.inet_aton("10.2.0.1"), socket.inet_aton("10.2.0.2"))
    hdr = b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00" + ip + \
        struct.pack("!HHHH", 5000, 53, 8, 0)
    raw = struct.pack("!IIII", 1, 64, 4, len(hdr)) + hdr + b"\0\0"
    rec = struct.pack("!II", 1, len(raw)) + raw
    fs = struct.pack("!IIIIIIII", seq, 3, 100, 100 * seq, 0, 3, 4, 1) + rec
    fs = struct.pack("!II", 1, len(fs)) + fs
    ctr = struct.pack("!IIQIIQIIIIIIQIIIIII", 3, 6, 10**9, 1, 3,
                      1000, 1, 0, 0, 0, 0, 0, 2000, 2, 0, 0, 0, 0, 0)
    ctr = struct.pack("!II", 1, len(ctr)) + ctr
    cs = struct.pack("!III", seq, 3, 1) + ctr
    cs = struct.pack("!II", 2, len(cs)) + cs
    return struct.pack("!II4sIIII", 5, 1, socket.inet_aton(A), 0, seq, 1000, 2) + fs + cs


def sock_from(src):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    return s


def send(nf_port, sf_port, nf2_port, out):
    a = sock_from(A)
    b = sock_from(B)
    sent = {}

    def put(sock, src, port, typ, d):
        sock.sendto(d, ("127.0.0.1", port))
        k = (src, port, typ)
        n, size = sent.get(k, (0, 0))
        sent[k] = (n + 1, size + len(d))

    # Sent back to back, so the worker reads several per recvmmsg call and
    # sources alternate inside a batch (the per-source attribution must
    # follow them).
    # IPFIX from A: a template, 3 data sets of 4 records (NetFlow v5 from
    # B between them), one set whose template never comes.
    put(a, A, nf_port, "netflow", ipfix([ipfix_template(256)], 1))
    for i in range(3):
        put(a, A, nf_port, "netflow", ipfix([data_set(256, 4)], 2 + i))
        put(b, B, nf_port, "netflow", v5(3, 100 + 3 * i))
    put(a, A, nf_port, "netflow", ipfix([data_set(300, 2)], 5))
    # NetFlow v9 from A: template and 2 records in one datagram (padded set).
    put(a, A, nf_port, "netflow", v9([v9_template(260), data_set(260, 2, pad=2)], 3, 1))
    # An unknown version word.
    put(a, A, nf_port, "netflow", b"\x00\x63" + b"not a flow datagram")
    # NetFlow v5 from B: 2 more datagrams of 3 records.
    for i in range(2):
        put(b, B, nf_port, "netflow", v5(3, 1 + 3 * i))
    # sFlow from A: 4 datagrams, each a flow sample and a counter sample.
    for i in range(4):
        put(a, A, sf_port, "sflow", sflow(i + 1))

    # NetFlow v5 from B through 16 sockets to a ?count=2 listener: the
    # kernel spreads them over its two workers by source port, and the
    # per-source series must still come out once, summed.
    for i in range(16):
        put(sock_from(B), B, nf2_port, "netflow", v5(1, i + 1))

    exp = []

    def e(name, labels, value):
        exp.append([name, labels, value])

    for (src, port, typ), (n, size) in sent.items():
        lab = {"remote_ip": src, "local_ip": "127.0.0.1", "local_port": str(port), "type": typ}
        e("goflow2_flow_traffic_bytes", lab, size)
        e("goflow2_flow_traffic_packets", lab, n)
        e("goflow2_flow_traffic_summary_size_bytes_sum", lab, size)
        e("goflow2_flow_traffic_summary_size_bytes_count", lab, n)
    nf_bytes = sum(v[1] for k, v in sent.items() if k[1] == nf_port)
    e("goflow2_flow_process_nf_count", {"router": B, "version": "5"}, 5 + 16)
    e("goflow2_flow_decoder_count", {"worker": "0", "name": "netflow"}, 12)
    e("goflow2_flow_decoder_count", {"worker": "1", "name": "sflow"}, 4)
    e("goflow2_flow_decoder_error_count", {"worker": "0", "name": "netflow"}, 1)
    e("goflow2_flow_decoder_error_count", {"worker": "1", "name": "sflow"}, 0)
    e("goflow2_flow_process_nf_count", {"router": A, "version": "10"}, 5)
    e("goflow2_flow_process_nf_count", {"router": A, "version": "9"}, 1)
    e("goflow2_flow_process_nf_errors_count", {"router": A, "error": "template_not_found"}, 1)
    e("goflow2_flow_process_nf_errors_count", {"router": A, "error": "error_decoding"}, 1)
    for ver, typ, sets, recs in (("10", "TemplateFlowSet", 1, 1), ("10", "DataFlowSet", 3, 12),
                                 ("9", "TemplateFlowSet", 1, 1), ("9", "DataFlowSet", 1, 2)):
        lab = {"router": A, "version": ver, "type": typ}
        e("goflow2_flow_process_nf_flowset_sum", lab, sets)
        e("goflow2_flow_process_nf_flowset_records_sum", lab, recs)
    e("goflow2_flow_process_nf_flowset_sum", {"router": B, "version": "5", "type": "DataFlowSet"}, 15 + 16)
    e("goflow2_flow_process_nf_templates_count", {"router": A, "version": "10", "type": "template"}, 1)
    e("goflow2_flow_process_nf_templates_count", {"router": A, "version": "9", "type": "template"}, 1)
    e("goflow2_flow_process_sf_count", {"router": A, "version": "5"}, 4)
    e("goflow2_flow_process_sf_samples_sum", {"router": A, "version": "5", "type": "FlowSample"}, 4)
    e("goflow2_flow_process_sf_samples_sum", {"router": A, "version": "5", "type": "CounterSample"}, 4)
    e("goflow2plus_bytes_received_total", {"worker": "0", "listen": "netflow://127.0.0.1:%d" % nf_port}, nf_bytes)
    # Flow rows: 12 IPFIX + 2 v9 + 15 v5 on worker 0, 4 sFlow on worker 1.
    e("goflow2plus_rows_inserted_total", {"worker": "0", "listen": "netflow://127.0.0.1:%d" % nf_port}, 29)
    e("goflow2plus_rows_inserted_total", {"worker": "1", "listen": "sflow://127.0.0.1:%d" % sf_port}, 4)
    json.dump({"series": exp, "rows": 33 + 16}, open(out, "w"))


# ---- scraping and parsing --------------------------------------------------

def fetch(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.headers.get("Content-Type", ""), r.read().decode()


def parse(text):
    """{(sample name, frozen labels): value}, {family: type}, sample count."""
    series = {}
    types = {}
    labels = {}
    n = 0
    for fam in text_string_to_metric_families(text):
        types[fam.name] = fam.type
        for s in fam.samples:
            key = (norm(s.name), frozenset(s.labels.items()))
            if key in series:
                raise ValueError("series twice: %s %s" % (s.name, s.labels))
            series[key] = s.value
            labels.setdefault(norm(s.name), set()).add(frozenset(s.labels))
            n += 1
    return series, types, labels, n


def norm(name):
    """The parser names every counter sample <family>_total (OpenMetrics),
    whether the text said so or not: compare names without it."""
    return name[:-6] if name.endswith("_total") else name


def raw_names(text):
    """Sample names as the text writes them (the token before '{' or ' ')."""
    return {ln.split("{")[0].split(" ")[0] for ln in text.splitlines()
            if ln.strip() and not ln.startswith("#")}


def sample_lines(text):
    return sum(1 for ln in text.splitlines() if ln.strip() and not ln.startswith("#"))


def expect(url, exp_file):
    exp = [[norm(nm), lab, v] for nm, lab, v in json.load(open(exp_file))["series"]]
    deadline = time.time() + 10
    while True:
        ctype, text = fetch(url)
        series, types, labels, n = parse(text)
        missing = [(nm, lab, v, series.get((nm, frozenset(lab.items()))))
                   for nm, lab, v in exp if series.get((nm, frozenset(lab.items()))) != v]
        if not missing or time.time() > deadline:
            break
        time.sleep(0.2)

    if "version=0.0.4" in ctype and ctype.startswith("text/plain"):
        ok("Content-Type is %s" % ctype)
    else:
        fail("Content-Type is %r" % ctype)
    if n == sample_lines(text):
        ok("every one of the %d sample lines parses with prometheus_client" % n)
    else:
        fail("%d sample lines but the parser gave %d samples" % (sample_lines(text), n))
    if missing:
        for nm, lab, want, got in missing:
            fail("%s%s = %s, want %s" % (nm, json.dumps(lab, sort_keys=True), got, want))
    else:
        ok("all %d expected series have the values of the traffic sent" % len(exp))

    # GoFlow2's families: types and label names.
    want_types = {
        "goflow2_flow_traffic_bytes": ("counter", {"remote_ip", "local_ip", "local_port", "type"}),
        "goflow2_flow_traffic_packets": ("counter", {"remote_ip", "local_ip", "local_port", "type"}),
        "goflow2_flow_traffic_summary_size_bytes": ("summary", {"remote_ip", "local_ip", "local_port", "type"}),
        "goflow2_flow_decoder_count": ("counter", {"worker", "name"}),
        "goflow2_flow_decoder_error_count": ("counter", {"worker", "name"}),
        "goflow2_flow_process_nf_count": ("counter", {"router", "version"}),
        "goflow2_flow_process_nf_errors_count": ("counter", {"router", "error"}),
        "goflow2_flow_process_nf_flowset_sum": ("counter", {"router", "version", "type"}),
        "goflow2_flow_process_nf_flowset_records_sum": ("counter", {"router", "version", "type"}),
        "goflow2_flow_process_nf_templates_count": ("counter", {"router", "version", "type"}),
        "goflow2_flow_process_sf_count": ("counter", {"router", "version"}),
        "goflow2_flow_process_sf_samples_sum": ("counter", {"router", "version", "type"}),
        "goflow2plus_kernel_drops": ("counter", {"worker", "listen"}),
        "goflow2plus_rcvbuf_bytes": ("gauge", {"worker", "listen"}),
        "goflow2plus_batch_write_seconds": ("histogram", None),
        "goflow2plus_spool_dropped": ("counter", {"worker", "listen"}),
        "goflow2plus_nats_dropped": ("counter", {"worker", "listen"}),
        "goflow2plus_exporter_pending_bytes": ("gauge", {"worker", "exporter", "type", "domain"}),
        "goflow2plus_context_generation": ("gauge", set()),
    }
    for fam, (typ, labs) in want_types.items():
        if types.get(fam) != typ:
            fail("%s has type %s, want %s" % (fam, types.get(fam), typ))
            continue
        names = [s for s in labels if s == fam or s.startswith(fam + "_")]
        got = set()
        for s in names:
            for ls in labels[s]:
                got.add(ls - {"le", "quantile"})
        if labs is not None and got and got != {frozenset(labs)}:
            fail("%s labels %s, want %s" % (fam, sorted(map(sorted, got)), sorted(labs)))
        else:
            ok("%s is a %s labelled %s" % (fam, typ, sorted(labs) if labs is not None else "as a histogram"))
    # GoFlow2's names verbatim in the text (the parser adds _total).
    names = raw_names(text)
    for fam in [f for f in want_types if f.startswith("goflow2_")]:
        want = {fam + "_sum", fam + "_count"} if want_types[fam][0] == "summary" else {fam}
        if want <= names:
            ok("the text names %s as GoFlow2 does" % ", ".join(sorted(want)))
        else:
            fail("the text lacks %s" % sorted(want - names))
    # Exactly the sources sent from: nothing invented.
    got_src = {dict(k[1])["remote_ip"] for k in series if k[0] == "goflow2_flow_traffic_bytes"}
    # Both workers of the ?count=2 listener heard B (16 source ports: all
    # on one worker has odds of 1 in 32768), and B's series came out once.
    per_worker = [v for (nm, ls), v in series.items()
                  if nm == "goflow2_flow_decoder_count" and dict(ls)["worker"] in ("2", "3")]
    if len(per_worker) == 2 and all(v > 0 for v in per_worker) and sum(per_worker) == 16:
        ok("the ?count=2 listener's workers each decoded some of B's datagrams (%s), summed in one series"
           % "+".join(str(int(v)) for v in per_worker))
    else:
        fail("?count=2 workers decoded %s" % per_worker)
    if got_src == {A, B}:
        ok("goflow2_flow_traffic_bytes has exactly the two sources")
    else:
        fail("goflow2_flow_traffic_bytes sources %s" % sorted(got_src))
    # The histogram counts what flushes counts.
    for w in ("0", "1"):
        cnt = [v for (nm, ls), v in series.items()
               if nm == "goflow2plus_batch_write_seconds_count" and dict(ls)["worker"] == w]
        fl = [v for (nm, ls), v in series.items()
              if nm == "goflow2plus_flushes" and dict(ls)["worker"] == w]
        if cnt and cnt == fl and cnt[0] > 0:
            ok("worker %s: batch write histogram counts its %d flushes" % (w, int(cnt[0])))
        else:
            fail("worker %s: histogram count %s, flushes %s" % (w, cnt, fl))
    return 0


def get_value(url, name, labels):
    _, text = fetch(url)
    series, _, _, _ = parse(text)
    return series.get((name, frozenset(labels.items())))


# Values that move with time alone, not with traffic.
MOVING = ("goflow2plus_batch_write_seconds", "goflow2plus_flushes_total",
          "goflow2plus_exporter_last_seen_seconds")


def same(a_file, b_file):
    a, _, _, _ = parse(open(a_file).read())
    b, _, _, _ = parse(open(b_file).read())
    if set(a) != set(b):
        fail("metrics() and /metrics differ in series: %s" % sorted(set(a) ^ set(b))[:5])
        return 1
    diff = [k for k in a if a[k] != b[k] and not k[0].startswith(MOVING)]
    if diff:
        fail("metrics() and /metrics differ in values: %s" % [(k[0], dict(k[1]), a[k], b[k]) for k in diff[:5]])
        return 1
    ok("metrics() and /metrics give the same %d series with the same values" % len(a))
    return 0


def proc_drops(port):
    for path in ("/proc/net/udp", "/proc/net/udp6"):
        for ln in open(path).read().splitlines()[1:]:
            f = ln.split()
            if int(f[1].split(":")[1], 16) == port:
                return int(f[-1])
    return None


def main():
    cmd = sys.argv[1]
    if cmd == "send":
        send(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    elif cmd == "expect":
        return expect(sys.argv[2], sys.argv[3])
    elif cmd == "blast":
        s = sock_from(B)
        d = v5(1, 1)
        for _ in range(int(sys.argv[3])):
            s.sendto(d, ("127.0.0.1", int(sys.argv[2])))
    elif cmd == "one":
        sock_from(B).sendto(v5(1, 1), ("127.0.0.1", int(sys.argv[2])))
    elif cmd == "drops":
        print(proc_drops(int(sys.argv[2])))
    elif cmd == "value":
        v = get_value(sys.argv[2], norm(sys.argv[3]), json.loads(sys.argv[4]))
        print("none" if v is None else int(v))
    elif cmd == "pending":
        # Data waiting for its template: the worker's gauge against the
        # sum of its exporter rows (both from the decoder), and not 0.
        deadline = time.time() + 5
        while True:
            series, _, _, _ = parse(fetch(sys.argv[2])[1])
            g = series.get(("goflow2plus_nf_pending_bytes", frozenset(json.loads(sys.argv[3]).items())))
            rows = sum(v for (nm, ls), v in series.items()
                       if nm == "goflow2plus_exporter_pending_bytes" and dict(ls)["worker"] == "0")
            if (g and g == rows) or time.time() > deadline:
                break
            time.sleep(0.2)
        if g and g == rows:
            ok("goflow2plus_nf_pending_bytes (%d) = the exporter rows' pending bytes" % g)
        else:
            fail("goflow2plus_nf_pending_bytes %s, exporter rows %s" % (g, rows))
    elif cmd == "scrape":
        print(fetch(sys.argv[2])[1], end="")
    elif cmd == "same":
        return same(sys.argv[2], sys.argv[3])
    return 0


if __name__ == "__main__":
    sys.exit(main())
