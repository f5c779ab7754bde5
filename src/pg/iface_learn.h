/*
 * iface_learn.h
 *    Interface names, descriptions and speeds that exporters send (the
 *    decoder sink's interface callback: NetFlow v9 / IPFIX options data,
 *    sFlow counter samples), remembered per worker and written to the
 *    learnt_* columns of goflow2plus.interfaces when they change.  See
 *    iface_learn.c for the design.
 *
 *    Include postgres.h before this header.
 */
#ifndef GF_IFACE_LEARN_H
#define GF_IFACE_LEARN_H

#include "decode.h"

/* Interfaces one worker remembers; facts about more are counted refused. */
#define GF_IFACE_LEARN_MAX		65536

/*
 * Once, at worker start (may ERROR: out of memory).  written and refused
 * are the worker's counters (iface_learnt_written, iface_learnt_refused),
 * which this module adds to; slotno names the worker in log lines.
 */
extern void gf_iface_learn_init(int slotno, uint64 *written, uint64 *refused);

/*
 * The sink callback (gf_sink.interface; arg is unused).  Remembers the
 * fact and marks the interface for writing if it changed.  Never ERRORs
 * and allocates only within GF_IFACE_LEARN_MAX entries, without
 * failing on out of memory (the fact is then counted refused): it runs
 * inside the decoder.
 */
extern void gf_iface_learn_sink(void *arg, const gf_if_info *info);

/*
 * Write the changed interfaces in one statement, in a transaction of its
 * own; from the worker's one-second tick, never inside a transaction.
 * Does nothing when nothing changed.  When the table (or the extension)
 * is missing, the facts are kept and the table is looked for again 10 s
 * later.  An ERROR inside is caught, logged (at most every 10 s) and
 * rolled back; the facts stay marked and are written at a later tick.
 */
extern void gf_iface_learn_write(void);

#endif							/* GF_IFACE_LEARN_H */
