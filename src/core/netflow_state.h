/*
 * netflow_state.h
 *    The NetFlow v9 / IPFIX state a decoder keeps between datagrams
 *    (gf_decoder.nf): the per-exporter table, templates, sampling facts,
 *    pending data sets, and a scratch template used while parsing one.
 *    Every store hashes with one secret key drawn when the state is made.
 */
#ifndef GF_NETFLOW_STATE_H
#define GF_NETFLOW_STATE_H

#include "decoder_internal.h"
#include "netflow_exporters.h"
#include "netflow_hash.h"
#include "netflow_pending.h"
#include "netflow_sampling.h"
#include "netflow_templates.h"

struct gf_nf_state
{
	gf_hash_key key;
	gf_nf_exporters *exporters;
	gf_nf_templates *templates;
	gf_nf_sampling *sampling;
	gf_nf_pending *pending;
	uint64_t	pending_max_age_ns;
	uint64_t	exporter_idle_ns;
	uint32_t	max_template_fields;	/* at most 65535: counts are 16-bit */
	bool		templates_evict;	/* see gf_limits.templates_no_evict */
	gf_nf_template *scratch;	/* room for max_template_fields fields */
	/*
	 * Decode every record by the field walk, never by a template's plan
	 * (netflow_plan.h): the reference that tests and benchmarks compare
	 * plans with.  False unless they set it.
	 */
	bool		field_walk;
	uint64_t	changes;		/* templates / sampling changes so far */
};

/*
 * Decode one slice (GF_NF_PENDING_SLICE_BYTES, or one larger set) of kept
 * data sets whose template has come (netflow_v9_ipfix.c).
 */
void		gf_nfx_release_ready(gf_decoder *d, uint64_t now_ns,
								 const gf_sink *sink);

#endif							/* GF_NETFLOW_STATE_H */
