/*
 * sink_nats.c
 *    The NATS JetStream sink, PostgreSQL side: turns the goflow2plus.nats_*
 *    settings into the publisher's configuration (nats_pub.h), picks each
 *    flow's subject (goflow2plus.nats_subject, nats_subject.h), and logs
 *    what the publisher's threads queued for the log.
 *
 *    Everything here runs on the worker's thread.  The publisher's own
 *    thread and nats.c's threads live in nats_pub.c, which never includes
 *    postgres.h.
 */
#include "postgres.h"

#include <time.h>

#include "access/xlog.h"
#include "miscadmin.h"

#include "nats_pub.h"
#include "nats_subject.h"
#include "sinks.h"

static GfNats *sn_pub = NULL;
static gf_subject_pattern sn_pattern;
static size_t sn_static_len;
static int	sn_slotno;
static uint64 sn_lost;			/* flows for a publisher that did not start */

bool
gf_nats_sink_start(int slotno, GfSinkFormat format)
{
	GfNatsConfig cfg;
	char		err[256];
	char		prefix[96];
	char		name[96];
	struct timespec ts;

	sn_slotno = slotno;
	/* The check hook accepted it; parsing again cannot fail. */
	if (gf_subject_parse(gf_guc_nats_subject, &sn_pattern, err, sizeof(err)) != 0)
		elog(ERROR, "goflow2plus.nats_subject changed under us: %s", err);
	sn_static_len = strlen(sn_pattern.text);

	/*
	 * Nats-Msg-Id: the server keeps one message per id within the
	 * stream's duplicate window, so ids must never repeat across
	 * clusters, workers and restarts: system identifier, slot and the
	 * start time of this run, then a sequence number.
	 */
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(prefix, sizeof(prefix), "%llx-%d-%llx",
			 (unsigned long long) GetSystemIdentifier(), slotno,
			 (unsigned long long) ts.tv_sec * 1000000000ULL + (unsigned long long) ts.tv_nsec);
	snprintf(name, sizeof(name), "goflow2plus worker %d", slotno);

	memset(&cfg, 0, sizeof(cfg));
	cfg.servers = gf_guc_nats_servers;
	cfg.stream = gf_guc_nats_stream;
	cfg.stream_subject = sn_pattern.wildcard;
	cfg.name = name;
	cfg.msgid_prefix = prefix;
	cfg.user = gf_guc_nats_user;
	cfg.password = gf_guc_nats_password;
	cfg.token = gf_guc_nats_token;
	cfg.creds_file = gf_guc_nats_creds;
	cfg.nkey = gf_guc_nats_nkey;
	cfg.nkey_seed_file = gf_guc_nats_nkey_seed;
	cfg.tls_ca = gf_guc_nats_tls_ca;
	cfg.tls_cert = gf_guc_nats_tls_cert;
	cfg.tls_key = gf_guc_nats_tls_key;
	cfg.framing = format == GF_FORMAT_BIN ? GF_NATS_FRAMING_VARINT : GF_NATS_FRAMING_LINES;
	cfg.max_inflight = gf_guc_nats_max_inflight;
	cfg.batch = gf_guc_nats_batch;
	cfg.ack_wait_ms = gf_guc_nats_ack_wait;
	cfg.stream_max_age_s = gf_guc_nats_stream_max_age;
	cfg.stream_max_bytes = (int64) gf_guc_nats_stream_max_bytes * 1024 * 1024;
	cfg.stream_replicas = gf_guc_nats_stream_replicas;
	cfg.ring_bytes = (size_t) gf_guc_nats_buffer_size * 1024;

	sn_pub = gf_nats_start(&cfg, err, sizeof(err));
	if (sn_pub == NULL)
	{
		ereport(LOG,
				(errmsg("goflow2plus worker %d: NATS sink not started: %s", slotno, err),
				 errdetail("Flows still reach the other sinks in goflow2plus.transport.")));
		return false;
	}
	ereport(LOG,
			(errmsg("goflow2plus worker %d: publishing %s flows to NATS JetStream stream \"%s\" on \"%s\" via %s",
					slotno, format == GF_FORMAT_BIN ? "bin" : "json",
					gf_guc_nats_stream, gf_guc_nats_subject, gf_guc_nats_servers),
			 errdetail("Up to %d messages of up to %d flows each wait for their acknowledgement; %d kB of flows may wait in the buffer while NATS is slow or away.",
					   gf_guc_nats_max_inflight, gf_guc_nats_batch,
					   gf_guc_nats_buffer_size)));
	return true;
}

/* The name of context network 'number', or NULL. */
static const char *
sn_group(const gf_ctx_snapshot *ctx, uint32 number)
{
	gf_ctx_network net;

	if (ctx == NULL || number == GF_CTX_NONE || !gf_ctx_get_network(ctx, number, &net))
		return NULL;
	return net.name;
}

void
gf_nats_sink_put(const gf_flow *f, const gf_ctx_snapshot *ctx,
				 const uint8 *data, size_t len)
{
	char		subject[GF_SUBJECT_MAX];
	size_t		slen;

	if (sn_pub == NULL)
	{
		sn_lost++;
		return;
	}
	if (sn_pattern.is_static)
		(void) gf_nats_put(sn_pub, sn_pattern.text, sn_static_len, data, len);
	else
	{
		const char *src = NULL;
		const char *dst = NULL;

		if (sn_pattern.uses_groups)
		{
			src = sn_group(ctx, f->ctx_src_network);
			dst = sn_group(ctx, f->ctx_dst_network);
		}
		slen = gf_subject_expand(&sn_pattern, f, src, dst, subject, sizeof(subject));
		(void) gf_nats_put(sn_pub, subject, slen, data, len);
	}
}

void
gf_nats_sink_pass_end(void)
{
	if (sn_pub != NULL)
		gf_nats_kick(sn_pub);
}

/* What the publisher's threads asked to be logged. */
void
gf_nats_sink_tick(void)
{
	char		line[600];
	bool		warning;
	int			n = 0;

	if (sn_pub == NULL)
		return;
	while (n++ < 32 && gf_nats_next_log(sn_pub, &warning, line, sizeof(line)))
		ereport(warning ? WARNING : LOG,
				(errmsg("goflow2plus worker %d: %s", sn_slotno, line)));
}

void
gf_nats_sink_stop(int wait_ms)
{
	GfSinkCounts c;

	if (sn_pub == NULL)
		return;
	gf_nats_sink_counts(&c);
	if (c.nats_inflight > 0)
		ereport(LOG,
				(errmsg("goflow2plus worker %d: waiting up to %d ms for NATS to acknowledge %llu flows",
						sn_slotno, wait_ms, (unsigned long long) c.nats_inflight)));
	gf_nats_stop(sn_pub, wait_ms);
	gf_nats_sink_tick();
}

void
gf_nats_sink_counts(GfSinkCounts *out)
{
	GfNatsCounts c;

	out->nats_dropped += sn_lost;
	if (sn_pub == NULL)
		return;
	gf_nats_counts(sn_pub, &c);
	out->nats_published = c.published;
	out->nats_acked = c.acked;
	out->nats_failed = c.failed;
	out->nats_dropped += c.dropped;
	out->nats_inflight = c.inflight;
	out->nats_buffered = c.buffered;
	out->nats_retries = c.retries;
}
