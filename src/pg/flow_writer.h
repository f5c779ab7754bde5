/*
 * flow_writer.h
 *    Batches decoded flow records, sFlow interface counters and sFlow drop
 *    samples and writes them to goflow2plus.flows /
 *    goflow2plus.interface_counters / goflow2plus.sflow_drops in one go.
 *
 *    The writer picks one of three paths at every flush (src/pg/README.md,
 *    "The table writer: three paths"), per partition when the table is
 *    partitioned by time_received, and adds each batch's sums to the
 *    rollup tables (goflow2plus.flows_1m, _5m, _1h).  The table is looked up by name at
 *    every flush so that DROP/CREATE EXTENSION between flushes is
 *    harmless.
 *
 *    Include postgres.h before this header.
 */
#ifndef GF_FLOW_WRITER_H
#define GF_FLOW_WRITER_H

#include "utils/palloc.h"

#include "flow.h"
#include "ifcounters.h"
#include "sflow.h"

typedef struct GfWriter GfWriter;
struct GfDropRow;				/* flow_tuple.h */

/* Rows per table, e.g. written by the last flush. */
typedef struct GfWriterCounts
{
	uint64		flows;
	uint64		ifcounters;
	uint64		drops;
	uint64		rollups;		/* rows added to flows_1m, _5m, _1h */
	uint64		flows_default;	/* of flows: rows in the default partition */
	uint64		split_batches;	/* 1 when the flows went to several partitions */
} GfWriterCounts;

/* capacity = batch size in records (flows, counters and drops together). */
extern GfWriter *gf_writer_create(MemoryContext parent, int capacity);

/*
 * Copies the record; returns true when the batch is full.  Never raises an
 * ERROR (it runs inside the decoder's sink callbacks): past capacity the
 * buffer grows, and a record that finds no memory is dropped and counted.
 */
extern bool gf_writer_add_flow(GfWriter *w, const gf_flow *f);
extern bool gf_writer_add_ifcounters(GfWriter *w, const gf_ifcounters *c);
/* Copies the header bytes too (at most GF_DROP_HEADER_MAX, flow_tuple.h). */
extern bool gf_writer_add_drop(GfWriter *w, const gf_drop_sample *d);
/* A drop row already copied out of its datagram (from the spool). */
extern bool gf_writer_add_drop_row(GfWriter *w, const struct GfDropRow *row);

/* Records dropped by the add functions for want of memory, ever. */
extern uint64 gf_writer_dropped(GfWriter *w);

/* Records buffered (flows + interface counters + drops). */
extern int	gf_writer_count(GfWriter *w);

/*
 * Insert the buffered rows.  The caller has started a transaction and
 * pushed a snapshot.  May ERROR; on success the batch is cleared and the
 * number of rows written is returned: rows a BEFORE trigger skipped or a
 * rule turned into something else are not counted.
 */
extern uint64 gf_writer_flush(GfWriter *w);

/* Rows per table written by the last successful flush (zeros before). */
extern const GfWriterCounts *gf_writer_written(GfWriter *w);

/* Drop the buffered rows, e.g. after a flush that raised an ERROR. */
extern void gf_writer_reset(GfWriter *w);

/*
 * After a flush that raised an ERROR (and its transaction was aborted):
 * free what the attempt built but keep the records, so that the same
 * batch can be written again later.
 */
extern void gf_writer_keep_for_retry(GfWriter *w);

/* Free the writer, its buffers and its prepared statements. */
extern void gf_writer_destroy(GfWriter *w);

#endif							/* GF_FLOW_WRITER_H */
