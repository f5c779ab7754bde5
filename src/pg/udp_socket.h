/*
 * udp_socket.h
 *    The UDP side of a worker: open and bind one socket for a listen entry
 *    (SO_REUSEPORT, SO_RCVBUF, kernel timestamps, drop counter), and read
 *    datagrams from it in batches with recvmmsg.
 *
 *    Include postgres.h before this header.
 */
#ifndef GF_UDP_SOCKET_H
#define GF_UDP_SOCKET_H

#include "decode.h"
#include "listen_uri.h"

/*
 * Open a non-blocking socket bound to uri's address and port.  An empty
 * host binds the IPv6 wildcard with IPV6_V6ONLY off, which also receives
 * IPv4 (as IPv4-mapped addresses); where IPv6 is not available it falls
 * back to 0.0.0.0.  Raises an ERROR naming the address when it fails.
 */
extern int	gf_udp_open(const gf_listen_uri *uri, int rcvbuf);

/*
 * Ask for an rcvbuf-byte receive buffer (0 leaves the kernel default) and
 * return what the kernel granted; LOG when it is less than asked.
 */
extern int	gf_udp_set_rcvbuf(int fd, int rcvbuf, const char *listen_text);

typedef struct GfRecvBatch GfRecvBatch;

/*
 * Datagrams the kernel dropped on this socket so far (its sk_drops, as
 * /proc/net/udp shows it) and the bytes its receive queue holds now (in
 * the kernel's accounting, the one SO_RCVBUF's grant is in), read with
 * SO_MEMINFO; false where the kernel does not say.  Exact at any moment,
 * unlike SO_RXQ_OVFL, which a datagram carries as of when it was queued,
 * so drops after the last datagram read stay unseen.
 */
extern bool gf_udp_meminfo(int fd, uint32 *drops, uint32 *queued);

/* Buffers for up to nmsgs datagrams of up to bufsize bytes each. */
extern GfRecvBatch *gf_recv_batch_create(MemoryContext cxt, int nmsgs, size_t bufsize);

/*
 * Receive what is queued, up to the batch size, without blocking.
 * Returns the number of datagrams (0 when none is waiting), or -1 with
 * errno set on a failure other than EAGAIN/EINTR.
 */
extern int	gf_recv_batch(int fd, GfRecvBatch *b);

/* What the batch says about datagram i (0 <= i < the count received). */
typedef struct GfRecvInfo
{
	bool		truncated;		/* longer than the buffer: MSG_TRUNC */
	bool		has_drops;		/* kernel_drops is valid */
	uint32		kernel_drops;	/* SO_RXQ_OVFL: drops on this socket so far */
} GfRecvInfo;

/*
 * Fill dg (data, len, exporter, port, time received) and info for
 * datagram i.  IPv4-mapped IPv6 sources become IPv4.  'now_ns' is used
 * when the kernel gave no timestamp.
 */
extern void gf_recv_datagram(GfRecvBatch *b, int i, uint64 now_ns,
							 gf_datagram *dg, GfRecvInfo *info);

#endif							/* GF_UDP_SOCKET_H */
