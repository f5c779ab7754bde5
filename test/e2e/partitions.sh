#!/bin/bash
# partitions.sh
#    Storage that lasts, on a live cluster (loopback only): goflow2plus.flows
#    partitioned by time_received with 10 s partitions, the maintenance
#    worker creating them ahead and dropping an expired one while NetFlow v5
#    traffic flows (no kernel or spool drops), every row in the partition
#    whose range holds its time_received (a batch split across a boundary),
#    a user index and trigger on the parent still working, the default
#    partition counted, and the rollup tables' sums equal to the raw rows'.
#    Also: stats() kernel_drops equals the socket's own drop count.
#
#    Oracles: the records udp_blast says it sent, SQL recounts of the raw
#    rows against the partition bounds from pg_catalog, /proc/net/udp's
#    drop column.
#
#    Run as root.  GF_DESTDIR / GF_SKIP_INSTALL as in test/lib/cluster.sh.
#    PART_RATE: datagrams/s of the 12 s load (default 1500, 45 k records/s).
#    Prints "N passed, M failed" and exits non-zero on any failure.
set -u
T0=$(date +%s)

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib/tap.sh"
tap_require_root

DIR=$(mktemp -d /tmp/gf_partitions.XXXXXX)
PORT=$((50000 + RANDOM % 10000))
UDP_PORT=$(free_port udp)
. "$REPO/test/lib/cluster.sh"
q() { gf_q "$1"; }

cleanup() {
	gf_cluster_stop
	rm -rf "$DIR"
}
trap cleanup EXIT

cc -std=gnu11 -O2 -Wall -Werror -o "$DIR/udp_blast" "$REPO/test/bench/udp_blast.c" || {
	echo "udp_blast.c does not build" >&2; exit 1; }
chmod 755 "$DIR"
gf_install "$REPO" "$DIR/install.log" || exit 1

# blast RATE SECS: NetFlow v5 datagrams (30 records) at RATE/s; prints records sent.
blast() {
	"$DIR/udp_blast" "$UDP_PORT" "$1" "$2" 2>/dev/null | grep -oE '[0-9]+ records' | grep -oE '[0-9]+'
}
# The socket's drop count as the kernel keeps it (last column of /proc/net/udp).
udp_drops() {
	awk -v p="$(printf '%04X' "$UDP_PORT")" '$2 ~ ":"p"$" {print $NF}' /proc/net/udp | head -1
}

gf_cluster_start "netflow://127.0.0.1:$UDP_PORT" "
goflow2plus.partition_width = '10s'
goflow2plus.partition_ahead = 3
goflow2plus.retention = 0
goflow2plus.maintenance_interval = '1s'
goflow2plus.batch_size = 100000
goflow2plus.flush_interval = '1s'
log_min_messages = log" || exit 1
q "CREATE EXTENSION goflow2plus" >/dev/null
gf_wait_for 20 "SELECT bool_and(ready) FROM goflow2plus.stats()" || fail "worker ready"

# 1. Partitions made ahead by the maintenance worker.
check "partitions cover now + 25 s (3 ahead of 10 s)" \
	gf_wait_for 10 "SELECT bool_or(range_start <= now() + interval '25 s' AND range_end > now() + interval '25 s') FROM goflow2plus.partitions()"
is "every partition is unlogged" \
	"$(q "SELECT count(*) FROM goflow2plus.partitions() p JOIN pg_class c ON c.oid = p.partition WHERE c.relpersistence <> 'u'")" 0
is "every partition has the BRIN index of the parent" \
	"$(q "SELECT count(*) FROM goflow2plus.partitions() p WHERE NOT EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam WHERE i.indrelid = p.partition AND a.amname = 'brin')")" 0

# An expired partition full of old rows, for the maintenance worker to drop
# under load (retention is off until then).
q "CREATE UNLOGGED TABLE goflow2plus.flows_p20200101_000000 (LIKE goflow2plus.flows);
   ALTER TABLE goflow2plus.flows ATTACH PARTITION goflow2plus.flows_p20200101_000000
     FOR VALUES FROM ('2020-01-01 00:00:00+00') TO ('2020-01-01 00:00:10+00');
   INSERT INTO goflow2plus.flows (type, time_received, bytes)
     SELECT 'NETFLOW_V5', '2020-01-01 00:00:00+00'::timestamptz + g * interval '1 us', g
       FROM generate_series(1, 200000) g" >/dev/null
is "old partition filled" "$(q "SELECT count(*) FROM goflow2plus.flows_p20200101_000000")" 200000

# A user index and a user table the index should serve.
q "CREATE INDEX flows_user_src ON goflow2plus.flows (src_addr)" >/dev/null

# 2. Traffic for 12 s at PART_RATE datagrams/s (45 k records/s), batches of up
# to 1 s: some batch spans a 10 s boundary.  Retention turned on after 4 s:
# the old partition is dropped while the traffic flows.
drops0=$(udp_drops)
retries0=$(gf_counter flush_retries)
blast "${PART_RATE:-1500}" 12 >"$DIR/sent1" &
bpid=$!
sleep 4
q "ALTER SYSTEM SET goflow2plus.retention = '1d'" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
wait $bpid
sent1=$(cat "$DIR/sent1")
gf_wait_for 10 "SELECT count(*) = $sent1 FROM goflow2plus.flows WHERE time_received > '2021-01-01'" ||
	fail "all $sent1 records stored (got $(q "SELECT count(*) FROM goflow2plus.flows WHERE time_received > '2021-01-01'"))"
is "records sent = rows stored" "$(q "SELECT count(*) FROM goflow2plus.flows WHERE time_received > '2021-01-01'")" "$sent1"
check "expired partition dropped under load" \
	gf_wait_for 10 "SELECT to_regclass('goflow2plus.flows_p20200101_000000') IS NULL"
grep -o 'dropped expired partition [^ ]* in [0-9.]* ms' "$DIR/log" | head -1 | sed 's/^/#   /'
is "no kernel drops (/proc/net/udp)" "$(( $(udp_drops) - drops0 ))" 0
is "no kernel drops (stats)" "$(gf_counter kernel_drops)" 0
is "no spool drops" "$(gf_counter spool_dropped)" 0
echo "#   flush retries during the run: $(( $(gf_counter flush_retries) - retries0 ))"

# 3. Rows in the right partition, a batch split across a boundary.
is "every row inside its partition's range" \
	"$(q "SELECT count(*) FROM goflow2plus.flows f JOIN goflow2plus.partitions() p ON p.partition = f.tableoid
	      WHERE NOT p.is_default AND NOT (f.time_received >= p.range_start AND f.time_received < p.range_end)")" 0
is "no row in the default partition" "$(q "SELECT count(*) FROM goflow2plus.flows_default")" 0
check "rows spread over several partitions" \
	test "$(q "SELECT count(DISTINCT tableoid) FROM goflow2plus.flows")" -ge 2
check "a batch was split across partitions (partition_split_batches >= 1)" \
	test "$(gf_counter partition_split_batches)" -ge 1

# BRIN ranges of the partitions filled so far were summarized by the
# maintenance worker (rounds every second): one call now finds nothing
# left to summarize in those that have closed.
sleep 3
is "BRIN ranges of closed partitions already summarized" \
	"$(q "SELECT sum(brin_summarize_new_values(i.indexrelid)) FROM goflow2plus.partitions() p
	      JOIN pg_index i ON i.indrelid = p.partition JOIN pg_class c ON c.oid = i.indexrelid
	      JOIN pg_am a ON a.oid = c.relam AND a.amname = 'brin'
	     WHERE NOT p.is_default AND p.range_end < now() - interval '2 s' AND p.range_start > '2021-01-01'")" 0

# 4. The user's index serves queries on every partition.
src=$(q "SELECT src_addr FROM goflow2plus.flows ORDER BY time_received DESC LIMIT 1")
is "user index: same count with and without it" \
	"$(q "SET enable_seqscan = off; SELECT count(*) FROM goflow2plus.flows WHERE src_addr = '$src'")" \
	"$(q "SET enable_indexscan = off; SET enable_bitmapscan = off; SELECT count(*) FROM goflow2plus.flows WHERE src_addr::text = '$src'::inet::text")"
check "partitions created since have the user's index" \
	gf_wait_for 15 "SELECT EXISTS (SELECT 1 FROM goflow2plus.partitions() p JOIN pg_index i ON i.indrelid = p.partition
	   JOIN pg_inherits h ON h.inhrelid = i.indexrelid JOIN pg_class c ON c.oid = h.inhparent
	   WHERE c.relname = 'flows_user_src' AND p.range_start > now() + interval '25 s')"
echo "#   plan of the last 5 minutes:"
q "EXPLAIN (COSTS OFF) SELECT count(*) FROM goflow2plus.flows WHERE time_received > now() - interval '5 minutes'" | sed 's/^/#     /' | head -12

# 5. Rollups: sums equal the raw rows', before and after merging.
raw="SELECT date_trunc('minute', time_received) AS m, sampler_address, in_if, out_if, src_as, dst_as, src_group, dst_group, proto, etype,
            sum(bytes * coalesce(nullif(sampling_rate, 0), 1)) AS b, sum(packets * coalesce(nullif(sampling_rate, 0), 1)) AS p, count(*) AS n
       FROM goflow2plus.flows WHERE time_received > '2021-01-01' GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10"
rolled="SELECT time_received, sampler_address, in_if, out_if, src_as, dst_as, src_group, dst_group, proto, etype,
            sum(bytes), sum(packets), sum(flows) FROM goflow2plus.flows_1m GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10"
diffq() { q "SELECT (SELECT count(*) FROM (($raw) EXCEPT ($rolled)) a) + (SELECT count(*) FROM (($rolled) EXCEPT ($raw)) b)"; }
is "flows_1m: per-minute sums per key equal the raw rows'" "$(diffq)" 0
tot="SELECT sum(bytes * coalesce(nullif(sampling_rate, 0), 1)) || '/' || sum(packets * coalesce(nullif(sampling_rate, 0), 1)) || '/' || count(*) FROM goflow2plus.flows WHERE time_received > '2021-01-01'"
want=$(q "$tot")
is "flows_5m totals" "$(q "SELECT sum(bytes) || '/' || sum(packets) || '/' || sum(flows) FROM goflow2plus.flows_5m")" "$want"
is "flows_1h totals" "$(q "SELECT sum(bytes) || '/' || sum(packets) || '/' || sum(flows) FROM goflow2plus.flows_1h")" "$want"
check "rollup rows counted in stats()" test "$(gf_counter rollup_rows_inserted)" -gt 0
echo "#   rollup rows before merging: $(q "SELECT count(*) FROM goflow2plus.flows_1m"), raw rows $sent1"
q "SELECT goflow2plus._rollups_maintain(now() + interval '3 hours')" >/dev/null
is "flows_1m after merging: sums equal" "$(diffq)" 0
is "flows_1m after merging: one row per key and minute" \
	"$(q "SELECT count(*) FROM (SELECT 1 FROM goflow2plus.flows_1m GROUP BY time_received, sampler_address, in_if, out_if, src_as, dst_as, src_group, dst_group, proto, etype HAVING count(*) > 1) x")" 0
is "flows_1h after merging: totals" "$(q "SELECT sum(bytes) || '/' || sum(packets) || '/' || sum(flows) FROM goflow2plus.flows_1h")" "$want"

# 5b. Rollups with and without the network groups (goflow2plus.rollup_groups):
# one network covering every IPv4 address, so every flow has a group.
q "INSERT INTO goflow2plus.networks (name, cidr) VALUES ('rg-all', '0.0.0.0/0')" >/dev/null
check "context with the catch-all network published" test "$(q "SELECT goflow2plus.context_wait(10000)")" = t
grouped() { q "SELECT coalesce(sum(flows), 0) FROM goflow2plus.flows_1m WHERE src_group = 'rg-all' AND dst_group = 'rg-all'"; }
ungrouped() { q "SELECT coalesce(sum(flows), 0) FROM goflow2plus.flows_1m WHERE src_group IS NULL AND dst_group IS NULL"; }
g0=$(grouped); u0=$(ungrouped); r0=$(q "SELECT count(*) FROM goflow2plus.flows")
sent_g=$(blast 20 1)
gf_wait_for 10 "SELECT count(*) - $r0 = $sent_g FROM goflow2plus.flows" || fail "rollup_groups on: rows stored"
gf_wait_for 10 "SELECT coalesce(sum(flows), 0) - $g0 = $sent_g FROM goflow2plus.flows_1m WHERE src_group = 'rg-all'" || true
is "rollup_groups auto with one network (on): the flows are rolled up under their groups" "$(( $(grouped) - g0 ))" "$sent_g"
is "rollup_groups auto with one network (on): none without a group" "$(( $(ungrouped) - u0 ))" 0
q "ALTER SYSTEM SET goflow2plus.rollup_groups = off" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
sleep 2
g1=$(grouped); u1=$(ungrouped); r1=$(q "SELECT count(*) FROM goflow2plus.flows")
sent_u=$(blast 20 1)
gf_wait_for 10 "SELECT count(*) - $r1 = $sent_u FROM goflow2plus.flows" || fail "rollup_groups off: rows stored"
gf_wait_for 10 "SELECT coalesce(sum(flows), 0) - $u1 = $sent_u FROM goflow2plus.flows_1m WHERE src_group IS NULL" || true
is "rollup_groups off: the flows are rolled up without groups" "$(( $(ungrouped) - u1 ))" "$sent_u"
is "rollup_groups off: none added under a group" "$(( $(grouped) - g1 ))" 0
is "rollup_groups off: the raw rows keep their group" \
	"$(q "SELECT count(*) FROM goflow2plus.flows WHERE src_group = 'rg-all'")" "$(( sent_g + sent_u ))"
# auto (the default): on with the one network above (checked first), off
# once the networks are more than 10 000.
q "ALTER SYSTEM RESET goflow2plus.rollup_groups" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
sleep 2
is "rollup_groups defaults to auto" "$(q "SHOW goflow2plus.rollup_groups")" auto
is "10 000 more networks" "$(q "WITH i AS (INSERT INTO goflow2plus.networks (name, cidr)
   SELECT 'rg-' || i, set_masklen('172.16.0.0'::inet + i * 256, 24)::cidr FROM generate_series(1, 10000) i
   RETURNING 1) SELECT count(*) FROM i")" 10000
check "context with 10 001 networks published" test "$(q "SELECT goflow2plus.context_wait(20000)")" = t
anygroup() { q "SELECT coalesce(sum(flows), 0) FROM goflow2plus.flows_1m WHERE src_group IS NOT NULL OR dst_group IS NOT NULL"; }
g2=$(anygroup); u2=$(ungrouped); r2=$(q "SELECT count(*) FROM goflow2plus.flows")
sent_a=$(blast 20 1)
gf_wait_for 10 "SELECT count(*) - $r2 = $sent_a FROM goflow2plus.flows" || fail "rollup_groups auto: rows stored"
gf_wait_for 10 "SELECT coalesce(sum(flows), 0) - $u2 = $sent_a FROM goflow2plus.flows_1m WHERE src_group IS NULL" || true
is "rollup_groups auto, 10 001 networks: rolled up without groups" "$(( $(ungrouped) - u2 ))" "$sent_a"
is "rollup_groups auto, 10 001 networks: none under a group" "$(( $(anygroup) - g2 ))" 0
is "rollup_groups auto, 10 001 networks: the raw rows keep their group" \
	"$(q "SELECT count(*) FROM goflow2plus.flows WHERE src_group IS NOT NULL")" "$(( sent_g + sent_u + sent_a ))"
q "DELETE FROM goflow2plus.networks WHERE name LIKE 'rg-%'" >/dev/null
q "SELECT goflow2plus.context_wait(10000)" >/dev/null

# 6. A user trigger on the parent: rows go through the executor's INSERT,
# which routes them; the trigger sees every row.
q "CREATE TABLE trig_count (n bigint);
   CREATE FUNCTION count_row() RETURNS trigger LANGUAGE plpgsql AS \$\$
   BEGIN INSERT INTO trig_count VALUES (1); RETURN NULL; END \$\$;
   CREATE TRIGGER user_trig AFTER INSERT ON goflow2plus.flows FOR EACH ROW EXECUTE FUNCTION count_row()" >/dev/null
before=$(q "SELECT count(*) FROM goflow2plus.flows")
sent2=$(blast 20 1)
gf_wait_for 10 "SELECT count(*) - $before = $sent2 FROM goflow2plus.flows" || fail "trigger phase: rows stored"
is "user trigger fired once per row" "$(q "SELECT count(*) FROM trig_count")" "$sent2"
q "DROP TRIGGER user_trig ON goflow2plus.flows" >/dev/null

# 7. The default partition: maintenance paused, the current and later
# partitions detached, so new rows have no partition but the default.
q "ALTER SYSTEM SET goflow2plus.maintenance_interval = 0" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
sleep 2
for p in $(q "SELECT partition FROM goflow2plus.partitions() WHERE NOT is_default AND range_end > now()"); do
	q "ALTER TABLE goflow2plus.flows DETACH PARTITION $p; DROP TABLE $p" >/dev/null
done
d0=$(gf_counter rows_default_partition)
sent3=$(blast 20 1)
gf_wait_for 10 "SELECT count(*) = $sent3 FROM goflow2plus.flows_default" || fail "rows in the default partition"
is "default partition rows counted (rows_default_partition)" "$(( $(gf_counter rows_default_partition) - d0 ))" "$sent3"
is "default partition holds them" "$(q "SELECT count(*) FROM goflow2plus.flows_default")" "$sent3"
q "ALTER SYSTEM SET goflow2plus.maintenance_interval = '1s'" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
check "partition made again takes the default's rows" \
	gf_wait_for 10 "SELECT count(*) = 0 FROM goflow2plus.flows_default"

# 8. kernel_drops is the socket's own count: the worker stopped (SIGSTOP)
# with a 64 kB receive buffer while 1 s of traffic arrives, so most of it
# is dropped after the last datagram the worker will read.
q "ALTER SYSTEM SET goflow2plus.rcvbuf = '64kB'" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
gf_wait_for 10 "SELECT sum(value) < 1000000 FROM goflow2plus.stats() WHERE counter = 'rcvbuf_bytes'" || fail "rcvbuf applied"
wpid=$(q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'goflow2plus worker'")
drops0=$(udp_drops); kd0=$(gf_counter kernel_drops)
kill -STOP "$wpid"
blast 400 1 >/dev/null
kill -CONT "$wpid"
sleep 1.5
dk=$(( $(udp_drops) - drops0 ))
check "datagrams were dropped while the worker was stopped ($dk)" test "$dk" -gt 0
is "kernel_drops (stats) = the socket's drops (/proc/net/udp)" "$(( $(gf_counter kernel_drops) - kd0 ))" "$dk"

check "no worker restart" test "$(gf_counter worker_starts)" -eq 1
check "no postmaster restart (no crash in the log)" bash -c "! grep -q 'terminated by signal\|server process .* exited with exit code' '$DIR/log'"
[ "$failed" = 0 ] || grep -E 'maintenance|ERROR|FATAL' "$DIR/log" | tail -15 | sed 's/^/#   log: /'
echo "#   took $(( $(date +%s) - T0 )) s"
tap_summary
