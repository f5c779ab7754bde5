/*
 * netflow_fields.h
 *    NetFlow v9 / IPFIX information elements -> gf_flow.
 *
 *    A record is read field by field into a gf_nf_rec: plain fields go
 *    straight into the flow, while fields whose meaning depends on other
 *    fields (times, totals versus deltas, fallbacks, sampling) are kept
 *    aside and resolved once the whole record is read, so the result does
 *    not depend on the order of fields in the template.
 */
#ifndef GF_NETFLOW_FIELDS_H
#define GF_NETFLOW_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "netflow_sampling.h"
#include "netflow_scope.h"

/*
 * Values kept aside until the record is complete.  Presence is a bit in
 * gf_nf_rec.has, so starting a record clears one word instead of the
 * whole struct (this runs once per flow).
 */
typedef enum gf_nf_aux
{
	GF_NF_OUT_BYTES,			/* v9 OUT_BYTES (23) */
	GF_NF_OUT_PKTS,				/* v9 OUT_PKTS (24) */
	GF_NF_TOTAL_BYTES,			/* octetTotalCount (85) */
	GF_NF_TOTAL_PKTS,			/* packetTotalCount (86) */
	GF_NF_INIT_BYTES,			/* initiatorOctets (231), NSEL forward bytes */
	GF_NF_RESP_BYTES,			/* responderOctets (232), NSEL reverse bytes */
	GF_NF_INIT_PKTS,			/* initiatorPackets (298) */
	GF_NF_RESP_PKTS,			/* responderPackets (299) */
	GF_NF_IP_VERSION,			/* ipVersion (60), used when ethernetType is
								 * absent */
	GF_NF_SYSUP_START,			/* flowStartSysUpTime (22), ms of uptime */
	GF_NF_SYSUP_END,			/* flowEndSysUpTime (21) */
	GF_NF_START_NS,				/* flowStart{Seconds..Nanoseconds} (150, 152,
								 * 154, 156), converted to ns */
	GF_NF_END_NS,				/* flowEnd{Seconds..Nanoseconds} (151...157) */
	GF_NF_START_DELTA_US,		/* flowStartDeltaMicroseconds (158) */
	GF_NF_END_DELTA_US,			/* flowEndDeltaMicroseconds (159) */
	GF_NF_INIT_MS,				/* systemInitTimeMilliseconds (160) */
	GF_NF_SAMPLING_INTERVAL,	/* samplingInterval (34) */
	GF_NF_RANDOM_INTERVAL,		/* samplerRandomInterval (50) */
	GF_NF_PKT_INTERVAL,			/* samplingPacketInterval (305) */
	GF_NF_PKT_SPACE,			/* samplingPacketSpace (306) */
	GF_NF_SAMPLE_SIZE,			/* samplingSize (309) */
	GF_NF_SAMPLE_POPULATION,	/* samplingPopulation (310) */
	GF_NF_SAMPLER_ID,			/* samplerId (48) or selectorId (302) */
	GF_NF_FRAME_SIZE,			/* dataLinkFrameSize (312) */
	GF_NF_AUX__COUNT
} gf_nf_aux;

#define GF_NF_REC_HAS(r, k)	(((r)->has >> (k)) & 1u)

typedef struct gf_nf_rec
{
	gf_flow    *f;
	uint8_t		version;		/* 9 or 10 */
	uint8_t		start_prec;		/* finest absolute start time seen */
	uint8_t		end_prec;
	bool		has_out_src_mac;	/* v9 OUT_SRC_MAC (81) */
	bool		has_out_dst_mac;	/* v9 OUT_DST_MAC (57) */
	bool		mpls_bottom_seen;	/* an entry with the S bit came */
	uint32_t	has;			/* bit per gf_nf_aux */
	uint64_t	v[GF_NF_AUX__COUNT];
	uint8_t		out_src_mac[6];
	uint8_t		out_dst_mac[6];
	/* dataLinkFrameSection (315): points into the datagram, NULL if none */
	const uint8_t *frame;
	size_t		frame_len;
} gf_nf_rec;

/*
 * Fill what the record did not carry from its dataLinkFrameSection
 * (netflow_frame.c), at the end of the record.
 */
void		gf_nf_rec_frame(gf_nf_rec *r);

/*
 * Sampling-table answers for one data set: every record of a set shares
 * the scope, so the domain rate and init time are looked up once per set,
 * and a sampler id's rate once per run of records naming it.  Each answer
 * is in one of three states; "unknown" is remembered too, so a set whose
 * exporter never sent options data asks the table only once.
 */
typedef enum gf_nf_cache_state
{
	GF_NF_CACHE_NOT_ASKED = 0,	/* zeroed by gf_nf_set_cache_init */
	GF_NF_CACHE_UNKNOWN,		/* asked; the table had no answer */
	GF_NF_CACHE_KNOWN			/* asked; the value is in the cache */
} gf_nf_cache_state;

typedef struct gf_nf_set_cache
{
	const gf_nf_sampling *sampling;
	uint8_t		domain_state;	/* a gf_nf_cache_state, kept in a byte */
	uint8_t		sampler_state;
	uint8_t		init_state;
	uint64_t	domain_rate;
	uint64_t	sampler_id;		/* the last sampler id asked about */
	uint64_t	sampler_rate;
	uint64_t	init_ms;
} gf_nf_set_cache;

void		gf_nf_set_cache_init(gf_nf_set_cache *c, const gf_nf_sampling *s);

/* Start a record; f is initialised here. */
void		gf_nf_rec_begin(gf_nf_rec *r, gf_flow *f, const gf_nf_msg *msg);

/*
 * One IANA (non-enterprise) field of len bytes at v; id is a gf_ie
 * (ipfix_ie.h), and numbers not named there are skipped.
 */
void		gf_nf_rec_field(gf_nf_rec *r, uint16_t id, const uint8_t *v,
							size_t len);

/*
 * The sampling rate the record itself states (samplingInterval,
 * samplerRandomInterval, samplingPacketInterval/Space or
 * samplingSize/Population), or 0.
 */
uint64_t	gf_nf_rec_own_rate(const gf_nf_rec *r);

/*
 * Resolve times, fallbacks, etype and sampling rate for a data record.
 * True if a flow time was after the export time and clamped (clock skew,
 * see flow_time.h).
 */
bool		gf_nf_rec_finish(gf_nf_rec *r, const gf_nf_msg *msg,
							 gf_nf_set_cache *cache);

#endif							/* GF_NETFLOW_FIELDS_H */
