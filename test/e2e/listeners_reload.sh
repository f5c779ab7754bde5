#!/bin/bash
# listeners_reload.sh
#    Listeners changed without a restart, on a throwaway cluster (loopback
#    only): ALTER SYSTEM SET goflow2plus.listen + pg_reload_conf() starts a
#    worker for a new socket, which then stores flows; removing it writes
#    the batch its worker held (flush_interval 60 s) and closes its port (gone from /proc/net/udp, a datagram to it is not counted),
#    while the listener kept all along never restarts (same pid) and stores
#    every datagram sent to it during both reloads (sent = rows, the
#    sender's own count is the oracle).  A worker stopped with
#    pg_terminate_backend is back within a few seconds; a socket whose
#    port another process holds shows state 'failed' with the bind error,
#    is retried with a growing delay, never restarts the cluster, and comes
#    up once the port is free.  A stopped supervisor comes back and adopts
#    the running worker; sockets beyond max_worker_processes show 'failed';
#    a lower ?count= keeps the first sockets.  A bad URI and more sockets
#    than goflow2plus.max_listeners are refused by ALTER SYSTEM.  After a
#    crash restart (SIGKILL) the sockets of the reloaded value run.  ~20 s.
#
#    Run as root.  GF_DESTDIR=/path tests a "make install DESTDIR=/path"
#    tree (else it runs make install, or GF_SKIP_INSTALL=1 uses what is
#    installed).  Prints "N passed, N failed"; exits non-zero on a failure.
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib/tap.sh"
tap_require_root
DIR=$(mktemp -d /tmp/gf_listeners.XXXXXX)
chmod 755 "$DIR"
PORT=$(free_port tcp)
P1=$(free_port udp)
P2=$(free_port udp)
P3=$(free_port udp)
PY=/usr/bin/python3
. "$REPO/test/lib/cluster.sh"

SENDER=
HOLDER=
cleanup() {
	[ -n "${KEEP:-}" ] && cp "$DIR/log" /tmp/gf_listeners_last.log
	[ -n "$SENDER" ] && kill "$SENDER" 2>/dev/null
	[ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null
	gf_cluster_stop
	rm -rf "$DIR"
}
trap cleanup EXIT

q() { gf_q "$1"; }
wait_for() { gf_wait_for "$@"; }
# Rows stored from the marker source address $1.
rows_from() { q "SELECT count(*) FROM goflow2plus.flows WHERE src_addr = '$1'"; }
# Is a UDP socket bound to 127.0.0.1:$1 listed in /proc/net/udp?
port_open() { grep -qi " 0100007F:$(printf '%04X' "$1") " /proc/net/udp; }
listener() { q "SELECT $2 FROM goflow2plus.listeners() WHERE listen = '$1'"; }
reload_listen() {
	q "ALTER SYSTEM SET goflow2plus.listen = '$1'" >/dev/null &&
		q "SELECT pg_reload_conf()" >/dev/null
}

# One NetFlow v5 record per datagram, from marker address SRC; the
# sender's count of what it sent is the oracle.
cat >"$DIR/send.py" <<'EOF'
import signal, socket, struct, sys, time

def v5(seq, src):
    hdr = struct.pack("!HHIIIIBBH", 5, 1, 100000, int(time.time()), 0, seq, 0, 0, 0)
    rec = struct.pack("!4s4s4sHHIIIIHHBBBBHHBBH",
                      socket.inet_aton(src), socket.inet_aton("10.4.5.6"),
                      socket.inet_aton("10.9.9.9"), 1, 2, 1, 100,
                      90000, 99000, seq % 65536, 80, 0, 0x12, 6, 0,
                      64512, 64513, 24, 16, 0)
    return hdr + rec

mode, port, src = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if mode == "burst":
    n = int(sys.argv[4])
    for i in range(n):
        s.sendto(v5(i, src), ("127.0.0.1", port))
    sys.exit(0)
# stream: 200 datagrams/s until SIGTERM, then write the count sent.
out, stop, sent = sys.argv[4], [False], 0
signal.signal(signal.SIGTERM, lambda *a: stop.__setitem__(0, True))
while not stop[0]:
    s.sendto(v5(sent, src), ("127.0.0.1", port))
    sent += 1
    time.sleep(0.005)
open(out, "w").write(str(sent))
EOF
chmod 644 "$DIR/send.py"

# Hold a UDP port the way another program would (no SO_REUSEPORT).
cat >"$DIR/hold.py" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
print("bound", flush=True)
time.sleep(600)
EOF

gf_install "$REPO" "$DIR/build.log" || exit 1
gf_cluster_start "netflow://127.0.0.1:${P1}" "goflow2plus.flush_interval = '100ms'" || exit 1
q "CREATE EXTENSION goflow2plus" >/dev/null

# ---- start: one listener, run by the supervisor -------------------------------
check "the listener on port $P1 is running within 20 s" \
	wait_for 20 "SELECT count(*) = 1 AND bool_and(state = 'running') FROM goflow2plus.listeners()"
# It has no database connection, so pg_stat_activity does not list it.
# Only this cluster's processes: other clusters may run on the machine.
pm_pid() { head -1 "$DIR/data/postmaster.pid"; }
check "the supervisor runs" \
	test "$(ps --ppid "$(pm_pid)" -o args= | grep -c '^postgres: goflow2plus supervisor')" = 1
pid1=$(listener "netflow://127.0.0.1:${P1}" pid)
is "listeners() shows the worker's pid" \
	"$(q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'goflow2plus worker'")" "$pid1"
is "listeners() shows socket 1, no error, a start time, one start" \
	"$(listener "netflow://127.0.0.1:${P1}" "socket || ',' || coalesce(last_error, '-') || ',' || (started_at <= now()) || ',' || starts")" \
	"1,-,true,1"
is "PUBLIC may not run listeners()" \
	"$(q "SELECT has_function_privilege('public', 'goflow2plus.listeners()', 'EXECUTE')")" f

# ---- add a listener by reload, while port 1 receives a steady stream ----------
/usr/bin/python3 "$DIR/send.py" stream "$P1" 10.1.1.1 "$DIR/sent1" &
SENDER=$!
t0=$(date +%s%N)
reload_listen "netflow://127.0.0.1:${P1},flow://127.0.0.1:${P2}"
check "the new listener on port $P2 is running within 5 s" \
	wait_for 5 "SELECT count(*) = 2 AND bool_and(state = 'running') FROM goflow2plus.listeners()"
echo "# added listener running after $((($(date +%s%N) - t0) / 1000000)) ms"
check "its socket is open" port_open "$P2"
$PY "$DIR/send.py" burst "$P2" 10.2.2.2 50
check "the new listener stores the 50 records sent to it" \
	wait_for 5 "SELECT count(*) = 50 FROM goflow2plus.flows WHERE src_addr = '10.2.2.2'"
is "stats() shows both listeners" \
	"$(q "SELECT count(DISTINCT worker) FROM goflow2plus.stats()")" 2

# ---- remove it ---------------------------------------------------------------
# With a 60 s flush interval the records sent just before the removal are
# still in the worker's batch: they are in the table only if the stopped
# worker writes its batch before it exits.
q "ALTER SYSTEM SET goflow2plus.flush_interval = '60s'" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
$PY "$DIR/send.py" burst "$P2" 10.5.5.5 40
sleep 0.5
is "the 40 records sent last wait in the batch (flush_interval 60 s)" "$(rows_from 10.5.5.5)" 0
reload_listen "netflow://127.0.0.1:${P1}"
check "the removed listener leaves listeners() within 5 s" \
	wait_for 5 "SELECT count(*) = 1 FROM goflow2plus.listeners()"
is "its worker wrote its batch as it stopped: 40 rows" "$(rows_from 10.5.5.5)" 40
q "ALTER SYSTEM RESET goflow2plus.flush_interval" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
check "its socket is gone from /proc/net/udp" bash -c "! grep -qi ' 0100007F:$(printf '%04X' "$P2") ' /proc/net/udp"
$PY "$DIR/send.py" burst "$P2" 10.3.3.3 20
sleep 0.5
is "a datagram to the removed port is not stored" "$(rows_from 10.3.3.3)" 0
sleep 0.5
kill -TERM "$SENDER"; wait "$SENDER"; SENDER=
sent1=$(cat "$DIR/sent1")
check "the kept listener stored every datagram sent during both reloads ($sent1 sent)" \
	wait_for 5 "SELECT count(*) = $sent1 FROM goflow2plus.flows WHERE src_addr = '10.1.1.1'"
is "its packets counter is what was sent to it: the datagrams to the removed port went nowhere" \
	"$(q "SELECT sum(value) FROM goflow2plus.stats() WHERE counter = 'packets'")" "$sent1"
is "the kept listener's worker never restarted (same pid)" \
	"$(listener "netflow://127.0.0.1:${P1}" pid)" "$pid1"
is "stats() shows one worker again" "$(q "SELECT count(DISTINCT worker) FROM goflow2plus.stats()")" 1

# ---- a worker that is terminated comes back ----------------------------------
t0=$(date +%s%N)
q "SELECT pg_terminate_backend($pid1)" >/dev/null
check "the terminated worker runs again within 5 s, with a new pid" \
	wait_for 5 "SELECT state = 'running' AND pid <> $pid1 AND starts = 2 FROM goflow2plus.listeners()"
echo "# terminated worker running again after $((($(date +%s%N) - t0) / 1000000)) ms"
$PY "$DIR/send.py" burst "$P1" 10.4.4.4 30
check "it stores records again" \
	wait_for 5 "SELECT count(*) = 30 FROM goflow2plus.flows WHERE src_addr = '10.4.4.4'"

# ---- the supervisor itself stopped: its workers run on, the next adopts them --
sup_pid() { ps --ppid "$(pm_pid)" -o pid=,args= | awk '$2 == "postgres:" && $3 == "goflow2plus" && $4 == "supervisor" { print $1 }'; }
sup=$(sup_pid)
pid1=$(listener "netflow://127.0.0.1:${P1}" pid)
kill -TERM "$sup"
for _ in $(seq 50); do n=$(sup_pid); [ -n "$n" ] && [ "$n" != "$sup" ] && break; sleep 0.1; done
check "a stopped supervisor is started again within 5 s" test -n "$n" -a "$n" != "$sup"
sleep 0.5
is "its worker ran on meanwhile and is adopted (same pid, running)" \
	"$(listener "netflow://127.0.0.1:${P1}" "pid || ',' || state")" "$pid1,running"

# ---- a port held by another program -----------------------------------------
$PY "$DIR/hold.py" "$P3" >"$DIR/hold.out" &
HOLDER=$!
for _ in $(seq 50); do grep -q bound "$DIR/hold.out" && break; sleep 0.1; done
logpos=$(stat -c %s "$DIR/log")
reload_listen "netflow://127.0.0.1:${P1},netflow://127.0.0.1:${P3}"
check "a listener whose port is taken shows state failed within 5 s" \
	wait_for 5 "SELECT state = 'failed' FROM goflow2plus.listeners() WHERE listen = 'netflow://127.0.0.1:${P3}'"
err=$(listener "netflow://127.0.0.1:${P3}" last_error)
echo "# last_error: $err"
check "... with the bind error as last_error" bash -c "grep -qi 'in use' <<<'$err'"
# Wait up to 5 s for the log to hold a line matching $1 past logpos.
logged() {
	local i
	for i in $(seq 50); do
		tail -c +$((logpos + 1)) "$DIR/log" | grep -q "$1" && return 0
		sleep 0.1
	done
	return 1
}
check "... and a WARNING in the log" \
	logged "WARNING:  goflow2plus: the worker of listener \"netflow://127.0.0.1:${P3}\" (worker [0-9]*) exited: goflow2plus: could not bind"
sleep 4
starts3=$(listener "netflow://127.0.0.1:${P3}" starts)
check "it is retried with a growing delay, not in a loop (${starts3} starts in ~5 s)" \
	test "$starts3" -ge 2 -a "$starts3" -le 4
is "the other listener is untouched" "$(listener "netflow://127.0.0.1:${P1}" state)" running
kill "$HOLDER"; wait "$HOLDER" 2>/dev/null; HOLDER=
q "SELECT pg_reload_conf()" >/dev/null
check "once the port is free, a reload starts it at once (running within 3 s)" \
	wait_for 3 "SELECT state = 'running' AND last_error IS NULL FROM goflow2plus.listeners() WHERE listen = 'netflow://127.0.0.1:${P3}'"

# ---- values refused before they reach the supervisor --------------------------
out=$(q "ALTER SYSTEM SET goflow2plus.listen = 'netflow://nohost:${P3}'" 2>&1)
check "ALTER SYSTEM refuses a bad URI and names it" \
	bash -c "grep -q 'listen entry \"netflow://nohost:${P3}\"' <<<'$out'"
out=$(q "ALTER SYSTEM SET goflow2plus.listen = 'netflow://127.0.0.1:${P3}?count=17'" 2>&1)
check "ALTER SYSTEM refuses more sockets than goflow2plus.max_listeners" \
	bash -c "grep -q 'goflow2plus.max_listeners allows 16' <<<'$out'"

# ---- more sockets than max_worker_processes leaves room for -----------------
# 8 worker processes (the default), of which the context builder, the
# supervisor, the logical replication launcher and the listeners on $P1
# and $P3 hold 5: some of the 8 sockets on $P2 find no slot.
logpos=$(stat -c %s "$DIR/log")
reload_listen "netflow://127.0.0.1:${P1},netflow://127.0.0.1:${P3},flow://127.0.0.1:${P2}?count=8"
check "sockets beyond max_worker_processes show failed, the others run, within 5 s" \
	wait_for 5 "SELECT count(*) = 10 AND count(*) FILTER (WHERE state = 'running') >= 3 AND count(*) FILTER (WHERE state = 'failed' AND last_error LIKE 'no background worker slot free (max_worker_processes = 8)') >= 1 AND count(*) FILTER (WHERE state NOT IN ('running', 'failed')) = 0 AND bool_and(state = 'running') FILTER (WHERE listen LIKE 'netflow:%') FROM goflow2plus.listeners()"
check "... with a WARNING that names max_worker_processes" \
	logged "WARNING:  goflow2plus: could not start the worker of listener \"flow://127.0.0.1:${P2}?count=8\""
reload_listen "netflow://127.0.0.1:${P1},flow://127.0.0.1:${P2}?count=2"
check "lowering ?count= keeps sockets 1 and 2, stops the rest, within 5 s" \
	wait_for 5 "SELECT count(*) = 3 AND bool_and(state = 'running') AND bool_and(starts = 1 OR listen NOT LIKE 'flow:%') FROM goflow2plus.listeners()"
is "the kept sockets show the new entry text" \
	"$(q "SELECT string_agg(listen || '#' || socket, ' ' ORDER BY listen, socket) FROM goflow2plus.listeners()")" \
	"flow://127.0.0.1:${P2}?count=2#1 flow://127.0.0.1:${P2}?count=2#2 netflow://127.0.0.1:${P1}#1"

# ---- an empty list stops everything -----------------------------------------
reload_listen ""
check "listen = '' stops every worker within 5 s" \
	wait_for 5 "SELECT count(*) = 0 FROM goflow2plus.listeners()"
is "no goflow2plus worker left in pg_stat_activity" \
	"$(q "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'goflow2plus worker'")" 0

check "no process was terminated by a signal" bash -c "! grep -q 'terminated by signal' '$DIR/log'"
check "no server restart after a crash" bash -c "! grep -q 'all server processes terminated' '$DIR/log'"

# ---- after a crash: the listeners of the reloaded value ----------------------
# A worker killed with SIGKILL makes the postmaster restart every process
# and make shared memory again; the slots must come from the value the
# last reload set, not from postgresql.conf's value at start ($P1).
reload_listen "flow://127.0.0.1:${P2}"
check "the listener on $P2 runs" \
	wait_for 5 "SELECT count(*) = 1 AND bool_and(state = 'running') FROM goflow2plus.listeners()"
kill -KILL "$(q "SELECT pid FROM goflow2plus.listeners()")"
check "after the crash restart it runs again, on $P2 (not $P1), within 20 s" \
	wait_for 20 "SELECT count(*) = 1 AND bool_and(state = 'running') AND min(listen) = 'flow://127.0.0.1:${P2}' FROM goflow2plus.listeners()"
tap_summary
