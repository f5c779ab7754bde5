/*
 * netflow_state.h
 *    The NetFlow v9 / IPFIX state a decoder keeps between datagrams
 *    (gf_decoder.nf): templates, sampling facts, pending data sets, and a
 *    scratch template used while parsing one.
 */
#ifndef GF_NETFLOW_STATE_H
#define GF_NETFLOW_STATE_H

#include "decoder_internal.h"
#include "netflow_pending.h"
#include "netflow_sampling.h"
#include "netflow_templates.h"

struct gf_nf_state
{
	gf_nf_templates *templates;
	gf_nf_sampling *sampling;
	gf_nf_pending *pending;
	uint64_t	pending_max_age_ns;
	uint32_t	max_template_fields;	/* at most 65535: counts are 16-bit */
	gf_nf_template *scratch;	/* room for max_template_fields fields */
	uint64_t	changes;		/* templates / sampling changes so far */
};

#endif							/* GF_NETFLOW_STATE_H */
