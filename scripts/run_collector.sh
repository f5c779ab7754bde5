#!/usr/bin/env bash
# Installs goflow2plus and runs it on a throwaway local PostgreSQL cluster:
# NetFlow v1/v5/v7/v8/v9/IPFIX on UDP 2055, sFlow v5 on UDP 6343.
#
#   scripts/run_collector.sh          # as root: install, build, start
#   scripts/run_collector.sh stop     # stop and remove the cluster
set -euo pipefail

cd "$(dirname "$0")/.."
DIR=${GF_DEMO_DIR:-/tmp/goflow2plus-demo}
PORT=${GF_DEMO_PORT:-54320}
PGBIN=$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)
as_pg() { runuser -u postgres -- "$@"; }

if [ "${1:-}" = "stop" ]; then
	as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m fast stop || true
	rm -rf "$DIR"
	exit 0
fi

scripts/install_deps.sh
PGBIN=$(pg_config --bindir)
make -s
make -s install

if [ -f "$DIR/data/postmaster.pid" ]; then
	as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m fast stop || true
fi
rm -rf "$DIR"
install -d -o postgres -g postgres "$DIR"
as_pg "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth=trust >/dev/null
cat >> "$DIR/data/postgresql.conf" <<CONF
port = $PORT
listen_addresses = ''
unix_socket_directories = '$DIR'
shared_preload_libraries = 'goflow2plus'
goflow2plus.listen = 'netflow://:2055,sflow://:6343'
goflow2plus.database = 'postgres'
CONF
as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w start >/dev/null
PSQL=(as_pg psql -X -q -h "$DIR" -p "$PORT" -U postgres -d postgres)
"${PSQL[@]}" -c "CREATE EXTENSION IF NOT EXISTS goflow2plus"

for _ in $(seq 1 50); do
	ready=$("${PSQL[@]}" -Atc "SELECT coalesce(bool_and(ready), false) FROM goflow2plus.stats()" || true)
	[ "$ready" = "t" ] && break
	sleep 0.2
done

cat <<MSG

goflow2plus is running (server log: $DIR/server.log).
  NetFlow/IPFIX       : UDP port 2055, all addresses
  sFlow v5            : UDP port 6343, all addresses
Point an exporter at this machine, then query the flows:
  psql -h $DIR -p $PORT -U postgres -c 'SELECT time_received, type, src_addr, dst_addr, proto, bytes, packets FROM goflow2plus.flows ORDER BY time_received DESC LIMIT 10'
Name your networks (flows carry the names within a second):
  psql -h $DIR -p $PORT -U postgres -c "INSERT INTO goflow2plus.networks (name, cidr) VALUES ('lan', '10.0.0.0/8')"
  psql -h $DIR -p $PORT -U postgres -c 'SELECT src_group, dst_group, sum(bytes * sampling_rate) FROM goflow2plus.flows GROUP BY 1, 2'
Counters:
  psql -h $DIR -p $PORT -U postgres -c 'SELECT * FROM goflow2plus.stats() WHERE value > 0'
Stop and remove the cluster:
  scripts/run_collector.sh stop   (as root)
MSG
