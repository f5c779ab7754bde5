#!/bin/bash
# mapping_e2e.sh
#    Custom field mappings through a live worker (loopback only).  Real
#    captures are replayed before and after goflow2plus.load_mapping(),
#    and the rows are compared with tshark's decode of the same captures,
#    record by record (as sorted lists, test/e2e/mapping_oracle.py):
#      - akvorado's physicalinterfaces.pcap: with 252 -> in_if and
#        253 -> OutIf, in_if/out_if equal ingressPhysicalInterface /
#        egressPhysicalInterface of every record (before the mapping
#        they are NULL: the template has no ingressInterface);
#      - akvorado's ipfixprobe capture: the RFC 5103 reverse octet count
#        (PEN 29305, field 1) lands in extra as reverse_bytes;
#      - pmacct's test 104 (Cisco IPFIX over IPv6): sourceIPv6Address
#        mapped into next_hop, an inet column;
#      - akvorado's sFlow data-1140.pcap: the first and second 16 bits of
#        the sampled TCP header (layer tcp) as custom fields sport/dport
#        equal tshark's tcp.srcport/tcp.dstport of each sampled header.
#    The worker applies a committed mapping within a second, without a
#    restart (the log line it writes is timed); a refused mapping changes
#    nothing.
#
#    Run as root.  GF_SKIP_INSTALL=1 / GF_DESTDIR=/path as in
#    worker_smoke.sh.  Prints "N passed, N failed".
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib/tap.sh"
tap_require_root
DIR=$(mktemp -d /tmp/gf_mapping.XXXXXX)
chmod 755 "$DIR"
PORT=${GF_MAPPING_PORT:-$(free_port tcp)}
F_PORT=${GF_MAPPING_FLOW_PORT:-$(free_port udp)}
PY=/usr/bin/python3
CAPS=${GF_CAPTURES:-$REPO/../../shared/testdata/captures}
[ -d "$CAPS" ] || CAPS=/work/shared/testdata/captures
PHYS=$CAPS/akvorado__akvorado/physicalinterfaces.pcap
PROBE=$CAPS/akvorado__akvorado/combined/ipfix-ipfixprobe__combined.pcap
V6=$CAPS/pmacct__pmacct/tests__104-IPFIXv10-IPv6-CISCO-sampling_option__traffic-00.pcap
SF=$CAPS/akvorado__akvorado/data-1140.pcap
ORACLE="$PY $REPO/test/e2e/mapping_oracle.py"

. "$REPO/test/lib/cluster.sh"
cleanup() { gf_cluster_stop; rm -rf "$DIR"; }
trap cleanup EXIT
for f in "$PHYS" "$PROBE" "$V6" "$SF"; do
	[ -f "$f" ] || { echo "missing capture $f"; echo "0 passed, 1 failed"; exit 1; }
done
targs() { cat "${1%.pcap}.tshark-args.txt"; }

# replay PCAP FIRST_SOURCE: every datagram from FIRST_SOURCE (one exporter).
replay() {
	$PY "$REPO/test/tools/replay_udp.py" "$1" --port "$F_PORT" \
		--first-source "$2" >/dev/null
}
# same NAME GOT WANT: two sorted lists, shown apart when they differ.
same() {
	if [ -n "$3" ] && [ "$2" = "$3" ]; then ok "$1 ($(printf '%s\n' "$3" | wc -l) records)"
	else fail "$1"; diff <(printf '%s\n' "$3") <(printf '%s\n' "$2") | sed 's/^/    /' | head -20; fi
}
rows() { gf_q "SELECT $2 FROM goflow2plus.flows WHERE sampler_address = '$1' ORDER BY 1" | LC_ALL=C sort; }
log_lines() { grep -c "goflow2plus: decoding with" "$DIR/log"; }

gf_install "$REPO" "$DIR/build.log" || exit 1
gf_cluster_start "flow://127.0.0.1:${F_PORT}" "goflow2plus.flush_interval = '100ms'" || exit 1
gf_q "CREATE EXTENSION goflow2plus" >/dev/null
check "the worker is ready within 30 s" \
	gf_wait_for 30 "SELECT bool_and(ready) FROM goflow2plus.stats()"

# ---- before: no mapping --------------------------------------------------------
replay "$PHYS" 127.0.1.1
check "physicalinterfaces: 8 flows without a mapping" \
	gf_wait_for 10 "SELECT count(*) = 8 FROM goflow2plus.flows WHERE sampler_address = '127.0.1.1'"
is "without a mapping in_if/out_if are NULL (no ingressInterface in the template)" \
	"$(gf_q "SELECT count(*) FROM goflow2plus.flows WHERE sampler_address = '127.0.1.1' AND (in_if IS NOT NULL OR out_if IS NOT NULL OR extra IS NOT NULL)")" 0

# ---- a refused mapping changes nothing ---------------------------------------
before=$(log_lines)
err=$(gf_q "SELECT goflow2plus.load_mapping(E'ipfix:\n  mapping:\n    - {field: 252, destination: ifindex}\n')" 2>&1)
check "an unknown destination is refused with line and column" \
	grep -q 'line 3, column 33: unknown destination "ifindex"' <<<"$err"
is "nothing stored" "$(gf_q "SELECT count(*) FROM goflow2plus.mappings")" 0

# ---- load the mapping; the worker applies it within a second ------------------
t0=$(date +%s%N)
gf_q "SELECT goflow2plus.load_mapping(\$\$
formatter:
  protobuf:
    - name: reverse_bytes
      index: 1100
      type: varint
    - {name: sport, index: 1101}
    - {name: dport, index: 1102}
sflow:
  mapping:
    - {layer: tcp, offset: 0, length: 16, destination: sport}
    - {layer: tcp, offset: 16, length: 16, destination: dport}
ipfix:
  mapping:
    - field: 252
      destination: in_if
    - field: 253
      destination: OutIf
    - field: 1
      penprovided: true
      pen: 29305
      destination: reverse_bytes
    - field: 27
      destination: next_hop
\$\$)" >/dev/null
applied=0
for i in $(seq 1 100); do
	if [ "$(log_lines)" -gt "$before" ]; then applied=1; break; fi
	sleep 0.02
done
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
echo "    the worker applied the mapping ${ms} ms after commit"
check "the worker applies the mapping within 1 s, without a restart" \
	test "$applied" = 1 -a "$ms" -le 1000

# ---- after --------------------------------------------------------------------
replay "$PHYS" 127.0.2.1
replay "$PROBE" 127.0.3.1
replay "$V6" 127.0.4.1
replay "$SF" 127.0.6.1
check "all replayed flows are in (8 + 4 + 3, and 5 sFlow samples)" \
	gf_wait_for 10 "SELECT count(*) FILTER (WHERE sampler_address IN ('127.0.2.1', '127.0.3.1', '127.0.4.1')) = 15 AND count(*) FILTER (WHERE type = 'SFLOW_5') = 5 FROM goflow2plus.flows"

same "252/253 -> in_if/out_if equal tshark's ingress/egressPhysicalInterface" \
	"$(rows 127.0.2.1 "format('%s|%s|%s|%s', in_if, out_if, bytes, src_port)")" \
	"$($ORACLE "$PHYS" "$(targs "$PHYS")" cflow.ingress_physical_interface cflow.egress_physical_interface cflow.octets cflow.srcport | LC_ALL=C sort)"
same "PEN 29305 field 1 (reverse octets) -> extra.reverse_bytes equals tshark's" \
	"$(rows 127.0.3.1 "format('%s|%s|%s', bytes, extra->>'reverse_bytes', src_port)")" \
	"$($ORACLE "$PROBE" "$(targs "$PROBE")" cflow.octets:0 cflow.octets:1 cflow.srcport | LC_ALL=C sort)"
same "sourceIPv6Address -> next_hop (inet) equals tshark's" \
	"$(rows 127.0.4.1 "format('%s|%s', host(next_hop), bytes)")" \
	"$($ORACLE "$V6" "$(targs "$V6")" cflow.srcaddrv6 cflow.octets | LC_ALL=C sort)"
# tshark lists every sample's TCP ports in order: pair them up.
sf_want=$(tshark -r "$SF" $(targs "$SF") -T fields -e tcp.srcport -e tcp.dstport 2>/dev/null |
	awk -F'\t' '{n = split($1, s, ","); split($2, d, ","); for (i = 1; i <= n; i++) print s[i] "|" d[i]}' | LC_ALL=C sort)
same "sFlow: tcp bits 0-15 / 16-31 -> extra.sport/dport equal tshark's tcp.srcport/dstport" \
	"$(gf_q "SELECT format('%s|%s', extra->>'sport', extra->>'dport') FROM goflow2plus.flows WHERE type = 'SFLOW_5'" | LC_ALL=C sort)" \
	"$sf_want"
is "next_hop is an inet column holding IPv6" \
	"$(gf_q "SELECT min(pg_typeof(next_hop)::text) || ' ' || min(family(next_hop)) || ' ' || max(family(next_hop)) FROM goflow2plus.flows WHERE sampler_address = '127.0.4.1'")" "inet 6 6"
# physicalinterfaces' template has 252, 253 and 27 (all '::' there).
is "mapped values counted (stats: mapping_applied = 8*3 + 4 + 3 + 5*2)" "$(gf_counter mapping_applied)" 41
is "nothing refused (mapping_refused)" "$(gf_counter mapping_refused)" 0

# ---- clearing it -------------------------------------------------------------
before=$(log_lines)
gf_q "SELECT goflow2plus.load_mapping('')" >/dev/null
check "an empty mapping reaches the worker" \
	bash -c "for i in \$(seq 1 50); do [ \$(grep -c 'goflow2plus: decoding with no custom mapping' '$DIR/log') -gt 0 ] && exit 0; sleep 0.02; done; exit 1"
replay "$PHYS" 127.0.5.1
check "after clearing, in_if/out_if are NULL again" \
	gf_wait_for 10 "SELECT count(*) = 8 AND count(in_if) = 0 AND count(out_if) = 0 FROM goflow2plus.flows WHERE sampler_address = '127.0.5.1'"
check "no worker restarted" \
	test "$(gf_counter worker_starts)" = 1
tap_summary
