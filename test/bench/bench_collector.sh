#!/bin/bash
# bench_collector.sh
#    Collector benchmark against a peer measured in the same run: the same
#    NetFlow v5 sender (test/bench/udp_blast.c, 30 records per datagram)
#    feeds goflow2plus (one worker, throwaway PostgreSQL 15 cluster) and
#    nfdump's nfcapd at the same rates for the same time, one after the
#    other for each rate, and the script prints what each one stored, its
#    loss and the ratio of stored records.  Then it runs the decode-only
#    benchmarks (bench_decode.c, bench_sflow.c) when they build.
#
#    Figures, not pass/fail: the project's speed goals are read from this
#    output, as ratios against the peer, never from timed tests.  It is not
#    part of test/run_all.sh (the default run takes about six minutes).
#
#    Run as root, loopback only.  Cluster as user postgres in
#    /tmp/gf_bench_collector (port 55439); goflow2plus on UDP 52095, nfcapd
#    on UDP 52096.
#
#    Settings (environment):
#      BENCH_RATES     datagrams/s to try, default "2000 5000 10000 20000 30000"
#                      (x 30 records: 60 k to 900 k flows/s)
#      BENCH_SECONDS   seconds of sending per rate, default 30 (PITFALLS:
#                      socket buffers hide loss in short runs); 3 or 5 make
#                      a smoke run
#      BENCH_RMEM_MAX  if set, net.core.rmem_max for the run (put back at
#                      the end); unset leaves it alone.  Both collectors ask
#                      for the same 32 MiB SO_RCVBUF and get the same grant.
#      BENCH_DECODE=0  skip the decode-only benchmarks
#      BENCH_KEEP=1    keep /tmp/gf_bench_collector (logs) at the end
#      BENCH_TREE=work  build the working tree instead of HEAD (see below)
#      GF_SKIP_INSTALL=1  use the goflow2plus installed in /usr instead
#      GF_DESTDIR=/path   use a "make install DESTDIR=/path" tree instead
#
#    By default the script builds the committed HEAD in a private copy
#    ($DIR/src, from git archive) and installs it into $DIR/destdir, which
#    the cluster reads through Debian's extension_destdir: the figures then
#    belong to one commit (printed), /usr is not touched, and no object file
#    left by an earlier build of a changed header can slip in.  The decode
#    benchmarks are built from the same copy.
#
#    Quick check:  BENCH_SECONDS=3 BENCH_RATES=1000 test/bench/bench_collector.sh
#
#    Context mode (BENCH_CONTEXT=1): instead of nfcapd, the peer is
#    goflow2plus itself with enrichment off.  For each rate it runs with
#    goflow2plus.networks empty, then loads BENCH_CTX_N4 IPv4 + BENCH_CTX_N6
#    IPv6 prefixes (default 1 M + 200 k, from ctx_networks.c), waits for
#    goflow2plus.context_wait(), runs again, and empties the table; both
#    runs send the same records, whose addresses lie inside the IPv4
#    prefixes (udp_blast -a; BENCH_CTX_ADDRS distinct ones, default one
#    per IPv4 prefix: traffic spread over the whole table, the worst case
#    for the caches; 10000 models traffic concentrated on few networks).
#    It prints stored flows/s and worker CPU per
#    flow of both and their ratios (on / off), the share of enriched rows,
#    load and rebuild times, the snapshot's size and the worker's memory.
#    Default rates there: "10000 30000" (300 k flows/s, below the limit:
#    CPU per flow; 900 k flows/s, above it: throughput).
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
DIR=/tmp/gf_bench_collector
PORT=55439
GF_UDP=52095
NF_UDP=52096
PGBIN=$(pg_config --bindir)
CONTEXT=${BENCH_CONTEXT:-0}
if [ "$CONTEXT" = 1 ]; then
	RATES=${BENCH_RATES:-"10000 30000"}
else
	RATES=${BENCH_RATES:-"2000 5000 10000 20000 30000"}
fi
CTX_N4=${BENCH_CTX_N4:-1000000}
CTX_N6=${BENCH_CTX_N6:-200000}
CTX_ADDRS=${BENCH_CTX_ADDRS:-$CTX_N4}	# distinct addresses the records cycle through
BLAST_OPTS=()					# udp_blast options (context mode: -a ADDRS)
SECS=${BENCH_SECONDS:-30}
RCVBUF_REQ=33554432				# goflow2plus.rcvbuf default (32MB), asked of nfcapd too
DRAIN_MAX=180					# seconds to wait for a collector to finish after the sender

if [ "$(id -u)" != 0 ]; then
	echo "run as root (the cluster runs as user postgres)" >&2
	exit 2
fi

. "$REPO/test/lib/cluster.sh"
# as_pg q counter now load1 rcvbuf_errors sock_info port_busy cpu_ticks
# cpu_secs pct_loss per_s s_per_m bench_build_sources bench_rmem_*
. "$REPO/test/bench/lib/bench_lib.sh"

# ---- cleanup: only what this script started or changed ----------------------

NFCAPD_PID=
BLAST_PID=
cleanup() {
	if [ -n "$BLAST_PID" ]; then kill "$BLAST_PID" 2>/dev/null; wait "$BLAST_PID" 2>/dev/null; fi
	if [ -n "$NFCAPD_PID" ]; then kill "$NFCAPD_PID" 2>/dev/null; wait "$NFCAPD_PID" 2>/dev/null; fi
	if [ -f "$DIR/data/postmaster.pid" ]; then
		as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1
	fi
	bench_rmem_restore
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "kept $DIR"
	else
		rm -rf "$DIR"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- preconditions -------------------------------------------------------------

for p in $GF_UDP $NF_UDP; do
	if port_busy "$p"; then
		echo "UDP port $p is in use; is another bench_collector.sh running?" >&2
		trap - EXIT
		exit 1
	fi
done
have_peer=1
if [ "$CONTEXT" = 1 ]; then
	have_peer=0					# the peer is goflow2plus without context
elif ! command -v nfcapd >/dev/null || ! command -v nfdump >/dev/null; then
	echo "nfcapd/nfdump not installed: the peer columns stay empty" >&2
	have_peer=0
fi

if [ -f "$DIR/data/postmaster.pid" ]; then
	as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1
fi
rm -rf "$DIR"
mkdir -p "$DIR/bin" "$DIR/nf" "$DIR/src"
chown postgres: "$DIR"

# A private copy of the sources: HEAD, or the working tree (BENCH_TREE=work).
bench_build_sources "$REPO" || exit 1

cc -std=gnu11 -O2 -Wall -Werror -o "$DIR/bin/udp_blast" "$REPO/test/bench/udp_blast.c" || {
	echo "udp_blast.c does not build" >&2; exit 1; }
if [ "$CONTEXT" = 1 ]; then
	cc -std=gnu11 -O2 -Wall -Werror -o "$DIR/bin/ctx_networks" "$REPO/test/bench/ctx_networks.c" || {
		echo "ctx_networks.c does not build" >&2; exit 1; }
	mkdir -p "$DIR/ctx"
	"$DIR/bin/ctx_networks" "$CTX_N4" "$CTX_N6" "$DIR/ctx/networks.tsv" "$DIR/ctx/addrs.txt" "$CTX_ADDRS" >"$DIR/ctx/gen.out" || exit 1
	chmod -R a+rX "$DIR/ctx"
	BLAST_OPTS=(-a "$DIR/ctx/addrs.txt")
fi

bench_rmem_set "${BENCH_RMEM_MAX:-}" || exit 1

# ---- the cluster ------------------------------------------------------------------

gf_cluster_start "netflow://127.0.0.1:$GF_UDP" || exit 1
q "CREATE EXTENSION goflow2plus" >/dev/null || exit 1
ready=0
for ((i = 0; i < 300; i++)); do
	if [ "$(q "SELECT bool_and(ready) FROM goflow2plus.stats()" 2>/dev/null)" = t ]; then
		ready=1
		break
	fi
	sleep 0.1
done
[ $ready = 1 ] || { echo "the worker did not become ready in 30 s" >&2; tail -20 "$DIR/log" >&2; exit 1; }

echo "bench_collector: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -r), PostgreSQL $(q 'SHOW server_version')"
echo "goflow2plus: $SRC_ID"
echo "rates (datagrams/s): $RATES; $SECS s each; NetFlow v5, 30 records per 1464-byte datagram"
[ "$CONTEXT" = 1 ] && echo "context mode: $(cat "$DIR/ctx/gen.out"); records' addresses inside the IPv4 prefixes"
echo "net.core.rmem_max $(sysctl -n net.core.rmem_max); goflow2plus rcvbuf granted $(counter rcvbuf_bytes) bytes; nfcapd -B $RCVBUF_REQ"
echo "uptime at start: $(uptime)"
echo


# ---- one run -------------------------------------------------------------------
# Each run sets R_SENT R_STORED R_SOCKDROPS R_RCVBUFERR R_SECS R_LOAD R_CPU R_NOTE.

# Run the sender in the background (so cleanup can end it) and wait for it.
blast() {
	"$DIR/bin/udp_blast" "${BLAST_OPTS[@]}" "$1" "$2" "$SECS" >"$DIR/blast.out" 2>&1 &
	BLAST_PID=$!
	wait "$BLAST_PID"
	BLAST_PID=
	R_SENT=$(sed -n 's/^sent [0-9]* datagrams, \([0-9]*\) records.*/\1/p' "$DIR/blast.out")
	[ -n "$R_SENT" ] || { echo "udp_blast failed:" >&2; cat "$DIR/blast.out" >&2; exit 1; }
}

run_goflow2plus() {
	local rate=$1 drops0 kdrops0 rows0 err0 snmp0 t0 t_last last stable r rxq drops wpid cpu0
	q "TRUNCATE goflow2plus.flows" >/dev/null
	sleep 1
	R_LOAD=$(load1)
	wpid=$(q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'goflow2plus worker' LIMIT 1")
	cpu0=$(cpu_ticks "$wpid")
	read -r _ drops0 <<<"$(sock_info "$GF_UDP")"
	kdrops0=$(counter kernel_drops)
	rows0=$(counter rows_inserted)
	err0=$(counter flush_errors)
	snmp0=$(rcvbuf_errors)
	t0=$(now)
	blast "$GF_UDP" "$rate"
	# Done when rows_inserted has not moved for 2 s and the socket is empty.
	last=-1
	t_last=$(now)
	stable=0
	for ((i = 0; i < DRAIN_MAX * 2; i++)); do
		r=$(counter rows_inserted)
		read -r rxq _ <<<"$(sock_info "$GF_UDP")"
		if [ "$r" != "$last" ]; then
			[ "$last" = -1 ] || t_last=$(now)
			last=$r
			stable=0
		else
			stable=$((stable + 1))
		fi
		[ $stable -ge 4 ] && { [ "$rxq" = 0 ] || [ "$rxq" = - ]; } && break
		sleep 0.5
	done
	R_CPU=$(cpu_secs "$wpid" "$cpu0")
	read -r _ drops <<<"$(sock_info "$GF_UDP")"
	R_STORED=$(q "SELECT count(*) FROM goflow2plus.flows")
	R_KDROPS=$(($(counter kernel_drops) - kdrops0))
	if [ "$drops" = - ] || [ "$drops0" = - ]; then
		R_SOCKDROPS=$R_KDROPS
	else
		R_SOCKDROPS=$((drops - drops0))
	fi
	R_RCVBUFERR=$(($(rcvbuf_errors) - snmp0))
	R_SECS=$(awk -v a="$t0" -v b="$t_last" 'BEGIN { printf "%.1f", b - a }')
	R_NOTE="stats() kernel_drops $R_KDROPS"
	[ "$R_STORED" = "$((r - rows0))" ] || R_NOTE="rows_inserted says $((r - rows0))"
	[ "$(counter flush_errors)" = "$err0" ] || R_NOTE="$R_NOTE flush errors!"
}

run_nfcapd() {
	local rate=$1 out=$DIR/nf/$1 drops0 snmp0 t0 t_last c last_c stable rxq drops f n cpu0
	mkdir -p "$out"
	: >"$DIR/nfcapd.$rate.log"
	nfcapd -w "$out" -p "$NF_UDP" -b 127.0.0.1 -t 3600 -B "$RCVBUF_REQ" >"$DIR/nfcapd.$rate.log" 2>&1 &
	NFCAPD_PID=$!
	for ((i = 0; i < 100; i++)); do
		grep -q 'Startup' "$DIR/nfcapd.$rate.log" && port_busy "$NF_UDP" && break
		sleep 0.1
	done
	sleep 1
	R_LOAD=$(load1)
	read -r _ drops0 <<<"$(sock_info "$NF_UDP")"
	snmp0=$(rcvbuf_errors)
	cpu0=$(cpu_ticks "$NFCAPD_PID")
	t0=$(now)
	blast "$NF_UDP" "$rate"
	# nfcapd shows nothing until its file is closed: done when its socket
	# is empty and it has used no CPU (beyond one tick) for 2 s.
	last_c=$(cpu_ticks "$NFCAPD_PID")
	t_last=$(now)
	stable=0
	for ((i = 0; i < DRAIN_MAX * 2; i++)); do
		sleep 0.5
		c=$(cpu_ticks "$NFCAPD_PID")
		read -r rxq drops <<<"$(sock_info "$NF_UDP")"
		if { [ "$rxq" != 0 ] && [ "$rxq" != - ]; } || [ $((c - last_c)) -gt 1 ]; then
			t_last=$(now)
			stable=0
		else
			stable=$((stable + 1))
		fi
		last_c=$c
		[ $stable -ge 4 ] && break
	done
	if [ "$drops" = - ] || [ "$drops0" = - ]; then R_SOCKDROPS=0; else R_SOCKDROPS=$((drops - drops0)); fi
	R_RCVBUFERR=$(($(rcvbuf_errors) - snmp0))
	R_SECS=$(awk -v a="$t0" -v b="$t_last" 'BEGIN { printf "%.1f", b - a }')
	R_CPU=$(cpu_secs "$NFCAPD_PID" "$cpu0")
	kill -TERM "$NFCAPD_PID"
	wait "$NFCAPD_PID"
	NFCAPD_PID=
	# Summed over files: a run that crosses the hour boundary rotates once.
	R_STORED=0
	for f in "$out"/nfcapd.*; do
		[ -f "$f" ] || continue
		n=$(nfdump -r "$f" -I | sed -n 's/^Flows: \([0-9]*\)$/\1/p')
		R_STORED=$((R_STORED + ${n:-0}))
	done
	R_NOTE=
	rm -rf "$out"
}


# One line per run.  sock_drops is the drops column of /proc/net/udp for
# the collector's own socket (the kernel's live sk_drops).  goflow2plus's
# stats() kernel_drops is the same sk_drops, read with SO_MEMINFO when the
# worker publishes its counters (before 2026-12-01 it came from
# SO_RXQ_OVFL and could read lower at the end of a flood).
# RcvbufErrors is system-wide, so other jobs on the machine add to it.
# cpu = CPU seconds of the collector process over the run (goflow2plus:
# the worker only, not the postmaster or the kernel's softirq work).
# "unaccounted" = sent - stored - 30 x sock_drops: records lost somewhere
# other than the socket buffer (should be 0).  rows/s = stored / time from
# the sender's start to the last growth seen.
report() {
	printf '%-6s %-11s sent %9s stored %9s loss %6s%% sock_drops %7s unaccounted %6s RcvbufErrors +%-7s %7s rows/s over %5ss cpu %5ss load %s %s\n' \
		"$2" "$1" "$R_SENT" "$R_STORED" "$(pct_loss "$R_SENT" "$R_STORED")" "$R_SOCKDROPS" \
		"$((R_SENT - R_STORED - 30 * R_SOCKDROPS))" "$R_RCVBUFERR" \
		"$(per_s "$R_STORED" "$R_SECS")" "$R_SECS" "$R_CPU" "$R_LOAD" "$R_NOTE"
}

# ---- context mode ------------------------------------------------------------------
# Enrichment off (networks empty) against on (the generated table), per
# rate, one right after the other so that both see the machine alike.

# The worker's memory, "VmRSS RssAnon RssShmem" in MB.
mem_mb() { awk '/^(VmRSS|RssAnon|RssShmem):/ { printf "%.0f ", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }

# Load the networks (COPY from the generated file) and wait until the
# workers can use them; sets L_LOAD L_WAIT (seconds) L_BUILD_MS L_BYTES.
ctx_load() {
	local t0 t1 t2
	t0=$(now)
	q "\\copy goflow2plus.networks (cidr, name, context) FROM '$DIR/ctx/networks.tsv'" >/dev/null || exit 1
	t1=$(now)
	[ "$(q "SELECT goflow2plus.context_wait(600000)")" = t ] || {
		echo "context_wait timed out: $(q "SELECT * FROM goflow2plus.context_status()")" >&2; exit 1; }
	t2=$(now)
	L_LOAD=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	L_WAIT=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.1f", b - a }')
	read -r L_BUILD_MS L_BYTES <<<"$(q "SELECT round(build_ms), bytes FROM goflow2plus.context_status()" | tr '|' ' ')"
}

ctx_empty() {
	q "TRUNCATE goflow2plus.networks" >/dev/null
	[ "$(q "SELECT goflow2plus.context_wait(600000)")" = t ] || exit 1
}

if [ "$CONTEXT" = 1 ]; then
	CROWS=()
	ctx_empty
	for rate in $RATES; do
		run_goflow2plus "$rate"
		off="$R_SENT $R_STORED $(per_s "$R_STORED" "$R_SECS") $R_CPU"
		report ctx-off "$rate"
		ctx_load
		echo "$rate   load: COPY of $(q "SELECT count(*) FROM goflow2plus.networks") networks ${L_LOAD} s (load $(load1)); context_wait ${L_WAIT} s (build_ms $L_BUILD_MS); snapshot $L_BYTES bytes"
		run_goflow2plus "$rate"
		on="$R_SENT $R_STORED $(per_s "$R_STORED" "$R_SECS") $R_CPU"
		report ctx-on "$rate"
		wpid=$(q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'goflow2plus worker' LIMIT 1")
		enriched=$(q "SELECT round(100.0 * count(*) FILTER (WHERE src_group IS NOT NULL AND dst_group IS NOT NULL) / greatest(count(*), 1), 2) FROM goflow2plus.flows")
		echo "$rate   enriched rows (src_group and dst_group set) $enriched %; worker MB (VmRSS RssAnon RssShmem) $(mem_mb "$wpid")"
		if [ -z "${ctx_checked:-}" ]; then
			# An oracle for the values, once: SQL's own longest-prefix match
			# (GiST index on cidr) for 500 stored rows, both ends.
			ctx_checked=1
			q "CREATE INDEX IF NOT EXISTS bench_networks_cidr ON goflow2plus.networks USING gist (cidr inet_ops)" >/dev/null
			echo "$rate   oracle: $(q "SELECT count(*) FILTER (WHERE ok) || ' of ' || count(*) FROM (
				SELECT src_group IS NOT DISTINCT FROM (SELECT name FROM goflow2plus.networks n WHERE n.cidr >>= f.src_addr ORDER BY masklen(n.cidr) DESC LIMIT 1)
				   AND dst_group IS NOT DISTINCT FROM (SELECT name FROM goflow2plus.networks n WHERE n.cidr >>= f.dst_addr ORDER BY masklen(n.cidr) DESC LIMIT 1)
				   AND dst_context IS NOT DISTINCT FROM (SELECT context FROM goflow2plus.networks n WHERE n.cidr >>= f.dst_addr ORDER BY masklen(n.cidr) DESC LIMIT 1) AS ok
				FROM (SELECT * FROM goflow2plus.flows TABLESAMPLE SYSTEM (1) LIMIT 500) f) s") sampled rows match SQL's longest-prefix match (groups and context)"
			q "DROP INDEX goflow2plus.bench_networks_cidr" >/dev/null
		fi
		ctx_empty
		CROWS+=("$rate $off $on $enriched")
	done
	echo
	echo "uptime at end: $(uptime)"
	echo
	s_per_m() { awk -v c="$1" -v n="$2" 'BEGIN { if (n == 0) print "-"; else printf "%.2f", c * 1e6 / n }'; }
	echo "| datagrams/s | flows/s offered | off: stored | loss | rows/s | cpu s/M | on: stored | loss | rows/s | cpu s/M | enriched | rows/s on/off | cpu per flow on/off |"
	echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	for row in "${CROWS[@]}"; do
		read -r rate f_sent f_stored f_rps f_cpu n_sent n_stored n_rps n_cpu enriched <<<"$row"
		echo "| $rate | $((rate * 30)) | $f_stored | $(pct_loss "$f_sent" "$f_stored") % | $f_rps | $(s_per_m "$f_cpu" "$f_stored") | $n_stored | $(pct_loss "$n_sent" "$n_stored") % | $n_rps | $(s_per_m "$n_cpu" "$n_stored") | $enriched % | $(awk -v a="$n_rps" -v b="$f_rps" 'BEGIN { printf "%.3f", b ? a / b : 0 }') | $(awk -v a="$n_cpu" -v an="$n_stored" -v b="$f_cpu" -v bn="$f_stored" 'BEGIN { if (an && bn && b > 0) printf "%.3f", (a / an) / (b / bn); else print "-" }') |"
	done
else
	# ---- the runs: goflow2plus against nfcapd -------------------------------------

	ROWS=()
	for rate in $RATES; do
		run_goflow2plus "$rate"
		g_sent=$R_SENT g_stored=$R_STORED g_cpu=$R_CPU
		report goflow2plus "$rate"
		n_sent=- n_stored=- n_cpu=-
		if [ $have_peer = 1 ]; then
			run_nfcapd "$rate"
			n_sent=$R_SENT n_stored=$R_STORED n_cpu=$R_CPU
			report nfcapd "$rate"
		fi
		ROWS+=("$rate $g_sent $g_stored $g_cpu $n_sent $n_stored $n_cpu")
	done

	echo
	echo "uptime at end: $(uptime)"
	echo
	# cpu: CPU seconds of the collector process per million records stored.
	echo "| datagrams/s | flows/s offered | goflow2plus sent | stored | loss | cpu s/M | nfcapd sent | stored | loss | cpu s/M | stored ratio goflow2plus/nfcapd |"
	echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	for row in "${ROWS[@]}"; do
		read -r rate g_sent g_stored g_cpu n_sent n_stored n_cpu <<<"$row"
		if [ "$n_sent" = - ]; then
			n_loss=- ratio=-
		else
			n_loss="$(pct_loss "$n_sent" "$n_stored") %"
			# The sender paces by the clock, so both runs offer the same count
			# to within a burst or two; the sent columns show it.
			ratio=$(awk -v gk="$g_stored" -v nk="$n_stored" \
				'BEGIN { if (nk == 0) print "-"; else printf "%.3f", gk / nk }')
		fi
		echo "| $rate | $((rate * 30)) | $g_sent | $g_stored | $(pct_loss "$g_sent" "$g_stored") % | $(s_per_m "$g_cpu" "$g_stored") | $n_sent | $n_stored | $n_loss | $(s_per_m "$n_cpu" "$n_stored") | $ratio |"
	done
fi

# ---- decode only ---------------------------------------------------------------------

if [ "${BENCH_DECODE:-1}" != 0 ]; then
	as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1
	echo
	echo "decode only, one core, no database (cluster stopped; load $(load1)):"
	if [ "$SECS" -lt 10 ]; then dec_m=1 sf_s=1; else dec_m=2 sf_s=5; fi
	gen_ok=1
	cd "$DIR/src" || exit 1
	[ -f src/gen/flow.pb-c.c ] || make src/gen/flow.pb-c.c >/dev/null 2>&1 || gen_ok=0
	if [ -f test/bench/bench_decode.c ]; then
		if [ $gen_ok = 1 ] && cc -std=gnu11 -O2 -Isrc/core/include -Isrc/core -Isrc/gen -o "$DIR/bin/bench_decode" \
			test/bench/bench_decode.c src/core/[a-z]*.c src/gen/flow.pb-c.c -lprotobuf-c -lyaml -lmaxminddb 2>"$DIR/bench_decode.build"; then
			"$DIR/bin/bench_decode" "$dec_m" | grep -v '^tmpl'
		else
			echo "bench_decode.c does not build:"; head -5 "$DIR/bench_decode.build"
		fi
	fi
	if [ -f test/bench/bench_sflow.c ]; then
		if [ $gen_ok = 1 ] && cc -std=gnu11 -O2 -Isrc/core/include -Isrc/core -Isrc/gen -Itest/unit -o "$DIR/bin/bench_sflow" \
			test/bench/bench_sflow.c src/core/[a-z]*.c src/gen/flow.pb-c.c -lprotobuf-c -lyaml -lmaxminddb 2>"$DIR/bench_sflow.build"; then
			echo "sflow  $("$DIR/bin/bench_sflow" "$sf_s" | tr '\n' ' ')"
		else
			echo "bench_sflow.c does not build:"; head -5 "$DIR/bench_sflow.build"
		fi
	fi
fi
exit 0
