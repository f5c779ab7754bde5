#!/usr/bin/env bash
# Runs every goflow2plus test on a Debian 12 machine, as root:
#   test/run_all.sh        (as root)
# Installs the dependencies (Debian packages), builds with warnings as
# errors, installs the extension, then runs each suite.  Suites that need a
# database run their clusters as the ordinary user 'postgres'.  Prints one
# 'N passed, N failed' line per suite and a total at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
LOG=${GF_TEST_LOG:-/tmp/gf-test-logs}
rm -rf "$LOG"; mkdir -p "$LOG"

if [ "$(id -u)" -ne 0 ]; then
	echo "run_all.sh: run as root (installs packages, starts clusters as user postgres)" >&2
	exit 1
fi

scripts/install_deps.sh || exit 1
make -s clean >/dev/null 2>&1
if ! make -s WERROR=-Werror >"$LOG/build.log" 2>&1; then
	cat "$LOG/build.log"; echo "build: 0 passed, 1 failed"; exit 1
fi
flock /tmp/gf-build.lock make -s install >"$LOG/install.log" 2>&1 || { cat "$LOG/install.log"; exit 1; }

# Each suite's tally goes to $LOG/tally ("name passed failed"), so that
# suites run in the background lane count like the others.
: >"$LOG/tally"

# step NAME COMMAND...: runs a suite, keeps its output, records its tally.
step() {
	local name=$1; shift
	local out="$LOG/$name.log" rc p f line t0=$SECONDS
	echo "=== $name"
	"$@" >"$out" 2>&1; rc=$?
	line=$(grep -E '^([A-Za-z_-]+: )?[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
	p=0; f=0
	if [ -n "$line" ]; then
		p=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
		f=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
	fi
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	echo "$name $p $f" >>"$LOG/tally"
	if [ $rc -ne 0 ] || [ "$f" -ne 0 ]; then
		tail -60 "$out"
	fi
	echo "$name: ${p} passed, ${f} failed ($((SECONDS - t0)) s)"
}

# Lane 1, in the background: the suites that need no database and keep a
# core busy (sanitizer builds, fuzzing).  Lane 2 meanwhile runs the
# database suites that wait more than they compute and do not time
# anything (decode comparisons with tshark); the rest follow once lane 1
# is done, so suites that judge timing have the machine to themselves.
(
	step include-graph bash -c 'make -s core-objs && test/tools/include_graph.py --quiet --calls'
	step unit make -s unit
	step fuzz test/fuzz/run_smoke.sh
) >"$LOG/lane1.out" 2>&1 &
LANE1=$!

step regress test/regress/run_regress.sh
[ -x test/regress/check_fixtures_tshark.sh ] && step fixtures-vs-tshark test/regress/check_fixtures_tshark.sh
[ -x test/e2e/exporters_e2e.sh ] && step exporters-e2e test/e2e/exporters_e2e.sh
[ -x test/e2e/legacy_e2e.sh ] && step legacy-e2e test/e2e/legacy_e2e.sh
[ -x test/conformance/run.sh ] && step captures-conformance test/conformance/run.sh
[ -x test/e2e/geoip_oracle.sh ] && step geoip-oracle test/e2e/geoip_oracle.sh
[ -x test/e2e/geoip_captures.sh ] && step geoip-captures test/e2e/geoip_captures.sh
wait "$LANE1"
cat "$LOG/lane1.out"

[ -x test/e2e/worker_smoke.sh ] && step worker-smoke test/e2e/worker_smoke.sh
[ -x test/e2e/flood.sh ] && step flood test/e2e/flood.sh
[ -x test/e2e/template_restart.sh ] && step template-restart test/e2e/template_restart.sh
[ -x test/e2e/faults.sh ] && step faults test/e2e/faults.sh
[ -x test/e2e/listeners_reload.sh ] && step listeners-reload test/e2e/listeners_reload.sh
[ -x test/e2e/metrics.sh ] && step metrics test/e2e/metrics.sh
[ -x test/e2e/context_e2e.sh ] && step context-e2e test/e2e/context_e2e.sh
[ -x test/e2e/partitions.sh ] && step partitions test/e2e/partitions.sh
[ -x test/e2e/counters_retention.sh ] && step counters-retention test/e2e/counters_retention.sh
[ -x test/e2e/learn_interfaces.sh ] && step learn-interfaces test/e2e/learn_interfaces.sh
[ -x test/e2e/exporters_view.sh ] && step exporters-view test/e2e/exporters_view.sh
[ -x test/e2e/mapping_e2e.sh ] && step mapping-e2e test/e2e/mapping_e2e.sh
[ -x test/e2e/geoip_pg.sh ] && step geoip-pg test/e2e/geoip_pg.sh
[ -x test/e2e/nats_e2e.sh ] && step nats-e2e test/e2e/nats_e2e.sh
[ -x test/e2e/nats_cluster.sh ] && step nats-cluster test/e2e/nats_cluster.sh
[ -x test/e2e/nats_source.sh ] && step nats-source test/e2e/nats_source.sh
[ -x test/e2e/nats_shared_consumer.sh ] && step nats-shared-consumer test/e2e/nats_shared_consumer.sh
[ -x test/e2e/nats_sub_lifetime.sh ] && step nats-sub-lifetime test/e2e/nats_sub_lifetime.sh
[ -x test/e2e/nats_templates.sh ] && step nats-templates test/e2e/nats_templates.sh
[ -x test/bench/bench_peers.sh ] && step bench-smoke env BENCH_SMOKE=1 test/bench/bench_peers.sh

total_pass=0; total_fail=0; failed_suites=()
while read -r name p f; do
	total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
	[ "$f" -ne 0 ] && failed_suites+=("$name")
done <"$LOG/tally"

echo
if [ ${#failed_suites[@]} -gt 0 ]; then
	echo "failed suites: ${failed_suites[*]} (logs in $LOG)"
fi
echo "total: $total_pass passed, $total_fail failed ($SECONDS s)"
[ "$total_fail" -eq 0 ]
