#!/bin/sh
# run.sh: build the pcap decode tool and compare the core decoder with
# tshark over the shared captures (skipped, exit 0, when they are absent).
# Ends with compare_tshark.py's 'N passed, N failed' line.
set -e
cd "$(dirname "$0")/../.."
test/tools/build.sh >/dev/null
/usr/bin/python3 test/tools/test_gf_pcap_decode.py 2>/dev/null | tail -1 | sed 's/^/pcap reader: /'
exec /usr/bin/python3 test/conformance/compare_tshark.py "$@"
