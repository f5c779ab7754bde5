#!/usr/bin/python3
# v9_export.py
#    Makes the NetFlow v9 input of bench_peers.sh from a real exporter:
#    scapy writes a pcap of FLOWS distinct one-way IPv4 flows (TCP and UDP,
#    two packets each, stamped over the last two minutes, sources in
#    10.1.0.0/16 so that udp_blast -u can make each loop's keys new), softflowd reads
#    it (-r, -v 9, -a: the pcap's own clock) and exports every flow at the
#    end of the file to a UDP socket of this script, which keeps each
#    datagram as it came.  The export is then checked against the traffic
#    we made: its data records must number FLOWS (one record per one-way
#    flow), else the script fails.
#
#    usage: /usr/bin/python3 v9_export.py OUT FLOWS WORKDIR
#
#    OUT holds the datagrams in order, each as a 4-byte header (length and
#    data records, both big-endian 16 bit) and the datagram; udp_blast -f
#    replays it.  Data records are counted from the templates in the
#    export (a data flowset's length over its template's record length).
#    Prints one line: datagrams, data records, template-only datagrams.
import os
import socket
import struct
import subprocess
import sys
import time

from scapy.all import IP, TCP, UDP, Ether, wrpcap


def make_pcap(path, flows):
	now = time.time()
	pkts = []
	for i in range(flows):
		src = "10.1.%d.%d" % ((i >> 8) & 255, i & 255)	# one /16: udp_blast -u
		dst = "172.16.%d.%d" % ((i * 7 >> 8) & 255, (i * 7) & 255)
		sport = 1024 + i % 60000
		l4 = TCP(sport=sport, dport=443, flags="A") if i % 2 else UDP(sport=sport, dport=53)
		for k in range(2):
			p = Ether() / IP(src=src, dst=dst, tos=(i % 4) * 8) / l4 / (b"x" * (20 + i % 200))
			p.time = now - 120 + (i * 60.0 / flows) + k * 0.5
			pkts.append(p)
	pkts.sort(key=lambda p: p.time)
	wrpcap(path, pkts)


# Flow records of one v9 datagram; templates learned on the way (a
# datagram carries the templates its own data flowsets use).  Options
# data (flowsets of an options template) are not counted.
def data_records(d, templates):
	if len(d) < 20 or struct.unpack(">H", d[:2])[0] != 9:
		raise ValueError("not a NetFlow v9 datagram")
	off, n = 20, 0
	while off + 4 <= len(d):
		fs_id, fs_len = struct.unpack(">HH", d[off:off + 4])
		if fs_len < 4 or off + fs_len > len(d):
			raise ValueError("bad flowset length %d" % fs_len)
		body = d[off + 4:off + fs_len]
		if fs_id == 0:
			p = 0
			while p + 4 <= len(body):
				tid, cnt = struct.unpack(">HH", body[p:p + 4])
				if tid == 0 and cnt == 0:
					break		# padding
				p += 4
				reclen = 0
				for _ in range(cnt):
					reclen += struct.unpack(">HH", body[p:p + 4])[1]
					p += 4
				templates[tid] = reclen
		elif fs_id == 1:
			# Options template: id, scope and option lengths in bytes;
			# its data records (exporter statistics) are no flows.
			p = 0
			while p + 6 <= len(body):
				tid, slen, olen = struct.unpack(">HHH", body[p:p + 6])
				if tid == 0:
					break
				p += 6
				templates[tid] = None
				p += slen + olen
		elif fs_id >= 256:
			if fs_id not in templates:
				raise ValueError("data flowset %d before its template" % fs_id)
			if templates[fs_id] is not None:
				n += len(body) // templates[fs_id]	# what is left over is padding
		off += fs_len
	return n


def main():
	out, flows, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]
	if not 0 < flows <= 65536:
		sys.exit("v9_export.py: 1 to 65536 flows (their sources fill one /16)")
	pcap = os.path.join(work, "flows.pcap")
	make_pcap(pcap, flows)
	sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
	sock.bind(("127.0.0.1", 0))
	port = sock.getsockname()[1]
	# PITFALLS: -c none (else it waits on its control socket); -m above
	# FLOWS so that no flow is expired early and split.
	sf = subprocess.Popen(["softflowd", "-d", "-r", pcap, "-n", "127.0.0.1:%d" % port,
						   "-v", "9", "-a", "-c", "none", "-m", str(flows * 2),
						   "-p", os.path.join(work, "softflowd.pid")],
						  stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "softflowd.log"), "w"))
	sock.settimeout(0.3)	# softflowd sends all at the end of the file, then exits
	grams = []
	deadline = time.time() + 60
	while time.time() < deadline:
		try:
			grams.append(sock.recv(65535))
		except socket.timeout:
			if sf.poll() is not None:
				break
	if sf.poll() is None:
		sf.kill()
		sf.wait()
	templates = {}
	total = tonly = 0
	with open(out, "wb") as f:
		for d in grams:
			n = data_records(d, templates)
			total += n
			tonly += n == 0
			f.write(struct.pack(">HH", len(d), n) + d)
	print("softflowd v9 export: %d datagrams, %d data records (%.1f per datagram), %d template-only; %d flows in the pcap"
		  % (len(grams), total, total / max(1, len(grams) - tonly), tonly, flows))
	if total != flows:
		print("v9_export.py: the export holds %d records, the pcap %d flows" % (total, flows), file=sys.stderr)
		sys.exit(1)


main()
