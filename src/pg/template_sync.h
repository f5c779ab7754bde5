/*
 * template_sync.h
 *    Shared NetFlow v9 / IPFIX templates and sampling facts through a
 *    JetStream key-value bucket (goflow2plus.nats_templates_bucket, off
 *    when empty).  Edge collectors behind a UDP load balancer may receive
 *    an exporter's templates on one node and its data on another: each
 *    NetFlow worker puts what its decoder learns into the bucket and
 *    imports what the others put, so data that waits for a template
 *    (goflow2plus.pending_per_exporter) decodes once any node has it.
 *
 *    Everything runs in the worker's tick (once a second), on its thread;
 *    a bucket that cannot be reached only delays the sharing (logged at
 *    most every 10 s), never the receive loop for more than the NATS
 *    client's connect timeout.
 *
 *    Include postgres.h before this header.
 */
#ifndef GF_TEMPLATE_SYNC_H
#define GF_TEMPLATE_SYNC_H

#include "decode.h"

extern char *gf_guc_nats_templates_bucket;

/* _PG_init, while preloading. */
extern void gf_template_sync_define_guc(void);

/* The worker, after its decoder exists; counters it may bump. */
extern void gf_template_sync_start(int slotno, uint64 *shared, uint64 *errors);
/* Each tick: set up when due, put what changed, import what came. */
extern void gf_template_sync_tick(gf_decoder *d);
/* At exit: put the last changes, close. */
extern void gf_template_sync_stop(gf_decoder *d);

#endif							/* GF_TEMPLATE_SYNC_H */
