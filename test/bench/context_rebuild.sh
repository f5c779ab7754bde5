#!/bin/bash
# context_rebuild.sh
#    Context rebuilds under load, as figures (issue #8): a throwaway
#    cluster with one worker, goflow2plus.networks loaded with 1 M IPv4 +
#    200 k IPv6 prefixes (ctx_networks.c), and NetFlow v5 replayed by
#    udp_blast at a fixed rate whose addresses lie inside the prefixes;
#    the first record of every datagram goes to the probe network
#    100.64.0.1/32.
#
#    Two phases of the same traffic, one after the other:
#      rebuild  the probe network is renamed (probe-1, probe-2, ...)
#               CTXR_CHANGES times: each change is committed, waited for
#               with goflow2plus.context_wait() (a full rebuild in the
#               builder process), then, after a pause, the next one; the
#               sender starts 2 s before the first change and stops 3 s
#               after the last one is published;
#      control  no change to the tables, for as long as the rebuild phase.
#    For each phase: records sent and stored, socket drops (stats()
#    kernel_drops and the socket's drops column in /proc/net/udp), worker
#    CPU.  For each change: seconds from its commit to context_wait()'s
#    return, the builder's build_ms (reading the tables + building) and
#    CPU, and the first and last receive times of flows showing the old
#    and the new name, relative to the commit.  Socket drops are sampled
#    every 0.5 s and assigned to "during a rebuild" or "between rebuilds".
#    Also: the time to COPY the 1.2 M rows in, the first build, the
#    snapshot's size and the memory (VmRSS, VmHWM, RssShmem) of the
#    builder and the worker.
#
#    Figures, not pass/fail; not part of test/run_all.sh.  A rebuild takes
#    5 to 20 s on 2 shared cores, so a run takes 3 to 6 minutes.
#
#    Run as root, loopback only; cluster as postgres in $DIR, free ports.
#    Settings (environment):
#      CTXR_RATE       datagrams/s (x 30 records), default 10000
#      CTXR_CHANGES    changes in the rebuild phase, default 4
#      CTXR_PAUSE      seconds between a change's publication and the
#                      next change, default 2
#      CTXR_N4 CTXR_N6 prefixes, default 1000000 and 200000
#      CTXR_FULL=1     every change also marks the change log "everything"
#                      (goflow2plus._network_changes), so each is published
#                      by a full rebuild instead of an overlay (the
#                      behaviour before overlays: compare the two)
#      CTXR_CONF=...   extra postgresql.conf lines, e.g.
#                      "goflow2plus.context_build_cpu = 0.5" or
#                      "goflow2plus.context_keep_build_memory = off"
#      CTXR_NICE=N     renice the builder to N before the phases (to
#                      compare priorities within one build)
#      CTXR_COUNT=2    two workers (?count=2) and a sender on two source
#                      ports that SO_REUSEPORT splits between them
#      CTXR_DIR        the folder, default /tmp/gf_context_rebuild
#      CTXR_KEEP=1     keep $DIR (log) at the end
#      GF_DESTDIR=/path  use a "make install DESTDIR=/path" tree;
#      GF_SKIP_INSTALL=1 use /usr; otherwise the working tree is built
#                        into $DIR/destdir (under the shared build lock)
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib/tap.sh"
tap_require_root
DIR=${CTXR_DIR:-/tmp/gf_context_rebuild}
RATE=${CTXR_RATE:-10000}
CHANGES=${CTXR_CHANGES:-4}
PAUSE=${CTXR_PAUSE:-2}
N4=${CTXR_N4:-1000000}
N6=${CTXR_N6:-200000}
PGBIN=$(pg_config --bindir)
PROBE=100.64.0.1
if [ "${CTXR_FULL:-0}" = 1 ]; then
	FULL_MARK="INSERT INTO goflow2plus._network_changes VALUES (NULL, NULL)"
else
	FULL_MARK="SELECT 1"
fi

. "$REPO/test/lib/cluster.sh"
q() { gf_as_pg "$PGBIN/psql" -h "$DIR" -p "$PORT" -d postgres -XAtq -v ON_ERROR_STOP=1 "$@"; }
counter() { q -c "SELECT coalesce(sum(value),0) FROM goflow2plus.stats() WHERE counter = '$1'"; }
now() { date +%s.%N; }
load1() { cut -d' ' -f1 /proc/loadavg; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
cpu_s() { awk -v a="$1" -v b="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", (b - a) / hz }'; }
# "VmRSS VmHWM RssAnon RssShmem" of a process, in MB.
mem() {
	awk '/^(VmRSS|VmHWM|RssAnon|RssShmem):/ { v[$1] = $2 }
		END { printf "VmRSS %.0f VmHWM %.0f RssAnon %.0f RssShmem %.0f MB",
			  v["VmRSS:"] / 1024, v["VmHWM:"] / 1024, v["RssAnon:"] / 1024, v["RssShmem:"] / 1024 }' \
		"/proc/$1/status"
}
# The socket's drops column (/proc/net/udp, last field).
sock_drops() {
	awk -v a="$(printf '0100007F:%04X' "$UDP")" '$2 == a { n += $NF } END { print n + 0 }' /proc/net/udp
}

BLAST_PID=
SAMPLER_PID=
cleanup() {
	[ -n "$BLAST_PID" ] && kill "$BLAST_PID" 2>/dev/null
	[ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null
	wait 2>/dev/null
	gf_cluster_stop
	if [ "${CTXR_KEEP:-0}" = 1 ]; then echo "kept $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

gf_cluster_stop 2>/dev/null
rm -rf "$DIR"
mkdir -p "$DIR/bin"
chmod 755 "$DIR"
PORT=$(free_port tcp)
UDP=$(free_port udp)

if [ "${GF_SKIP_INSTALL:-0}" != 1 ] && [ -z "${GF_DESTDIR:-}" ]; then
	(cd "$REPO" && flock /tmp/gf-build.lock make -s install DESTDIR="$DIR/destdir") >"$DIR/build.log" 2>&1 || {
		echo "build failed:" >&2; tail -20 "$DIR/build.log" >&2; exit 1; }
	GF_DESTDIR=$DIR/destdir
fi
cc -std=gnu11 -O2 -Wall -Werror -o "$DIR/bin/udp_blast" "$REPO/test/bench/udp_blast.c" &&
	cc -std=gnu11 -O2 -Wall -Werror -o "$DIR/bin/ctx_networks" "$REPO/test/bench/ctx_networks.c" || exit 1
"$DIR/bin/ctx_networks" "$N4" "$N6" "$DIR/networks.tsv" "$DIR/addrs.txt" >"$DIR/gen.out" || exit 1
chmod a+r "$DIR/networks.tsv" "$DIR/addrs.txt"

LISTEN="netflow://127.0.0.1:$UDP"
BLAST_SRC=()
if [ "${CTXR_COUNT:-1}" = 2 ]; then
	LISTEN="$LISTEN?count=2"
	BLAST_SRC=(-s 2 -b "$(/usr/bin/python3 "$REPO/test/bench/lib/reuseport_pair.py" "$UDP")") || exit 1
fi
gf_cluster_start "$LISTEN" "${CTXR_CONF:-}" || exit 1
q -c "CREATE EXTENSION goflow2plus" >/dev/null || exit 1
for ((i = 0; i < 300; i++)); do
	[ "$(q -c "SELECT bool_and(ready) FROM goflow2plus.stats()" 2>/dev/null)" = t ] && break
	sleep 0.1
done
PM=$(head -1 "$DIR/data/postmaster.pid")
child() { ps --ppid "$PM" -o pid=,cmd= | awk -v w="$1" 'index($0, w) { print $1; exit }'; }
WORKER=$(child "goflow2plus worker")
BUILDER=$(child "goflow2plus context builder")
[ -n "$WORKER" ] && [ -n "$BUILDER" ] || { echo "no worker or builder" >&2; exit 1; }
[ -n "${CTXR_NICE:-}" ] && renice -n "$CTXR_NICE" -p "$BUILDER" >/dev/null

echo "context_rebuild: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -r), PostgreSQL $(q -c 'SHOW server_version')"
echo "goflow2plus: $(git -C "$REPO" rev-parse --short HEAD)$(git -C "$REPO" diff --quiet HEAD -- src sql || echo ' + uncommitted changes') from ${GF_DESTDIR:-/usr}"
echo "$(cat "$DIR/gen.out"); $RATE datagrams/s x 30 records; $CHANGES changes$([ "${CTXR_FULL:-0}" = 1 ] && echo ', each by a full rebuild (CTXR_FULL=1)')"
echo "uptime at start: $(uptime)"
echo "nice: worker $(ps -o ni= -p "$WORKER" | tr -d ' '), builder $(ps -o ni= -p "$BUILDER" | tr -d ' '); settings: ${CTXR_CONF:-defaults}"

# ---- load ----------------------------------------------------------------------
t0=$(now)
q -c "\\copy goflow2plus.networks (cidr, name, context) FROM '$DIR/networks.tsv'" >/dev/null || exit 1
t1=$(now)
q -c "SELECT goflow2plus.context_wait(600000)" >/dev/null
t2=$(now)
IFS='|' read -r n_nets bytes build_ms <<<"$(q -c "SELECT networks, bytes, round(build_ms) FROM goflow2plus.context_status()")"
echo "load: COPY of $n_nets rows $(sub "$t0" "$t1") s; commit to context_wait() $(sub "$t1" "$t2") s (build_ms $build_ms); snapshot $bytes bytes ($((bytes / 1048576)) MB); load $(load1)"
echo "builder after the first build: $(mem "$BUILDER")"
# One small change with every row present: commit -> context_wait() in one
# session (no psql start in the figure), 5 times, ms.
lat=
for k in 1 2 3 4 5; do
	lat="$lat $(q <<SQL | tail -1
BEGIN;
UPDATE goflow2plus.networks SET comment = 'c$k' WHERE cidr = '$PROBE/32';
$FULL_MARK;
COMMIT;
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SELECT goflow2plus.context_wait(600000) \g /dev/null
SELECT round(((extract(epoch FROM clock_timestamp()) - :t0) * 1000)::numeric, 1);
SQL
)"
	sleep 0.5
done
echo "one small change (comment of the probe), commit -> context_wait() in ms:$lat (build_ms of the last $(q -c "SELECT round(build_ms::numeric, 1) FROM goflow2plus.context_status()")); load $(load1)"
echo "builder after them: $(mem "$BUILDER")"

# ---- one phase ---------------------------------------------------------------------

# Sample the socket's drops every 0.5 s: "unix_time drops".
sampler() {
	while :; do
		echo "$(now) $(sock_drops)"
		sleep 0.5
	done
}

# phase NAME CHANGES [SECONDS]: send (for SECONDS, or around CHANGES
# changes) and print one line.
phase() {
	local name=$1 changes=$2 secs=${3:-3600} sent stored sdrops kd0 sd0 c0 b0 t_start k tc tw bms bc
	q -c "TRUNCATE goflow2plus.flows" >/dev/null
	sleep 1
	kd0=$(counter kernel_drops)
	sd0=$(sock_drops)
	c0=$(ticks "$WORKER")
	b0=$(ticks "$BUILDER")
	sampler >"$DIR/drops.$name" &
	SAMPLER_PID=$!
	t_start=$(now)
	"$DIR/bin/udp_blast" "${BLAST_SRC[@]}" -a "$DIR/addrs.txt" -p "$PROBE" "$UDP" "$RATE" "$secs" >"$DIR/blast.$name" 2>&1 &
	BLAST_PID=$!
	: >"$DIR/changes.$name"
	if [ "$changes" -gt 0 ]; then
		sleep 2
		for ((k = 1; k <= changes; k++)); do
			bc=$(ticks "$BUILDER")
			# Two statements, two transactions: the time is read after the commit.
			tc=$(q -c "BEGIN" -c "UPDATE goflow2plus.networks SET name = 'probe-$k' WHERE cidr = '$PROBE/32'" \
				-c "$FULL_MARK" -c "COMMIT" \
				-c "SELECT extract(epoch FROM clock_timestamp())" | tail -1)
			q -c "SELECT goflow2plus.context_wait(600000)" >/dev/null
			tw=$(now)
			bms=$(q -c "SELECT round(build_ms) || CASE WHEN overlay_networks > 0 THEN '(overlay)' ELSE '(full)' END FROM goflow2plus.context_status()")
			echo "$k $tc $tw $bms $(cpu_s "$bc" "$(ticks "$BUILDER")") $(load1)" >>"$DIR/changes.$name"
			[ $k = "$changes" ] || sleep "$PAUSE"
		done
		sleep 3
		kill -TERM "$BLAST_PID"
	fi
	wait "$BLAST_PID"
	BLAST_PID=
	# Drain: rows_inserted still for 2 s.
	local last=-1 stable=0 r
	for ((i = 0; i < 240; i++)); do
		r=$(counter rows_inserted)
		if [ "$r" = "$last" ]; then stable=$((stable + 1)); else stable=0; last=$r; fi
		[ $stable -ge 4 ] && break
		sleep 0.5
	done
	kill "$SAMPLER_PID" 2>/dev/null
	wait "$SAMPLER_PID" 2>/dev/null
	SAMPLER_PID=
	sent=$(sed -n 's/^sent [0-9]* datagrams, \([0-9]*\) records.*/\1/p' "$DIR/blast.$name")
	stored=$(q -c "SELECT count(*) FROM goflow2plus.flows")
	sdrops=$(($(sock_drops) - sd0))
	[ "$name" = rebuild ] && REBUILD_SDROPS=$sdrops
	echo "$name: $(sed 's/^sent //' "$DIR/blast.$name"); stored $stored, lost $((sent - stored)) records; socket drops $sdrops datagrams (stats() kernel_drops $(($(counter kernel_drops) - kd0))); worker CPU $(cpu_s "$c0" "$(ticks "$WORKER")") s, builder CPU $(cpu_s "$b0" "$(ticks "$BUILDER")") s; load $(load1)"
}

phase rebuild "$CHANGES"
echo "worker after rebuilds: $(mem "$WORKER")"
echo "builder after rebuilds: $(mem "$BUILDER")"
# Receive times of the probe's flows per name: first and last.
q -c "SELECT dst_group, extract(epoch FROM min(time_received)), extract(epoch FROM max(time_received)), count(*)
	  FROM goflow2plus.flows WHERE dst_addr = '$PROBE' GROUP BY 1" | tr '|' ' ' >"$DIR/probe_times"
# The control sends as long as the rebuild phase's sender did.
phase control 0 "$(sed -n 's/.* in \([0-9.]*\) s .*/\1/p' "$DIR/blast.rebuild")"
echo "worker after control: $(mem "$WORKER")"

# ---- per change ------------------------------------------------------------------
echo
echo "| change | commit -> context_wait() s | build_ms | builder CPU s | first flow with the new name, s after commit | last flow with the old name, s after commit | socket drops while rebuilding | load |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
dr_sum=0
nchg=0
while read -r k tc tw bms bcpu ld; do
	first_new=$(awk -v n="probe-$k" -v c="$tc" '$1 == n { printf "%.3f", $2 - c }' "$DIR/probe_times")
	last_old=$(awk -v n="probe-$((k - 1))" -v c="$tc" '$1 == n { printf "%.3f", $3 - c }' "$DIR/probe_times")
	# Drops counted between the samples around [commit, published].
	dr=$(awk -v a="$tc" -v b="$tw" 'NF == 2 { if (f == "") f = $2; if ($1 <= a) d0 = $2; if ($1 >= b && d1 == "") d1 = $2; l = $2 }
		END { if (d0 == "") d0 = f; if (d1 == "") d1 = l; print d1 - d0 }' "$DIR/drops.rebuild")
	echo "| $k | $(sub "$tc" "$tw") | $bms | $bcpu | ${first_new:--} | ${last_old:--} | $dr | $ld |"
	dr_sum=$((dr_sum + dr))
	nchg=$((nchg + 1))
done <"$DIR/changes.rebuild"
echo
echo "rebuild phase: $REBUILD_SDROPS socket drops in all, $dr_sum of them between a commit and its publication; $nchg changes"
echo
echo "uptime at end: $(uptime)"
exit 0
