/*
 * netflow_state.c
 *    Creation, teardown and expiry of the NetFlow v9 / IPFIX state that
 *    decoder_internal.h declares; the stores themselves live in
 *    netflow_templates.c, netflow_sampling.c and netflow_pending.c.
 */
#include "netflow_state.h"

#include <stdlib.h>

gf_nf_state *
gf_nf_state_new(const gf_limits *lim)
{
	gf_nf_state *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return NULL;
	st->max_template_fields = lim->max_template_fields > 65535 ?
		65535 : lim->max_template_fields;
	st->pending_max_age_ns = (uint64_t) lim->pending_max_age_ms * 1000000u;
	st->templates = gf_nf_templates_new(lim->max_templates, &st->changes);
	st->sampling = gf_nf_sampling_new(lim->max_exporters, &st->changes);
	st->pending = gf_nf_pending_new(lim->pending_bytes_per_exporter,
									lim->max_exporters);
	st->scratch = malloc(sizeof(gf_nf_template) +
						 (size_t) st->max_template_fields * sizeof(gf_nf_tfield));
	if (st->templates == NULL || st->sampling == NULL || st->pending == NULL ||
		st->scratch == NULL)
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
	gf_nf_templates_free(st->templates);
	gf_nf_sampling_free(st->sampling);
	gf_nf_pending_free(st->pending);
	free(st->scratch);
	free(st);
}

void
gf_nf_state_expire(gf_decoder *d, uint64_t now_ns)
{
	d->counters.nf_sets_pending_expired +=
		gf_nf_pending_expire(d->nf->pending, now_ns, d->nf->pending_max_age_ns);
}
