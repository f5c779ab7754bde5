/*
 * nats_kv.c
 *    A watched JetStream key-value bucket (see nats_kv.h).
 *
 *    A watcher is never destroyed while nats.c's read loop may still be
 *    filling its subscription.  A watcher is a push subscription, and
 *    libnats 3.4 (Debian 12) looks a subscription up under the
 *    connection's lock, lets the lock go, then fills it without holding a
 *    reference (fixed upstream in 3.6): kvWatcher_Destroy right away can
 *    make the read loop write into freed memory (see nats_sub.c, which
 *    does the same for pull subscriptions).  So a watcher we drop is
 *    stopped (UNSUB: the read loop no longer finds it) and kept until a
 *    PING/PONG on its connection has gone through the read loop; one
 *    whose connection closed first is never destroyed (a small leak per
 *    lost connection, not a crash).
 */
#include "nats_kv.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nats/nats.h>

#include "nats_opts.h"

/* Stopped watchers waiting to be destroyed; beyond that they are let go. */
#define KV_RETIRED_MAX		8
/* The PING/PONG that proves the read loop is past a stopped watcher. */
#define KV_DRAIN_WAIT_MS	500

struct GfNatsKv
{
	char	   *servers;
	char	   *bucket;
	natsOptions *opts;
	natsConnection *nc;
	jsCtx	   *js;
	kvStore    *kv;
	kvWatcher  *w;

	/* Stopped, not destroyed yet (see the header comment). */
	struct
	{
		kvWatcher  *w;
		natsConnection *nc;
	}			retired[KV_RETIRED_MAX];
	int			nretired;
};

/* Stop the watcher (UNSUB) and keep it for kv_release_retired. */
static void
kv_retire_watcher(GfNatsKv *kv)
{
	if (kv->w == NULL)
		return;
	/* Fails when the connection is closed: then it is off it already. */
	(void) kvWatcher_Stop(kv->w);
	if (kv->nretired < KV_RETIRED_MAX)
	{
		kv->retired[kv->nretired].w = kv->w;
		kv->retired[kv->nretired].nc = kv->nc;
		kv->nretired++;
	}
	/* else never destroyed: safe, a small leak */
	kv->w = NULL;
}

/*
 * Destroy the stopped watchers of the current connection once a PING/PONG
 * went through its read loop after their UNSUB.  Those of a closed,
 * earlier connection stay.
 */
static void
kv_release_retired(GfNatsKv *kv)
{
	int			i;
	int			kept = 0;

	if (kv->nretired == 0 || kv->nc == NULL ||
		natsConnection_Status(kv->nc) != NATS_CONN_STATUS_CONNECTED)
		return;
	if (natsConnection_FlushTimeout(kv->nc, KV_DRAIN_WAIT_MS) != NATS_OK)
		return;
	for (i = 0; i < kv->nretired; i++)
	{
		if (kv->retired[i].nc == kv->nc)
			kvWatcher_Destroy(kv->retired[i].w);
		else
			kv->retired[kept++] = kv->retired[i];
	}
	kv->nretired = kept;
}

static void
kv_err(char *err, size_t errlen, const char *what, natsStatus s)
{
	const char *text = nats_GetLastError(NULL);

	snprintf(err, errlen, "%s: %s%s%s", what, natsStatus_GetText(s),
			 text ? ": " : "", text ? text : "");
}

GfNatsKv *
gf_nkv_create(const GfNatsConfig *conn, const char *bucket, char *err,
			  size_t errlen)
{
	GfNatsKv   *kv = calloc(1, sizeof(GfNatsKv));
	const char *urls[64];
	char	   *copy;
	char	   *save = NULL;
	char	   *tok;
	int			nurls = 0;
	const char *what = "servers";
	sigset_t	all,
				old;
	natsStatus	s;

	copy = strdup(conn->servers ? conn->servers : "");
	if (kv == NULL || copy == NULL ||
		(kv->bucket = strdup(bucket)) == NULL)
	{
		free(copy);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (tok = strtok_r(copy, ", ", &save); tok != NULL && nurls < 64;
		 tok = strtok_r(NULL, ", ", &save))
		urls[nurls++] = tok;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	s = nats_Open(-1);
	if (s == NATS_OK)
		s = natsOptions_Create(&kv->opts);
	if (s == NATS_OK)
		s = natsOptions_SetServers(kv->opts, urls, nurls);
	if (s == NATS_OK && conn->name && conn->name[0])
		s = natsOptions_SetName(kv->opts, conn->name);
	if (s == NATS_OK)
		s = natsOptions_SetMaxReconnect(kv->opts, -1);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectWait(kv->opts, 1000);
	if (s == NATS_OK)
		s = natsOptions_SetTimeout(kv->opts, 2000);
	if (s == NATS_OK)
		s = gf_nats_options_auth(kv->opts, conn, &what);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	free(copy);
	if (s != NATS_OK)
	{
		kv_err(err, errlen, what, s);
		return NULL;
	}
	return kv;
}

bool
gf_nkv_ready(const GfNatsKv *kv)
{
	return kv != NULL && kv->w != NULL;
}

static int
kv_setup(GfNatsKv *kv, char *err, size_t errlen)
{
	natsStatus	s;
	kvWatchOptions wo;

	kv_retire_watcher(kv);
	kv_release_retired(kv);
	if (kv->nc != NULL && natsConnection_IsClosed(kv->nc))
	{
		/* Retired watchers keep their references to the connection. */
		kvStore_Destroy(kv->kv);
		kv->kv = NULL;
		jsCtx_Destroy(kv->js);
		kv->js = NULL;
		natsConnection_Destroy(kv->nc);
		kv->nc = NULL;
	}
	if (kv->nc == NULL)
	{
		jsOptions	jo;

		s = natsConnection_Connect(&kv->nc, kv->opts);
		if (s != NATS_OK)
		{
			kv->nc = NULL;
			kv_err(err, errlen, "could not connect to NATS", s);
			return -1;
		}
		jsOptions_Init(&jo);
		jo.Wait = 2000;
		s = natsConnection_JetStream(&kv->js, kv->nc, &jo);
		if (s != NATS_OK)
		{
			kv_err(err, errlen, "could not open a JetStream context", s);
			return -1;
		}
	}
	if (kv->kv == NULL)
	{
		s = js_KeyValue(&kv->kv, kv->js, kv->bucket);
		if (s == NATS_NOT_FOUND)
		{
			kvConfig	kc;

			kvConfig_Init(&kc);
			kc.Bucket = kv->bucket;
			kc.Description = "goflow2plus: NetFlow v9 / IPFIX templates and sampling rates shared by collectors";
			kc.History = 1;
			kc.StorageType = js_FileStorage;
			s = js_CreateKeyValue(&kv->kv, kv->js, &kc);
		}
		if (s != NATS_OK)
		{
			kv->kv = NULL;
			kv_err(err, errlen, "could not open or create the key-value bucket", s);
			return -1;
		}
	}
	kvWatchOptions_Init(&wo);
	wo.IgnoreDeletes = true;
	s = kvStore_WatchAll(&kv->w, kv->kv, &wo);
	if (s != NATS_OK)
	{
		kv->w = NULL;
		kv_err(err, errlen, "could not watch the key-value bucket", s);
		return -1;
	}
	return 0;
}

int
gf_nkv_setup(GfNatsKv *kv, char *err, size_t errlen)
{
	sigset_t	all,
				old;
	int			rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = kv_setup(kv, err, errlen);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int
gf_nkv_put(GfNatsKv *kv, const char *key, const void *val, size_t len,
		   char *err, size_t errlen)
{
	natsStatus	s;

	if (kv->kv == NULL)
	{
		snprintf(err, errlen, "bucket not open");
		return -1;
	}
	s = kvStore_Put(NULL, kv->kv, key, val, (int) len);
	if (s != NATS_OK)
	{
		kv_err(err, errlen, "could not put into the key-value bucket", s);
		return -1;
	}
	return 0;
}

int
gf_nkv_next(GfNatsKv *kv, int timeout_ms, uint8_t *val, size_t cap,
			size_t *len, char *err, size_t errlen)
{
	for (;;)
	{
		kvEntry    *e = NULL;
		natsStatus	s;
		int			n;

		if (kv->w == NULL)
		{
			snprintf(err, errlen, "not watching");
			return -1;
		}
		s = kvWatcher_Next(&e, kv->w, timeout_ms > 0 ? timeout_ms : 1);
		if (s == NATS_TIMEOUT)
			return 0;
		if (s != NATS_OK)
		{
			kv_err(err, errlen, "the key-value watch failed", s);
			/* Destroyed by the next setup, once the read loop is past it. */
			kv_retire_watcher(kv);
			return -1;
		}
		/* NULL marks the end of the values that were there at the start. */
		if (e == NULL)
			continue;
		n = kvEntry_ValueLen(e);
		if (kvEntry_Operation(e) != kvOp_Put || n < 0 || (size_t) n > cap)
		{
			kvEntry_Destroy(e);
			continue;
		}
		memcpy(val, kvEntry_Value(e), (size_t) n);
		*len = (size_t) n;
		kvEntry_Destroy(e);
		return 1;
	}
}

void
gf_nkv_close(GfNatsKv *kv)
{
	if (kv == NULL)
		return;
	/* UNSUB, then the PING/PONG that also carries the last puts out. */
	kv_retire_watcher(kv);
	kv_release_retired(kv);
	if (kv->kv != NULL)
		kvStore_Destroy(kv->kv);
	if (kv->js != NULL)
		jsCtx_Destroy(kv->js);
	if (kv->nc != NULL)
	{
		if (kv->nretired > 0)
			(void) natsConnection_FlushTimeout(kv->nc, KV_DRAIN_WAIT_MS);
		natsConnection_Close(kv->nc);
		natsConnection_Destroy(kv->nc);
	}
	natsOptions_Destroy(kv->opts);
	kv->w = NULL;
	kv->kv = NULL;
	kv->js = NULL;
	kv->nc = NULL;
	kv->opts = NULL;
}
