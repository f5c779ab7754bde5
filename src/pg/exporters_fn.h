/*
 * exporters_fn.h
 *    What the worker calls to publish its per-exporter figures for
 *    goflow2plus.exporters() (exporters_fn.c).  Include postgres.h first.
 */
#ifndef GF_EXPORTERS_FN_H
#define GF_EXPORTERS_FN_H

#include "gf_shmem.h"

/* Copy the decoder's most refused / busiest exporters into slot. */
extern void gf_exporters_publish(GfWorkerSlot *slot, const gf_decoder *decoder);

#endif							/* GF_EXPORTERS_FN_H */
