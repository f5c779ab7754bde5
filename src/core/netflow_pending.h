/*
 * netflow_pending.h
 *    Data sets that arrived before their template.  Exporters send
 *    templates only every so often, so after a collector restart (or a
 *    lost template packet) data would otherwise be thrown away.  A copy of
 *    each such set waits here, with the header facts it needs, until its
 *    template comes or it is too old.
 *
 *    Bounded per exporter (charged to its gf_nf_exporters entry) and in
 *    total (GF_NF_PENDING_TOTAL_BYTES).  When the total is reached, the
 *    oldest sets of any exporter make room: every kept set is a guess that
 *    its template will come, and the oldest guess is the worst one.
 *
 *    When a template comes, the sets waiting for it are queued as ready
 *    and handed out in slices of bounded size across later calls, so that
 *    one small template datagram cannot buy the decoding of a megabyte of
 *    kept data in a single call (gf_decoder_release, decode.h).
 */
#ifndef GF_NETFLOW_PENDING_H
#define GF_NETFLOW_PENDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netflow_exporters.h"
#include "netflow_hash.h"
#include "netflow_scope.h"

/* Hard ceiling over all exporters together, whatever the per-exporter limit. */
#define GF_NF_PENDING_TOTAL_BYTES	(64u * 1024 * 1024)

/* Bytes of kept sets decoded per release call (about one big datagram). */
#define GF_NF_PENDING_SLICE_BYTES	(64u * 1024)

typedef struct gf_nf_pending gf_nf_pending;

typedef enum gf_nf_pending_rc
{
	GF_NF_PENDING_KEPT,
	GF_NF_PENDING_EXPORTER_FULL,	/* over the exporter's byte limit */
	GF_NF_PENDING_NO_ROOM		/* exporter table full, or out of memory */
} gf_nf_pending_rc;

gf_nf_pending *gf_nf_pending_new(uint32_t bytes_per_exporter,
								 size_t total_bytes,
								 gf_nf_exporters *exporters,
								 const gf_hash_key *key);
void		gf_nf_pending_free(gf_nf_pending *p);

/*
 * Keep a copy of a data set body (after its 4-byte set header).  Sets of
 * other exporters pushed out to make room are counted in *evicted (and on
 * their exporters).
 */
gf_nf_pending_rc gf_nf_pending_add(gf_nf_pending *p, const gf_nf_msg *msg,
								   uint16_t set_id, const uint8_t *body,
								   size_t len, uint32_t *evicted);

/* The template of (scope, set_id) came: queue its kept sets as ready. */
void		gf_nf_pending_mark_ready(gf_nf_pending *p, const gf_nf_scope *scope,
									 uint16_t set_id);

/* Called for each ready set handed out. */
typedef void (*gf_nf_pending_cb) (void *arg, const gf_nf_msg *msg,
								  uint16_t set_id, const uint8_t *body,
								  size_t len);

/*
 * Hand ready sets to cb, oldest template first, at most budget bytes
 * (charged as kept) -- or one set, if at_least_one and it is larger; sets older
 * than max_age_ns at now_ns are dropped instead and counted in *expired.
 * Returns the number handed out.
 */
uint32_t	gf_nf_pending_release(gf_nf_pending *p, uint64_t now_ns,
								  uint64_t max_age_ns, size_t budget,
								  bool at_least_one, gf_nf_pending_cb cb,
								  void *arg, uint32_t *expired);

/* True when sets are queued as ready. */
bool		gf_nf_pending_has_ready(const gf_nf_pending *p);

/* Drop every kept set older than max_age_ns; returns how many. */
uint32_t	gf_nf_pending_expire(gf_nf_pending *p, uint64_t now_ns,
								 uint64_t max_age_ns);

/* Bytes currently kept, over all exporters (for tests and stats). */
size_t		gf_nf_pending_bytes(const gf_nf_pending *p);

#endif							/* GF_NETFLOW_PENDING_H */
