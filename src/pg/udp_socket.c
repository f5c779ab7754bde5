/*
 * udp_socket.c
 *    Socket setup and batched receive for the workers (udp_socket.h).
 *
 *    Linux specific on purpose: recvmmsg, SO_REUSEPORT, SO_RXQ_OVFL and
 *    SO_TIMESTAMPNS are what make a single worker keep up with a busy
 *    exporter and tell the user when it did not.
 */
#include "postgres.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "udp_socket.h"

#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif
/* Index of the drop count in SO_MEMINFO's array (linux/sock_diag.h). */
#define GF_SK_MEMINFO_RMEM_ALLOC 0
#define GF_SK_MEMINFO_DROPS 8
#define GF_SK_MEMINFO_VARS 9
#ifndef SO_RXQ_OVFL
#define SO_RXQ_OVFL 40
#endif

/* Room for a timespec and a uint32 control message, with headroom. */
#define GF_CMSG_SPACE	128

struct GfRecvBatch
{
	int			nmsgs;
	size_t		bufsize;
	struct mmsghdr *msgs;
	struct iovec *iov;
	struct sockaddr_storage *addrs;
	char	   *cmsgs;			/* nmsgs * GF_CMSG_SPACE */
	uint8	   *bufs;			/* nmsgs * bufsize */
};

/* "127.0.0.1:2055" or "[::1]:2055" for messages. */
static void
us_format_sockaddr(const struct sockaddr *sa, char *buf, size_t len)
{
	char		host[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET)
	{
		const struct sockaddr_in *in = (const struct sockaddr_in *) sa;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, (unsigned) ntohs(in->sin_port));
	}
	else
	{
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, (unsigned) ntohs(in6->sin6_port));
	}
}

/* Build the address to bind for uri; returns its length. */
static socklen_t
us_bind_address(const gf_listen_uri *uri, int family, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET)
	{
		struct sockaddr_in *in = (struct sockaddr_in *) ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(uri->port);
		if (uri->family == GF_LISTEN_IPV4)
			memcpy(&in->sin_addr, uri->addr, 4);
		else
			in->sin_addr.s_addr = htonl(INADDR_ANY);
		return sizeof(*in);
	}
	else
	{
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(uri->port);
		if (uri->family == GF_LISTEN_IPV6)
			memcpy(&in6->sin6_addr, uri->addr, 16);
		else
			in6->sin6_addr = in6addr_any;
		return sizeof(*in6);
	}
}

int
gf_udp_set_rcvbuf(int fd, int rcvbuf, const char *listen_text)
{
	int			granted = 0;
	socklen_t	len = sizeof(granted);

	if (rcvbuf > 0 &&
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) != 0)
		ereport(LOG,
				(errcode_for_socket_access(),
				 errmsg("goflow2plus: could not set SO_RCVBUF to %d bytes on %s: %m",
						rcvbuf, listen_text)));
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &len) != 0)
		return 0;

	/*
	 * Linux doubles the value asked for (the other half is its bookkeeping)
	 * but first caps it at net.core.rmem_max, so a grant below the request
	 * means the cap was hit.
	 */
	if (rcvbuf > 0 && granted < rcvbuf)
		ereport(LOG,
				(errmsg("goflow2plus: socket receive buffer on %s is %d bytes, less than goflow2plus.rcvbuf (%d bytes)",
						listen_text, granted, rcvbuf),
				 errhint("The kernel caps it at net.core.rmem_max; as root run \"sysctl -w net.core.rmem_max=%d\" (and persist it in /etc/sysctl.d) to allow it, then restart or reload.",
						 rcvbuf)));
	return granted;
}

int
gf_udp_open(const gf_listen_uri *uri, int rcvbuf)
{
	int			family = (uri->family == GF_LISTEN_IPV4) ? AF_INET : AF_INET6;
	int			fd;
	int			on = 1;
	int			off = 0;
	struct sockaddr_storage ss;
	socklen_t	sslen;
	char		where[INET6_ADDRSTRLEN + 16];

	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0 && uri->family == GF_LISTEN_ANY &&
		(errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT))
	{
		/* No IPv6 on this host: the IPv4 wildcard is all "any" can mean. */
		ereport(LOG,
				(errmsg("goflow2plus: IPv6 is not available; %s listens on IPv4 only",
						uri->text)));
		family = AF_INET;
		fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	}
	if (fd < 0)
		ereport(ERROR,
				(errcode_for_socket_access(),
				 errmsg("goflow2plus: could not create a UDP socket for %s: %m",
						uri->text)));

	sslen = us_bind_address(uri, family, &ss);
	us_format_sockaddr((struct sockaddr *) &ss, where, sizeof(where));

	/*
	 * SO_REUSEPORT on every socket, not only with count > 1: a worker that
	 * restarts can then bind again even while a sibling holds the port.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0)
	{
		close(fd);
		ereport(ERROR,
				(errcode_for_socket_access(),
				 errmsg("goflow2plus: could not set SO_REUSEPORT for %s: %m", where)));
	}
	if (family == AF_INET6 && uri->family == GF_LISTEN_ANY &&
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) != 0)
		ereport(LOG,
				(errcode_for_socket_access(),
				 errmsg("goflow2plus: could not turn IPV6_V6ONLY off for %s, IPv4 exporters will not reach it: %m",
						where)));
	if (family == AF_INET6 && uri->family == GF_LISTEN_IPV6)
		(void) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));

	/* Both are best effort: without them we lose precision, not data. */
	(void) setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof(on));
	(void) setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));

	(void) gf_udp_set_rcvbuf(fd, rcvbuf, uri->text);

	if (bind(fd, (struct sockaddr *) &ss, sslen) != 0)
	{
		int			save = errno;

		close(fd);
		errno = save;
		ereport(ERROR,
				(errcode_for_socket_access(),
				 errmsg("goflow2plus: could not bind UDP %s for %s: %m", where, uri->text),
				 (save == EADDRINUSE ?
				  errhint("Another program, or a server running as another user, holds this port.") : 0)));
	}
	return fd;
}

GfRecvBatch *
gf_recv_batch_create(MemoryContext cxt, int nmsgs, size_t bufsize)
{
	GfRecvBatch *b = MemoryContextAllocZero(cxt, sizeof(GfRecvBatch));
	int			i;

	b->nmsgs = nmsgs;
	b->bufsize = bufsize;
	b->msgs = MemoryContextAllocZero(cxt, sizeof(struct mmsghdr) * nmsgs);
	b->iov = MemoryContextAllocZero(cxt, sizeof(struct iovec) * nmsgs);
	b->addrs = MemoryContextAllocZero(cxt, sizeof(struct sockaddr_storage) * nmsgs);
	b->cmsgs = MemoryContextAllocZero(cxt, (Size) GF_CMSG_SPACE * nmsgs);
	/* Huge: most pages are never touched, so they cost address space only. */
	b->bufs = MemoryContextAllocHuge(cxt, bufsize * nmsgs);
	for (i = 0; i < nmsgs; i++)
	{
		b->iov[i].iov_base = b->bufs + bufsize * i;
		b->iov[i].iov_len = bufsize;
	}
	return b;
}

int
gf_recv_batch(int fd, GfRecvBatch *b)
{
	int			i;
	int			n;

	/* recvmmsg overwrites the lengths, so reset them before every call. */
	for (i = 0; i < b->nmsgs; i++)
	{
		struct msghdr *h = &b->msgs[i].msg_hdr;

		h->msg_name = &b->addrs[i];
		h->msg_namelen = sizeof(struct sockaddr_storage);
		h->msg_iov = &b->iov[i];
		h->msg_iovlen = 1;
		h->msg_control = b->cmsgs + (Size) GF_CMSG_SPACE * i;
		h->msg_controllen = GF_CMSG_SPACE;
		h->msg_flags = 0;
		b->msgs[i].msg_len = 0;
	}
	do
	{
		n = recvmmsg(fd, b->msgs, (unsigned) b->nmsgs, MSG_DONTWAIT, NULL);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	return n;
}

void
gf_recv_datagram(GfRecvBatch *b, int i, uint64 now_ns,
				 gf_datagram *dg, GfRecvInfo *info)
{
	struct msghdr *h = &b->msgs[i].msg_hdr;
	const struct sockaddr *sa = (const struct sockaddr *) &b->addrs[i];
	struct cmsghdr *cm;

	memset(dg, 0, sizeof(*dg));
	memset(info, 0, sizeof(*info));
	dg->data = b->bufs + b->bufsize * i;
	dg->len = Min((size_t) b->msgs[i].msg_len, b->bufsize);
	dg->time_received_ns = now_ns;
	info->truncated = (h->msg_flags & MSG_TRUNC) != 0;

	if (sa->sa_family == AF_INET && h->msg_namelen >= sizeof(struct sockaddr_in))
	{
		const struct sockaddr_in *in = (const struct sockaddr_in *) sa;

		gf_addr_set_v4(&dg->exporter, (const uint8_t *) &in->sin_addr);
		dg->exporter_port = ntohs(in->sin_port);
	}
	else if (sa->sa_family == AF_INET6 && h->msg_namelen >= sizeof(struct sockaddr_in6))
	{
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;

		/* A dual-stack socket reports IPv4 exporters as ::ffff:a.b.c.d. */
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
			gf_addr_set_v4(&dg->exporter, in6->sin6_addr.s6_addr + 12);
		else
			gf_addr_set_v6(&dg->exporter, in6->sin6_addr.s6_addr);
		dg->exporter_port = ntohs(in6->sin6_port);
	}

	/* MSG_CTRUNC would only mean we lose a timestamp or the drop count. */
	for (cm = CMSG_FIRSTHDR(h); cm != NULL; cm = CMSG_NXTHDR(h, cm))
	{
		if (cm->cmsg_level != SOL_SOCKET)
			continue;
		if (cm->cmsg_type == SCM_TIMESTAMPNS &&
			cm->cmsg_len >= CMSG_LEN(sizeof(struct timespec)))
		{
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
			dg->time_received_ns = (uint64) ts.tv_sec * UINT64CONST(1000000000) +
				(uint64) ts.tv_nsec;
		}
		else if (cm->cmsg_type == SO_RXQ_OVFL &&
				 cm->cmsg_len >= CMSG_LEN(sizeof(uint32)))
		{
			memcpy(&info->kernel_drops, CMSG_DATA(cm), sizeof(uint32));
			info->has_drops = true;
		}
	}
}

bool
gf_udp_meminfo(int fd, uint32 *drops, uint32 *queued)
{
	uint32		mem[GF_SK_MEMINFO_VARS + 7];	/* newer kernels may add */
	socklen_t	len = sizeof(mem);

	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) != 0 ||
		len < (socklen_t) (sizeof(uint32) * GF_SK_MEMINFO_VARS))
		return false;
	*drops = mem[GF_SK_MEMINFO_DROPS];
	*queued = mem[GF_SK_MEMINFO_RMEM_ALLOC];
	return true;
}
