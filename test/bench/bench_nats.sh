#!/bin/bash
# bench_nats.sh
#    Figures for the JetStream sink (issue #9), not a test: one worker,
#    NetFlow v5 from udp_blast (30 records per datagram) at a fixed offered
#    rate, into a real nats-server -js (file storage) on loopback, for each
#    of these settings in turn:
#      transport = nats, format json / bin, one flow per message / batched
#      transport = table (alone), then table + nats (the cost NATS adds)
#    For each it prints the flows/s the stream acknowledged (or the table
#    took), measured from the first acknowledged flow to the last while the
#    publisher is saturated (the offered rate is above what it takes, so
#    the excess is dropped and counted, which is the design), and the
#    counters that account for every flow.
#
#    Root, loopback only; cluster as user postgres in a fresh folder.
#    Settings (environment):
#      BENCH_RATE      datagrams/s offered, default 20000 (600 k flows/s)
#      BENCH_SECONDS   seconds of sending per setting, default 5
#      BENCH_BATCH     flows per message for the batched runs, default 100
#      BENCH_ONLY      a space-separated subset of: json1 jsonB bin1 binB table table+binB table+json1
#      GF_DESTDIR=/path  use a "make install DESTDIR=/path" tree
#    About 2 to 3 minutes with the defaults.
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib/tap.sh"
tap_require_root
RATE=${BENCH_RATE:-20000}
SECS=${BENCH_SECONDS:-5}
BATCH=${BENCH_BATCH:-100}
ONLY=${BENCH_ONLY:-"json1 jsonB bin1 binB table table+binB table+json1"}
DIR=$(mktemp -d /tmp/gf_bench_nats.XXXXXX)
chmod 755 "$DIR"
PORT=$(free_port tcp)
NF_PORT=$(free_port udp)
NATS_PORT=$(free_port tcp)
PGBIN=$(pg_config --bindir)
PY=/usr/bin/python3
. "$REPO/test/lib/cluster.sh"
q() { gf_as_pg "$PGBIN/psql" -h "$DIR" -p "$PORT" -d postgres -XAtq -c "$1"; }
NATS_PID=
cleanup() {
	gf_cluster_stop
	[ -n "$NATS_PID" ] && kill "$NATS_PID" 2>/dev/null && wait "$NATS_PID" 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT

cc -O2 -o "$DIR/udp_blast" "$REPO/test/bench/udp_blast.c" || exit 1
gf_install "$REPO" "$DIR/build.log" || exit 1
nats-server -js -a 127.0.0.1 -p "$NATS_PORT" -sd "$DIR/js" >"$DIR/nats.log" 2>&1 &
NATS_PID=$!
sleep 1

# start_with TRANSPORT FORMAT BATCH STREAM: a fresh cluster for one setting.
start_with() {
	gf_cluster_start "netflow://127.0.0.1:$NF_PORT" "goflow2plus.transport = '$1'
goflow2plus.format = '$2'
goflow2plus.nats_batch = $3
goflow2plus.nats_stream = '$4'
goflow2plus.nats_subject = '$4'
goflow2plus.nats_servers = 'nats://127.0.0.1:$NATS_PORT'
goflow2plus.nats_buffer_size = '256MB'
goflow2plus.nats_stream_max_bytes = '2GB'" || return 1
	q "CREATE EXTENSION goflow2plus" >/dev/null
	for _ in $(seq 100); do
		[ "$(q "SELECT bool_and(ready) FROM goflow2plus.stats()")" = t ] && break
		sleep 0.1
	done
	if [[ $1 == *nats* ]]; then
		for _ in $(seq 100); do
			grep -q "JetStream stream \"$4\"" "$DIR/log" && break
			sleep 0.1
		done
	fi
}

# measure COUNTER: send, then follow COUNTER until it stops; prints
# "rate first..last" from the first non-zero value to the last change.
measure() {
	"$DIR/udp_blast" "$NF_PORT" "$RATE" "$SECS" >"$DIR/blast.out" 2>&1 &
	local blast=$!
	$PY - "$1" "$DIR" "$PORT" <<'EOF'
import subprocess, sys, time
counter, d, port = sys.argv[1], sys.argv[2], sys.argv[3]
def val():
    out = subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-h", d, "-p", port,
                          "-d", "postgres", "-XAtq", "-c",
                          "SELECT coalesce(sum(value),0) FROM goflow2plus.stats() WHERE counter = '%s'" % counter],
                         capture_output=True, text=True).stdout.strip()
    return int(out or 0)
t0 = v0 = None
last_v, last_t, start = 0, time.time(), time.time()
while True:
    v, t = val(), time.time()
    if v > 0 and t0 is None:
        t0, v0 = t, v
    if v != last_v:
        last_v, last_t = v, t
    if t - last_t > 2.5 and t - start > 3:
        break
    time.sleep(0.1)
if t0 is None or last_t <= t0:
    print("0 flows/s (%d)" % last_v)
else:
    print("%.0f flows/s (%d flows in %.2f s)" % ((last_v - v0) / (last_t - t0), last_v - v0, last_t - t0))
EOF
	wait "$blast"
}

row() {
	local name=$1 transport=$2 format=$3 batch=$4 counter=$5 stream=s_${1//[^a-z0-9]/_}
	start_with "$transport" "$format" "$batch" "$stream" || { echo "$name: cluster did not start"; return; }
	local r
	r=$(measure "$counter")
	sleep 1
	local stats
	stats=$(q "SELECT string_agg(counter || '=' || value, ' ' ORDER BY counter) FROM goflow2plus.stats() WHERE counter IN ('flows','rows_inserted','nats_published','nats_acked','nats_failed','nats_dropped','nats_buffered','nats_inflight','kernel_drops')")
	printf '%-12s %-10s %-5s batch %-4s %-9s %s\n    %s\n' "$name" "$transport" "$format" "$batch" "$counter:" "$r" "$stats"
	gf_cluster_stop
}

echo "# bench_nats: offered $RATE datagrams/s x 30 flows for $SECS s, $(nproc) cores, nats-server $(nats-server --version | awk '{print $2}')"
echo "# commit $(git -C "$REPO" rev-parse --short HEAD)$(git -C "$REPO" diff --quiet || echo '+changes')"
for what in $ONLY; do
	case $what in
	json1) row json1 nats json 1 nats_acked ;;
	jsonB) row "json$BATCH" nats json "$BATCH" nats_acked ;;
	bin1) row bin1 nats bin 1 nats_acked ;;
	binB) row "bin$BATCH" nats bin "$BATCH" nats_acked ;;
	table) row table table json 1 rows_inserted ;;
	table+binB) row "table+bin$BATCH" "table, nats" bin "$BATCH" rows_inserted ;;
	table+json1) row "table+json1" "table, nats" json 1 rows_inserted ;;
	esac
done
