#!/bin/bash
# flood.sh
#    Hostile traffic against a live cluster (loopback only): a timed flood
#    of random, truncated and malformed NetFlow/IPFIX/sFlow datagrams and of
#    mutations of the shared captures (test/tools/hostile_flood.py says
#    which shapes), from thousands of source addresses in 127.0.0.0/8,
#    interleaved with known good NetFlow v9 and IPFIX flows from 127.0.0.1.
#
#    Pass: the postmaster never restarts (pg_postmaster_start_time() and the
#    server log), no worker restarts, every good flow lands exactly once
#    with the values sent, worker RSS stays under FLOOD_RSS_MB, and the
#    refusals are counted in goflow2plus.stats().  Counters the core does
#    not have (yet) are reported as skipped, not failed.
#
#    Run as root.  GF_DESTDIR / GF_SKIP_INSTALL as in test/lib/cluster.sh.
#    FLOOD_SECONDS (default 40), FLOOD_RATE (hostile datagrams/s, 2500),
#    FLOOD_RSS_MB (300), FLOOD_SEED (random per run, printed),
#    FLOOD_CLASSES / FLOOD_EXCLUDE (comma lists of shapes, see
#    hostile_flood.py --list-classes), GF_CAPTURES (the capture folder;
#    default ../shared/testdata/captures beside the repository; when absent
#    the capture mutations are skipped and the synthetic shapes still run).
#    Prints "N passed, M failed" and exits non-zero on any failure.
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
PY=/usr/bin/python3
GEN="$REPO/test/tools/hostile_flood.py"
SECONDS_FLOOD=${FLOOD_SECONDS:-40}
RATE=${FLOOD_RATE:-2500}
RSS_MB=${FLOOD_RSS_MB:-300}
SEED=${FLOOD_SEED:-$((RANDOM * 32768 + RANDOM))}
CAPTURES=${GF_CAPTURES:-$REPO/../shared/testdata/captures}
GOOD_V9=2000
GOOD_IPFIX=1000
LATE=200

. "$REPO/test/lib/tap.sh"

tap_require_root

DIR=$(mktemp -d /tmp/gf_flood.XXXXXX)
# The server's port only names its Unix socket inside $DIR.
PORT=$((50000 + RANDOM % 10000))
# A UDP port nobody holds right now on 127.0.0.1.
UDP_PORT=$("$PY" -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PGBIN=$(pg_config --bindir)

. "$REPO/test/lib/cluster.sh"
q() { gf_as_pg "$PGBIN/psql" -h "$DIR" -p "$PORT" -d postgres -XAtq -v ON_ERROR_STOP=1 -c "$1"; }

sampler_pid=
cleanup() {
	[ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null
	gf_cluster_stop
	rm -rf "$DIR"
}
trap cleanup EXIT

# wait_for SECS SQL: until SQL says 't' or SECS of wall-clock time passed
# (queries slow down under the flood, so a count of tries would not do).
wait_for() {
	local deadline=$(($(date +%s) + $1)) sql=$2
	while [ "$(date +%s)" -lt "$deadline" ]; do
		[ "$(q "$sql" 2>/dev/null)" = "t" ] && return 0
		sleep 0.2
	done
	return 1
}

# counter NAME: its sum over the workers, or "none" when stats() has no such counter.
counter() {
	q "SELECT CASE WHEN count(*) = 0 THEN 'none' ELSE sum(value)::text END FROM goflow2plus.stats() WHERE counter = '$1'"
}

t_start=$(date +%s)
gf_install "$REPO" "$DIR/build.log" || exit 1
gf_cluster_start "flow://127.0.0.1:${UDP_PORT}?count=2" "goflow2plus.flush_interval = '200ms'" || exit 1
q "CREATE EXTENSION goflow2plus" >/dev/null
check "two workers ready within 30 s" \
	wait_for 30 "SELECT count(DISTINCT worker) = 2 AND bool_and(ready) FROM goflow2plus.stats()"

start_time0=$(q "SELECT pg_postmaster_start_time()")
starts0=$(q "SELECT sum(value) FROM goflow2plus.stats() WHERE counter = 'worker_starts'")
q "SELECT counter, sum(value) FROM goflow2plus.stats() GROUP BY 1 ORDER BY 1" >"$DIR/counters0"
pids=$(q "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity WHERE backend_type = 'goflow2plus worker'")
echo "     workers: pids $pids, UDP port $UDP_PORT, seed $SEED"
check "two worker processes found" test "$(echo $pids | wc -w)" = 2

# Samples VmRSS and RssAnon (kB) of the workers every 0.2 s while it runs.
(
	while :; do
		for p in $pids; do
			awk -v p="$p" '/^VmRSS:/ {v = $2} /^RssAnon:/ {a = $2} END {if (v) print p, v, a}' \
				"/proc/$p/status" 2>/dev/null
		done
		sleep 0.2
	done
) >"$DIR/rss" &
sampler_pid=$!

cap_arg=()
if [ -d "$CAPTURES" ]; then
	cap_arg=(--captures "$CAPTURES")
else
	echo "skip - captures folder $CAPTURES missing: capture mutations not sent (synthetic shapes still are)"
fi
t0=$(date +%s.%N)
"$PY" "$GEN" --port "$UDP_PORT" --seconds "$SECONDS_FLOOD" --rate "$RATE" --seed "$SEED" \
	--good-v9 $GOOD_V9 --good-ipfix $GOOD_IPFIX --late $LATE \
	--classes "${FLOOD_CLASSES:-}" --exclude "${FLOOD_EXCLUDE:-}" \
	"${cap_arg[@]}" --report "$DIR/report.json"
gen_rc=$?
t1=$(date +%s.%N)
check "the generator ran (exit $gen_rc)" test "$gen_rc" = 0
good_n=$("$PY" -c 'import json,sys; g = json.load(open(sys.argv[1]))["good"]; print(g["v9_flows"] + g["ipfix_flows"])' "$DIR/report.json" 2>/dev/null || echo 0)
late_n=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["good"]["late_flows"])' "$DIR/report.json" 2>/dev/null || echo 0)
"$PY" - "$DIR/report.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
print("     flood: %.1f s, %d hostile datagrams (%.1f MB) from %d sources; %s"
      % (r["seconds"], r["hostile_datagrams"], r["hostile_bytes"] / 1e6, r["hostile_sources"], r["captures"]))
for name, c in sorted(r["classes"].items()):
    print("       %-22s %6d datagrams %8.1f kB%s" % (name, c["datagrams"], c["bytes"] / 1e3,
          ", %d send errors" % c["send_errors"] if c["send_errors"] else ""))
g = r["good"]
print("     good: %d v9 + %d IPFIX flows in %d datagrams from 127.0.0.1; late exporter 127.0.0.2: %d flows"
      % (g["v9_flows"], g["ipfix_flows"], g["datagrams"], g["late_flows"]))
EOF

# ---- the good flows ---------------------------------------------------------
# Rows from 127.0.0.1 carrying a marker destination; each must have the
# values the generator derives from its index (see hostile_flood.py).
good_sql="sampler_address = '127.0.0.1' AND (
	(type = 'NETFLOW_V9' AND dst_addr = '10.254.254.9' AND dst_port = 9 AND src_addr << '10.200.0.0/16')
	OR (type = 'IPFIX' AND dst_addr = '10.254.254.10' AND dst_port = 10 AND src_addr << '10.201.0.0/16'))"
exact_sql="bytes = 1000 + (src_addr - network(set_masklen(src_addr, 16)))
	AND packets = 1 + (bytes - 1000) % 1000 AND src_port = 1024 + (bytes - 1000) % 60000 AND proto = 17"
landed_wait_start=$(date +%s)
wait_for 30 "SELECT count(*) >= $good_n FROM goflow2plus.flows WHERE $good_sql"
landed_secs=$(($(date +%s) - landed_wait_start))
sleep 0.5
good_rows=$(q "SELECT count(*) FROM goflow2plus.flows WHERE $good_sql")
good_distinct=$(q "SELECT count(DISTINCT (type, src_addr)) FROM goflow2plus.flows WHERE $good_sql")
good_exact=$(q "SELECT count(*) FROM goflow2plus.flows WHERE $good_sql AND $exact_sql")
echo "     good flows: sent $good_n, stored $good_rows ($good_distinct distinct, $good_exact with the values sent), all in ${landed_secs} s after the flood"
check "every good flow landed ($good_rows of $good_n)" test "$good_rows" = "$good_n"
check "... each exactly once" test "$good_distinct" = "$good_n"
check "... with the values sent" test "$good_exact" = "$good_n"
late_rows=$(q "SELECT count(DISTINCT src_addr) FROM goflow2plus.flows WHERE sampler_address = '127.0.0.2' AND dst_addr = '10.254.254.11' AND type = 'NETFLOW_V9'")
# An exporter first seen mid-flood is not locked out by the spoofed
# sources' templates: least recently used templates make room for it.
check "the exporter first seen mid-flood (127.0.0.2) got its flows ($late_rows of $late_n)" \
	test "$late_rows" = "$late_n"

kill "$sampler_pid" 2>/dev/null
wait "$sampler_pid" 2>/dev/null
sampler_pid=
max_rss=$(awk 'BEGIN {m = 0} $2 > m {m = $2} END {print int(m / 1024)}' "$DIR/rss")
max_anon=$(awk 'BEGIN {m = 0} $3 > m {m = $3} END {print int(m / 1024)}' "$DIR/rss")
samples=$(wc -l <"$DIR/rss")
echo "     worker RSS: max VmRSS $max_rss MB (RssAnon $max_anon MB) over $samples samples"
check "worker RSS was sampled" test "$samples" -gt 10
check "worker VmRSS stayed under $RSS_MB MB (max $max_rss MB)" test "$max_rss" -lt "$RSS_MB"

# ---- the server and the workers survived ------------------------------------

check "the cluster is up" gf_as_pg "$PGBIN/pg_isready" -q -h "$DIR" -p "$PORT"
check "pg_postmaster_start_time() unchanged" test "$(q "SELECT pg_postmaster_start_time()")" = "$start_time0"
check "no process terminated by a signal" bash -c "! grep -q 'terminated by signal' '$DIR/log'"
check "no server process was terminated" bash -c "! grep -qE 'server process .* was terminated|all server processes terminated' '$DIR/log'"
check "no worker PANIC or FATAL" bash -c "! grep -qE 'goflow2plus worker (PANIC|FATAL):' '$DIR/log'"
check "no worker restarted (worker_starts $starts0)" \
	test "$(q "SELECT sum(value) FROM goflow2plus.stats() WHERE counter = 'worker_starts'")" = "$starts0"
check "both workers still ready" \
	test "$(q "SELECT count(DISTINCT worker) = 2 AND bool_and(ready) FROM goflow2plus.stats()")" = t

# ---- refusals are counted ---------------------------------------------------

q "SELECT counter, sum(value) FROM goflow2plus.stats() GROUP BY 1 ORDER BY 1" >"$DIR/counters1"
echo "     counters that moved (sum over workers, after - before):"
awk -F'|' 'NR == FNR {before[$1] = $2; next}
	$2 != before[$1] {printf "       %-28s %12d\n", $1, $2 - before[$1]}' "$DIR/counters0" "$DIR/counters1"

# sent_any CLASS...: the generator sent datagrams of at least one of them.
sent_any() {
	"$PY" -c 'import json, sys
c = json.load(open(sys.argv[1]))["classes"]
sys.exit(0 if any(c.get(n, {}).get("datagrams", 0) > 0 for n in sys.argv[2:]) else 1)' "$DIR/report.json" "$@"
}
# expect_up NAME CLASS...: the counter rose during the flood, if one of
# the shapes that must raise it was sent; skipped when stats() lacks it.
expect_up() {
	local name=$1 before after
	shift
	after=$(counter "$name")
	if [ "$after" = none ]; then
		echo "skip - counter $name is not in goflow2plus.stats() (yet)"
		return
	fi
	if ! sent_any "$@"; then
		echo "skip - $name: none of $* was sent"
		return
	fi
	before=$(awk -F'|' -v n="$name" '$1 == n {print $2}' "$DIR/counters0")
	check "$name counted refusals ($((after - ${before:-0})))" test "$after" -gt "${before:-0}"
}
expect_up packets_malformed random_versioned truncated v5_huge_count v9_bad_lengths \
	ipfix_bad_lengths endless_varlen sflow_huge_counts
expect_up packets_unknown_version random
expect_up nf_templates_rejected thousands_of_fields
expect_up nf_templates_withdrawn withdraw_storm
expect_up nf_sets_pending data_before_template pending_overflow
expect_up nf_sets_pending_overflow pending_overflow
expect_up sflow_limits_hit sflow_huge_counts
# Per exporter (goflow2plus.exporters(), published once a second, the
# most refused first): refused exporters are named, and the good exporter
# was refused nothing.
if sent_any thousands_of_fields pending_overflow template_churn; then
	check "exporters() names exporters that were refused state" \
		wait_for 5 "SELECT count(*) > 0 FROM goflow2plus.exporters() WHERE templates_refused + templates_evicted + pending_refused + pending_evicted + sampling_refused > 0"
fi
check "exporters(): the good exporter 127.0.0.1 was refused nothing" \
	test "$(q "SELECT coalesce(sum(templates_refused + templates_evicted + sampling_refused + pending_refused + pending_evicted), 0) FROM goflow2plus.exporters() WHERE exporter = '127.0.0.1'")" = 0
# (Holdings and refusals are the address's: one line per address.)
q "SELECT * FROM (SELECT DISTINCT ON (exporter) exporter, templates, templates_refused, pending_refused, pending_evicted, sampling_refused, exporters_held FROM goflow2plus.exporters() ORDER BY exporter) e ORDER BY templates_refused + pending_refused + pending_evicted + sampling_refused DESC LIMIT 5" | sed 's/^/     exporters(): /'
# /proc/net/udp's last column counts datagrams the kernel dropped per socket.
udp_drops=$(awk -v port="$(printf ':%04X' "$UDP_PORT")" \
	'$2 ~ port"$" {d += $NF} END {print d + 0}' /proc/net/udp)
echo "     kernel drops on the collector's sockets (/proc/net/udp): $udp_drops; kernel_drops counter: $(counter kernel_drops)"

t_end=$(date +%s)
echo "     runtime: $((t_end - t_start)) s (generator $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", b - a}') s)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
