/*
 * nats_kv.h
 *    A JetStream key-value bucket for one worker: put values, and watch
 *    every key (the values already there first, then each update).  Used
 *    to share NetFlow v9 / IPFIX templates between collectors
 *    (template_sync.c).
 *
 *    As nats_sub.h: every call runs on the worker's thread, no callback
 *    is registered, signals are blocked while nats.c may start threads.
 *    Plain C: no postgres.h.
 */
#ifndef GF_NATS_KV_H
#define GF_NATS_KV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nats_pub.h"

typedef struct GfNatsKv GfNatsKv;

/* Copy the settings and open the library; NULL with err on failure. */
extern GfNatsKv *gf_nkv_create(const GfNatsConfig *conn, const char *bucket,
							   char *err, size_t errlen);

/*
 * Connect, open the bucket (creating it when missing: file storage, one
 * value per key) and start watching it.  0 when ready; -1 with err.
 */
extern int	gf_nkv_setup(GfNatsKv *kv, char *err, size_t errlen);
extern bool gf_nkv_ready(const GfNatsKv *kv);

/* Put one value.  0, or -1 with err (the caller tries again later). */
extern int	gf_nkv_put(GfNatsKv *kv, const char *key, const void *val,
					   size_t len, char *err, size_t errlen);

/*
 * The next value the watch delivered, waiting at most timeout_ms: 1 with
 * a copy in val (*len bytes, at most cap; longer values are skipped), 0
 * when none came, -1 with err when the watch failed (setup again).
 */
extern int	gf_nkv_next(GfNatsKv *kv, int timeout_ms, uint8_t *val, size_t cap,
						size_t *len, char *err, size_t errlen);

extern void gf_nkv_close(GfNatsKv *kv);

#endif							/* GF_NATS_KV_H */
