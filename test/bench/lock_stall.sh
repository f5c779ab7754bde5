#!/bin/bash
# lock_stall.sh
#    What a long lock on goflow2plus.flows costs under load: udp_blast sends
#    NetFlow v5 (30 records per datagram) at a steady rate while a session
#    holds ACCESS EXCLUSIVE on goflow2plus.flows for a while; then the
#    script waits until the worker has written everything it will write and
#    prints records sent, stored, lost, the socket's drops (/proc/net/udp)
#    and the spool counters (when the build has them).
#
#    Root, loopback only, a throwaway cluster as user postgres (its own
#    folder and ports).  A figure for a person, not a test.
#
#    GF_DESTDIR=/tmp/gf-dest-x  test/bench/lock_stall.sh
#    LS_RATE=5333 (datagrams/s; 160 k flows/s)  LS_SECONDS=25  LS_LOCK_AT=5
#    LS_LOCK_SECONDS=10  LS_EXTRA_CONF="goflow2plus.spool_size = '64MB'"
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
RATE=${LS_RATE:-5333}
SECS=${LS_SECONDS:-25}
LOCK_AT=${LS_LOCK_AT:-5}
LOCK_SECS=${LS_LOCK_SECONDS:-10}
DIR=$(mktemp -d /tmp/gf_lock_stall.XXXXXX)
PORT=${LS_PORT:-$((56000 + RANDOM % 1000))}
NF_PORT=${LS_NF_PORT:-$((52000 + RANDOM % 1000))}
PGBIN=$(pg_config --bindir)

[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
. "$REPO/test/lib/cluster.sh"
q() { gf_as_pg "$PGBIN/psql" -h "$DIR" -p "$PORT" -d postgres -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
counter() { q "SELECT coalesce(sum(value)::text,'n/a') FROM goflow2plus.stats() WHERE counter = '$1'" 2>/dev/null || echo n/a; }
# Drops of the collector's socket, from /proc/net/udp (exact; last column).
sock_drops() {
	awk -v p="$(printf ':%04X' "$NF_PORT")" '$2 ~ p"$" { print $NF }' /proc/net/udp | head -1
}
cleanup() { gf_cluster_stop; rm -rf "$DIR"; }
trap cleanup EXIT

cc -std=gnu11 -O2 -Wall -Werror -o "$DIR/udp_blast" "$REPO/test/bench/udp_blast.c" || exit 1
gf_cluster_start "netflow://127.0.0.1:$NF_PORT" "${LS_EXTRA_CONF:-}" || exit 1
q "CREATE EXTENSION goflow2plus" >/dev/null
for _ in $(seq 100); do
	[ "$(q "SELECT bool_and(ready) FROM goflow2plus.stats()")" = t ] && break
	sleep 0.1
done


"$DIR/udp_blast" "$NF_PORT" "$RATE" "$SECS" >"$DIR/blast.out" 2>&1 &
blast=$!
# LS_SAMPLE=1: every 0.5 s, the spool, the socket's drops and rows written.
if [ "${LS_SAMPLE:-0}" = 1 ]; then
	(
		t=0
		while kill -0 $blast 2>/dev/null || [ "$(counter spool_records)" != 0 ]; do
			echo "t=$t s spool_records $(counter spool_records) spool_bytes $(counter spool_bytes) socket_drops $(sock_drops) rows_inserted $(counter rows_inserted)"
			sleep 0.5; t=$(echo "$t + 0.5" | bc)
		done
	) &
fi
sleep "$LOCK_AT"
t0=$(date +%s.%N)
q "BEGIN; LOCK TABLE goflow2plus.flows IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep($LOCK_SECS); COMMIT" >/dev/null
t1=$(date +%s.%N)
peak=$(counter spool_records)
wait $blast
sent=$(grep -oE '[0-9]+ records' "$DIR/blast.out" | grep -oE '[0-9]+')

# Done when the row count has not moved for 3 s and the spool is empty.
last=-1; still=0
while [ $still -lt 30 ]; do
	n=$(q "SELECT count(*) FROM goflow2plus.flows")
	if [ "$n" = "$last" ]; then still=$((still + 1)); else still=0; last=$n; fi
	sleep 0.1
done
stored=$last
drops=$(sock_drops)
printf 'rate %s datagrams/s (%s flows/s) for %s s; lock held %.1f s from t=%s s\n' \
	"$RATE" "$((RATE * 30))" "$SECS" "$(echo "$t1 - $t0" | bc)" "$LOCK_AT"
printf 'sent %s  stored %s  lost %s (%.2f %%)  socket drops %s datagrams (%s records)\n' \
	"$sent" "$stored" "$((sent - stored))" "$(echo "100 * ($sent - $stored) / $sent" | bc -l)" \
	"$drops" "$((drops * 30))"
echo "spool_dropped $(counter spool_dropped)  flush_retries $(counter flush_retries)  flush_errors $(counter flush_errors)  spool_records right after the lock $peak  kernel_drops $(counter kernel_drops)"
ps -o rss=,vsz= -p "$(q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'goflow2plus worker'")" |
	awk '{ printf "worker RSS %d MB after the drain\n", $1 / 1024 }'
grep -E 'goflow2plus worker' "$DIR/log" | grep -vE 'listening on' | head -8
