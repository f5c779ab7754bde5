/*
 * sflow_internal.h
 *    What the sFlow v5 decoder's files share: the per-datagram context,
 *    the explicit limits, and the entry points of the sample decoders
 *    (sflow_flow_sample.c, sflow_counter_sample.c, sflow_drop_sample.c)
 *    called from the sample loop in sflow_datagram.c, and the framing
 *    helpers they call back (sflow_framing.c).
 *
 *    Error policy, common to all of them:
 *      - A length or count that does not fit the bytes around it (a sample
 *        longer than the datagram, a record longer than its sample) is
 *        structural damage: the rest of the datagram is dropped with a
 *        gf_fail() naming the offset.  Records emitted before stay emitted.
 *      - Anything well framed but not understood (unknown sample or record
 *        formats, other enterprises) is skipped by its length and counted.
 *      - An explicit limit (below) is never an error: the decoder keeps
 *        the first N items, skips the rest by length, and counts
 *        sflow_limits_hit once per datagram.
 *      - A sampled packet header cut short or not understood never fails
 *        the datagram; it is counted in sflow_header_unparsed.
 */
#ifndef GF_SFLOW_INTERNAL_H
#define GF_SFLOW_INTERNAL_H

#include <stdbool.h>

#include "decoder_internal.h"
#include "reader.h"
#include "sflow.h"

#define GF_SFLOW_MAX_SAMPLES		1024	/* per datagram */
#define GF_SFLOW_MAX_RECORDS		64	/* per sample */
#define GF_SFLOW_MAX_HEADER			1024	/* sampled header bytes parsed */

/* sFlow v5 structure numbers (enterprise 0). */
#define SF_SAMPLE_FLOW				1
#define SF_SAMPLE_COUNTER			2
#define SF_SAMPLE_FLOW_EXPANDED		3
#define SF_SAMPLE_COUNTER_EXPANDED	4
#define SF_SAMPLE_DROP				5

#define SF_REC_RAW_HEADER			1
#define SF_REC_ETHERNET				2
#define SF_REC_IPV4					3
#define SF_REC_IPV6					4
#define SF_REC_EXT_SWITCH			1001
#define SF_REC_EXT_ROUTER			1002
#define SF_REC_EXT_GATEWAY			1003
#define SF_REC_EXT_MPLS				1006

#define SF_CREC_GENERIC_IF			1
#define SF_CREC_ETHERNET			2

typedef struct gf_sf_ctx
{
	gf_decoder *d;
	const gf_datagram *dg;
	const gf_sink *sink;
	gf_error   *err;

	gf_addr		agent;
	uint32_t	sub_agent_id;
	uint32_t	sequence;		/* datagram sequence number */
	uint32_t	uptime_ms;
	bool		limit_hit;		/* sflow_limits_hit counted already */
} gf_sf_ctx;

/* Count sflow_limits_hit at most once per datagram. */
static inline void
gf_sf_limit(gf_sf_ctx *c)
{
	if (!c->limit_hit)
	{
		c->limit_hit = true;
		c->d->counters.sflow_limits_hit++;
	}
}

/* Read an sFlow address (type 1 IPv4, 2 IPv6; 0 unknown, no bytes). */
gf_rc		gf_sf_read_addr(gf_sf_ctx *c, gf_rd *r, gf_addr *a, const char *what);

/*
 * Iterate over the "n records" list that ends a sample: calls fn for each
 * record whose (enterprise, format) header it reads, with a view of
 * exactly the record's bytes.  Stops at GF_SFLOW_MAX_RECORDS (counted).
 */
typedef gf_rc (*gf_sf_record_fn) (gf_sf_ctx *c, uint32_t tag, gf_rd *rec,
								  void *arg);
gf_rc		gf_sf_records(gf_sf_ctx *c, gf_rd *r, const char *what,
						  gf_sf_record_fn fn, void *arg);

/* Flow records into a gf_flow (shared by flow and drop samples). */
typedef struct gf_sf_flowacc
{
	gf_flow    *f;
	bool		have_header;	/* record 1 seen: it wins over 2/3/4 */
	bool		have_length;	/* bytes set from a record */
	uint16_t	n_mpls_ext;		/* labels from extended MPLS (1006) */
	uint32_t	mpls_ext[GF_MAX_MPLS];
	/* The raw header as found (for drop samples). */
	uint32_t	header_protocol;
	uint32_t	frame_length;
	const uint8_t *header;
	size_t		header_len;
} gf_sf_flowacc;

void		gf_sf_flowacc_init(gf_sf_flowacc *acc, gf_flow *f);
gf_rc		gf_sf_flow_record(gf_sf_ctx *c, uint32_t tag, gf_rd *rec, void *arg);
void		gf_sf_flowacc_finish(gf_sf_flowacc *acc);

/*
 * The decoder's sFlow mapping applied to a flow sample's raw header
 * (sflow_mapped.c); call only when the decoder has a mapping.
 */
void		gf_sf_apply_mapping(gf_sf_ctx *c, const gf_sf_flowacc *acc);

/* Sample decoders; 'r' is a view of exactly the sample's data. */
gf_rc		gf_sf_flow_sample(gf_sf_ctx *c, gf_rd *r, bool expanded);
gf_rc		gf_sf_counter_sample(gf_sf_ctx *c, gf_rd *r, bool expanded);
gf_rc		gf_sf_drop_sample(gf_sf_ctx *c, gf_rd *r);

/* The compact interface word: top 2 bits format, low 30 bits value. */
static inline void
gf_sf_split_if(uint32_t word, uint32_t *format, uint32_t *value)
{
	*format = word >> 30;
	*value = word & 0x3fffffff;
}

#endif							/* GF_SFLOW_INTERNAL_H */
