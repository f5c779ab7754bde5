#!/bin/bash
# geoip_captures.sh
#    GeoIP enrichment of real captures, end to end, against mmdblookup.
#    Every shared capture of real exporters (../shared/testdata/captures
#    beside the repository, or GF_E2E_CAPTURES; skipped, exit 0, when
#    absent) is replayed into a live worker on a throwaway cluster
#    (test/tools/replay_udp.py, one run, each file's exporters from
#    loopback sources of their own), with goflow2plus.db_country and
#    goflow2plus.db_asn on the real databases test/tools/fetch_mmdb.sh
#    provides (cached in $GF_MMDB_CACHE, default /tmp/gf-mmdb-cache).
#    Then, for every distinct src_addr and dst_addr in goflow2plus.flows,
#    test/e2e/geoip_captures.py compares src_country/dst_country with
#    mmdblookup's country, and src_as/dst_as with the ASN file's
#    autonomous_system_number where the exporter sent none or 0, or with
#    what the exporter sent when it was not 0 (tshark's stored decode
#    tells what was sent).  Unknown is compared too: NULL against "not
#    found".
#
#    GF_GEOCAP_COUNTRY_DB=FILE puts another country file in (e.g. the
#    MaxMind layout one fetch_mmdb.sh also provides).  Run as root;
#    GF_DESTDIR / GF_SKIP_INSTALL as in test/lib/cluster.sh.  The
#    cluster's folder is a fresh mktemp one, kept on failure or with
#    GF_KEEP=1.  Prints the failing addresses and "N passed, M failed"
#    (addresses as units; a setup failure counts as one failed).
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib/tap.sh"
CAPTURES=${GF_E2E_CAPTURES:-$(dirname "$REPO")/shared/testdata/captures}
CACHE=${GF_MMDB_CACHE:-/tmp/gf-mmdb-cache}
PY=/usr/bin/python3

if [ ! -d "$CAPTURES" ]; then
	echo "geoip_captures: no captures at $CAPTURES, skipped"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
tap_require_root "the cluster runs as user postgres"
t0=$(date +%s)

setup_fail() { echo "geoip_captures: $*"; echo "0 passed, 1 failed"; exit 1; }

for tool in mmdblookup mergecap tshark; do
	command -v "$tool" >/dev/null || setup_fail "$tool not installed (scripts/install_deps.sh)"
done
mapfile -t PCAPS < <(find "$CAPTURES" -name '*.pcap' | sort)
[ ${#PCAPS[@]} -gt 0 ] || setup_fail "no .pcap under $CAPTURES"
env=$("$REPO/test/tools/fetch_mmdb.sh" "$CACHE") || setup_fail "could not fetch the databases (see above)"
eval "$env"
COUNTRY_SRC=${GF_GEOCAP_COUNTRY_DB:-$GF_TEST_MMDB_COUNTRY}

DIR=$(mktemp -d /tmp/gf_geoip_captures.XXXXXX)
chmod 755 "$DIR"
PORT=$(free_port tcp)
NF_PORT=$(free_port udp)
. "$REPO/test/lib/cluster.sh"
rc=1
cleanup() {
	gf_cluster_stop
	if [ "$rc" = 0 ] && [ -z "${GF_KEEP:-}" ]; then
		rm -rf "$DIR"
	else
		echo "(files of this run kept in $DIR)"
	fi
}
trap cleanup EXIT

# Copies the worker and the oracle both read: a fetch_mmdb.sh run that
# renames new files into the cache meanwhile changes neither.
if ! cp "$COUNTRY_SRC" "$DIR/country.mmdb" || ! cp "$GF_TEST_MMDB_ASN" "$DIR/asn.mmdb"; then
	setup_fail "cannot copy the databases"
fi
chown postgres: "$DIR"/*.mmdb

gf_install "$REPO" "$DIR/build.log" || setup_fail "install failed"
gf_cluster_start "flow://127.0.0.1:$NF_PORT" "goflow2plus.flush_interval = '100ms'
goflow2plus.db_asn = '$DIR/asn.mmdb'
goflow2plus.db_country = '$DIR/country.mmdb'" || setup_fail "cluster did not start"
gf_q "CREATE EXTENSION goflow2plus" >/dev/null || setup_fail "CREATE EXTENSION failed"
gf_wait_for 60 "SELECT coalesce(bool_and(ready), false) FROM goflow2plus.stats()" ||
	setup_fail "worker not ready within 60 s"
# A flow stored before the files are open would have no GeoIP columns.
for kind in ASN country; do
	for ((i = 0; i < 100; i++)); do
		grep -q "GeoIP $kind database loaded: .*$DIR/" "$DIR/log" && break
		sleep 0.1
	done
	grep -q "GeoIP $kind database loaded: .*$DIR/" "$DIR/log" ||
		setup_fail "the worker did not log loading the $kind database: $(grep -i geoip "$DIR/log" | tail -2)"
done

before=$(gf_counter packets)
out=$($PY "$REPO/test/tools/replay_udp.py" "${PCAPS[@]}" --port "$NF_PORT" 2>&1) ||
	setup_fail "replay failed: $out"
sent=$(echo "$out" | tail -1 | $PY -c 'import json, sys; print(json.load(sys.stdin)["sent"])')
# Until the worker has read every datagram, then until the rows stop
# moving (flushes every 100 ms).
for ((i = 0; i < 300; i++)); do
	[ "$(gf_counter packets)" -ge $((before + sent)) ] && break
	sleep 0.1
done
got=$(($(gf_counter packets) - before))
last=-1
stable=0
for ((i = 0; i < 100 && stable < 5; i++)); do
	now=$(gf_q "SELECT count(*) FROM goflow2plus.flows")
	if [ "$now" = "$last" ]; then stable=$((stable + 1)); else stable=0; fi
	last=$now
	sleep 0.2
done
echo "replayed ${#PCAPS[@]} captures: $sent datagrams sent, $got read by the worker, $last rows"
[ "$got" -ge "$sent" ] || echo "note: $((sent - got)) datagrams not read; their addresses are not checked"

gf_q "$($PY "$REPO/test/e2e/geoip_captures.py" --print-sql)" >"$DIR/rows.txt" || setup_fail "cannot dump the rows"
[ -s "$DIR/rows.txt" ] || setup_fail "no flow with an address was stored"
cmp=$($PY "$REPO/test/e2e/geoip_captures.py" --rows "$DIR/rows.txt" \
	--country-db "$DIR/country.mmdb" --asn-db "$DIR/asn.mmdb" "${PCAPS[@]}")
cmp_rc=$?
echo "$cmp" | sed '$d'
line=$(echo "$cmp" | tail -1)
passed=$(echo "$line" | grep -oE '^[0-9]+ passed' | grep -oE '[0-9]+')
failed=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
if [ -z "$passed" ] || [ -z "$failed" ]; then
	echo "$line"
	passed=0
	failed=1
elif [ "$cmp_rc" -ne 0 ] && [ "$failed" = 0 ]; then
	failed=1
fi
if grep -qE 'goflow2plus worker (FATAL|PANIC)|terminated by signal' "$DIR/log"; then
	echo "the server log shows a crash or a fatal worker error:"
	grep -E 'goflow2plus worker (FATAL|PANIC)|terminated by signal' "$DIR/log" | head -5
	failed=$((failed + 1))
fi
echo "runtime $(($(date +%s) - t0)) s"
tap_summary
rc=$?
exit $rc
