#!/bin/bash
# bench_partitions.sh
#    Rows/s of the table writer into goflow2plus.flows as a plain heap (the
#    table before partitioning) and partitioned as installed, with and
#    without the BRIN index and the rollups, through the internal hook
#    goflow2plus._write_decoded (the same GfWriter a worker uses; batches of
#    5000, one transaction per statement).  No UDP: the insert path alone.
#    Each case runs once (BENCH_RUNS to repeat) on a scratch cluster with
#    no listener (and so no maintenance worker: partitions are made by
#    calling goflow2plus._partitions_create()).
#
#    Run as root.  BENCH_ROWS (default 1000000).  GF_DESTDIR as in
#    test/lib/cluster.sh.  Prints one line per case.
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib/tap.sh"
tap_require_root
ROWS=${BENCH_ROWS:-1000000}
RUNS=${BENCH_RUNS:-1}
DIR=$(mktemp -d /tmp/gf_bench_part.XXXXXX)
PORT=$((50000 + RANDOM % 10000))
. "$REPO/test/lib/cluster.sh"
trap 'gf_cluster_stop; rm -rf "$DIR"' EXIT
gf_install "$REPO" "$DIR/install.log" || exit 1
gf_cluster_start "" || exit 1
q() { gf_q "$1"; }
q "CREATE EXTENSION goflow2plus" >/dev/null
q "SELECT goflow2plus._partitions_create()" >/dev/null
PKT=$(sed -n "s/^\\\\set nf5_two '\\\\\\\\\\(x[0-9a-f]*\\)'$/\\\\\\1/p" "$REPO/test/regress/fixtures/packets.sql")
[ -n "$PKT" ] || { echo "no nf5_two fixture" >&2; exit 1; }

# run LABEL: rows/s of ROWS rows written by _write_decoded.
run() {
	local i secs
	for ((i = 0; i < RUNS; i++)); do
		q "TRUNCATE goflow2plus.flows, goflow2plus.flows_1m, goflow2plus.flows_5m, goflow2plus.flows_1h" >/dev/null
		secs=$(q "SELECT extract(epoch FROM clock_timestamp() - t0) FROM (SELECT clock_timestamp() AS t0) s,
		          LATERAL (SELECT goflow2plus._write_decoded('$PKT', '127.0.0.1', $ROWS / 2, 5000)) w")
		printf '%-58s %9.0f rows/s  (%s rows in %.2f s)\n' "$1" "$(echo "$ROWS / $secs" | bc -l)" "$ROWS" "$secs"
	done
}
rollups() {
	q "ALTER SYSTEM SET goflow2plus.rollups = $1" >/dev/null
	q "SELECT pg_reload_conf()" >/dev/null
	sleep 0.5
}

echo "# $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $ROWS rows of NetFlow v5 (2 keys per batch)"
rollups off
run "partitioned + BRIN, rollups off"
rollups on
run "partitioned + BRIN + rollups (as installed)"
rollups off
q "DROP INDEX goflow2plus.flows_time_received_brin" >/dev/null
run "partitioned, no index, rollups off"
# The table as it was before partitioning: one plain unlogged heap.
q "ALTER TABLE goflow2plus.flows RENAME TO flows_parted;
   CREATE UNLOGGED TABLE goflow2plus.flows (LIKE goflow2plus.flows_parted)" >/dev/null
run "plain heap (before partitioning), rollups off"
