/*
 * nats_pub.c
 *    One worker's JetStream publisher (see nats_pub.h for the contract).
 *
 *    The worker appends records (subject, encoded flow) to a single-
 *    producer single-consumer byte ring; the publisher thread takes them
 *    out, joins consecutive records of one subject into a message (up to
 *    'batch' flows), and hands it to js_PublishMsgAsync with a
 *    Nats-Msg-Id unique to this process run and a deadline for its
 *    acknowledgement.  nats.c calls np_ack on its own thread for each
 *    message: acknowledged, refused, or timed out.  A message that timed
 *    out (or found no responder, the stream being briefly away) is sent
 *    again, up to NP_MAX_ATTEMPTS times, with the same Nats-Msg-Id: the
 *    stream stores it once even when the first copy did arrive.
 *
 *    Plain C: no postgres.h here (see the header).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE				/* pthread_timedjoin_np */
#endif
#include "nats_pub.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nats/nats.h>

#include "nats_opts.h"
#include "nats_subject.h"

/* Sends of one message at most (the first included). */
#define NP_MAX_ATTEMPTS		3
/* Lines the threads may queue for the worker's log between two ticks. */
#define NP_LOG_LINES		16
#define NP_LOG_LEN			512
/*
 * A message is never larger than this, nor than the server's max_payload
 * less NP_HDR_ROOM for the headers: a larger one would make the server
 * close the connection.
 */
#define NP_MAX_MSG_BYTES	(512 * 1024)
#define NP_HDR_ROOM			1024
/* Pause between attempts to check or create the stream. */
#define NP_STREAM_RETRY_MS	2000
#define NP_ATTEMPT_HDR		"Gf-Attempt"
/* Batching: subjects one window may group, and records it may hold. */
#define NP_MAX_GROUPS		64
#define NP_WINDOW			8192

/* Every record in the ring starts with this, 16-byte aligned. */
typedef struct NpRecHdr
{
	uint32_t	size;			/* whole record, aligned */
	uint16_t	subject_len;
	uint16_t	pad_only;		/* 1: filler up to the end of the ring */
	uint32_t	data_len;
	uint32_t	unused;
} NpRecHdr;

#define NP_ALIGN(x)		(((x) + 15) & ~((size_t) 15))

struct GfNats
{
	/* Settings, copied. */
	GfNatsConfig cfg;
	char	   *strings;		/* the copies of cfg's strings */

	/* The ring: head written by the worker, tail by the publisher. */
	uint8_t    *ring;
	size_t		ring_cap;		/* a power of two */
	_Atomic uint64_t head;
	_Atomic uint64_t tail;
	uint64_t	queued;			/* records put (worker only) */
	_Atomic uint64_t taken;		/* records taken out (publisher) */

	/* Wake-ups of the publisher thread. */
	pthread_mutex_t mu;
	pthread_cond_t cond;
	_Atomic int sleeping;		/* waits for records */
	_Atomic int ack_waiting;	/* waits for acks to fall under the bound */
	_Atomic int stop;
	int64_t		stop_deadline_ns;
	pthread_t	thread;
	bool		thread_started;
	_Atomic int thread_done;

	/* nats.c objects: created and used by the publisher thread. */
	natsOptions *opts;
	natsConnection *nc;
	jsCtx	   *js;
	int64_t		max_msg_bytes;
	uint8_t    *batch_buf;
	uint64_t	msg_seq;
	struct
	{
		const char *subject;	/* in the ring */
		uint16_t	subject_len;
		uint32_t	flows;
		size_t		bytes;
	}			groups[NP_MAX_GROUPS];
	struct
	{
		const NpRecHdr *h;
		uint8_t		group;
	}			win[NP_WINDOW];

	/* State shared with nats.c's callbacks. */
	_Atomic int connected;
	_Atomic int stream_ready;
	_Atomic int need_stream_check;
	_Atomic int64_t inflight_msgs;

	/* Counters (flows unless said otherwise). */
	_Atomic uint64_t published;
	_Atomic uint64_t acked;
	_Atomic uint64_t failed;
	_Atomic uint64_t dropped;
	_Atomic uint64_t inflight;
	_Atomic uint64_t retries;
	_Atomic uint64_t duplicates;

	/* Messages to send again, given back by np_ack (under mu). */
	natsMsg   **retry;
	int			nretry;
	int			retry_cap;

	/* Lines for the worker's log (under log_mu). */
	pthread_mutex_t log_mu;
	char		log_line[NP_LOG_LINES][NP_LOG_LEN];
	bool		log_warning[NP_LOG_LINES];
	int			log_first;
	int			log_count;
	uint64_t	log_lost;

	/* Rate limit of the publish-error line (publisher thread only). */
	int64_t		pub_err_log_ns;
	uint64_t	pub_err_unlogged;
};

static int64_t
np_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void np_log(GfNats *n, bool warning, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

/* Queue a line for the worker's log; any thread. */
static void
np_log(GfNats *n, bool warning, const char *fmt,...)
{
	va_list		ap;
	int			slot;

	pthread_mutex_lock(&n->log_mu);
	if (n->log_count == NP_LOG_LINES)
	{
		n->log_lost++;
		pthread_mutex_unlock(&n->log_mu);
		return;
	}
	slot = (n->log_first + n->log_count) % NP_LOG_LINES;
	va_start(ap, fmt);
	vsnprintf(n->log_line[slot], NP_LOG_LEN, fmt, ap);
	va_end(ap);
	n->log_warning[slot] = warning;
	n->log_count++;
	pthread_mutex_unlock(&n->log_mu);
}

bool
gf_nats_next_log(GfNats *n, bool *warning, char *buf, size_t len)
{
	bool		got = false;

	pthread_mutex_lock(&n->log_mu);
	if (n->log_count > 0)
	{
		snprintf(buf, len, "%s", n->log_line[n->log_first]);
		*warning = n->log_warning[n->log_first];
		n->log_first = (n->log_first + 1) % NP_LOG_LINES;
		n->log_count--;
		got = true;
	}
	else if (n->log_lost > 0)
	{
		snprintf(buf, len, "%llu more NATS messages were not logged",
				 (unsigned long long) n->log_lost);
		*warning = false;
		n->log_lost = 0;
		got = true;
	}
	pthread_mutex_unlock(&n->log_mu);
	return got;
}

static void
np_signal(GfNats *n)
{
	pthread_mutex_lock(&n->mu);
	pthread_cond_broadcast(&n->cond);
	pthread_mutex_unlock(&n->mu);
}

/* Wait on the condition for at most ms (publisher thread). */
static void
np_wait(GfNats *n, int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (long) ms * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&n->mu);
	(void) pthread_cond_timedwait(&n->cond, &n->mu, &ts);
	pthread_mutex_unlock(&n->mu);
}

/* ---- the ring (worker side) ------------------------------------------ */

bool
gf_nats_put(GfNats *n, const char *subject, size_t subject_len,
			const void *data, size_t len)
{
	size_t		need = NP_ALIGN(sizeof(NpRecHdr) + subject_len + len);
	uint64_t	head = atomic_load_explicit(&n->head, memory_order_relaxed);
	uint64_t	tail = atomic_load_explicit(&n->tail, memory_order_acquire);
	size_t		off = (size_t) (head & (n->ring_cap - 1));
	size_t		to_end = n->ring_cap - off;
	size_t		skip = need > to_end ? to_end : 0;
	NpRecHdr	h;

	if (subject_len > UINT16_MAX || need > n->ring_cap / 4 ||
		head + skip + need - tail > n->ring_cap)
	{
		atomic_fetch_add_explicit(&n->dropped, 1, memory_order_relaxed);
		return false;
	}
	if (skip)
	{
		/* The record does not fit before the end: fill the end. */
		memset(&h, 0, sizeof(h));
		h.size = (uint32_t) skip;
		h.pad_only = 1;
		memcpy(n->ring + off, &h, sizeof(h));
		off = 0;
	}
	memset(&h, 0, sizeof(h));
	h.size = (uint32_t) need;
	h.subject_len = (uint16_t) subject_len;
	h.data_len = (uint32_t) len;
	memcpy(n->ring + off, &h, sizeof(h));
	memcpy(n->ring + off + sizeof(h), subject, subject_len);
	memcpy(n->ring + off + sizeof(h) + subject_len, data, len);
	atomic_store_explicit(&n->head, head + skip + need, memory_order_release);
	n->queued++;
	return true;
}

void
gf_nats_kick(GfNats *n)
{
	/*
	 * Sequentially consistent on both sides (head stored, then sleeping
	 * read here; sleeping stored, then head read there): one of the two
	 * sees the other, so a record is never left waiting for the
	 * publisher's timed wake-up alone.
	 */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load(&n->sleeping))
		np_signal(n);
}

/* ---- the ring (publisher side) --------------------------------------- */

/* The record at 'pos' (skipping a filler), or NULL when the ring is empty. */
static const NpRecHdr *
np_peek(GfNats *n, uint64_t *pos, uint64_t head)
{
	while (*pos < head)
	{
		const NpRecHdr *h = (const NpRecHdr *) (n->ring + (*pos & (n->ring_cap - 1)));

		if (!h->pad_only)
			return h;
		*pos += h->size;
	}
	return NULL;
}

static uint32_t
np_count_flows(GfNats *n, const uint8_t *data, size_t len)
{
	uint32_t	count = 0;
	size_t		i = 0;

	if (len == 0)
		return 0;
	if (n->cfg.framing == GF_NATS_FRAMING_LINES)
	{
		count = 1;
		for (i = 0; i < len; i++)
			count += data[i] == '\n';
		return count;
	}
	/* Varint length, then that many bytes, repeated. */
	while (i < len)
	{
		uint64_t	l = 0;
		int			shift = 0;

		while (i < len && shift < 64)
		{
			uint8_t		b = data[i++];

			l |= (uint64_t) (b & 0x7f) << shift;
			shift += 7;
			if (!(b & 0x80))
				break;
		}
		if (l > len - i)
			break;
		i += (size_t) l;
		count++;
	}
	return count;
}

/* ---- nats.c callbacks (nats.c's threads) ----------------------------- */

static void
np_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *closure)
{
	GfNats	   *n = (GfNats *) closure;
	uint32_t	flows = np_count_flows(n, (const uint8_t *) natsMsg_GetData(msg),
									   (size_t) natsMsg_GetDataLength(msg));
	bool		done = true;

	if (pa != NULL)
	{
		atomic_fetch_add(&n->acked, flows);
		if (pa->Duplicate)
			atomic_fetch_add(&n->duplicates, 1);
	}
	else
	{
		const char *v = NULL;
		int			attempt = 1;

		if (natsMsgHeader_Get(msg, NP_ATTEMPT_HDR, &v) == NATS_OK && v != NULL)
			attempt = atoi(v);
		if ((pae->Err == NATS_TIMEOUT || pae->Err == NATS_NO_RESPONDERS) &&
			attempt < NP_MAX_ATTEMPTS && !atomic_load(&n->stop))
		{
			/* Give it back to the publisher thread, which sends it again. */
			pthread_mutex_lock(&n->mu);
			if (n->nretry < n->retry_cap)
			{
				n->retry[n->nretry++] = msg;
				msg = NULL;
				done = false;
				pthread_cond_broadcast(&n->cond);
			}
			pthread_mutex_unlock(&n->mu);
		}
		if (done)
		{
			atomic_fetch_add(&n->failed, flows);
			np_log(n, false, "a message of %u flows to stream \"%s\" failed after %d attempts: %s%s",
				   (unsigned) flows, n->cfg.stream, attempt,
				   pae->ErrText ? pae->ErrText : natsStatus_GetText(pae->Err),
				   pae->Err == NATS_NO_RESPONDERS ? " (no stream holds the subject)" : "");
		}
	}
	if (done)
	{
		atomic_fetch_sub(&n->inflight, flows);
		atomic_fetch_sub(&n->inflight_msgs, 1);
		if (atomic_load(&n->ack_waiting))
			np_signal(n);
	}
	natsMsg_Destroy(msg);
}

static void
np_connected_cb(natsConnection *nc, void *closure)
{
	GfNats	   *n = (GfNats *) closure;
	char		url[256] = "";

	natsConnection_GetConnectedUrl(nc, url, sizeof(url));
	atomic_store(&n->need_stream_check, 1);
	atomic_store(&n->connected, 1);
	np_log(n, false, "connected to NATS at %s", url);
	np_signal(n);
}

static void
np_disconnected_cb(natsConnection *nc, void *closure)
{
	GfNats	   *n = (GfNats *) closure;

	if (atomic_exchange(&n->connected, 0))
		np_log(n, true, "disconnected from NATS; reconnecting (flows wait in goflow2plus.nats_buffer_size, then are dropped and counted in nats_dropped)");
}

static void
np_reconnected_cb(natsConnection *nc, void *closure)
{
	GfNats	   *n = (GfNats *) closure;
	char		url[256] = "";

	natsConnection_GetConnectedUrl(nc, url, sizeof(url));
	atomic_store(&n->need_stream_check, 1);
	atomic_store(&n->connected, 1);
	np_log(n, false, "reconnected to NATS at %s", url);
	np_signal(n);
}

static void
np_closed_cb(natsConnection *nc, void *closure)
{
	GfNats	   *n = (GfNats *) closure;

	atomic_store(&n->connected, 0);
	np_signal(n);
}

static void
np_error_cb(natsConnection *nc, natsSubscription *sub, natsStatus err,
			void *closure)
{
	GfNats	   *n = (GfNats *) closure;
	const char *text = nats_GetLastError(NULL);

	np_log(n, true, "NATS asynchronous error: %s%s%s", natsStatus_GetText(err),
		   text ? ": " : "", text ? text : "");
}

/* ---- connection and stream (publisher thread) ------------------------ */

/* Set up the options; false (logged) when a setting is refused. */
static bool
np_options(GfNats *n)
{
	const GfNatsConfig *c = &n->cfg;
	natsStatus	s;
	const char *urls[64];
	char	   *copy = strdup(c->servers);
	char	   *save = NULL;
	char	   *tok;
	int			nurls = 0;
	const char *what = "servers";

	if (copy == NULL)
		return false;
	for (tok = strtok_r(copy, ", ", &save); tok != NULL && nurls < 64;
		 tok = strtok_r(NULL, ", ", &save))
		urls[nurls++] = tok;

	s = natsOptions_Create(&n->opts);
	if (s == NATS_OK)
		s = natsOptions_SetServers(n->opts, urls, nurls);
	if (s == NATS_OK && c->name[0])
		s = natsOptions_SetName(n->opts, c->name);
	if (s == NATS_OK)
		s = natsOptions_SetMaxReconnect(n->opts, -1);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectWait(n->opts, 1000);
	if (s == NATS_OK)
		s = natsOptions_SetTimeout(n->opts, 2000);
	if (s == NATS_OK)
		s = natsOptions_SetPingInterval(n->opts, 10000);
	if (s == NATS_OK)
		s = natsOptions_SetRetryOnFailedConnect(n->opts, true, np_connected_cb, n);
	if (s == NATS_OK)
		s = natsOptions_SetDisconnectedCB(n->opts, np_disconnected_cb, n);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectedCB(n->opts, np_reconnected_cb, n);
	if (s == NATS_OK)
		s = natsOptions_SetClosedCB(n->opts, np_closed_cb, n);
	if (s == NATS_OK)
		s = natsOptions_SetErrorHandler(n->opts, np_error_cb, n);
	if (s == NATS_OK)
		s = gf_nats_options_auth(n->opts, c, &what);
	free(copy);
	if (s != NATS_OK)
	{
		const char *text = nats_GetLastError(NULL);

		np_log(n, true, "NATS settings refused (%s): %s%s%s; the NATS sink is off until the settings are fixed and the server restarted",
			   what, natsStatus_GetText(s), text ? ": " : "", text ? text : "");
		return false;
	}
	return true;
}

/* Connect (nats.c keeps trying in the background) and make the context. */
static bool
np_connect(GfNats *n)
{
	natsStatus	s;
	jsOptions	jo;

	s = natsConnection_Connect(&n->nc, n->opts);
	if (s == NATS_NOT_YET_CONNECTED)
		np_log(n, true, "could not connect to NATS at %s yet; retrying in the background (flows wait in goflow2plus.nats_buffer_size, then are dropped and counted in nats_dropped)",
			   n->cfg.servers);
	else if (s != NATS_OK)
	{
		const char *text = nats_GetLastError(NULL);

		np_log(n, true, "could not connect to NATS at %s: %s%s%s",
			   n->cfg.servers, natsStatus_GetText(s), text ? ": " : "", text ? text : "");
		return false;
	}
	else
	{
		char		url[256] = "";

		natsConnection_GetConnectedUrl(n->nc, url, sizeof(url));
		np_log(n, false, "connected to NATS at %s", url);
		atomic_store(&n->connected, 1);
		atomic_store(&n->need_stream_check, 1);
	}
	jsOptions_Init(&jo);
	jo.Wait = n->cfg.ack_wait_ms;
	jo.PublishAsync.AckHandler = np_ack;
	jo.PublishAsync.AckHandlerClosure = n;
	/* No stall inside nats.c: max_inflight is enforced here. */
	jo.PublishAsync.MaxPending = 0;
	s = natsConnection_JetStream(&n->js, n->nc, &jo);
	if (s != NATS_OK)
	{
		np_log(n, true, "could not create a JetStream context: %s", natsStatus_GetText(s));
		return false;
	}
	return true;
}

static void
np_subjects_text(const jsStreamConfig *sc, char *buf, size_t len)
{
	size_t		pos = 0;
	int			i;

	buf[0] = '\0';
	for (i = 0; sc->Subjects && i < sc->SubjectsLen && pos + 1 < len; i++)
		pos += (size_t) snprintf(buf + pos, len - pos, "%s\"%s\"", i ? ", " : "",
								 sc->Subjects[i]);
}

/*
 * Find the stream, or create it; say when its subjects do not cover
 * ours.  True when publishing may start (the stream is there, as it is).
 */
static bool
np_check_stream(GfNats *n)
{
	const GfNatsConfig *c = &n->cfg;
	jsStreamInfo *si = NULL;
	jsErrCode	jerr = 0;
	natsStatus	s;
	int			i;
	bool		covered = false;
	char		subjects[512];

	s = js_GetStreamInfo(&si, n->js, c->stream, NULL, &jerr);
	if (s == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr)
	{
		jsStreamConfig sc;
		const char *subj[1];

		jsStreamConfig_Init(&sc);
		subj[0] = c->stream_subject;
		sc.Name = c->stream;
		sc.Subjects = subj;
		sc.SubjectsLen = 1;
		sc.Storage = js_FileStorage;
		sc.MaxAge = c->stream_max_age_s * INT64_C(1000000000);
		sc.MaxBytes = c->stream_max_bytes > 0 ? c->stream_max_bytes : -1;
		sc.Replicas = c->stream_replicas;
		jerr = 0;
		s = js_AddStream(&si, n->js, &sc, NULL, &jerr);
		if (s == NATS_OK)
		{
			np_log(n, false, "created JetStream stream \"%s\" for subjects \"%s\" (file storage, %d replicas, max age %lld s, max bytes %lld; 0 = no limit)",
				   c->stream, c->stream_subject, c->stream_replicas,
				   (long long) c->stream_max_age_s, (long long) c->stream_max_bytes);
			jsStreamInfo_Destroy(si);
			return true;
		}
		if (jerr == JSStreamNameExistErr)
			return false;		/* another worker was first: look again */
		{
			const char *text = nats_GetLastError(NULL);

			np_log(n, true, "could not create JetStream stream \"%s\" for subjects \"%s\": %s%s%s (JetStream error %d); retrying every %d s",
				   c->stream, c->stream_subject, natsStatus_GetText(s),
				   text ? ": " : "", text ? text : "", (int) jerr,
				   NP_STREAM_RETRY_MS / 1000);
		}
		return false;
	}
	if (s != NATS_OK)
	{
		const char *text = nats_GetLastError(NULL);

		np_log(n, true, "could not look up JetStream stream \"%s\": %s%s%s%s; retrying every %d s",
			   c->stream, natsStatus_GetText(s), text ? ": " : "", text ? text : "",
			   s == NATS_NO_RESPONDERS ? " (is JetStream enabled on the server? nats-server -js)" : "",
			   NP_STREAM_RETRY_MS / 1000);
		return false;
	}
	for (i = 0; si->Config && si->Config->Subjects && i < si->Config->SubjectsLen; i++)
		if (gf_subject_covers(si->Config->Subjects[i], c->stream_subject))
			covered = true;
	if (!covered)
	{
		np_subjects_text(si->Config, subjects, sizeof(subjects));
		np_log(n, true, "JetStream stream \"%s\" exists with subjects [%s], which do not cover \"%s\" (goflow2plus.nats_subject); it is used as it is: flows on subjects it does not hold fail and are counted in nats_failed. Add \"%s\" to the stream's subjects, or choose another goflow2plus.nats_stream.",
			   c->stream, subjects, c->stream_subject, c->stream_subject);
	}
	jsStreamInfo_Destroy(si);
	return true;
}

/* ---- publishing (publisher thread) ----------------------------------- */

static void
np_publish_error(GfNats *n, natsStatus s, uint32_t flows)
{
	int64_t		now = np_now_ns();

	atomic_fetch_add(&n->dropped, flows);
	if (now - n->pub_err_log_ns < INT64_C(10000000000))
	{
		n->pub_err_unlogged++;
		return;
	}
	np_log(n, true, "could not publish to NATS: %s (%llu more since the last message); the flows are counted in nats_dropped",
		   natsStatus_GetText(s), (unsigned long long) n->pub_err_unlogged);
	n->pub_err_log_ns = now;
	n->pub_err_unlogged = 0;
}

/* Send again a message np_ack gave back. */
static void
np_resend(GfNats *n, natsMsg *msg)
{
	const char *v = NULL;
	int			attempt = 1;
	char		num[16];
	jsPubOptions po;
	natsStatus	s;
	uint32_t	flows;

	if (natsMsgHeader_Get(msg, NP_ATTEMPT_HDR, &v) == NATS_OK && v != NULL)
		attempt = atoi(v);
	snprintf(num, sizeof(num), "%d", attempt + 1);
	(void) natsMsgHeader_Set(msg, NP_ATTEMPT_HDR, num);
	jsPubOptions_Init(&po);
	po.MaxWait = n->cfg.ack_wait_ms;
	atomic_fetch_add(&n->retries, 1);
	flows = np_count_flows(n, (const uint8_t *) natsMsg_GetData(msg),
						   (size_t) natsMsg_GetDataLength(msg));
	s = js_PublishMsgAsync(n->js, &msg, &po);
	if (s != NATS_OK)
	{
		/* Still ours: it leaves the flight as failed. */
		atomic_fetch_add(&n->failed, flows);
		atomic_fetch_sub(&n->inflight, flows);
		atomic_fetch_sub(&n->inflight_msgs, 1);
		natsMsg_Destroy(msg);
	}
}

/*
 * Publish data (copied) as one message of 'flows' flows on subject.  The
 * caller advances the ring's tail afterwards.
 */
static void
np_send(GfNats *n, const char *subject, const uint8_t *data, size_t len,
		uint32_t flows)
{
	natsMsg    *msg = NULL;
	natsStatus	s;
	jsPubOptions po;
	char		msgid[128];

	atomic_fetch_add(&n->taken, flows);
	s = natsMsg_Create(&msg, subject, NULL, (const char *) data, (int) len);
	if (s != NATS_OK)
	{
		np_publish_error(n, s, flows);
		return;
	}
	snprintf(msgid, sizeof(msgid), "%s-%llu", n->cfg.msgid_prefix,
			 (unsigned long long) ++n->msg_seq);
	jsPubOptions_Init(&po);
	po.MaxWait = n->cfg.ack_wait_ms;
	po.MsgId = msgid;
	/* Counted before the ack can come back on another thread. */
	atomic_fetch_add(&n->inflight_msgs, 1);
	atomic_fetch_add(&n->inflight, flows);
	atomic_fetch_add(&n->published, flows);
	s = js_PublishMsgAsync(n->js, &msg, &po);
	if (s != NATS_OK)
	{
		atomic_fetch_sub(&n->inflight_msgs, 1);
		atomic_fetch_sub(&n->inflight, flows);
		atomic_fetch_sub(&n->published, flows);
		natsMsg_Destroy(msg);
		np_publish_error(n, s, flows);
	}
}

/*
 * Batched: take a window of records out of the ring, group them by
 * subject (up to NP_MAX_GROUPS subjects, each up to 'batch' flows and
 * max_msg_bytes), and publish one message per subject, its flows in ring
 * order.  So a pattern that spreads flows over a few subjects ({type},
 * {hash:...:16}) still fills its messages, where joining only
 * consecutive records of one subject would send one flow per message.
 */
static bool
np_publish_window(GfNats *n, uint64_t head, uint64_t pos)
{
	int			ngroups = 0;
	int			nent = 0;
	int			max_groups = NP_MAX_GROUPS;
	int64_t		room = n->cfg.max_inflight - atomic_load(&n->inflight_msgs);
	const NpRecHdr *h;
	int			g;

	/* Never many more messages in flight than max_inflight allows. */
	if (room < max_groups)
		max_groups = room > 1 ? (int) room : 1;
	while (nent < NP_WINDOW && (h = np_peek(n, &pos, head)) != NULL)
	{
		const char *subj = (const char *) (h + 1);

		for (g = 0; g < ngroups; g++)
			if (n->groups[g].subject_len == h->subject_len &&
				memcmp(n->groups[g].subject, subj, h->subject_len) == 0)
				break;
		if (g == ngroups)
		{
			if (ngroups == max_groups)
				break;
			n->groups[g].subject = subj;
			n->groups[g].subject_len = h->subject_len;
			n->groups[g].flows = 0;
			n->groups[g].bytes = 0;
			ngroups++;
		}
		/* A full message ends the window (the first record always fits). */
		if (n->groups[g].flows == (uint32_t) n->cfg.batch ||
			(n->groups[g].flows > 0 &&
			 n->groups[g].bytes + h->data_len + 1 > (size_t) n->max_msg_bytes))
			break;
		n->groups[g].flows++;
		n->groups[g].bytes += h->data_len + 1;
		n->win[nent].h = h;
		n->win[nent].group = (uint8_t) g;
		nent++;
		pos += h->size;
	}
	if (nent == 0)
	{
		atomic_store_explicit(&n->tail, pos, memory_order_release);
		return false;
	}
	for (g = 0; g < ngroups; g++)
	{
		char		subject[GF_SUBJECT_MAX];
		size_t		len = 0;
		uint32_t	flows = 0;
		int			i;

		memcpy(subject, n->groups[g].subject, n->groups[g].subject_len);
		subject[n->groups[g].subject_len] = '\0';
		for (i = 0; i < nent; i++)
		{
			const NpRecHdr *r = n->win[i].h;

			if (n->win[i].group != g)
				continue;
			if (flows > 0 && n->cfg.framing == GF_NATS_FRAMING_LINES)
				n->batch_buf[len++] = '\n';
			memcpy(n->batch_buf + len, (const uint8_t *) (r + 1) + r->subject_len,
				   r->data_len);
			len += r->data_len;
			flows++;
		}
		np_send(n, subject, n->batch_buf, len, flows);
	}
	/* Every message holds a copy: the worker may reuse the space. */
	atomic_store_explicit(&n->tail, pos, memory_order_release);
	return true;
}

/*
 * Take the next message's worth of records (a window of them when
 * batching) out of the ring and publish it.  False when the ring is empty.
 */
static bool
np_publish_one(GfNats *n)
{
	uint64_t	head = atomic_load_explicit(&n->head, memory_order_acquire);
	uint64_t	pos = atomic_load_explicit(&n->tail, memory_order_relaxed);
	const NpRecHdr *h;
	char		subject[GF_SUBJECT_MAX];

	if (n->cfg.batch > 1)
		return np_publish_window(n, head, pos);
	h = np_peek(n, &pos, head);
	if (h == NULL)
	{
		atomic_store_explicit(&n->tail, pos, memory_order_release);
		return false;
	}
	memcpy(subject, (const char *) (h + 1), h->subject_len);
	subject[h->subject_len] = '\0';
	np_send(n, subject, (const uint8_t *) (h + 1) + h->subject_len,
			h->data_len, 1);
	atomic_store_explicit(&n->tail, pos + h->size, memory_order_release);
	return true;
}

static void *
np_main(void *arg)
{
	GfNats	   *n = (GfNats *) arg;
	int64_t		next_check_ns = 0;
	bool		usable;

	usable = np_options(n) && np_connect(n);

	for (;;)
	{
		bool		stopping = atomic_load(&n->stop) != 0;
		int64_t		now = np_now_ns();

		if (stopping && now >= n->stop_deadline_ns)
			break;
		if (!usable)
		{
			if (stopping)
				break;
			np_wait(n, 100);
			continue;
		}
		if (atomic_load(&n->connected) && now >= next_check_ns &&
			atomic_exchange(&n->need_stream_check, 0))
		{
			int64_t		mp = natsConnection_GetMaxPayload(n->nc);

			/* Known once connected; may differ after a failover. */
			if (mp > NP_HDR_ROOM && mp - NP_HDR_ROOM < NP_MAX_MSG_BYTES)
				n->max_msg_bytes = mp - NP_HDR_ROOM;
			else
				n->max_msg_bytes = NP_MAX_MSG_BYTES;
			if (np_check_stream(n))
				atomic_store(&n->stream_ready, 1);
			else
			{
				atomic_store(&n->need_stream_check, 1);
				next_check_ns = now + INT64_C(1000000) * NP_STREAM_RETRY_MS;
			}
		}
		if (!atomic_load(&n->connected) || !atomic_load(&n->stream_ready))
		{
			if (stopping)
				break;
			np_wait(n, 50);
			continue;
		}

		/* Messages given back for another attempt go first. */
		pthread_mutex_lock(&n->mu);
		if (n->nretry > 0)
		{
			natsMsg    *m = n->retry[--n->nretry];

			pthread_mutex_unlock(&n->mu);
			np_resend(n, m);
			continue;
		}
		pthread_mutex_unlock(&n->mu);

		if (atomic_load(&n->inflight_msgs) >= n->cfg.max_inflight)
		{
			atomic_store(&n->ack_waiting, 1);
			if (atomic_load(&n->inflight_msgs) >= n->cfg.max_inflight)
				np_wait(n, 20);
			atomic_store(&n->ack_waiting, 0);
			continue;
		}
		if (np_publish_one(n))
			continue;
		if (stopping)
			break;
		/* Empty: sleep until the worker kicks (or 100 ms pass). */
		atomic_store(&n->sleeping, 1);
		atomic_thread_fence(memory_order_seq_cst);
		if (atomic_load(&n->head) == atomic_load(&n->tail))
			np_wait(n, 100);
		atomic_store(&n->sleeping, 0);
	}

	/* Wait for the acks of what is in flight, until the deadline. */
	while (usable && atomic_load(&n->inflight_msgs) > 0 &&
		   np_now_ns() < n->stop_deadline_ns)
		np_wait(n, 10);
	atomic_store(&n->thread_done, 1);
	return NULL;
}

/* ---- start and stop (worker thread) ---------------------------------- */

static const char *
np_copy(char **dst, const char *src)
{
	size_t		len = strlen(src ? src : "");

	memcpy(*dst, src ? src : "", len + 1);
	*dst += len + 1;
	return *dst - len - 1;
}

GfNats *
gf_nats_start(const GfNatsConfig *cfg, char *err, size_t errlen)
{
	GfNats	   *n;
	const char *const *strs[14];
	size_t		total = 0;
	char	   *p;
	int			i;
	sigset_t	all,
				old;
	natsStatus	s;
	int			rc;

	n = calloc(1, sizeof(GfNats));
	if (n == NULL)
	{
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n->cfg = *cfg;
	strs[0] = &cfg->servers;
	strs[1] = &cfg->stream;
	strs[2] = &cfg->stream_subject;
	strs[3] = &cfg->name;
	strs[4] = &cfg->msgid_prefix;
	strs[5] = &cfg->user;
	strs[6] = &cfg->password;
	strs[7] = &cfg->token;
	strs[8] = &cfg->creds_file;
	strs[9] = &cfg->nkey;
	strs[10] = &cfg->nkey_seed_file;
	strs[11] = &cfg->tls_ca;
	strs[12] = &cfg->tls_cert;
	strs[13] = &cfg->tls_key;
	for (i = 0; i < 14; i++)
		total += strlen(*strs[i] ? *strs[i] : "") + 1;
	n->strings = malloc(total);
	n->ring_cap = 1 << 16;
	while (n->ring_cap < cfg->ring_bytes && n->ring_cap < ((size_t) 1 << 40))
		n->ring_cap <<= 1;
	n->ring = malloc(n->ring_cap);
	n->batch_buf = malloc(NP_MAX_MSG_BYTES);
	n->retry_cap = cfg->max_inflight;
	n->retry = calloc((size_t) n->retry_cap, sizeof(natsMsg *));
	if (n->strings == NULL || n->ring == NULL || n->batch_buf == NULL || n->retry == NULL)
	{
		snprintf(err, errlen, "out of memory for a %zu-byte NATS buffer", n->ring_cap);
		free(n->strings);
		free(n->ring);
		free(n->batch_buf);
		free(n->retry);
		free(n);
		return NULL;
	}
	p = n->strings;
	n->cfg.servers = np_copy(&p, cfg->servers);
	n->cfg.stream = np_copy(&p, cfg->stream);
	n->cfg.stream_subject = np_copy(&p, cfg->stream_subject);
	n->cfg.name = np_copy(&p, cfg->name);
	n->cfg.msgid_prefix = np_copy(&p, cfg->msgid_prefix);
	n->cfg.user = np_copy(&p, cfg->user);
	n->cfg.password = np_copy(&p, cfg->password);
	n->cfg.token = np_copy(&p, cfg->token);
	n->cfg.creds_file = np_copy(&p, cfg->creds_file);
	n->cfg.nkey = np_copy(&p, cfg->nkey);
	n->cfg.nkey_seed_file = np_copy(&p, cfg->nkey_seed_file);
	n->cfg.tls_ca = np_copy(&p, cfg->tls_ca);
	n->cfg.tls_cert = np_copy(&p, cfg->tls_cert);
	n->cfg.tls_key = np_copy(&p, cfg->tls_key);
	if (n->cfg.max_inflight < 1)
		n->cfg.max_inflight = 1;
	n->max_msg_bytes = NP_MAX_MSG_BYTES;
	pthread_mutex_init(&n->mu, NULL);
	pthread_cond_init(&n->cond, NULL);
	pthread_mutex_init(&n->log_mu, NULL);

	/*
	 * Every thread nats.c will ever run descends from the ones created
	 * here and inherits this mask: PostgreSQL's signal handlers then only
	 * run on the worker's thread.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	s = nats_Open(-1);
	rc = s == NATS_OK ? pthread_create(&n->thread, NULL, np_main, n) : 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (s != NATS_OK || rc != 0)
	{
		if (s != NATS_OK)
			snprintf(err, errlen, "could not open the NATS library: %s", natsStatus_GetText(s));
		else
			snprintf(err, errlen, "could not start the NATS publisher thread: %s", strerror(rc));
		free(n->strings);
		free(n->ring);
		free(n->batch_buf);
		free(n->retry);
		free(n);
		return NULL;
	}
	n->thread_started = true;
	return n;
}

void
gf_nats_counts(GfNats *n, GfNatsCounts *out)
{
	out->published = atomic_load(&n->published);
	out->acked = atomic_load(&n->acked);
	out->failed = atomic_load(&n->failed);
	out->dropped = atomic_load(&n->dropped);
	out->inflight = atomic_load(&n->inflight);
	out->buffered = n->queued - atomic_load(&n->taken);
	out->retries = atomic_load(&n->retries);
	out->duplicates = atomic_load(&n->duplicates);
	out->connected = atomic_load(&n->connected) != 0;
	out->stream_ready = atomic_load(&n->stream_ready) != 0;
}

void
gf_nats_stop(GfNats *n, int wait_ms)
{
	struct timespec ts;
	bool		joined = false;
	uint64_t	head,
				pos;

	if (n == NULL)
		return;
	n->stop_deadline_ns = np_now_ns() + (int64_t) wait_ms * 1000000;
	atomic_store(&n->stop, 1);
	np_signal(n);
	if (n->thread_started)
	{
		/* A connect attempt may hold the thread for its 2 s timeout. */
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += wait_ms / 1000 + 3;
		joined = pthread_timedjoin_np(n->thread, NULL, &ts) == 0;
	}
	if (!joined)
		return;					/* the process is exiting: leave it */

	/* What never left the ring is dropped, so the counts still add up. */
	head = atomic_load(&n->head);
	pos = atomic_load(&n->tail);
	while (np_peek(n, &pos, head) != NULL)
	{
		const NpRecHdr *h = (const NpRecHdr *) (n->ring + (pos & (n->ring_cap - 1)));

		atomic_fetch_add(&n->dropped, 1);
		atomic_fetch_add(&n->taken, 1);
		pos += h->size;
	}
	atomic_store(&n->tail, pos);
	pthread_mutex_lock(&n->mu);
	while (n->nretry > 0)
	{
		natsMsg    *m = n->retry[--n->nretry];
		uint32_t	flows = np_count_flows(n, (const uint8_t *) natsMsg_GetData(m),
										   (size_t) natsMsg_GetDataLength(m));

		atomic_fetch_add(&n->failed, flows);
		atomic_fetch_sub(&n->inflight, flows);
		natsMsg_Destroy(m);
	}
	pthread_mutex_unlock(&n->mu);

	/*
	 * nats.c's threads are done with n only once the connection is gone;
	 * n itself is kept (a late callback may still read it) since the
	 * process is exiting.
	 */
	jsCtx_Destroy(n->js);
	n->js = NULL;
	if (n->nc != NULL)
	{
		natsConnection_Close(n->nc);
		natsConnection_Destroy(n->nc);
		n->nc = NULL;
	}
	natsOptions_Destroy(n->opts);
	n->opts = NULL;
	(void) nats_CloseAndWait(1000);
}
