/*
 * netflow_sampling.h
 *    What NetFlow v9 / IPFIX options data teaches about an exporter:
 *    sampling rates per (exporter, version, domain) and per sampler id
 *    within it, and the exporter's system init time (IPFIX IE 160), which
 *    flowStart/EndSysUpTime are relative to.  Bounded in entries.
 */
#ifndef GF_NETFLOW_SAMPLING_H
#define GF_NETFLOW_SAMPLING_H

#include <stdbool.h>
#include <stdint.h>

#include "netflow_scope.h"

typedef struct gf_nf_sampling gf_nf_sampling;

gf_nf_sampling *gf_nf_sampling_new(uint32_t max_entries);
void		gf_nf_sampling_free(gf_nf_sampling *s);

/*
 * Remember a rate for a whole domain (has_sampler false) or for one
 * sampler id in it.  False when the table is full (the rate is not kept).
 */
bool		gf_nf_sampling_set_rate(gf_nf_sampling *s, const gf_nf_scope *scope,
									bool has_sampler, uint64_t sampler_id,
									uint64_t rate);

/*
 * The rate for a record: the sampler's when the record names a sampler
 * that is known, else the domain's.  False when neither is known.
 */
bool		gf_nf_sampling_get_rate(const gf_nf_sampling *s,
									const gf_nf_scope *scope,
									bool has_sampler, uint64_t sampler_id,
									uint64_t *rate);

bool		gf_nf_sampling_set_init_time(gf_nf_sampling *s,
										 const gf_nf_scope *scope,
										 uint64_t init_ms);
bool		gf_nf_sampling_get_init_time(const gf_nf_sampling *s,
										 const gf_nf_scope *scope,
										 uint64_t *init_ms);

/*
 * IPFIX samplingPacketInterval / samplingPacketSpace (IEs 305/306) as a
 * 1-in-N rate: (interval + space) / interval, rounded to nearest; 0 when
 * interval is 0 (no packets are selected, there is no meaningful rate).
 */
uint64_t	gf_nf_rate_from_interval_space(uint64_t interval, uint64_t space);

/*
 * IPFIX samplingSize / samplingPopulation (IEs 309/310): n packets out of
 * every N, as a 1-in-(N/n) rate rounded to nearest; 0 when n is 0.
 */
uint64_t	gf_nf_rate_from_size_population(uint64_t size, uint64_t population);

#endif							/* GF_NETFLOW_SAMPLING_H */
