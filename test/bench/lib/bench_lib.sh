# bench_lib.sh: what the collector benchmarks share (source it after
#    test/lib/cluster.sh).  Socket figures from /proc, CPU and memory of
#    process trees, waiting for a collector to go quiet, the private build
#    of the committed sources, net.core.rmem_max, and the arithmetic of the
#    report.  Callers set DIR (their folder) and PORT (their cluster).

as_pg() { gf_as_pg "$@"; }
q() { gf_q "$@"; }
counter() { gf_counter "$@"; }
now() { date +%s.%N; }
load1() { cut -d' ' -f1 /proc/loadavg; }
rcvbuf_errors() { awk '/^Udp: [0-9]/ { print $6 }' /proc/net/snmp; }

# "rx_queue_bytes drops" of the IPv4 UDP sockets bound to 127.0.0.1:$1,
# summed over them (?count=N binds N sockets to one port; /proc/net/udp:
# hex local address, tx:rx queue, last column sk_drops); "- -" if none.
sock_info() {
	local hex rxq drops sq=0 sd=0 n=0
	hex=$(printf '0100007F:%04X' "$1")
	while read -r rxq drops; do
		sq=$((sq + 16#$rxq))
		sd=$((sd + drops))
		n=$((n + 1))
	done < <(awk -v a="$hex" '$2 == a { split($5, qq, ":"); print qq[2], $NF }' /proc/net/udp 2>/dev/null)
	if [ $n = 0 ]; then echo "- -"; else echo "$sq $sd"; fi
}
port_busy() { grep -q "$(printf ':%04X ' "$1")" /proc/net/udp /proc/net/udp6 2>/dev/null; }

# CPU ticks (user + system, all threads) of process $1.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# Seconds of CPU process $1 used since it had $2 ticks.
cpu_secs() { ticks_to_secs "$(($(cpu_ticks "$1") - $2))"; }
ticks_to_secs() { awk -v t="$1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'; }

# tree_ticks PID...: CPU ticks of the processes PID and all their
# descendants, with the children each has reaped (cutime + cstime): so a
# short-lived child (a pmacct writer, a PostgreSQL backend) counts once it
# is gone.  Processes in EXCLUDE_PIDS (space separated) are left out with
# their trees.
tree_ticks() {
	local roots=" $* " ex=" ${EXCLUDE_PIDS:-} "
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v roots="$roots" -v ex="$ex" '
		{ pid = $1; line = $0; sub(/^.*\) /, "", line); split(line, f, " ")
		  ppid[pid] = f[2]; t[pid] = f[12] + f[13] + f[14] + f[15] }
		END {
			sum = 0
			for (p in t) {
				for (a = p; a != "" && a != 0 && a != 1; a = ppid[a]) {
					if (index(ex, " " a " ")) break
					if (index(roots, " " a " ")) { sum += t[p]; break }
				}
			}
			print sum
		}'
}

# tree_pss_kb PID...: proportional set size (kB) summed over the
# processes PID and their descendants: shared memory (shared_buffers, a
# forked child's pages) counts in proportion to the processes mapping it,
# so forks and PostgreSQL backends are not counted twice.
tree_pss_kb() {
	local pid sum=0 kb
	for pid in $(tree_pids "$@"); do
		kb=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null)
		sum=$((sum + ${kb:-0}))
	done
	echo "$sum"
}
tree_pids() {
	local roots=" $* "
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v roots="$roots" '
		{ pid = $1; line = $0; sub(/^.*\) /, "", line); split(line, f, " "); ppid[pid] = f[2] }
		END { for (p in ppid) for (a = p; a != "" && a != 0 && a != 1; a = ppid[a])
			if (index(roots, " " a " ")) { print p; break } }'
}

# pss_sampler_start OUT PID...: samples tree_pss_kb PID... every 0.5 s in
# the background and keeps the largest in OUT; pss_sampler_stop prints it
# in MB.
PSS_SAMPLER_PID=
pss_sampler_start() {
	local out=$1
	shift
	echo 0 >"$out"
	(
		max=0
		while :; do
			v=$(tree_pss_kb "$@")
			[ "$v" -gt "$max" ] && { max=$v; echo "$max" >"$out"; }
			sleep 0.5
		done
	) &
	PSS_SAMPLER_PID=$!
	PSS_SAMPLER_OUT=$out
}
pss_sampler_stop() {
	if [ -n "$PSS_SAMPLER_PID" ]; then
		kill "$PSS_SAMPLER_PID" 2>/dev/null
		wait "$PSS_SAMPLER_PID" 2>/dev/null
		PSS_SAMPLER_PID=
	fi
	awk '{ printf "%.0f", $1 / 1024 }' "$PSS_SAMPLER_OUT"
}

# wait_quiet UDP_PORT POLLS TOLERANCE FUNC [ARGS]: after a sender stopped,
# waits until FUNC's number has moved by at most TOLERANCE for POLLS polls
# in a row (0.5 s apart) and the sockets on UDP_PORT are empty, at most
# DRAIN_MAX seconds.  If QUIET_BUSY names a command, the collector is
# also not quiet while that command succeeds (work in flight that does not
# show yet, such as an uncommitted COPY).  Sets Q_T_LAST (when the number
# last moved) and Q_LAST (its last value).
DRAIN_MAX=${DRAIN_MAX:-180}
wait_quiet() {
	local port=$1 polls=$2 tol=$3 v rxq stable=0 i
	shift 3
	Q_LAST=$("$@")
	Q_T_LAST=$(now)
	for ((i = 0; i < DRAIN_MAX * 2; i++)); do
		sleep 0.5
		v=$("$@")
		read -r rxq _ <<<"$(sock_info "$port")"
		if { [ "$rxq" != 0 ] && [ "$rxq" != - ]; } || { [ -n "${QUIET_BUSY:-}" ] && $QUIET_BUSY; } ||
			[ "$(awk -v a="$v" -v b="$Q_LAST" -v t="$tol" 'BEGIN { d = a - b; if (d < 0) d = -d; print (d > t) }')" = 1 ]; then
			Q_T_LAST=$(now)
			stable=0
		else
			stable=$((stable + 1))
		fi
		Q_LAST=$v
		[ $stable -ge "$polls" ] && return 0
	done
	return 1
}

# bench_build_sources REPO: a private copy of the sources in $DIR/src
# (HEAD from git archive, or the working tree with BENCH_TREE=work),
# installed into $DIR/destdir unless GF_SKIP_INSTALL=1 or GF_DESTDIR is
# set; sets SRC_ID (what the figures belong to) and GF_DESTDIR.
bench_build_sources() {
	local repo=$1
	mkdir -p "$DIR/src"
	if [ "${BENCH_TREE:-head}" = work ]; then
		SRC_ID="working tree of $(git -C "$repo" rev-parse --short HEAD)"
		(cd "$repo" && tar -c --exclude='*.o' --exclude='*.bc' --exclude='*.so' --exclude=src/gen \
			Makefile goflow2plus.control sql src proto test/bench test/unit) | tar -x -C "$DIR/src"
	else
		SRC_ID="commit $(git -C "$repo" rev-parse --short HEAD)"
		git -C "$repo" archive HEAD | tar -x -C "$DIR/src"
	fi
	if [ "${GF_SKIP_INSTALL:-0}" = 1 ]; then
		SRC_ID="installed in /usr (decode benchmarks: $SRC_ID)"
	elif [ -n "${GF_DESTDIR:-}" ]; then
		SRC_ID="$GF_DESTDIR (decode benchmarks: $SRC_ID)"
	else
		make -C "$DIR/src" -j"$(nproc)" install DESTDIR="$DIR/destdir" >"$DIR/build.log" 2>&1 || {
			echo "build failed:" >&2; tail -20 "$DIR/build.log" >&2; return 1; }
		GF_DESTDIR=$DIR/destdir
	fi
}

# bench_wait_ready SECS: until every goflow2plus worker reports ready.
bench_wait_ready() {
	gf_wait_for "$1" "SELECT count(*) > 0 AND bool_and(ready) FROM goflow2plus.stats()" || {
		echo "the workers did not become ready in $1 s" >&2; tail -20 "$DIR/log" >&2; return 1; }
}

# bench_rmem_set BYTES / bench_rmem_restore: net.core.rmem_max for the
# run, put back at the end (only if it was changed).
OLD_RMEM_MAX=
bench_rmem_set() {
	[ -n "$1" ] || return 0
	OLD_RMEM_MAX=$(sysctl -n net.core.rmem_max)
	sysctl -qw net.core.rmem_max="$1" || { OLD_RMEM_MAX=; return 1; }
}
bench_rmem_restore() {
	if [ -n "$OLD_RMEM_MAX" ]; then
		sysctl -qw net.core.rmem_max="$OLD_RMEM_MAX"
		echo "net.core.rmem_max restored to $(sysctl -n net.core.rmem_max)"
		OLD_RMEM_MAX=
	fi
}

pct_loss() { awk -v s="$1" -v k="$2" 'BEGIN { printf "%.2f", s ? (s - k) * 100 / s : 0 }'; }
per_s() { awk -v n="$1" -v t="$2" 'BEGIN { if (t > 0) printf "%.0f", n / t; else print 0 }'; }
# s_per_m SECONDS RECORDS: CPU seconds per million records ("-" if none).
s_per_m() { awk -v c="$1" -v n="$2" 'BEGIN { if (c == "-" || n == 0 || n == "-") print "-"; else printf "%.2f", c * 1e6 / n }'; }
