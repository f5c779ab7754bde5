/*
 * context_attach.h
 *    Each process's view of the context snapshot the builder published
 *    (context_shared.h): attach the newest one between batches, enrich
 *    flow records with it, and turn its entries into column values
 *    (context objects point into the snapshot, so no row parses JSON;
 *    device and interface values are made once per entry and snapshot,
 *    network names once per row: see context_attach.c).
 *
 *    Include postgres.h before this header.
 */
#ifndef GF_CONTEXT_ATTACH_H
#define GF_CONTEXT_ATTACH_H

#include "context.h"
#include "flow.h"

/* Kinds of context entry and their fields (flow_columns.h, CTX). */
typedef enum GfCtxKind
{
	GF_CTXK_NETWORK,
	GF_CTXK_DEVICE,
	GF_CTXK_IFACE
} GfCtxKind;

typedef enum GfCtxField
{
	GF_CTXF_NAME,
	GF_CTXF_CONTEXT,
	GF_CTXF_SITE,
	GF_CTXF_ROLE,
	GF_CTXF_DESCRIPTION,
	GF_CTXF_SPEED,
	GF_CTXF_BOUNDARY,
	GF_CTXF_PROVIDER,
	GF_CTXF__COUNT
} GfCtxField;

/*
 * Bring the GeoIP databases in line with their settings and files
 * (geoip_guc.h), then switch to the newest published snapshot if there
 * is one; returns the
 * snapshot in use (NULL: none yet).  Call between batches, never while
 * rows made from the previous snapshot's Datums are still to be formed:
 * switching frees them.  May ERROR (mapping a segment can fail); the old
 * snapshot stays in use then.
 */
extern const gf_ctx_snapshot *gf_context_refresh(void);
extern uint64 gf_context_generation_in_use(void);
/* The snapshot gf_context_enrich_copy uses now (NULL: none); no refresh. */
extern const gf_ctx_snapshot *gf_context_snapshot_in_use(void);

/* *out = *in, enriched with the snapshot in use and GeoIP. */
extern void gf_context_enrich_copy(const gf_flow *in, gf_flow *out);

/*
 * recs[i] enriched like gf_context_enrich_copy() does, for a caller that
 * walks recs[0..n) in order: flows are enriched 32 at a time, which
 * overlaps their cache misses.  The result stays valid until the next call
 * of this or gf_context_enrich_copy(), or gf_context_refresh().
 */
extern const gf_flow *gf_context_enriched(const gf_flow *recs, int n, int i);

/*
 * Column values of the flow last enriched or returned by
 * gf_context_enriched(); false means NULL.  A network's name may be a
 * buffer the next flow reuses: form the row from its columns before
 * taking the next flow (the writer and decode() do).
 */
extern bool gf_context_datum(GfCtxKind kind, uint32 number, GfCtxField field,
							 Datum *out);
extern bool gf_rate_source_datum(uint8 source, Datum *out);
extern bool gf_country_datum(const char *code, Datum *out);

#endif							/* GF_CONTEXT_ATTACH_H */
