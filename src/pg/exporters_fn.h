/*
 * exporters_fn.h
 *    What the worker calls to publish its per-exporter figures for
 *    goflow2plus.exporters() (exporters_fn.c).  Include postgres.h first.
 */
#ifndef GF_EXPORTERS_FN_H
#define GF_EXPORTERS_FN_H

#include "gf_shmem.h"

/* Copy the decoder's most refused / busiest exporter rows into slot. */
extern void gf_exporters_publish(GfWorkerSlot *slot, gf_decoder *decoder);

/*
 * goflow2plus.reset_stats() was called since *generation: zero the counts
 * of the decoder's rows, publish them, and remember the new generation.
 */
extern void gf_exporters_reset_if_asked(GfWorkerSlot *slot, gf_decoder *decoder,
										uint64 *generation);

#endif							/* GF_EXPORTERS_FN_H */
