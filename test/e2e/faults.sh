#!/bin/bash
# faults.sh
#    The collector under faults of the database, on a throwaway cluster
#    (loopback only): for each fault a NetFlow v5 sender runs at a steady
#    rate while the fault lasts, then the fault ends and the script checks
#    that every record sent is in goflow2plus.flows (or, where records must
#    be lost, that exactly the lost ones are counted), that the worker kept
#    reading its socket (no socket drops, records waiting in the spool),
#    that the log says what happened, and that the postmaster never
#    restarted.  Faults: goflow2plus.flows locked ACCESS EXCLUSIVE for
#    10 s; the same with a tiny goflow2plus.spool_size (losses counted
#    exactly); the table missing and back; the extension dropped
#    and created again; the database made read-only; the table's
#    tablespace full (a 2 MB tmpfs); the worker stopped with SIGTERM (its
#    pending batch is written) and with pg_terminate_backend while writes
#    fail (its spool is counted lost); plus goflow2plus.allowed_exporters
#    (a denied source's datagrams are counted, never stored).
#
#    Root (mounts a tmpfs, runs the cluster as user postgres).  Ports and
#    folder are chosen per run.  GF_DESTDIR=/path uses a "make install
#    DESTDIR=/path" tree; GF_SKIP_INSTALL=1 uses what is installed; by
#    default it runs "make install".  About 2 minutes.  Prints
#    "N passed, M failed" and exits non-zero on any failure.
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
PGBIN=$(pg_config --bindir)
PY=/usr/bin/python3
DIR=$(mktemp -d /tmp/gf_faults.XXXXXX)
chmod 755 "$DIR"

# A free TCP port for the cluster's socket name and a free UDP port.
. "$REPO/test/lib/tap.sh"
PORT=${GF_FAULTS_PORT:-$(free_port)}
NF_PORT=${GF_FAULTS_NF_PORT:-$(free_port)}


tap_require_root "mounts a tmpfs; the cluster runs as user postgres"

. "$REPO/test/lib/cluster.sh"
q() { gf_as_pg "$PGBIN/psql" -h "$DIR" -p "$PORT" -d "$1" -XAtq -v ON_ERROR_STOP=1 -c "$2"; }
# stats() is read in "probe", which keeps the extension when "postgres" drops it.
counter() { q probe "SELECT coalesce(sum(value),0) FROM goflow2plus.stats() WHERE counter = '$1'"; }
rows() { q postgres "SELECT count(*) FROM goflow2plus.flows"; }
log_size() { stat -c %s "$DIR/log"; }
log_since() { tail -c +"$(($1 + 1))" "$DIR/log"; }
# Drops counted on the worker's UDP socket (/proc/net/udp, last column).
sock_drops() {
	awk -v p="$(printf ':%04X' "$NF_PORT")" '$2 ~ p"$" { s += $NF } END { print s + 0 }' /proc/net/udp
}
worker_pid() { q postgres "SELECT pid FROM pg_stat_activity WHERE backend_type = 'goflow2plus worker'"; }

TS_MOUNTED=0
cleanup() {
	jobs -p | xargs -r kill 2>/dev/null
	gf_cluster_stop
	[ $TS_MOUNTED = 1 ] && umount "$DIR/ts"
	rm -rf "$DIR"
}
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
# Wait until goflow2plus.flows holds $1 rows and stays so for 0.5 s (up to $2 s).
wait_rows() {
	local want=$1 secs=$2 i n same=0
	for ((i = 0; i < secs * 10; i++)); do
		n=$(rows 2>/dev/null)
		if [ "$n" = "$want" ]; then same=$((same + 1)); [ $same -ge 5 ] && return 0; else same=0; fi
		sleep 0.1
	done
	return 1
}
# Wait for the worker's spool (and held batch) to be empty.
wait_spool_empty() { wait_for "${1:-20}" "SELECT sum(value) = 0 FROM goflow2plus.stats() WHERE counter = 'spool_records'"; }

# ---- sender ------------------------------------------------------------------
# NetFlow v5 (Cisco layout: 24-byte header, 48-byte records), 10 records
# per datagram, DATAGRAMS datagrams at RATE per second from source address
# SRC; prints the number of records sent.
cat >"$DIR/send.py" <<'EOF'
import socket, struct, sys, time

src, port, count, rate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
per = 10
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((src, 0))
start = time.time()
for k in range(count):
    now = int(time.time())
    d = struct.pack("!HHIIIIBBH", 5, per, 100000, now, 0, k * per, 0, 0, 0)
    for i in range(per):
        n = k * per + i
        d += struct.pack("!4s4s4sHHIIIIHHBBBBHHBBH",
                         socket.inet_aton("10.%d.%d.%d" % (n >> 16 & 255, n >> 8 & 255, n & 255)),
                         socket.inet_aton("192.168.1.1"), socket.inet_aton("10.9.9.9"),
                         1, 2, 1 + n % 7, 64 + n % 1400, 90000, 99000, 1024 + n % 60000,
                         443, 0, 0x18, 6, 0, 64512, 64513, 24, 16, 0)
    s.sendto(d, ("127.0.0.1", port))
    delay = start + (k + 1) / rate - time.time()
    if delay > 0:
        time.sleep(delay)
print(count * per)
EOF
chmod 644 "$DIR/send.py"
# send DATAGRAMS [RATE] [SRC]: blocks; prints records sent.
send() { "$PY" "$DIR/send.py" "${3:-127.0.0.1}" "$NF_PORT" "$1" "${2:-200}"; }

# ---- cluster -------------------------------------------------------------------

gf_install "$REPO" "$DIR/build.log" || exit 1
gf_cluster_start "netflow://127.0.0.1:${NF_PORT}" "goflow2plus.flush_interval = '100ms'
goflow2plus.allowed_exporters = '127.0.0.1/32, ::1'" || exit 1
q postgres "CREATE DATABASE probe" >/dev/null
q probe "CREATE EXTENSION goflow2plus" >/dev/null
q postgres "CREATE EXTENSION goflow2plus" >/dev/null
check "the worker is ready within 30 s" \
	wait_for 30 "SELECT bool_and(ready) FROM goflow2plus.stats()"
pm_start=$(q postgres "SELECT pg_postmaster_start_time()")

n=$(send 20)
check "baseline: $n records sent, all stored" wait_rows "$n" 10

# begin_case NAME: an empty table and a log mark.
begin_case() {
	echo "# $1"
	wait_spool_empty 30 >/dev/null
	q postgres "TRUNCATE goflow2plus.flows" >/dev/null
	mark=$(log_size)
	drops0=$(sock_drops)
	sd0=$(counter spool_dropped)
	fr0=$(counter flush_retries)
}
logged() { log_since "$mark" | grep -qE "$1"; }

# ---- 1. ACCESS EXCLUSIVE lock for 10 s -------------------------------------------

begin_case "flows locked ACCESS EXCLUSIVE for 10 s"
q postgres "BEGIN; LOCK TABLE goflow2plus.flows IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(10); COMMIT" >/dev/null &
locker=$!
sleep 0.3
n=$(send 1500 200)		# 15000 records over 7.5 s, all while the lock is held
spooled=$(counter spool_records)
check "lock: records wait in the spool while the lock is held ($spooled)" test "$spooled" -gt 10000
check "lock: failed attempts are counted as retries" test "$(counter flush_retries)" -gt "$fr0"
wait $locker
check "lock: all $n records stored after the lock ends" wait_rows "$n" 20
check "lock: the log names the lock timeout" logged 'could not write a batch of .* records .*lock timeout'
check "lock: the log says writing resumed" logged 'writing again after'
check "lock: no socket drops" test "$(sock_drops)" = "$drops0"
check "lock: nothing dropped from the spool" test "$(counter spool_dropped)" = "$sd0"

# ---- 2. the same with a tiny spool: losses are counted exactly --------------------

begin_case "tiny goflow2plus.spool_size"
q postgres "ALTER SYSTEM SET goflow2plus.spool_size = '64kB'" >/dev/null
q postgres "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
q postgres "BEGIN; LOCK TABLE goflow2plus.flows IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(4); COMMIT" >/dev/null &
locker=$!
sleep 0.3
n=$(send 600 200)
wait $locker
wait_spool_empty 20 >/dev/null
lost=$(( $(counter spool_dropped) - sd0 ))
sleep 0.5
stored=$(rows)
check "tiny spool: records were dropped ($lost of $n)" test "$lost" -gt 0
check "tiny spool: stored ($stored) + counted drops ($lost) = sent ($n)" test $((stored + lost)) = "$n"
check "tiny spool: the log says the spool is full" logged 'spool full .* dropping received records'
check "tiny spool: no socket drops" test "$(sock_drops)" = "$drops0"
q postgres "ALTER SYSTEM RESET goflow2plus.spool_size" >/dev/null
q postgres "SELECT pg_reload_conf()" >/dev/null

# ---- 3. goflow2plus.flows missing, then back ----------------------------------------
# The worker looks the table up by name at every batch, so a table renamed
# away is, to it, a dropped table.  (DROP TABLE goflow2plus.flows CASCADE
# takes the extension with it: that is case 4.)

begin_case "flows missing, then back"
q postgres "ALTER TABLE goflow2plus.flows RENAME TO flows_away" >/dev/null
n=$(send 400 200)
check "missing table: records wait in the spool" test "$(counter spool_records)" -gt 0
check "missing table: the log says the table is missing and what to do" \
	bash -c "tail -c +$((mark + 1)) '$DIR/log' | grep -A2 'could not write a batch.*does not exist' | grep -q 'HINT:  A goflow2plus table is missing'"
q postgres "ALTER TABLE goflow2plus.flows_away RENAME TO flows" >/dev/null
check "missing table: all $n records stored once it is back" wait_rows "$n" 15
check "missing table: nothing dropped from the spool" test "$(counter spool_dropped)" = "$sd0"

# ---- 4. the extension dropped and created again ----------------------------------

begin_case "extension dropped and created again"
dne0=$(counter dropped_no_extension)
q postgres "DROP EXTENSION goflow2plus" >/dev/null
n1=$(send 200 200)
check "no extension: the $n1 records are dropped and counted" \
	wait_for 5 "SELECT sum(value) = $dne0 + $n1 FROM goflow2plus.stats() WHERE counter = 'dropped_no_extension'"
check "no extension: logged as missing" logged 'extension "goflow2plus" does not exist in database'
q postgres "CREATE EXTENSION goflow2plus" >/dev/null
n2=$(send 200 200)
check "extension back: all $n2 records sent since are stored" wait_rows "$n2" 10
check "extension back: logged as found" logged 'extension "goflow2plus" found'

# ---- 5. read-only database ---------------------------------------------------------

begin_case "database read-only"
q postgres "ALTER SYSTEM SET default_transaction_read_only = on" >/dev/null
q postgres "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
n=$(send 400 200)
check "read-only: records wait in the spool" test "$(counter spool_records)" -gt 0
check "read-only: the log says why" logged 'could not write a batch .*read-only transaction'
PGOPTIONS="-c default_transaction_read_only=off" q postgres "ALTER SYSTEM RESET default_transaction_read_only" >/dev/null
q postgres "SELECT pg_reload_conf()" >/dev/null
check "read-only: all $n records stored once writes are allowed" wait_rows "$n" 15

# ---- 6. the table's tablespace is full -------------------------------------------

begin_case "tablespace full"
mkdir -p "$DIR/ts"
if mount -t tmpfs -o size=2m,mode=700 tmpfs "$DIR/ts"; then
	TS_MOUNTED=1
	chown postgres: "$DIR/ts"
	q postgres "CREATE TABLESPACE gf_faults_small LOCATION '$DIR/ts'" >/dev/null
	# flows is partitioned: its own tablespace is only the default of new
	# partitions, so the partitions move too.
	flows_tablespace() {
		local p
		q postgres "ALTER TABLE goflow2plus.flows SET TABLESPACE $1" >/dev/null
		for p in $(q postgres "SELECT partition FROM goflow2plus.partitions()"); do
			q postgres "ALTER TABLE $p SET TABLESPACE $1" >/dev/null
		done
	}
	flows_tablespace gf_faults_small
	n=$(send 2000 400)		# 20000 rows: several MB, more than 2 MB holds
	check "disk full: records wait in the spool" test "$(counter spool_records)" -gt 0
	check "disk full: the log says the disk is full" logged 'could not write a batch .*(No space left on device|could not extend)'
	check "disk full: with the hint to free space" logged 'HINT:  Free space where the table is stored'
	flows_tablespace pg_default
	check "disk full: all $n records stored once there is room" wait_rows "$n" 20
	q postgres "DROP TABLESPACE gf_faults_small" >/dev/null
	umount "$DIR/ts" && TS_MOUNTED=0
else
	fail "disk full: could not mount a tmpfs"
fi

# ---- 7. SIGTERM: the pending batch is written, the worker comes back ---------------

begin_case "worker stopped with SIGTERM"
q postgres "ALTER SYSTEM SET goflow2plus.flush_interval = '60s'" >/dev/null
q postgres "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
starts0=$(counter worker_starts)
n=$(send 30 200)
sleep 0.3
check "SIGTERM: the batch is still pending before the signal" test "$(rows)" = 0
kill -TERM "$(worker_pid)"
check "SIGTERM: the pending $n records are written at exit" wait_rows "$n" 5
q postgres "ALTER SYSTEM RESET goflow2plus.flush_interval" >/dev/null
q postgres "SELECT pg_reload_conf()" >/dev/null
check "SIGTERM: the worker restarts and is ready within 15 s" \
	wait_for 15 "SELECT sum(value) = $starts0 + 1 FROM goflow2plus.stats() WHERE counter = 'worker_starts'"
wait_for 10 "SELECT bool_and(ready) FROM goflow2plus.stats()" >/dev/null
n2=$(send 20 200)
check "SIGTERM: records sent after the restart are stored" wait_rows $((n + n2)) 10

# ---- 8. pg_terminate_backend while writes fail: the spool's loss is counted ---------

begin_case "pg_terminate_backend while the table is locked"
starts0=$(counter worker_starts)
q postgres "BEGIN; LOCK TABLE goflow2plus.flows IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(3); COMMIT" >/dev/null &
locker=$!
sleep 0.3
n=$(send 200 200)
q postgres "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'goflow2plus worker'" >/dev/null
check "terminate: the unwritten records are counted in spool_dropped ($n sent)" \
	wait_for 5 "SELECT sum(value) = $sd0 + $n FROM goflow2plus.stats() WHERE counter = 'spool_dropped'"
check "terminate: the log says how many were lost" logged "exiting with $n received records not written"
wait $locker
check "terminate: the worker restarts within 15 s" \
	wait_for 15 "SELECT sum(value) = $starts0 + 1 FROM goflow2plus.stats() WHERE counter = 'worker_starts'"
wait_for 10 "SELECT bool_and(ready) FROM goflow2plus.stats()" >/dev/null
n2=$(send 20 200)
check "terminate: records sent after the restart are stored" wait_rows "$n2" 10

# ---- 9. goflow2plus.allowed_exporters ------------------------------------------------

begin_case "allowed_exporters"
den0=$(counter exporters_denied)
n=$(send 50 200 127.0.0.2)
check "allowlist: 50 datagrams from 127.0.0.2 are counted as denied" \
	wait_for 5 "SELECT sum(value) = $den0 + 50 FROM goflow2plus.stats() WHERE counter = 'exporters_denied'"
check "allowlist: none of the denied records is stored" test "$(rows)" = 0
check "allowlist: the denial is logged" logged 'ignored a datagram from 127.0.0.2 port [0-9]+: the address is not in goflow2plus.allowed_exporters'
err=$(q postgres "ALTER SYSTEM SET goflow2plus.allowed_exporters = '127.0.0.0/8, exporter.example'" 2>&1)
check "allowlist: a host name is refused with the entry named" \
	bash -c "echo \"\$1\" | grep -q 'invalid value for parameter \"goflow2plus.allowed_exporters\"' && echo \"\$1\" | grep -q 'exporter.example\" is not a numeric'" _ "$err"
err=$(q postgres "ALTER SYSTEM SET goflow2plus.allowed_exporters = '127.0.0.1/8'" 2>&1)
check "allowlist: host bits right of the prefix are refused with a suggestion" \
	bash -c "echo \"\$1\" | grep -q 'did you mean 127.0.0.0/8'" _ "$err"
q postgres "ALTER SYSTEM SET goflow2plus.allowed_exporters = '127.0.0.0/8'" >/dev/null
q postgres "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
n=$(send 50 200 127.0.0.2)
check "allowlist: after a reload allowing 127.0.0.0/8, 127.0.0.2's $n records are stored" wait_rows "$n" 10

# ---- the server as a whole ------------------------------------------------------------

check "the postmaster never restarted" \
	test "$(q postgres "SELECT pg_postmaster_start_time()")" = "$pm_start"
check "no process was terminated by a signal" bash -c "! grep -q 'terminated by signal' '$DIR/log'"
check "no server restart after a crash" bash -c "! grep -q 'all server processes terminated' '$DIR/log'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
