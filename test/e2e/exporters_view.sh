#!/bin/bash
# exporters_view.sh
#    goflow2plus.exporters() with a live worker (loopback only): NetFlow v5,
#    v9, IPFIX and sFlow exporters, built by hand here, send a numbered
#    run of messages of which this script deliberately skips some; each
#    row's sequence-gap estimate must equal what was skipped, in the unit
#    the protocol counts (v5 flows, v9 export packets, IPFIX data records,
#    sFlow datagrams, and sFlow flow samples per source).  The runs cross
#    2^32, reorder two messages and repeat one (late, never lost).  Then
#    every exporter restarts (sequence back to 0; uptime or export time
#    tells it from a late message): no loss is added, one restart is
#    counted.  reset_stats() zeroes stats() and exporters() counts (not
#    the gauges) and is not for PUBLIC.  Last, with
#    goflow2plus.exporter_idle_timeout reloaded to 2 s, the silent
#    exporter's rows leave exporters(), goflow2plus.templates and
#    goflow2plus.sampling while an exporter that keeps talking keeps its.
#
#    The oracle is what the sender sent and skipped (send.py prints it),
#    and goflow2plus.flows recounted by type.
#
#    Run as root.  GF_SKIP_INSTALL=1 / GF_DESTDIR=/path as in
#    worker_smoke.sh.  Prints "N passed, N failed".
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib/tap.sh"
tap_require_root
DIR=$(mktemp -d /tmp/gf_exporters_view.XXXXXX)
chmod 755 "$DIR"
PORT=${GF_EXPV_PORT:-$(free_port tcp)}
F_PORT=${GF_EXPV_FLOW_PORT:-$(free_port udp)}
PY=/usr/bin/python3
LISTEN="flow://127.0.0.1:${F_PORT}"

. "$REPO/test/lib/cluster.sh"
CONTROL_PID=
cleanup() {
	[ -n "$CONTROL_PID" ] && kill "$CONTROL_PID" 2>/dev/null
	gf_cluster_stop
	rm -rf "$DIR"
}
trap cleanup EXIT

# The exporters.  Layouts: NetFlow v5 (Cisco), v9 (RFC 3954), IPFIX
# (RFC 7011), sFlow v5.  The state file keeps each exporter's sequence
# and clocks between phases; each phase prints what it sent and skipped.
cat >"$DIR/send.py" <<'PY'
import json, os, socket, struct, sys, time

port, state_file, phase = int(sys.argv[1]), sys.argv[2], sys.argv[3]
st = json.load(open(state_file)) if os.path.exists(state_file) else {}
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", 0))
T0 = st.setdefault("t0", time.time())

def uptime():
    # Milliseconds since the exporter booted: an hour before the test,
    # then (after "restart") a second before it.
    if "boot" in st:
        return int((time.time() - st["boot"]) * 1000) + 1000
    return int((time.time() - T0) * 1000) + 3600000

def v5(seq, n, engine=(1, 2)):
    hdr = struct.pack("!HHIIIIBBH", 5, n, uptime(), int(time.time()), 0,
                      seq & 0xffffffff, engine[0], engine[1], 100)
    rec = struct.pack("!4s4s4sHHIIIIHHBBBBHHBBH", socket.inet_aton("10.0.0.1"),
                      socket.inet_aton("10.0.0.2"), bytes(4), 1, 2, 1, 100,
                      0, 0, 1000, 80, 0, 0, 6, 0, 0, 0, 24, 24, 0)
    return hdr + rec * n

V9_TPL = (struct.pack("!HH", 0, 4 + 4 + 16) + struct.pack("!HH", 256, 4) +
          struct.pack("!HHHHHHHH", 1, 4, 2, 4, 8, 4, 12, 4))
# Options template 257: scope System (4 bytes), SAMPLING_INTERVAL (34) 4.
V9_OPT = struct.pack("!HHHHH", 1, 4 + 6 + 8, 257, 4, 4) + struct.pack("!HHHH", 1, 4, 34, 4)
V9_OPT_DATA = struct.pack("!HH", 257, 12) + struct.pack("!II", 0, 1000)

def v9(seq, first):
    recs = struct.pack("!II4s4s", 100, 1, socket.inet_aton("10.0.0.3"),
                       socket.inet_aton("10.0.0.4")) * 2
    body = (V9_TPL + V9_OPT + V9_OPT_DATA if first else b"") + \
        struct.pack("!HH", 256, 4 + len(recs)) + recs
    return struct.pack("!HHIIII", 9, 2, uptime(), int(time.time()),
                       seq & 0xffffffff, 7) + body

def ipfix(seq, n, first, secs=None, domain=9):
    tpl = struct.pack("!HH", 2, 4 + 4 + 8) + struct.pack("!HH", 256, 2) + \
        struct.pack("!HHHH", 1, 4, 2, 4)
    recs = struct.pack("!II", 200, 2) * n
    body = (tpl if first else b"") + struct.pack("!HH", 256, 4 + len(recs)) + recs
    secs = int(time.time()) if secs is None else secs
    return struct.pack("!HHIII", 10, 16 + len(body), secs, seq & 0xffffffff, domain) + body

def sflow(seq, sample_seq):
    smps = b""
    for src in (5, 6):
        smp = struct.pack("!IIIIIIIII", sample_seq & 0xffffffff, src, 256,
                          sample_seq * 256 & 0xffffffff, 0, 1, 2, 0, 0)[:-4] + struct.pack("!I", 0)
        smps += struct.pack("!II", 1, len(smp)) + smp
    return struct.pack("!II4sIIII", 5, 1, socket.inet_aton("192.0.2.50"), 2,
                       seq & 0xffffffff, uptime(), 2) + smps

def send(d):
    sock.sendto(d, ("127.0.0.1", port))
    time.sleep(0.0005)

def run(make, n, skip, order_fixups=True):
    # make(i) -> (datagram, units, flows).  Message 21 goes before 20,
    # and 30 is sent twice: late ones, never lost.
    msgs = [make(i) for i in range(n)]
    order = list(range(n))
    if order_fixups:
        order[20], order[21] = 21, 20
        order.insert(order.index(31) + 1, 30)
    sent_flows = lost = sent = 0
    for i in order:
        if i in skip:
            continue
        d, units, flows = msgs[i]
        send(d)
        sent += 1
        # A repeated message is decoded again: its flows are rows again.
        sent_flows += flows
    lost = sum(msgs[i][1] for i in skip)
    return {"sent": sent, "flows": sent_flows, "lost": lost}

out = {}
if phase == "gaps":
    # v5: 5..10 flows a message, the sequence crossing 2^32.
    seq0 = 0xffffff00
    counts = [5 + i % 6 for i in range(50)]
    starts = [seq0 + sum(counts[:i]) for i in range(50)]
    out["NETFLOW_V5"] = run(lambda i: (v5(starts[i], counts[i]), counts[i], counts[i]), 50, {7, 8, 33})
    st["v5_next"] = seq0 + sum(counts)
    # A malformed v5 datagram of another engine: its header names a row.
    send(v5(0, 3, engine=(9, 9))[:-48])
    # v9 (source id 7): one export packet each, templates in the first.
    s9 = 0xfffffff5
    out["NETFLOW_V9"] = run(lambda i: (v9(s9 + i, i == 0), 1, 2), 50, {5, 6, 7, 40})
    st["v9_next"] = s9 + 50
    # IPFIX (domain 9): 1..4 data records a message.
    sx = 0xfffffff0
    recs = [1 + i % 4 for i in range(50)]
    xs = [sx + sum(recs[:i]) for i in range(50)]
    out["IPFIX"] = run(lambda i: (ipfix(xs[i], recs[i], i == 0), recs[i], recs[i]), 50, {3, 17, 18})
    st["ipfix_next"] = sx + sum(recs)
    st["ipfix_secs"] = int(time.time())
    # sFlow (agent 192.0.2.50, sub-agent 2): datagrams numbered, two
    # sources whose flow samples are numbered too.
    sf0 = 0xfffffff8
    out["SFLOW_5"] = run(lambda i: (sflow(sf0 + i, 1000 + i), 1, 2), 50, {10, 11, 12, 13, 14, 25})
    out["SFLOW_5"]["samples_lost"] = 2 * 6
elif phase == "restart":
    # Every exporter restarts: sequences from 0, uptime from 0.
    st["boot"] = time.time()
    for i in range(3):
        send(v5(10 * i, 10))
        send(v9(i, False))
        send(ipfix(2 * i, 2, False, secs=st["ipfix_secs"] + 2))
        send(sflow(i, i))
        time.sleep(0.01)
    out = {"NETFLOW_V5": {"sent": 3, "flows": 30}, "NETFLOW_V9": {"sent": 3, "flows": 6},
           "IPFIX": {"sent": 3, "flows": 6}, "SFLOW_5": {"sent": 3, "flows": 6}}
elif phase == "after_reset":
    send(v5(30, 10))
    send(v5(40, 10))
    out = {"NETFLOW_V5": {"sent": 2, "flows": 20}}
elif phase == "control":
    # Another exporter (127.0.0.2, IPFIX domain 3) that keeps talking.
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    c.bind(("127.0.0.2", 0))
    end = time.time() + float(sys.argv[4])
    seq = 0
    while time.time() < end:
        c.sendto(ipfix(seq, 1, True, domain=3), ("127.0.0.1", port))
        seq += 1
        time.sleep(0.25)
json.dump(st, open(state_file, "w"))
print(json.dumps(out))
PY
chmod 644 "$DIR/send.py"
send() { "$PY" "$DIR/send.py" "$F_PORT" "$DIR/state.json" "$@"; }
# jget JSON PROTOCOL KEY
jget() { "$PY" -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]][sys.argv[3]])' "$@"; }
q() { gf_q "$1"; }
# row PROTOCOL DOMAIN COLUMN: the column of one exporters() row.
row() { q "SELECT $3 FROM goflow2plus.exporters() WHERE protocol = '$1' AND domain = $2"; }

# ---- cluster ------------------------------------------------------------------

gf_install "$REPO" "$DIR/build.log" || exit 1
gf_cluster_start "$LISTEN" "goflow2plus.flush_interval = '100ms'" || exit 1
q "CREATE EXTENSION goflow2plus" >/dev/null
check "the worker is ready within 30 s" \
	gf_wait_for 30 "SELECT bool_and(ready) FROM goflow2plus.stats()"

# ---- gaps, wrap, reorder ----------------------------------------------------------

SENT=$(send gaps)
# Rows are published once a second: wait for every datagram to be counted.
DOMAINS="NETFLOW_V5:258 NETFLOW_V9:7 IPFIX:9 SFLOW_5:2"
want_sql=$(for pd in $DOMAINS; do p=${pd%:*}; d=${pd#*:}; echo -n "AND (SELECT datagrams FROM goflow2plus.exporters() WHERE protocol = '$p' AND domain = $d) = $(jget "$SENT" "$p" sent) "; done)
check "exporters() counts every datagram sent, per protocol and domain" \
	gf_wait_for 10 "SELECT true $want_sql"
for pd in $DOMAINS; do
	p=${pd%:*}; d=${pd#*:}
	is "$p: seq_lost = what was skipped ($(jget "$SENT" "$p" lost) $(row "$p" "$d" seq_unit))" \
		"$(row "$p" "$d" seq_lost)" "$(jget "$SENT" "$p" lost)"
	is "$p: the message sent late and the repeated one count as late" "$(row "$p" "$d" seq_late)" 2
	is "$p: no restart seen across the wrap" "$(row "$p" "$d" seq_resets)" 0
	is "$p: flows = records sent" "$(row "$p" "$d" flows)" "$(jget "$SENT" "$p" flows)"
done
is "sFlow: flow samples lost per source = what was skipped" \
	"$(row SFLOW_5 2 samples_lost)" "$(jget "$SENT" SFLOW_5 samples_lost)"
is "seq_unit by protocol" \
	"$(q "SELECT string_agg(protocol || '=' || seq_unit, ',' ORDER BY protocol) FROM goflow2plus.exporters() WHERE protocol IS NOT NULL AND domain <> 2313")" \
	"IPFIX=records,NETFLOW_V5=flows,NETFLOW_V9=packets,SFLOW_5=datagrams"
is "sampling rates seen: v5 header, v9 options data, sFlow samples" \
	"$(q "SELECT string_agg(protocol || '=' || coalesce(sampling_rates::text, '-'), ',' ORDER BY protocol) FROM goflow2plus.exporters() WHERE protocol IS NOT NULL AND domain <> 2313")" \
	"IPFIX={},NETFLOW_V5={100},NETFLOW_V9={1000},SFLOW_5={256}"
is "the malformed v5 datagram is a decode error on its engine's row" \
	"$(row NETFLOW_V5 2313 "datagrams || '/' || decode_errors")" "1/1"
is "decode errors elsewhere: none" \
	"$(q "SELECT sum(decode_errors) FROM goflow2plus.exporters() WHERE domain <> 2313")" 0
is "v9 / IPFIX rows show the templates their address holds" \
	"$(row IPFIX 9 "templates > 0 AND sampling_entries > 0")" t
is "the agent address names the sFlow row" "$(row SFLOW_5 2 exporter)" "192.0.2.50"
check "flows per type in goflow2plus.flows match the rows (recount)" \
	gf_wait_for 5 "SELECT (SELECT string_agg(type || '=' || n, ',' ORDER BY type) FROM (SELECT type, count(*) n FROM goflow2plus.flows GROUP BY type) f) = (SELECT string_agg(protocol || '=' || flows, ',' ORDER BY protocol) FROM goflow2plus.exporters() WHERE protocol IS NOT NULL AND flows > 0)"
is "exporters_view: one row per exporter, protocol and domain" \
	"$(q "SELECT count(*) FROM goflow2plus.exporters_view WHERE protocol IS NOT NULL")" 5

# ---- restarts ---------------------------------------------------------------------------

LOST_BEFORE=$(q "SELECT string_agg(protocol || '=' || seq_lost, ',' ORDER BY protocol) FROM goflow2plus.exporters() WHERE domain <> 2313")
send restart >/dev/null
for pd in $DOMAINS; do
	p=${pd%:*}; d=${pd#*:}
	check "$p: the restart is counted once" \
		gf_wait_for 5 "SELECT seq_resets = 1 FROM goflow2plus.exporters() WHERE protocol = '$p' AND domain = $d"
done
is "restarts add no loss (sequence back to 0 is not 4 billion lost)" \
	"$(q "SELECT string_agg(protocol || '=' || seq_lost, ',' ORDER BY protocol) FROM goflow2plus.exporters() WHERE domain <> 2313")" \
	"$LOST_BEFORE"
is "sFlow samples per source: the restart adds no loss" "$(row SFLOW_5 2 samples_lost)" 12

# ---- reset_stats ----------------------------------------------------------------------

RCVBUF=$(gf_counter rcvbuf_bytes)
q "CREATE ROLE expv_nobody" >/dev/null
check "reset_stats() is not for PUBLIC" \
	bash -c "! runuser -u postgres -- '$GF_PGBIN/psql' -h '$DIR' -p '$PORT' -d postgres -XAtq -c 'SET ROLE expv_nobody; SELECT goflow2plus.reset_stats()' 2>/dev/null"
is "reset_stats() by the superuser" "$(q "SELECT goflow2plus.reset_stats()")" ""
is "stats() counters are zero" \
	"$(q "SELECT string_agg(counter || '=' || value, ',' ORDER BY counter) FROM goflow2plus.stats() WHERE counter IN ('packets', 'flows', 'bytes_received', 'rows_inserted') AND value <> 0")" ""
is "gauges are left alone (rcvbuf_bytes)" "$(gf_counter rcvbuf_bytes)" "$RCVBUF"
check "exporters() counts are zero once the worker applied it" \
	gf_wait_for 3 "SELECT bool_and(datagrams = 0 AND flows = 0 AND bytes = 0 AND decode_errors = 0 AND seq_lost = 0 AND seq_late = 0 AND seq_resets = 0 AND coalesce(samples_lost, 0) = 0 AND cardinality(sampling_rates) = 0) AND count(*) >= 5 FROM goflow2plus.exporters()"
is "... and stay zero after the next tick" \
	"$(sleep 1.2; q "SELECT sum(datagrams + seq_lost) FROM goflow2plus.exporters()")" 0
SENT=$(send after_reset)
check "counting starts again from zero, sequence kept (no loss)" \
	gf_wait_for 5 "SELECT datagrams = 2 AND flows = 20 AND seq_lost = 0 FROM goflow2plus.exporters() WHERE protocol = 'NETFLOW_V5' AND domain = 258"
check "stats() counts again from zero" \
	gf_wait_for 3 "SELECT sum(value) = 2 FROM goflow2plus.stats() WHERE counter = 'packets'"

# ---- idle exporters expire, in memory and in the tables ------------------------------

is "before: 127.0.0.1 has templates and sampling rows saved" \
	"$(q "SELECT (SELECT count(*) FROM goflow2plus.templates WHERE exporter = '127.0.0.1') > 0 AND (SELECT count(*) FROM goflow2plus.sampling WHERE exporter = '127.0.0.1') > 0")" t
send control 14 >/dev/null &
CONTROL_PID=$!
check "the control exporter's template is saved" \
	gf_wait_for 5 "SELECT count(*) = 1 FROM goflow2plus.templates WHERE exporter = '127.0.0.2'"
q "ALTER SYSTEM SET goflow2plus.exporter_idle_timeout = '2s'" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
check "the silent exporter's rows leave exporters() (memory)" \
	gf_wait_for 8 "SELECT count(*) = 0 FROM goflow2plus.exporters() WHERE exporter IN ('127.0.0.1', '192.0.2.50')"
check "... and goflow2plus.templates / goflow2plus.sampling" \
	gf_wait_for 8 "SELECT (SELECT count(*) FROM goflow2plus.templates WHERE exporter = '127.0.0.1') = 0 AND (SELECT count(*) FROM goflow2plus.sampling WHERE exporter = '127.0.0.1') = 0"
is "the exporter that kept talking keeps its row and template" \
	"$(q "SELECT (SELECT count(*) FROM goflow2plus.exporters() WHERE exporter = '127.0.0.2' AND templates = 1) = 1 AND (SELECT count(*) FROM goflow2plus.templates WHERE exporter = '127.0.0.2') = 1")" t
is "expiry counted: templates, exporter rows" \
	"$(q "SELECT bool_and(value > 0) FROM goflow2plus.stats() WHERE counter IN ('nf_templates_expired', 'exporter_rows_expired')")" t
check "the deletion is logged" grep -q "rows of goflow2plus.templates and goflow2plus.sampling of exporters silent" "$DIR/log"
wait "$CONTROL_PID" 2>/dev/null
CONTROL_PID=

check "the postmaster never restarted a backend" bash -c "! grep -q 'terminated by signal\|was terminated' '$DIR/log'"
tap_summary
