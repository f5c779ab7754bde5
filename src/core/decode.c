/*
 * decode.c
 *    The decoder object and the dispatch on the version word.
 *
 *    NetFlow and IPFIX begin with a 16-bit version (1, 5, 7, 8, 9, 10);
 *    sFlow begins with a 32-bit version (5), whose first 16 bits are zero.
 *    That is enough to tell them apart on a flow:// socket.
 */
#include "decoder_internal.h"
#include "flow_mapping.h"

#include <stdlib.h>
#include <string.h>

#include "reader.h"

#define GF_DEFAULT_MAX_TEMPLATES		65536
#define GF_DEFAULT_MAX_TEMPLATE_FIELDS	512
#define GF_DEFAULT_PENDING_BYTES		(1024 * 1024)
#define GF_DEFAULT_PENDING_AGE_MS		60000
#define GF_DEFAULT_MAX_EXPORTERS		4096
#define GF_DEFAULT_TEMPLATES_PER_EXPORTER	1024
#define GF_DEFAULT_TEMPLATE_BYTES_PER_EXPORTER	(4u * 1024 * 1024)
#define GF_DEFAULT_MAX_TEMPLATE_BYTES	(128u * 1024 * 1024)
#define GF_DEFAULT_SAMPLING_PER_EXPORTER	256
#define GF_DEFAULT_MAX_SAMPLING			65536
#define GF_DEFAULT_EXPORTER_IDLE_MS		(3600u * 1000)

gf_decoder *
gf_decoder_new(const gf_limits *lim)
{
	gf_decoder *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	if (lim)
		d->lim = *lim;
	if (d->lim.max_templates == 0)
		d->lim.max_templates = GF_DEFAULT_MAX_TEMPLATES;
	if (d->lim.max_template_fields == 0)
		d->lim.max_template_fields = GF_DEFAULT_MAX_TEMPLATE_FIELDS;
	if (d->lim.pending_bytes_per_exporter == 0)
		d->lim.pending_bytes_per_exporter = GF_DEFAULT_PENDING_BYTES;
	if (d->lim.pending_max_age_ms == 0)
		d->lim.pending_max_age_ms = GF_DEFAULT_PENDING_AGE_MS;
	if (d->lim.max_exporters == 0)
		d->lim.max_exporters = GF_DEFAULT_MAX_EXPORTERS;
	if (d->lim.max_templates_per_exporter == 0)
		d->lim.max_templates_per_exporter = GF_DEFAULT_TEMPLATES_PER_EXPORTER;
	if (d->lim.template_bytes_per_exporter == 0)
		d->lim.template_bytes_per_exporter = GF_DEFAULT_TEMPLATE_BYTES_PER_EXPORTER;
	if (d->lim.max_template_bytes == 0)
		d->lim.max_template_bytes = GF_DEFAULT_MAX_TEMPLATE_BYTES;
	if (d->lim.max_sampling_per_exporter == 0)
		d->lim.max_sampling_per_exporter = GF_DEFAULT_SAMPLING_PER_EXPORTER;
	if (d->lim.max_sampling == 0)
		d->lim.max_sampling = GF_DEFAULT_MAX_SAMPLING;
	if (d->lim.exporter_idle_ms == 0)
		d->lim.exporter_idle_ms = GF_DEFAULT_EXPORTER_IDLE_MS;
	d->nf = gf_nf_state_new(&d->lim);
	if (d->nf == NULL)
	{
		free(d);
		return NULL;
	}
	{
		gf_hash_key key;

		gf_hash_key_random(&key);
		d->rows = gf_rows_new(d->lim.max_exporters, &key);
	}
	if (d->rows == NULL)
	{
		gf_nf_state_free(d->nf);
		free(d);
		return NULL;
	}
	return d;
}

void
gf_decoder_free(gf_decoder *d)
{
	if (d == NULL)
		return;
	gf_nf_state_free(d->nf);
	gf_rows_free(d->rows);
	gf_mapping_free(d->mapping);
	free(d);
}

void
gf_decoder_set_mapping(gf_decoder *d, gf_mapping *m)
{
	if (d->mapping == m)
		return;
	gf_mapping_free(d->mapping);
	d->mapping = m;
}

gf_counters *
gf_decoder_counters(gf_decoder *d)
{
	return &d->counters;
}

void
gf_decoder_expire(gf_decoder *d, uint64_t now_ns)
{
	gf_nf_state_expire(d, now_ns);
}

gf_rc
gf_decode(gf_decoder *d, gf_proto proto, const gf_datagram *dg,
		  const gf_sink *sink, gf_error *err)
{
	gf_rc		rc;
	uint32_t	word;

	memset(err, 0, sizeof(*err));
	d->counters.packets++;
	/* Each protocol decoder names the message's row once it read the header. */
	gf_row_msg_clear(&d->msg);

	if (dg->len < 4)
	{
		d->counters.packets_malformed++;
		return gf_fail(err, GF_ERR_TRUNCATED, 0,
					   "datagram of %zu bytes is too short for a version word",
					   dg->len);
	}
	word = (uint32_t) gf_be_uint(dg->data, 4);

	if (word == 5 && proto != GF_PROTO_NETFLOW)
		rc = gf_sflow_decode(d, dg, sink, err);
	else if ((word >> 16) == 5 && proto != GF_PROTO_SFLOW)
		rc = gf_nf5_decode(d, dg, sink, err);
	else if ((word >> 16) == 1 && proto != GF_PROTO_SFLOW)
		rc = gf_nf1_decode(d, dg, sink, err);
	else if ((word >> 16) == 7 && proto != GF_PROTO_SFLOW)
		rc = gf_nf7_decode(d, dg, sink, err);
	else if ((word >> 16) == 8 && proto != GF_PROTO_SFLOW)
		rc = gf_nf8_decode(d, dg, sink, err);
	else if (((word >> 16) == 9 || (word >> 16) == 10) && proto != GF_PROTO_SFLOW)
		rc = gf_nfx_decode(d, dg, sink, err);
	else
	{
		d->counters.packets_unknown_version++;
		return gf_fail(err, GF_ERR_VERSION, 0,
					   "unknown version word 0x%08x for %s", word,
					   proto == GF_PROTO_SFLOW ? "an sFlow listener" :
					   proto == GF_PROTO_NETFLOW ? "a NetFlow/IPFIX listener" :
					   "a flow listener");
	}
	if (rc != GF_OK)
		d->counters.packets_malformed++;
	gf_rows_commit(d->rows, &d->msg, dg, rc != GF_OK, &d->counters);
	return rc;
}
