#!/usr/bin/env bash
# run_long.sh: runs every libFuzzer target (build/fuzz/fuzz_*, from
# "make fuzz") for a chosen time each, with a corpus kept between runs, so
# that fuzzing adds up over days instead of starting again each time.
#
#   test/fuzz/run_long.sh [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to $FUZZ_SECONDS, else 600.  TARGET names
# (fuzz_netflow or netflow) limit the run to those targets.  Corpus folder
# per target: $FUZZ_CORPUS_DIR/<target> (default
# $HOME/.cache/goflow2plus-fuzz/<target>), seeded from test/fuzz/corpus_*
# the first time.  One process per target, run in place (the machine is
# shared): -jobs=1 -workers=1 would fork a child that logs to ./fuzz-0.log
# and whose crash does not reach our exit code.
# A crash, leak, timeout or sanitizer report fails the target; its input is
# kept in $FUZZ_CORPUS_DIR/artifacts/.  Prints, per target, executions,
# coverage (cov: edges, ft: features, from -print_final_stats / the last
# status line) and corpus size, then a total and "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-${FUZZ_SECONDS:-600}}
[ $# -gt 0 ] && shift
case $secs in
	'' | *[!0-9]*) echo "run_long.sh: seconds must be a whole number, got '$secs'" >&2; exit 2 ;;
esac
root=${FUZZ_CORPUS_DIR:-$HOME/.cache/goflow2plus-fuzz}
artifacts="$root/artifacts"
mkdir -p "$artifacts" || exit 1

make -s fuzz || { echo "make fuzz failed"; echo "0 passed, 1 failed"; exit 1; }

targets=()
if [ $# -gt 0 ]; then
	for t in "$@"; do targets+=("build/fuzz/fuzz_${t#fuzz_}"); done
else
	targets=(build/fuzz/fuzz_*)
fi

# seed_corpus TARGET DIR: the committed seeds, or those the seed scripts write.
seed_corpus() {
	local name=$1 dir=$2 tmp
	if [ -d "test/fuzz/corpus_${name#fuzz_}" ]; then
		cp -r "test/fuzz/corpus_${name#fuzz_}"/. "$dir"/
		return
	fi
	tmp=$(mktemp -d /tmp/gf-fuzz-seeds.XXXXXX)
	case $name in
		fuzz_sflow | fuzz_packet)
			/usr/bin/python3 test/fuzz/make_sflow_seeds.py "$tmp" >/dev/null &&
				cp -r "$tmp/${name#fuzz_}"/. "$dir"/ ;;
		fuzz_decode_multi)
			/usr/bin/python3 test/fuzz/make_multi_seeds.py "$tmp" >/dev/null &&
				cp -r "$tmp"/. "$dir"/ ;;
	esac
	rm -rf "$tmp"
}

logs=$(mktemp -d /tmp/gf-fuzz-long.XXXXXX)
trap 'rm -rf "$logs"' EXIT
pass=0; fail=0; total_execs=0; total_corpus=0
printf '%-24s %12s %8s %8s %8s %s\n' target executions cov ft corpus result
for bin in "${targets[@]}"; do
	name=$(basename "$bin")
	if [ ! -x "$bin" ]; then
		printf '%-24s no such target\n' "$name"; fail=$((fail + 1)); continue
	fi
	corpus="$root/$name"
	if [ ! -d "$corpus" ]; then
		mkdir -p "$corpus"
		seed_corpus "$name" "$corpus"
	fi
	log="$logs/$name.log"
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 \
		-artifact_prefix="$artifacts/$name-" "$corpus" >"$log" 2>&1
	rc=$?
	# -print_final_stats: "stat::number_of_executed_units: N"; cov/ft are
	# on the last status line ("#N DONE cov: X ft: Y corp: ...").
	execs=$(awk '/^stat::number_of_executed_units:/ {print $2}' "$log" | tail -1)
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}')
	ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | awk '{print $2}')
	files=$(find "$corpus" -maxdepth 1 -type f | wc -l)
	if [ $rc -eq 0 ]; then
		result=ok; pass=$((pass + 1))
	else
		result="FAIL (exit $rc; artifact(s): $(ls "$artifacts/$name"-* 2>/dev/null | tr '\n' ' '))"
		fail=$((fail + 1))
	fi
	printf '%-24s %12s %8s %8s %8s %s\n' "$name" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$files" "$result"
	[ $rc -ne 0 ] && tail -30 "$log"
	total_execs=$((total_execs + ${execs:-0}))
	total_corpus=$((total_corpus + files))
done
printf '%-24s %12s %8s %8s %8s\n' total "$total_execs" "" "" "$total_corpus"
echo "corpus kept in $root; ${secs} s per target"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
