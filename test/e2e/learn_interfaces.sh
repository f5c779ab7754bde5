#!/bin/bash
# learn_interfaces.sh
#    Interface names, descriptions and speeds that exporters send reach
#    goflow2plus.interfaces through a live worker (loopback only):
#    an IPFIX interface table as Cisco IOS-XR sends it (scope ingress and
#    egress interface, interfaceDescription and interfaceName of 64
#    bytes), a NetFlow v9 one as IOS-XE sends it (scope System, INPUT_SNMP,
#    IF_NAME 33 bytes, IF_DESC 65 bytes, OUTPUT_SNMP) and sFlow counter
#    samples (ifSpeed).  The rows must say what was sent (the oracle is
#    this script's own list), origin 'learnt'; a repeat changes nothing
#    (no row written, learnt_at unchanged, the context builder not woken),
#    also after the worker restarted and forgot what it wrote;
#    a changed name is written; a name typed by the user stays while
#    learnt_name follows the exporter; a row the user made keeps origin
#    'sql'; a speed and a name for the same interface merge; bytes that
#    are not UTF-8 arrive as '?'; and flows show the learnt name through
#    context enrichment (in_if_name), the user's name where one was set.
#    Facts that come before CREATE EXTENSION are kept and written once
#    the table exists.
#
#    Run as root.  GF_SKIP_INSTALL=1 / GF_DESTDIR=/path as in
#    worker_smoke.sh.  Prints "N passed, N failed".
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib/tap.sh"
tap_require_root
DIR=$(mktemp -d /tmp/gf_learn_if.XXXXXX)
chmod 755 "$DIR"
PORT=${GF_LEARN_PORT:-$(free_port tcp)}
F_PORT=${GF_LEARN_FLOW_PORT:-$(free_port udp)}
PY=/usr/bin/python3
# One worker for every protocol, so all facts land in one table.
LISTEN="flow://127.0.0.1:${F_PORT}"

. "$REPO/test/lib/cluster.sh"
# is NAME GOT WANT
is() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1"; printf '  got:  %s\n  want: %s\n' "$2" "$3" | sed 's/^/  /'; fi; }
cleanup() { gf_cluster_stop; rm -rf "$DIR"; }
trap cleanup EXIT

# The sender.  Layouts from RFC 7011 (IPFIX), RFC 3954 (v9), sFlow v5;
# field widths as in the real captures (pmacct tests 400-502: IOS-XR;
# telegraf netflow_v9_options: IOS-XE).  Texts come as JSON so that any
# byte can be sent: a "hex:" prefix gives raw bytes.
cat >"$DIR/send.py" <<'PY'
import json, socket, struct, sys, time

def text(v, width):
    b = bytes.fromhex(v[4:]) if v.startswith("hex:") else v.encode()
    return b[:width].ljust(width, b"\0")

def ipfix(domain, ifs, seq=1):
    # Options template 256: scope ingressInterface(10), egressInterface(14);
    # interfaceDescription(83) and interfaceName(82), 64 bytes each.
    tmpl = struct.pack("!HHH", 256, 4, 2) + struct.pack("!HHHHHHHH", 10, 4, 14, 4, 83, 64, 82, 64)
    tset = struct.pack("!HH", 3, 4 + len(tmpl)) + tmpl
    recs = b"".join(struct.pack("!II", i, i) + text(d, 64) + text(n, 64) for i, n, d in ifs)
    dset = struct.pack("!HH", 256, 4 + len(recs)) + recs
    body = tset + dset
    return struct.pack("!HHIII", 10, 16 + len(body), int(time.time()), seq, domain) + body

def v9(source_id, ifs, seq=1):
    # Options template 257: scope System (type 1, 4 bytes); INPUT_SNMP(10)
    # 4, IF_NAME(82) 33, IF_DESC(83) 65, OUTPUT_SNMP(14) 4.
    tmpl = struct.pack("!HHH", 257, 4, 16) + struct.pack("!HH", 1, 4) + \
        struct.pack("!HHHHHHHH", 10, 4, 82, 33, 83, 65, 14, 4)
    tset = struct.pack("!HH", 1, 4 + len(tmpl)) + tmpl
    recs = b"".join(socket.inet_aton("127.0.0.1") + struct.pack("!I", i) + text(n, 33) +
                    text(d, 65) + struct.pack("!I", i) for i, n, d in ifs)
    pad = (4 - len(recs) % 4) % 4
    dset = struct.pack("!HH", 257, 4 + len(recs) + pad) + recs + b"\0" * pad
    return struct.pack("!HHIIII", 9, 2, 100000, int(time.time()), seq, source_id) + tset + dset

def sflow_ctr(agent, if_index, speed, seq=1):
    # One counters_sample (format 2) with one generic interface record.
    rec = struct.pack("!IIQIIQIIIIIIQIIIIII", if_index, 6, speed, 1, 3,
                      1000, 1, 0, 0, 0, 0, 0, 2000, 2, 0, 0, 0, 0, 0)
    rec = struct.pack("!II", 1, len(rec)) + rec
    smp = struct.pack("!III", seq, if_index, 1) + rec
    smp = struct.pack("!II", 2, len(smp)) + smp
    return struct.pack("!II4sIIII", 5, 1, socket.inet_aton(agent), 0, seq, 1000, 1) + smp

def v5(in_if, out_if, seq=1):
    now = time.time()
    hdr = struct.pack("!HHIIIIBBH", 5, 1, 100000, int(now), 0, seq, 0, 0, 0)
    rec = struct.pack("!4s4s4sHHIIIIHHBBBBHHBBH",
                      socket.inet_aton("10.1.2.3"), socket.inet_aton("10.4.5.6"),
                      socket.inet_aton("10.9.9.9"), in_if, out_if, 1, 100,
                      99000, 99500, 1234, 80, 0, 0x12, 6, 0, 0, 0, 24, 16, 0)
    return hdr + rec

kind, port, arg = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if kind == "ipfix":
    d = ipfix(arg["domain"], arg["ifs"], arg.get("seq", 1))
elif kind == "v9":
    d = v9(arg["source_id"], arg["ifs"], arg.get("seq", 1))
elif kind == "sflowctr":
    d = sflow_ctr(arg["agent"], arg["if_index"], arg["speed"], arg.get("seq", 1))
elif kind == "v5":
    d = v5(arg["in_if"], arg["out_if"], arg.get("seq", 1))
else:
    sys.exit("unknown kind " + kind)
s.sendto(d, ("127.0.0.1", port))
PY
chmod 644 "$DIR/send.py"
send() { "$PY" "$DIR/send.py" "$1" "$F_PORT" "$2"; }

# The rows as this script expects them, one line per interface.
ROWS_SQL="SELECT string_agg(format('%s|%s|%s|%s|%s|%s|%s|%s', exporter, if_index, origin,
	coalesce(name, '-'), coalesce(learnt_name, '-'), coalesce(learnt_description, '-'),
	coalesce(learnt_speed::text, '-'), learnt_at IS NOT NULL), ' ; ' ORDER BY exporter, if_index)
	FROM goflow2plus.interfaces"

# ---- cluster ------------------------------------------------------------------

gf_install "$REPO" "$DIR/build.log" || exit 1
gf_cluster_start "$LISTEN" "goflow2plus.flush_interval = '100ms'" || exit 1
# The worker is watched from "probe" until the extension exists in "postgres".
gf_q "CREATE DATABASE probe" >/dev/null
gf_q "CREATE EXTENSION goflow2plus" probe >/dev/null
check "the worker is ready within 30 s" \
	gf_wait_for 30 "SELECT bool_and(ready) FROM goflow2plus.stats()" probe

# ---- before CREATE EXTENSION ------------------------------------------------------

send v9 '{"source_id": 6, "ifs": [[200, "early0", "before the table"]]}'
check "a fact with no table to go to is kept, and the worker says so" \
	bash -c "for i in \$(seq 1 50); do grep -q 'goflow2plus.interfaces does not exist; 1 learnt interfaces are kept' '$DIR/log' && exit 0; sleep 0.1; done; exit 1"
gf_q "CREATE EXTENSION goflow2plus" >/dev/null
check "it is written once the table exists (retried every 10 s)" \
	gf_wait_for 15 "SELECT count(*) = 1 FROM goflow2plus.interfaces WHERE if_index = 200 AND learnt_name = 'early0' AND learnt_description = 'before the table' AND origin = 'learnt'"
gf_q "DELETE FROM goflow2plus.interfaces" >/dev/null
check "stats() lists the learnt-interface counters" \
	test "$(gf_q "SELECT count(*) FROM goflow2plus.stats() WHERE counter IN ('iface_learnt_written', 'iface_learnt_refused', 'interface_records', 'nf_interface_unkeyed')")" = 4

# A row the user made before anything was learnt.
gf_q "INSERT INTO goflow2plus.interfaces (exporter, if_index, name) VALUES ('127.0.0.1', 100, 'core-1')"

# ---- first facts --------------------------------------------------------------

send ipfix '{"domain": 0, "ifs": [[42, "TenGigE0_0_0_0", "TenGigE0/0/0/0"], [69, "TenGigE0_0_0_0.516", "TenGigE0/0/0/0.516"]]}'
send v9 '{"source_id": 6, "ifs": [[1, "Te0/0/0", "TenGigabitEthernet0/0/0"], [100, "Lo0", "Loopback0"], [101, "hex:4769c3a9ff01", "hex:4c696e6b2020"]]}'
send sflowctr '{"agent": "192.0.2.10", "if_index": 7, "speed": 10000000000}'
# A speed for an interface already named: the facts merge.
send sflowctr '{"agent": "127.0.0.1", "if_index": 42, "speed": 100000000000}'

# Byte 0xff and 0x01 in "Gi\xc3\xa9\xff\x01" become '?'; é stays; the
# description's trailing spaces go.
# (inet shows a host address without its /32.)
want="127.0.0.1|1|learnt|-|Te0/0/0|TenGigabitEthernet0/0/0|-|t ; "\
"127.0.0.1|42|learnt|-|TenGigE0_0_0_0|TenGigE0/0/0/0|100000000000|t ; "\
"127.0.0.1|69|learnt|-|TenGigE0_0_0_0.516|TenGigE0/0/0/0.516|-|t ; "\
"127.0.0.1|100|sql|core-1|Lo0|Loopback0|-|t ; "\
"127.0.0.1|101|learnt|-|Gié??|Link|-|t ; "\
"192.0.2.10|7|learnt|-|-|-|10000000000|t"
gf_wait_for 10 "SELECT count(*) = 6 AND count(learnt_at) = 6 AND count(learnt_speed) = 2 FROM goflow2plus.interfaces"
is "rows say what the exporters sent" "$(gf_q "$ROWS_SQL")" "$want"
is "exporters' names are (exporter, ifIndex) host addresses" \
	"$(gf_q "SELECT bool_and(masklen(exporter) = 32) FROM goflow2plus.interfaces")" t
is "the decoder counted the facts (1 + 5 names, 2 speeds)" "$(gf_counter interface_records)" 8
is "no fact was refused" "$(gf_counter iface_learnt_refused)" 0
written=$(gf_counter iface_learnt_written)
check "rows written were counted (1 + 6, over a few ticks)" test "$written" -ge 7

# ---- repeats write nothing -------------------------------------------------------

at_before=$(gf_q "SELECT string_agg(learnt_at::text, ',' ORDER BY exporter, if_index) FROM goflow2plus.interfaces")
gf_q "CREATE TABLE learnt_before AS SELECT exporter, if_index, learnt_at FROM goflow2plus.interfaces"
req_before=$(gf_q "SELECT requested FROM goflow2plus.context_status()")
send ipfix '{"domain": 0, "ifs": [[42, "TenGigE0_0_0_0", "TenGigE0/0/0/0"], [69, "TenGigE0_0_0_0.516", "TenGigE0/0/0/0.516"]], "seq": 2}'
send sflowctr '{"agent": "192.0.2.10", "if_index": 7, "speed": 10000000000, "seq": 2}'
# Two ticks, and the decoder has seen both repeats.
gf_wait_for 10 "SELECT sum(value) = 11 FROM goflow2plus.stats() WHERE counter = 'interface_records'"
sleep 2.2
is "a repeat leaves the rows as they were" "$(gf_q "$ROWS_SQL")" "$want"
is "a repeat leaves learnt_at as it was" \
	"$(gf_q "SELECT string_agg(learnt_at::text, ',' ORDER BY exporter, if_index) FROM goflow2plus.interfaces")" "$at_before"
is "a repeat writes no row" "$(gf_counter iface_learnt_written)" "$written"
is "a repeat does not wake the context builder" \
	"$(gf_q "SELECT requested FROM goflow2plus.context_status()")" "$req_before"

# A restarted worker has forgotten what it wrote: the same facts are new to
# it, yet the table has them, so again nothing may be written.
gf_q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'goflow2plus worker'" >/dev/null
check "the worker is back within 15 s" \
	gf_wait_for 15 "SELECT bool_and(ready) AND sum(value) = 2 FROM goflow2plus.stats() WHERE counter = 'worker_starts'"
send ipfix '{"domain": 0, "ifs": [[42, "TenGigE0_0_0_0", "TenGigE0/0/0/0"], [69, "TenGigE0_0_0_0.516", "TenGigE0/0/0/0.516"]], "seq": 4}'
send sflowctr '{"agent": "192.0.2.10", "if_index": 7, "speed": 10000000000, "seq": 4}'
send sflowctr '{"agent": "127.0.0.1", "if_index": 42, "speed": 100000000000, "seq": 4}'
gf_wait_for 10 "SELECT sum(value) = 14 FROM goflow2plus.stats() WHERE counter = 'interface_records'"
sleep 2.2
is "after a restart, facts the table has leave the rows as they were" "$(gf_q "$ROWS_SQL")" "$want"
is "after a restart, learnt_at stays as it was" \
	"$(gf_q "SELECT string_agg(learnt_at::text, ',' ORDER BY exporter, if_index) FROM goflow2plus.interfaces")" "$at_before"
is "after a restart, no row is written" "$(gf_counter iface_learnt_written)" "$written"
is "after a restart, the context builder is not woken" \
	"$(gf_q "SELECT requested FROM goflow2plus.context_status()")" "$req_before"

# ---- a change, and the user's name -----------------------------------------------

gf_q "UPDATE goflow2plus.interfaces SET name = 'uplink-A' WHERE exporter = '127.0.0.1' AND if_index = 69"
send ipfix '{"domain": 0, "ifs": [[42, "TenGigE0_0_0_0-new", "TenGigE0/0/0/0"], [69, "TenGigE0_0_0_0.999", "to provider B"]], "seq": 3}'
check "a changed name is written within 5 s" \
	gf_wait_for 5 "SELECT learnt_name = 'TenGigE0_0_0_0-new' FROM goflow2plus.interfaces WHERE if_index = 42"
gf_wait_for 5 "SELECT learnt_name = 'TenGigE0_0_0_0.999' FROM goflow2plus.interfaces WHERE if_index = 69"
is "the user's name stays while learnt_* follow the exporter" \
	"$(gf_q "SELECT format('%s|%s|%s|%s', name, learnt_name, learnt_description, origin) FROM goflow2plus.interfaces WHERE if_index = 69")" \
	"uplink-A|TenGigE0_0_0_0.999|to provider B|learnt"
is "learnt_at moved for the changed rows only" \
	"$(gf_q "SELECT string_agg(i.if_index::text, ',' ORDER BY i.if_index) FROM goflow2plus.interfaces i
		JOIN learnt_before b USING (exporter, if_index) WHERE i.learnt_at > b.learnt_at")" "42,69"
is "the merged speed is kept when only the name changes" \
	"$(gf_q "SELECT learnt_speed FROM goflow2plus.interfaces WHERE if_index = 42")" 100000000000
is "the row the user made keeps origin 'sql'" \
	"$(gf_q "SELECT origin || '|' || name FROM goflow2plus.interfaces WHERE if_index = 100")" "sql|core-1"

# ---- flows show the names ----------------------------------------------------------

# Context enrichment: the user's name wins, else the learnt one (and the
# learnt speed).  The builder publishes within a second of the commit.
gf_q "SELECT goflow2plus.context_wait(10000)" >/dev/null
ok_flows=0
for i in $(seq 1 50); do
	send v5 "{\"in_if\": 42, \"out_if\": 69, \"seq\": $i}"
	if [ "$(gf_q "SELECT count(*) > 0 FROM goflow2plus.flows WHERE in_if = 42 AND out_if = 69 AND in_if_name = 'TenGigE0_0_0_0-new' AND out_if_name = 'uplink-A' AND in_if_speed = 100000000000 AND out_if_description = 'to provider B'")" = t ]; then
		ok_flows=1; break
	fi
	sleep 0.2
done
check "flows show the learnt name and speed, and the user's name" test "$ok_flows" = 1

# ---- the log ------------------------------------------------------------------------

check "no ERROR from the worker in the log" \
	bash -c "! grep -E 'goflow2plus worker (ERROR|FATAL|PANIC)|interfaces failed' '$DIR/log'"

tap_summary
