#!/bin/bash
# template_restart.sh
#    NetFlow v9 / IPFIX state survives a server restart: a worker learns an
#    IPFIX template, an options template with a sampling rate and one with
#    systemInitTime from hand-built datagrams, saves them to
#    goflow2plus.templates / goflow2plus.sampling (checked byte for byte
#    against the format worked out by hand), the cluster is restarted, and
#    a data-only datagram then decodes at once, with the sampling rate and
#    the init-time-relative start time of the earlier run.  Corrupted rows
#    are ignored and counted, never fatal.
#
#    Run as root (the cluster runs as user postgres; loopback only).  By
#    default it runs "make install" under the shared build lock;
#    GF_SKIP_INSTALL=1 uses what is installed.  Prints "N passed, N failed".
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib/tap.sh"
tap_require_root
# A folder and ports of this run's own.
DIR=$(mktemp -d /tmp/gf_template_restart.XXXXXX)
chmod 755 "$DIR"
PORT=${GF_RESTART_PORT:-$(free_port tcp)}
NF_PORT=${GF_RESTART_NF_PORT:-$(free_port udp)}
PGBIN=$(pg_config --bindir)
PY=/usr/bin/python3



. "$REPO/test/lib/cluster.sh"
as_pg() { gf_as_pg "$@"; }
q() { as_pg "$PGBIN/psql" -h "$DIR" -p "$PORT" -d postgres -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
counter() { q "SELECT coalesce(sum(value),0) FROM goflow2plus.stats() WHERE counter = '$1'"; }
stop_cluster() { gf_cluster_stop; }
cleanup() { gf_cluster_stop; rm -rf "$DIR"; }
trap cleanup EXIT
wait_for() {
	local secs=$1 sql=$2 i
	for ((i = 0; i < secs * 10; i++)); do
		[ "$(q "$sql" 2>/dev/null)" = "t" ] && return 0
		sleep 0.1
	done
	return 1
}
restart() {
	as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -m fast -w restart >/dev/null &&
		wait_for 30 "SELECT bool_and(ready) FROM goflow2plus.stats()"
}

gf_install "$REPO" "$DIR/build.log" || exit 1
gf_cluster_start "netflow://127.0.0.1:${NF_PORT}" "goflow2plus.flush_interval = '100ms'" || exit 1
q "CREATE EXTENSION goflow2plus" >/dev/null
check "worker ready" wait_for 30 "SELECT bool_and(ready) FROM goflow2plus.stats()"

# ---- the sender: IPFIX, observation domain 7, built field by field ----------
cat >"$DIR/send.py" <<'EOF'
import socket, struct, sys

DOMAIN = 7
INIT_MS = 1700000000000          # systemInitTimeMilliseconds

def ipfix(sets, seq):
    body = b"".join(sets)
    return struct.pack("!HHIII", 10, 16 + len(body), 1700000100, seq, DOMAIN) + body

def set_(set_id, payload):
    return struct.pack("!HH", set_id, 4 + len(payload)) + payload

def fields(spec):
    out = b""
    for ie, ln, pen in spec:
        out += struct.pack("!HH", ie | (0x8000 if pen else 0), ln)
        if pen:
            out += struct.pack("!I", pen)
    return out

# src, dst, octets, packets, sport, dport, proto, selectorId,
# flowStartSysUpTime, flowEndSysUpTime, enterprise 9 element 5.
DATA = [(8, 4, 0), (12, 4, 0), (1, 8, 0), (2, 8, 0), (7, 2, 0), (11, 2, 0),
        (4, 1, 0), (302, 4, 0), (22, 4, 0), (21, 4, 0), (5, 2, 9)]
SEL = [(302, 4, 0), (305, 4, 0), (306, 4, 0)]      # scope: selectorId
INIT = [(149, 4, 0), (160, 8, 0)]                  # scope: observationDomainId

def record(src, octets):
    return (socket.inet_aton(src) + socket.inet_aton("10.2.2.2") +
            struct.pack("!QQHHBIII", octets, 5, 1111, 80, 6, 1, 5000, 6000) +
            b"\xbe\xef")

def learn():
    return ipfix([
        set_(2, struct.pack("!HH", 256, len(DATA)) + fields(DATA)),
        set_(3, struct.pack("!HHH", 300, len(SEL), 1) + fields(SEL) +
                struct.pack("!HHH", 301, len(INIT), 1) + fields(INIT)),
        set_(300, struct.pack("!III", 1, 1, 99)),          # 1 in (1+99)/1 = 100
        set_(301, struct.pack("!IQ", DOMAIN, INIT_MS)),
        set_(256, record("10.1.1.1", 1234)),
    ], 1)

def data_only(src, octets, seq):
    return ipfix([set_(256, record(src, octets))], seq)

port = int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if sys.argv[1] == "learn":
    s.sendto(learn(), ("127.0.0.1", port))
else:
    s.sendto(data_only(sys.argv[3], int(sys.argv[4]), int(sys.argv[5])), ("127.0.0.1", port))
EOF
chmod 644 "$DIR/send.py"
send() { "$PY" "$DIR/send.py" "$@"; }

# One flow row as "bytes|sampling_rate|epoch of time_flow_start".
row_of() {
	q "SELECT bytes || '|' || coalesce(sampling_rate::text, '-') || '|' || extract(epoch FROM time_flow_start)::bigint
	   FROM goflow2plus.flows WHERE src_addr = '$1'"
}

# ---- first run: learn and save ----------------------------------------------
send learn $NF_PORT
check "first run: the learning datagram's record is stored" \
	wait_for 5 "SELECT count(*) = 1 FROM goflow2plus.flows WHERE src_addr = '10.1.1.1'"
# 1 in 100 from selector 1; start = init time + 5000 ms = 1700000005 s.
check "first run: bytes, sampling rate, start time" test "$(row_of 10.1.1.1)" = "1234|100|1700000005"
check "templates saved within 3 s" \
	wait_for 3 "SELECT count(*) = 3 FROM goflow2plus.templates"
check "sampling saved within 3 s" \
	wait_for 3 "SELECT count(*) = 2 FROM goflow2plus.sampling"

# The serialized layouts, written out by hand from the format in
# src/core/include/netflow_persist.h: format 1, u16 field count, u16 scope count,
# then u16 id, u16 length (+ u32 enterprise number when id has 0x8000).
hexof() { echo "$*" | tr -d ' '; }
T256=$(hexof 01 000b 0000 00080004 000c0004 00010008 00020008 00070002 000b0002 \
	00040001 012e0004 00160004 00150004 8005000200000009)
T300=$(hexof 01 0003 0001 012e0004 01310004 01320004)
T301=$(hexof 01 0002 0001 00950004 00a00008)
tpl_row() {
	q "SELECT exporter || '|' || version || '|' || domain_id || '|' || kind || '|' || encode(fields, 'hex')
	   FROM goflow2plus.templates WHERE template_id = $1"
}
check "template 256 saved: exporter, version, domain, kind, bytes" \
	test "$(tpl_row 256)" = "127.0.0.1/32|10|7|data|$T256"
check "options template 300 saved" test "$(tpl_row 300)" = "127.0.0.1/32|10|7|options|$T300"
check "options template 301 saved" test "$(tpl_row 301)" = "127.0.0.1/32|10|7|options|$T301"
check "template received time saved (within a minute of now)" \
	test "$(q "SELECT bool_and(abs(extract(epoch FROM now() - updated)) < 60) FROM goflow2plus.templates")" = t
check "sampling rows: selector 1 at 1 in 100, domain init time" \
	test "$(q "SELECT string_agg(per_sampler || ':' || sampler_id || ':' || coalesce(rate::text, '-') || ':' || coalesce(init_time_ms::text, '-'), ' ' ORDER BY per_sampler)
	           FROM goflow2plus.sampling WHERE exporter = '127.0.0.1' AND version = 10 AND domain_id = 7")" = \
	"false:0:-:1700000000000 true:1:100:-"

# ---- restart: a data-only datagram decodes at once ---------------------------
xmins_before=$(q "SELECT string_agg(xmin::text, ',' ORDER BY template_id) FROM goflow2plus.templates")
check "restart, worker ready again" restart
grep -q 'restored 3 templates and 2 sampling entries' "$DIR/log"
check "the log says what was restored" test $? = 0
check "nf_state_imported = 5 after the restart" test "$(counter nf_state_imported)" = 5
send data $NF_PORT 10.1.1.2 4321 2
check "after restart: the data-only record is stored" \
	wait_for 5 "SELECT count(*) = 1 FROM goflow2plus.flows WHERE src_addr = '10.1.1.2'"
check "after restart: bytes, saved sampling rate, start from saved init time" \
	test "$(row_of 10.1.1.2)" = "4321|100|1700000005"
check "after restart: nothing waited for a template" test "$(counter nf_sets_pending)" = 0
sleep 2	# two worker ticks: a needless save would have happened by now
check "after restart: the restored rows were not written again" \
	test "$(q "SELECT string_agg(xmin::text, ',' ORDER BY template_id) FROM goflow2plus.templates")" = "$xmins_before"

# ---- corrupted rows are ignored, counted, and harmless -----------------------
q "INSERT INTO goflow2plus.templates VALUES
   ('127.0.0.1', 10, 7, 999, 'data', '\\x01ffff0000', now()),
   ('127.0.0.1', 10, 7, 100, 'data', '\\x010001000000010004', now()),
   ('127.0.0.1', 10, 7, 998, 'data', '\\x01000100000001000000', now()),
   ('127.0.0.1', 10, -1, 997, 'data', '\\x010001000000010004', now())" >/dev/null
q "INSERT INTO goflow2plus.sampling VALUES ('127.0.0.1', 10, 8, true, 3, 0, NULL, now())" >/dev/null
check "restart with corrupted rows, worker ready" restart
check "5 rows refused and counted" test "$(counter nf_state_import_rejected)" = 5
check "the valid state was restored all the same" test "$(counter nf_state_imported)" = 5
check "the refusals are logged" test "$(grep -c 'ignored a row of goflow2plus' "$DIR/log")" -ge 5
send data $NF_PORT 10.1.1.3 999 3
check "after the second restart: the data-only record decodes" \
	wait_for 5 "SELECT count(*) = 1 FROM goflow2plus.flows WHERE src_addr = '10.1.1.3'"
# ---- control: without the saved rows the same datagram only waits -----------
q "TRUNCATE goflow2plus.templates, goflow2plus.sampling" >/dev/null
check "restart with empty state tables, worker ready" restart
send data $NF_PORT 10.1.1.4 555 4
sleep 2
check "control: without saved templates the data-only record is not stored" \
	test "$(q "SELECT count(*) FROM goflow2plus.flows WHERE src_addr = '10.1.1.4'")" = 0
check "control: it waits for its template instead" test "$(counter nf_sets_pending)" = 1

check "no worker ERROR, FATAL or PANIC in the log" \
	test "$(grep -cE 'goflow2plus worker (ERROR|FATAL|PANIC)' "$DIR/log")" = 0

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
