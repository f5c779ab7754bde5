# cluster.sh: shared by the test and benchmark scripts (source it).
#    Makes, starts and stops a throwaway PostgreSQL cluster that runs as
#    user postgres with goflow2plus preloaded, and installs the extension
#    the way the scripts agree on.  Every cluster listens only on a Unix
#    socket in its own folder; its UDP listeners are whatever the caller
#    puts in goflow2plus.listen (loopback in every test).
#
#    Callers set DIR (the cluster's folder) and PORT before calling.
#    GF_SKIP_INSTALL=1 uses what is installed; GF_DESTDIR=/path uses a
#    "make install DESTDIR=/path" tree through Debian's extension_destdir.

GF_PGBIN=${GF_PGBIN:-$(pg_config --bindir)}

gf_as_pg() { runuser -u postgres -- "$@"; }

# gf_install REPO LOGFILE: make install under the shared build lock.
gf_install() {
	if [ "${GF_SKIP_INSTALL:-0}" = 1 ] || [ -n "${GF_DESTDIR:-}" ]; then
		return 0
	fi
	(cd "$1" && flock /tmp/gf-build.lock make install ${GF_MAKE_ARGS:-} >"$2" 2>&1) || {
		echo "make install failed; see $2" >&2
		return 1
	}
}

# gf_cluster_stop: fast shutdown of the cluster in $DIR, if it runs.
gf_cluster_stop() {
	if [ -f "$DIR/data/postmaster.pid" ]; then
		gf_as_pg "$GF_PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1
	fi
}

# gf_cluster_start LISTEN [EXTRA_CONF_LINES]: a fresh cluster in $DIR on
# $PORT with goflow2plus.listen = LISTEN; its log is $DIR/log.
gf_cluster_start() {
	local listen=$1 extra=${2:-}
	gf_cluster_stop
	# Only the cluster's own files: callers may keep builds in $DIR.
	rm -rf "$DIR/data" "$DIR/log"
	mkdir -p "$DIR"
	chown postgres: "$DIR"
	gf_as_pg "$GF_PGBIN/initdb" -D "$DIR/data" -A trust -U postgres >/dev/null || {
		echo "initdb failed" >&2; return 1; }
	cat >>"$DIR/data/postgresql.conf" <<CONF
port = $PORT
listen_addresses = ''
unix_socket_directories = '$DIR'
shared_preload_libraries = 'goflow2plus'
goflow2plus.listen = '$listen'
goflow2plus.database = 'postgres'
log_line_prefix = '%m [%p] %b '
$extra
CONF
	if [ -n "${GF_DESTDIR:-}" ]; then
		cat >>"$DIR/data/postgresql.conf" <<CONF
extension_destdir = '$GF_DESTDIR'
dynamic_library_path = '$GF_DESTDIR$(pg_config --pkglibdir):\$libdir'
CONF
	fi
	# GF_PGCTL_ARGS: e.g. -c (core files allowed, see bench_nats_source.sh).
	gf_as_pg "$GF_PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" ${GF_PGCTL_ARGS:-} -w start >/dev/null || {
		echo "cluster did not start:" >&2; tail -20 "$DIR/log" >&2; return 1; }
}

# gf_q SQL [DB]: one query on the cluster in $DIR (database postgres,
# where the workers write), unaligned, tuples only; stops at the first
# error.
gf_q() {
	gf_as_pg "$GF_PGBIN/psql" -h "$DIR" -p "$PORT" -d "${2:-postgres}" \
		-XAtq -v ON_ERROR_STOP=1 -c "$1"
}

# gf_wait_for SECS SQL [DB]: polls SQL every 0.1 s until it returns 't';
# fails after SECS seconds.  Query errors count as "not yet" (the table
# may not exist yet, the cluster may be restarting).
gf_wait_for() {
	local secs=$1 sql=$2 db=${3:-postgres} i
	for ((i = 0; i < secs * 10; i++)); do
		[ "$(gf_q "$sql" "$db" 2>/dev/null)" = t ] && return 0
		sleep 0.1
	done
	return 1
}

# gf_wait_log SECS REGEX: polls the cluster's server log ($DIR/log) every
# 0.1 s until a line matches the extended REGEX; fails after SECS seconds.
gf_wait_log() {
	local secs=$1 re=$2 i
	for ((i = 0; i < secs * 10; i++)); do
		grep -qE "$re" "$DIR/log" && return 0
		sleep 0.1
	done
	return 1
}

# gf_counter NAME: the sum of goflow2plus.stats() counter NAME over all
# workers (0 when none reports it).
gf_counter() {
	gf_q "SELECT coalesce(sum(value), 0) FROM goflow2plus.stats() WHERE counter = '$1'"
}
