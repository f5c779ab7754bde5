#!/usr/bin/env bash
# Runs pg_regress (make installcheck) as an ordinary user: pg_regress and
# initdb refuse root.  The tree is copied to a scratch folder that user owns,
# since pg_regress writes results/ and tmp_check/ beside the tests.
set -uo pipefail
cd "$(dirname "$0")/../.."
user=${GF_TEST_USER:-postgres}
work=/tmp/gf-regress
rm -rf "$work"
mkdir -p "$work"
cp -r Makefile goflow2plus.control sql src proto expected test "$work"/
chown -R "$user" "$work"
total=$(ls test/regress/sql/*.sql | wc -l)
if runuser -u "$user" -- make -C "$work" -s installcheck PG_CONFIG="$(command -v pg_config)" 2>&1 | tee "$work/out.log"; then
	:
fi
failed=$(grep -cE '^(not ok|test .* \.\.\. FAILED| *[a-z_0-9]+ +\.\.\. FAILED)' "$work/out.log")
ok=$(grep -cE '^(ok|test .* \.\.\. ok| *[a-z_0-9]+ +\.\.\. ok)' "$work/out.log")
if [ "$failed" -eq 0 ] && [ "$ok" -eq "$total" ]; then
	echo "$ok passed, 0 failed"
else
	[ -f "$work/regression.diffs" ] && head -200 "$work/regression.diffs"
	grep -h "FATAL\|PANIC\|terminated by signal" "$work"/tmp_check/log/*.log 2>/dev/null | head -20
	echo "$ok passed, $((total - ok)) failed"
	exit 1
fi
