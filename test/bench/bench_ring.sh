#!/bin/bash
# bench_ring.sh
#    The insert path's page writes, measured (issue 12): one worker fed the
#    same NetFlow v5 load (udp_blast.c, 30 records per datagram) with each
#    goflow2plus.bulk_insert_ring mode (off, batch, kept) and each
#    shared_buffers size, in one run, the modes taking turns within each
#    size.  Per run it prints records sent, stored and lost, the worker's
#    CPU seconds per million rows stored, the background writer's CPU, who
#    wrote evicted pages (pg_stat_bgwriter: buffers_backend are writes by
#    any backend, the worker and autovacuum included; buffers_clean by the
#    background writer), and wMB/M: MB the worker itself handed to write()
#    per million rows (/proc/PID/io wchar: its evicted pages and relation
#    extensions, each a copy into the page cache).
#
#    Before the runs of each size the pool is filled by sending for as long
#    as it takes to fill shared_buffers with flow pages, so every run
#    evicts as a collector does after its first minutes (a run on an empty
#    pool writes nothing and flatters a large shared_buffers).
#
#    Figures, not pass/fail; not in test/run_all.sh.  Run as root from the
#    repository root after "make install DESTDIR=...":
#      GF_DESTDIR=/tmp/gf-dest-x test/bench/bench_ring.sh
#    Settings (environment):
#      RING_SB      shared_buffers sizes, default "128MB 1GB 4GB"
#      RING_MODES   default "batch off kept"
#      RING_RATES   datagrams/s, default "20000" (600 k records/s)
#      RING_SECS    seconds per run, default 15
#      RING_REPS    turns of the modes, default 2
#      RING_BGW     extra postgresql.conf lines (e.g. a busier background
#                   writer: "bgwriter_lru_maxpages = 1000"), default none;
#                   for every size, or only for sizes written "1GB+bgw"
#                   in RING_SB when there are any
#      RING_PERF    seconds of "perf record -g" on the worker in each run of
#                   the first turn (0: none); top entries are printed
#      RING_RMEM    net.core.rmem_max for the run (put back at the end),
#                   default 33554432 (the 32 MB goflow2plus.rcvbuf asks)
#      RING_WRITER  a number of rows: measure the writer alone instead,
#                   in a backend (goflow2plus._write_decoded, NetFlow v5
#                   fixture, batches of 5000), RING_WRITER rows per run;
#                   CPU per M rows is then the backend's, and no socket
#                   or sender is involved (the steadier figure on a busy
#                   machine)
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib/tap.sh"
. "$REPO/test/lib/cluster.sh"

SBS=${RING_SB:-"128MB 1GB 4GB"}
MODES=${RING_MODES:-"batch off kept"}
RATES=${RING_RATES:-20000}
SECS=${RING_SECS:-15}
REPS=${RING_REPS:-2}
EXTRA=${RING_BGW:-}
PERF=${RING_PERF:-0}
WROWS=${RING_WRITER:-0}
RMEM=${RING_RMEM:-33554432}

[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
DIR=$(mktemp -d /tmp/gf_bench_ring.XXXXXX)
chmod 755 "$DIR"
PORT=$(free_port tcp)
UDP=$(free_port udp)
RMEM0=$(sysctl -n net.core.rmem_max)
BLAST_PID=

cleanup() {
	[ -n "$BLAST_PID" ] && kill "$BLAST_PID" 2>/dev/null
	gf_cluster_stop
	sysctl -qw net.core.rmem_max="$RMEM0"
	rm -rf "$DIR"
}
trap cleanup EXIT

cc -std=gnu11 -O2 -Wall -Werror -o "$DIR/udp_blast" "$REPO/test/bench/udp_blast.c" || exit 1
sysctl -qw net.core.rmem_max="$RMEM"

q() { gf_q "$1"; }
now() { date +%s.%N; }
# Bytes process $1 passed to write()/pwrite(): its page writes and
# relation extensions, each a copy into the kernel's page cache.
wchar() { awk '/^wchar:/ { print $2 }' "/proc/$1/io" 2>/dev/null || echo 0; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
hz=$(getconf CLK_TCK)
sock_drops() {
	awk -v a="$(printf '0100007F:%04X' "$UDP")" '$2 == a { print $NF; exit }' /proc/net/udp
}
wpid() { q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'goflow2plus worker' LIMIT 1"; }
bgw_pid() { q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'background writer'"; }
bgw_stats() { q "SELECT buffers_backend, buffers_clean, buffers_checkpoint, buffers_alloc FROM pg_stat_bgwriter" | tr '|' ' '; }

# Send at $1 datagrams/s for $2 s and wait until the worker has written
# everything (rows_inserted still for 1 s, socket queue empty).
send_and_drain() {
	local last=-1 r stable=0 i
	"$DIR/udp_blast" "$UDP" "$1" "$2" >"$DIR/blast.out" 2>&1 &
	BLAST_PID=$!
	wait "$BLAST_PID"
	BLAST_PID=
	for ((i = 0; i < 240; i++)); do
		r=$(gf_counter rows_inserted)
		if [ "$r" = "$last" ]; then stable=$((stable + 1)); else stable=0; last=$r; fi
		[ $stable -ge 2 ] && break
		sleep 0.5
	done
	SENT=$(sed -n 's/^sent [0-9]* datagrams, \([0-9]*\) records.*/\1/p' "$DIR/blast.out")
}

# Writer alone: WROWS rows through _write_decoded in one backend; prints
# "rows cpu_ticks wall_s" (the backend's own utime + stime, from /proc).
cat >"$DIR/writer.sql" <<'SQL'
\set QUIET on
\i test/regress/fixtures/packets.sql
SELECT ((regexp_split_to_array(substr(s, strpos(s, ') ') + 2), ' '))[12])::bigint
     + ((regexp_split_to_array(substr(s, strpos(s, ') ') + 2), ' '))[13])::bigint AS c0,
       extract(epoch FROM clock_timestamp()) AS t0
  FROM pg_read_file('/proc/self/stat') s \gset
SELECT substring(pg_read_file('/proc/self/io') FROM 'wchar: ([0-9]+)')::bigint AS w0 \gset
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter', :n, 5000) AS rows \gset
SELECT :rows || ' ' || (((regexp_split_to_array(substr(s, strpos(s, ') ') + 2), ' '))[12])::bigint
     + ((regexp_split_to_array(substr(s, strpos(s, ') ') + 2), ' '))[13])::bigint - :c0) || ' '
     || round((extract(epoch FROM clock_timestamp()) - :t0)::numeric, 2) || ' '
     || (substring(pg_read_file('/proc/self/io') FROM 'wchar: ([0-9]+)')::bigint - :w0)
  FROM pg_read_file('/proc/self/stat') s;
SQL
chmod 644 "$DIR/writer.sql"
write_rows() {
	(cd "$REPO" && gf_as_pg "$GF_PGBIN/psql" -h "$DIR" -p "$PORT" -d postgres -XAtq -v ON_ERROR_STOP=1 \
		-v n="$(($1 / 2))" -f "$DIR/writer.sql")
}

printf '%-9s %-6s %6s %9s %9s %7s %8s %8s %9s %9s %6s %8s\n' sb mode rate sent stored lost% cpu_s/M bgw_cpu backend_w clean_w load1 wMB/M
for label in $SBS; do
	# "1GB+bgw": RING_BGW applies to this size only; otherwise to every size.
	sb=${label%+bgw}
	extra=$EXTRA
	[ "$sb" != "$label" ] || [ "${SBS#*+bgw}" = "$SBS" ] || extra=
	gf_cluster_start "netflow://127.0.0.1:$UDP" "shared_buffers = $sb
max_wal_size = 4GB
goflow2plus.rcvbuf = 32MB
$extra" || exit 1
	q "CREATE EXTENSION goflow2plus" >/dev/null
	gf_wait_for 30 "SELECT count(*) > 0 FROM goflow2plus.listeners() WHERE state = 'running'" ||
		{ echo "worker not running" >&2; tail "$DIR/log" >&2; exit 1; }
	gf_wait_for 30 "SELECT count(*) >= 2 FROM goflow2plus.partitions() WHERE NOT is_default" || true
	# Fill the pool: about 250 bytes of heap per row, 600 k rows/s.
	sbmb=$(q "SELECT pg_size_bytes('$sb') / 1048576")
	if [ "$WROWS" -gt 0 ]; then
		# About 200 bytes of heap per row (measured), and a margin.
		write_rows $((sbmb * 1048576 / 200 + 1000000)) >/dev/null
	else
		fill=$((sbmb * 1048576 / (250 * 600000) + 5))
		send_and_drain 20000 "$fill"
	fi
	for ((rep = 0; rep < REPS; rep++)); do
		set -- $MODES
		# Rotate the order each turn: no mode always runs first.
		for ((k = 0; k < rep % $#; k++)); do set -- "${@:2}" "$1"; done
		for mode in "$@"; do
			if [ "$WROWS" -gt 0 ]; then
				q "ALTER SYSTEM SET goflow2plus.bulk_insert_ring = '$mode'" >/dev/null
				q "SELECT pg_reload_conf()" >/dev/null
				sleep 0.5
				b=$(bgw_pid); bc0=$(cpu_ticks "$b")
				read -r bb0 bc_0 bk0 ba0 <<<"$(bgw_stats)"
				load=$(cut -d' ' -f1 /proc/loadavg)
				read -r rows ticks wall wbytes <<<"$(write_rows "$WROWS")"
				bc1=$(cpu_ticks "$b")
				read -r bb1 bc_1 bk1 ba1 <<<"$(bgw_stats)"
				awk -v sb="$label" -v m="$mode" -v k="$rows" -v c="$ticks" -v wall="$wall" \
					-v bc=$((bc1 - bc0)) -v hz="$hz" -v bw=$((bb1 - bb0)) -v wb="$wbytes" \
					-v cw=$((bc_1 - bc_0)) -v l="$load" 'BEGIN {
					printf "%-9s %-6s %6s %9d %9d %7s %8.2f %8.1f %9d %9d %6s %8.0f  %.0f rows/s\n", sb, m, "-", k, k,
						"-", c / hz / (k / 1e6), bc / hz, bw, cw, l, wb / 1048576 / (k / 1e6), k / wall }'
				continue
			fi
			for rate in $RATES; do
				q "ALTER SYSTEM SET goflow2plus.bulk_insert_ring = '$mode'" >/dev/null
				q "SELECT pg_reload_conf()" >/dev/null
				sleep 1
				w=$(wpid); b=$(bgw_pid)
				c0=$(cpu_ticks "$w"); bc0=$(cpu_ticks "$b"); wb0=$(wchar "$w")
				r0=$(gf_counter rows_inserted); d0=$(sock_drops)
				read -r bb0 bc_0 bk0 ba0 <<<"$(bgw_stats)"
				load=$(cut -d' ' -f1 /proc/loadavg)
				if [ "$PERF" -gt 0 ] && [ "$rep" = 0 ]; then
					(sleep 2; perf record -q -g -o "$DIR/perf.$sb.$mode.data" -p "$w" -- sleep "$PERF" >/dev/null 2>&1) &
				fi
				send_and_drain "$rate" "$SECS"
				wait
				c1=$(cpu_ticks "$w"); bc1=$(cpu_ticks "$b"); wb1=$(wchar "$w")
				r1=$(gf_counter rows_inserted); d1=$(sock_drops)
				read -r bb1 bc_1 bk1 ba1 <<<"$(bgw_stats)"
				stored=$((r1 - r0))
				awk -v sb="$label" -v m="$mode" -v rate="$rate" -v s="$SENT" -v k="$stored" \
					-v c=$((c1 - c0)) -v bc=$((bc1 - bc0)) -v hz="$hz" -v bw=$((bb1 - bb0)) \
					-v cw=$((bc_1 - bc_0)) -v l="$load" -v wb=$((wb1 - wb0)) 'BEGIN {
					printf "%-9s %-6s %6d %9d %9d %7.2f %8.2f %8.1f %9d %9d %6s %8.0f\n", sb, m, rate, s, k,
						s ? (s - k) * 100 / s : 0, k ? c / hz / (k / 1e6) : 0, bc / hz, bw, cw, l, k ? wb / 1048576 / (k / 1e6) : 0 }'
				[ "$((d1 - d0))" -gt 0 ] && echo "       socket drops $((d1 - d0)) datagrams"
				if [ -f "$DIR/perf.$sb.$mode.data" ]; then
					echo "       perf top entries (self, worker $w, ${PERF}s):"
					perf report -i "$DIR/perf.$sb.$mode.data" --no-children --sort sym --stdio 2>/dev/null |
						grep -E '^ +[0-9.]+%' | head -15 | sed 's/^/       /'
					perf report -i "$DIR/perf.$sb.$mode.data" --children --sort sym --stdio 2>/dev/null |
						grep -E '^ +[0-9.]+% +[0-9.]+%' | grep -E ' (mdwrite|mdextend|heap_multi_insert|gf_writer_flush|__libc_pwrite|heap_form_tuple|ExecInsertIndexTuples|gf_flow_datums|gf_rollup_add|gf_context_enriched|gf_decode|recvmmsg)$' | head -12 | sed 's/^/       children: /'
					rm -f "$DIR/perf.$sb.$mode.data"
				fi
			done
		done
	done
	echo "       flows: $(q "SELECT pg_size_pretty(sum(pg_relation_size(partition))) || ' of heap, ' || (SELECT count(*) FROM goflow2plus.flows) || ' rows' FROM goflow2plus.partitions()")"
	gf_cluster_stop
done
echo "uptime at end: $(uptime)"
