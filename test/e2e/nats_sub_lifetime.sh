#!/bin/bash
# nats_sub_lifetime.sh
#    The JetStream source's nats.c object lifetimes (src/pg/nats_sub.c)
#    under valgrind memcheck, outside PostgreSQL: nats_sub_lifetime.c
#    drives nats_sub.c as a source worker does against a nats-server -js
#    on loopback started here (held messages across a new subscription,
#    subscriptions dropped right after an expired pull request, close).
#    Any invalid read or write, in our code or inside libnats, fails it.
#    Before the fix of 2026-12-01 it failed with "Invalid read of size 8
#    ... natsMsg_Ack ... inside a block free'd by natsSubscription_Destroy".
#
#    Needs valgrind, gcc, libnats-dev, nats-server; no root.
#    LT_ROUNDS (default 100) sets part 2's repetitions.
#    Prints "N passed, N failed".  About 15 s.
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib/tap.sh"
for c in valgrind gcc nats-server; do
	command -v $c >/dev/null || { echo "$c not installed" >&2; exit 2; }
done

TOP=$(mktemp -d /tmp/gf_nats_sub_lt.XXXXXX)
NATS_PORT=$(free_port tcp)
NATS_PID=
cleanup() {
	if [ -n "$NATS_PID" ]; then kill "$NATS_PID" 2>/dev/null; wait "$NATS_PID" 2>/dev/null; fi
	[ "${GF_KEEP:-0}" = 1 ] && echo "# kept $TOP" || rm -rf "$TOP"
}
trap cleanup EXIT

check "harness builds with src/pg/nats_sub.c" \
	gcc -std=gnu11 -g -O1 -Wall -Werror -I"$REPO/src/pg" -o "$TOP/lt" \
	"$REPO/test/e2e/nats_sub_lifetime.c" "$REPO/src/pg/nats_sub.c" "$REPO/src/pg/nats_opts.c" -lnats
nats-server -js -a 127.0.0.1 -p "$NATS_PORT" -sd "$TOP/js" >"$TOP/nats.log" 2>&1 &
NATS_PID=$!
for _ in $(seq 50); do
	(exec 3<>"/dev/tcp/127.0.0.1/$NATS_PORT") 2>/dev/null && break
	sleep 0.1
done

valgrind -q --error-exitcode=99 --log-file="$TOP/vg.log" \
	"$TOP/lt" "nats://127.0.0.1:$NATS_PORT" "${LT_ROUNDS:-100}" >"$TOP/out" 2>&1
rc=$?
sed 's/^/#   /' "$TOP/out"
is "harness steps all as expected" "$(tail -1 "$TOP/out" | sed -n 's/.* passed, \([0-9]*\) failed/\1/p')" 0
is "valgrind: no invalid access (exit status)" "$rc" 0
if [ -s "$TOP/vg.log" ]; then
	echo "# valgrind:"
	head -30 "$TOP/vg.log" | sed 's/^/#   /'
fi
tap_summary
