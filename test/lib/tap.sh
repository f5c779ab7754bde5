# tap.sh: what every end-to-end script shares (source it).
#    A tally of checks printed as "ok   - ..." / "FAIL - ...", ending with
#    the "N passed, M failed" line test/run_all.sh reads; a root check;
#    and free ports, so that two runs on one machine never share one.

passed=0
failed=0
ok()   { passed=$((passed + 1)); echo "ok   - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
# check WHAT COMMAND...: ok when COMMAND succeeds.
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
# is NAME GOT WANT: ok when GOT equals WANT; a failure shows both.
is() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1 (got '$2', want '$3')"; fi; }
# tap_summary: the closing line, and the script's exit status.
tap_summary() { echo "$passed passed, $failed failed"; [ "$failed" = 0 ]; }

# tap_require_root WHY: the scripts start clusters as user postgres.
tap_require_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "run as root (${1:-the cluster runs as user postgres})" >&2
		exit 2
	fi
}

# free_port [udp|tcp]: a loopback port nobody holds at this moment (the
# kernel picks it; another process may still take it before we bind).
free_port() {
	/usr/bin/python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' "${1:-udp}"
}
