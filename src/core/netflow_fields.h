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

/* A value seen in a record, kept until the record is complete. */
typedef struct gf_nf_opt_u64
{
	bool		has;
	uint64_t	v;
} gf_nf_opt_u64;

typedef struct gf_nf_rec
{
	gf_flow    *f;
	uint8_t		version;		/* 9 or 10 */

	gf_nf_opt_u64 out_bytes;	/* v9 23 OUT_BYTES */
	gf_nf_opt_u64 out_pkts;		/* v9 24 OUT_PKTS */
	gf_nf_opt_u64 total_bytes;	/* 85 octetTotalCount */
	gf_nf_opt_u64 total_pkts;	/* 86 packetTotalCount */
	gf_nf_opt_u64 ip_version;	/* 60, used when 256 ethernetType is absent */
	bool		has_out_src_mac;	/* v9 81 OUT_SRC_MAC */
	bool		has_out_dst_mac;	/* v9 57 OUT_DST_MAC */
	uint8_t		out_src_mac[6];
	uint8_t		out_dst_mac[6];
	bool		mpls_bottom_seen;	/* an entry with the S bit came */

	/* Times, as found; the finest one wins. */
	gf_nf_opt_u64 sysup_start;	/* 22 (ms of uptime) */
	gf_nf_opt_u64 sysup_end;	/* 21 */
	gf_nf_opt_u64 start_ns;		/* 150/152/154/156, converted to ns */
	gf_nf_opt_u64 end_ns;		/* 151/153/155/157 */
	int			start_prec;		/* which of those: higher is finer */
	int			end_prec;
	gf_nf_opt_u64 start_delta_us;	/* 158 */
	gf_nf_opt_u64 end_delta_us; /* 159 */
	gf_nf_opt_u64 init_ms;		/* 160 systemInitTimeMilliseconds */

	/* Sampling. */
	gf_nf_opt_u64 sampling_interval;	/* 34 */
	gf_nf_opt_u64 random_interval;	/* 50 */
	gf_nf_opt_u64 pkt_interval; /* 305 */
	gf_nf_opt_u64 pkt_space;	/* 306 */
	gf_nf_opt_u64 sample_size;	/* 309 samplingSize */
	gf_nf_opt_u64 sample_population;	/* 310 samplingPopulation */
	gf_nf_opt_u64 sampler_id;	/* 48 or 302 */
} gf_nf_rec;

/* Start a record; f is initialised here. */
void		gf_nf_rec_begin(gf_nf_rec *r, gf_flow *f, const gf_nf_msg *msg);

/* One IANA (non-enterprise) field of len bytes at v. */
void		gf_nf_rec_field(gf_nf_rec *r, uint16_t id, const uint8_t *v,
							size_t len);

/* The sampling rate the record itself states (34, 50, 305/306, 309/310), or 0. */
uint64_t	gf_nf_rec_own_rate(const gf_nf_rec *r);

/* Resolve times, fallbacks, etype and sampling rate for a data record. */
void		gf_nf_rec_finish(gf_nf_rec *r, const gf_nf_msg *msg,
							 const gf_nf_sampling *sampling);

#endif							/* GF_NETFLOW_FIELDS_H */
