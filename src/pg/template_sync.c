/*
 * template_sync.c
 *    Templates and sampling facts through a JetStream key-value bucket
 *    (see template_sync.h).
 *
 *    Put: the decoder's state version moves when a template is added or
 *    changed or a rate learnt; each tick the entries stamped since the
 *    last successful round are exported (netflow_persist.h) and put, one
 *    key per template or sampling entry (template_share.h).  A failed put
 *    keeps the round's starting point, so the next tick tries again.
 *    Import: the bucket's watch gives every value at start and each put
 *    after; each is parsed and imported as a saved row would be (the
 *    decoder's own checks; a template this node received itself is never
 *    replaced), and the import marks waiting data sets ready, which the
 *    worker's loop then decodes.  A node's own puts come back through
 *    the watch and change nothing; an imported template is put again once
 *    (it moved the version), which the others ignore the same way.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "netflow_persist.h"
#include "nats_kv.h"
#include "sinks.h"
#include "template_share.h"
#include "template_sync.h"

#define TS_LOG_INTERVAL_MS	10000
/*
 * Between set-up attempts: from MIN doubling to MAX.  An attempt runs on
 * the receive loop and may wait for the client's 2 s connect timeout
 * (a server that does not answer), so a long outage must not cost that
 * every few seconds.
 */
#define TS_SETUP_RETRY_MIN_MS	3000
#define TS_SETUP_RETRY_MAX_MS	60000
/* Values read per tick at most (the rest come at the next). */
#define TS_READ_MAX			4096
#define TS_VAL_MAX			(GF_SHARE_HDR_T + 6 * 65536)

char	   *gf_guc_nats_templates_bucket = NULL;

static GfNatsKv *ts_kv = NULL;
static int	ts_slot;
static uint64 *ts_shared;
static uint64 *ts_errors;
static uint64 ts_since = 0;		/* state version of the last round put */
static bool ts_round_failed;
static TimestampTz ts_next_setup = 0;
static int	ts_setup_delay_ms = 0;
static TimestampTz ts_log_at = 0;
static uint8 *ts_val = NULL;

void
gf_template_sync_define_guc(void)
{
	DefineCustomStringVariable("goflow2plus.nats_templates_bucket",
							   "JetStream key-value bucket through which collectors share NetFlow v9 / IPFIX templates and sampling rates; empty: off.",
							   "Each NetFlow worker puts what it learns and imports what others put, so data received without its template (behind a UDP load balancer) decodes once another node has the template. Uses goflow2plus.nats_servers and the nats_ credentials; created when missing.",
							   &gf_guc_nats_templates_bucket,
							   "",
							   PGC_POSTMASTER, 0,
							   NULL, NULL, NULL);
}

/* At most one line per TS_LOG_INTERVAL_MS. */
static void
ts_log(const char *what, const char *err)
{
	TimestampTz now = GetCurrentTimestamp();

	(*ts_errors)++;
	if (!TimestampDifferenceExceeds(ts_log_at, now, TS_LOG_INTERVAL_MS))
		return;
	ts_log_at = now;
	ereport(WARNING,
			(errmsg("goflow2plus worker %d: templates bucket \"%s\": %s: %s",
					ts_slot, gf_guc_nats_templates_bucket, what, err),
			 errdetail("Templates are shared again once the bucket answers; decoding of what this node receives is not affected.")));
}

void
gf_template_sync_start(int slotno, uint64 *shared, uint64 *errors)
{
	GfNatsConfig conn;
	char		name[96];
	char		err[512];

	ts_slot = slotno;
	ts_shared = shared;
	ts_errors = errors;
	if (gf_guc_nats_templates_bucket == NULL || gf_guc_nats_templates_bucket[0] == '\0')
		return;
	memset(&conn, 0, sizeof(conn));
	snprintf(name, sizeof(name), "goflow2plus templates %d", slotno);
	conn.servers = gf_guc_nats_servers;
	conn.name = name;
	conn.user = gf_guc_nats_user;
	conn.password = gf_guc_nats_password;
	conn.token = gf_guc_nats_token;
	conn.creds_file = gf_guc_nats_creds;
	conn.nkey = gf_guc_nats_nkey;
	conn.nkey_seed_file = gf_guc_nats_nkey_seed;
	conn.tls_ca = gf_guc_nats_tls_ca;
	conn.tls_cert = gf_guc_nats_tls_cert;
	conn.tls_key = gf_guc_nats_tls_key;
	ts_val = MemoryContextAlloc(TopMemoryContext, TS_VAL_MAX);
	ts_kv = gf_nkv_create(&conn, gf_guc_nats_templates_bucket, err, sizeof(err));
	if (ts_kv == NULL)
		ts_log("NATS settings refused", err);
}

static void
ts_put(const char *key, size_t len)
{
	char		err[512];

	if (ts_round_failed)
		return;
	if (gf_nkv_put(ts_kv, key, ts_val, len, err, sizeof(err)) != 0)
	{
		ts_round_failed = true;
		ts_log("put failed", err);
		return;
	}
	(*ts_shared)++;
}

static void
ts_put_template(void *arg, const gf_template_blob *t)
{
	char		key[GF_SHARE_KEY_MAX];
	size_t		len = gf_share_template(t, key, sizeof(key), ts_val, TS_VAL_MAX);

	if (len > 0)
		ts_put(key, len);
}

static void
ts_put_sampling(void *arg, const gf_sampling_blob *s)
{
	char		key[GF_SHARE_KEY_MAX];
	size_t		len = gf_share_sampling(s, key, sizeof(key), ts_val, TS_VAL_MAX);

	if (len > 0)
		ts_put(key, len);
}

/* Put the entries that changed since the last round that worked. */
static void
ts_put_changes(gf_decoder *d)
{
	uint64		version = gf_decoder_state_version(d);

	if (version == ts_since)
		return;
	ts_round_failed = false;
	(void) gf_decoder_export_templates(d, ts_since, ts_put_template, NULL);
	gf_decoder_export_sampling(d, ts_since, ts_put_sampling, NULL);
	if (!ts_round_failed)
		ts_since = version;
}

/* Import what the watch delivered. */
static void
ts_import(gf_decoder *d)
{
	int			n;

	for (n = 0; n < TS_READ_MAX; n++)
	{
		size_t		len = 0;
		char		err[512];
		gf_template_blob t;
		gf_sampling_blob s;
		gf_error	gerr;
		int			rc = gf_nkv_next(ts_kv, 1, ts_val, TS_VAL_MAX, &len, err, sizeof(err));

		if (rc == 0)
			return;
		if (rc < 0)
		{
			ts_log("watch failed", err);
			return;
		}
		switch (gf_share_parse(ts_val, len, &t, &s))
		{
			case GF_SHARE_TEMPLATE:
				(void) gf_decoder_import_template(d, &t, &gerr);
				break;
			case GF_SHARE_SAMPLING:
				(void) gf_decoder_import_sampling(d, &s, &gerr);
				break;
			case GF_SHARE_BAD:
				/* Counted by nobody else: a value not ours. */
				(*ts_errors)++;
				break;
		}
	}
}

void
gf_template_sync_tick(gf_decoder *d)
{
	TimestampTz now;
	char		err[512];

	if (ts_kv == NULL)
		return;
	if (!gf_nkv_ready(ts_kv))
	{
		now = GetCurrentTimestamp();
		if (now < ts_next_setup)
			return;
		if (gf_nkv_setup(ts_kv, err, sizeof(err)) != 0)
		{
			ts_setup_delay_ms = Min(Max(ts_setup_delay_ms * 2, TS_SETUP_RETRY_MIN_MS),
									TS_SETUP_RETRY_MAX_MS);
			ts_next_setup = TimestampTzPlusMilliseconds(now, ts_setup_delay_ms);
			ts_log("not available", err);
			return;
		}
		ts_setup_delay_ms = 0;
		ereport(LOG,
				(errmsg("goflow2plus worker %d: sharing templates through key-value bucket \"%s\"",
						ts_slot, gf_guc_nats_templates_bucket)));
	}
	ts_put_changes(d);
	ts_import(d);
}

void
gf_template_sync_stop(gf_decoder *d)
{
	if (ts_kv == NULL)
		return;
	if (gf_nkv_ready(ts_kv))
		ts_put_changes(d);
	gf_nkv_close(ts_kv);
	ts_kv = NULL;
}
