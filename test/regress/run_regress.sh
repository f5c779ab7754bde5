#!/usr/bin/env bash
# Runs pg_regress (make installcheck) as an ordinary user: pg_regress and
# initdb refuse root.  The tree is copied to a scratch folder that user owns,
# since pg_regress writes results/ and tmp_check/ beside the tests.
set -uo pipefail
cd "$(dirname "$0")/../.."
user=${GF_TEST_USER:-postgres}
# A folder and a port of this run's own, so two runs on one machine
# never share a cluster (GF_REGRESS_PORT picks the port).
work=$(mktemp -d /tmp/gf-regress.XXXXXX)
trap '[ "${GF_KEEP:-0}" = 1 ] || rm -rf "$work"' EXIT
port=${GF_REGRESS_PORT:-$((50000 + RANDOM % 10000))}
cp -r Makefile goflow2plus.control sql src proto expected test "$work"/
# GF_DESTDIR: test a "make install DESTDIR=..." tree instead of /usr.
if [ -n "${GF_DESTDIR:-}" ]; then
	cat >>"$work/test/regress/regress.conf" <<CONF
extension_destdir = '$GF_DESTDIR'
dynamic_library_path = '$GF_DESTDIR$(pg_config --pkglibdir):\$libdir'
CONF
fi
chown -R "$user" "$work"
total=$(ls test/regress/sql/*.sql | wc -l)
if runuser -u "$user" -- make -C "$work" -s installcheck PG_CONFIG="$(command -v pg_config)" REGRESS_PORT="$port" 2>&1 | tee "$work/out.log"; then
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
