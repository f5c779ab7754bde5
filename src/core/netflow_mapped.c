/*
 * netflow_mapped.c
 *    NetFlow v9 / IPFIX data records decoded with a custom mapping
 *    (flow_mapping.h).  netflow_v9_ipfix.c sends a data set here only
 *    when the decoder has a mapping for the protocol, so decoding without
 *    one pays a single branch per data set and nothing per field.
 *
 *    Which template fields are mapped is resolved once per data set, not
 *    per record.  A record is read as in netflow_v9_ipfix.c (every field
 *    also keeps its default meaning), and the mapped values are written
 *    last, after the record's defaults are resolved: a mapped value wins
 *    over what the defaults made of other fields (252 -> in_if replaces
 *    ingressInterface), whatever the order of fields in the template.
 */
#include "netflow_nfx.h"

#include <string.h>

#include "flow_mapping.h"
#include "netflow_fields.h"

/* Mapped fields of one template that are applied; more are counted. */
#define NM_MAX_MAPPED	64

typedef struct nm_hit
{
	uint16_t	i;				/* field index in the template */
	const gf_map_entry *e;
} nm_hit;

/* Read the length of a variable-length field (RFC 7011 section 7). */
static bool
nm_varlen(gf_rd *r, uint16_t *len)
{
	uint8_t		l8 = 0;

	if (!gf_rd_u8(r, &l8))
		return false;
	if (l8 < 255)
	{
		*len = l8;
		return true;
	}
	return gf_rd_u16(r, len);
}

/* The template's mapped fields, in template order. */
static uint16_t
nm_resolve(const gf_mapping *m, gf_map_proto p, const gf_nf_template *tpl,
		   nm_hit *hits, uint64_t *dropped)
{
	uint16_t	n = 0;
	uint16_t	i;

	for (i = 0; i < tpl->n_fields; i++)
	{
		const gf_nf_tfield *fd = &tpl->fields[i];
		bool		ent = p == GF_MAP_IPFIX && (fd->id & GF_NF_ENTERPRISE_BIT);
		uint16_t	id = p == GF_MAP_IPFIX ? fd->id & ~GF_NF_ENTERPRISE_BIT : fd->id;
		const gf_map_entry *e = gf_mapping_find(m, p, ent, fd->pen, id);

		if (e == NULL)
			continue;
		if (n == NM_MAX_MAPPED)
		{
			(*dropped)++;
			continue;
		}
		hits[n].i = i;
		hits[n].e = e;
		n++;
	}
	return n;
}

gf_rc
gf_nfx_records_mapped(gf_nfx_ctx *c, const gf_nf_msg *msg,
					  const gf_nf_template *tpl, gf_rd *body)
{
	const gf_mapping *m = c->d->mapping;
	gf_map_proto p = msg->scope.version == 9 ? GF_MAP_NETFLOW_V9 : GF_MAP_IPFIX;
	nm_hit		hits[NM_MAX_MAPPED];
	const uint8_t *vals[NM_MAX_MAPPED];
	uint16_t	lens[NM_MAX_MAPPED];
	uint64_t	over = 0;
	uint16_t	nhits;
	gf_nf_rec	rec;
	gf_nf_set_cache cache;
	gf_flow		f;

	nhits = nm_resolve(m, p, tpl, hits, &over);
	c->d->counters.mapping_refused += over;
	gf_nf_set_cache_init(&cache, c->st->sampling);
	while (gf_rd_left(body) >= tpl->min_len)
	{
		size_t		rec_off = gf_rd_abs(body);
		uint16_t	i;
		uint16_t	k = 0;

		gf_nf_rec_begin(&rec, &f, msg);
		/* IPFIX sequence numbers count data records (exporter rows). */
		c->d->msg.records++;
		for (i = 0; i < tpl->n_fields; i++)
		{
			const gf_nf_tfield *fd = &tpl->fields[i];
			uint16_t	len = fd->len;
			const uint8_t *v;

			if (len == GF_NF_VARLEN && tpl->varlen && !nm_varlen(body, &len))
				return gf_fail(c->err, GF_ERR_TRUNCATED, gf_rd_abs(body),
							   "template %u: length of variable-length field "
							   "%u runs past the end of its set (record at %zu)",
							   tpl->id, i + 1, rec_off);
			if (!gf_rd_bytes(body, len, &v))
				return gf_fail(c->err, GF_ERR_TRUNCATED, gf_rd_abs(body),
							   "template %u: field %u (IE %u, %u bytes) runs "
							   "past the end of its set (record at %zu)",
							   tpl->id, i + 1,
							   fd->id & ~GF_NF_ENTERPRISE_BIT, len, rec_off);
			if (k < nhits && hits[k].i == i)
			{
				vals[k] = v;
				lens[k] = len;
				k++;
			}
			if (!(fd->id & GF_NF_ENTERPRISE_BIT))
				gf_nf_rec_field(&rec, fd->id, v, len);
		}
		if (gf_nf_rec_finish(&rec, msg, &cache))
			c->d->counters.flows_clock_skew++;
		for (k = 0; k < nhits; k++)
		{
			if (gf_mapping_apply(m, hits[k].e, &f, vals[k], lens[k]))
				c->d->counters.mapping_applied++;
			else
				c->d->counters.mapping_refused++;
		}
		c->d->counters.flows++;
		gf_row_msg_flow(&c->d->msg, &f);
		if (c->sink && c->sink->flow)
			c->sink->flow(c->sink->arg, &f);
	}
	return GF_OK;
}
