#!/bin/bash
# bench_nats_source.sh
#    Figures for the JetStream source (issue #9), not a test: how many
#    flows/s nats:// source workers write into goflow2plus.flows.
#
#    1. An edge cluster (transport = nats alone, format = bin, nats_batch
#       100) receives NetFlow v5 from udp_blast and fills a stream of a
#       real nats-server -js (file storage, loopback); then it is stopped,
#       so the measurement does not share the two cores with it.
#    2. For each worker count in BENCH_COUNTS, a fresh central cluster
#       pulls the whole stream through nats://...?stream=flows&consumer=cN
#       (a new consumer each time, so each run reads every message), and
#       the rate is rows_inserted (goflow2plus.stats(), read every 0.2 s)
#       from the first row written to the last, over the flows in the
#       stream.  No context rows (enrichment off), batch_size 5000.
#
#    Root, loopback only; clusters as user postgres in a fresh folder.
#    Settings (environment):
#      BENCH_RATE      datagrams/s udp_blast offers, default 8000 (240 k flows/s)
#      BENCH_SECONDS   seconds of sending, default 4 (about 1 M flows)
#      BENCH_COUNTS    worker counts to measure, default "1 2"
#      BENCH_CORES=DIR  allow core files (ulimit -c unlimited, pg_ctl -c)
#                      and write them to DIR (kernel.core_pattern, put
#                      back at the end); backtraces of any are printed
#      GF_DESTDIR=/path  use a "make install DESTDIR=/path" tree
#    Each cluster's server log is kept in a results folder printed at the
#    end (the cluster folders are wiped between runs), and a postmaster
#    that restarted a child (a crashed worker restarts the whole cluster)
#    is reported with its log lines; the script then exits 1.
#    About 1 minute with the defaults.
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib/tap.sh"
tap_require_root
RATE=${BENCH_RATE:-8000}
SECS=${BENCH_SECONDS:-4}
COUNTS=${BENCH_COUNTS:-"1 2"}
DIR=$(mktemp -d /tmp/gf_bench_nsrc.XXXXXX)
chmod 755 "$DIR"
PORT=$(free_port tcp)
NF_PORT=$(free_port udp)
NATS_PORT=$(free_port tcp)
. "$REPO/test/lib/cluster.sh"
NATS_PID=
RESULTS=$(mktemp -d /tmp/gf_bench_nsrc_logs.XXXXXX)
CRASHED=0
OLD_CORE_PATTERN=
if [ -n "${BENCH_CORES:-}" ]; then
	mkdir -p "$BENCH_CORES" && chmod 1777 "$BENCH_CORES"
	OLD_CORE_PATTERN=$(cat /proc/sys/kernel/core_pattern)
	sysctl -qw kernel.core_pattern="$BENCH_CORES/core.%e.%p.%t"
	ulimit -c unlimited
	export GF_PGCTL_ARGS="-c"
fi
# keep_log NAME: the cluster's log into $RESULTS; report child crashes.
keep_log() {
	local lines
	[ -f "$DIR/log" ] || return 0
	cp "$DIR/log" "$RESULTS/$1.log"
	lines=$(grep -E "terminated by signal|server process .* was terminated|all server processes terminated|exited with exit code [^01]" "$DIR/log")
	if [ -n "$lines" ]; then
		CRASHED=1
		echo "# $1: the postmaster restarted after a child died:"
		echo "$lines" | sed 's/^/#   /'
	fi
}
cleanup() {
	gf_cluster_stop
	[ -n "${LOGNAME_NOW:-}" ] && keep_log "$LOGNAME_NOW"
	if [ -n "$OLD_CORE_PATTERN" ]; then
		sysctl -qw kernel.core_pattern="$OLD_CORE_PATTERN"
		for core in "$BENCH_CORES"/core.*; do
			[ -f "$core" ] || continue
			echo "# core $core:"
			# The thread that died, then one line per thread.
			gdb -batch -ex "bt 30" -ex "info threads" "$GF_PGBIN/postgres" "$core" 2>/dev/null |
				grep -E "^(#|\*? +[0-9]+ +Thread)" | cut -c1-200 | sed 's/^/#   /'
		done
	fi
	echo "# server logs kept in $RESULTS"
	[ -n "$NATS_PID" ] && kill "$NATS_PID" 2>/dev/null && wait "$NATS_PID" 2>/dev/null
	[ "${GF_KEEP:-0}" = 1 ] && echo "# kept $DIR" || rm -rf "$DIR"
}
trap cleanup EXIT
counter() { gf_q "SELECT coalesce(sum(value), 0) FROM goflow2plus.stats() WHERE counter = '$1'"; }
now_s() { date +%s.%N; }

cc -O2 -o "$DIR/udp_blast" "$REPO/test/bench/udp_blast.c" || exit 1
gf_install "$REPO" "$DIR/build.log" || exit 1
nats-server -js -a 127.0.0.1 -p "$NATS_PORT" -sd "$DIR/js" >"$DIR/nats.log" 2>&1 &
NATS_PID=$!
sleep 1

# ---- 1. fill the stream ------------------------------------------------------
gf_cluster_start "netflow://127.0.0.1:$NF_PORT" "goflow2plus.transport = 'nats'
goflow2plus.format = 'bin'
goflow2plus.nats_batch = 100
goflow2plus.nats_buffer_size = 512MB
goflow2plus.nats_servers = 'nats://127.0.0.1:$NATS_PORT'
goflow2plus.nats_stream = 'flows'
goflow2plus.nats_subject = 'flows'
goflow2plus.nats_stream_max_age = 3600" || exit 1
gf_q "CREATE EXTENSION goflow2plus" >/dev/null
gf_wait_for 10 "SELECT bool_and(ready) FROM (SELECT DISTINCT worker, ready FROM goflow2plus.stats()) s" || exit 1
"$DIR/udp_blast" "$NF_PORT" "$RATE" "$SECS" >"$DIR/blast.out" 2>&1
gf_wait_for 60 "SELECT sum(value) FILTER (WHERE counter = 'nats_buffered') = 0 AND sum(value) FILTER (WHERE counter = 'nats_inflight') = 0 FROM goflow2plus.stats()" ||
	echo "# edge: publisher did not drain within 60 s"
N=$(counter nats_acked)
echo "# edge: $(counter flows) flows decoded, $N acknowledged by the stream, $(counter nats_dropped) dropped, $(counter nats_failed) failed"
gf_cluster_stop
keep_log edge

# ---- 2. pull it ---------------------------------------------------------------
for c in $COUNTS; do
	LOGNAME_NOW=count$c
	gf_cluster_start "nats://127.0.0.1:$NATS_PORT?stream=flows&consumer=c$c&count=$c" "" || exit 1
	gf_q "CREATE EXTENSION goflow2plus" >/dev/null
	t_first= rows_first=0
	t_end=$(( $(date +%s) + 120 ))
	while :; do
		# Empty while a restarted cluster recovers.
		rows=$(counter rows_inserted 2>/dev/null)
		rows=${rows:-0}
		t=$(now_s)
		if [ -z "$t_first" ] && [ "$rows" -gt 0 ]; then t_first=$t; rows_first=$rows; fi
		[ "$rows" -ge "$N" ] && break
		[ "$(date +%s)" -ge "$t_end" ] && { echo "# count=$c: only $rows of $N rows after 120 s"; break; }
		sleep 0.2
	done
	awk -v c="$c" -v n="$rows" -v r0="$rows_first" -v t0="$t_first" -v t1="$t" \
		'BEGIN { printf "source count=%d: %d rows, %.0f flows/s into goflow2plus.flows (%.2f s from the first batch to the last)\n", c, n, (n - r0) / (t1 - t0), t1 - t0 }'
	echo "#   fetched $(counter source_fetched) messages, acked $(counter source_acked), redelivered $(counter source_redelivered), table rows $(gf_q 'SELECT count(*) FROM goflow2plus.flows')"
	gf_cluster_stop
	keep_log "count$c"
	LOGNAME_NOW=
done
exit $CRASHED
