#!/bin/bash
# exporters_e2e.sh
#    End to end with real exporters, loopback only: known traffic (a pcap
#    file made by gen_traffic_pcap.py, never sent) is turned into flow
#    datagrams by softflowd (NetFlow v5, v9, IPFIX) and pmacctd (nfprobe
#    v9 and IPFIX, sfprobe sFlow), which send them to a throwaway cluster
#    running goflow2plus.  tshark captures the datagrams on lo while each
#    exporter runs; the rows in goflow2plus.flows are then compared with
#    tshark's decode of that capture (test/e2e/compare_db_tshark.py), and
#    the rows of goflow2plus.interface_counters with its counter samples
#    (test/e2e/compare_ifcounters_tshark.py).
#
#    The traffic is stamped ten minutes before the run, and the softflowd
#    runs also check each flow's start and end against the times of its
#    own packets (compare_db_tshark.py --times): with -a (softflowd takes
#    its clocks from the pcap) and without it (its uptime origin is the
#    moment it starts, after every packet, so its uptime readings are
#    "before boot" and wrap).
#
#    Then the shared captures of third-party exporters
#    (../shared/testdata/captures, skipped when absent) are replayed one
#    file at a time (test/tools/replay_udp.py, each original exporter from
#    its own loopback source address, so colliding template ids stay
#    apart) and the rows compared with tshark's stored decode.
#
#    Run as root.  By default it runs "make install" under the shared build
#    lock; GF_SKIP_INSTALL=1 uses what is installed; GF_DESTDIR=/path uses
#    a "make install DESTDIR=/path" tree (Debian's extension_destdir).
#    GF_E2E_CAPTURES=/path overrides the captures folder; GF_E2E_NO_REPLAY=1
#    skips the replay part.  The cluster's folder is a fresh mktemp one
#    (kept on failure); ports are free ones unless GF_E2E_PORT (PostgreSQL),
#    GF_E2E_NF_PORT and GF_E2E_SF_PORT are set.  Prints one result line per run and
#    "N passed, N failed" (runs as units); exits non-zero on any failure.
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
PGBIN=$(pg_config --bindir)
PY=/usr/bin/python3
# A port nothing listens on now (TCP for PostgreSQL, UDP for the collector).
free_port() {
	$PY -c 'import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1]=="udp" else socket.SOCK_STREAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' "$1"
}
PORT=${GF_E2E_PORT:-$(free_port tcp)}
NF_PORT=${GF_E2E_NF_PORT:-$(free_port udp)}
SF_PORT=${GF_E2E_SF_PORT:-$(free_port udp)}
CAPTURES=${GF_E2E_CAPTURES:-$(dirname "$REPO")/shared/testdata/captures}
TSHARK_DECODE=(--tshark-arg=-d "--tshark-arg=udp.port==${NF_PORT},cflow"
	--tshark-arg=-d "--tshark-arg=udp.port==${SF_PORT},sflow"
	--tshark-arg=-o --tshark-arg=cflow.max_template_fields:0)

passed=0
failed=0
failed_runs=()

if [ "$(id -u)" != 0 ]; then
	echo "run as root (the cluster runs as user postgres)" >&2
	exit 2
fi
for tool in softflowd pmacctd tshark capinfos; do
	command -v "$tool" >/dev/null || { echo "exporters_e2e: $tool not installed" >&2; exit 2; }
done

as_pg() { runuser -u postgres -- "$@"; }
q() { as_pg "$PGBIN/psql" -h "$DIR" -p "$PORT" -d postgres -XAtq -v ON_ERROR_STOP=1 -c "$1"; }

TSHARK_PID=
stop_capture() {
	if [ -n "$TSHARK_PID" ]; then
		kill -INT "$TSHARK_PID" 2>/dev/null
		wait "$TSHARK_PID" 2>/dev/null
		TSHARK_PID=
	fi
}
stop_cluster() {
	stop_capture
	if [ -f "$DIR/data/postmaster.pid" ]; then
		as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1
	fi
}
DIR=
finish() {
	local rc=$?
	stop_cluster
	# Kept for a look when anything failed.
	if [ -n "$DIR" ] && [ "$rc" -eq 0 ]; then
		rm -rf "$DIR"
	elif [ -n "$DIR" ]; then
		echo "(files of this run kept in $DIR)"
	fi
}
trap finish EXIT

# Wait up to $1 seconds for the SQL condition $2 to be 't'.
wait_for() {
	local secs=$1 sql=$2 i
	for ((i = 0; i < secs * 10; i++)); do
		[ "$(q "$sql" 2>/dev/null)" = "t" ] && return 0
		sleep 0.1
	done
	return 1
}

counter() { q "SELECT coalesce(sum(value),0) FROM goflow2plus.stats() WHERE counter = '$1'"; }

# Wait until the workers have seen $1 more datagrams than $2 and the row
# count has stopped moving for 0.3 s (the writer flushes every 50 ms here;
# the datagrams are all in once the packets counter has them).
settle() {
	local want=$(($2 + $1)) i last=-1 now stable=0
	for ((i = 0; i < 300; i++)); do
		[ "$(counter packets)" -ge "$want" ] && break
		sleep 0.1
	done
	for ((i = 0; i < 100; i++)); do
		now=$(q "SELECT count(*) FROM goflow2plus.flows")
		if [ "$now" = "$last" ]; then
			stable=$((stable + 1))
			[ $stable -ge 3 ] && return 0
		else
			stable=0
		fi
		last=$now
		sleep 0.1
	done
	return 1
}

dump_rows() {
	as_pg "$PGBIN/psql" -h "$DIR" -p "$PORT" -d postgres -XAtq -v ON_ERROR_STOP=1 \
		-c "$($PY "$REPO/test/e2e/compare_db_tshark.py" --pcap x --rows x --print-sql)" >"$1"
}

# interface_counters rows against tshark's counter samples
# (compare_ifcounters_tshark.py); $1 label, $2 pcap, then its arguments.
compare_ifcounters() {
	local label=$1 pcap=$2; shift 2
	as_pg "$PGBIN/psql" -h "$DIR" -p "$PORT" -d postgres -XAtq -v ON_ERROR_STOP=1 \
		-c "$($PY "$REPO/test/e2e/compare_ifcounters_tshark.py" --pcap x --rows x --print-sql)" \
		>"$DIR/ifcounters.rows.jsonl"
	$PY "$REPO/test/e2e/compare_ifcounters_tshark.py" --pcap "$pcap" --rows "$DIR/ifcounters.rows.jsonl" \
		--label "$label" "$@"
	record "$label" $?
}

record() {
	local name=$1 rc=$2
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok   - $name"
	else
		failed=$((failed + 1))
		failed_runs+=("$name")
		echo "FAIL - $name"
	fi
}

# ---- build, install, cluster ------------------------------------------------

if [ "${GF_SKIP_INSTALL:-0}" != 1 ] && [ -z "${GF_DESTDIR:-}" ]; then
	(cd "$REPO" && flock /tmp/gf-build.lock make install ${GF_MAKE_ARGS:-} >/tmp/gf_e2e.build.log 2>&1) || {
		echo "make install failed; see /tmp/gf_e2e.build.log" >&2
		exit 1
	}
fi

DIR=$(mktemp -d /tmp/gf_e2e.XXXXXX)
chmod 755 "$DIR"
chown postgres: "$DIR"
as_pg "$PGBIN/initdb" -D "$DIR/data" -A trust -U postgres >/dev/null || { echo "initdb failed" >&2; exit 1; }
cat >>"$DIR/data/postgresql.conf" <<EOF
port = $PORT
listen_addresses = ''
unix_socket_directories = '$DIR'
shared_preload_libraries = 'goflow2plus'
goflow2plus.listen = 'flow://127.0.0.1:${NF_PORT},sflow://127.0.0.1:${SF_PORT}'
goflow2plus.database = 'postgres'
goflow2plus.flush_interval = '50ms'
log_line_prefix = '%m [%p] %b '
EOF
if [ -n "${GF_DESTDIR:-}" ]; then
	cat >>"$DIR/data/postgresql.conf" <<EOF
extension_destdir = '$GF_DESTDIR'
dynamic_library_path = '$GF_DESTDIR$(pg_config --pkglibdir):\$libdir'
EOF
fi
as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w start >/dev/null || {
	echo "cluster did not start:" >&2; tail -20 "$DIR/log" >&2; exit 1; }
q "CREATE EXTENSION goflow2plus" >/dev/null || { echo "CREATE EXTENSION failed" >&2; exit 1; }
if ! wait_for 60 "SELECT coalesce(bool_and(ready), false) FROM goflow2plus.stats()"; then
	echo "workers not ready within 60 s:" >&2; tail -20 "$DIR/log" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

# dumpcap keeps only its capture capabilities: it cannot write into the
# cluster's directory (owned by postgres), so captures go to a root one.
mkdir -p "$DIR/cap"
chmod 755 "$DIR/cap"
# Ten minutes ago: old enough that an exporter clock started now (softflowd
# without -a) has to count back past its own start.
$PY "$REPO/test/e2e/gen_traffic_pcap.py" --t0 "$(($(date +%s) - 600))" \
	"$DIR/traffic.pcap" "$DIR/traffic.json" || exit 1
chmod 644 "$DIR/traffic.pcap"

# ---- one exporter run ---------------------------------------------------------
# run_exporter NAME TYPE COMMAND...: capture on lo while COMMAND runs, then
# compare the rows of TYPE with tshark's decode of the capture (and with
# the arguments in CMP_EXTRA, e.g. --times).
CMP_EXTRA=()
run_exporter() {
	local name=$1 type=$2; shift 2
	local cap="$DIR/cap/$name.pcap" before n rc i
	q "TRUNCATE goflow2plus.flows, goflow2plus.interface_counters" >/dev/null
	before=$(counter packets)
	rm -f "$cap" "$DIR/$name.tshark.err"
	tshark -i lo -f "udp port ${NF_PORT} or udp port ${SF_PORT}" -F pcap -w "$cap" \
		>/dev/null 2>"$DIR/$name.tshark.err" &
	TSHARK_PID=$!
	# tshark says so on stderr once it captures.
	for ((i = 0; i < 100; i++)); do
		grep -q "Capturing on" "$DIR/$name.tshark.err" 2>/dev/null && break
		sleep 0.1
	done
	sleep 0.3
	timeout 120 "$@" >"$DIR/$name.exporter.log" 2>&1
	rc=$?
	sleep 1
	stop_capture
	if [ $rc -ne 0 ]; then
		echo "  $name: exporter exited $rc; see $DIR/$name.exporter.log"
		tail -5 "$DIR/$name.exporter.log" | sed 's/^/    /'
	fi
	n=$(capinfos -c -M "$cap" 2>/dev/null | awk '/Number of packets/ {print $NF}')
	n=${n:-0}
	if [ "$n" -eq 0 ]; then
		echo "  $name: the exporter sent no datagrams"
		record "$name" 1
		return
	fi
	settle "$n" "$before" || echo "  $name: rows still moving after 20 s"
	dump_rows "$DIR/$name.rows.jsonl"
	$PY "$REPO/test/e2e/compare_db_tshark.py" --pcap "$cap" --rows "$DIR/$name.rows.jsonl" \
		--label "$name" --type "$type" --truth "$DIR/traffic.json" "${TSHARK_DECODE[@]}" \
		${CMP_EXTRA[@]+"${CMP_EXTRA[@]}"}
	record "$name ($n datagrams)" $?
}

pmacct_conf() {
	# pmacct_conf FILE PLUGIN-LINES...: a pmacctd config reading the pcap.
	local f=$1; shift
	{
		echo "daemonize: false"
		echo "pcap_savefile: $DIR/traffic.pcap"
		printf '%s\n' "$@"
	} >"$f"
}

SF=(softflowd -r "$DIR/traffic.pcap" -c none -d -n "127.0.0.1:${NF_PORT}")
CMP_EXTRA=(--times)
run_exporter softflowd-v5 NETFLOW_V5 "${SF[@]}" -v 5 -T full
run_exporter softflowd-v9 NETFLOW_V9 "${SF[@]}" -v 9 -6 -T ether
run_exporter softflowd-ipfix IPFIX "${SF[@]}" -v 10 -6 -T ether
# -a: softflowd's clocks (uptime origin, export time) from the pcap.
run_exporter softflowd-v9-a NETFLOW_V9 "${SF[@]}" -v 9 -6 -T ether -a
run_exporter softflowd-ipfix-a IPFIX "${SF[@]}" -v 10 -6 -T ether -a
CMP_EXTRA=()
# softflowd's clocks agree with themselves: no flow time after its export
# time, so nothing may be clamped as clock skew (README, "Flow times").
skew=$(counter flows_clock_skew)
[ "$skew" = 0 ] || echo "  softflowd: $skew flows counted as clock skew"
record "softflowd: no flow counted as clock skew" $([ "$skew" = 0 ] && echo 0 || echo 1)

AGG="aggregate[nf]: src_host, dst_host, src_port, dst_port, proto, tos, in_iface, out_iface, vlan, src_mac, dst_mac"
pmacct_conf "$DIR/pm-nf9.conf" "plugins: nfprobe[nf]" "nfprobe_receiver[nf]: 127.0.0.1:${NF_PORT}" \
	"nfprobe_version[nf]: 9" "$AGG"
run_exporter pmacctd-nfprobe-v9 NETFLOW_V9 pmacctd -f "$DIR/pm-nf9.conf"
pmacct_conf "$DIR/pm-nf10.conf" "plugins: nfprobe[nf]" "nfprobe_receiver[nf]: 127.0.0.1:${NF_PORT}" \
	"nfprobe_version[nf]: 10" "$AGG"
run_exporter pmacctd-nfprobe-ipfix IPFIX pmacctd -f "$DIR/pm-nf10.conf"
pmacct_conf "$DIR/pm-sf.conf" "plugins: sfprobe[sf]" "sfprobe_receiver[sf]: 127.0.0.1:${SF_PORT}" \
	"sfprobe_agentip[sf]: 127.0.0.1" "sampling_rate[sf]: 1"
run_exporter pmacctd-sfprobe SFLOW_5 pmacctd -f "$DIR/pm-sf.conf"
# Reading a pcap, pmacctd exits before its first counter interval: the
# check then holds that no row appears without a sample; the replayed
# captures below bring real counter samples.
compare_ifcounters "pmacctd-sfprobe interface_counters" "$DIR/cap/pmacctd-sfprobe.pcap" \
	"${TSHARK_DECODE[@]}"

# ---- replay of the shared third-party captures --------------------------------

if [ "${GF_E2E_NO_REPLAY:-0}" = 1 ]; then
	echo "replay of shared captures skipped (GF_E2E_NO_REPLAY=1)"
elif [ ! -d "$CAPTURES" ]; then
	echo "replay of shared captures skipped: no $CAPTURES"
else
	k=0
	while IFS= read -r pcap; do
		k=$((k + 1))
		name=${pcap#"$CAPTURES"/}
		base=${pcap%.pcap}
		[ -f "$base.tshark.json.gz" ] || { echo "  $name: no tshark decode beside it, skipped"; continue; }
		q "TRUNCATE goflow2plus.flows, goflow2plus.interface_counters" >/dev/null
		before=$(counter packets)
		# Each file's exporters get loopback sources of their own
		# (127.k.0.1 and up), so no template state carries over between
		# files or between exporters of one file.
		out=$($PY "$REPO/test/tools/replay_udp.py" "$pcap" --port "$NF_PORT" \
			--first-source "127.$((k % 250 + 1)).0.1" --map "$DIR/replay.map.json" 2>&1) || {
			echo "  $name: replay failed: $out"; record "replay $name" 1; continue; }
		sent=$(echo "$out" | $PY -c 'import json,sys; print(json.loads(sys.stdin.read().splitlines()[-1])["sent"])')
		settle "$sent" "$before" || echo "  $name: rows still moving after 20 s"
		dump_rows "$DIR/replay.rows.jsonl"
		$PY "$REPO/test/e2e/compare_db_tshark.py" --pcap "$pcap" --rows "$DIR/replay.rows.jsonl" \
			--tshark-json "$base.tshark.json.gz" --map "$DIR/replay.map.json" --label "replay $name" \
			--max-problems 5
		record "replay $name ($sent datagrams)" $?
		if zcat "$base.tshark.json.gz" | grep -q 'ounters sample'; then
			compare_ifcounters "replay $name interface_counters" "$pcap" \
				--tshark-json "$base.tshark.json.gz"
		fi
	done < <(find "$CAPTURES" -name '*.pcap' | sort)
fi

echo
if [ ${#failed_runs[@]} -gt 0 ]; then
	echo "failed: ${failed_runs[*]}"
fi
if grep -qE 'goflow2plus worker (FATAL|PANIC)|terminated by signal' "$DIR/log"; then
	echo "the server log shows a crash or a fatal worker error:"
	grep -E 'goflow2plus worker (FATAL|PANIC)|terminated by signal' "$DIR/log" | head -5
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
