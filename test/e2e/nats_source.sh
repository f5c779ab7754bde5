#!/bin/bash
# nats_source.sh
#    The JetStream source (nats:// listen entries, src/pg/source_worker.c)
#    end to end, with a real nats-server -js on loopback started here:
#      - bad settings first: a source whose stream does not exist yet and
#        one whose server does not answer log clear WARNINGs, stay up (no
#        restart loop: same pid, worker_starts 1) and the first one starts
#        pulling by itself once the stream exists;
#      - edge cluster A receives NetFlow v5 over UDP and publishes "bin" to
#        the stream; central cluster B pulls it through
#        nats://...?stream=flows&consumer=pg: B's table equals A's on every
#        main column, times included (A's table, checked against what was
#        sent, is the oracle);
#      - enrichment: B's rows carry B's context (its networks table), not
#        A's;
#      - B's worker is terminated (pg_terminate_backend, a SIGTERM) while a
#        stream of flows goes through: it comes back, and every row of A
#        is in B (nothing acknowledged is lost; a message the old worker
#        was handed but never read may take the consumer's 30 s ack wait
#        to come back, and the check waits for it), with duplicates at
#        most one batch (batch_size + one message of nats_batch flows);
#      - the message counters add up (fetched = acked when all is done).
#
#    Run as root.  GF_DESTDIR=/path uses a "make install DESTDIR=/path"
#    tree; GF_SKIP_INSTALL=1 what is installed; else it runs make install.
#    Prints "N passed, N failed".  About 40 s.
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib/tap.sh"
tap_require_root
command -v nats-server >/dev/null || { echo "nats-server not installed (apt-get install nats-server)" >&2; exit 2; }

TOP=$(mktemp -d /tmp/gf_nats_source.XXXXXX)
chmod 755 "$TOP"
DIR_A=$TOP/a
DIR_B=$TOP/b
PORT_A=$(free_port tcp)
PORT_B=$(free_port tcp)
NF_PORT=$(free_port udp)
NATS_PORT=$(free_port tcp)
DEAD_PORT=$(free_port tcp)	# nobody listens there
PY=/usr/bin/python3
BATCH=2000					# B's goflow2plus.batch_size
NATS_BATCH=50				# A's goflow2plus.nats_batch

. "$REPO/test/lib/cluster.sh"
# cluster.sh works on $DIR and $PORT: point them at A or B.
on_a() { DIR=$DIR_A; PORT=$PORT_A; }
on_b() { DIR=$DIR_B; PORT=$PORT_B; }

NATS_PID=
cleanup() {
	on_a; gf_cluster_stop
	on_b; gf_cluster_stop
	if [ -n "$NATS_PID" ]; then kill "$NATS_PID" 2>/dev/null; wait "$NATS_PID" 2>/dev/null; fi
	[ "${GF_KEEP:-0}" = 1 ] && echo "# kept $TOP" || rm -rf "$TOP"
}
trap cleanup EXIT

# NetFlow v5: flow k has src 10.1.<k/256>.<k%256>, src_port 1024 + k %
# 30000, bytes 1500 + k, packets 3 + k: unique per k.  --seconds spreads
# the datagrams over that time.
cat >"$TOP/send.py" <<'EOF'
import socket, struct, time, argparse
ap = argparse.ArgumentParser()
ap.add_argument("port", type=int); ap.add_argument("n", type=int)
ap.add_argument("--start", type=int, default=0)
ap.add_argument("--seconds", type=float, default=0)
a = ap.parse_args()
def v5(k0, nrec, seq):
    hdr = struct.pack("!HHIIIIBBH", 5, nrec, 100000, int(time.time()), 0, seq, 0, 0, 0)
    recs = b""
    for k in range(k0, k0 + nrec):
        recs += struct.pack("!4s4s4sHHIIIIHHBBBBHHBBH",
            socket.inet_aton("10.1.%d.%d" % ((k >> 8) & 255, k & 255)),
            socket.inet_aton("10.4.5.%d" % (k % 7)), socket.inet_aton("10.9.9.9"),
            1, 2, 3 + k, 1500 + k, 90000, 99000, 1024 + k % 30000, 80, 0, 0x12, 6, 0,
            64512, 64513, 24, 16, 0)
    return hdr + recs
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sent, seq = 0, 1
ndg = (a.n + 29) // 30
t0 = time.time()
for i in range(ndg):
    k = min(30, a.n - sent)
    s.sendto(v5(a.start + sent, k, seq), ("127.0.0.1", a.port))
    sent += k; seq += k
    if a.seconds:
        delay = t0 + a.seconds * (i + 1) / ndg - time.time()
        if delay > 0: time.sleep(delay)
    elif i % 50 == 49:
        time.sleep(0.002)
EOF
send() { $PY "$TOP/send.py" "$NF_PORT" "$@"; }

# The main columns, one line per row, sorted: what A and B must agree on.
COLS="type, (extract(epoch FROM time_received) * 1000000)::bigint, (extract(epoch FROM time_flow_start) * 1000000)::bigint, (extract(epoch FROM time_flow_end) * 1000000)::bigint, sequence_num, sampling_rate, sampler_address, bytes, packets, src_addr, dst_addr, etype, proto, src_port, dst_port, in_if, out_if, tcp_flags, ip_tos, src_as, dst_as, next_hop, src_net, dst_net, sampling_rate_source"
dump_rows() { gf_q "SELECT concat_ws('|', $COLS) FROM goflow2plus.flows" | LC_ALL=C sort >"$1"; }

gf_install "$REPO" "$TOP/build.log" || exit 1
mkdir -p "$TOP/js"
nats-server -js -a 127.0.0.1 -p "$NATS_PORT" -sd "$TOP/js" >>"$TOP/nats.log" 2>&1 &
NATS_PID=$!
for _ in $(seq 50); do
	$PY -c "import socket; socket.create_connection(('127.0.0.1', $NATS_PORT), 0.2)" 2>/dev/null && break
	sleep 0.1
done

# ---- B first: the stream does not exist yet; a dead server --------------
on_b
gf_cluster_start "nats://127.0.0.1:$NATS_PORT?stream=flows&consumer=pg,nats://127.0.0.1:$DEAD_PORT?stream=flows&consumer=pg" \
	"goflow2plus.batch_size = $BATCH
goflow2plus.flush_interval = 100ms" || exit 1
gf_q "CREATE EXTENSION goflow2plus" >/dev/null
gf_q "INSERT INTO goflow2plus.networks (name, cidr) VALUES ('central-net', '10.1.0.0/16')" >/dev/null
gf_q "SELECT goflow2plus.context_wait(5000)" >/dev/null
check "missing stream: a WARNING that names it" \
	gf_wait_log 10 'WARNING: .*goflow2plus source 0 .*JetStream stream "flows" does not exist'
check "unreachable server: a WARNING that says so" \
	gf_wait_log 10 "WARNING: .*goflow2plus source 1 \\(nats://127.0.0.1:$DEAD_PORT.*could not connect to NATS"
pids_before=$(gf_q "SELECT string_agg(pid::text, ',' ORDER BY pid) FROM pg_stat_activity WHERE application_name LIKE 'goflow2plus source %'")

# ---- A: the edge, publishing bin to the stream ---------------------------
on_a
gf_cluster_start "netflow://127.0.0.1:$NF_PORT" \
	"goflow2plus.transport = 'table, nats'
goflow2plus.format = 'bin'
goflow2plus.nats_servers = 'nats://127.0.0.1:$NATS_PORT'
goflow2plus.nats_stream = 'flows'
goflow2plus.nats_subject = 'flows.{type}'
goflow2plus.nats_batch = $NATS_BATCH
goflow2plus.flush_interval = 100ms" || exit 1
gf_q "CREATE EXTENSION goflow2plus" >/dev/null
gf_q "INSERT INTO goflow2plus.networks (name, cidr) VALUES ('edge-net', '10.1.0.0/16')" >/dev/null
gf_q "SELECT goflow2plus.context_wait(5000)" >/dev/null
gf_wait_for 10 "SELECT bool_and(ready) FROM (SELECT DISTINCT worker, ready FROM goflow2plus.stats()) s" ||
	fail "edge worker not ready"

N1=3000
send $N1
gf_wait_for 15 "SELECT count(*) >= $N1 FROM goflow2plus.flows" || true
is "edge: every flow sent is in A's table" "$(gf_q 'SELECT count(*) FROM goflow2plus.flows')" "$N1"
gf_wait_for 10 "SELECT coalesce(sum(value), 0) >= $N1 FROM goflow2plus.stats() WHERE counter = 'nats_acked'" ||
	fail "edge: not every flow acknowledged by the stream"

on_b
check "the source finds the stream once it exists (no restart)" \
	gf_wait_log 15 'goflow2plus source 0: pulling from JetStream stream "flows", consumer "pg" \(created now\)'
gf_wait_for 20 "SELECT count(*) >= $N1 FROM goflow2plus.flows" || true
is "central: B has as many rows as A" "$(gf_q 'SELECT count(*) FROM goflow2plus.flows')" "$N1"
on_a; dump_rows "$TOP/a1"
on_b; dump_rows "$TOP/b1"
check "central: B's rows equal A's on the main columns, times included" cmp -s "$TOP/a1" "$TOP/b1"
[ "$(wc -l <"$TOP/a1")" = "$N1" ] || fail "A's dump has $(wc -l <"$TOP/a1") rows"
is "central: B's rows carry B's context" \
	"$(gf_q "SELECT count(*) FILTER (WHERE src_group = 'central-net') || '/' || count(*) FROM goflow2plus.flows")" "$N1/$N1"
on_a
is "edge: A's rows carry A's context" \
	"$(gf_q "SELECT count(*) FILTER (WHERE src_group = 'edge-net') FROM goflow2plus.flows")" "$N1"

on_b
pids_now=$(gf_q "SELECT string_agg(pid::text, ',' ORDER BY pid) FROM pg_stat_activity WHERE application_name LIKE 'goflow2plus source %'")
is "bad settings: the source workers were never restarted" "$pids_now" "$pids_before"
is "bad settings: worker_starts stays 1" \
	"$(gf_q "SELECT max(value) FROM goflow2plus.stats() WHERE counter = 'worker_starts'")" 1
n_dead=$(grep -c "goflow2plus source 1 .*could not connect" "$DIR/log")
check "unreachable server: logged rate-limited ($n_dead lines)" [ "$n_dead" -ge 1 -a "$n_dead" -le 3 ]
check "the dead-server source counts its attempts" \
	[ "$(gf_q "SELECT value FROM goflow2plus.stats() WHERE worker = 1 AND counter = 'source_setup_errors'")" -ge 2 ]

# ---- kill B's worker mid-stream -------------------------------------------
N2=24000
on_a
send $N2 --start $N1 --seconds 6 &
SENDER=$!
on_b
gf_wait_for 20 "SELECT count(*) > $N1 + 3000 FROM goflow2plus.flows" || fail "B did not start on the second wave"
old_pid=$(gf_q "SELECT pid FROM pg_stat_activity WHERE application_name = 'goflow2plus source 0'")
rows_at_kill=$(gf_q "SELECT count(*) FROM goflow2plus.flows")
is "terminate B's source worker mid-stream" "$(gf_q "SELECT pg_terminate_backend($old_pid)")" t
wait "$SENDER"
on_a
TOTAL=$((N1 + N2))
gf_wait_for 20 "SELECT count(*) >= $TOTAL FROM goflow2plus.flows" || true
is "edge: A has every flow of both waves" "$(gf_q 'SELECT count(*) FROM goflow2plus.flows')" "$TOTAL"
gf_wait_for 10 "SELECT coalesce(sum(value), 0) >= $TOTAL FROM goflow2plus.stats() WHERE counter = 'nats_acked'" ||
	fail "edge: not every flow acknowledged by the stream"
on_b
check "the worker came back after the SIGTERM" \
	gf_wait_log 15 "goflow2plus source 0: pulling from JetStream stream \"flows\", consumer \"pg\" at"
gf_wait_for 30 "SELECT count(*) >= $TOTAL FROM goflow2plus.flows" || true
on_a; dump_rows "$TOP/a2"
on_b; dump_rows "$TOP/b2"
missing=$(LC_ALL=C comm -23 "$TOP/a2" "$TOP/b2" | wc -l)
# At least once means eventually: a message the terminated worker was
# handed but never saw comes back after the consumer's ack wait (30 s).
for ((i = 0; i < 45 && missing > 0; i++)); do
	sleep 1
	dump_rows "$TOP/b2"
	missing=$(LC_ALL=C comm -23 "$TOP/a2" "$TOP/b2" | wc -l)
	[ "$missing" = 0 ] && echo "# the last missing rows came back after $((i + 1)) s (redelivery after the ack wait)"
done
is "after the kill: every row of A is in B (B ⊇ A)" "$missing" 0
extra=$(LC_ALL=C sort -u "$TOP/b2" | LC_ALL=C comm -13 "$TOP/a2" - | wc -l)
is "after the kill: B holds only A's rows" "$extra" 0
if [ "$missing" != 0 ] || [ "$extra" != 0 ]; then
	echo "# first rows of A missing from B, then of B not in A:"
	LC_ALL=C comm -23 "$TOP/a2" "$TOP/b2" | head -3 | sed 's/^/#   A /'
	LC_ALL=C comm -13 "$TOP/a2" "$TOP/b2" | head -3 | sed 's/^/#   B /'
fi
b_rows=$(gf_q "SELECT count(*) FROM goflow2plus.flows")
b_distinct=$(LC_ALL=C sort -u "$TOP/b2" | wc -l)
dups=$((b_rows - b_distinct))
echo "# killed at $rows_at_kill rows; B has $b_rows rows, $b_distinct distinct, $dups duplicates (bound $((BATCH + NATS_BATCH)))"
check "after the kill: duplicates at most one batch ($dups <= $((BATCH + NATS_BATCH)))" [ "$dups" -le $((BATCH + NATS_BATCH)) ]
is "B's source worker started twice" \
	"$(gf_q "SELECT value FROM goflow2plus.stats() WHERE worker = 0 AND counter = 'worker_starts'")" 2
fetched=$(gf_q "SELECT value FROM goflow2plus.stats() WHERE worker = 0 AND counter = 'source_fetched'")
acked=$(gf_q "SELECT value FROM goflow2plus.stats() WHERE worker = 0 AND counter = 'source_acked'")
redelivered=$(gf_q "SELECT value FROM goflow2plus.stats() WHERE worker = 0 AND counter = 'source_redelivered'")
echo "# source messages: fetched $fetched, acked $acked, redelivered $redelivered"
is "every fetched message acknowledged" "$acked" "$fetched"
is "B's flows counter matches its rows" \
	"$(gf_q "SELECT value FROM goflow2plus.stats() WHERE worker = 0 AND counter = 'rows_inserted'")" "$b_rows"
check "no postmaster restart in B" bash -c "! grep -q 'terminated by signal\|all server processes terminated' '$DIR/log'"

tap_summary
