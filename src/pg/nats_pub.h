/*
 * nats_pub.h
 *    The JetStream publisher of one worker: a byte ring the worker fills
 *    with encoded flows, and a thread of its own that empties it into
 *    nats.c's asynchronous publish, with a bounded number of messages
 *    waiting for their acknowledgement.
 *
 *    This header and nats_pub.c never include postgres.h: nothing that
 *    runs on the publisher's thread or on nats.c's threads can call
 *    PostgreSQL, by construction.  The worker (sink_nats.c) reads counters
 *    and log lines from here through atomics and a mutex-protected queue;
 *    no thread here touches the worker's latch, memory contexts or elog.
 *
 *    Threads: gf_nats_start blocks every signal while it opens the library
 *    and creates the publisher thread, so nats.c's threads (created then,
 *    or later by the publisher thread or by each other) all start with
 *    every signal blocked and PostgreSQL's handlers only ever run on the
 *    worker's own thread.
 *
 *    Ownership of a flow: gf_nats_put copies it into the ring (or counts
 *    it dropped when the ring is full).  The publisher thread waits while
 *    it is disconnected, while the stream was not checked yet, or while
 *    max_inflight messages wait for their acknowledgement: the ring is
 *    the only buffer, so the worker never waits.
 */
#ifndef GF_NATS_PUB_H
#define GF_NATS_PUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How flows are joined when several share one message. */
typedef enum GfNatsFraming
{
	GF_NATS_FRAMING_LINES,		/* JSON: one object per line */
	GF_NATS_FRAMING_VARINT		/* bin: each flow carries its varint length */
} GfNatsFraming;

typedef struct GfNatsConfig
{
	const char *servers;		/* comma-separated URLs */
	const char *stream;
	const char *stream_subject; /* what the stream must cover (wildcards) */
	const char *name;			/* connection name shown by the server */
	const char *msgid_prefix;	/* unique to this process run */
	const char *user;
	const char *password;
	const char *token;
	const char *creds_file;
	const char *nkey;
	const char *nkey_seed_file;
	const char *tls_ca;
	const char *tls_cert;
	const char *tls_key;
	GfNatsFraming framing;
	int			max_inflight;	/* messages waiting for an ack */
	int			batch;			/* flows per message, at most */
	int			ack_wait_ms;
	int64_t		stream_max_age_s;	/* 0: no limit */
	int64_t		stream_max_bytes;	/* 0: no limit */
	int			stream_replicas;
	size_t		ring_bytes;
} GfNatsConfig;

typedef struct GfNatsCounts
{
	uint64_t	published;		/* flows handed to nats.c */
	uint64_t	acked;			/* flows the stream acknowledged */
	uint64_t	failed;			/* flows whose message was refused or timed out for good */
	uint64_t	dropped;		/* flows never handed over (ring full, publish error) */
	uint64_t	inflight;		/* flows in messages awaiting their ack (gauge) */
	uint64_t	buffered;		/* flows in the ring, not yet published (gauge) */
	uint64_t	retries;		/* messages sent again after a timeout */
	uint64_t	duplicates;		/* acks saying the stream had the message already */
	bool		connected;
	bool		stream_ready;
} GfNatsCounts;

typedef struct GfNats GfNats;

/*
 * Open the library and start the publisher thread (which connects and
 * checks the stream by itself).  NULL with a reason in err on failure.
 * Strings in cfg are copied.
 */
extern GfNats *gf_nats_start(const GfNatsConfig *cfg, char *err, size_t errlen);

/*
 * Queue one encoded flow for 'subject'.  False when it did not fit (it
 * is then counted in 'dropped').  Worker thread only.
 */
extern bool gf_nats_put(GfNats *n, const char *subject, size_t subject_len,
						const void *data, size_t len);

/* Wake the publisher if it sleeps with flows queued; once per pass. */
extern void gf_nats_kick(GfNats *n);

extern void gf_nats_counts(GfNats *n, GfNatsCounts *out);

/*
 * The next line the threads want logged (false when none).  *warning:
 * log it as a WARNING rather than a LOG line.
 */
extern bool gf_nats_next_log(GfNats *n, bool *warning, char *buf, size_t len);

/*
 * Stop: publish what the ring holds and wait for acknowledgements for up
 * to wait_ms, then close the connection and the library.  What is left in
 * the ring is counted dropped.  n stays readable by gf_nats_counts (it is
 * not freed: the process is about to exit, and a late callback of
 * nats.c's may still read it).
 */
extern void gf_nats_stop(GfNats *n, int wait_ms);

#endif							/* GF_NATS_PUB_H */
