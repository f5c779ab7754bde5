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

#include "netflow_exporters.h"
#include "netflow_hash.h"
#include "netflow_scope.h"

typedef struct gf_nf_sampling gf_nf_sampling;

/* One entry as netflow_persist.c saves it: a rate and/or an init time. */
typedef struct gf_nf_sampling_fact
{
	gf_nf_scope scope;
	bool		has_sampler;	/* false: the whole domain */
	uint64_t	sampler_id;		/* 0 unless has_sampler */
	bool		has_rate;
	uint64_t	rate;
	bool		has_init;		/* only on a domain entry */
	uint64_t	init_ms;
	uint64_t	stamp;			/* change count of its last change */
} gf_nf_sampling_fact;

/*
 * changes: the counter shared with the template store; a rate or init
 * time that really changes adds one (an unchanged refresh does not).
 * max_entries bounds the table, per_exporter each exporter's share of it
 * (charged to its gf_nf_exporters entry; refusals counted there).
 */
gf_nf_sampling *gf_nf_sampling_new(uint32_t max_entries, uint32_t per_exporter,
								   gf_nf_exporters *exporters,
								   const gf_hash_key *key, uint64_t *changes);
void		gf_nf_sampling_free(gf_nf_sampling *s);

/*
 * Remember a rate for a whole domain (has_sampler false) or for one
 * sampler id in it.  False when the table is full (the rate is not kept).
 */
bool		gf_nf_sampling_set_rate(gf_nf_sampling *s, const gf_nf_scope *scope,
									bool has_sampler, uint64_t sampler_id,
									uint64_t rate, uint64_t now_ns);

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
										 uint64_t init_ms, uint64_t now_ns);
bool		gf_nf_sampling_get_init_time(const gf_nf_sampling *s,
										 const gf_nf_scope *scope,
										 uint64_t *init_ms);

/* Remove the entries of exporters marked dying; returns how many. */
uint32_t	gf_nf_sampling_drop_dying(gf_nf_sampling *s);

/* Call cb for every entry, in no particular order. */
void		gf_nf_sampling_foreach(const gf_nf_sampling *s,
								   void (*cb) (void *arg, const gf_nf_sampling_fact *f),
								   void *arg);

/*
 * Install saved facts, but only those the entry does not have yet: what
 * options data taught since the start is newer.  False when the table is
 * full.
 */
bool		gf_nf_sampling_import(gf_nf_sampling *s, const gf_nf_sampling_fact *f,
								  uint64_t now_ns);

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
