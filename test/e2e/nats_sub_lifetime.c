/*
 * nats_sub_lifetime.c
 *    Drives src/pg/nats_sub.c the way a source worker does, outside
 *    PostgreSQL, so that valgrind sees every thread nats.c starts
 *    (nats_sub_lifetime.sh runs it under memcheck against a nats-server
 *    -js on loopback).  What it must survive without one invalid read or
 *    write:
 *      1. messages held while the subscription is made again: a fetch
 *         fails (the consumer was deleted under it: the source must
 *         notice, a pull request to a missing consumer just goes
 *         unanswered), setup runs with the batch still in hand (and makes
 *         the consumer again), then the batch is acknowledged.  natsMsg_Ack
 *         reaches the connection through msg->sub, so the old subscription
 *         must still be alive;
 *      2. a subscription dropped (setup again) right after a fetch timed
 *         out, many times, then the worker's close: the server's "408
 *         Request Timeout" for the expired pull request arrives about
 *         then, and libnats 3.4 fills a subscription it holds no
 *         reference to;
 *      3. a fetch while messages are pending and more are on their way
 *         (late deliveries of an earlier pull request): libnats 3.4's
 *         natsSubscription_Fetch then returns more messages than the
 *         batch and writes past its array (asked 40, got 60 here), so
 *         nats_sub.c must fetch one by one until nothing is pending.  The
 *         harness sends its own pull requests to the inbox to make that
 *         situation at will.
 *    Prints what it did and exits 0 when every step went as expected;
 *    memory errors are valgrind's to report (--error-exitcode).
 *
 *    Usage: nats_sub_lifetime NATS_URL ROUNDS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nats/nats.h>

#include "nats_sub.h"

#define LT_STREAM	"lt"
#define LT_CONSUMER "ltc"

static int	lt_passed;
static int	lt_failed;

static void
lt_check(int ok, const char *what)
{
	printf("%s - %s\n", ok ? "ok  " : "FAIL", what);
	if (ok)
		lt_passed++;
	else
		lt_failed++;
}

/* A plain connection of the test's own, for the stream and the publishing. */
static jsCtx *
lt_admin(const char *url, natsConnection **nc)
{
	jsCtx	   *js = NULL;
	jsStreamConfig sc;
	const char *subjects[] = {"lt.>"};

	if (natsConnection_ConnectTo(nc, url) != NATS_OK ||
		natsConnection_JetStream(&js, *nc, NULL) != NATS_OK)
		return NULL;
	jsStreamConfig_Init(&sc);
	sc.Name = LT_STREAM;
	sc.Subjects = subjects;
	sc.SubjectsLen = 1;
	sc.Storage = js_MemoryStorage;
	(void) js_AddStream(NULL, js, &sc, NULL, NULL);
	return js;
}

static int
lt_publish(jsCtx *js, int n)
{
	int			i;
	int			ok = 0;

	for (i = 0; i < n; i++)
	{
		char		body[32];

		snprintf(body, sizeof(body), "m%d", i);
		if (js_Publish(NULL, js, "lt.x", body, (int) strlen(body), NULL, NULL) == NATS_OK)
			ok++;
	}
	return ok;
}

static GfNatsSource *
lt_source(const char *url, char *err, size_t errlen)
{
	static GfNatsConfig conn;
	static GfNatsSourceConfig cfg;

	memset(&conn, 0, sizeof(conn));
	conn.servers = url;
	conn.name = "nats_sub_lifetime";
	conn.msgid_prefix = conn.stream = conn.stream_subject = "";
	conn.user = conn.password = conn.token = conn.creds_file = "";
	conn.nkey = conn.nkey_seed_file = "";
	conn.tls_ca = conn.tls_cert = conn.tls_key = "";
	memset(&cfg, 0, sizeof(cfg));
	cfg.conn = &conn;
	cfg.stream = LT_STREAM;
	cfg.consumer = LT_CONSUMER;
	cfg.filter_subject = "";
	cfg.ack_wait_ms = 30000;
	cfg.max_ack_pending = 1000;
	return gf_nsrc_create(&cfg, err, errlen);
}

static int
lt_setup(GfNatsSource *s)
{
	bool		created;
	char		err[512];
	int			i;

	for (i = 0; i < 20; i++)
	{
		if (gf_nsrc_setup(s, &created, err, sizeof(err)) == 0)
			return 0;
		nats_Sleep(100);
	}
	fprintf(stderr, "setup: %s\n", err);
	return -1;
}

int
main(int argc, char **argv)
{
	const char *url = argc > 1 ? argv[1] : "nats://127.0.0.1:4222";
	int			rounds = argc > 2 ? atoi(argv[2]) : 20;
	natsConnection *anc = NULL;
	jsCtx	   *ajs = lt_admin(url, &anc);
	GfNatsSource *s;
	char		err[512];
	uint64_t	redelivered = 0;
	int			got;
	int			i;
	int			failed_fetches = 0;
	int			refused;

	if (ajs == NULL)
	{
		fprintf(stderr, "cannot reach %s\n", url);
		return 2;
	}

	/* 1. held messages across a new subscription */
	s = lt_source(url, err, sizeof(err));
	lt_check(s != NULL && lt_setup(s) == 0, "source subscribed");
	lt_check(lt_publish(ajs, 20) == 20, "20 messages published");
	got = gf_nsrc_fetch(s, 10, 2000, &redelivered, err, sizeof(err));
	lt_check(got == 10 && gf_nsrc_held(s) == 10, "10 messages fetched and held");
	lt_check(js_DeleteConsumer(ajs, LT_STREAM, LT_CONSUMER, NULL, NULL) == NATS_OK,
			 "consumer deleted under the source");
	/*
	 * The worker fetches on until the batch is due; the consumer is gone,
	 * which the source notices within NS_CHECK_MS (5 s) of silence.
	 */
	for (i = 0, got = 0; i < 30 && got >= 0; i++)
		got = gf_nsrc_fetch(s, 10, 300, &redelivered, err, sizeof(err));
	printf("#   fetch on the deleted consumer: %d after %d tries%s%s\n", got, i,
		   got < 0 ? ": " : "", got < 0 ? err : "");
	lt_check(got < 0, "a fetch on the deleted consumer fails within 9 s");
	lt_check(gf_nsrc_held(s) == 10, "the batch is still held");
	lt_check(lt_setup(s) == 0, "subscribed again (consumer made again) with the batch in hand");
	refused = gf_nsrc_ack(s);
	/* Acks of a deleted consumer's messages go nowhere; what counts is that they are sent safely. */
	printf("#   acks of the old batch: %d refused of 10\n", refused);
	lt_check(gf_nsrc_held(s) == 0, "batch settled");
	got = gf_nsrc_fetch(s, 100, 2000, &redelivered, err, sizeof(err));
	lt_check(got > 0, "the new consumer delivers");
	lt_check(gf_nsrc_ack(s) == 0, "and its messages are acknowledged");

	/* 2. a new subscription right after an expired pull request, many times */
	for (i = 0; i < rounds; i++)
	{
		/* Empty consumer: each fetch expires, its 408 comes about now. */
		if (gf_nsrc_fetch(s, 8, 20 + i % 7, &redelivered, err, sizeof(err)) < 0 ||
			lt_setup(s) != 0)
			failed_fetches++;
	}
	lt_check(failed_fetches == 0, "subscribed again right after an expired fetch, repeated");

	/* 3. a fetch with messages pending and more on their way */
	{
		char		next[128];
		char		reply[256];
		const char *inbox = gf_nsrc_inbox(s);
		size_t		ilen = strlen(inbox);
		int			most = 0;
		int			total = 0;

		/* A wildcard inbox ("_INBOX.x.*") takes any last token. */
		snprintf(reply, sizeof(reply), "%.*s%s",
				 (int) (ilen > 0 && inbox[ilen - 1] == '*' ? ilen - 1 : ilen),
				 inbox, ilen > 0 && inbox[ilen - 1] == '*' ? "7" : "");
		snprintf(next, sizeof(next), "$JS.API.CONSUMER.MSG.NEXT.%s.%s",
				 LT_STREAM, LT_CONSUMER);
		lt_check(lt_publish(ajs, 60) == 60, "60 more messages published");
		(void) natsConnection_PublishRequestString(anc, next, reply, "{\"batch\":30}");
		nats_Sleep(300);		/* 30 pending in the subscription */
		(void) natsConnection_PublishRequestString(anc, next, reply,
												   "{\"batch\":20,\"expires\":2000000000}");
		for (i = 0; i < 200 && total < 60; i++)
		{
			got = gf_nsrc_fetch(s, 40, 500, &redelivered, err, sizeof(err));
			if (got < 0)
				break;
			total += got;
			if (got > most)
				most = got;
			if (gf_nsrc_held(s) > 0)
				(void) gf_nsrc_ack(s);
		}
		printf("#   with 30 pending and 20 on their way: %d fetched in %d fetches of at most 40, the largest %d\n",
			   total, i, most);
		lt_check(most <= 40, "no fetch returns more than it asked for");
		lt_check(total == 60, "every message fetched");
	}

	jsCtx_Destroy(ajs);
	natsConnection_Destroy(anc);
	/* The worker's exit: unsubscribe, flush, destroy, close the library. */
	gf_nsrc_close(s);
	nats_CloseAndWait(2000);
	printf("%d passed, %d failed\n", lt_passed, lt_failed);
	return lt_failed ? 1 : 0;
}
