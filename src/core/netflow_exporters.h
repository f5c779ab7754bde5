/*
 * netflow_exporters.h
 *    One entry per exporter address that holds NetFlow v9 / IPFIX state:
 *    what it holds (templates, template bytes, sampling entries, pending
 *    bytes), what was refused to it, and when it was last heard from.
 *
 *    Every store charges an exporter's entry before it keeps anything for
 *    it and refuses (and counts, on that exporter) what would go over the
 *    exporter's limit.  So no exporter can use up what another exporter
 *    needs, short of the global ceilings, and an operator can see in
 *    goflow2plus.exporters() which exporter was refused what.
 *
 *    The table itself is bounded (max_exporters); an entry that holds
 *    nothing and has not been heard from for the idle timeout is freed.
 */
#ifndef GF_NETFLOW_EXPORTERS_H
#define GF_NETFLOW_EXPORTERS_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "netflow_hash.h"

typedef struct gf_nf_exporter
{
	struct gf_nf_exporter *next;	/* hash chain */
	bool		dying;			/* marked by an expiry sweep */
	uint64_t	shown;			/* pass of gf_decoder_exporter_rows that
								 * showed it beside a row */
	gf_exporter_stats st;		/* address, holdings, refusals */
} gf_nf_exporter;

typedef struct gf_nf_exporters gf_nf_exporters;

gf_nf_exporters *gf_nf_exporters_new(uint32_t max_exporters,
									 const gf_hash_key *key);
void		gf_nf_exporters_free(gf_nf_exporters *x);

/* The entry of an address, or NULL when it holds no state. */
gf_nf_exporter *gf_nf_exporters_find(const gf_nf_exporters *x,
									 const gf_addr *addr);

/*
 * The entry of an address, made if needed; NULL when the table holds
 * max_exporters entries already (or out of memory).  addr must be
 * normalised as gf_nf_scope_make does (no junk after the address).
 * now_ns 0 (state loaded at start) starts the idle clock at the next
 * upkeep instead.
 */
gf_nf_exporter *gf_nf_exporters_get(gf_nf_exporters *x, const gf_addr *addr,
									uint64_t now_ns);

uint32_t	gf_nf_exporters_count(const gf_nf_exporters *x);

/*
 * Mark every entry not heard from since now_ns - idle_ns as dying and
 * return how many; the caller drops their state from the other stores,
 * then calls gf_nf_exporters_reap.
 */
uint32_t	gf_nf_exporters_mark_idle(gf_nf_exporters *x, uint64_t now_ns,
									  uint64_t idle_ns);

/* Free dying entries that hold nothing any more; returns how many. */
uint32_t	gf_nf_exporters_reap(gf_nf_exporters *x);

/* Zero the counts of every entry (datagrams, refusals). */
void		gf_nf_exporters_reset_counts(gf_nf_exporters *x);

/* Call cb for every entry, which it may mark (shown). */
void		gf_nf_exporters_foreach_entry(gf_nf_exporters *x,
										  void (*cb) (void *arg, gf_nf_exporter *e),
										  void *arg);

void		gf_nf_exporters_foreach(const gf_nf_exporters *x,
									void (*cb) (void *arg, const gf_exporter_stats *s),
									void *arg);

#endif							/* GF_NETFLOW_EXPORTERS_H */
