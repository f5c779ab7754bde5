/*
 * nats_sub.h
 *    The JetStream side of a nats:// source worker (source_worker.c): one
 *    connection, one durable pull consumer shared by every worker (of this
 *    and of other PostgreSQL servers) that names it, and the messages of
 *    the batch being written, held until the worker settles them.
 *
 *    Every call here runs on the worker's own thread, synchronously; the
 *    threads nats.c starts (read loop, flusher, timers, reconnection) only
 *    move bytes and never see a callback of ours, so nothing of
 *    PostgreSQL can be reached from them.  Signals are blocked around the
 *    calls that may create those threads (library open, connect,
 *    subscribe, fetch), so they all start with every signal blocked.
 *
 *    Settling: gf_nsrc_ack after the batch's transaction committed (the
 *    messages are done), gf_nsrc_nak to have them sent again later (the
 *    extension is missing), gf_nsrc_term when they can never be written
 *    (the server stops redelivering them), gf_nsrc_in_progress while a
 *    failed batch waits for its retry (the consumer's ack wait starts
 *    again, so no other worker is handed the same messages meanwhile).
 *
 *    Plain C: no postgres.h (see nats_pub.h).
 */
#ifndef GF_NATS_SUB_H
#define GF_NATS_SUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nats_pub.h"

typedef struct GfNatsSourceConfig
{
	const GfNatsConfig *conn;	/* servers, name, credentials (nats_pub.h) */
	const char *stream;
	const char *consumer;		/* durable name */
	const char *filter_subject; /* "" = the whole stream */
	int			ack_wait_ms;	/* of a consumer we create */
	int			max_ack_pending;	/* of a consumer we create */
} GfNatsSourceConfig;

typedef struct GfNatsSource GfNatsSource;

/* Copy the settings and open the library.  NULL, with err, on failure. */
extern GfNatsSource *gf_nsrc_create(const GfNatsSourceConfig *cfg,
									char *err, size_t errlen);

/*
 * Connect (when not connected), check the stream, find or create the
 * consumer and subscribe.  0 when ready to fetch; -1 with the reason in
 * err (server away, stream missing, consumer refused): try again later.
 * *created tells whether this call created the consumer.
 */
extern int	gf_nsrc_setup(GfNatsSource *s, bool *created, char *err, size_t errlen);

/*
 * Fetch up to max messages, waiting at most timeout_ms, and add them to
 * the held ones.  Returns the number fetched (0 on a timeout), or -1 with
 * err when the subscription is gone or the connection closed (call
 * gf_nsrc_setup again).  *redelivered counts fetched messages the server
 * had delivered before (another worker's, or ours before a restart).
 */
extern int	gf_nsrc_fetch(GfNatsSource *s, int max, int timeout_ms,
						  uint64_t *redelivered, char *err, size_t errlen);

/* Messages held (fetched, not yet settled), and their payloads. */
extern int	gf_nsrc_held(const GfNatsSource *s);
extern const uint8_t *gf_nsrc_data(const GfNatsSource *s, int i, size_t *len);

/*
 * Settle every held message and let them go.  Return how many the
 * connection refused to carry (the server then redelivers those after
 * its ack wait).
 */
extern int	gf_nsrc_ack(GfNatsSource *s);
extern int	gf_nsrc_nak(GfNatsSource *s, int delay_ms);
extern int	gf_nsrc_term(GfNatsSource *s);
/* Keep the held messages, restarting their ack wait. */
extern void gf_nsrc_in_progress(GfNatsSource *s);

/* Send what the connection buffers (acks) within wait_ms. */
extern void gf_nsrc_flush(GfNatsSource *s, int wait_ms);

/* The server connected to now, or "" (for messages). */
extern void gf_nsrc_url(GfNatsSource *s, char *buf, size_t len);

/*
 * The inbox the subscription's messages come to ("" when unsubscribed):
 * for test/e2e/nats_sub_lifetime.c, which sends its own pull requests to
 * it to leave messages pending.
 */
extern const char *gf_nsrc_inbox(GfNatsSource *s);

/* Unsubscribe, close, release the library (at exit). */
extern void gf_nsrc_close(GfNatsSource *s);

#endif							/* GF_NATS_SUB_H */
