#!/bin/bash
# legacy_e2e.sh
#    NetFlow v1, v7 and v8 and the vendor quirks end to end, loopback only,
#    on a throwaway cluster running goflow2plus; every row is compared with
#    tshark's decode of the datagrams that reached it
#    (test/e2e/compare_db_tshark.py).
#
#    Real exporters: softflowd -v 1 turns the known traffic of
#    gen_traffic_pcap.py into NetFlow v1 (also checked against the traffic
#    as built and the packets' own times); fprobe -n 7 and -n 1 watch
#    traffic this script sends on lo (fprobe reads no pcap file).  tshark
#    captures their datagrams while they run.
#
#    Built datagrams (no exporter here sends them): gen_legacy_netflow.py
#    writes NetFlow v8 of every aggregation scheme, v1/v7, and the quirks
#    (padded v5, v9 fields of length 65535, a zero-padded v9 datagram,
#    8-byte FIRST/LAST_SWITCHED, Cisco ASA NSEL events) as a pcap; its
#    payloads are replayed to the collector (test/tools/replay_udp.py) and
#    the rows compared with tshark's decode of that pcap.  Facts tshark
#    does not show are checked against the generator's --facts: padding
#    counters in stats(), the 8-byte times, and the NSEL sums the README
#    recommends ("Cisco ASA NSEL") against the naive sum.
#
#    Run as root.  GF_SKIP_INSTALL=1 / GF_DESTDIR=/path as test/lib/cluster.sh
#    says.  Prints one line per check and "N passed, M failed".
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib/tap.sh"
. "$REPO/test/lib/cluster.sh"
PY=/usr/bin/python3

tap_require_root
for tool in softflowd fprobe tshark capinfos; do
	command -v "$tool" >/dev/null || { echo "legacy_e2e: $tool not installed (scripts/install_deps.sh)" >&2; exit 2; }
done

PORT=$(free_port tcp)
NF_PORT=$(free_port udp)
TRAFFIC_PORT=$(free_port udp)
DIR=$(mktemp -d /tmp/gf_legacy.XXXXXX)
chmod 755 "$DIR"
TSHARK_PID=
FPROBE_PID=

stop_capture() {
	if [ -n "$TSHARK_PID" ]; then
		kill -INT "$TSHARK_PID" 2>/dev/null
		wait "$TSHARK_PID" 2>/dev/null
		TSHARK_PID=
	fi
}
finish() {
	local rc=$?
	stop_capture
	[ -n "$FPROBE_PID" ] && kill "$FPROBE_PID" 2>/dev/null
	gf_cluster_stop
	if [ "$rc" -eq 0 ] && [ "$failed" = 0 ]; then
		rm -rf "$DIR"
	else
		echo "(files of this run kept in $DIR)"
	fi
}
trap finish EXIT

gf_install "$REPO" /tmp/gf_legacy_e2e.build.log || exit 1
gf_cluster_start "flow://127.0.0.1:${NF_PORT}" "goflow2plus.flush_interval = '200ms'" || exit 1
gf_q "CREATE EXTENSION goflow2plus" >/dev/null || { echo "CREATE EXTENSION failed" >&2; exit 1; }
gf_wait_for 60 "SELECT coalesce(bool_and(ready), false) FROM goflow2plus.stats()" || {
	fail "workers ready within 60 s"; tail -20 "$DIR/log"; tap_summary; exit 1; }

# Wait until the workers have seen $1 more datagrams than $2 and the row
# count has stopped moving (the writer flushes every 200 ms here).
settle() {
	local want=$(($2 + $1)) i last=-1 now stable=0
	for ((i = 0; i < 300; i++)); do
		[ "$(gf_counter packets)" -ge "$want" ] && break
		sleep 0.1
	done
	for ((i = 0; i < 100; i++)); do
		now=$(gf_q "SELECT count(*) FROM goflow2plus.flows")
		if [ "$now" = "$last" ]; then
			stable=$((stable + 1))
			[ $stable -ge 3 ] && return 0
		else
			stable=0
		fi
		last=$now
		sleep 0.2
	done
	return 1
}

dump_rows() {
	gf_q "$($PY "$REPO/test/e2e/compare_db_tshark.py" --pcap x --rows x --print-sql)" >"$1"
}

# capture_start NAME: tshark on lo for the collector's port, into
# $DIR/cap/NAME.pcap (dumpcap cannot write into a postgres-owned folder).
mkdir -p "$DIR/cap"
chmod 777 "$DIR/cap"
capture_start() {
	local i
	rm -f "$DIR/cap/$1.pcap"
	tshark -i lo -f "udp port ${NF_PORT}" -F pcap -w "$DIR/cap/$1.pcap" >/dev/null 2>"$DIR/$1.tshark.err" &
	TSHARK_PID=$!
	for ((i = 0; i < 100; i++)); do
		grep -q "Capturing on" "$DIR/$1.tshark.err" 2>/dev/null && break
		sleep 0.1
	done
	sleep 0.3
}

# compare NAME TYPE [ARGS...]: rows of TYPE against tshark's decode of
# $DIR/cap/NAME.pcap after its datagrams have settled.
compare() {
	local name=$1 type=$2 n before=$3; shift 3
	n=$(capinfos -c -M "$DIR/cap/$name.pcap" 2>/dev/null | awk '/Number of packets/ {print $NF}')
	n=${n:-0}
	if [ "$n" -eq 0 ]; then
		fail "$name: the exporter sent no datagrams"
		return
	fi
	settle "$n" "$before" || echo "  $name: rows still moving after 20 s"
	dump_rows "$DIR/$name.rows.jsonl"
	check "$name: $n datagrams, rows equal to tshark's decode" \
		$PY "$REPO/test/e2e/compare_db_tshark.py" --pcap "$DIR/cap/$name.pcap" \
		--rows "$DIR/$name.rows.jsonl" --label "$name" --type "$type" \
		--tshark-arg=-d "--tshark-arg=udp.port==${NF_PORT},cflow" "$@"
}

# ---- softflowd -v 1 on the known traffic ------------------------------------

$PY "$REPO/test/e2e/gen_traffic_pcap.py" --t0 "$(($(date +%s) - 600))" \
	"$DIR/traffic.pcap" "$DIR/traffic.json" >/dev/null || exit 1
chmod 644 "$DIR/traffic.pcap"
gf_q "TRUNCATE goflow2plus.flows" >/dev/null
before=$(gf_counter packets)
capture_start softflowd-v1
timeout 60 softflowd -r "$DIR/traffic.pcap" -c none -d -n "127.0.0.1:${NF_PORT}" -v 1 -T full \
	>"$DIR/softflowd-v1.log" 2>&1 || echo "  softflowd exited $?; see $DIR/softflowd-v1.log"
sleep 1
stop_capture
compare softflowd-v1 NETFLOW_V1 "$before" --truth "$DIR/traffic.json" --times

# ---- fprobe -n 7 and -n 1 on traffic sent now -----------------------------------

# Datagrams of several sizes to TRAFFIC_PORT from three source ports, and
# a TCP exchange on the same port number: a few flows of known shape.
send_traffic() {
	$PY - "$TRAFFIC_PORT" <<'PYEOF'
import socket, sys, time
port = int(sys.argv[1])
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(1)
for k in range(3):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(5 + k):
        s.sendto(b"u" * (100 + 50 * k + i), ("127.0.0.1", port))
        time.sleep(0.005)
    s.close()
c = socket.create_connection(("127.0.0.1", port))
a, _ = srv.accept()
c.sendall(b"t" * 3000)
a.recv(65536)
a.sendall(b"r" * 500)
c.recv(65536)
c.close()
a.close()
srv.close()
PYEOF
}

run_fprobe() {
	local v=$1 name=fprobe-v$1 type=NETFLOW_V$1 i
	gf_q "TRUNCATE goflow2plus.flows" >/dev/null
	before=$(gf_counter packets)
	capture_start "$name"
	# -d 1 -e 2 -s 1: short timers, in case SIGTERM's flush were late.
	fprobe -i lo -f "port ${TRAFFIC_PORT}" -n "$v" -s 1 -d 1 -e 2 -l 2 "127.0.0.1:${NF_PORT}" \
		>"$DIR/$name.log" 2>&1 &
	FPROBE_PID=$!
	for ((i = 0; i < 50; i++)); do
		grep -q "collector #1" "$DIR/$name.log" 2>/dev/null && break
		sleep 0.1
	done
	sleep 0.5
	send_traffic || echo "  $name: sending traffic failed"
	# fprobe's capture thread needs a moment for the last packets; its
	# SIGTERM handler then emits every flow still cached.
	sleep 0.5
	kill -TERM "$FPROBE_PID" 2>/dev/null
	wait "$FPROBE_PID" 2>/dev/null
	FPROBE_PID=
	sleep 0.5
	stop_capture
	compare "$name" "$type" "$before"
}
run_fprobe 7
run_fprobe 1

# ---- built datagrams: v8 schemes, quirks, NSEL ----------------------------------

gf_q "TRUNCATE goflow2plus.flows" >/dev/null
before=$(gf_counter packets)
pad_dg_before=$(gf_counter nf_padded_datagrams)
pad_bytes_before=$(gf_counter nf_padding_bytes)
malformed_before=$(gf_counter packets_malformed)
$PY "$REPO/test/e2e/gen_legacy_netflow.py" "$DIR/legacy.pcap" --facts "$DIR/facts.json" >/dev/null || exit 1
out=$($PY "$REPO/test/tools/replay_udp.py" "$DIR/legacy.pcap" --port "$NF_PORT" \
	--first-source 127.0.9.1 --map "$DIR/replay.map.json" 2>&1) || { echo "$out"; fail "replay of built datagrams"; }
sent=$(echo "$out" | $PY -c 'import json,sys; print(json.loads(sys.stdin.read().splitlines()[-1])["sent"])')
settle "$sent" "$before" || echo "  built: rows still moving after 20 s"
dump_rows "$DIR/built.rows.jsonl"
check "built v1/v7/v8/quirk/NSEL datagrams ($sent): rows equal to tshark's decode" \
	$PY "$REPO/test/e2e/compare_db_tshark.py" --pcap "$DIR/legacy.pcap" --rows "$DIR/built.rows.jsonl" \
	--map "$DIR/replay.map.json" --label built
fact() { $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, d))' "$DIR/facts.json" "$1"; }
is "no built datagram counted malformed" "$(($(gf_counter packets_malformed) - malformed_before))" 0
is "padded datagrams counted (v5 x2, v9 zeros)" \
	"$(($(gf_counter nf_padded_datagrams) - pad_dg_before))" "$(fact padded_datagrams)"
is "padding bytes counted" "$(($(gf_counter nf_padding_bytes) - pad_bytes_before))" "$(fact padding_bytes)"
is "v9 fields of length 65535 counted" "$(gf_counter nf_v9_varlen_fields)" 1
is "v8 datagrams decoded" "$(gf_counter packets_netflow_v8)" 15
# tshark shows 8-byte FIRST/LAST_SWITCHED as 1970: the times against the
# uptimes that were sent.
is "8-byte FIRST/LAST_SWITCHED read as uptimes" \
	"$(gf_q "SELECT count(*) FROM goflow2plus.flows WHERE host(src_addr) LIKE '$(fact 'nxos["src_prefix"]')%'
	         AND (extract(epoch FROM time_flow_start) * 1e9)::bigint = $(fact 'nxos["start_ns"]')
	         AND (extract(epoch FROM time_flow_end) * 1e9)::bigint = $(fact 'nxos["end_ns"]')")" 2
# NSEL: the naive sum counts the connection twice; the README's rule
# (teardown events only) counts it once, as do the update deltas.
nsel_src=$(fact 'nsel["src"]')
is "NSEL naive sum counts updates and teardown" \
	"$(gf_q "SELECT sum(bytes) FROM goflow2plus.flows WHERE src_addr = '$nsel_src'")" \
	"$(fact 'sum(nsel["update"]) + sum(nsel["teardown"])')"
is "NSEL rows: one per event (create, 2 updates, teardown)" \
	"$(gf_q "SELECT string_agg(fw_event::text, ',' ORDER BY fw_event) FROM goflow2plus.flows WHERE src_addr = '$nsel_src'")" "1,2,5,5"
is "NSEL teardown events (fw_event = 2) count the connection once" \
	"$(gf_q "SELECT sum(bytes) FROM goflow2plus.flows WHERE src_addr = '$nsel_src' AND fw_event = 2")" \
	"$(fact 'sum(nsel["teardown"])')"
is "NSEL update events (fw_event = 5) add up to the same" \
	"$(gf_q "SELECT sum(bytes) FROM goflow2plus.flows WHERE src_addr = '$nsel_src' AND fw_event = 5")" \
	"$(fact 'sum(nsel["update"])')"

tap_summary
