#!/usr/bin/env bash
# Builds every libFuzzer target (ASan+UBSan) and runs each for a short,
# fixed time from its seed corpus.  A crash, leak or sanitizer report fails
# the target.  FUZZ_SECONDS sets the time per target (default 5: the suite stays short;
# test/fuzz/run_long.sh is for long runs).
set -uo pipefail
cd "$(dirname "$0")/../.."
secs=${FUZZ_SECONDS:-5}
make -s fuzz || { echo "0 passed, 1 failed"; exit 1; }
pass=0; fail=0
work=$(mktemp -d /tmp/gf-fuzz.XXXXXX)
for bin in build/fuzz/fuzz_*; do
	name=$(basename "$bin")
	corpus="$work/$name"
	mkdir -p "$corpus"
	seeds="test/fuzz/corpus_${name#fuzz_}"
	[ -d "$seeds" ] && cp -r "$seeds"/. "$corpus"/
	if "$bin" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 \
		-artifact_prefix="$work/$name-" "$corpus" >"$work/$name.log" 2>&1; then
		echo "ok   $name ($(grep -c . "$work/$name.log") log lines, $(ls "$corpus" | wc -l) corpus files)"
		pass=$((pass + 1))
	else
		echo "FAIL $name: see below"; tail -40 "$work/$name.log"
		ls "$work"/"$name"-* 2>/dev/null
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
