#!/bin/bash
# bench_peers.sh
#    goflow2plus against its peers in one run, at the same offered rates,
#    from the same sender: for each input (NetFlow v5 made by udp_blast, and
#    a real exporter's NetFlow v9: softflowd's export of a scapy pcap,
#    replayed with sequence numbers and export times rewritten on every
#    send) and each rate, one after the other:
#      goflow2plus, one worker    netflow://127.0.0.1:P1
#      goflow2plus, two workers   netflow://127.0.0.1:P2?count=2
#      nfcapd (nfdump)            writing files: the receive+decode anchor
#      nfacctd (pmacct)           pgsql plugin with COPY into the same
#                                 cluster, near-raw aggregation: the anchor
#                                 a user would pick for SQL
#    and prints records offered and stored, loss, CPU seconds per million
#    records stored (the collector's processes and PostgreSQL's), peak PSS
#    and goflow2plus's ratios to each peer.  Figures, not pass/fail (see
#    test/bench/README.md, "bench_peers.sh", for what each column counts).
#
#    Run as root, loopback only:  test/bench/bench_peers.sh   (~6 min + build)
#
#    The sender always uses two sockets bound to two source ports (udp_blast
#    -s 2 -b PORT), a burst each in turn: SO_REUSEPORT hashes the sender's
#    address and port, so ?count=2 needs two exporters to use both
#    sockets, and two ports taken at random share one socket half of the
#    time: lib/reuseport_pair.py picks a pair that splits.  Every collector
#    gets the same two exporters.
#
#    Settings (environment):
#      BENCH_RATES      records/s offered, default "150000 600000"
#      BENCH_SECONDS    seconds of sending per run, default 10 (30 shows
#                       overload better: an 8 MiB socket buffer hides ~1 s)
#      BENCH_INPUTS     "v5 v9" (default) or one of them
#      BENCH_PEERS      collectors to run, default "gf1 gf2 nfcapd nfacctd"
#      BENCH_V9_FLOWS   flows in the pcap softflowd exports, default 10000
#                       (one replay loop)
#      BENCH_RMEM_MAX   net.core.rmem_max for the run, put back at the end;
#                       default 33554432 (32 MiB, as issue 12's figures:
#                       every collector asks for a 32 MiB buffer and gets
#                       the same); "keep" leaves it alone (smoke: keep)
#      BENCH_SMOKE=1    CI smoke (test/run_all.sh "bench-smoke"): v9 only,
#                       20000 records/s, 3 s, 2000 flows, the installed
#                       goflow2plus; checks only that every collector
#                       stored something and the table was printed, and
#                       ends with the "N passed, M failed" line
#      BENCH_KEEP=1     keep the work folder (logs) at the end
#      BENCH_PERF=N     profile goflow2plus's workers (perf record -g, N
#                       seconds from 2 s into the sending) in every
#                       goflow2plus run; prints each run's 25 heaviest
#                       symbols (self time) and keeps perf.*.data
#      BENCH_TREE=work  build the working tree instead of HEAD
#      GF_SKIP_INSTALL=1  use the goflow2plus installed in /usr
#      GF_DESTDIR=path    use a "make install DESTDIR=path" tree
#    By default (not in smoke mode) the committed HEAD is built in a private
#    copy and installed into the work folder (as bench_collector.sh does),
#    so the figures belong to one commit.
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib/cluster.sh"
. "$REPO/test/lib/tap.sh"
. "$REPO/test/bench/lib/bench_lib.sh"

SMOKE=${BENCH_SMOKE:-0}
if [ "$SMOKE" = 1 ]; then
	RATES=${BENCH_RATES:-20000}
	SECS=${BENCH_SECONDS:-3}
	INPUTS=${BENCH_INPUTS:-v9}
	V9_FLOWS=${BENCH_V9_FLOWS:-1000}
	QUIET_POLLS=2		# polls 0.5 s apart without progress: done
	PAUSE=0				# seconds of rest before each run
	RMEM=${BENCH_RMEM_MAX:-keep}
	[ -n "${GF_DESTDIR:-}" ] || GF_SKIP_INSTALL=${GF_SKIP_INSTALL:-1}
else
	RATES=${BENCH_RATES:-"150000 600000"}
	SECS=${BENCH_SECONDS:-10}
	INPUTS=${BENCH_INPUTS:-"v5 v9"}
	V9_FLOWS=${BENCH_V9_FLOWS:-10000}
	QUIET_POLLS=4
	PAUSE=1
	RMEM=${BENCH_RMEM_MAX:-33554432}
fi
PEERS=${BENCH_PEERS:-"gf1 gf2 nfcapd nfacctd"}
RCVBUF_REQ=33554432		# goflow2plus.rcvbuf's default, asked of the peers too
NFACCTD_REFRESH=1		# sql_refresh_time, seconds
# sql_cache_entries: pmacct's docs ask for enough buckets to hold a whole
# refresh interval (else "Finished cache entries" and a writer process per
# full cache, up to sql_max_writers = 10, then data is dropped): the
# smallest of these primes above 1.2 x the highest rate x the interval.
max_rate=$(tr ' ' '\n' <<<"$RATES" | sort -n | tail -1)
for NFACCTD_CACHE in 32771 65537 131071 262147 524287 1048573 2097143 4194301; do
	[ "$NFACCTD_CACHE" -ge $((max_rate * NFACCTD_REFRESH * 12 / 10)) ] && break
done

tap_require_root
DIR=$(mktemp -d /tmp/gf_bench_peers.XXXXXX)
chmod 755 "$DIR"
PORT=$(free_port tcp)

# ---- cleanup: only what this script started or changed ----------------------

BLAST_PID=
NFCAPD_WRAP=
NFACCTD_WRAP=
cleanup() {
	local p
	[ -n "$PSS_SAMPLER_PID" ] && kill "$PSS_SAMPLER_PID" 2>/dev/null
	[ -n "$BLAST_PID" ] && kill "$BLAST_PID" 2>/dev/null
	# nfacctd stops on SIGINT and not on SIGTERM (an aborted run once
	# waited for it here); both get 10 s, then SIGKILL.
	[ -s "$DIR/nfcapd.pid" ] && kill -TERM "$(cat "$DIR/nfcapd.pid")" 2>/dev/null
	[ -s "$DIR/nfacctd.pid" ] && kill -INT "$(cat "$DIR/nfacctd.pid")" 2>/dev/null
	for p in "$DIR/nfcapd.pid" "$DIR/nfacctd.pid"; do
		[ -s "$p" ] || continue
		for ((i = 0; i < 100; i++)); do
			kill -0 "$(cat "$p")" 2>/dev/null || break
			sleep 0.1
		done
		# shellcheck disable=SC2046
		kill -KILL $(tree_pids "$(cat "$p")") 2>/dev/null
	done
	[ -n "$NFCAPD_WRAP" ] && wait "$NFCAPD_WRAP" 2>/dev/null
	[ -n "$NFACCTD_WRAP" ] && wait "$NFACCTD_WRAP" 2>/dev/null
	gf_cluster_stop
	bench_rmem_restore
	if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "kept $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- which collectors can run ------------------------------------------------------

RUN=()
for c in $PEERS; do
	case $c in
		gf1 | gf2) RUN+=("$c") ;;
		nfcapd)
			if command -v nfcapd >/dev/null && command -v nfdump >/dev/null; then RUN+=(nfcapd)
			else echo "skip nfcapd: nfdump's nfcapd/nfdump not installed (Debian package nfdump)"; fi ;;
		nfacctd)
			if command -v nfacctd >/dev/null && nfacctd -V 2>&1 | grep -q 'PostgreSQL'; then RUN+=(nfacctd)
			else echo "skip nfacctd: pmacct's nfacctd with PostgreSQL support not installed (Debian package pmacct)"; fi ;;
		*) echo "unknown collector $c (gf1 gf2 nfcapd nfacctd)" >&2; exit 2 ;;
	esac
done
IN=()
for i in $INPUTS; do
	case $i in
		v5) IN+=(v5) ;;
		v9)
			if command -v softflowd >/dev/null && /usr/bin/python3 -c 'import scapy' 2>/dev/null; then IN+=(v9)
			else echo "skip input v9: softflowd or python3-scapy not installed"; fi ;;
		*) echo "unknown input $i (v5 v9)" >&2; exit 2 ;;
	esac
done
if [ ${#IN[@]} = 0 ] && [ "$SMOKE" = 1 ]; then
	echo "smoke: v5 instead"
	IN=(v5)
fi

# ---- build, inputs, ports -------------------------------------------------------------

mkdir -p "$DIR/bin" "$DIR/v9"
bench_build_sources "$REPO" || exit 1
cc -std=gnu11 -O2 -Wall -Werror -o "$DIR/bin/udp_blast" "$REPO/test/bench/udp_blast.c" || {
	echo "udp_blast.c does not build" >&2; exit 1; }

# Records per datagram of each input, to turn records/s into datagrams/s.
declare -A PER_DGRAM BLAST_IN
PER_DGRAM[v5]=30
BLAST_IN[v5]=
V9_LINE=
if [[ " ${IN[*]} " == *" v9 "* ]]; then
	V9_LINE=$(/usr/bin/python3 "$REPO/test/bench/lib/v9_export.py" "$DIR/v9/export.bin" "$V9_FLOWS" "$DIR/v9") || {
		echo "the softflowd v9 export failed" >&2; exit 1; }
	PER_DGRAM[v9]=$(echo "$V9_LINE" | sed -n 's/.*: \([0-9]*\) datagrams, \([0-9]*\) data records.*/\2 \1/p' |
		awk '{ printf "%.3f", $1 / $2 }')
	# -u: every loop's flows get new source addresses, so that nfacctd's
	# aggregation cannot fold the loops into one another.
	BLAST_IN[v9]="-f $DIR/v9/export.bin -u"
fi

# Ports: the cluster (Unix socket), four collectors, two source ports.
G1=$(free_port udp)
G2=$(free_port udp)
NF=$(free_port udp)
PM=$(free_port udp)
# Source ports SRC and SRC+1 that the kernel sends to different sockets
# of the count=2 group (checked on G2 before goflow2plus binds it).
SRC=$(/usr/bin/python3 "$REPO/test/bench/lib/reuseport_pair.py" "$G2") || exit 1

[ "$RMEM" = keep ] || bench_rmem_set "$RMEM" || exit 1

# ---- the cluster: goflow2plus listening on both entries, pmacct's database ---------

gf_cluster_start "netflow://127.0.0.1:$G1,netflow://127.0.0.1:$G2?count=2" || exit 1
q "CREATE EXTENSION goflow2plus" >/dev/null || exit 1
bench_wait_ready 30 || exit 1
PM_PID=$(head -1 "$DIR/data/postmaster.pid")
# pmacct's own role and database; the table is what sql_optimize_clauses
# writes for this aggregate (names from pmacct's sql/README.pgsql), no
# primary key (sql_dont_try_update: rows are appended), UNLOGGED like
# goflow2plus.flows so that both pay the same for durability.
q "CREATE ROLE pmacct LOGIN" >/dev/null
q "CREATE DATABASE pmacct OWNER pmacct" >/dev/null
gf_as_pg "$GF_PGBIN/psql" -h "$DIR" -p "$PORT" -U pmacct -d pmacct -XAtq -v ON_ERROR_STOP=1 -c "
	CREATE UNLOGGED TABLE acct (
		ip_src inet NOT NULL, ip_dst inet NOT NULL,
		port_src int NOT NULL, port_dst int NOT NULL,
		ip_proto smallint NOT NULL, tos int NOT NULL,
		packets bigint NOT NULL, bytes bigint NOT NULL, flows bigint NOT NULL,
		stamp_inserted timestamp NOT NULL, stamp_updated timestamp)" || exit 1
pq() { gf_q "$1" pmacct; }

echo "bench_peers: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -r), PostgreSQL $(q 'SHOW server_version') (shared_buffers $(q 'SHOW shared_buffers'))"
echo "goflow2plus: $SRC_ID"
command -v nfcapd >/dev/null && echo "nfcapd: $(nfcapd -V 2>&1 | head -1)"
command -v nfacctd >/dev/null && echo "nfacctd: $(nfacctd -V 2>&1 | head -1)"
echo "inputs: ${IN[*]}; rates (records/s): $RATES; $SECS s each; sender: 2 sockets, source ports $SRC and $((SRC + 1))"
echo "v5: udp_blast, 30 distinct records per 1464-byte datagram"
[ -n "$V9_LINE" ] && echo "v9: $V9_LINE; replayed in a loop, fresh sequence numbers, export times and source addresses (udp_blast -u) in each"
echo "nfacctd: sql_refresh_time $NFACCTD_REFRESH s, sql_cache_entries $NFACCTD_CACHE"
echo "net.core.rmem_max $(sysctl -n net.core.rmem_max); goflow2plus rcvbuf granted $(counter rcvbuf_bytes) bytes over its 3 sockets; nfcapd -B $RCVBUF_REQ; nfacctd_pipe_size $RCVBUF_REQ"
echo "uptime at start: $(uptime)"
echo

# ---- one run ---------------------------------------------------------------------
# Each sets R_SENT R_STORED R_CPU_C (collector CPU s) R_CPU_PG (PostgreSQL
# CPU s, "-" for nfcapd) R_PSS (MB) R_DROPS (socket drops) R_LOAD R_NOTE.

# blast PORT INPUT RATE: the sender, in the background so cleanup can stop it.
blast() {
	local dps
	dps=$(awk -v r="$3" -v p="${PER_DGRAM[$2]}" 'BEGIN { printf "%.0f", r / p }')
	# shellcheck disable=SC2086
	"$DIR/bin/udp_blast" ${BLAST_IN[$2]} -s 2 -b "$SRC" "$1" "$dps" "$SECS" >"$DIR/blast.out" 2>&1 &
	BLAST_PID=$!
	wait "$BLAST_PID"
	BLAST_PID=
	R_SENT=$(sed -n 's/^sent [0-9]* datagrams, \([0-9]*\) records.*/\1/p' "$DIR/blast.out")
	[ -n "$R_SENT" ] || { echo "udp_blast failed:" >&2; cat "$DIR/blast.out" >&2; exit 1; }
}

# The `times` line of children of a wrapper shell, in ticks.
times_ticks() {
	sed -n 2p "$1" | awk -v hz="$(getconf CLK_TCK)" '{
		n = 0
		for (i = 1; i <= 2; i++) { split($i, a, "m"); sub(/s$/, "", a[2]); n += a[1] * 60 + a[2] }
		printf "%.0f", n * hz }'
}

rows_of() { counter rows_inserted; }

# BENCH_PERF: perf record of the workers, in the background during the send.
PERF_PID=
PERF_OUT=
gf_perf_start() {
	local label=$1
	shift
	PERF_OUT=${BENCH_PERF_DIR:-$DIR}/perf.$label.data
	(sleep 2; exec perf record -q -g -o "$PERF_OUT" -p "$(tr ' ' ',' <<<"$*")" -- sleep "$BENCH_PERF") \
		>/dev/null 2>&1 &
	PERF_PID=$!
}
gf_perf_report() {
	wait "$PERF_PID" 2>/dev/null
	PERF_PID=
	echo "perf ($PERF_OUT), self time, 25 heaviest:"
	perf report -q -i "$PERF_OUT" --no-children --sort symbol --stdio 2>/dev/null |
		grep -v '^$' | grep '%' | head -25
}

# run_gf ENTRY_PORT INPUT RATE
run_gf() {
	local port=$1 wpids w0 w1 a0 a1 d0 d1 split0 split1
	q "TRUNCATE goflow2plus.flows" >/dev/null
	wpids=$(q "SELECT string_agg(pid::text, ' ') FROM goflow2plus.listeners() WHERE listen LIKE '%:$port%'")
	split0=$(q "SELECT string_agg(s.value::text, ' ' ORDER BY l.socket) FROM goflow2plus.listeners() l
		JOIN goflow2plus.stats() s ON s.worker = l.worker AND s.counter = 'rows_inserted' WHERE l.listen LIKE '%:$port%'")
	sleep "$PAUSE"
	R_LOAD=$(load1)
	read -r _ d0 <<<"$(sock_info "$port")"
	# shellcheck disable=SC2086
	w0=$(tree_ticks $wpids)
	a0=$(tree_ticks "$PM_PID")
	# shellcheck disable=SC2086
	pss_sampler_start "$DIR/pss" $wpids
	[ -n "${BENCH_PERF:-}" ] && gf_perf_start "$2-$3-$port" $wpids
	blast "$port" "$2" "$3"
	[ -n "${BENCH_PERF:-}" ] && gf_perf_report
	wait_quiet "$port" "$QUIET_POLLS" 0 rows_of || R_NOTE="not quiet after ${DRAIN_MAX} s; "
	# shellcheck disable=SC2086
	w1=$(tree_ticks $wpids)
	a1=$(tree_ticks "$PM_PID")
	R_PSS=$(pss_sampler_stop)
	read -r _ d1 <<<"$(sock_info "$port")"
	R_DROPS=$((d1 - d0))
	R_STORED=$(q "SELECT count(*) FROM goflow2plus.flows")
	R_CPU_C=$(ticks_to_secs $((w1 - w0)))
	R_CPU_PG=$(ticks_to_secs $((a1 - a0 - (w1 - w0))))
	split1=$(q "SELECT string_agg(s.value::text, ' ' ORDER BY l.socket) FROM goflow2plus.listeners() l
		JOIN goflow2plus.stats() s ON s.worker = l.worker AND s.counter = 'rows_inserted' WHERE l.listen LIKE '%:$port%'")
	R_NOTE="${R_NOTE:-}rows per worker $(paste -d' ' <(tr ' ' '\n' <<<"$split1") <(tr ' ' '\n' <<<"$split0") |
		awk '{ printf "%s%d", (NR > 1 ? "/" : ""), $1 - $2 }')"
	R_SPLIT=${R_NOTE##* }
}

nfcapd_ticks() { tree_ticks "$(cat "$DIR/nfcapd.pid")"; }

# run_nfcapd INPUT RATE: a fresh nfcapd and folder per run, under a shell
# whose `times` gives the CPU nfcapd used in all (its file is written and
# closed when it stops).
run_nfcapd() {
	local out=$DIR/nf/$1.$2 t0 total f n d0 d1
	mkdir -p "$out"
	: >"$DIR/nfcapd.pid"
	bash -c 'nfcapd -w "$1" -p "$2" -b 127.0.0.1 -t 3600 -B "$3" >"$4" 2>&1 & echo $! >"$5"; wait $!; times >"$6"' \
		_ "$out" "$NF" "$RCVBUF_REQ" "$DIR/nfcapd.log" "$DIR/nfcapd.pid" "$DIR/nfcapd.times" &
	NFCAPD_WRAP=$!
	for ((i = 0; i < 100; i++)); do
		[ -s "$DIR/nfcapd.pid" ] && grep -q 'Startup' "$DIR/nfcapd.log" && port_busy "$NF" && break
		sleep 0.1
	done
	sleep "$PAUSE"
	R_LOAD=$(load1)
	read -r _ d0 <<<"$(sock_info "$NF")"
	t0=$(nfcapd_ticks)
	pss_sampler_start "$DIR/pss" "$(cat "$DIR/nfcapd.pid")"
	blast "$NF" "$1" "$2"
	# nfcapd shows nothing until its file is closed: quiet when its socket
	# is empty and it used at most one tick in each of 4 polls.
	wait_quiet "$NF" "$QUIET_POLLS" 1 nfcapd_ticks || R_NOTE="not quiet after ${DRAIN_MAX} s; "
	R_PSS=$(pss_sampler_stop)
	read -r _ d1 <<<"$(sock_info "$NF")"
	R_DROPS=$((d1 - d0))
	kill -TERM "$(cat "$DIR/nfcapd.pid")"
	wait "$NFCAPD_WRAP"
	NFCAPD_WRAP=
	: >"$DIR/nfcapd.pid"
	total=$(times_ticks "$DIR/nfcapd.times")
	R_CPU_C=$(ticks_to_secs $((total - t0)))
	R_CPU_PG=-
	R_STORED=0
	for f in "$out"/nfcapd.*; do
		[ -f "$f" ] || continue
		n=$(nfdump -r "$f" -I | sed -n 's/^Flows: \([0-9]*\)$/\1/p')
		R_STORED=$((R_STORED + ${n:-0}))
	done
	rm -rf "$out"
}

# What nfacctd stored, in records: its distinct keys.  Every record
# offered has a key of its own (v5: udp_blast's addresses cycle after 16.7 M
# records; v9: udp_blast -u gives each loop and socket new source
# addresses), so a key is a record.  Neither rows nor sum(flows) will do:
# in some runs here nfacctd counted records twice (319 in each of
# them), as a second row of the key or as flows 2 (and twice the packets
# and bytes) in one row.  The note gives both; on v9 it checks
# sum(packets) = 2 x sum(flows) (softflowd's flows are of two packets
# each: the flows counter counts records processed).  While waiting, the
# rows (cheaper) tell progress.
PM_KEY="(ip_src, ip_dst, port_src, port_dst, ip_proto, tos)"
pm_rows() { pq "SELECT count(*) FROM acct"; }

# nfacctd is busy while a writer it forked lives (its core and plugin are
# two processes; each purge forks one) or one of its connections is in a
# statement: a COPY shows no row until it commits.
pm_busy() {
	[ "$(tree_pids "$(cat "$DIR/nfacctd.pid")" | wc -l)" -gt 2 ] ||
		[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE usename = 'pmacct' AND state <> 'idle'")" != 0 ]
}

# run_nfacctd INPUT RATE: a fresh nfacctd per run, as nfcapd; stopped with
# SIGINT once its table has not grown for four sql_refresh_time, no writer
# is at work and its socket is empty: it then writes what its core and
# plugin still hold, in the plugin's own process.
run_nfacctd() {
	local t0 total a0 a1 d0 d1 pk rows flows
	pq "TRUNCATE acct" >/dev/null
	cat >"$DIR/nfacctd.conf" <<CONF
daemonize: false
nfacctd_ip: 127.0.0.1
nfacctd_port: $PM
nfacctd_pipe_size: $RCVBUF_REQ
nfacctd_time_new: true
plugins: pgsql
aggregate: src_host, dst_host, src_port, dst_port, proto, tos, flows
sql_host: $DIR
sql_port: $PORT
sql_db: pmacct
sql_user: pmacct
sql_passwd: unused
sql_table: acct
sql_optimize_clauses: true
sql_dont_try_update: true
sql_use_copy: true
sql_refresh_time: $NFACCTD_REFRESH
sql_history: 1m
sql_history_roundoff: m
sql_cache_entries: $NFACCTD_CACHE
plugin_pipe_size: 104857600
plugin_buffer_size: 104857
CONF
	: >"$DIR/nfacctd.pid"
	bash -c 'nfacctd -f "$1" >"$2" 2>&1 & echo $! >"$3"; wait $!; times >"$4"' \
		_ "$DIR/nfacctd.conf" "$DIR/nfacctd.log" "$DIR/nfacctd.pid" "$DIR/nfacctd.times" &
	NFACCTD_WRAP=$!
	for ((i = 0; i < 100; i++)); do
		[ -s "$DIR/nfacctd.pid" ] && grep -q 'waiting for NetFlow' "$DIR/nfacctd.log" && port_busy "$PM" && break
		sleep 0.1
	done
	sleep "$PAUSE"
	R_LOAD=$(load1)
	read -r _ d0 <<<"$(sock_info "$PM")"
	t0=$(tree_ticks "$(cat "$DIR/nfacctd.pid")")
	a0=$(tree_ticks "$PM_PID")
	pss_sampler_start "$DIR/pss" "$(cat "$DIR/nfacctd.pid")"
	blast "$PM" "$1" "$2"
	QUIET_BUSY=pm_busy wait_quiet "$PM" $((NFACCTD_REFRESH * 4)) 0 pm_rows || R_NOTE="not quiet after ${DRAIN_MAX} s; "
	read -r _ d1 <<<"$(sock_info "$PM")"
	R_DROPS=$((d1 - d0))
	kill -INT "$(cat "$DIR/nfacctd.pid")"
	wait "$NFACCTD_WRAP"
	NFACCTD_WRAP=
	: >"$DIR/nfacctd.pid"
	gf_wait_for 60 "SELECT count(*) = 0 FROM pg_stat_activity WHERE usename = 'pmacct'" ||
		R_NOTE="${R_NOTE:-}pmacct's connections still open 60 s after it exited; "
	R_PSS=$(pss_sampler_stop)
	total=$(times_ticks "$DIR/nfacctd.times")
	R_STORED=$(pq "SELECT count(DISTINCT $PM_KEY) FROM acct")
	a1=$(tree_ticks "$PM_PID")
	R_CPU_C=$(ticks_to_secs $((total - t0)))
	R_CPU_PG=$(ticks_to_secs $((a1 - a0)))
	rows=$(pm_rows)
	flows=$(pq "SELECT coalesce(sum(flows), 0) FROM acct")
	R_NOTE="${R_NOTE:-}$rows rows ($((rows - Q_LAST)) written at exit), flows $flows: $((flows - R_STORED)) records counted twice"
	# Proof that sum(flows) counts records: softflowd's flows are of two
	# packets each, so the packets must sum to twice the flows.
	if [ "$1" = v9 ]; then
		pk=$(pq "SELECT coalesce(sum(packets), 0) FROM acct")
		if [ "$pk" = $((2 * flows)) ]; then R_NOTE="$R_NOTE, packets = 2 x flows"
		else R_NOTE="$R_NOTE, packets $pk != 2 x flows!"; PM_PROOF_FAIL=1; fi
	fi
	# pmacct logs a full pipe between its core and plugin as "missing data".
	grep -qE '^(WARN|ERROR) \(|missing data' "$DIR/nfacctd.log" &&
		R_NOTE="$R_NOTE; log: $(grep -cE '^(WARN|ERROR) \(|missing data' "$DIR/nfacctd.log") warnings/errors"
}
PM_PROOF_FAIL=0

# ---- the runs ----------------------------------------------------------------------

declare -A RES	# "input rate collector" -> "sent stored cpu_c cpu_pg pss drops"
SPLITS=()		# "input rate a/b": rows each count=2 worker stored
name_of() {
	case $1 in
		gf1) echo "goflow2plus 1 worker" ;;
		gf2) echo "goflow2plus count=2" ;;
		nfcapd) echo "nfcapd (files)" ;;
		nfacctd) echo "nfacctd -> PostgreSQL" ;;
	esac
}
for input in "${IN[@]}"; do
	for rate in $RATES; do
		for c in "${RUN[@]}"; do
			R_NOTE=
			R_SPLIT=
			case $c in
				gf1) run_gf "$G1" "$input" "$rate" ;;
				gf2) run_gf "$G2" "$input" "$rate" ;;
				nfcapd) run_nfcapd "$input" "$rate" ;;
				nfacctd) run_nfacctd "$input" "$rate" ;;
			esac
			RES["$input $rate $c"]="$R_SENT $R_STORED $R_CPU_C $R_CPU_PG $R_PSS $R_DROPS"
			[ "$c" = gf2 ] && SPLITS+=("$input $rate $R_SPLIT")
			printf '%s %7s/s %-22s sent %9s stored %9s lost %6s%% sock_drops %7s cpu %6ss + pg %6ss peak PSS %5s MB load %s %s\n' \
				"$input" "$rate" "$(name_of "$c")" "$R_SENT" "$R_STORED" "$(pct_loss "$R_SENT" "$R_STORED")" \
				"$R_DROPS" "$R_CPU_C" "$R_CPU_PG" "$R_PSS" "$R_LOAD" "$R_NOTE"
		done
	done
done

echo
echo "uptime at end: $(uptime)"
echo

# ---- the table ---------------------------------------------------------------------
# cpu s/M: CPU seconds per million records stored; "collector" = the
# goflow2plus workers of the entry / nfcapd / nfacctd's core, plugin and
# writers; "PostgreSQL" = the rest of the cluster (goflow2plus) / the whole
# cluster (nfacctd: the backends its writers use, and the rest).
# Ratios: goflow2plus (one worker, two workers) over the row's collector,
# stored records (> 1: goflow2plus stored more) and total CPU per record
# (< 1: goflow2plus used less).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }
tot_spm() {	# total cpu s/M of a result
	local sent stored cc cp
	read -r sent stored cc cp _ <<<"$1"
	[ "$cp" = - ] && cp=0
	s_per_m "$(awk -v a="$cc" -v b="$cp" 'BEGIN { print a + b }')" "$stored"
}
TABLE_ROWS=0
echo "| input | records/s offered | collector | offered | stored | lost | cpu s/M collector | + PostgreSQL | = total | peak PSS MB | 1 worker / this: stored, cpu | count=2 / this: stored, cpu |"
echo "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for input in "${IN[@]}"; do
	for rate in $RATES; do
		for c in "${RUN[@]}"; do
			read -r sent stored cc cp pss _ <<<"${RES["$input $rate $c"]}"
			r1="-" r2="-"
			for g in gf1 gf2; do
				[ "$c" = "$g" ] && continue
				[ -n "${RES["$input $rate $g"]:-}" ] || continue
				read -r _ gs _ <<<"${RES["$input $rate $g"]}"
				r="$(ratio "$gs" "$stored"), $(ratio "$(tot_spm "${RES["$input $rate $g"]}")" "$(tot_spm "${RES["$input $rate $c"]}")")"
				if [ $g = gf1 ]; then r1=$r; else r2=$r; fi
			done
			pg=$(s_per_m "$cp" "$stored")
			echo "| $input | $rate | $(name_of "$c") | $sent | $stored | $(pct_loss "$sent" "$stored") % | $(s_per_m "$cc" "$stored") | $pg | $(tot_spm "${RES["$input $rate $c"]}") | $pss | $r1 | $r2 |"
			TABLE_ROWS=$((TABLE_ROWS + 1))
		done
	done
done

if [ "$SMOKE" = 1 ]; then
	echo
	for input in "${IN[@]}"; do
		for rate in $RATES; do
			for c in "${RUN[@]}"; do
				read -r sent stored _ <<<"${RES["$input $rate $c"]}"
				check "$input $(name_of "$c") stored something ($stored of $sent)" [ "${stored:-0}" -gt 0 ]
				check "$input $(name_of "$c") stored no more than offered" [ "${stored:-0}" -le "${sent:-0}" ]
			done
		done
	done
	check "the table printed a row per run (${TABLE_ROWS})" [ "$TABLE_ROWS" -eq $((${#IN[@]} * $(wc -w <<<"$RATES") * ${#RUN[@]})) ]
	check "the table has rows" [ "$TABLE_ROWS" -gt 0 ]
	check "nfacctd's packets are 2 x its flows on the v9 input" [ "$PM_PROOF_FAIL" = 0 ]
	for sp in "${SPLITS[@]}"; do
		read -r input rate split <<<"$sp"
		check "$input count=2: both workers stored rows from the two source ports ($split)" \
			[ "$(awk -F/ '{ print ($1 > 0 && $2 > 0) }' <<<"$split")" = 1 ]
	done
	tap_summary
	exit
fi
exit 0
