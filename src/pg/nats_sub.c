/*
 * nats_sub.c
 *    The pull consumer of a nats:// source worker (see nats_sub.h).
 *
 *    The consumer is durable and explicit-ack: a message fetched and not
 *    acknowledged (the worker died, its transaction failed) is delivered
 *    again after the consumer's ack wait, to this worker or to any other
 *    sharing the consumer.  The worker acknowledges only after its
 *    transaction committed, so the stream's copy is the only one while a
 *    batch is being written: at least once, never lost.
 *
 *    A subscription is never destroyed while nats.c's read loop could still
 *    be handing it a message, nor while a held message points at it.
 *    libnats 3.4 (Debian 12) looks a subscription up under the
 *    connection's lock, lets the lock go, then locks and fills the
 *    subscription without holding a reference (fixed upstream in 3.6,
 *    nats.c #638): destroying it in that window makes the read loop
 *    write into freed memory, which glibc later reports as "free():
 *    invalid next size".  A late "408 Request Timeout" of an expired pull
 *    request is enough to be in that window.  And natsMsg_Ack reaches the
 *    connection through msg->sub, so a held message needs its
 *    subscription alive until it is settled.  So a subscription we drop
 *    is first unsubscribed (the read loop can no longer find it), then
 *    kept in retired[] until nothing is held and a PING/PONG round trip
 *    on its connection has gone through the read loop (which then has
 *    finished with any message it found the subscription for); only then
 *    is it destroyed.  One whose connection closed before that is never
 *    destroyed: a few hundred bytes per lost connection, not a crash.
 *
 *    A fetch of more than one message never starts while the subscription
 *    may hold messages already.  libnats 3.4's natsSubscription_Fetch
 *    first takes what is pending, then requests the rest and collects
 *    until its count equals, as far as we can tell, the batch minus what
 *    it took (later versions compare with the whole batch): with more
 *    than half a batch pending the count runs past its target, and each
 *    message that still comes (late deliveries of an earlier pull
 *    request) is written past the end of its array of batch pointers.  That corrupted
 *    the heap of a source worker in 1 of about 10 benchmark runs
 *    ("malloc(): invalid size (unsorted)", a core showed a 43-pointer
 *    array overrun by two).  Messages come late after a fetch that ended
 *    short (its pull request may still be served) and after one shorter
 *    than 20 ms (nats.c then asks the server to expire the request no
 *    earlier than it stops waiting).  So after a short fetch a PING/PONG
 *    goes through the read loop before the next (the server expired the
 *    request 10 ms before the client stopped waiting, so nothing of it
 *    comes after the PONG), and while anything is pending, or the wait is
 *    under NS_MULTI_MIN_MS, messages are fetched one by one: a batch of one
 *    cannot overrun.
 *
 *    Plain C: no postgres.h (see nats_pub.h).
 */
#include "nats_sub.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nats/nats.h>

#include "nats_opts.h"

/* Subscriptions waiting to be destroyed; beyond that they are let go. */
#define NS_RETIRED_MAX		16
/* The PING/PONG that proves the read loop is past a retired subscription. */
#define NS_DRAIN_WAIT_MS	500
/*
 * A deleted consumer does not make a fetch fail: the pull request just
 * goes unanswered.  After this long without a message the consumer is
 * looked up, so the source makes it again instead of idling for ever.
 */
#define NS_CHECK_MS			5000
/* A shorter fetch asks for one message only (see the header comment). */
#define NS_MULTI_MIN_MS		25

struct GfNatsSource
{
	/* Settings, copied (the strings live in strings). */
	char	   *servers;
	char	   *name;
	char	   *stream;
	char	   *consumer;
	char	   *filter_subject;
	int			ack_wait_ms;
	int			max_ack_pending;

	natsOptions *opts;
	natsConnection *nc;
	jsCtx	   *js;
	natsSubscription *sub;

	/* Held messages: fetched lists are moved here one by one. */
	natsMsg   **held;
	int			nheld;
	int			held_cap;

	/* Unsubscribed, not destroyed yet (see the header comment). */
	struct
	{
		natsSubscription *sub;
		natsConnection *nc;
	}			retired[NS_RETIRED_MAX];
	int			nretired;
	int			nleaked;		/* dropped without destroy, for good */

	int64_t		next_check_ms;	/* nats_Now() of the next consumer look-up */
	bool		late_possible;	/* the last fetch ended short */
};

/* Block every signal while nats.c may start a thread (nats_pub.h). */
typedef struct NsSigs
{
	sigset_t	old;
} NsSigs;

static void
ns_block(NsSigs *b)
{
	sigset_t	all;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &b->old);
}

static void
ns_unblock(NsSigs *b)
{
	pthread_sigmask(SIG_SETMASK, &b->old, NULL);
}

static char *
ns_strdup(const char *s)
{
	return strdup(s != NULL ? s : "");
}

/* "what: status: nats.c's last error" into err. */
static void
ns_err(char *err, size_t errlen, const char *what, natsStatus s, int jerr)
{
	const char *text = nats_GetLastError(NULL);

	if (jerr != 0)
		snprintf(err, errlen, "%s: %s (JetStream error %d)%s%s", what,
				 natsStatus_GetText(s), jerr, text ? ": " : "", text ? text : "");
	else
		snprintf(err, errlen, "%s: %s%s%s", what, natsStatus_GetText(s),
				 text ? ": " : "", text ? text : "");
}

GfNatsSource *
gf_nsrc_create(const GfNatsSourceConfig *cfg, char *err, size_t errlen)
{
	GfNatsSource *s = calloc(1, sizeof(GfNatsSource));
	const char *urls[64];
	char	   *copy = NULL;
	char	   *save = NULL;
	char	   *tok;
	int			nurls = 0;
	const char *what = "servers";
	natsStatus	st;
	NsSigs		sigs;

	if (s == NULL)
	{
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->servers = ns_strdup(cfg->conn->servers);
	s->name = ns_strdup(cfg->conn->name);
	s->stream = ns_strdup(cfg->stream);
	s->consumer = ns_strdup(cfg->consumer);
	s->filter_subject = ns_strdup(cfg->filter_subject);
	s->ack_wait_ms = cfg->ack_wait_ms;
	s->max_ack_pending = cfg->max_ack_pending;
	copy = ns_strdup(cfg->conn->servers);
	if (!s->servers || !s->name || !s->stream || !s->consumer ||
		!s->filter_subject || !copy)
	{
		free(copy);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (tok = strtok_r(copy, ", ", &save); tok != NULL && nurls < 64;
		 tok = strtok_r(NULL, ", ", &save))
		urls[nurls++] = tok;
	if (nurls == 0)
	{
		free(copy);
		snprintf(err, errlen, "no NATS server to connect to (the listen entry names none and goflow2plus.nats_servers is empty)");
		return NULL;
	}

	ns_block(&sigs);
	st = nats_Open(-1);
	if (st == NATS_OK)
		st = natsOptions_Create(&s->opts);
	if (st == NATS_OK)
		st = natsOptions_SetServers(s->opts, urls, nurls);
	if (st == NATS_OK && s->name[0])
		st = natsOptions_SetName(s->opts, s->name);
	/* Once connected, nats.c reconnects by itself, for ever. */
	if (st == NATS_OK)
		st = natsOptions_SetMaxReconnect(s->opts, -1);
	if (st == NATS_OK)
		st = natsOptions_SetReconnectWait(s->opts, 1000);
	if (st == NATS_OK)
		st = natsOptions_SetTimeout(s->opts, 2000);
	if (st == NATS_OK)
		st = natsOptions_SetPingInterval(s->opts, 10000);
	if (st == NATS_OK)
		st = gf_nats_options_auth(s->opts, cfg->conn, &what);
	ns_unblock(&sigs);
	free(copy);
	if (st != NATS_OK)
	{
		ns_err(err, errlen, what, st, 0);
		return NULL;
	}
	return s;
}

void
gf_nsrc_url(GfNatsSource *s, char *buf, size_t len)
{
	buf[0] = '\0';
	if (s->nc != NULL)
		(void) natsConnection_GetConnectedUrl(s->nc, buf, len);
	if (buf[0] == '\0')
		snprintf(buf, len, "%s", s->servers);
}

const char *
gf_nsrc_inbox(GfNatsSource *s)
{
	const char *subj = s->sub != NULL ? natsSubscription_GetSubject(s->sub) : NULL;

	return subj != NULL ? subj : "";
}

/*
 * Take the subscription off the connection (UNSUB; the read loop can no
 * longer find it) and keep it for ns_release_retired.
 */
static void
ns_retire_sub(GfNatsSource *s)
{
	if (s->sub == NULL)
		return;
	/* Fails when the connection is closed: then it is off it already. */
	(void) natsSubscription_Unsubscribe(s->sub);
	if (s->nretired < NS_RETIRED_MAX)
	{
		s->retired[s->nretired].sub = s->sub;
		s->retired[s->nretired].nc = s->nc;
		s->nretired++;
	}
	else
		s->nleaked++;			/* never destroyed: safe, a small leak */
	s->sub = NULL;
	s->late_possible = false;
}

/*
 * Destroy the retired subscriptions of the current connection once no
 * held message points at them and a PING/PONG went through the read loop
 * after their UNSUB.  Those of a closed, earlier connection stay.
 */
static void
ns_release_retired(GfNatsSource *s)
{
	int			i;
	int			kept = 0;

	if (s->nretired == 0 || s->nheld > 0 || s->nc == NULL ||
		natsConnection_Status(s->nc) != NATS_CONN_STATUS_CONNECTED)
		return;
	if (natsConnection_FlushTimeout(s->nc, NS_DRAIN_WAIT_MS) != NATS_OK)
		return;
	for (i = 0; i < s->nretired; i++)
	{
		if (s->retired[i].nc == s->nc)
			natsSubscription_Destroy(s->retired[i].sub);
		else
			s->retired[kept++] = s->retired[i];
	}
	s->nretired = kept;
}

/* Drop the subscription (and, when closed, the connection) for a new setup. */
static void
ns_reset(GfNatsSource *s)
{
	ns_retire_sub(s);
	if (s->nc != NULL && natsConnection_IsClosed(s->nc))
	{
		/* Retired subscriptions keep their references to both. */
		jsCtx_Destroy(s->js);
		s->js = NULL;
		natsConnection_Destroy(s->nc);
		s->nc = NULL;
	}
}

static int
ns_setup(GfNatsSource *s, bool *created, char *err, size_t errlen)
{
	natsStatus	st;
	jsErrCode	jerr = 0;
	jsStreamInfo *si = NULL;
	jsConsumerInfo *ci = NULL;
	jsSubOptions so;

	*created = false;
	ns_reset(s);
	ns_release_retired(s);
	if (s->nc == NULL)
	{
		jsOptions	jo;

		st = natsConnection_Connect(&s->nc, s->opts);
		if (st != NATS_OK)
		{
			s->nc = NULL;
			ns_err(err, errlen, "could not connect to NATS", st, 0);
			return -1;
		}
		jsOptions_Init(&jo);
		/* API requests (stream and consumer look-ups) wait this long. */
		jo.Wait = 2000;
		st = natsConnection_JetStream(&s->js, s->nc, &jo);
		if (st != NATS_OK)
		{
			ns_err(err, errlen, "could not open a JetStream context", st, 0);
			return -1;
		}
	}

	st = js_GetStreamInfo(&si, s->js, s->stream, NULL, &jerr);
	if (st != NATS_OK)
	{
		if (jerr == JSStreamNotFoundErr || st == NATS_NOT_FOUND)
			snprintf(err, errlen, "JetStream stream \"%s\" does not exist (create it, e.g. with the JetStream sink of an edge collector, goflow2plus.nats_stream; or fix ?stream= of the listen entry)",
					 s->stream);
		else
			ns_err(err, errlen, "could not read JetStream stream information (is JetStream enabled on the server?)", st, jerr);
		return -1;
	}
	jsStreamInfo_Destroy(si);

	jerr = 0;
	st = js_GetConsumerInfo(&ci, s->js, s->stream, s->consumer, NULL, &jerr);
	if (st == NATS_OK)
		jsConsumerInfo_Destroy(ci);
	else if (jerr == JSConsumerNotFoundErr || st == NATS_NOT_FOUND)
	{
		jsConsumerConfig cc;

		jsConsumerConfig_Init(&cc);
		cc.Durable = s->consumer;
		cc.AckPolicy = js_AckExplicit;
		cc.DeliverPolicy = js_DeliverAll;
		cc.AckWait = (int64_t) s->ack_wait_ms * 1000000;
		cc.MaxAckPending = s->max_ack_pending;
		cc.MaxDeliver = -1;
		if (s->filter_subject[0])
			cc.FilterSubject = s->filter_subject;
		jerr = 0;
		/* Two workers creating it at once with one config: both succeed. */
		st = js_AddConsumer(&ci, s->js, s->stream, &cc, NULL, &jerr);
		if (st != NATS_OK)
		{
			ns_err(err, errlen, "could not create the JetStream consumer", st, jerr);
			return -1;
		}
		jsConsumerInfo_Destroy(ci);
		*created = true;
	}
	else
	{
		ns_err(err, errlen, "could not read the JetStream consumer", st, jerr);
		return -1;
	}

	jsSubOptions_Init(&so);
	so.Stream = s->stream;
	so.Consumer = s->consumer;
	jerr = 0;
	st = js_PullSubscribe(&s->sub, s->js, s->filter_subject, s->consumer,
						  NULL, &so, &jerr);
	if (st != NATS_OK)
	{
		s->sub = NULL;
		ns_err(err, errlen, "could not subscribe to the JetStream consumer (is it a pull consumer?)", st, jerr);
		return -1;
	}
	s->next_check_ms = nats_Now() + NS_CHECK_MS;
	return 0;
}

int
gf_nsrc_setup(GfNatsSource *s, bool *created, char *err, size_t errlen)
{
	NsSigs		sigs;
	int			rc;

	ns_block(&sigs);
	rc = ns_setup(s, created, err, errlen);
	ns_unblock(&sigs);
	return rc;
}

static bool
ns_hold(GfNatsSource *s, natsMsg *m)
{
	if (s->nheld == s->held_cap)
	{
		int			cap = s->held_cap ? s->held_cap * 2 : 256;
		natsMsg   **h = realloc(s->held, (size_t) cap * sizeof(natsMsg *));

		if (h == NULL)
			return false;
		s->held = h;
		s->held_cap = cap;
	}
	s->held[s->nheld++] = m;
	return true;
}

/*
 * Nothing came: every NS_CHECK_MS, is the consumer still there?  0, or -1
 * with err (and the subscription dropped) when it was deleted.
 */
static int
ns_check_consumer(GfNatsSource *s, char *err, size_t errlen)
{
	jsConsumerInfo *ci = NULL;
	jsErrCode	jerr = 0;
	natsStatus	st;
	NsSigs		sigs;
	int64_t		now = nats_Now();

	if (now < s->next_check_ms)
		return 0;
	s->next_check_ms = now + NS_CHECK_MS;
	ns_block(&sigs);
	st = js_GetConsumerInfo(&ci, s->js, s->stream, s->consumer, NULL, &jerr);
	ns_unblock(&sigs);
	if (st == NATS_OK)
	{
		jsConsumerInfo_Destroy(ci);
		return 0;
	}
	if (jerr != JSConsumerNotFoundErr && st != NATS_NOT_FOUND)
		return 0;				/* no answer: the next fetch will tell */
	snprintf(err, errlen, "JetStream consumer \"%s\" of stream \"%s\" no longer exists; making it again",
			 s->consumer, s->stream);
	ns_reset(s);
	return -1;
}

/*
 * May a fetch of more than one message start now?  Only when nothing is
 * pending in the subscription and nothing of an earlier pull request can
 * still come (see the header comment).
 */
static bool
ns_multi_fetch_safe(GfNatsSource *s, int timeout_ms)
{
	int			msgs = 0;
	int			bytes = 0;

	if (timeout_ms < NS_MULTI_MIN_MS)
		return false;
	if (s->late_possible)
	{
		if (s->nc == NULL ||
			natsConnection_FlushTimeout(s->nc, NS_DRAIN_WAIT_MS) != NATS_OK)
			return false;
		s->late_possible = false;
	}
	if (natsSubscription_GetPending(s->sub, &msgs, &bytes) != NATS_OK)
		return false;
	return msgs == 0;
}

int
gf_nsrc_fetch(GfNatsSource *s, int max, int timeout_ms,
			  uint64_t *redelivered, char *err, size_t errlen)
{
	natsMsgList list = {NULL, 0};
	natsStatus	st;
	jsErrCode	jerr = 0;
	NsSigs		sigs;
	int			got = 0;
	int			i;

	if (s->sub == NULL)
	{
		snprintf(err, errlen, "not subscribed");
		return -1;
	}
	if (max > 1 && !ns_multi_fetch_safe(s, timeout_ms))
		max = 1;
	ns_block(&sigs);
	st = natsSubscription_Fetch(&list, s->sub, max, timeout_ms, &jerr);
	ns_unblock(&sigs);
	/* Ended short: its pull request may still be served after this. */
	s->late_possible = list.Count < max;
	/* A timeout may still have brought some messages. */
	if (st == NATS_TIMEOUT && list.Count == 0)
	{
		natsMsgList_Destroy(&list);
		return ns_check_consumer(s, err, errlen);
	}
	s->next_check_ms = nats_Now() + NS_CHECK_MS;
	if (st != NATS_OK && st != NATS_TIMEOUT)
	{
		natsMsgList_Destroy(&list);
		ns_err(err, errlen, "could not fetch from the JetStream consumer", st, jerr);
		/* A subscription that fails for good is made again by setup. */
		if (st == NATS_INVALID_SUBSCRIPTION || st == NATS_CONNECTION_CLOSED ||
			jerr == JSConsumerNotFoundErr || st == NATS_NOT_FOUND)
			ns_reset(s);
		return -1;
	}
	for (i = 0; i < list.Count; i++)
	{
		natsMsg    *m = list.Msgs[i];
		jsMsgMetaData *meta = NULL;

		list.Msgs[i] = NULL;
		if (m == NULL)
			continue;
		if (natsMsg_GetMetaData(&meta, m) == NATS_OK)
		{
			if (meta->NumDelivered > 1)
				(*redelivered)++;
			jsMsgMetaData_Destroy(meta);
		}
		if (!ns_hold(s, m))
		{
			/* No memory to hold it: let the server send it again. */
			(void) natsMsg_Nak(m, NULL);
			natsMsg_Destroy(m);
			continue;
		}
		got++;
	}
	natsMsgList_Destroy(&list);
	return got;
}

int
gf_nsrc_held(const GfNatsSource *s)
{
	return s->nheld;
}

const uint8_t *
gf_nsrc_data(const GfNatsSource *s, int i, size_t *len)
{
	*len = (size_t) natsMsg_GetDataLength(s->held[i]);
	return (const uint8_t *) natsMsg_GetData(s->held[i]);
}

typedef enum NsSettle
{
	NS_ACK,
	NS_NAK,
	NS_TERM
} NsSettle;

static int
ns_settle(GfNatsSource *s, NsSettle how, int delay_ms)
{
	int			refused = 0;
	int			i;

	for (i = 0; i < s->nheld; i++)
	{
		natsStatus	st;

		if (how == NS_ACK)
			st = natsMsg_Ack(s->held[i], NULL);
		else if (how == NS_NAK)
			st = natsMsg_NakWithDelay(s->held[i], (int64_t) delay_ms, NULL);
		else
			st = natsMsg_Term(s->held[i], NULL);
		if (st != NATS_OK)
			refused++;
		natsMsg_Destroy(s->held[i]);
	}
	s->nheld = 0;
	ns_release_retired(s);
	return refused;
}

int
gf_nsrc_ack(GfNatsSource *s)
{
	return ns_settle(s, NS_ACK, 0);
}

int
gf_nsrc_nak(GfNatsSource *s, int delay_ms)
{
	return ns_settle(s, NS_NAK, delay_ms);
}

int
gf_nsrc_term(GfNatsSource *s)
{
	return ns_settle(s, NS_TERM, 0);
}

void
gf_nsrc_in_progress(GfNatsSource *s)
{
	int			i;

	for (i = 0; i < s->nheld; i++)
		(void) natsMsg_InProgress(s->held[i], NULL);
}

void
gf_nsrc_flush(GfNatsSource *s, int wait_ms)
{
	if (s->nc != NULL && natsConnection_Status(s->nc) == NATS_CONN_STATUS_CONNECTED)
		(void) natsConnection_FlushTimeout(s->nc, wait_ms);
}

void
gf_nsrc_close(GfNatsSource *s)
{
	int			i;

	if (s == NULL)
		return;
	/* Unsettled messages are simply redelivered after the ack wait. */
	for (i = 0; i < s->nheld; i++)
		natsMsg_Destroy(s->held[i]);
	s->nheld = 0;
	/* UNSUB, then the PING/PONG that also carries the acks out. */
	ns_retire_sub(s);
	gf_nsrc_flush(s, 1000);
	ns_release_retired(s);
	if (s->js != NULL)
		jsCtx_Destroy(s->js);
	s->js = NULL;
	if (s->nc != NULL)
	{
		natsConnection_Close(s->nc);
		natsConnection_Destroy(s->nc);
	}
	s->nc = NULL;
	natsOptions_Destroy(s->opts);
	s->opts = NULL;
	/*
	 * With a subscription left undestroyed the library never drains:
	 * don't wait for it (the process is exiting).
	 */
	if (s->nretired == 0 && s->nleaked == 0)
		(void) nats_CloseAndWait(1000);
}
