#!/bin/bash
# nats_templates.sh
#    Shared templates through a JetStream key-value bucket
#    (goflow2plus.nats_templates_bucket), with a real nats-server -js on
#    loopback started here, and two edge clusters A and B as behind a UDP
#    load balancer that splits one exporter's datagrams:
#      - IPFIX data for template 300 reaches B first: it waits there
#        (nf_sets_pending; no row), the control that B cannot decode it
#        alone;
#      - the template reaches A only: A puts it in the bucket, B imports
#        it and decodes the waiting data; B's rows match what was sent,
#        field by field (the sender is the oracle);
#      - later data to B decodes at once; A's own data too;
#      - the bucket holds the template under its documented key.
#
#    Run as root.  GF_DESTDIR=/path uses a "make install DESTDIR=/path"
#    tree; GF_SKIP_INSTALL=1 what is installed; else it runs make install.
#    Prints "N passed, N failed".  About 30 s.
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib/tap.sh"
tap_require_root
command -v nats-server >/dev/null || { echo "nats-server not installed (apt-get install nats-server)" >&2; exit 2; }

TOP=$(mktemp -d /tmp/gf_nats_tpl.XXXXXX)
chmod 755 "$TOP"
DIR_A=$TOP/a
DIR_B=$TOP/b
PORT_A=$(free_port tcp)
PORT_B=$(free_port tcp)
NF_A=$(free_port udp)
NF_B=$(free_port udp)
NATS_PORT=$(free_port tcp)
PY=/usr/bin/python3
BUCKET=gf_tpl

. "$REPO/test/lib/cluster.sh"
on_a() { DIR=$DIR_A; PORT=$PORT_A; }
on_b() { DIR=$DIR_B; PORT=$PORT_B; }
NATS_PID=
cleanup() {
	on_a; gf_cluster_stop
	on_b; gf_cluster_stop
	if [ -n "$NATS_PID" ]; then kill "$NATS_PID" 2>/dev/null; wait "$NATS_PID" 2>/dev/null; fi
	rm -rf "$TOP"
}
trap cleanup EXIT
# IPFIX from 127.0.0.1, observation domain 7, template 300:
# sourceIPv4Address(8), destinationIPv4Address(12), octetDeltaCount(1, 8
# bytes), packetDeltaCount(2, 8 bytes), protocolIdentifier(4).
# "tpl PORT" sends the template alone, "data PORT START N" N records
# (record k: 10.7.0.k -> 10.8.0.k, bytes 1000 + k, packets k, proto 17).
cat >"$TOP/ipfix.py" <<'PYEOF'
import socket, struct, sys, time
def msg(sets, seq):
    body = b"".join(sets)
    return struct.pack("!HHIII", 10, 16 + len(body), int(time.time()), seq, 7) + body
def tset():
    rec = struct.pack("!HH", 300, 5) + struct.pack("!HHHHHHHHHH", 8, 4, 12, 4, 1, 8, 2, 8, 4, 1)
    return struct.pack("!HH", 2, 4 + len(rec)) + rec
def dset(start, n):
    recs = b"".join(socket.inet_aton("10.7.0.%d" % k) + socket.inet_aton("10.8.0.%d" % k)
                    + struct.pack("!QQB", 1000 + k, k, 17) for k in range(start, start + n))
    return struct.pack("!HH", 300, 4 + len(recs)) + recs
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
port = int(sys.argv[2])
if sys.argv[1] == "tpl":
    s.sendto(msg([tset()], 1), ("127.0.0.1", port))
else:
    start, n = int(sys.argv[3]), int(sys.argv[4])
    s.sendto(msg([dset(start, n)], start), ("127.0.0.1", port))
PYEOF
# What the sender sent for records START..START+N-1, as the table shows it.
expect() {
	local k
	for ((k = $1; k < $1 + $2; k++)); do
		echo "10.7.0.$k|10.8.0.$k|$((1000 + k))|$k|17|IPFIX|127.0.0.1"
	done
}
rows() { gf_q "SELECT concat_ws('|', host(src_addr), host(dst_addr), bytes, packets, proto, type, host(sampler_address)) FROM goflow2plus.flows ORDER BY bytes"; }

gf_install "$REPO" "$TOP/build.log" || exit 1
mkdir -p "$TOP/js"
nats-server -js -a 127.0.0.1 -p "$NATS_PORT" -sd "$TOP/js" >>"$TOP/nats.log" 2>&1 &
NATS_PID=$!
for _ in $(seq 50); do
	$PY -c "import socket; socket.create_connection(('127.0.0.1', $NATS_PORT), 0.2)" 2>/dev/null && break
	sleep 0.1
done

CONF="goflow2plus.nats_templates_bucket = '$BUCKET'
goflow2plus.nats_servers = 'nats://127.0.0.1:$NATS_PORT'
goflow2plus.flush_interval = 100ms"
on_a; gf_cluster_start "netflow://127.0.0.1:$NF_A" "$CONF" || exit 1
gf_q "CREATE EXTENSION goflow2plus" >/dev/null
check "A: worker shares templates through the bucket" gf_wait_log 15 "sharing templates through key-value bucket \"$BUCKET\""
on_b; gf_cluster_start "netflow://127.0.0.1:$NF_B" "$CONF" || exit 1
gf_q "CREATE EXTENSION goflow2plus" >/dev/null
check "B: worker shares templates through the bucket" gf_wait_log 15 "sharing templates through key-value bucket \"$BUCKET\""

# Data first, to B alone.
$PY "$TOP/ipfix.py" data "$NF_B" 1 3
gf_wait_for 5 "SELECT sum(value) >= 1 FROM goflow2plus.stats() WHERE counter = 'nf_sets_pending'" ||
	fail "B: the data set did not wait for its template"
sleep 1.5
is "control: B alone cannot decode the data (no row)" "$(gf_q 'SELECT count(*) FROM goflow2plus.flows')" 0

# The template, to A alone.
on_a
$PY "$TOP/ipfix.py" tpl "$NF_A"
gf_wait_for 5 "SELECT sum(value) >= 1 FROM goflow2plus.stats() WHERE counter = 'templates_shared'" ||
	fail "A: the template was not put in the bucket"
on_b
gf_wait_for 10 "SELECT count(*) >= 3 FROM goflow2plus.flows" || true
is "B: the waiting data decoded once A shared the template" "$(rows)" "$(expect 1 3)"
check "B: the template came from the bucket (nf_state_imported)" \
	[ "$(gf_counter nf_state_imported)" -ge 1 ]
is "B: the kept set counted as decoded" "$(gf_counter nf_sets_pending_decoded)" 1

# Later data decodes at once, on both.
$PY "$TOP/ipfix.py" data "$NF_B" 4 2
gf_wait_for 5 "SELECT count(*) >= 5 FROM goflow2plus.flows" || true
is "B: later data decodes at once" "$(rows)" "$(expect 1 5)"
on_a
$PY "$TOP/ipfix.py" data "$NF_A" 10 2
gf_wait_for 5 "SELECT count(*) >= 2 FROM goflow2plus.flows" || true
is "A: its own data decodes" "$(rows)" "$(expect 10 2)"
is "no share errors on A" "$(gf_counter templates_share_errors)" 0
on_b
is "no share errors on B" "$(gf_counter templates_share_errors)" 0

# The key, as template_share.h documents it (the stream behind a bucket is KV_<bucket>).
key_subject="\$KV.$BUCKET.t.7f000001.10.7.300"
found=$($PY - "$NATS_PORT" "$key_subject" <<'PYEOF'
import json, socket, sys
port, subj = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port), 2)
f = s.makefile("rb")
f.readline()
req = json.dumps({"last_by_subj": subj}).encode()
s.sendall(b'CONNECT {"verbose":false,"headers":true}\r\nSUB _r 1\r\nPUB $JS.API.STREAM.MSG.GET.KV_gf_tpl _r %d\r\n%s\r\nPING\r\n' % (len(req), req))
while True:
    line = f.readline()
    if line.startswith(b"MSG"):
        body = f.read(int(line.split()[-1]) + 2)
        print("yes" if b'"message"' in body else "no")
        break
    if not line:
        print("no"); break
PYEOF
)
is "the bucket holds the template under t.<exporter hex>.<version>.<domain>.<id>" "$found" yes

tap_summary
