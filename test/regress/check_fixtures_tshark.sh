#!/usr/bin/env bash
# Checks the regression test's fixtures and expected output against
# independent oracles (run by test/run_all.sh, no database needed):
#  1. the committed fixtures are what gen_fixtures.py builds from its known
#     values (packets.sql, known_values.json);
#  2. every row in expected/*.out for a fixture shows the known values and
#     NULL elsewhere, and agrees with tshark's decode of fixtures.pcap.
# Prints 'fixtures: N passed, N failed'.
set -uo pipefail
cd "$(dirname "$0")/../.."
PY=/usr/bin/python3
if ! "$PY" test/regress/gen_fixtures.py --check; then
	echo "fixtures: 0 passed, 1 failed"
	exit 1
fi
"$PY" test/regress/check_fixtures.py expected
