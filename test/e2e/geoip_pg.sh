#!/bin/bash
# geoip_pg.sh
#    GeoIP in the server (goflow2plus.db_asn / goflow2plus.db_country,
#    src/pg/geoip_guc.c) on a throwaway cluster, loopback only, with the
#    fixture databases of test/unit/data/geoip (no network):
#    - the worker loads both files and fills src_as/dst_as where the
#      exporter sent 0, keeping what it sent otherwise, and the countries;
#      decode() does too;
#    - a garbage file and a missing file are logged as one WARNING each
#      (not again every second), never ERROR or crash the worker, and the
#      worker keeps the database it had;
#    - a file replaced by rename, and one overwritten in place (cp over
#      it: a plain mmap would die of SIGBUS), are picked up within seconds;
#    - an empty setting turns the lookups off.
#    The expected AS numbers are those make_geoip_fixtures.pl wrote.
#    Countries are checked in SQL (src_country, dst_country; "" is NULL).
#    Run as root; GF_DESTDIR as in test/lib/cluster.sh.
#    Prints "N passed, N failed".
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib/tap.sh"
tap_require_root
DIR=$(mktemp -d /tmp/gf_geoip_pg.XXXXXX)
chmod 755 "$DIR"
PORT=$(free_port tcp)
NF_PORT=$(free_port udp)
PY=/usr/bin/python3
FIX=$REPO/test/unit/data/geoip

. "$REPO/test/lib/cluster.sh"
cleanup() { gf_cluster_stop; [ -n "${GF_KEEP:-}" ] || rm -rf "$DIR"; }
trap cleanup EXIT

wait_log() {	# wait_log SECS OFFSET REGEX: until the log has it past OFFSET
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		tail -c +"$(($2 + 1))" "$DIR/log" | grep -qE "$3" && return 0
		sleep 0.1
	done
	return 1
}
log_size() { stat -c %s "$DIR/log"; }
count_log() { tail -c +"$(($1 + 1))" "$DIR/log" | grep -cE "$2"; }
reload_with() {	# reload_with SETTING VALUE
	gf_q "ALTER SYSTEM SET $1 = '$2'" >/dev/null && gf_q "SELECT pg_reload_conf()" >/dev/null
}
starts() { gf_counter worker_starts; }

# A NetFlow v5 datagram of two records, values chosen here:
#   198.51.100.7 -> 203.0.113.9, src_as 0, dst_as 0     (ports 1000+seq -> 80)
#   198.51.100.8 -> 8.8.8.8,     src_as 65001, dst_as 0 (ports 2000+seq -> 53)
cat >"$DIR/v5.py" <<'PYEOF'
import socket, struct, sys, time
seq = int(sys.argv[1])
def rec(src, dst, sport, dport, src_as, dst_as):
    return struct.pack("!4s4s4sHHIIIIHHBBBBHHBBH", socket.inet_aton(src),
                       socket.inet_aton(dst), socket.inet_aton("192.0.2.254"), 1, 2,
                       3, 1500, 90000, 99000, sport, dport, 0, 0x12, 6, 0,
                       src_as, dst_as, 24, 24, 0)
d = struct.pack("!HHIIIIBBH", 5, 2, 100000, int(time.time()), 0, seq, 0, 0, 0)
d += rec("198.51.100.7", "203.0.113.9", 1000 + seq, 80, 0, 0)
d += rec("198.51.100.8", "8.8.8.8", 2000 + seq, 53, 65001, 0)
if len(sys.argv) > 2:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(d, ("127.0.0.1", int(sys.argv[2])))
else:
    print(d.hex())
PYEOF
# send_and_read: one datagram to the worker; prints "src_as dst_as" of its
# first record and "src_as dst_as" of its second, once both are stored.
# It runs in $(...), so its sequence number is kept in a file.
echo 0 >"$DIR/seq"
send_and_read() {
	local seq=$(($(cat "$DIR/seq") + 1))
	echo "$seq" >"$DIR/seq"
	"$PY" "$DIR/v5.py" "$seq" "$NF_PORT"
	gf_wait_for 10 "SELECT count(*) = 2 FROM goflow2plus.flows WHERE src_port IN ($((1000 + seq)), $((2000 + seq)))" || { echo "timeout"; return; }
	gf_q "SELECT string_agg(coalesce(src_as::text,'null') || ' ' || coalesce(dst_as::text,'null'), ' ' ORDER BY src_port) FROM goflow2plus.flows WHERE src_port IN ($((1000 + seq)), $((2000 + seq)))"
}
decode_as() {	# decode() of datagram $1 in a new session, as send_and_read prints
	gf_q "SELECT string_agg(coalesce(src_as::text,'null') || ' ' || coalesce(dst_as::text,'null'), ' ' ORDER BY src_port) FROM goflow2plus.decode(decode('$("$PY" "$DIR/v5.py" "$1")', 'hex'), '192.0.2.250')" 2>"$DIR/decode.err"
}

cp "$FIX/asn.mmdb" "$DIR/asn.mmdb"
cp "$FIX/country_maxmind.mmdb" "$DIR/country.mmdb"
head -c 4096 /dev/urandom >"$DIR/garbage.mmdb"
chown postgres: "$DIR"/*.mmdb

gf_install "$REPO" "$DIR/build.log" || exit 1
gf_cluster_start "netflow://127.0.0.1:$NF_PORT" "goflow2plus.flush_interval = '100ms'
goflow2plus.db_asn = '$DIR/asn.mmdb'
goflow2plus.db_country = '$DIR/country.mmdb'" || exit 1
gf_q "CREATE EXTENSION goflow2plus" >/dev/null
if [ "$(gf_q "SELECT count(*) FROM pg_settings WHERE name = 'goflow2plus.db_asn'")" != 1 ]; then
	fail "goflow2plus.db_asn is not defined: gf_geoip_define_gucs() is not called from _PG_init"
	tap_summary; exit 1
fi
gf_wait_for 30 "SELECT bool_and(ready) FROM goflow2plus.stats()" || fail "worker ready"

check "worker logs the ASN database it loaded" wait_log 10 0 'GeoIP ASN database loaded: .*GeoLite2-ASN'
check "worker logs the country database it loaded" wait_log 10 0 'GeoIP country database loaded: .*GeoLite2-Country'
check "worker: AS 0 filled from the file, the exporter's 65001 kept, unknown stays 0" \
	test "$(send_and_read)" = "64500 64501 65001 0"
check "decode(): the same rule in a backend" test "$(decode_as 99)" = "64500 64501 65001 0"
if [ "$(gf_q "SELECT count(*) FROM pg_attribute WHERE attrelid = 'goflow2plus.flows'::regclass AND attname = 'src_country'")" = 1 ]; then
	# An unknown country ("" in the flow) is NULL in SQL.
	check "decode(): src_country / dst_country from the country file" \
		test "$(gf_q "SELECT string_agg(coalesce(src_country,'null') || ' ' || coalesce(dst_country,'null'), ' ' ORDER BY src_port) FROM goflow2plus.decode(decode('$("$PY" "$DIR/v5.py" 98)', 'hex'), '192.0.2.250')")" = "US DE US null"
	check "worker: src_country / dst_country stored" \
		test "$(gf_q "SELECT string_agg(coalesce(src_country,'null') || ' ' || coalesce(dst_country,'null'), ' ' ORDER BY src_port) FROM goflow2plus.flows WHERE src_port IN (1001, 2001)")" = "US DE US null"
else
	echo "note: goflow2plus.flows has no src_country column; countries are not checked in SQL"
fi
starts0=$(starts)

# A garbage file: one WARNING, the worker keeps the database it had.
off=$(log_size)
reload_with goflow2plus.db_asn "$DIR/garbage.mmdb"
check "garbage file: WARNING naming it" wait_log 10 "$off" "WARNING: +goflow2plus: GeoIP ASN database \"$DIR/garbage.mmdb\" is not a usable MaxMind DB file"
sleep 3
check "garbage file: logged once, not every second" test "$(count_log "$off" 'garbage.mmdb" is not a usable')" = 1
check "garbage file: the worker still enriches from the old file" test "$(send_and_read)" = "64500 64501 65001 0"
check "garbage file: a new backend's decode() works, without AS numbers" \
	test "$(decode_as 97)" = "0 0 65001 0"
check "garbage file: decode() warns the caller" grep -q 'not a usable MaxMind DB file' "$DIR/decode.err"

# A missing file.
off=$(log_size)
reload_with goflow2plus.db_asn "$DIR/missing.mmdb"
check "missing file: WARNING naming it" wait_log 10 "$off" "WARNING: .*\"$DIR/missing.mmdb\": No such file"
check "missing file: the worker still enriches from the old file" test "$(send_and_read)" = "64500 64501 65001 0"

# Back to the good file, then a new edition renamed over it.
off=$(log_size)
reload_with goflow2plus.db_asn "$DIR/asn.mmdb"
sleep 1.5
cp "$FIX/asn_alt.mmdb" "$DIR/asn.new" && chown postgres: "$DIR/asn.new" && mv "$DIR/asn.new" "$DIR/asn.mmdb"
check "renamed-over file: reloaded within 5 s" wait_log 5 "$off" "GeoIP ASN database loaded: .*asn.mmdb.* $(stat -c %s "$FIX/asn_alt.mmdb") bytes"
check "renamed-over file: its AS numbers are used" test "$(send_and_read)" = "64510 0 65001 0"

# Overwritten in place (truncated, then written): no SIGBUS, and reloaded.
off=$(log_size)
cp "$FIX/asn.mmdb" "$DIR/asn.mmdb"
check "overwritten file: reloaded within 5 s" wait_log 5 "$off" "GeoIP ASN database loaded: .*asn.mmdb.* $(stat -c %s "$FIX/asn.mmdb") bytes"
check "overwritten file: its AS numbers are used" test "$(send_and_read)" = "64500 64501 65001 0"

# Off.
off=$(log_size)
reload_with goflow2plus.db_asn ""
check "empty setting: logged as off" wait_log 10 "$off" 'GeoIP ASN lookups off'
check "empty setting: nothing filled" test "$(send_and_read)" = "0 0 65001 0"

check "the worker never restarted" test "$(starts)" = "$starts0"
check "no ERROR, FATAL, PANIC or signal in the log" \
	test -z "$(grep -E '(ERROR|FATAL|PANIC):|terminated by signal' "$DIR/log" | grep -v 'database system is shut down')"
tap_summary
