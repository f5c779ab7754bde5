/*
 * flow_writer.h
 *    Batches decoded flow records and sFlow interface counters and writes
 *    them to goflow2plus.flows / goflow2plus.interface_counters in one go.
 *
 *    The writer picks its path at every flush: a raw heap multi-insert when
 *    the target is a plain heap table with nothing attached (no indexes,
 *    triggers, constraints, rules, RLS, partitions), otherwise a path that
 *    maintains indexes, fires triggers and checks constraints.  The table is
 *    looked up by name at every flush so that DROP/CREATE EXTENSION between
 *    flushes is harmless.
 *
 *    Include postgres.h before this header.
 */
#ifndef GF_FLOW_WRITER_H
#define GF_FLOW_WRITER_H

#include "utils/palloc.h"

#include "flow.h"
#include "ifcounters.h"

typedef struct GfWriter GfWriter;

/* capacity = batch size in records (flows and counters counted apart). */
extern GfWriter *gf_writer_create(MemoryContext parent, int capacity);

/*
 * Copies the record; returns true when the batch is full.  Never raises an
 * ERROR (it runs inside the decoder's sink callbacks): past capacity the
 * buffer grows, and a record that finds no memory is dropped and counted.
 */
extern bool gf_writer_add_flow(GfWriter *w, const gf_flow *f);
extern bool gf_writer_add_ifcounters(GfWriter *w, const gf_ifcounters *c);

/* Records dropped by the add functions for want of memory, ever. */
extern uint64 gf_writer_dropped(GfWriter *w);

/* Records buffered (flows + interface counters). */
extern int	gf_writer_count(GfWriter *w);

/*
 * Insert the buffered rows.  The caller has started a transaction and
 * pushed a snapshot.  May ERROR; on success the batch is cleared and the
 * number of rows written is returned.
 */
extern uint64 gf_writer_flush(GfWriter *w);

/* Drop the buffered rows, e.g. after a flush that raised an ERROR. */
extern void gf_writer_reset(GfWriter *w);

/* Free the writer, its buffers and its prepared statements. */
extern void gf_writer_destroy(GfWriter *w);

#endif							/* GF_FLOW_WRITER_H */
