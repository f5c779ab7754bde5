/*
 * nats_kv.c
 *    A watched JetStream key-value bucket (see nats_kv.h).
 */
#include "nats_kv.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nats/nats.h>

#include "nats_opts.h"

struct GfNatsKv
{
	char	   *servers;
	char	   *bucket;
	natsOptions *opts;
	natsConnection *nc;
	jsCtx	   *js;
	kvStore    *kv;
	kvWatcher  *w;
};

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

	if (kv->w != NULL)
	{
		kvWatcher_Destroy(kv->w);
		kv->w = NULL;
	}
	if (kv->nc != NULL && natsConnection_IsClosed(kv->nc))
	{
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
			kvWatcher_Destroy(kv->w);
			kv->w = NULL;
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
	if (kv->w != NULL)
		kvWatcher_Destroy(kv->w);
	if (kv->kv != NULL)
		kvStore_Destroy(kv->kv);
	if (kv->js != NULL)
		jsCtx_Destroy(kv->js);
	if (kv->nc != NULL)
	{
		(void) natsConnection_FlushTimeout(kv->nc, 500);
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
