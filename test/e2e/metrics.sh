#!/bin/bash
# metrics.sh
#    The Prometheus endpoint end to end (loopback only): a cluster with
#    goflow2plus.metrics_listen on a free port receives known traffic
#    (metrics_check.py send: IPFIX, NetFlow v9 and v5, sFlow and one
#    datagram of an unknown version, from two source addresses); /metrics
#    is scraped over HTTP and every line parsed with prometheus_client's
#    parser (Debian's python3-prometheus-client), and GoFlow2's metrics
#    must hold exactly what was sent: bytes and datagrams per source (the
#    lengths of the datagrams sent), datagrams per version, sets and
#    records per set type, template_not_found, decoder errors; with
#    GoFlow2's types and label names.
#
#    Kernel drops: with goflow2plus.rcvbuf at its minimum and the NetFlow
#    worker stopped (SIGSTOP), a burst overruns the socket; the kernel-drop
#    metric must equal the socket's own count in /proc/net/udp, and the
#    datagrams counted per source must be those sent less those dropped.
#    goflow2plus.metrics() must give the same text as /metrics (modulo
#    values that move with time), the metrics worker must run no thread
#    beside its main one, and other paths get 404.
#
#    Run as root.  GF_SKIP_INSTALL=1 / GF_DESTDIR=/path as in
#    worker_smoke.sh.  Prints "N passed, N failed".
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib/tap.sh"
tap_require_root
DIR=$(mktemp -d /tmp/gf_metrics.XXXXXX)
chmod 755 "$DIR"
PORT=${GF_METRICS_PORT:-$(free_port tcp)}
NF=$(free_port udp)
SF=$(free_port udp)
NF2=$(free_port udp)
MPORT=$(free_port tcp)
URL="http://127.0.0.1:${MPORT}/metrics"
PY=/usr/bin/python3
CHECK="$REPO/test/e2e/metrics_check.py"

. "$REPO/test/lib/cluster.sh"
cleanup() {
	[ -n "${STOPPED:-}" ] && kill -CONT "$STOPPED" 2>/dev/null
	gf_cluster_stop
	rm -rf "$DIR"
}
trap cleanup EXIT

# tally OUTPUT: print the checker's lines and count them; output with
# neither (the checker crashed) is a failure.
tally() {
	echo "$1"
	local p f
	p=$(grep -c '^ok ' <<<"$1")
	f=$(grep -c '^FAIL ' <<<"$1")
	[ "$p" = 0 ] && [ "$f" = 0 ] && f=1
	passed=$((passed + p))
	failed=$((failed + f))
}

for tool in curl ss; do
	command -v "$tool" >/dev/null || { echo "metrics.sh: $tool not installed" >&2; exit 2; }
done
$PY -c 'import prometheus_client' 2>/dev/null ||
	{ echo "metrics.sh: python3-prometheus-client not installed (scripts/install_deps.sh)" >&2; exit 2; }

gf_install "$REPO" "$DIR/install.log" || exit 1
gf_cluster_start "netflow://127.0.0.1:${NF},sflow://127.0.0.1:${SF},netflow://127.0.0.1:${NF2}?count=2" \
	"goflow2plus.metrics_listen = '127.0.0.1:${MPORT}'
goflow2plus.flush_interval = 50
# 4 sockets + builder, supervisor, maintenance, metrics + PostgreSQL's
# logical replication launcher is 9: more than the default 8.
max_worker_processes = 16" || exit 1
gf_q "CREATE EXTENSION goflow2plus" >/dev/null
check "workers ready" gf_wait_for 20 "SELECT bool_and(ready) FROM goflow2plus.stats()"
check "metrics endpoint answers" bash -c "for i in \$(seq 50); do curl -sf -o /dev/null '$URL' && exit 0; sleep 0.1; done; exit 1"

# ---- GoFlow2's metrics hold the traffic sent ------------------------------
$PY "$CHECK" send "$NF" "$SF" "$NF2" "$DIR/expected.json"
check "all flow rows written" gf_wait_for 10 "SELECT count(*) = 49 FROM goflow2plus.flows"
tally "$($PY "$CHECK" expect "$URL" "$DIR/expected.json" 2>&1)"

tally "$($PY "$CHECK" pending "$URL" '{"worker": "0", "listen": "netflow://127.0.0.1:'"$NF"'"}' 2>&1)"
is "another path is 404" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${MPORT}/other")" 404
MPID=$(ss -Htlnp "sport = :${MPORT}" | grep -oE 'pid=[0-9]+' | head -1 | cut -d= -f2)
is "the metrics worker is one thread" "$(ls /proc/"${MPID:-0}"/task 2>/dev/null | wc -l)" 1
is "the endpoint is served by the 'goflow2plus metrics' worker" \
	"$(ps -o cmd= -p "${MPID:-0}" | grep -c 'goflow2plus metrics')" 1

# ---- metrics() is the same text --------------------------------------------
$PY "$CHECK" scrape "$URL" >"$DIR/http1.txt"
gf_q "SELECT goflow2plus.metrics()" >"$DIR/sql.txt"
tally "$($PY "$CHECK" same "$DIR/http1.txt" "$DIR/sql.txt" 2>&1)"
is "metrics() is not granted to PUBLIC" \
	"$(gf_q "SELECT has_function_privilege('public', 'goflow2plus.metrics()', 'EXECUTE')")" f

# ---- kernel drops ------------------------------------------------------------
NFW='{"worker": "0", "listen": "netflow://127.0.0.1:'"$NF"'"}'
BSRC='{"remote_ip": "127.0.0.2", "local_ip": "127.0.0.1", "local_port": "'"$NF"'", "type": "netflow"}'
rcv_before=$(gf_counter rcvbuf_bytes | head -1)
gf_q "ALTER SYSTEM SET goflow2plus.rcvbuf = 1" >/dev/null
gf_q "SELECT pg_reload_conf()" >/dev/null
check "rcvbuf shrunk after reload" gf_wait_for 10 \
	"SELECT value < $rcv_before FROM goflow2plus.stats() WHERE worker = 0 AND counter = 'rcvbuf_bytes'"
pkts_before=$($PY "$CHECK" value "$URL" goflow2_flow_traffic_packets "$BSRC")
WPID=$(ss -Huanp "sport = :${NF}" | grep -oE 'pid=[0-9]+' | head -1 | cut -d= -f2)
BLAST=2000
STOPPED=$WPID
kill -STOP "$WPID"
$PY "$CHECK" blast "$NF" "$BLAST"
kill -CONT "$WPID"
STOPPED=
# The last datagrams of the burst were dropped after the last one the
# worker will read: SO_RXQ_OVFL alone would not show them, the worker's
# SO_MEMINFO read at its next tick (1 s) must.
drops=$($PY "$CHECK" drops "$NF")
check "the burst overran the socket ($drops drops)" test "${drops:-0}" -gt 0
for i in $(seq 50); do
	got=$($PY "$CHECK" value "$URL" goflow2plus_kernel_drops_total "$NFW")
	[ "$got" = "$drops" ] && break
	sleep 0.2
done
is "goflow2plus_kernel_drops_total equals /proc/net/udp drops" "$got" "$drops"
is "stats() kernel_drops agrees" "$(gf_q "SELECT value FROM goflow2plus.stats() WHERE worker = 0 AND counter = 'kernel_drops'")" "$drops"
pkts_after=$($PY "$CHECK" value "$URL" goflow2_flow_traffic_packets "$BSRC")
is "datagrams counted = sent - dropped" "$((pkts_after - pkts_before))" "$((BLAST - drops))"

# ---- the setting -------------------------------------------------------------
for bad in 'nohost:9188' '127.0.0.1' '127.0.0.1:0' '127.0.0.1:70000' '[::1]9188' '::1:9188'; do
	if gf_q "ALTER SYSTEM SET goflow2plus.metrics_listen = '$bad'" >/dev/null 2>&1; then
		fail "metrics_listen '$bad' accepted"
	else
		ok "metrics_listen '$bad' refused"
	fi
done
if ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
	M6=$(free_port tcp)
	gf_q "ALTER SYSTEM SET goflow2plus.metrics_listen = '[::1]:${M6}'" >/dev/null
	gf_as_pg "$GF_PGBIN/pg_ctl" -D "$DIR/data" -m fast -w restart >/dev/null
	check "an IPv6 address serves /metrics after a restart" bash -c \
		"for i in \$(seq 50); do curl -sfg 'http://[::1]:${M6}/metrics' | grep -q '^# TYPE goflow2_flow_traffic_bytes counter' && exit 0; sleep 0.1; done; exit 1"
	is "the old address is closed" "$(curl -s -o /dev/null -w '%{http_code}' "$URL")" 000
fi

tap_summary
