#!/bin/sh
# run.sh: build the pcap decode tool, test its pcap reading, and compare
# the core decoder with tshark over the shared captures, flows and
# interface facts (skipped, exit 0, when they are absent).  The last line
# is 'N passed, N failed' with files (and the pcap reader test) as units.
cd "$(dirname "$0")/../.." || exit 1
test/tools/build.sh >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
reader=$(/usr/bin/python3 test/tools/test_gf_pcap_decode.py 2>/dev/null)
reader_rc=$?
echo "$reader" | grep -v '^[0-9]* passed' | sed 's/^/pcap reader: /'
echo "$reader" | tail -1 | sed 's/^/pcap reader: /'
out=$(/usr/bin/python3 test/conformance/compare_tshark.py "$@")
rc=$?
echo "$out" | sed '$d'
last=$(echo "$out" | tail -1)
p=$(echo "$last" | grep -oE '^[0-9]+ passed' | grep -oE '[0-9]+')
f=$(echo "$last" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
if [ -z "$p" ]; then echo "$last"; p=0; f=1; fi
if [ $reader_rc -eq 0 ]; then p=$((p + 1)); else f=$((f + 1)); fi
# Interface names and speeds (the sink's interface callback) against tshark.
ifo=$(/usr/bin/python3 test/conformance/compare_interfaces.py "$@")
if_rc=$?
echo "$ifo" | sed '$d' | sed 's/^/interfaces: /'
last=$(echo "$ifo" | tail -1)
ip=$(echo "$last" | grep -oE '^[0-9]+ passed' | grep -oE '[0-9]+')
iff=$(echo "$last" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
if [ -z "$ip" ]; then echo "interfaces: $last"; ip=0; iff=1; fi
p=$((p + ip)); f=$((f + iff))
echo "$p passed, $f failed"
[ $rc -eq 0 ] && [ $reader_rc -eq 0 ] && [ $if_rc -eq 0 ]
