/*
 * mapping_fn.h
 *    Custom field mappings on the SQL side (mapping_fn.c): the shared
 *    change counter, goflow2plus.load_mapping(), and how a decoder (a
 *    worker's, or a session's for decode()) picks up the active mapping.
 *
 *    Include postgres.h before this header.
 */
#ifndef GF_MAPPING_FN_H
#define GF_MAPPING_FN_H

#include "decode.h"

extern Size gf_mapping_shmem_size(void);
extern void gf_mapping_shmem_startup(void);

/*
 * A worker, between passes and outside any transaction: when a mapping
 * change was committed since the last call, read the active mapping in a
 * short transaction of its own and hand it to the decoder.  An error is
 * logged and the decoder keeps the mapping it had; it is tried again a
 * second later.
 */
extern void gf_mapping_worker_refresh(gf_decoder *d);

/*
 * A backend's decode(), inside its transaction: the same, read in the
 * caller's transaction (so a mapping loaded earlier in it counts).
 */
extern void gf_mapping_session_refresh(gf_decoder *d);

/* Forget what the session decoder was given (decode_reset()). */
extern void gf_mapping_session_forget(void);

#endif							/* GF_MAPPING_FN_H */
