#!/bin/bash
# nats_e2e.sh
#    The NATS JetStream and file sinks on a throwaway cluster and a real
#    nats-server -js, both on loopback, started by this script:
#      - flows sent to a worker reach goflow2plus.flows, the stream and the
#        file, field for field (test/e2e/nats_check.py reads the stream
#        over the NATS protocol and computes each subject itself, the
#        {src_group} and {hash:...} placeholders included);
#      - nats.c's threads block every signal; every message has a distinct
#        Nats-Msg-Id; the stream is created with the pattern's subjects;
#      - log rotation: mv the file, reload, a new file starts;
#      - outage: nats-server stopped while flows arrive and started again:
#        the worker stays up, the table loses nothing, published + dropped
#        + buffered and acked + failed + in flight account for every flow,
#        publishing resumes by itself;
#      - an unreachable server at start (small buffer): flows are dropped
#        and counted, the table is unaffected, and once the server comes up
#        the worker connects, creates the stream and publishes what waited;
#      - a stream whose subjects do not cover ours: a clear WARNING, the
#        flows counted in nats_failed; transport without "table", and a
#        file sink on a full disk (/dev/full): counted, never fatal;
#      - bad settings: unknown placeholder, unknown transport, format=bin
#        (not in this build) refused by ALTER SYSTEM; a bad subject in
#        postgresql.conf stops the server from starting, with the reason.
#
#    Run as root.  GF_DESTDIR=/path uses a "make install DESTDIR=/path"
#    tree; GF_SKIP_INSTALL=1 what is installed; else it runs make install.
#    Prints "N passed, N failed".
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib/tap.sh"
tap_require_root
command -v nats-server >/dev/null || { echo "nats-server not installed (apt-get install nats-server)" >&2; exit 2; }

DIR=$(mktemp -d /tmp/gf_nats_e2e.XXXXXX)
chmod 755 "$DIR"
PORT=$(free_port tcp)
NF_PORT=$(free_port udp)
NATS_PORT=$(free_port tcp)
NATS2_PORT=$(free_port tcp)
PGBIN=$(pg_config --bindir)
PY=/usr/bin/python3
CHECK="$PY $REPO/test/e2e/nats_check.py"
OUT=$DIR/out
mkdir -p "$OUT" && chown postgres: "$OUT"

. "$REPO/test/lib/cluster.sh"
# nats-server instances this script started: port -> pid.
declare -A NATS_PID
nats_start() {
	local port=$1 sd=$2
	mkdir -p "$sd"
	nats-server -js -a 127.0.0.1 -p "$port" -sd "$sd" >>"$DIR/nats-$port.log" 2>&1 &
	NATS_PID[$port]=$!
	for _ in $(seq 50); do
		$PY -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
nats_stop() {
	local pid=${NATS_PID[$1]:-}
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "NATS_PID[$1]"
}
cleanup() {
	gf_cluster_stop
	for p in "${!NATS_PID[@]}"; do nats_stop "$p"; done
	rm -rf "$DIR"
}
trap cleanup EXIT

# NetFlow v5 sender: flow k has src 10.1.<k/256>.<k%256> (or 10.2... with
# --net 2), src_port 1024 + k % 30000, bytes 1500 + k; the (src_addr,
# src_port, bytes) key is unique per k.  --rate spreads the datagrams.
cat >"$DIR/send.py" <<'EOF'
import socket, struct, sys, time, argparse
ap = argparse.ArgumentParser()
ap.add_argument("port", type=int); ap.add_argument("n", type=int)
ap.add_argument("--start", type=int, default=0); ap.add_argument("--net", type=int, default=1)
ap.add_argument("--seconds", type=float, default=0)
a = ap.parse_args()
def v5(k0, nrec, seq):
    hdr = struct.pack("!HHIIIIBBH", 5, nrec, 100000, int(time.time()), 0, seq, 0, 0, 0)
    recs = b""
    for k in range(k0, k0 + nrec):
        recs += struct.pack("!4s4s4sHHIIIIHHBBBBHHBBH",
            socket.inet_aton("10.%d.%d.%d" % (a.net, (k >> 8) & 255, k & 255)),
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
send() { $PY "$DIR/send.py" "$NF_PORT" "$@"; }
# The table as JSON lines, times in microseconds (nats_check.py compares).
dump_table() {
	gf_q "SELECT row_to_json(x) FROM (SELECT f.*, (extract(epoch FROM time_received) * 1000000)::bigint AS time_received_us, (extract(epoch FROM time_flow_start) * 1000000)::bigint AS time_flow_start_us, (extract(epoch FROM time_flow_end) * 1000000)::bigint AS time_flow_end_us FROM goflow2plus.flows f ${1:-}) x" >"$2"
}
# SigBlk of every thread of the worker but its main one must block all
# the signals PostgreSQL handles (HUP INT QUIT USR1 USR2 ALRM TERM CHLD URG).
threads_block_signals() {
	local pid=$1 t mask nthreads=0
	for t in /proc/"$pid"/task/*; do
		[ "$(basename "$t")" = "$pid" ] && continue
		nthreads=$((nthreads + 1))
		mask=$(awk '/^SigBlk/ {print $2}' "$t/status")
		$PY -c "import sys; m = int('$mask', 16); sys.exit(0 if all(m >> (s - 1) & 1 for s in (1, 2, 3, 10, 12, 14, 15, 17, 23)) else 1)" || return 1
	done
	[ "$nthreads" -ge 3 ]
}

gf_install "$REPO" "$DIR/build.log" || exit 1
nats_start "$NATS_PORT" "$DIR/js1" || { echo "nats-server did not start" >&2; exit 1; }

# ---- A: table + nats + file, field for field -------------------------------
BASE_CONF="goflow2plus.flush_interval = '100ms'
goflow2plus.nats_servers = 'nats://127.0.0.1:$NATS_PORT'
goflow2plus.nats_ack_wait = '1s'"
gf_cluster_start "netflow://127.0.0.1:${NF_PORT}" "$BASE_CONF
goflow2plus.transport = 'table, nats, file'
goflow2plus.nats_subject = 'flows.{type}.{src_group}.{hash:src_addr,dst_addr:4}'
goflow2plus.nats_stream = 'gfe2e'
goflow2plus.transport_file = '$OUT/flows.json'" || exit 1
gf_q "CREATE EXTENSION goflow2plus" >/dev/null

check "worker ready" gf_wait_for 30 "SELECT bool_and(ready) FROM goflow2plus.stats()"
check "worker connects to NATS and creates the stream" gf_wait_log 15 'created JetStream stream "gfe2e" for subjects "flows\.\*\.\*\.\*"'
is "the stream's subjects are the pattern's wildcard form" "$($CHECK stream-subjects "$NATS_PORT" gfe2e)" "flows.*.*.*"
WPID=$(gf_q "SELECT DISTINCT pid FROM pg_stat_activity WHERE backend_type = 'goflow2plus worker'")
check "every thread but the worker's own blocks PostgreSQL's signals" threads_block_signals "$WPID"

# Context: two networks name the flow ends ({src_group} in the subject).
gf_q "INSERT INTO goflow2plus.networks (name, cidr) VALUES ('clients a', '10.1.0.0/22'), ('clients.b', '10.1.4.0/22'), ('servers', '10.4.5.0/24')" >/dev/null
check "context published" test "$(gf_q "SELECT goflow2plus.context_wait(10000)")" = t
# One flow first, so the worker's next batch attaches the new snapshot
# before the flows compared below are received (sinks.h: enrichment at
# receive time uses the snapshot the last batch attached).
send 1 --start 40000 --net 3
gf_wait_for 10 "SELECT count(*) = 1 FROM goflow2plus.flows" || true
sleep 0.3
gf_q "TRUNCATE goflow2plus.flows" >/dev/null
N=3000
send $N
check "$N flows in the table" gf_wait_for 20 "SELECT count(*) = $N FROM goflow2plus.flows"
check "nats_acked reaches $((N + 1))" gf_wait_for 20 "SELECT sum(value) = $((N + 1)) FROM goflow2plus.stats() WHERE counter = 'nats_acked'"
check "file_written reaches $((N + 1))" gf_wait_for 10 "SELECT sum(value) = $((N + 1)) FROM goflow2plus.stats() WHERE counter = 'file_written'"
is "table rows carry the context names" "$(gf_q "SELECT count(*) FILTER (WHERE src_group = 'clients a') > 0 AND count(*) FILTER (WHERE src_group = 'clients.b') > 0 AND count(*) FILTER (WHERE src_group IS NULL) > 0 AND bool_and(dst_group = 'servers') FROM goflow2plus.flows")" t
dump_table "" "$DIR/table.jsonl"
# The warm-up flow is in the stream and the file but no longer in the table.
grep -v '"src_addr":"10.3.' "$OUT/flows.json" >"$DIR/file_no_warmup.json"
check "the stream holds exactly the table's flows, field for field, on the computed subjects" \
	$CHECK compare "$DIR/table.jsonl" "nats:$NATS_PORT:gfe2e" --pattern flows --count $N --skip-prefix 10.3.
check "the file's JSON lines match the table field for field" \
	$CHECK compare "$DIR/table.jsonl" "file:$DIR/file_no_warmup.json" --count $N
check "every message has its own Nats-Msg-Id" $CHECK msgids "$NATS_PORT" gfe2e

# ---- rotation ---------------------------------------------------------------
mv "$OUT/flows.json" "$OUT/flows.json.1"
gf_as_pg "$PGBIN/pg_ctl" -D "$DIR/data" reload >/dev/null
sleep 0.5
send 100 --start 5000
check "after mv + reload a new file holds the next flows" gf_wait_for 10 "SELECT sum(value) = $((N + 101)) FROM goflow2plus.stats() WHERE counter = 'file_written'"
is "new file: 100 lines" "$(wc -l <"$OUT/flows.json" 2>/dev/null)" 100
is "rotated file kept its $((N + 1)) lines" "$(wc -l <"$OUT/flows.json.1")" $((N + 1))

# ---- outage -----------------------------------------------------------------
# The file counts a flow when it is written there; the table only once its
# batch commits: wait for the table too before taking the count.
check "the rotation's 100 flows are in the table" gf_wait_for 10 "SELECT count(*) = $((N + 100)) FROM goflow2plus.flows"
before=$(gf_q "SELECT count(*) FROM goflow2plus.flows")
send 3000 --start 10000 --seconds 3 &
SENDER=$!
sleep 1
nats_stop "$NATS_PORT"
sleep 1.5
nats_start "$NATS_PORT" "$DIR/js1" || fail "nats-server restart"
wait "$SENDER"
send 1000 --start 20000 --seconds 1
total=$((before + 4000))
check "table lost nothing through the outage ($total rows)" gf_wait_for 20 "SELECT count(*) = $total FROM goflow2plus.flows"
check "publishing resumes: nothing left buffered or in flight" gf_wait_for 30 "SELECT sum(value) FILTER (WHERE counter = 'nats_inflight') = 0 AND sum(value) FILTER (WHERE counter = 'nats_buffered') = 0 FROM goflow2plus.stats()"
pub=$(gf_counter nats_published); drp=$(gf_counter nats_dropped); ack=$(gf_counter nats_acked); fld=$(gf_counter nats_failed); inf=$(gf_counter nats_inflight); buf=$(gf_counter nats_buffered)
echo "# after the outage: published $pub dropped $drp buffered $buf acked $ack failed $fld inflight $inf (flows for NATS: $((total + 1)))"
is "published + dropped + buffered = every flow for NATS" $((pub + drp + buf)) $((total + 1))
is "published = acked + failed + in flight" "$pub" $((ack + fld + inf))
is "the worker stayed up (one start)" "$(gf_counter worker_starts)" 1
check "worker logged the disconnection and the reconnection" gf_wait_log 1 'reconnected to NATS'
$CHECK keys "nats:$NATS_PORT:gfe2e" >"$DIR/keys_after"
k20=$(awk '{split($1, o, "."); k = o[3] * 256 + o[4]; if ($1 ~ /^10\.1\./ && k >= 20000 && k < 21000) n++} END {print n + 0}' "$DIR/keys_after")
is "all 1000 flows sent after the restart reached the stream" "$k20" 1000
is "the stream holds no flow twice (retries deduplicated by Nats-Msg-Id)" \
	"$(sort "$DIR/keys_after" | uniq -d | wc -l)" 0
ks=$(wc -l <"$DIR/keys_after")
check "the stream holds at least the acknowledged flows ($ack <= $ks)" test "$ack" -le "$ks"

# ---- frozen server: acks time out, messages are sent again, deduplicated ----
before=$(gf_q "SELECT count(*) FROM goflow2plus.flows")
NPID=${NATS_PID[$NATS_PORT]}
send 600 --start 24000 --seconds 1 &
SENDER=$!
sleep 0.3
kill -STOP "$NPID"
sleep 2.5
kill -CONT "$NPID"
wait "$SENDER"
total=$((before + 600))
check "table lost nothing while the server was frozen" gf_wait_for 20 "SELECT count(*) = $total FROM goflow2plus.flows"
check "nothing left in flight after the freeze" gf_wait_for 30 "SELECT sum(value) FILTER (WHERE counter = 'nats_inflight') = 0 AND sum(value) FILTER (WHERE counter = 'nats_buffered') = 0 FROM goflow2plus.stats()"
pub=$(gf_counter nats_published); drp=$(gf_counter nats_dropped); ack=$(gf_counter nats_acked); fld=$(gf_counter nats_failed); rtr=$(gf_counter nats_retries)
echo "# after the freeze: published $pub dropped $drp acked $ack failed $fld retries $rtr"
check "messages whose ack did not come in time were sent again ($rtr)" test "$rtr" -gt 0
is "published + dropped = every flow for NATS" $((pub + drp)) $((total + 1))
is "published = acked + failed" "$pub" $((ack + fld))
$CHECK keys "nats:$NATS_PORT:gfe2e" >"$DIR/keys_freeze"
is "the stream holds no flow twice: resent messages were deduplicated by Nats-Msg-Id" \
	"$(sort "$DIR/keys_freeze" | uniq -d | wc -l)" 0
k24=$(awk '{split($1, o, "."); k = o[3] * 256 + o[4]; if ($1 ~ /^10\.1\./ && k >= 24000 && k < 24600) n++} END {print n + 0}' "$DIR/keys_freeze")
is "all 600 flows sent around the freeze are in the stream" "$k24" 600

# ---- B: server unreachable at start, small buffer; then it comes up ---------
gf_cluster_stop
cat >>"$DIR/data/postgresql.conf" <<CONF
goflow2plus.transport = 'table, nats'
goflow2plus.nats_servers = 'nats://127.0.0.1:$NATS2_PORT'
goflow2plus.nats_stream = 'gfdown'
goflow2plus.nats_subject = 'down'
goflow2plus.nats_buffer_size = 64
goflow2plus.nats_batch = 1
CONF
gf_as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w start >/dev/null || fail "restart with an unreachable server"
check "worker ready although NATS is unreachable" gf_wait_for 30 "SELECT bool_and(ready) FROM goflow2plus.stats()"
check "the worker says it cannot connect yet" gf_wait_log 10 "could not connect to NATS at nats://127.0.0.1:$NATS2_PORT yet"
gf_q "TRUNCATE goflow2plus.flows" >/dev/null
send 2000 --start 30000
check "table unaffected: 2000 rows" gf_wait_for 20 "SELECT count(*) = 2000 FROM goflow2plus.flows"
drp=$(gf_counter nats_dropped); buf=$(gf_counter nats_buffered); pub=$(gf_counter nats_published)
echo "# unreachable: dropped $drp buffered $buf published $pub"
is "dropped + buffered = 2000, nothing published" "$((drp + buf)):$pub" "2000:0"
check "flows beyond the 64 kB buffer were dropped and counted" test "$drp" -gt 0
sleep 2
is "the worker was not restarted" "$(gf_counter worker_starts)" 1
nats_start "$NATS2_PORT" "$DIR/js2" || fail "second nats-server"
check "once the server is up the worker creates the stream and publishes what waited" \
	gf_wait_for 30 "SELECT sum(value) FILTER (WHERE counter = 'nats_acked') = $buf AND sum(value) FILTER (WHERE counter = 'nats_buffered') = 0 FROM goflow2plus.stats()"
is "the stream holds the $buf flows that waited" "$($CHECK keys "nats:$NATS2_PORT:gfdown" | wc -l)" "$buf"

# ---- C: a stream whose subjects do not cover ours; no table; full disk ------
$CHECK create-stream "$NATS_PORT" mismatch 'other.>' || fail "create stream mismatch"
gf_cluster_stop
cat >>"$DIR/data/postgresql.conf" <<CONF
goflow2plus.transport = 'nats, file'
goflow2plus.nats_servers = 'nats://127.0.0.1:$NATS_PORT'
goflow2plus.nats_stream = 'mismatch'
goflow2plus.nats_subject = 'flows.{type}'
goflow2plus.nats_buffer_size = 65536
goflow2plus.transport_file = '/dev/full'
CONF
gf_as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w start >/dev/null || fail "restart for the mismatch"
check "worker ready" gf_wait_for 30 "SELECT bool_and(ready) FROM goflow2plus.stats()"
check "a clear warning: the stream's subjects do not cover ours" \
	gf_wait_log 15 'WARNING:  goflow2plus worker 0: JetStream stream "mismatch" exists with subjects \["other\.>"\], which do not cover "flows\.\*"'
gf_q "TRUNCATE goflow2plus.flows" >/dev/null
send 300 --start 40000
check "the flows fail (no stream holds the subject) and are counted in nats_failed" \
	gf_wait_for 30 "SELECT sum(value) = 300 FROM goflow2plus.stats() WHERE counter = 'nats_failed'"
check "a full disk is counted in file_errors" gf_wait_for 10 "SELECT sum(value) = 300 FROM goflow2plus.stats() WHERE counter = 'file_errors'"
check "the file sink says why" gf_wait_log 5 'could not write to file sink "/dev/full": No space left on device'
is "without 'table' in transport no row is written" "$(gf_q "SELECT count(*) FROM goflow2plus.flows")" 0
is "the worker stayed up" "$(gf_q "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'goflow2plus worker'")" 1

# ---- E: format = bin, 10 flows per message ---------------------------------
gf_cluster_stop
cat >>"$DIR/data/postgresql.conf" <<CONF
goflow2plus.transport = 'table, nats, file'
goflow2plus.format = 'bin'
goflow2plus.nats_batch = 10
goflow2plus.nats_stream = 'gfbin'
goflow2plus.nats_subject = 'fbin.{type}.{src_group}.{hash:src_addr,dst_addr:4}'
goflow2plus.transport_file = '$OUT/flows.bin'
CONF
gf_as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w start >/dev/null || fail "restart for bin"
check "worker ready (bin)" gf_wait_for 30 "SELECT bool_and(ready) FROM goflow2plus.stats()"
check "stream gfbin created" gf_wait_log 15 'created JetStream stream "gfbin"'
gf_q "TRUNCATE goflow2plus.flows" >/dev/null
send 2000 --start 50000
check "2000 flows in the table (bin)" gf_wait_for 20 "SELECT count(*) = 2000 FROM goflow2plus.flows"
check "2000 flows acknowledged (bin)" gf_wait_for 20 "SELECT sum(value) = 2000 FROM goflow2plus.stats() WHERE counter = 'nats_acked'"
check "2000 flows in the file (bin)" gf_wait_for 10 "SELECT sum(value) = 2000 FROM goflow2plus.stats() WHERE counter = 'file_written'"
dump_table "" "$DIR/table_bin.jsonl"
check "the stream's FlowMessages, read with GoFlow2's field numbers, match the table field for field" \
	$CHECK compare "$DIR/table_bin.jsonl" "nats:$NATS_PORT:gfbin" --format bin --pattern fbin --count 2000
check "the file's length-delimited FlowMessages match the table" \
	$CHECK compare "$DIR/table_bin.jsonl" "file:$OUT/flows.bin" --format bin --count 2000
mpm=$($CHECK max-flows-per-msg "$NATS_PORT" gfbin bin)
check "messages carry several flows, at most goflow2plus.nats_batch = 10 ($mpm)" test "$mpm" -gt 1 -a "$mpm" -le 10

# ---- D: bad settings --------------------------------------------------------
err=$(gf_q "ALTER SYSTEM SET goflow2plus.nats_subject = 'flows.{bogus}'" 2>&1)
check "unknown placeholder refused: $err" grep -q 'unknown placeholder {bogus}' <<<"$err"
err=$(gf_q "ALTER SYSTEM SET goflow2plus.transport = 'table, kafka'" 2>&1)
check "unknown transport refused" grep -q 'unknown transport "kafka"' <<<"$err"
err=$(gf_q "ALTER SYSTEM SET goflow2plus.nats_stream = 'a.b'" 2>&1)
check "bad stream name refused" grep -q 'invalid value' <<<"$err"
err=$(gf_q "ALTER SYSTEM SET goflow2plus.format = 'bin'" 2>&1)
if grep -q 'format = bin needs the protobuf encoder' <<<"$err"; then ok "format=bin refused until the encoder is in (${err%%$'\n'*})"; else
	gf_q "ALTER SYSTEM RESET goflow2plus.format" >/dev/null; ok "format=bin accepted (encoder present)"; fi
is "credentials are hidden from SHOW ALL" "$(gf_q "SELECT count(*) FROM pg_settings WHERE name IN ('goflow2plus.nats_password','goflow2plus.nats_token','goflow2plus.nats_nkey_seed','goflow2plus.nats_creds','goflow2plus.nats_tls_key')")" 0
gf_q "CREATE ROLE plain LOGIN" >/dev/null
err=$(gf_as_pg "$PGBIN/psql" -h "$DIR" -p "$PORT" -U plain -d postgres -XAtq -c "SHOW goflow2plus.nats_password" 2>&1)
check "an ordinary role cannot read nats_password" grep -q 'permission denied\|must be superuser\|pg_read_all_settings' <<<"$err"
gf_cluster_stop
echo "goflow2plus.nats_subject = 'flows.{nope}'" >>"$DIR/data/postgresql.conf"
if gf_as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -t 20 start >/dev/null 2>&1; then
	fail "the server started with a bad nats_subject"
else
	ok "the server refuses to start with a bad nats_subject"
fi
check "and says why" grep -q 'FATAL:  goflow2plus: invalid sink setting "goflow2plus.nats_subject": unknown placeholder {nope}' "$DIR/log"

tap_summary
