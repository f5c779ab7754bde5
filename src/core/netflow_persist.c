/*
 * netflow_persist.c
 *    Export and import of the NetFlow v9 / IPFIX state (templates,
 *    sampling entries) that netflow_persist.h declares.
 *
 *    A template read back is held to the bounds of netflow_template_sets.c:
 *    a data set id (>= 256), at least one field, no more than
 *    max_template_fields, a scope count that fits the kind, a minimum
 *    record length between 1 and what a set can hold, and no byte before
 *    or after the field list that the format does not explain.  The
 *    record decoder relies on those (min_len >= 1 ends its loop), so an
 *    imported template must never skip them.
 */
#include "netflow_persist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netflow_state.h"
#include "reader.h"

#define PERSIST_HEADER_LEN		5	/* format, field count, scope count */
#define PERSIST_MIN_FIELD_LEN	4	/* id, length; +4 with an enterprise no. */
#define PERSIST_MAX_FIELD_LEN	8
#define PERSIST_MIN_TEMPLATE_ID 256
/* A record must fit in a set, as on the wire (netflow_template_sets.c). */
#define PERSIST_MAX_RECORD_LEN	(65535 - 4)

uint64_t
gf_decoder_state_version(gf_decoder *d)
{
	return d->nf->changes;
}

size_t
gf_decoder_template_count(gf_decoder *d)
{
	return gf_nf_templates_count(d->nf->templates);
}

/* ---- export ----------------------------------------------------------- */

typedef struct persist_export
{
	uint64_t	since;
	uint8_t    *buf;			/* room for the largest template */
	gf_template_cb tcb;
	gf_sampling_cb scb;
	void	   *arg;
} persist_export;

static void
persist_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t) (v >> 8);
	p[1] = (uint8_t) v;
}

static void
persist_put_u32(uint8_t *p, uint32_t v)
{
	persist_put_u16(p, (uint16_t) (v >> 16));
	persist_put_u16(p + 2, (uint16_t) v);
}

static size_t
persist_serialize(const gf_nf_template *tpl, uint8_t *out)
{
	size_t		n = 0;
	uint16_t	i;

	out[n++] = GF_TEMPLATE_BLOB_FORMAT;
	persist_put_u16(out + n, tpl->n_fields);
	persist_put_u16(out + n + 2, tpl->n_scope);
	n += 4;
	for (i = 0; i < tpl->n_fields; i++)
	{
		const gf_nf_tfield *f = &tpl->fields[i];

		persist_put_u16(out + n, f->id);
		persist_put_u16(out + n + 2, f->len);
		n += 4;
		if (f->id & GF_NF_ENTERPRISE_BIT)
		{
			persist_put_u32(out + n, f->pen);
			n += 4;
		}
	}
	return n;
}

static void
persist_export_template(void *arg, const gf_nf_template *tpl)
{
	persist_export *x = arg;
	gf_template_blob b;

	if (tpl->stamp <= x->since)
		return;
	b.exporter = tpl->scope.exporter;
	b.version = tpl->scope.version;
	b.domain = tpl->scope.domain;
	b.template_id = tpl->id;
	b.options = tpl->options;
	b.received_ns = tpl->received_ns;
	b.bytes = x->buf;
	b.len = persist_serialize(tpl, x->buf);
	x->tcb(x->arg, &b);
}

gf_rc
gf_decoder_export_templates(gf_decoder *d, uint64_t since, gf_template_cb cb,
							void *arg)
{
	persist_export x;

	x.since = since;
	x.tcb = cb;
	x.scb = NULL;
	x.arg = arg;
	/* Stored templates never exceed max_template_fields (<= 65535). */
	x.buf = malloc(PERSIST_HEADER_LEN +
				   (size_t) d->nf->max_template_fields * PERSIST_MAX_FIELD_LEN);
	if (x.buf == NULL)
		return GF_ERR_NOMEM;
	gf_nf_templates_foreach(d->nf->templates, persist_export_template, &x);
	free(x.buf);
	return GF_OK;
}

static void
persist_export_fact(void *arg, const gf_nf_sampling_fact *f)
{
	persist_export *x = arg;
	gf_sampling_blob b;

	/* An entry made only to look a sampler up holds nothing to save. */
	if (f->stamp <= x->since || (!f->has_rate && !f->has_init))
		return;
	b.exporter = f->scope.exporter;
	b.version = f->scope.version;
	b.domain = f->scope.domain;
	b.has_sampler = f->has_sampler;
	b.sampler_id = f->sampler_id;
	b.has_rate = f->has_rate;
	b.rate = f->rate;
	b.has_init_time = f->has_init;
	b.init_ms = f->init_ms;
	x->scb(x->arg, &b);
}

void
gf_decoder_export_sampling(gf_decoder *d, uint64_t since, gf_sampling_cb cb,
						   void *arg)
{
	persist_export x;

	x.since = since;
	x.tcb = NULL;
	x.scb = cb;
	x.buf = NULL;
	x.arg = arg;
	gf_nf_sampling_foreach(d->nf->sampling, persist_export_fact, &x);
}

/* ---- import ----------------------------------------------------------- */

/* "IPFIX template 256 of 192.0.2.1 domain 7" for error messages. */
static void
persist_describe(char *buf, size_t buflen, const char *what, const gf_addr *a,
				 uint32_t version, uint64_t domain, uint64_t id)
{
	char		addr[64];

	if (a->family == 4 || a->family == 6)
		gf_addr_format(a, addr, sizeof(addr));
	else
		snprintf(addr, sizeof(addr), "(address family %u)", a->family);
	snprintf(buf, buflen, "saved %s %s %llu of %s domain %llu",
			 version == 9 ? "NetFlow v9" : version == 10 ? "IPFIX" : "v?",
			 what, (unsigned long long) id, addr, (unsigned long long) domain);
}

static gf_rc
persist_reject(gf_decoder *d, gf_error *err, gf_rc code, size_t off,
			   const char *who, const char *why)
{
	d->counters.nf_state_import_rejected++;
	return gf_fail(err, code, off, "%s refused: %s", who, why);
}

/* Checks shared by templates and sampling entries: whose state it is. */
static const char *
persist_check_scope(const gf_addr *a, uint32_t version, uint64_t domain)
{
	if (a->family != 4 && a->family != 6)
		return "the exporter address is neither IPv4 nor IPv6";
	if (version != 9 && version != 10)
		return "the version is neither 9 nor 10";
	if (domain > UINT32_MAX)
		return "the domain does not fit in 32 bits";
	return NULL;
}

/*
 * Parse t->bytes into the scratch template, with the wire's bounds.
 * Returns GF_OK or the error already recorded (and counted).
 */
static gf_rc
persist_parse_template(gf_decoder *d, const gf_template_blob *t,
					   gf_nf_template *tpl, const char *who, gf_error *err)
{
	bool		ipfix = t->version == 10;
	uint8_t		format = 0;
	uint16_t	n_fields = 0;
	uint16_t	n_scope = 0;
	uint64_t	min_len = 0;
	uint32_t	i;
	gf_rd		r;

	if (t->bytes == NULL && t->len > 0)
		return persist_reject(d, err, GF_ERR_TRUNCATED, 0, who, "no bytes");
	gf_rd_init(&r, t->bytes, t->len);
	if (!gf_rd_u8(&r, &format) || !gf_rd_u16(&r, &n_fields) ||
		!gf_rd_u16(&r, &n_scope))
		return persist_reject(d, err, GF_ERR_TRUNCATED, t->len, who,
							  "shorter than the 5-byte header");
	if (format != GF_TEMPLATE_BLOB_FORMAT)
		return persist_reject(d, err, GF_ERR_VERSION, 0, who,
							  "unknown format byte");
	if (n_fields == 0)
		return persist_reject(d, err, GF_ERR_TEMPLATE, 1, who, "it has no fields");
	if (n_fields > d->nf->max_template_fields)
		return persist_reject(d, err, GF_ERR_LIMIT, 1, who,
							  "more fields than max_template_fields");
	/* Before any loop: a huge count in a short blob fails here. */
	if (gf_rd_left(&r) < (size_t) n_fields * PERSIST_MIN_FIELD_LEN)
		return persist_reject(d, err, GF_ERR_TRUNCATED, t->len, who,
							  "the field count needs more bytes than there are");
	if (!t->options && n_scope != 0)
		return persist_reject(d, err, GF_ERR_TEMPLATE, 3, who,
							  "a data template has scope fields");
	/* IPFIX options need a scope (RFC 7011 3.4.2.2); v9 allows none. */
	if (t->options && (n_scope > n_fields || (ipfix && n_scope == 0)))
		return persist_reject(d, err, GF_ERR_TEMPLATE, 3, who,
							  "scope field count is 0 or above the field count");

	tpl->varlen = false;
	for (i = 0; i < n_fields; i++)
	{
		size_t		off = gf_rd_abs(&r);
		uint16_t	id = 0;
		uint16_t	len = 0;
		uint32_t	pen = 0;

		if (!gf_rd_u16(&r, &id) || !gf_rd_u16(&r, &len) ||
			((id & GF_NF_ENTERPRISE_BIT) && !gf_rd_u32(&r, &pen)))
			return persist_reject(d, err, GF_ERR_TRUNCATED, off, who,
								  "a field runs past the end");
		/* The wire parser clears it for v9, so an export never has it. */
		if (!ipfix && (id & GF_NF_ENTERPRISE_BIT))
			return persist_reject(d, err, GF_ERR_TEMPLATE, off, who,
								  "a NetFlow v9 field has the enterprise bit");
		tpl->fields[i].id = id;
		tpl->fields[i].len = len;
		tpl->fields[i].pen = pen;
		/* v9 too: see netflow_template_sets.c on v9 fields of 65535. */
		if (len == GF_NF_VARLEN)
		{
			tpl->varlen = true;
			min_len += 1;
		}
		else
			min_len += len;
	}
	if (gf_rd_left(&r) != 0)
		return persist_reject(d, err, GF_ERR_LENGTH, gf_rd_abs(&r), who,
							  "bytes follow the last field");
	if (min_len == 0)
		return persist_reject(d, err, GF_ERR_TEMPLATE, 0, who,
							  "its records would be 0 bytes long");
	if (min_len > PERSIST_MAX_RECORD_LEN)
		return persist_reject(d, err, GF_ERR_TEMPLATE, 0, who,
							  "its records are longer than any set can hold");
	tpl->n_fields = n_fields;
	tpl->n_scope = n_scope;
	tpl->min_len = (uint32_t) min_len;
	return GF_OK;
}

gf_rc
gf_decoder_import_template(gf_decoder *d, const gf_template_blob *t,
						   gf_error *err)
{
	gf_nf_template *tpl = d->nf->scratch;
	const gf_nf_template *old;
	const char *bad;
	char		who[128];
	gf_rc		rc;

	if (err)
		memset(err, 0, sizeof(*err));
	persist_describe(who, sizeof(who), t->options ? "options template" : "template",
					 &t->exporter, t->version, t->domain, t->template_id);
	bad = persist_check_scope(&t->exporter, t->version, t->domain);
	if (bad)
		return persist_reject(d, err, GF_ERR_TEMPLATE, 0, who, bad);
	if (t->template_id < PERSIST_MIN_TEMPLATE_ID || t->template_id > UINT16_MAX)
		return persist_reject(d, err, GF_ERR_TEMPLATE, 0, who,
							  "the template id is not a data set id (256-65535)");
	rc = persist_parse_template(d, t, tpl, who, err);
	if (rc != GF_OK)
		return rc;

	tpl->next = NULL;
	gf_nf_scope_make(&tpl->scope, &t->exporter, (uint8_t) t->version,
					 (uint32_t) t->domain);
	tpl->id = (uint16_t) t->template_id;
	tpl->options = t->options;
	tpl->imported = true;
	tpl->received_ns = t->received_ns;

	/* What the exporter sent since the start is newer than any saved row. */
	old = gf_nf_templates_find(d->nf->templates, &tpl->scope, tpl->id);
	if (old && (!old->imported || old->received_ns >= t->received_ns))
		return GF_OK;

	switch (gf_nf_templates_put(d->nf->templates, tpl, 0, false))
	{
		case GF_NF_PUT_ADDED:
		case GF_NF_PUT_SAME:
			break;
		case GF_NF_PUT_FULL:
			return persist_reject(d, err, GF_ERR_LIMIT, 0, who,
								  "the decoder holds max_templates templates");
		case GF_NF_PUT_EXPORTER_FULL:
			return persist_reject(d, err, GF_ERR_LIMIT, 0, who,
								  "its exporter holds max_templates_per_exporter "
								  "templates (or its template bytes)");
		case GF_NF_PUT_NOMEM:
			return persist_reject(d, err, GF_ERR_NOMEM, 0, who, "out of memory");
	}
	d->counters.nf_state_imported++;

	/*
	 * Data sets that arrived before this template (kept in the pending
	 * buffer) can be decoded now: the next gf_decoder_release does it.
	 * This is what lets a template shared by another collector (a
	 * JetStream key-value bucket) decode data that came here alone.
	 */
	gf_nf_pending_mark_ready(d->nf->pending, &tpl->scope, tpl->id);
	return GF_OK;
}

gf_rc
gf_decoder_import_sampling(gf_decoder *d, const gf_sampling_blob *s,
						   gf_error *err)
{
	gf_nf_sampling_fact f;
	const char *bad;
	char		who[128];

	if (err)
		memset(err, 0, sizeof(*err));
	persist_describe(who, sizeof(who), "sampler", &s->exporter, s->version,
					 s->domain, s->has_sampler ? s->sampler_id : 0);
	bad = persist_check_scope(&s->exporter, s->version, s->domain);
	if (bad == NULL && !s->has_sampler && s->sampler_id != 0)
		bad = "a domain-wide entry names a sampler id";
	if (bad == NULL && !s->has_rate && !s->has_init_time)
		bad = "it holds neither a rate nor an init time";
	if (bad == NULL && s->has_rate && s->rate == 0)
		bad = "the sampling rate is 0";
	if (bad == NULL && s->has_init_time && s->has_sampler)
		bad = "an init time belongs to the domain, not to a sampler";
	if (bad)
		return persist_reject(d, err, GF_ERR_TEMPLATE, 0, who, bad);

	memset(&f, 0, sizeof(f));
	gf_nf_scope_make(&f.scope, &s->exporter, (uint8_t) s->version,
					 (uint32_t) s->domain);
	f.has_sampler = s->has_sampler;
	f.sampler_id = s->has_sampler ? s->sampler_id : 0;
	f.has_rate = s->has_rate;
	f.rate = s->rate;
	f.has_init = s->has_init_time;
	f.init_ms = s->init_ms;
	if (!gf_nf_sampling_import(d->nf->sampling, &f, 0))
		return persist_reject(d, err, GF_ERR_LIMIT, 0, who,
							  "its exporter holds max_sampling_per_exporter "
							  "entries, or the sampling table is full");
	d->counters.nf_state_imported++;
	return GF_OK;
}
