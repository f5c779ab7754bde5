#!/usr/bin/env bash
# nats_cluster.sh
#    The JetStream sink against a three-node nats-server cluster on loopback
#    (issue #9): the worker creates a replicated (R3) stream, flows arrive
#    at a steady rate, and the node the worker is connected to is killed
#    (SIGKILL) half-way through.  Then:
#      - the worker stays up and reconnects to another node by itself;
#      - the table holds every flow sent (the table sink is not held back);
#      - every flow NATS acknowledged is in the stream, read back from a
#        surviving node, exactly once (Nats-Msg-Id de-duplicates resends);
#      - published = acked + failed + in flight, and published + dropped
#        account for every flow;
#      - the killed node, started again, catches up to the same stream.
#    What is "acknowledged" cannot be told per flow from outside, so the
#    checks are: stream flows are a duplicate-free subset of the flows
#    sent, and at least as many as nats_acked counts.
#
#    Run as root.  GF_DESTDIR=/path uses a "make install DESTDIR=/path"
#    tree; GF_SKIP_INSTALL=1 what is installed; else it runs make install.
#    Prints "N passed, N failed".
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib/tap.sh"
tap_require_root
command -v nats-server >/dev/null || { echo "nats-server not installed (apt-get install nats-server)" >&2; exit 2; }

DIR=$(mktemp -d /tmp/gf_nats_cluster.XXXXXX)
chmod 755 "$DIR"
PORT=$(free_port tcp)
NF_PORT=$(free_port udp)
PGBIN=$(pg_config --bindir)
PY=/usr/bin/python3
CHECK="$PY $REPO/test/e2e/nats_check.py"
N=${NATS_CLUSTER_FLOWS:-6000}
SECONDS_SENDING=${NATS_CLUSTER_SECONDS:-8}

. "$REPO/test/lib/cluster.sh"

# Three nodes: client port, route port, store dir each.
declare -a CPORT RPORT NPID
for i in 0 1 2; do
	CPORT[$i]=$(free_port tcp)
	RPORT[$i]=$(free_port tcp)
	# free_port does not reserve: make sure the six ports differ.
	for ((j = 0; j < i; j++)); do
		while [ "${CPORT[$i]}" = "${CPORT[$j]}" ] || [ "${CPORT[$i]}" = "${RPORT[$j]}" ]; do CPORT[$i]=$(free_port tcp); done
		while [ "${RPORT[$i]}" = "${CPORT[$j]}" ] || [ "${RPORT[$i]}" = "${RPORT[$j]}" ] || [ "${RPORT[$i]}" = "${CPORT[$i]}" ]; do RPORT[$i]=$(free_port tcp); done
	done
done

node_conf() {
	local i=$1 j routes=""
	for j in 0 1 2; do
		[ "$j" = "$i" ] && continue
		routes="$routes${routes:+, }nats-route://127.0.0.1:${RPORT[$j]}"
	done
	cat <<CONF
server_name: gfn$i
listen: 127.0.0.1:${CPORT[$i]}
jetstream { store_dir: "$DIR/js$i" }
cluster {
  name: gfc
  listen: 127.0.0.1:${RPORT[$i]}
  routes: [ $routes ]
}
CONF
}
node_start() {
	local i=$1
	node_conf "$i" >"$DIR/n$i.conf"
	nats-server -c "$DIR/n$i.conf" >>"$DIR/n$i.log" 2>&1 &
	NPID[$i]=$!
}
node_kill() {
	local pid=${NPID[$1]:-}
	[ -n "$pid" ] || return 0
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	NPID[$1]=
}
cleanup() {
	[ -n "${SEND_PID:-}" ] && kill "$SEND_PID" 2>/dev/null
	gf_cluster_stop
	for i in 0 1 2; do node_kill "$i"; done
	rm -rf "$DIR"
}
trap cleanup EXIT

# NetFlow v5 sender: flow k has src 10.1.<k/256>.<k%256>, src_port
# 1024 + k % 30000, bytes 1500 + k, so (src_addr, src_port, bytes) is
# unique per k; the datagrams are spread over --seconds.
cat >"$DIR/send.py" <<'EOF'
import socket, struct, sys, time
port, n, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
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
sent, seq, ndg, t0 = 0, 1, (n + 29) // 30, time.time()
for i in range(ndg):
    k = min(30, n - sent)
    s.sendto(v5(sent, k, seq), ("127.0.0.1", port))
    sent += k; seq += k
    delay = t0 + seconds * (i + 1) / ndg - time.time()
    if delay > 0: time.sleep(delay)
EOF

# The node the worker's NATS connection goes to (its client port), from ss.
connected_node() {
	local pid=$1 i
	for i in 0 1 2; do
		ss -Htnp state established "( dport = :${CPORT[$i]} )" 2>/dev/null | grep -q "pid=$pid," && { echo "$i"; return 0; }
	done
	return 1
}
counter() { gf_q "SELECT coalesce(sum(value), 0) FROM goflow2plus.stats() WHERE counter = '$1'"; }
# wait_until SECS FN: polls FN every 0.2 s.
wait_until() {
	local secs=$1 i; shift
	for ((i = 0; i < secs * 5; i++)); do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

gf_install "$REPO" "$DIR/build.log" || exit 1
for i in 0 1 2; do node_start "$i"; done

# JetStream in a cluster answers only once a meta leader is elected.
meta_ready() { grep -hqE "JetStream cluster new metadata leader|Self is new JetStream cluster metadata leader" "$DIR"/n*.log; }
check "three nats-server nodes elect a JetStream meta leader" wait_until 30 meta_ready

SERVERS="nats://127.0.0.1:${CPORT[0]}, nats://127.0.0.1:${CPORT[1]}, nats://127.0.0.1:${CPORT[2]}"
gf_cluster_start "netflow://127.0.0.1:${NF_PORT}" "goflow2plus.flush_interval = '100ms'
goflow2plus.transport = 'table, nats'
goflow2plus.nats_servers = '$SERVERS'
goflow2plus.nats_stream = 'gfr3'
goflow2plus.nats_subject = 'r3.{type}'
goflow2plus.nats_stream_replicas = 3
# A new stream leader is elected within seconds of the kill (longer on a
# loaded machine): 3 attempts 3 s apart outlast it.
goflow2plus.nats_ack_wait = '3s'" || exit 1
gf_q "CREATE EXTENSION goflow2plus" >/dev/null
check "worker ready" gf_wait_for 30 "SELECT bool_and(ready) FROM goflow2plus.stats()"
created() { grep -qE 'created JetStream stream "gfr3"' "$DIR/log"; }
check "the worker creates the R3 stream" wait_until 30 created
replicas=$($PY "$REPO/test/e2e/nats_check.py" stream-replicas "${CPORT[0]}" gfr3 2>/dev/null)
is "the stream has 3 replicas" "$replicas" 3

WPID=$(gf_q "SELECT DISTINCT pid FROM pg_stat_activity WHERE backend_type = 'goflow2plus worker'")
$PY "$DIR/send.py" "$NF_PORT" "$N" "$SECONDS_SENDING" &
SEND_PID=$!
sleep "$(awk -v s="$SECONDS_SENDING" 'BEGIN { print s / 2 }')"
victim=$(connected_node "$WPID")
if [ -n "$victim" ]; then
	ok "the worker is connected to node $victim"
else
	fail "the worker's NATS connection was not found (ss)"; victim=0
fi
acked_before=$(counter nats_acked)
node_kill "$victim"
check "flows were acknowledged before the kill ($acked_before)" test "$acked_before" -gt 0
wait "$SEND_PID"; SEND_PID=
survivor=$(( (victim + 1) % 3 ))

check "every flow reached the table" gf_wait_for 30 "SELECT count(*) = $N FROM goflow2plus.flows"
settled() {
	local inf buf
	inf=$(counter nats_inflight); buf=$(counter nats_buffered)
	[ "$inf" = 0 ] && [ "$buf" = 0 ]
}
check "nothing left in flight or buffered" wait_until 40 settled
pub=$(counter nats_published); ack=$(counter nats_acked); fld=$(counter nats_failed); drp=$(counter nats_dropped)
echo "# published $pub acked $ack failed $fld dropped $drp (of $N)"
is "published + dropped = every flow" $((pub + drp)) "$N"
is "published = acked + failed" "$pub" $((ack + fld))
check "publishing went on after the kill (acked $ack > $acked_before)" test "$ack" -gt "$acked_before"
is "the worker stayed up (one start)" "$(gf_counter worker_starts)" 1

# The survivors answer reads once the stream has its new leader: read
# until they do (and hold at least what was acknowledged), at most 30 s.
read_keys() {
	$CHECK keys "nats:${CPORT[$survivor]}:gfr3" >"$DIR/stream.keys" 2>"$DIR/keys.err" &&
		[ "$(wc -l <"$DIR/stream.keys")" -ge "$ack" ]
}
wait_until 30 read_keys
nkeys=$(wc -l <"$DIR/stream.keys")
ndistinct=$(sort -u "$DIR/stream.keys" | wc -l)
is "the stream holds no flow twice" "$ndistinct" "$nkeys"
check "every acknowledged flow is in the stream ($nkeys >= $ack)" test "$nkeys" -ge "$ack"
gf_q "SELECT host(src_addr) || ' ' || src_port || ' ' || bytes FROM goflow2plus.flows" | sort -u >"$DIR/table.keys"
extra=$(comm -23 <(sort -u "$DIR/stream.keys") "$DIR/table.keys" | wc -l)
is "every flow in the stream is one that was sent (and is in the table)" "$extra" 0

# The killed node comes back and catches up.  Either node may be busy
# electing a leader for a moment: both are asked on every try.
node_start "$victim"
count_on() { $PY "$REPO/test/e2e/nats_check.py" stream-count "${CPORT[$1]}" gfr3 2>/dev/null; }
caught_up() {
	local a b
	a=$(count_on "$survivor"); b=$(count_on "$victim")
	[ -n "$a" ] && [ "$a" -gt 0 ] && [ "$a" = "$b" ]
}
check "the restarted node serves the same messages as a survivor" wait_until 60 caught_up

tap_summary
