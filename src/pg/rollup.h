/*
 * rollup.h
 *    Sums of a batch's flows per minute and key (exporter, interfaces,
 *    ASes, network groups, protocol, ethertype), made in memory while the
 *    writer forms the flow rows, and written as a few rows per batch to
 *    goflow2plus.flows_1m, flows_5m and flows_1h (rollup.c).
 *
 *    Include postgres.h before this header.
 */
#ifndef GF_ROLLUP_H
#define GF_ROLLUP_H

#include "datatype/timestamp.h"
#include "utils/palloc.h"

#include "flow_tuple.h"

/* The rollup tables' columns, in table order. */
#define GF_ROLLUP_COLUMN_LIST(X) \
	X(time_received,   TIMESTAMPTZOID, true) \
	X(sampler_address, INETOID,        false) \
	X(in_if,           INT8OID,        false) \
	X(out_if,          INT8OID,        false) \
	X(src_as,          INT8OID,        false) \
	X(dst_as,          INT8OID,        false) \
	X(src_group,       TEXTOID,        false) \
	X(dst_group,       TEXTOID,        false) \
	X(proto,           INT4OID,        false) \
	X(etype,           INT4OID,        false) \
	X(bytes,           INT8OID,        true) \
	X(packets,         INT8OID,        true) \
	X(flows,           INT8OID,        true)

#define GF_ROLLUP_ENUM(col, ...)	GF_ROLLUP_COL_##col,
enum
{
	GF_ROLLUP_COLUMN_LIST(GF_ROLLUP_ENUM)
	GF_ROLLUP_NCOLS
};
#undef GF_ROLLUP_ENUM

extern const GfColumn gf_rollup_columns[GF_ROLLUP_NCOLS];

/* One key of a batch with its sums (a row of a rollup table). */
typedef struct GfRollupRow
{
	TimestampTz minute;			/* start of the minute */
	int64		in_if;
	int64		out_if;
	int64		src_as;
	int64		dst_as;
	int32		proto;
	int32		etype;
	uint32		nulls;			/* bit GF_ROLLUP_COL_x: the key column is NULL */
	uint32		hash;
	struct varlena *sampler;	/* inet, copied; NULL when nulls says so */
	struct varlena *src_group;	/* text, copied */
	struct varlena *dst_group;
	int64		bytes;			/* scaled by the sampling rate */
	int64		packets;
	int64		flows;
} GfRollupRow;

typedef struct GfRollup GfRollup;

/* An empty aggregate in ctx (the writer's batch context). */
extern GfRollup *gf_rollup_create(MemoryContext ctx);

/* Add one flow row, given as its goflow2plus.flows column values. */
extern void gf_rollup_add(GfRollup *r, const Datum *values, const bool *nulls);

/* The keys so far, in no particular order. */
extern GfRollupRow *gf_rollup_rows(GfRollup *r, int *n);

/*
 * Column values of one rollup row, its minute truncated to buckets of
 * bucket_usecs (60 s, 300 s, 3600 s).
 */
extern void gf_rollup_datums(const GfRollupRow *row, int64 bucket_usecs,
							 Datum *values, bool *nulls);

#endif							/* GF_ROLLUP_H */
