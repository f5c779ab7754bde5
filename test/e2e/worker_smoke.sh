#!/bin/bash
# worker_smoke.sh
#    Smoke test of the background workers on a throwaway cluster (loopback
#    only): workers become ready, survive garbage and truncated datagrams,
#    count what they see, write hand-built NetFlow v5 records to
#    goflow2plus.flows within 2 s, wait quietly while the extension is
#    missing (before CREATE EXTENSION and after DROP EXTENSION), pick up
#    a reload, restart after being terminated, store an sFlow drop sample
#    in goflow2plus.sflow_drops, write their pending batch when the server
#    is stopped (a clean shutdown loses no record), stop promptly under a
#    flood, and refuse to start with an invalid goflow2plus.listen.
#
#    Run as root.  By default it runs "make install" (under the shared build
#    lock).  GF_SKIP_INSTALL=1 uses what is installed; GF_DESTDIR=/path uses
#    a "make install DESTDIR=/path" tree instead of /usr (through Debian's
#    extension_destdir).  GF_MAKE_ARGS is passed to make (e.g. "WERROR=").
#    Prints "N passed, N failed" and exits non-zero on any failure.
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib/tap.sh"
tap_require_root
# A folder and ports of this run's own (GF_SMOKE_* to choose them).
DIR=$(mktemp -d /tmp/gf_worker_smoke.XXXXXX)
chmod 755 "$DIR"
PORT=${GF_SMOKE_PORT:-$(free_port tcp)}
NF_PORT=${GF_SMOKE_NF_PORT:-$(free_port udp)}
SF_PORT=${GF_SMOKE_SF_PORT:-$(free_port udp)}
PGBIN=$(pg_config --bindir)
PY=/usr/bin/python3
LISTEN="netflow://127.0.0.1:${NF_PORT},sflow://127.0.0.1:${SF_PORT}?count=2"



. "$REPO/test/lib/cluster.sh"
as_pg() { gf_as_pg "$@"; }
# psql against database $1, one query, unaligned tuples only.
q() { as_pg "$PGBIN/psql" -h "$DIR" -p "$PORT" -d "$1" -XAtq -v ON_ERROR_STOP=1 -c "$2"; }
# Sum of one counter over all workers, read through the probe database.
counter() { q probe "SELECT coalesce(sum(value),0) FROM goflow2plus.stats() WHERE counter = '$1'"; }
# Sum of one counter for the workers whose listen text starts with $2.
counter_of() { q probe "SELECT coalesce(sum(value),0) FROM goflow2plus.stats() WHERE counter = '$1' AND listen LIKE '$2%'"; }

stop_cluster() { gf_cluster_stop; }
cleanup() { gf_cluster_stop; rm -rf "$DIR"; }
trap cleanup EXIT

# Wait up to $1 seconds for the SQL condition $2 (database $3) to be 't'.
wait_for() {
	local secs=$1 sql=$2 db=${3:-probe} i
	for ((i = 0; i < secs * 10; i++)); do
		[ "$(q "$db" "$sql" 2>/dev/null)" = "t" ] && return 0
		sleep 0.1
	done
	return 1
}

# Lines the workers logged at ERROR or worse since byte offset $1 of the log.
worker_errors_since() {
	tail -c +"$(($1 + 1))" "$DIR/log" | grep -E '\] goflow2plus worker (ERROR|FATAL|PANIC):' || true
}
log_size() { stat -c %s "$DIR/log"; }

# ---- build, install, cluster ------------------------------------------------

gf_install "$REPO" "$DIR/build.log" || exit 1
gf_cluster_start "$LISTEN" "goflow2plus.flush_interval = '200ms'" || exit 1

# The workers write to "postgres"; stats() is read from "probe", which has
# the extension, so the workers can be watched before CREATE EXTENSION in
# "postgres".
q postgres "CREATE DATABASE probe" >/dev/null
q probe "CREATE EXTENSION goflow2plus" >/dev/null

check "three workers report ready within 30 s" \
	wait_for 30 "SELECT count(DISTINCT worker) = 3 AND bool_and(ready) FROM goflow2plus.stats()"
check "stats() shows the canonical listen entries" \
	test "$(q probe "SELECT string_agg(DISTINCT listen, ' ' ORDER BY listen) FROM goflow2plus.stats()")" = \
	"netflow://127.0.0.1:${NF_PORT} sflow://127.0.0.1:${SF_PORT}?count=2"
check "stats() lists decoder and adapter counters" \
	test "$(q probe "SELECT count(*) FROM goflow2plus.stats() WHERE worker = 0 AND counter IN ('packets','packets_malformed','flows','rows_inserted','flushes','flush_errors','recv_errors','kernel_drops','dropped_no_extension','rcvbuf_bytes')")" = 10
check "each worker started once" \
	test "$(q probe "SELECT bool_and(value = 1) FROM goflow2plus.stats() WHERE counter = 'worker_starts'")" = t
check "the socket got a receive buffer" \
	test "$(counter rcvbuf_bytes)" -gt 0

# ---- the datagram sender ----------------------------------------------------
# NetFlow v5 layout (Cisco): 24-byte header (version, count, sys_uptime,
# unix_secs, unix_nsecs, flow_sequence, engine type/id, sampling) and
# 48-byte records.  Values are chosen here and checked in SQL below, so the
# oracle is this script, not the decoder's output.
cat >"$DIR/send.py" <<'EOF'
import socket, struct, sys, time

def v5(nrec, seq=1, src="10.1.2.3", dst="10.4.5.6", sport=1234, dport=80,
       pkts=3, octets=1500, count=None):
    now = int(time.time())
    hdr = struct.pack("!HHIIIIBBH", 5, nrec if count is None else count,
                      100000, now, 0, seq, 0, 0, 0)
    recs = b""
    for i in range(nrec):
        recs += struct.pack("!4s4s4sHHIIIIHHBBBBHHBBH",
                            socket.inet_aton(src), socket.inet_aton(dst),
                            socket.inet_aton("10.9.9.9"), 1, 2, pkts, octets,
                            90000, 99000, sport + i, dport, 0, 0x12, 6, 0,
                            64512, 64513, 24, 16, 0)
    return hdr + recs

def sflow_empty(seq=1):
    # sFlow v5 datagram header with no samples: version, agent address
    # type 1 (IPv4), agent, sub-agent id, sequence, uptime, sample count.
    return struct.pack("!II4sIIII", 5, 1, socket.inet_aton("127.0.0.1"), 0, seq, 1000, 0)

def sflow_ifcounters(seq=1, if_index=7):
    # One counters_sample (format 2) holding one generic interface record
    # (format 1, 88 bytes), per the sFlow v5 specification.
    rec = struct.pack("!IIQIIQIIIIIIQIIIIII",
                      if_index, 6, 1000000000, 1, 3, 123456789, 1001, 1002,
                      1003, 1004, 1005, 1006, 987654321, 2001, 2002, 2003,
                      2004, 2005, 0)
    assert len(rec) == 88
    body = struct.pack("!III", seq, if_index, 1) + struct.pack("!II", 1, len(rec)) + rec
    sample = struct.pack("!II", 2, len(body)) + body
    return struct.pack("!II4sIIII", 5, 1, socket.inet_aton("127.0.0.1"), 0, seq, 1000, 1) + sample

def sflow_drop(seq=1):
    # One discarded packet sample (enterprise 0, format 5, sFlow dropped
    # packet notification extension): sequence, source id type and index,
    # drops, input, output, reason (3 = port_unreachable), one raw packet
    # header record (format 1: protocol 1 = Ethernet, frame length,
    # stripped, header length, header bytes padded to 4).
    # Then two drop-specific records: extended_acl (1037: number, name,
    # direction 1 = ingress) and extended_function (1038: symbol).
    hdr = drop_header()
    raw = struct.pack("!IIII", 1, 96, 4, len(hdr)) + hdr + bytes((-len(hdr)) % 4)
    def xdr_str(t):
        b = t.encode()
        return struct.pack("!I", len(b)) + b + bytes((-len(b)) % 4)
    acl = struct.pack("!I", 42) + xdr_str("edge-in") + struct.pack("!I", 1)
    fn = xdr_str("nf_hook_slow")
    body = struct.pack("!IIIIIIII", 501, 0, 21, 9, 21, 0, 3, 3) + \
        struct.pack("!II", 1, len(raw)) + raw + \
        struct.pack("!II", 1037, len(acl)) + acl + \
        struct.pack("!II", 1038, len(fn)) + fn
    sample = struct.pack("!II", 5, len(body)) + body
    return struct.pack("!II4sIIII", 5, 1, socket.inet_aton("127.0.0.1"), 0, seq, 1000, 1) + sample

def drop_header():
    # Ethernet II (02:00:00:00:00:02 <- 02:00:00:00:00:01, IPv4), a
    # 20-byte IPv4 header (UDP, 10.20.30.40 -> 10.20.30.41), UDP 1111 -> 2222.
    eth = bytes.fromhex("020000000002" "020000000001") + struct.pack("!H", 0x0800)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28 + 4, 1, 0, 64, 17, 0,
                     socket.inet_aton("10.20.30.40"), socket.inet_aton("10.20.30.41"))
    udp = struct.pack("!HHHH", 1111, 2222, 8 + 4, 0) + b"drop"
    return eth + ip + udp

def send(port, payload, host="127.0.0.1"):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                      socket.SOCK_DGRAM)
    s.sendto(payload, (host, port))
    s.close()

kind, port = sys.argv[1], int(sys.argv[2])
n = int(sys.argv[3]) if len(sys.argv) > 3 else 1
for i in range(n):
    if kind == "garbage":
        send(port, b"\xde\xad\xbe\xef" * (i + 1))
    elif kind == "tiny":
        send(port, b"\x00\x05")
    elif kind == "v5":
        send(port, v5(1, seq=i + 1))
    elif kind == "v5v6":
        send(port, v5(1, seq=i + 1, src="10.6.6.6"), host="::1")
    elif kind == "v5x25":
        send(port, v5(25, seq=i + 1, sport=2000))
    elif kind == "v5trunc":
        # The header promises 30 records, the datagram holds 2.
        send(port, v5(2, count=30))
    elif kind == "sflowdrop":
        send(port, sflow_drop(i + 1))
    elif kind == "drophex":
        print(drop_header().hex())
    elif kind == "v5mark":
        # Marked records for the shutdown test: one per datagram.
        send(port, v5(1, seq=i + 1, src="10.7.7.7", sport=i))
    elif kind == "flood":
        # n seconds of v5 datagrams, as fast as one process can send.
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        d = v5(30, src="10.8.8.8")
        end = time.time() + n
        while time.time() < end:
            for _ in range(1000):
                s.sendto(d, ("127.0.0.1", port))
        break
    elif kind == "sflowctr":
        send(port, sflow_ifcounters(i + 1))
    elif kind == "sflow":
        # Many source ports, so SO_REUSEPORT spreads them over both sockets.
        send(port, sflow_empty(i + 1))
    else:
        sys.exit("unknown kind " + kind)
EOF
chmod 644 "$DIR/send.py"
send() { "$PY" "$DIR/send.py" "$@"; }

have_v5=0
if q probe "SELECT count(*) FROM goflow2plus.decode('\\x000500010000000000000000000000000000000000000000'::bytea || decode(repeat('00', 48), 'hex'))" >/dev/null 2>&1; then
	have_v5=1
fi

# ---- before CREATE EXTENSION: drop quietly ----------------------------------

log0=$(log_size)
packets0=$(counter packets)
send v5 $NF_PORT 3
check "records are dropped and counted while the extension is missing" \
	wait_for 3 "SELECT sum(value) >= 3 FROM goflow2plus.stats() WHERE counter = 'dropped_no_extension'"
check "the missing extension is logged once, not as an ERROR" \
	test "$(tail -c +"$((log0 + 1))" "$DIR/log" | grep -c 'does not exist in database')" = 1
check "no worker ERROR while waiting for the extension" test -z "$(worker_errors_since "$log0")"
check "packets counter moved" test "$(counter packets)" -ge $((packets0 + 3))

# ---- with the extension ------------------------------------------------------

q postgres "CREATE EXTENSION goflow2plus" >/dev/null
log1=$(log_size)
malformed0=$(counter packets_malformed)
unknown0=$(counter packets_unknown_version)
send garbage $NF_PORT 20
send garbage $SF_PORT 20
send tiny $NF_PORT 1
send v5trunc $NF_PORT 1
check "the short and the truncated datagram are counted malformed" \
	wait_for 3 "SELECT sum(value) >= $((malformed0 + 2)) FROM goflow2plus.stats() WHERE counter = 'packets_malformed'"
check "garbage is counted as unknown version" \
	test "$(counter packets_unknown_version)" -ge $((unknown0 + 40))
sleep 0.3
nlogged=$(tail -c +"$((log1 + 1))" "$DIR/log" | grep -c 'dropped a [0-9]*-byte datagram from 127.0.0.1')
check "decode errors are logged rate-limited ($nlogged lines for 42 datagrams over 3 workers)" \
	test "$nlogged" -ge 1 -a "$nlogged" -le 3
check "the log names the truncated v5 count or the offset" \
	bash -c "tail -c +$((log1 + 1)) '$DIR/log' | grep -q 'at byte [0-9]'"

sf0=$(counter_of packets_sflow sflow)
send sflow $SF_PORT 20
if [ "$(q probe "SELECT count(*) FROM goflow2plus.decode('\\x00000005000000017f0000010000000000000001000003e800000000'::bytea)" 2>/dev/null)" = 0 ]; then
	check "sFlow datagrams reach the sflow workers" \
		wait_for 3 "SELECT sum(value) >= $((sf0 + 20)) FROM goflow2plus.stats() WHERE counter = 'packets_sflow' AND listen LIKE 'sflow%'"
	ifc0=$(counter ifcounter_rows_inserted)
	send sflowctr $SF_PORT 1
	check "an sFlow interface counter sample is in goflow2plus.interface_counters within 2 s" \
		wait_for 2 "SELECT count(*) = 1 FROM goflow2plus.interface_counters WHERE if_index = 7 AND in_octets = 123456789 AND out_octets = 987654321 AND in_errors = 1005 AND sampler_address = '127.0.0.1'" postgres
	check "ifcounter_rows_inserted counts it" \
		wait_for 2 "SELECT sum(value) >= $((ifc0 + 1)) FROM goflow2plus.stats() WHERE counter = 'ifcounter_rows_inserted'"
	drophex=$("$PY" "$DIR/send.py" drophex 0)
	drops0=$(counter sflow_drop_rows_inserted)
	send sflowdrop $SF_PORT 1
	check "an sFlow drop sample is in goflow2plus.sflow_drops within 2 s, fields and header bytes as sent" \
		wait_for 2 "SELECT count(*) = 1 FROM goflow2plus.sflow_drops WHERE sampler_address = '127.0.0.1' AND sequence_num = 501 AND source_id_index = 21 AND drops = 9 AND in_if = 21 AND out_if = 0 AND reason = 3 AND header_protocol = 1 AND frame_length = 96 AND header = '\\x$drophex'::bytea AND src_addr = '10.20.30.40' AND dst_addr = '10.20.30.41' AND proto = 17 AND src_port = 1111 AND dst_port = 2222 AND src_mac = '02:00:00:00:00:01' AND dst_mac = '02:00:00:00:00:02' AND etype = 2048 AND vlan_id IS NULL AND acl_number = 42 AND acl_name = 'edge-in' AND acl_direction = 1 AND function = 'nf_hook_slow' AND egress_queue IS NULL AND linux_reason IS NULL AND time_received BETWEEN clock_timestamp() - interval '3 s' AND clock_timestamp()" postgres
	check "drops per reason in SQL" \
		test "$(q postgres "SELECT string_agg(reason || ':' || n, ',') FROM (SELECT reason, count(*) AS n FROM goflow2plus.sflow_drops GROUP BY 1) s")" = "3:1"
	check "sflow_drop_rows_inserted counts it" \
		wait_for 2 "SELECT sum(value) = $((drops0 + 1)) FROM goflow2plus.stats() WHERE counter = 'sflow_drop_rows_inserted'"
else
	echo "skip - sFlow decoder not usable from SQL yet"
	check "sflow workers received the datagrams" \
		wait_for 3 "SELECT sum(value) >= $((sf0 + 20)) FROM goflow2plus.stats() WHERE counter = 'packets' AND listen LIKE 'sflow%'"
fi

if [ $have_v5 = 1 ]; then
	rows0=$(q postgres "SELECT count(*) FROM goflow2plus.flows")
	send v5 $NF_PORT 1
	check "a valid v5 record is in goflow2plus.flows within 2 s, fields as sent, time_received now" \
		wait_for 2 "SELECT count(*) = 1 FROM goflow2plus.flows WHERE src_addr = '10.1.2.3' AND dst_addr = '10.4.5.6' AND src_port = 1234 AND dst_port = 80 AND proto = 6 AND packets = 3 AND bytes = 1500 AND src_as = 64512 AND dst_as = 64513 AND sampler_address = '127.0.0.1' AND time_received BETWEEN clock_timestamp() - interval '3 s' AND clock_timestamp()" postgres
	check "rows_inserted counts it" \
		wait_for 2 "SELECT sum(value) >= 1 FROM goflow2plus.stats() WHERE counter = 'rows_inserted'"

	# A reload: a batch of 10 records now; 25 records must still all arrive.
	q postgres "ALTER SYSTEM SET goflow2plus.batch_size = 10" >/dev/null
	q postgres "SELECT pg_reload_conf()" >/dev/null
	sleep 0.5
	flushes0=$(counter flushes)
	send v5x25 $NF_PORT 1
	check "after reload (batch_size 10) a 25-record datagram is written whole" \
		wait_for 2 "SELECT count(*) = 25 FROM goflow2plus.flows WHERE src_port BETWEEN 2000 AND 2024" postgres
	check "... in at least 3 flushes" \
		wait_for 2 "SELECT sum(value) >= $((flushes0 + 3)) FROM goflow2plus.stats() WHERE counter = 'flushes'"
	q postgres "ALTER SYSTEM RESET goflow2plus.batch_size" >/dev/null
	q postgres "SELECT pg_reload_conf()" >/dev/null
else
	echo "skip - NetFlow v5 decoder not available yet: no row checks"
fi
check "no worker ERROR with the extension in place" test -z "$(worker_errors_since "$log1")"
check "no flush errors so far" test "$(counter flush_errors)" = 0

# ---- a batch that fails is rolled back, counted, logged rate-limited ---------

if [ $have_v5 = 1 ]; then
	q postgres "ALTER TABLE goflow2plus.flows ADD CONSTRAINT smoke_no_1500 CHECK (bytes <> 1500) NOT VALID" >/dev/null
	log_c=$(log_size)
	rows_c=$(q postgres "SELECT count(*) FROM goflow2plus.flows")
	for i in 1 2 3 4; do send v5 $NF_PORT 1; sleep 0.4; done
	check "failing batches are counted as flush errors" \
		wait_for 3 "SELECT sum(value) >= 4 FROM goflow2plus.stats() WHERE counter = 'flush_errors'"
	nerr=$(tail -c +"$((log_c + 1))" "$DIR/log" | grep -c 'goflow2plus worker ERROR:.*smoke_no_1500')
	check "the failing batch is logged, at most once per 10 s ($nerr lines for 4 failures)" test "$nerr" = 1
	check "nothing of the failed batches was written" \
		test "$(q postgres "SELECT count(*) FROM goflow2plus.flows")" = "$rows_c"
	q postgres "ALTER TABLE goflow2plus.flows DROP CONSTRAINT smoke_no_1500" >/dev/null
	send v5 $NF_PORT 1
	check "after the constraint is gone rows are written again" \
		wait_for 2 "SELECT count(*) = $((rows_c + 1)) FROM goflow2plus.flows" postgres
	check "a failing batch never restarts the worker" \
		test "$(q probe "SELECT bool_and(value = 1) FROM goflow2plus.stats() WHERE counter = 'worker_starts'")" = t
fi

# ---- rows a BEFORE trigger skips are not counted as inserted ------------------

if [ $have_v5 = 1 ]; then
	q postgres "CREATE FUNCTION smoke_skip() RETURNS trigger LANGUAGE plpgsql AS \$\$BEGIN RETURN NULL; END\$\$" >/dev/null
	q postgres "CREATE TRIGGER smoke_skip BEFORE INSERT ON goflow2plus.flows FOR EACH ROW EXECUTE FUNCTION smoke_skip()" >/dev/null
	ins0=$(counter_of rows_inserted netflow)
	fl0=$(counter_of flushes netflow)
	send v5 $NF_PORT 3
	check "batches whose rows a BEFORE trigger skipped are committed" \
		wait_for 3 "SELECT sum(value) >= $((fl0 + 1)) FROM goflow2plus.stats() WHERE counter = 'flushes' AND listen LIKE 'netflow%'"
	sleep 0.5
	check "... and rows_inserted does not count the skipped rows" \
		test "$(counter_of rows_inserted netflow)" = "$ins0"
	q postgres "DROP TRIGGER smoke_skip ON goflow2plus.flows" >/dev/null
	q postgres "DROP FUNCTION smoke_skip()" >/dev/null
fi

# ---- goflow2plus.rcvbuf is re-applied on reload -------------------------------
# socket(7): Linux doubles the SO_RCVBUF value asked for; 1 MB is below
# the default net.core.rmem_max, so every socket must report 2 MiB.
q postgres "ALTER SYSTEM SET goflow2plus.rcvbuf = '1MB'" >/dev/null
q postgres "SELECT pg_reload_conf()" >/dev/null
check "after reload each socket has the new receive buffer (2 x 1 MiB)" \
	wait_for 3 "SELECT bool_and(value = 2097152) FROM goflow2plus.stats() WHERE counter = 'rcvbuf_bytes'"
q postgres "ALTER SYSTEM RESET goflow2plus.rcvbuf" >/dev/null
q postgres "SELECT pg_reload_conf()" >/dev/null

# ---- DROP EXTENSION, then CREATE again --------------------------------------

q postgres "DROP EXTENSION goflow2plus" >/dev/null
log2=$(log_size)
dropped0=$(counter dropped_no_extension)
send v5 $NF_PORT 2
check "after DROP EXTENSION records are dropped and counted" \
	wait_for 3 "SELECT sum(value) >= $((dropped0 + 2)) FROM goflow2plus.stats() WHERE counter = 'dropped_no_extension'"
check "no worker ERROR after DROP EXTENSION" test -z "$(worker_errors_since "$log2")"
q postgres "CREATE EXTENSION goflow2plus" >/dev/null
if [ $have_v5 = 1 ]; then
	send v5 $NF_PORT 1
	check "after CREATE EXTENSION again rows appear within 2 s" \
		wait_for 2 "SELECT count(*) = 1 FROM goflow2plus.flows" postgres
fi

# ---- a terminated worker comes back ------------------------------------------

q postgres "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'goflow2plus worker' LIMIT 1" >/dev/null
check "a terminated worker restarts and is ready again within 15 s" \
	wait_for 15 "SELECT count(DISTINCT worker) = 3 AND bool_and(ready) AND (SELECT sum(value) FROM goflow2plus.stats() WHERE counter = 'worker_starts') = 4 FROM goflow2plus.stats()"

# ---- a clean shutdown writes the pending batch ---------------------------------
# flush_interval 60 s: the records wait in the worker's batch; pg_ctl stop
# (SIGTERM to the workers) must write them before the worker exits, and
# the unlogged table keeps them over a clean restart.

if [ $have_v5 = 1 ]; then
	N=40
	q postgres "ALTER SYSTEM SET goflow2plus.flush_interval = '60s'" >/dev/null
	q postgres "SELECT pg_reload_conf()" >/dev/null
	sleep 0.5
	flows0=$(counter_of flows netflow)
	send v5mark $NF_PORT $N
	check "the $N marked records were decoded" \
		wait_for 3 "SELECT sum(value) >= $((flows0 + N)) FROM goflow2plus.stats() WHERE counter = 'flows' AND listen LIKE 'netflow%'"
	check "... and are still waiting in the batch (flush_interval 60 s)" \
		test "$(q postgres "SELECT count(*) FROM goflow2plus.flows WHERE src_addr = '10.7.7.7'")" = 0
	t0=$(date +%s%N)
	as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1
	t1=$(date +%s%N)
	echo "     pg_ctl stop -m fast with a pending batch: $(((t1 - t0) / 1000000)) ms"
	as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w start >/dev/null || fail "the cluster restarts"
	check "after pg_ctl stop -m fast and a restart all $N records are in goflow2plus.flows" \
		test "$(q postgres "SELECT count(*) FROM goflow2plus.flows WHERE src_addr = '10.7.7.7'")" = $N
	check "... each once" \
		test "$(q postgres "SELECT count(DISTINCT src_port) FROM goflow2plus.flows WHERE src_addr = '10.7.7.7'")" = $N
	check "the workers are ready again after the restart" \
		wait_for 30 "SELECT count(DISTINCT worker) = 3 AND bool_and(ready) FROM goflow2plus.stats()"

	# Under a flood the stop must still be prompt: the drain is bounded
	# and stops reading once SIGTERM is seen.
	"$PY" "$DIR/send.py" flood $NF_PORT 10 &
	flood_pid=$!
	sleep 1.5
	t0=$(date +%s%N)
	as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1
	t1=$(date +%s%N)
	stop_ms=$(((t1 - t0) / 1000000))
	kill "$flood_pid" 2>/dev/null
	wait "$flood_pid" 2>/dev/null
	check "pg_ctl stop -m fast during a flood returns within 3 s (${stop_ms} ms)" test "$stop_ms" -lt 3000
	as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w start >/dev/null || fail "the cluster restarts"
	check "flooded records are in goflow2plus.flows after the restart" \
		test "$(q postgres "SELECT count(*) > 0 FROM goflow2plus.flows WHERE src_addr = '10.8.8.8'")" = t
	q postgres "ALTER SYSTEM RESET goflow2plus.flush_interval" >/dev/null
	q postgres "SELECT pg_reload_conf()" >/dev/null
	check "the workers are ready after the second restart" \
		wait_for 30 "SELECT count(DISTINCT worker) = 3 AND bool_and(ready) FROM goflow2plus.stats()"
fi

# ---- still alive --------------------------------------------------------------

check "the cluster is up" as_pg "$PGBIN/pg_isready" -q -h "$DIR" -p "$PORT"
check "no process was terminated by a signal" bash -c "! grep -q 'terminated by signal' '$DIR/log'"
check "no server restart after a crash" bash -c "! grep -q 'all server processes terminated' '$DIR/log'"

# ---- an invalid listen value stops the server from starting ------------------

stop_cluster
sed -i "s|^goflow2plus.listen = .*|goflow2plus.listen = 'netflow://:2055,sflow://nohost:6343'|" "$DIR/data/postgresql.conf"
log3=$(log_size)
if as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -t 10 start >/dev/null 2>&1; then
	fail "the server started with an invalid goflow2plus.listen"
	stop_cluster
else
	ok "the server refuses to start with an invalid goflow2plus.listen"
fi
check "the startup error names the bad entry" \
	bash -c "tail -c +$((log3 + 1)) '$DIR/log' | grep -q 'listen entry \"sflow://nohost:6343\": \"nohost\" is not a numeric IPv4 address'"

sed -i "s|^goflow2plus.listen = .*|goflow2plus.listen = 'netflow://127.0.0.1:${NF_PORT}?count=9'|" "$DIR/data/postgresql.conf"
echo "max_worker_processes = 8" >>"$DIR/data/postgresql.conf"
log4=$(log_size)
if as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -t 10 start >/dev/null 2>&1; then
	fail "the server started with more sockets than max_worker_processes"
	stop_cluster
else
	ok "the server refuses to start with more sockets than max_worker_processes"
fi
check "... and says so" \
	bash -c "tail -c +$((log4 + 1)) '$DIR/log' | grep -q \"asks for 9 sockets, which with goflow2plus's other workers (context builder, listener supervisor, maintenance) is more than max_worker_processes (8)\""

# ---- IPv6: [::1] with the flow:// scheme --------------------------------------

sed -i "s|^goflow2plus.listen = .*|goflow2plus.listen = 'flow://[::1]:${NF_PORT}'|" "$DIR/data/postgresql.conf"
if ! python_has_v6=$("$PY" -c 'import socket; s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("::1", 0)); print(1)' 2>/dev/null) || [ "$python_has_v6" != 1 ]; then
	echo "skip - no IPv6 loopback here"
elif ! as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w start >/dev/null 2>&1; then
	fail "the server starts with flow://[::1]"
else
	check "the [::1] worker is ready" \
		wait_for 30 "SELECT count(*) > 0 AND bool_and(ready) AND min(listen) = 'flow://[::1]:${NF_PORT}' FROM goflow2plus.stats()"
	if [ $have_v5 = 1 ]; then
		q postgres "TRUNCATE goflow2plus.flows" >/dev/null
		send v5v6 $NF_PORT 1
		check "a v5 record over IPv6 is stored with sampler_address ::1" \
			wait_for 2 "SELECT count(*) = 1 FROM goflow2plus.flows WHERE src_addr = '10.6.6.6' AND sampler_address = '::1'" postgres
	fi
	stop_cluster
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
