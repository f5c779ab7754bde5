/*
 * netflow_state.c
 *    Creation, teardown and upkeep (expiry of kept sets and of silent
 *    exporters) of the NetFlow v9 / IPFIX state that decoder_internal.h
 *    declares; the stores themselves live in netflow_exporters.c,
 *    netflow_templates.c, netflow_sampling.c and netflow_pending.c.
 */
#include "netflow_state.h"

#include <stdlib.h>
#include <string.h>

gf_nf_state *
gf_nf_state_new(const gf_limits *lim)
{
	gf_nf_state *st = calloc(1, sizeof(*st));
	gf_nf_templates_limits tl;

	if (st == NULL)
		return NULL;
	gf_hash_key_random(&st->key);
	st->max_template_fields = lim->max_template_fields > 65535 ?
		65535 : lim->max_template_fields;
	st->pending_max_age_ns = (uint64_t) lim->pending_max_age_ms * 1000000u;
	st->exporter_idle_ns = (uint64_t) lim->exporter_idle_ms * 1000000u;
	st->templates_evict = lim->templates_no_evict == 0;
	tl.max_templates = lim->max_templates;
	tl.max_bytes = lim->max_template_bytes;
	tl.per_exporter = lim->max_templates_per_exporter;
	tl.bytes_per_exporter = lim->template_bytes_per_exporter;
	st->exporters = gf_nf_exporters_new(lim->max_exporters, &st->key);
	st->templates = gf_nf_templates_new(&tl, st->exporters, &st->key,
										&st->changes);
	st->sampling = gf_nf_sampling_new(lim->max_sampling,
									  lim->max_sampling_per_exporter,
									  st->exporters, &st->key, &st->changes);
	st->pending = gf_nf_pending_new(lim->pending_bytes_per_exporter,
									GF_NF_PENDING_TOTAL_BYTES, st->exporters,
									&st->key);
	st->scratch = malloc(sizeof(gf_nf_template) +
						 (size_t) st->max_template_fields * sizeof(gf_nf_tfield));
	if (st->exporters == NULL || st->templates == NULL ||
		st->sampling == NULL || st->pending == NULL || st->scratch == NULL)
	{
		gf_nf_state_free(st);
		return NULL;
	}
	return st;
}

void
gf_nf_state_free(gf_nf_state *st)
{
	if (st == NULL)
		return;
	/* The stores point into the exporter table: free it last. */
	gf_nf_templates_free(st->templates);
	gf_nf_sampling_free(st->sampling);
	gf_nf_pending_free(st->pending);
	gf_nf_exporters_free(st->exporters);
	free(st->scratch);
	free(st);
}

void
gf_nf_state_expire(gf_decoder *d, uint64_t now_ns)
{
	gf_nf_state *st = d->nf;

	d->counters.nf_sets_pending_expired +=
		gf_nf_pending_expire(st->pending, now_ns, st->pending_max_age_ns);
	/* Rows of exporters() of every protocol go after the same silence. */
	d->counters.exporter_rows_expired +=
		gf_rows_expire(d->rows, now_ns, st->exporter_idle_ns);

	/*
	 * Exporters silent for the idle time lose their templates and
	 * sampling facts (a sweep over both tables, only when some exporter
	 * went quiet); their entries go once they hold nothing.
	 */
	if (gf_nf_exporters_mark_idle(st->exporters, now_ns, st->exporter_idle_ns) > 0)
	{
		d->counters.nf_templates_expired +=
			gf_nf_templates_drop_dying(st->templates);
		gf_nf_sampling_drop_dying(st->sampling);
		d->counters.nf_exporters_expired += gf_nf_exporters_reap(st->exporters);
	}
}

bool
gf_decoder_release(gf_decoder *d, uint64_t now_ns, const gf_sink *sink)
{
	gf_nfx_release_ready(d, now_ns, sink);
	return gf_nf_pending_has_ready(d->nf->pending);
}

void
gf_decoder_exporters(const gf_decoder *d,
					 void (*cb) (void *arg, const gf_exporter_stats *s),
					 void *arg)
{
	gf_nf_exporters_foreach(d->nf->exporters, cb, arg);
}

/* What gf_decoder_exporter_rows passes between its callbacks. */
typedef struct nf_rows_ctx
{
	gf_decoder *d;
	void		(*cb) (void *arg, const gf_exporter_row *r);
	void	   *arg;
} nf_rows_ctx;

/* A row: its address's v9 / IPFIX holdings beside it, marked shown. */
static void
nf_rows_row(void *arg, gf_exporter_row *r)
{
	nf_rows_ctx *c = arg;
	gf_nf_exporter *e = NULL;

	if (r->type == GF_TYPE_NETFLOW_V9 || r->type == GF_TYPE_IPFIX)
		e = gf_nf_exporters_find(c->d->nf->exporters, &r->exporter);
	if (e != NULL)
	{
		r->nf = e->st;
		r->has_state = true;
		e->shown = c->d->rows_pass;
	}
	c->cb(c->arg, r);
}

/* An address holding state that no row showed (loaded at start, say). */
static void
nf_rows_state_only(void *arg, gf_nf_exporter *e)
{
	nf_rows_ctx *c = arg;
	gf_exporter_row r;

	if (e->shown == c->d->rows_pass)
		return;
	memset(&r, 0, sizeof(r));
	r.exporter = e->st.exporter;
	r.type = GF_TYPE_UNKNOWN;
	r.first_seen_ns = e->st.first_seen_ns;
	r.last_seen_ns = e->st.last_seen_ns;
	r.datagrams = e->st.datagrams;
	r.nf = e->st;
	r.has_state = true;
	c->cb(c->arg, &r);
}

void
gf_decoder_exporter_rows(gf_decoder *d,
						 void (*cb) (void *arg, const gf_exporter_row *r),
						 void *arg)
{
	nf_rows_ctx c;

	c.d = d;
	c.cb = cb;
	c.arg = arg;
	d->rows_pass++;
	gf_rows_foreach(d->rows, nf_rows_row, &c);
	gf_nf_exporters_foreach_entry(d->nf->exporters, nf_rows_state_only, &c);
}

void
gf_decoder_reset_exporter_counts(gf_decoder *d)
{
	gf_rows_reset_counts(d->rows);
	gf_nf_exporters_reset_counts(d->nf->exporters);
}

void
gf_decoder_set_idle_ms(gf_decoder *d, uint32_t idle_ms)
{
	if (idle_ms == 0)
		return;
	d->lim.exporter_idle_ms = idle_ms;
	d->nf->exporter_idle_ns = (uint64_t) idle_ms * 1000000u;
}

size_t
gf_decoder_pending_bytes(const gf_decoder *d)
{
	return gf_nf_pending_bytes(d->nf->pending);
}
