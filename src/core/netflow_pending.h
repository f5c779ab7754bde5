/*
 * netflow_pending.h
 *    Data sets that arrived before their template.  Exporters send
 *    templates only every so often, so after a collector restart (or a
 *    lost template packet) data would otherwise be thrown away.  A copy of
 *    each such set waits here, with the header facts it needs, until its
 *    template comes or it is too old.
 *
 *    Bounded three ways: bytes per exporter, number of exporters, and a
 *    total over all exporters (GF_NF_PENDING_TOTAL_BYTES).
 */
#ifndef GF_NETFLOW_PENDING_H
#define GF_NETFLOW_PENDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netflow_scope.h"

/* Hard ceiling over all exporters together, whatever the per-exporter limit. */
#define GF_NF_PENDING_TOTAL_BYTES	(64u * 1024 * 1024)

typedef struct gf_nf_pending gf_nf_pending;

gf_nf_pending *gf_nf_pending_new(uint32_t bytes_per_exporter,
								 uint32_t max_exporters);
void		gf_nf_pending_free(gf_nf_pending *p);

/* Keep a copy of a data set body (after its 4-byte set header). */
bool		gf_nf_pending_add(gf_nf_pending *p, const gf_nf_msg *msg,
							  uint16_t set_id, const uint8_t *body, size_t len);

/* Called for each kept set whose template has come. */
typedef void (*gf_nf_pending_cb) (void *arg, const gf_nf_msg *msg,
								  uint16_t set_id, const uint8_t *body,
								  size_t len);

/*
 * Hand every kept set of (scope, set_id) to cb, oldest first, and forget
 * it; sets older than max_age_ns at now_ns are dropped instead.  Returns
 * the number handed over; *expired gets the number dropped.
 */
uint32_t	gf_nf_pending_take(gf_nf_pending *p, const gf_nf_scope *scope,
							   uint16_t set_id, uint64_t now_ns,
							   uint64_t max_age_ns, gf_nf_pending_cb cb,
							   void *arg, uint32_t *expired);

/* Drop every kept set older than max_age_ns; returns how many. */
uint32_t	gf_nf_pending_expire(gf_nf_pending *p, uint64_t now_ns,
								 uint64_t max_age_ns);

/* Bytes currently kept, over all exporters (for tests and stats). */
size_t		gf_nf_pending_bytes(const gf_nf_pending *p);

#endif							/* GF_NETFLOW_PENDING_H */
