/*
 * netflow_template_sets.c
 *    Parsing of template and options template sets, NetFlow v9 (set ids 0
 *    and 1, RFC 3954) and IPFIX (set ids 2 and 3, RFC 7011), including
 *    IPFIX template withdrawal.
 *
 *    Every count and length here is untrusted.  A template that cannot be
 *    parsed ends the datagram with an error; a well-formed template that
 *    is merely over a limit is refused, counted, and the rest of the
 *    datagram is still decoded.
 */
#include "netflow_nfx.h"

#include <stdbool.h>

#define NFX_SET_V9_TEMPLATE		0
#define NFX_SET_V9_OPTIONS		1
#define NFX_SET_IPFIX_TEMPLATE	2
#define NFX_SET_IPFIX_OPTIONS	3
#define NFX_MIN_DATA_SET_ID		256
/* A record must fit in a set, whose length is a 16-bit count with a header. */
#define NFX_MAX_RECORD_LEN		(65535 - 4)

/* True when the rest of the view is all zero bytes: set padding. */
static bool
nfx_rest_is_zero(const gf_rd *r)
{
	size_t		i;

	for (i = r->off; i < r->len; i++)
		if (r->p[i] != 0)
			return false;
	return true;
}

static gf_rc
nfx_reject(gf_nfx_ctx *c, gf_rc code, size_t off, const char *what,
		   const gf_nf_msg *msg, uint16_t tid, const char *why)
{
	c->d->counters.nf_templates_rejected++;
	return gf_fail(c->err, code, off, "%s %u refused: %s",
				   what, tid, why);
}

/* A well-formed template over a limit: counted, a soft error, decoding goes on. */
static void
nfx_refuse(gf_nfx_ctx *c, size_t off, gf_rc code, const char *what,
		   const gf_nf_msg *msg, uint16_t tid, const char *why)
{
	c->d->counters.nf_templates_rejected++;
	gf_nfx_soft(c, code, off, "%s %u refused: %s",
				what, tid, why);
}

/* IPFIX withdrawal: field count 0. */
static gf_rc
nfx_withdraw(gf_nfx_ctx *c, const gf_nf_msg *msg, bool options, uint16_t tid,
			 size_t off)
{
	uint16_t	all_id = options ? NFX_SET_IPFIX_OPTIONS : NFX_SET_IPFIX_TEMPLATE;
	uint32_t	n;

	if (tid == all_id)
		n = gf_nf_templates_withdraw_all(c->st->templates, &msg->scope, options);
	else if (tid >= NFX_MIN_DATA_SET_ID)
		n = gf_nf_templates_withdraw(c->st->templates, &msg->scope, tid);
	else
		return gf_fail(c->err, GF_ERR_TEMPLATE, off,
					   "withdrawal names template id %u, which is neither "
					   "%u (all) nor a data set id (>= 256)", tid, all_id);
	c->d->counters.nf_templates_withdrawn += n;
	return GF_OK;
}

/*
 * Read n_fields field specifiers into the scratch template (as many as
 * fit) and work out the minimum record length.
 *
 * Fields of length 0 take no bytes and carry no value, so they are not
 * kept: otherwise a template of hundreds of them would make every record
 * (and a record can be a single byte) cost hundreds of field visits.
 * *kept gets the number stored, *kept_scope how many of the first
 * n_scope fields were kept.
 */
static gf_rc
nfx_read_fields(gf_nfx_ctx *c, const gf_nf_msg *msg, gf_rd *r, uint16_t tid,
				uint32_t n_fields, uint32_t n_scope, gf_nf_template *t,
				uint64_t *min_len, uint32_t *kept, uint32_t *kept_scope)
{
	bool		ipfix = msg->scope.version == 10;
	uint32_t	i;

	*min_len = 0;
	*kept = 0;
	*kept_scope = 0;
	t->varlen = false;
	for (i = 0; i < n_fields; i++)
	{
		uint16_t	id = 0;
		uint16_t	len = 0;
		uint32_t	pen = 0;

		if (!gf_rd_u16(r, &id) || !gf_rd_u16(r, &len) ||
			(ipfix && (id & GF_NF_ENTERPRISE_BIT) && !gf_rd_u32(r, &pen)))
		{
			c->d->counters.nf_templates_rejected++;
			return gf_fail(c->err, GF_ERR_TRUNCATED, gf_rd_abs(r),
						   "template %u: field %u of %u runs past the end "
						   "of its set", tid, i + 1,
						   n_fields);
		}
		if (!ipfix)
			id &= (uint16_t) ~GF_NF_ENTERPRISE_BIT; /* v9 has no enterprise bit */
		if (len == 0)
			continue;
		if (*kept < c->st->max_template_fields)
		{
			t->fields[*kept].id = id;
			t->fields[*kept].len = len;
			t->fields[*kept].pen = pen;
		}
		(*kept)++;
		if (i < n_scope)
			(*kept_scope)++;
		/*
		 * 65535 announces a variable-length field in IPFIX (RFC 7011
		 * 7).  NetFlow v9 has no such rule, but some exporters send v9
		 * templates with it (strings of varying length) encoded as in
		 * IPFIX, and tshark reads them so; a fixed v9 field of 65535
		 * bytes could not fit in a flowset anyway.
		 */
		if (len == GF_NF_VARLEN)
		{
			if (!ipfix)
				c->d->counters.nf_v9_varlen_fields++;
			t->varlen = true;
			*min_len += 1;		/* a varlen field takes at least its length byte */
		}
		else
			*min_len += len;
	}
	return GF_OK;
}

/* One template record (data or options); *stop set at set padding. */
static gf_rc
nfx_template_record(gf_nfx_ctx *c, const gf_nf_msg *msg, gf_rd *r,
					bool options, bool *stop)
{
	bool		ipfix = msg->scope.version == 10;
	const char *what = options ? "options template" : "template";
	gf_nf_template *t = c->st->scratch;
	size_t		off = gf_rd_abs(r);
	uint16_t	tid = 0;
	uint16_t	a = 0;
	uint16_t	b = 0;
	uint32_t	n_fields;
	uint32_t	n_scope = 0;
	uint32_t	kept;
	uint32_t	kept_scope;
	uint64_t	evicted_before;
	gf_nf_put	put;
	uint64_t	min_len;
	gf_rc		rc;

	*stop = false;
	/* Padding: fewer bytes than the smallest record header, or all zero. */
	if (gf_rd_left(r) < 4 || nfx_rest_is_zero(r))
	{
		*stop = true;
		return GF_OK;
	}
	gf_rd_u16(r, &tid);
	gf_rd_u16(r, &a);

	if (ipfix && a == 0)
		return nfx_withdraw(c, msg, options, tid, off);

	if (!ipfix && options)
	{
		/* v9: scope and option lengths are in bytes, 4 per field. */
		if (!gf_rd_u16(r, &b))
			return nfx_reject(c, GF_ERR_TRUNCATED, off, what, msg, tid,
							  "header runs past the end of its set");
		if (a % 4 != 0 || b % 4 != 0)
			return nfx_reject(c, GF_ERR_TEMPLATE, off, what, msg, tid,
							  "scope/option lengths are not multiples of 4");
		n_scope = a / 4;
		n_fields = n_scope + b / 4;
	}
	else if (ipfix && options)
	{
		if (!gf_rd_u16(r, &b))
			return nfx_reject(c, GF_ERR_TRUNCATED, off, what, msg, tid,
							  "scope field count runs past the end of its set");
		n_fields = a;
		n_scope = b;
		if (n_scope == 0 || n_scope > n_fields)
			return nfx_reject(c, GF_ERR_TEMPLATE, off, what, msg, tid,
							  "scope field count is 0 or above the field count");
	}
	else
		n_fields = a;

	if (tid < NFX_MIN_DATA_SET_ID)
		return nfx_reject(c, GF_ERR_TEMPLATE, off, what, msg, tid,
						  "template ids below 256 are reserved");
	if (n_fields == 0)
		return nfx_reject(c, GF_ERR_TEMPLATE, off, what, msg, tid,
						  "it has no fields");

	rc = nfx_read_fields(c, msg, r, tid, n_fields, n_scope, t, &min_len,
						 &kept, &kept_scope);
	if (rc != GF_OK)
		return rc;

	if (min_len == 0)
		return nfx_reject(c, GF_ERR_TEMPLATE, off, what, msg, tid,
						  "its records would be 0 bytes long");
	if (min_len > NFX_MAX_RECORD_LEN)
		return nfx_reject(c, GF_ERR_TEMPLATE, off, what, msg, tid,
						  "its records are longer than any set can hold");
	if (kept > c->st->max_template_fields)
	{
		/* Parsed past it, so the rest of the set is still readable. */
		nfx_refuse(c, off, GF_ERR_LIMIT, what, msg, tid,
				   "more fields than max_template_fields");
		return GF_OK;
	}

	t->next = NULL;
	t->scope = msg->scope;
	t->id = tid;
	t->options = options;
	t->n_scope = (uint16_t) kept_scope;
	t->n_fields = (uint16_t) kept;
	t->min_len = (uint32_t) min_len;
	t->imported = false;
	t->received_ns = msg->time_received_ns;

	evicted_before = gf_nf_templates_evicted(c->st->templates);
	put = gf_nf_templates_put(c->st->templates, t, msg->time_received_ns,
							  c->st->templates_evict);
	c->d->counters.nf_templates_evicted +=
		gf_nf_templates_evicted(c->st->templates) - evicted_before;
	switch (put)
	{
		case GF_NF_PUT_ADDED:
			c->d->counters.nf_templates_added++;
			break;
		case GF_NF_PUT_SAME:
			break;
		case GF_NF_PUT_FULL:
			nfx_refuse(c, off, GF_ERR_LIMIT, what, msg, tid,
					   gf_nf_templates_count(c->st->templates) >= c->d->lim.max_templates ?
					   "the decoder holds max_templates templates" :
					   "the decoder holds max_template_bytes of templates, "
					   "or max_exporters exporters hold state");
			return GF_OK;
		case GF_NF_PUT_EXPORTER_FULL:
			nfx_refuse(c, off, GF_ERR_LIMIT, what, msg, tid,
					   "this exporter holds max_templates_per_exporter "
					   "templates (or its template bytes)");
			return GF_OK;
		case GF_NF_PUT_NOMEM:
			nfx_refuse(c, off, GF_ERR_NOMEM, what, msg, tid, "out of memory");
			return GF_OK;
	}
	gf_nfx_release_pending(c, msg, tid);
	return GF_OK;
}

gf_rc
gf_nfx_template_set(gf_nfx_ctx *c, const gf_nf_msg *msg, uint16_t set_id,
					gf_rd *body)
{
	bool		options = set_id == NFX_SET_V9_OPTIONS ||
		set_id == NFX_SET_IPFIX_OPTIONS;
	bool		stop = false;
	uint64_t	nrec = 0;
	gf_counters *k = &c->d->counters;
	gf_rc		rc = GF_OK;

	while (!stop)
	{
		rc = nfx_template_record(c, msg, body, options, &stop);
		if (rc != GF_OK)
			break;
		if (!stop)
			nrec++;
	}
	/* GoFlow2's flowset metrics: sets and the template records read. */
	if (msg->scope.version == 10 && options)
	{
		k->nf_ipfix_options_template_sets++;
		k->nf_ipfix_options_template_records += nrec;
	}
	else if (msg->scope.version == 10)
	{
		k->nf_ipfix_template_sets++;
		k->nf_ipfix_template_records += nrec;
	}
	else if (options)
	{
		k->nf_v9_options_template_sets++;
		k->nf_v9_options_template_records += nrec;
	}
	else
	{
		k->nf_v9_template_sets++;
		k->nf_v9_template_records += nrec;
	}
	return rc;
}
