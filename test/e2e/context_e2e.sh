#!/bin/bash
# context_e2e.sh
#    Context enrichment with live workers on a throwaway cluster (loopback
#    only): a committed INSERT, UPDATE or DELETE on goflow2plus.networks
#    reaches the flows written by the workers within 1 s, measured from
#    the commit to the first received flow that shows it (and no flow
#    received more than 1 s after the commit shows the old value); device
#    and interface names and sampling overrides reach them too; flow
#    times match the traffic that made them.  Also: the builder is
#    restarted when terminated, and the context stays in use meanwhile.
#
#    Run as root.  GF_SKIP_INSTALL=1 / GF_DESTDIR=/path as in
#    worker_smoke.sh.  Prints "N passed, N failed".
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib/tap.sh"
tap_require_root
DIR=$(mktemp -d /tmp/gf_context_e2e.XXXXXX)
chmod 755 "$DIR"
PORT=${GF_CTX_PORT:-$(free_port tcp)}
NF_PORT=${GF_CTX_NF_PORT:-$(free_port udp)}
PY=/usr/bin/python3
LISTEN="netflow://127.0.0.1:${NF_PORT}?count=2"

. "$REPO/test/lib/cluster.sh"
cleanup() { kill "${SENDER:-}" 2>/dev/null; gf_cluster_stop; rm -rf "$DIR"; }
trap cleanup EXIT

# The sender: NetFlow v5 datagrams, one every 20 ms for $1 seconds, each
# one record 10.1.2.3 -> 192.168.7.9 (in_if 3, out_if 7, header rate 100)
# whose first/last switched times are 1500/500 ms before the export,
# marked by sequence number.  It prints the Unix time of each send.
cat >"$DIR/send_v5.py" <<'PY'
import socket, struct, sys, time
port, secs = int(sys.argv[1]), float(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
uptime0 = 5_000_000
start = time.time()
seq = 0
while time.time() - start < secs:
    now = time.time()
    uptime = uptime0 + int((now - start) * 1000)
    hdr = struct.pack("!HHIIIIBBH", 5, 1, uptime, int(now), int((now % 1) * 1e9),
                      seq, 0, 0, (1 << 14) | 100)
    rec = struct.pack("!4s4s4sHHIIIIHHBBBBHHBBH",
                      socket.inet_aton("10.1.2.3"), socket.inet_aton("192.168.7.9"),
                      socket.inet_aton("0.0.0.0"), 3, 7, 1, 1000,
                      uptime - 1500, uptime - 500, 1234, 80, 0, 0x12, 6, 0,
                      64512, 64513, 24, 16, 0)
    s.sendto(hdr + rec, ("127.0.0.1", port))
    seq += 1
    time.sleep(0.02)
PY

gf_install "$REPO" "$DIR/install.log" || exit 1
gf_cluster_start "$LISTEN" "goflow2plus.flush_interval = 50" || exit 1
gf_q "CREATE EXTENSION goflow2plus" >/dev/null
gf_wait_for 10 "SELECT count(*) = 2 FROM goflow2plus.stats() WHERE counter = 'packets' AND ready" \
	|| echo "# workers not ready" >&2

# Traffic all along.
"$PY" "$DIR/send_v5.py" "$NF_PORT" 40 &
SENDER=$!
gf_wait_for 10 "SELECT count(*) > 10 FROM goflow2plus.flows" || echo "# no flows yet" >&2
is "flows arrive without context (src_group NULL)" \
	"$(gf_q "SELECT count(*) > 0 AND count(src_group) = 0 FROM goflow2plus.flows")" t

# latency_is NAME CHANGE_SQL CONDITION_NEW CONDITION_OLD: run the
# change, note its commit time (the statement's clock after it returned),
# wait 2.5 s, then: some flow received after the commit shows the new
# value, the first did so within 1 s, and no flow received later than
# 1 s after the commit shows the old value.
latency_check() {
	local name=$1 change=$2 new=$3 old=$4 t0 first stale
	t0=$(gf_q "$change; SELECT clock_timestamp()" | tail -1)
	sleep 2.5
	first=$(gf_q "SELECT coalesce(extract(epoch FROM min(time_received) - '$t0'::timestamptz), 99) FROM goflow2plus.flows WHERE time_received > '$t0' AND ($new)")
	stale=$(gf_q "SELECT count(*) FROM goflow2plus.flows WHERE time_received > '$t0'::timestamptz + interval '1 s' AND ($old)")
	echo "# $name: first flow with the new context $first s after the commit; stale rows after 1 s: $stale"
	is "$name: in effect within 1 s" "$(gf_q "SELECT $first < 1.0")" t
	is "$name: no stale rows after 1 s" "$stale" 0
}

latency_check "INSERT network" \
	"INSERT INTO goflow2plus.networks (name, cidr, context) VALUES ('web', '10.1.2.0/24', '{\"tier\": \"frontend\"}')" \
	"src_group = 'web' AND src_context->>'tier' = 'frontend'" "src_group IS NULL"
latency_check "UPDATE network" \
	"UPDATE goflow2plus.networks SET name = 'web2' WHERE name = 'web'" \
	"src_group = 'web2'" "src_group IS DISTINCT FROM 'web2'"
latency_check "INSERT more specific" \
	"INSERT INTO goflow2plus.networks (name, cidr) VALUES ('host', '10.1.2.3/32')" \
	"src_group = 'host'" "src_group IS DISTINCT FROM 'host'"
latency_check "DELETE network" \
	"DELETE FROM goflow2plus.networks WHERE name = 'host'" \
	"src_group = 'web2'" "src_group IS DISTINCT FROM 'web2'"
latency_check "device, interfaces and override" \
	"BEGIN; INSERT INTO goflow2plus.devices (exporter, name, site) VALUES ('127.0.0.1', 'edge-1', 'lab'); INSERT INTO goflow2plus.interfaces (exporter, if_index, name, boundary) VALUES ('127.0.0.1', 3, 'xe-0/0/3', 'external'), ('127.0.0.1', 7, 'ae0', 'internal'); INSERT INTO goflow2plus.sampling_rates (exporter, rate, kind) VALUES ('127.0.0.0/8', 1000, 'override'); COMMIT" \
	"device_name = 'edge-1' AND in_if_name = 'xe-0/0/3' AND in_if_boundary = 'external' AND out_if_name = 'ae0' AND sampling_rate = 1000 AND sampling_rate_source = 'override'" \
	"device_name IS NULL OR sampling_rate = 100"

is "rate source of the v5 header before the override" \
	"$(gf_q "SELECT DISTINCT sampling_rate_source FROM goflow2plus.flows WHERE sampling_rate = 100")" packet_header

# Flow times: start and end are 1500 and 500 ms before the export, which
# happened at time_received (loopback): allow 200 ms for the way there.
is "flow times match the traffic (end 0.5 s, start 1.5 s before receipt)" \
	"$(gf_q "SELECT bool_and(abs(extract(epoch FROM time_received - time_flow_end) - 0.5) < 0.2 AND abs(extract(epoch FROM time_flow_end - time_flow_start) - 1.0) < 0.01) FROM goflow2plus.flows")" t

gen=$(gf_q "SELECT generation FROM goflow2plus.context_status()")
is "context_status shows what is in use" \
	"$(gf_q "SELECT networks = 1 AND devices = 1 AND interfaces = 2 AND sampling_rates = 1 AND bytes > 0 AND last_error IS NULL FROM goflow2plus.context_status()")" t
# The small changes above were published as overlays on the first build.
is "small changes were overlays, not rebuilds" \
	"$(gf_q "SELECT overlay_builds >= 4 AND full_builds >= 1 FROM goflow2plus.context_status()")" t

# The builder is restarted when terminated, and the context stays in use
# meanwhile.
full=$(gf_q "SELECT full_builds FROM goflow2plus.context_status()")
gf_q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'goflow2plus context builder'" >/dev/null
sleep 1
is "flows keep their context while the builder is away" \
	"$(gf_q "SELECT count(*) > 0 AND bool_and(src_group = 'web2') FROM goflow2plus.flows WHERE time_received > now() - interval '0.5 s'")" t
gf_wait_for 15 "SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'goflow2plus context builder'"
is "builder restarted" "$(gf_q "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'goflow2plus context builder'")" 1
gf_q "UPDATE goflow2plus.networks SET name = 'web3'" >/dev/null
is "a change after the restart is published" "$(gf_q "SELECT goflow2plus.context_wait(10000)")" t
is "generation moved on" "$(gf_q "SELECT generation > $gen FROM goflow2plus.context_status()")" t
# A restarted builder has no base: its first build is a full one.
is "the restarted builder's first build is full" \
	"$(gf_q "SELECT full_builds > $full FROM goflow2plus.context_status()")" t

kill "$SENDER" 2>/dev/null; wait "$SENDER" 2>/dev/null
is "no worker or builder crashed" \
	"$(grep -cE 'terminated by signal|PANIC|server process .* was terminated' "$DIR/log")" 0
tap_summary
