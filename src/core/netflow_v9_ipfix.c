/*
 * netflow_v9_ipfix.c
 *    NetFlow v9 (RFC 3954) and IPFIX (RFC 7011) messages: the header, the
 *    walk over sets, and data sets -- decoded against their template, or
 *    kept until it arrives.  Template sets are parsed in
 *    netflow_template_sets.c, fields mapped in netflow_fields.c: records
 *    of data templates with fixed-length fields by the template's decode
 *    plan (netflow_plan.c), the others field by field.  Options
 *    data teach sampling rates and init times (netflow_sampling.c) and
 *    name interfaces (the sink's interface callback).
 *
 *    The two protocols differ in the header (v9: 20 bytes with sysUptime
 *    and an informational record count; IPFIX: 16 bytes with a total
 *    length that must match the datagram -- longer is an error, shorter is
 *    reported but decoded), in their template set ids, and in IPFIX's
 *    enterprise fields and variable-length fields.
 *
 *    A set length below 4 is an error, not "skip": a zero length would
 *    otherwise make the walk stand still.
 */
#include "netflow_nfx.h"

#include <string.h>

#include "iface_text.h"
#include "flow_mapping.h"
#include "ipfix_ie.h"
#include "netflow_fields.h"
#include "netflow_plan.h"

#define NFX_V9_HEADER_LEN		20
#define NFX_IPFIX_HEADER_LEN	16
#define NFX_SET_HEADER_LEN		4
#define NFX_MIN_DATA_SET_ID		256
/* v9 options scope field type naming an interface (RFC 3954 section 6.1). */
#define NFX_V9_SCOPE_INTERFACE	2

/*
 * What an options data record says about an interface, beside what
 * gf_nf_rec_field maps (ingressInterface / egressInterface land in the
 * record's flow as in_if / out_if): the v9 interface scope, and where the
 * name and description are in the datagram.  Only options records fill
 * it, so data records pay nothing for it.
 */
typedef struct nfx_opt_if
{
	bool		has_scope_if;
	uint32_t	scope_if;
	const uint8_t *name;		/* NULL when absent */
	size_t		name_len;
	const uint8_t *description;
	size_t		description_len;
} nfx_opt_if;

/* A v9 scope field: only the interface scope is of use here. */
static void
nfx_opt_scope(nfx_opt_if *o, uint16_t type, const uint8_t *v, size_t len)
{
	uint64_t	u;

	if (type != NFX_V9_SCOPE_INTERFACE || len < 1 || len > 8)
		return;
	u = gf_be_uint(v, len);
	if (u <= UINT32_MAX)
	{
		o->has_scope_if = true;
		o->scope_if = (uint32_t) u;
	}
}

/* An IANA field of an options record: keep where the strings are. */
static void
nfx_opt_field(nfx_opt_if *o, uint16_t id, const uint8_t *v, size_t len)
{
	if (id == GF_IE_INTERFACE_NAME)
	{
		o->name = v;
		o->name_len = len;
	}
	else if (id == GF_IE_INTERFACE_DESCRIPTION)
	{
		o->description = v;
		o->description_len = len;
	}
}

/*
 * The interface an options record names: its v9 interface scope,
 * ingressInterface, egressInterface, whichever it carries.  Cisco's
 * interface table sends ingress and egress with the same value (IOS-XR
 * as the two scope fields); values that differ leave no one interface
 * the name could belong to, so nothing is learnt from the record.
 */
static bool
nfx_opt_if_index(const nfx_opt_if *o, const gf_flow *f, uint32_t *if_index)
{
	bool		found = false;

	if (o->has_scope_if)
	{
		*if_index = o->scope_if;
		found = true;
	}
	if (GF_HAS(f, GF_F_IN_IF))
	{
		if (found && *if_index != f->in_if)
			return false;
		*if_index = f->in_if;
		found = true;
	}
	if (GF_HAS(f, GF_F_OUT_IF))
	{
		if (found && *if_index != f->out_if)
			return false;
		*if_index = f->out_if;
		found = true;
	}
	return found;
}

/* Options data naming an interface: handed to the sink's interface callback. */
static void
nfx_options_interface(gf_nfx_ctx *c, const gf_nf_msg *msg, const gf_flow *f,
					  const nfx_opt_if *o)
{
	gf_if_info	info;

	if (o->name == NULL && o->description == NULL)
		return;
	memset(&info, 0, sizeof(info));
	if (!nfx_opt_if_index(o, f, &info.if_index))
	{
		c->d->counters.nf_interface_unkeyed++;
		return;
	}
	if (o->name != NULL)
		info.has_name = gf_if_text_copy(info.name, sizeof(info.name),
										o->name, o->name_len) > 0;
	if (o->description != NULL)
		info.has_description =
			gf_if_text_copy(info.description, sizeof(info.description),
							o->description, o->description_len) > 0;
	/* All padding or spaces: the exporter said nothing after all. */
	if (!info.has_name && !info.has_description)
		return;
	info.time_received_ns = msg->time_received_ns;
	info.type = msg->scope.version == 9 ? GF_TYPE_NETFLOW_V9 : GF_TYPE_IPFIX;
	info.exporter = msg->scope.exporter;
	info.domain = msg->scope.domain;
	c->d->counters.interface_records++;
	if (c->sink && c->sink->interface)
		c->sink->interface(c->sink->arg, &info);
}

/*
 * Options data: learn sampling rates and the system init time, and pass
 * on interface names.
 */
static void
nfx_options_record(gf_nfx_ctx *c, const gf_nf_msg *msg, const gf_nf_rec *rec,
				   const nfx_opt_if *oif)
{
	uint64_t	rate = gf_nf_rec_own_rate(rec);

	bool		has_sampler = GF_NF_REC_HAS(rec, GF_NF_SAMPLER_ID);
	uint64_t	sampler_id = has_sampler ? rec->v[GF_NF_SAMPLER_ID] : 0;

	c->d->counters.nf_options_records++;
	if (rate > 0)
	{
		if (gf_nf_sampling_set_rate(c->st->sampling, &msg->scope, has_sampler,
									sampler_id, rate, msg->time_received_ns))
			c->d->counters.nf_sampling_updates++;
		else
			c->d->counters.nf_sampling_refused++;
	}
	if (GF_NF_REC_HAS(rec, GF_NF_INIT_MS) &&
		!gf_nf_sampling_set_init_time(c->st->sampling, &msg->scope,
									  rec->v[GF_NF_INIT_MS], msg->time_received_ns))
		c->d->counters.nf_sampling_refused++;
	nfx_options_interface(c, msg, rec->f, oif);
}

/* Read the length of a variable-length field (RFC 7011 section 7). */
static bool
nfx_varlen(gf_rd *r, uint16_t *len)
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

/* A data record is complete: hand its flow on. */
static inline void
nfx_data_record(gf_nfx_ctx *c, const gf_nf_msg *msg, gf_nf_rec *rec,
				gf_nf_set_cache *cache, gf_flow *f)
{
	if (gf_nf_rec_finish(rec, msg, cache))
		c->d->counters.flows_clock_skew++;
	c->d->counters.flows++;
	gf_row_msg_flow(&c->d->msg, f);
	if (c->sink && c->sink->flow)
		c->sink->flow(c->sink->arg, f);
}

/*
 * The records of a planned template (netflow_plan.h): all min_len bytes
 * long, so one length check per record covers every field, and each
 * field is read by its step at a fixed offset.
 */
static gf_rc
nfx_records_plan(gf_nfx_ctx *c, const gf_nf_msg *msg,
				 const gf_nf_template *tpl, gf_rd *body)
{
	const gf_nf_plan *plan = gf_nf_template_plan(tpl);
	const uint8_t *p = body->p + body->off;
	size_t		left = gf_rd_left(body);
	size_t		len = tpl->min_len;
	gf_nf_rec	rec;
	gf_nf_set_cache cache;
	gf_flow		f;

	gf_nf_set_cache_init(&cache, c->st->sampling);
	/* min_len >= 1 (checked when the template was stored): this ends. */
	while (left >= len)
	{
		gf_nf_rec_begin(&rec, &f, msg);
		/* IPFIX sequence numbers count data records. */
		c->d->msg.records++;
		gf_nf_plan_run(&rec, plan, p, left);
		nfx_data_record(c, msg, &rec, &cache, &f);
		p += len;
		left -= len;
	}
	body->off = body->len - left;
	/* What is left is shorter than any record: set padding. */
	return GF_OK;
}

gf_rc
gf_nfx_records(gf_nfx_ctx *c, const gf_nf_msg *msg, const gf_nf_template *tpl,
			   gf_rd *body)
{
	/* v9 scope field types (1 system, 2 interface...) are not IEs. */
	uint16_t	skip_scope = msg->scope.version == 9 ? tpl->n_scope : 0;
	gf_nf_rec	rec;
	gf_nf_set_cache cache;
	gf_flow		f;
	nfx_opt_if	oif;

	/* Custom mappings have their own loop: one branch per set here. */
	if (__builtin_expect(c->d->mapping != NULL, 0) && !tpl->options &&
		gf_mapping_has_nf(c->d->mapping, msg->scope.version))
		return gf_nfx_records_mapped(c, msg, tpl, body);
	if (tpl->planned && !c->st->field_walk)
		return nfx_records_plan(c, msg, tpl, body);
	memset(&oif, 0, sizeof(oif));
	gf_nf_set_cache_init(&cache, c->st->sampling);
	/* min_len >= 1 (checked when the template was stored): this ends. */
	while (gf_rd_left(body) >= tpl->min_len)
	{
		size_t		rec_off = gf_rd_abs(body);
		uint16_t	i;

		gf_nf_rec_begin(&rec, &f, msg);
		/* IPFIX sequence numbers count data records, options ones too. */
		c->d->msg.records++;
		if (tpl->options)
			memset(&oif, 0, sizeof(oif));
		for (i = 0; i < tpl->n_fields; i++)
		{
			const gf_nf_tfield *fd = &tpl->fields[i];
			uint16_t	len = fd->len;
			const uint8_t *v;

			if (len == GF_NF_VARLEN && tpl->varlen && !nfx_varlen(body, &len))
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
			if (fd->id & GF_NF_ENTERPRISE_BIT)
				continue;
			/* Only v9 options templates have scope fields to skip. */
			if (i < skip_scope)
			{
				nfx_opt_scope(&oif, fd->id, v, len);
				continue;
			}
			if (tpl->options)
				nfx_opt_field(&oif, fd->id, v, len);
			gf_nf_rec_field(&rec, fd->id, v, len);
		}
		if (tpl->options)
			nfx_options_record(c, msg, &rec, &oif);
		else
			nfx_data_record(c, msg, &rec, &cache, &f);
	}
	/* What is left is shorter than any record: set padding. */
	return GF_OK;
}

static void
nfx_pending_cb(void *arg, const gf_nf_msg *msg, uint16_t set_id,
			   const uint8_t *body, size_t len)
{
	gf_nfx_ctx *c = arg;
	const gf_nf_template *tpl;
	gf_rd		r;

	tpl = gf_nf_templates_find(c->st->templates, &msg->scope, set_id);
	if (tpl == NULL)
	{
		/* Withdrawn or expired again before its turn came. */
		c->d->counters.nf_sets_pending_expired++;
		return;
	}
	c->d->counters.nf_sets_pending_decoded++;
	gf_rd_init(&r, body, len);
	/* Errors in a kept set belong to its own (earlier) datagram. */
	memset(c->err, 0, sizeof(*c->err));
	/* Its flows count on its exporter's row, as if they came now. */
	gf_row_msg_clear(&c->d->msg);
	gf_row_msg_begin(&c->d->msg, msg->scope.version == 9 ?
					 GF_TYPE_NETFLOW_V9 : GF_TYPE_IPFIX,
					 &msg->scope.exporter, msg->scope.domain);
	if (gf_nfx_records(c, msg, tpl, &r) != GF_OK)
		c->d->counters.packets_malformed++;
	gf_rows_commit(c->d->rows, &c->d->msg, NULL, false, &c->d->counters);
	c->d->msg.valid = false;
}

void
gf_nfx_release_ready(gf_decoder *d, uint64_t now_ns, const gf_sink *sink)
{
	gf_nfx_ctx	c;
	gf_error	err;
	uint32_t	expired;

	if (!gf_nf_pending_has_ready(d->nf->pending))
		return;
	memset(&c, 0, sizeof(c));
	memset(&err, 0, sizeof(err));
	c.d = d;
	c.st = d->nf;
	c.sink = sink;
	c.err = &err;
	(void) gf_nf_pending_release(d->nf->pending, now_ns,
								 d->nf->pending_max_age_ns,
								 GF_NF_PENDING_SLICE_BYTES, true,
								 nfx_pending_cb, &c, &expired);
	d->counters.nf_sets_pending_expired += expired;
}

static gf_rc
nfx_data_set(gf_nfx_ctx *c, const gf_nf_msg *msg, uint16_t set_id, gf_rd *body)
{
	const gf_nf_template *tpl;
	gf_nf_pending_rc rc;
	uint32_t	evicted;
	uint32_t	expired;

	tpl = gf_nf_templates_find(c->st->templates, &msg->scope, set_id);
	if (tpl != NULL)
	{
		gf_counters *k = &c->d->counters;
		uint64_t	before = k->flows + k->nf_options_records;
		uint64_t	nrec;
		gf_rc		rc;

		gf_nf_templates_touch(c->st->templates, tpl);
		rc = gf_nfx_records(c, msg, tpl, body);
		/* GoFlow2's flowset metrics: sets and the records they gave. */
		nrec = k->flows + k->nf_options_records - before;
		if (msg->scope.version == 10 && tpl->options)
		{
			k->nf_ipfix_options_data_sets++;
			k->nf_ipfix_options_data_records += nrec;
		}
		else if (msg->scope.version == 10)
		{
			k->nf_ipfix_data_sets++;
			k->nf_ipfix_data_records += nrec;
		}
		else if (tpl->options)
		{
			k->nf_v9_options_data_sets++;
			k->nf_v9_options_data_records += nrec;
		}
		else
		{
			k->nf_v9_data_sets++;
			k->nf_v9_data_records += nrec;
		}
		return rc;
	}

	/* Its records cannot be counted for the IPFIX sequence. */
	c->d->msg.records_unknown = true;
	/* Its template has not come (yet): keep a copy, within bounds. */
	rc = gf_nf_pending_add(c->st->pending, msg, set_id, body->p, body->len,
						   &evicted);
	if (rc == GF_NF_PENDING_EXPORTER_FULL)
	{
		/*
		 * Sets that are already too old may be what fills it, if the
		 * upkeep has not run lately: drop those (the work is one step
		 * per set dropped) and try once more.
		 */
		expired = gf_nf_pending_expire(c->st->pending, msg->time_received_ns,
									   c->st->pending_max_age_ns);
		c->d->counters.nf_sets_pending_expired += expired;
		if (expired > 0)
			rc = gf_nf_pending_add(c->st->pending, msg, set_id, body->p,
								   body->len, &evicted);
	}
	switch (rc)
	{
		case GF_NF_PENDING_KEPT:
			c->d->counters.nf_sets_pending++;
			break;
		case GF_NF_PENDING_EXPORTER_FULL:
		case GF_NF_PENDING_NO_ROOM:
			c->d->counters.nf_sets_pending_overflow++;
			break;
	}
	c->d->counters.nf_sets_pending_evicted += evicted;
	return GF_OK;
}

/* True if every byte left in r is zero. */
static bool
nfx_tail_is_zero(const gf_rd *r)
{
	size_t		i;

	for (i = r->off; i < r->len; i++)
		if (r->p[i] != 0)
			return false;
	return true;
}

static gf_rc
nfx_walk_sets(gf_nfx_ctx *c, const gf_nf_msg *msg, gf_rd *r)
{
	bool		ipfix = msg->scope.version == 10;

	while (gf_rd_left(r) > 0)
	{
		size_t		set_off = gf_rd_abs(r);
		uint16_t	set_id = 0;
		uint16_t	set_len = 0;
		gf_rd		body;
		gf_rc		rc;

		/*
		 * v9 exporters that pad the datagram to a fixed size with zeros
		 * after the last flowset (nfdump issue 73: 1408 bytes) send what
		 * would read as set 0 of length 0: padding, counted, not an
		 * error.  IPFIX lengths are exact and get no such allowance.
		 */
		if (!ipfix && nfx_tail_is_zero(r))
		{
			c->d->counters.nf_padded_datagrams++;
			c->d->counters.nf_padding_bytes += gf_rd_left(r);
			break;
		}
		if (gf_rd_left(r) < NFX_SET_HEADER_LEN)
		{
			/*
			 * v9 exporters may pad the datagram; IPFIX lengths are exact,
			 * unless the message length was already found wrong.
			 */
			if (!ipfix || c->soft_rc == GF_ERR_LENGTH)
				break;
			return gf_fail(c->err, GF_ERR_TRUNCATED, set_off,
						   "set header needs 4 bytes, %zu left",
						   gf_rd_left(r));
		}
		gf_rd_u16(r, &set_id);
		gf_rd_u16(r, &set_len);
		if (set_len < NFX_SET_HEADER_LEN)
			return gf_fail(c->err, GF_ERR_LENGTH, set_off + 2,
						   "set %u has length %u, less than its 4-byte header",
						   set_id, set_len);
		if (!gf_rd_sub(r, set_len - NFX_SET_HEADER_LEN, &body))
			return gf_fail(c->err, GF_ERR_LENGTH, set_off + 2,
						   "set %u has length %u, past the end of the "
						   "datagram (%zu bytes left)", set_id,
						   set_len, gf_rd_left(r) + NFX_SET_HEADER_LEN);

		if (set_id >= NFX_MIN_DATA_SET_ID)
			rc = nfx_data_set(c, msg, set_id, &body);
		else if ((!ipfix && set_id <= 1) || (ipfix && (set_id == 2 || set_id == 3)))
			rc = gf_nfx_template_set(c, msg, set_id, &body);
		else
			rc = GF_OK;			/* reserved set id: skipped */
		if (rc != GF_OK)
			return rc;
	}
	return GF_OK;
}

gf_rc
gf_nfx_decode(gf_decoder *d, const gf_datagram *dg, const gf_sink *sink,
			  gf_error *err)
{
	gf_nfx_ctx	c;
	gf_nf_msg	msg;
	gf_rd		r;
	uint16_t	version = 0;
	uint16_t	count_or_len = 0;
	uint32_t	uptime = 0;
	uint32_t	export_secs = 0;
	uint32_t	sequence = 0;
	uint32_t	domain = 0;
	gf_nf_exporter *exporter;
	gf_rc		rc;

	gf_rd_init(&r, dg->data, dg->len);
	if (!gf_rd_u16(&r, &version) || (version != 9 && version != 10))
		return gf_fail(err, GF_ERR_VERSION, 0, "not a NetFlow v9 / IPFIX datagram");

	err->proto = version == 9 ? GF_PK_NETFLOW_V9 : GF_PK_IPFIX;
	if (version == 9)
	{
		if (dg->len < NFX_V9_HEADER_LEN)
			return gf_fail(err, GF_ERR_TRUNCATED, dg->len,
						   "header needs %d bytes, datagram has %zu",
						   NFX_V9_HEADER_LEN, dg->len);
		/* The record count is informational only: sets are walked by length. */
		gf_rd_u16(&r, &count_or_len);
		gf_rd_u32(&r, &uptime);
		gf_rd_u32(&r, &export_secs);
		gf_rd_u32(&r, &sequence);
		gf_rd_u32(&r, &domain);
	}
	else
	{
		if (dg->len < NFX_IPFIX_HEADER_LEN)
			return gf_fail(err, GF_ERR_TRUNCATED, dg->len,
						   "header needs %d bytes, datagram has %zu",
						   NFX_IPFIX_HEADER_LEN, dg->len);
		gf_rd_u16(&r, &count_or_len);
		if (count_or_len > dg->len || count_or_len < NFX_IPFIX_HEADER_LEN)
			return gf_fail(err, GF_ERR_LENGTH, 2,
						   "message length %u does not match the "
						   "datagram's %zu bytes", count_or_len, dg->len);
		gf_rd_u32(&r, &export_secs);
		gf_rd_u32(&r, &sequence);
		gf_rd_u32(&r, &domain);
	}

	memset(&msg, 0, sizeof(msg));
	gf_nf_scope_make(&msg.scope, &dg->exporter, (uint8_t) version, domain);
	msg.export_secs = export_secs;
	msg.uptime_ms = uptime;
	msg.sequence = sequence;
	msg.time_received_ns = dg->time_received_ns;

	if (version == 9)
		d->counters.packets_netflow_v9++;
	else
		d->counters.packets_ipfix++;

	/*
	 * The row: v9 numbers export packets, IPFIX data records (counted as
	 * they are decoded, gf_nfx_records).
	 */
	gf_row_msg_begin(&d->msg, version == 9 ? GF_TYPE_NETFLOW_V9 : GF_TYPE_IPFIX,
					 &dg->exporter, domain);
	d->msg.seq.seq = sequence;
	d->msg.seq.units = 1;
	d->msg.seq.units_known = true;
	d->msg.seq.has_uptime = version == 9;
	d->msg.seq.uptime_ms = uptime;
	d->msg.seq.has_export = true;
	d->msg.seq.export_secs = export_secs;
	d->msg.count_records = version == 10;

	exporter = gf_nf_exporters_find(d->nf->exporters, &msg.scope.exporter);
	if (exporter)
	{
		exporter->st.datagrams++;
		exporter->st.last_seen_ns = dg->time_received_ns;
	}

	memset(&c, 0, sizeof(c));
	c.d = d;
	c.st = d->nf;
	c.sink = sink;
	c.err = err;

	/*
	 * A length short of the datagram is reported, but the sets are still
	 * walked over the whole datagram: exporters with this bug (telegraf
	 * issue 14370's capture) have correct set lengths, and the last set
	 * reaches the real end.
	 */
	if (version == 10 && count_or_len < dg->len)
		gf_nfx_soft(&c, GF_ERR_LENGTH, 2,
					"message length %u is shorter than the datagram's "
					"%zu bytes; sets were read to the end of the datagram",
					count_or_len, dg->len);
	rc = nfx_walk_sets(&c, &msg, &r);
	if (rc == GF_OK && c.soft_rc != GF_OK)
	{
		*err = c.soft;
		rc = c.soft_rc;
	}
	return rc;
}
