#!/bin/bash
# nats_shared_consumer.sh
#    Issue #9: "several PostgreSQL servers can share one consumer to split
#    the load".  Two separate clusters, B and C, each with a nats:// source
#    on the SAME durable consumer of one JetStream stream (a real
#    nats-server -js on loopback, started here):
#      - the stream and the consumer are made by this script (ack wait
#        5 s, explicit acks), as an operator sharing a consumer would, so
#        both sources bind to it; the flows are published by a small
#        publisher written here (GoFlow2 "bin": length-delimited
#        FlowMessages, encoded by hand from proto/flow.proto's numbers,
#        not by goflow2plus's encoder), and what it published is the
#        oracle, flow by flow;
#      - wave 1: B and C both receive a share (each > 0), and the union of
#        their tables equals the published flows exactly on the key fields
#        (sequence number, bytes, packets, addresses, ports, protocol,
#        time received): same count, no duplicate, nothing else;
#      - wave 2: B's source worker is terminated (pg_terminate_backend)
#        mid-stream: nothing published is missing from B ∪ C once the
#        messages the dead worker had been handed come back (after the
#        consumer's 5 s ack wait, to C or to B's restarted worker), and
#        duplicates stay within one batch of the killed worker
#        (batch_size + the flows of one message; a SIGTERM lets the
#        worker commit and acknowledge first, so 0 is what it should be).
#
#    Run as root.  GF_DESTDIR=/path uses a "make install DESTDIR=/path"
#    tree; GF_SKIP_INSTALL=1 what is installed; else it runs make install.
#    Prints "N passed, N failed".  About 40 s.
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib/tap.sh"
tap_require_root
command -v nats-server >/dev/null || { echo "nats-server not installed (apt-get install nats-server)" >&2; exit 2; }

TOP=$(mktemp -d /tmp/gf_nats_shared.XXXXXX)
chmod 755 "$TOP"
DIR_B=$TOP/b
DIR_C=$TOP/c
PORT_B=$(free_port tcp)
PORT_C=$(free_port tcp)
NATS_PORT=$(free_port tcp)
PY=/usr/bin/python3
BATCH=500					# goflow2plus.batch_size of B and C
PER_MSG=20					# flows per published message
ACK_WAIT_S=5				# the shared consumer's ack wait
BASE_US=$(( $(date +%s) * 1000000 ))	# time_received of flow 0

. "$REPO/test/lib/cluster.sh"
# cluster.sh works on $DIR and $PORT: point them at B or C.
on_b() { DIR=$DIR_B; PORT=$PORT_B; }
on_c() { DIR=$DIR_C; PORT=$PORT_C; }

NATS_PID=
PUB_PID=
cleanup() {
	[ -n "$PUB_PID" ] && kill "$PUB_PID" 2>/dev/null
	on_b; gf_cluster_stop
	on_c; gf_cluster_stop
	if [ -n "$NATS_PID" ]; then kill "$NATS_PID" 2>/dev/null; wait "$NATS_PID" 2>/dev/null; fi
	[ "${GF_KEEP:-0}" = 1 ] && echo "# kept $TOP" || rm -rf "$TOP"
}
trap cleanup EXIT

# The publisher and the oracle.  Flow k: sequence_num k, bytes 1000 + k,
# packets 1 + k % 100, src 10.2.<k/256>.<k%256>, dst 10.3.0.<k%250>,
# ports 1024 + k % 30000 -> 443, TCP, time_received BASE_US + k us.
cat >"$TOP/pub.py" <<'EOF'
import argparse, json, socket, sys, time
sys.path.insert(0, sys.argv.pop(1))
from nats_proto import Nats

def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7f
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)

def vfield(num, v):
    return varint(num << 3) + varint(v)

def bfield(num, data):
    return varint(num << 3 | 2) + varint(len(data)) + data

def flow(k, base_us):
    src = socket.inet_aton("10.2.%d.%d" % ((k >> 8) & 255, k & 255))
    dst = socket.inet_aton("10.3.0.%d" % (k % 250))
    return (vfield(1, 2)                          # type NETFLOW_V5
            + vfield(110, (base_us + k) * 1000)    # time_received_ns
            + vfield(4, k)                         # sequence_num
            + bfield(11, socket.inet_aton("192.0.2.1"))
            + vfield(9, 1000 + k) + vfield(10, 1 + k % 100)
            + bfield(6, src) + bfield(7, dst)
            + vfield(30, 0x800) + vfield(20, 6)
            + vfield(21, 1024 + k % 30000) + vfield(22, 443))

def oracle_line(k, base_us):
    return "%d|%d|%d|10.2.%d.%d|10.3.0.%d|%d|443|6|%d" % (
        k, 1000 + k, 1 + k % 100, (k >> 8) & 255, k & 255, k % 250,
        1024 + k % 30000, base_us + k)

ap = argparse.ArgumentParser()
ap.add_argument("port", type=int)
ap.add_argument("cmd", choices=["setup", "publish"])
ap.add_argument("--first", type=int, default=0)      # first message number
ap.add_argument("--msgs", type=int, default=0)
ap.add_argument("--per", type=int, default=20)
ap.add_argument("--seconds", type=float, default=0)
ap.add_argument("--base-us", type=int, default=0)
ap.add_argument("--ack-wait", type=int, default=5)
ap.add_argument("--oracle")
a = ap.parse_args()
nc = Nats(port=a.port)
if a.cmd == "setup":
    nc.stream_create("flows", ["flows.>"])
    nc.js("CONSUMER.DURABLE.CREATE.flows.shared",
          {"stream_name": "flows",
           "config": {"durable_name": "shared", "deliver_policy": "all",
                      "ack_policy": "explicit", "ack_wait": a.ack_wait * 10**9,
                      "max_deliver": -1, "max_ack_pending": 20000,
                      "replay_policy": "instant"}})
    sys.exit(0)
t0 = time.time()
with open(a.oracle, "a") as orc:
    for i in range(a.msgs):
        m = a.first + i
        ks = range(m * a.per, (m + 1) * a.per)
        body = b"".join(varint(len(f)) + f for f in (flow(k, a.base_us) for k in ks))
        ack = json.loads(nc.request("flows.m", body))
        if "error" in ack:
            sys.exit("publish refused: %s" % ack["error"])
        orc.write("".join(oracle_line(k, a.base_us) + "\n" for k in ks))
        if a.seconds:
            delay = t0 + a.seconds * (i + 1) / a.msgs - time.time()
            if delay > 0:
                time.sleep(delay)
EOF
pub() { $PY "$TOP/pub.py" "$REPO/test/lib" "$NATS_PORT" "$@"; }

KEY="sequence_num, bytes, packets, host(src_addr), host(dst_addr), src_port, dst_port, proto, (extract(epoch FROM time_received) * 1000000)::bigint"
dump_rows() { gf_q "SELECT concat_ws('|', $KEY) FROM goflow2plus.flows" >"$1"; }
rows() { gf_q "SELECT count(*) FROM goflow2plus.flows"; }
both_rows() { echo $(( $(on_b; rows) + $(on_c; rows) )); }
# union of B's and C's rows, sorted with duplicates kept, into $1
dump_union() {
	on_b; dump_rows "$TOP/ub"
	on_c; dump_rows "$TOP/uc"
	LC_ALL=C sort "$TOP/ub" "$TOP/uc" >"$1"
}

gf_install "$REPO" "$TOP/build.log" || exit 1
mkdir -p "$TOP/js"
nats-server -js -a 127.0.0.1 -p "$NATS_PORT" -sd "$TOP/js" >>"$TOP/nats.log" 2>&1 &
NATS_PID=$!
for _ in $(seq 50); do
	$PY -c "import socket; socket.create_connection(('127.0.0.1', $NATS_PORT), 0.2)" 2>/dev/null && break
	sleep 0.1
done
check "stream flows and durable consumer shared (ack wait ${ACK_WAIT_S} s) created" \
	pub setup --ack-wait $ACK_WAIT_S

# ---- two central clusters on one consumer ------------------------------
for who in b c; do
	on_$who
	gf_cluster_start "nats://127.0.0.1:$NATS_PORT?stream=flows&consumer=shared" \
		"goflow2plus.batch_size = $BATCH
goflow2plus.flush_interval = 100ms" || exit 1
	gf_q "CREATE EXTENSION goflow2plus" >/dev/null
done
for who in b c; do
	on_$who
	check "$who binds to the existing consumer" \
		gf_wait_log 15 'goflow2plus source 0: pulling from JetStream stream "flows", consumer "shared" at'
done

# ---- wave 1: the load is split, nothing lost, nothing twice -------------
M1=300
N1=$((M1 * PER_MSG))
: >"$TOP/oracle"
check "wave 1: $M1 messages of $PER_MSG flows published (each acknowledged by the stream)" \
	pub publish --first 0 --msgs $M1 --per $PER_MSG --seconds 3 --base-us $BASE_US --oracle "$TOP/oracle"
for ((i = 0; i < 200; i++)); do
	[ "$(both_rows)" -ge "$N1" ] && break
	sleep 0.1
done
b1=$(on_b; rows)
c1=$(on_c; rows)
echo "# wave 1: B wrote $b1 flows, C wrote $c1 (of $N1)"
check "wave 1: B received a share ($b1 > 0)" [ "$b1" -gt 0 ]
check "wave 1: C received a share ($c1 > 0)" [ "$c1" -gt 0 ]
is "wave 1: B + C = the flows published" "$((b1 + c1))" "$N1"
LC_ALL=C sort "$TOP/oracle" >"$TOP/o1"
dump_union "$TOP/u1"
check "wave 1: B ∪ C equals the published flows field for field, no duplicate" cmp -s "$TOP/o1" "$TOP/u1"
is "wave 1: no flow in both B and C" \
	"$(LC_ALL=C comm -12 <(LC_ALL=C sort "$TOP/ub") <(LC_ALL=C sort "$TOP/uc") | wc -l)" 0

# ---- wave 2: B's source worker terminated mid-stream -------------------
M2=600
pub publish --first $M1 --msgs $M2 --per $PER_MSG --seconds 5 --base-us $BASE_US --oracle "$TOP/oracle" &
PUB_PID=$!
on_b
gf_wait_for 20 "SELECT count(*) >= $b1 + 1000 FROM goflow2plus.flows" || fail "B did not take part in wave 2"
old_pid=$(gf_q "SELECT pid FROM pg_stat_activity WHERE application_name = 'goflow2plus source 0'")
rows_at_kill=$(rows)
is "terminate B's source worker mid-stream" "$(gf_q "SELECT pg_terminate_backend($old_pid)")" t
wait "$PUB_PID"
pub_rc=$?
PUB_PID=
is "wave 2: $M2 messages published (each acknowledged by the stream)" "$pub_rc" 0
N=$(( (M1 + M2) * PER_MSG ))
LC_ALL=C sort "$TOP/oracle" >"$TOP/o2"
is "oracle: every published flow listed once" "$(LC_ALL=C sort -u "$TOP/o2" | wc -l)" "$N"
came_back() {
	local i
	for ((i = 0; i < 150; i++)); do
		[ "$(grep -c 'goflow2plus source 0: pulling from JetStream stream "flows", consumer "shared" at' "$DIR/log")" -ge 2 ] && return 0
		sleep 0.1
	done
	return 1
}
on_b
check "B's source worker came back" came_back
# Messages the terminated worker was handed but never read come back
# after the ack wait: wait for that, and a little more.
missing=$N
for ((i = 0; i < (ACK_WAIT_S + 15) * 2 && missing > 0; i++)); do
	dump_union "$TOP/u2"
	missing=$(LC_ALL=C comm -23 "$TOP/o2" <(LC_ALL=C sort -u "$TOP/u2") | wc -l)
	[ "$missing" = 0 ] || sleep 0.5
done
b2=$(on_b; rows)
c2=$(on_c; rows)
distinct=$(LC_ALL=C sort -u "$TOP/u2" | wc -l)
dups=$((b2 + c2 - distinct))
extra=$(LC_ALL=C sort -u "$TOP/u2" | LC_ALL=C comm -13 "$TOP/o2" - | wc -l)
echo "# wave 2: B killed at $rows_at_kill rows; now B $b2, C $c2, $distinct distinct of $N, $dups duplicates, $missing missing"
is "after the kill: every published flow is in B ∪ C (nothing acknowledged lost)" "$missing" 0
is "after the kill: B ∪ C holds nothing that was not published" "$extra" 0
BOUND=$((BATCH + PER_MSG))
check "after the kill: duplicates within one batch of the killed worker ($dups <= $BOUND)" [ "$dups" -le "$BOUND" ]
if [ "$missing" != 0 ] || [ "$extra" != 0 ]; then
	echo "# first published flows missing, then rows not published:"
	LC_ALL=C comm -23 "$TOP/o2" <(LC_ALL=C sort -u "$TOP/u2") | head -3 | sed 's/^/#   /'
	LC_ALL=C sort -u "$TOP/u2" | LC_ALL=C comm -13 "$TOP/o2" - | head -3 | sed 's/^/#   /'
fi
check "wave 2: C kept pulling while B's worker was away ($c2 > $c1)" [ "$c2" -gt "$c1" ]

# The message counters of both servers add up: every message fetched was
# acknowledged, and every published message was acknowledged at least once.
fetched=0 acked=0 redelivered=0
for who in b c; do
	on_$who
	fetched=$((fetched + $(gf_counter source_fetched)))
	acked=$((acked + $(gf_counter source_acked)))
	redelivered=$((redelivered + $(gf_counter source_redelivered)))
	check "no postmaster restart in $who" bash -c "! grep -q 'terminated by signal\|all server processes terminated' '$DIR/log'"
done
echo "# B + C messages: fetched $fetched, acked $acked, redelivered $redelivered (published $((M1 + M2)))"
is "every fetched message acknowledged" "$acked" "$fetched"
check "every published message acknowledged at least once ($acked >= $((M1 + M2)))" [ "$acked" -ge $((M1 + M2)) ]

tap_summary
