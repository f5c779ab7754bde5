#!/bin/bash
# counters_retention.sh
#    Retention of goflow2plus.interface_counters and goflow2plus.sflow_drops
#    on a live cluster (loopback only): with the retention turned on while
#    sFlow counter and drop samples flow in, the maintenance worker deletes
#    the rows older than the retention (in batches of 10 000, a transaction
#    each), keeps the newer ones, and the worker goes on storing every
#    sample it is sent (no kernel drop, no failed batch); a retention of 0
#    keeps everything; goflow2plus.maintain() does the same by hand.
#
#    Oracles: the datagrams the sender says it sent times the rows one
#    datagram gives (sent alone first), SQL counts of the rows inserted by
#    hand on either side of the cut-off, /proc/net/udp's drop column.
#
#    Run as root.  GF_DESTDIR / GF_SKIP_INSTALL as in test/lib/cluster.sh.
#    Prints "N passed, M failed" and exits non-zero on any failure.
set -u
T0=$(date +%s)

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib/tap.sh"
tap_require_root

DIR=$(mktemp -d /tmp/gf_ctr_retention.XXXXXX)
PORT=$(free_port tcp)
UDP_PORT=$(free_port udp)
. "$REPO/test/lib/cluster.sh"
q() { gf_q "$1"; }

cleanup() {
	[ -n "${SPID:-}" ] && kill "$SPID" 2>/dev/null
	gf_cluster_stop
	rm -rf "$DIR"
}
trap cleanup EXIT
chmod 755 "$DIR"
gf_install "$REPO" "$DIR/install.log" || exit 1

# send RATE SECS: the regression fixtures' sFlow counter datagram and drop
# datagram, in turn, at RATE datagrams/s; prints "counters drops" sent.
send() {
	/usr/bin/python3 - "$UDP_PORT" "$1" "$2" "$REPO/test/regress/fixtures/packets.sql" <<'PY'
import re, socket, sys, time
port, rate, secs, path = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
fx = {}
for m in re.finditer(r"^\\set (sflow_counters|sflow_drop) '\\\\x([0-9a-f]+)'", open(path).read(), re.M):
    fx[m.group(1)] = bytes.fromhex(m.group(2))
pkts = [fx["sflow_counters"], fx["sflow_drop"]]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sent = [0, 0]
t0 = time.monotonic()
n = 0
while True:
    due = t0 + n / rate
    now = time.monotonic()
    if due - t0 >= secs:
        break
    if due > now:
        time.sleep(due - now)
    s.sendto(pkts[n % 2], ("127.0.0.1", port))
    sent[n % 2] += 1
    n += 1
print(sent[0], sent[1])
PY
}
udp_drops() {
	awk -v p="$(printf '%04X' "$UDP_PORT")" '$2 ~ ":"p"$" {print $NF}' /proc/net/udp | head -1
}
counts() { q "SELECT (SELECT count(*) FROM goflow2plus.interface_counters WHERE time_received > now() - interval '10 min') || ' ' || (SELECT count(*) FROM goflow2plus.sflow_drops WHERE time_received > now() - interval '10 min')"; }

gf_cluster_start "sflow://127.0.0.1:$UDP_PORT" "
goflow2plus.interface_counters_retention = 0
goflow2plus.sflow_drops_retention = 0
goflow2plus.maintenance_interval = '1s'
goflow2plus.flush_interval = '100ms'
log_min_messages = log" || exit 1
q "CREATE EXTENSION goflow2plus" >/dev/null
gf_wait_for 20 "SELECT bool_and(ready) FROM goflow2plus.stats()" || fail "worker ready"

# 1. Rows per datagram: one of each, alone.
read -r c1 d1 <<<"$(send 2 1)"
gf_wait_for 10 "SELECT (SELECT count(*) > 0 FROM goflow2plus.interface_counters) AND (SELECT count(*) > 0 FROM goflow2plus.sflow_drops)" ||
	fail "first counter and drop samples stored"
sleep 0.5
read -r per_c per_d <<<"$(counts)"
per_c=$((per_c / c1)); per_d=$((per_d / d1))
check "a counter datagram gives rows ($per_c), a drop datagram too ($per_d)" test "$per_c" -ge 1 -a "$per_d" -ge 1

# 2. Old rows, inserted by hand: 2 and 3 hours old (past a 1 h retention)
# and 50 minutes old (inside it).
q "INSERT INTO goflow2plus.interface_counters (time_received, sampler_address, if_index)
     SELECT now() - interval '2 hours' - g * interval '10 ms', '192.0.2.9', g FROM generate_series(1, 120000) g;
   INSERT INTO goflow2plus.interface_counters (time_received, sampler_address, if_index)
     SELECT now() - interval '50 minutes' - g * interval '1 ms', '192.0.2.9', g FROM generate_series(1, 3000) g;
   INSERT INTO goflow2plus.sflow_drops (time_received, sampler_address, reason)
     SELECT now() - interval '3 hours' - g * interval '10 ms', '192.0.2.9', 258 FROM generate_series(1, 45000) g;
   INSERT INTO goflow2plus.sflow_drops (time_received, sampler_address, reason)
     SELECT now() - interval '50 minutes' - g * interval '1 ms', '192.0.2.9', 258 FROM generate_series(1, 2000) g" >/dev/null
sleep 2
is "retention 0: old counter rows kept" "$(q "SELECT count(*) FROM goflow2plus.interface_counters WHERE time_received < now() - interval '1 hour'")" 120000
is "retention 0: old drop rows kept" "$(q "SELECT count(*) FROM goflow2plus.sflow_drops WHERE time_received < now() - interval '1 hour'")" 45000

# 3. 10 s of samples; after 2 s interface_counters_retention = 1 h, after
# 6 s sflow_drops_retention = 1 h: the old rows go while samples flow.
read -r base_c base_d <<<"$(counts)"
drops0=$(udp_drops)
send 400 10 >"$DIR/sent" &
SPID=$!
sleep 2
q "ALTER SYSTEM SET goflow2plus.interface_counters_retention = '1h'" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
check "expired counter rows deleted under load" \
	gf_wait_for 8 "SELECT count(*) = 0 FROM goflow2plus.interface_counters WHERE time_received < now() - interval '1 hour'"
is "sflow_drops_retention still 0: old drop rows kept" \
	"$(q "SELECT count(*) FROM goflow2plus.sflow_drops WHERE time_received < now() - interval '1 hour'")" 45000
sleep 1
q "ALTER SYSTEM SET goflow2plus.sflow_drops_retention = '1h'" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
check "expired drop rows deleted under load" \
	gf_wait_for 8 "SELECT count(*) = 0 FROM goflow2plus.sflow_drops WHERE time_received < now() - interval '1 hour'"
wait "$SPID"
SPID=
read -r sc sd <"$DIR/sent"
want_c=$((base_c + sc * per_c)); want_d=$((base_d + sd * per_d))
gf_wait_for 10 "SELECT '$(echo "$want_c $want_d")' = (SELECT count(*) FROM goflow2plus.interface_counters WHERE time_received > now() - interval '10 min') || ' ' || (SELECT count(*) FROM goflow2plus.sflow_drops WHERE time_received > now() - interval '10 min')" || true
read -r got_c got_d <<<"$(counts)"
is "every counter sample sent during the deletes stored ($sc datagrams)" "$got_c" "$want_c"
is "every drop sample sent during the deletes stored ($sd datagrams)" "$got_d" "$want_d"
is "rows inside the retention kept (counters)" \
	"$(q "SELECT count(*) FROM goflow2plus.interface_counters WHERE time_received BETWEEN now() - interval '1 hour' AND now() - interval '10 min'")" 3000
is "rows inside the retention kept (drops)" \
	"$(q "SELECT count(*) FROM goflow2plus.sflow_drops WHERE time_received BETWEEN now() - interval '1 hour' AND now() - interval '10 min'")" 2000
# Statistics reach pg_stat_user_tables within a second or so.
gf_wait_for 5 "SELECT (SELECT n_tup_del FROM pg_stat_user_tables WHERE relname = 'interface_counters') = 120000
                 AND (SELECT n_tup_del FROM pg_stat_user_tables WHERE relname = 'sflow_drops') = 45000" || true
is "deleted: as many as were expired, no more" \
	"$(q "SELECT n_tup_del FROM pg_stat_user_tables WHERE relname = 'interface_counters'") $(q "SELECT n_tup_del FROM pg_stat_user_tables WHERE relname = 'sflow_drops'")" "120000 45000"
is "no kernel drops (/proc/net/udp)" "$(( $(udp_drops) - drops0 ))" 0
is "no failed batch" "$(gf_counter flush_errors)" 0
is "no spool drops" "$(gf_counter spool_dropped)" 0
# A transaction per batch of at most 10 000 rows: the 120 000 took 12 or
# more commits of the maintenance worker (its log says nothing at LOG).
check "maintenance worker still there (no crash)" \
	test -n "$(q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'goflow2plus maintenance'")"

# 4. By hand: goflow2plus.maintain() reports what it expired.
q "ALTER SYSTEM SET goflow2plus.maintenance_interval = 0" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
sleep 2
q "INSERT INTO goflow2plus.interface_counters (time_received) SELECT now() - interval '5 hours' FROM generate_series(1, 123);
   INSERT INTO goflow2plus.sflow_drops (time_received) SELECT now() - interval '5 hours' FROM generate_series(1, 7)" >/dev/null
is "maintain() expired_rows" "$(q "SELECT expired_rows FROM goflow2plus.maintain()")" 130
is "maintain(): nothing expired is left" \
	"$(q "SELECT (SELECT count(*) FROM goflow2plus.interface_counters WHERE time_received < now() - interval '1 hour') + (SELECT count(*) FROM goflow2plus.sflow_drops WHERE time_received < now() - interval '1 hour')")" 0

check "no postmaster restart (no crash in the log)" bash -c "! grep -q 'terminated by signal\|server process .* exited with exit code' '$DIR/log'"
[ "$failed" = 0 ] || grep -E 'maintenance|ERROR|FATAL' "$DIR/log" | tail -15 | sed 's/^/#   log: /'
echo "#   took $(( $(date +%s) - T0 )) s"
tap_summary
