#!/usr/bin/python3
# reuseport_pair.py
#    Prints a source port P such that datagrams from 127.0.0.1:P and
#    127.0.0.1:P+1 to 127.0.0.1:DPORT land on different sockets of a
#    two-socket SO_REUSEPORT group (goflow2plus's ?count=2).
#
#    usage: /usr/bin/python3 reuseport_pair.py DPORT
#
#    The kernel picks a group's socket from a hash of the 4-tuple (with a
#    secret fixed at boot) scaled to the number of sockets, in the order
#    they were bound: two source ports chosen at random share one socket
#    half of the time.  So this binds its own two-socket group on DPORT
#    (which must be free: call it before the collector binds it), sends
#    one datagram from each candidate pair and keeps the first pair that
#    splits.  The collector's group, bound later on the same port, has the
#    same size and so the same split.
import random
import socket
import sys


def bound(port, reuse):
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	if reuse:
		s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
	s.bind(("127.0.0.1", port))
	return s


def main():
	dport = int(sys.argv[1])
	group = [bound(dport, True), bound(dport, True)]
	for g in group:
		g.settimeout(0.5)
	# Below the kernel's ephemeral range: a port it hands out to any
	# socket that sends unbound could otherwise be taken between this
	# check and the sender's bind (it happened in a run here).
	with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
		low = int(f.read().split()[0])
	base = random.randrange(max(1024, low - 12000), max(1100, low - 1000))
	for cand in range(base, base + 400):
		try:
			senders = [bound(cand, False), bound(cand + 1, False)]
		except OSError:
			continue
		where = []
		for i, s in enumerate(senders):
			s.sendto(b"%d" % i, ("127.0.0.1", dport))
		for k, g in enumerate(group):
			try:
				while True:
					g.settimeout(0.05 if where else 0.5)
					d = g.recv(16)
					where.append((int(d), k))
			except socket.timeout:
				pass
		for s in senders:
			s.close()
		got = dict(where)
		if len(got) == 2 and got[0] != got[1]:
			print(cand)
			return
	print("reuseport_pair.py: no splitting pair found", file=sys.stderr)
	sys.exit(1)


main()
