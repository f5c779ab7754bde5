/*
 * state_store.h
 *    NetFlow v9 / IPFIX templates and sampling facts kept in SQL
 *    (goflow2plus.templates, goflow2plus.sampling), so that a restarted
 *    worker decodes data at once instead of waiting minutes for every
 *    exporter to resend its templates.  See src/pg/README.md.
 */
#ifndef GF_STATE_STORE_H
#define GF_STATE_STORE_H

#include "postgres.h"

#include "utils/timestamp.h"

#include "decode.h"

typedef struct GfStateStore
{
	int			slotno;			/* for log lines */
	bool		loaded;			/* saved rows were read into the decoder */
	uint64		saved_version;	/* decoder state version last saved */
	TimestampTz last_error_log; /* failures are logged at most every 10 s */
	uint64		errors_unlogged;
	/* Expiry of rows of silent exporters (gf_state_expire). */
	TimestampTz started;		/* when this worker started */
	TimestampTz last_expire;	/* last touch and sweep */
	uint64		heard_since_ns; /* exporters heard after this are touched */
} GfStateStore;

void		gf_state_init(GfStateStore *s, int slotno);

/* True when a sync would have something to do (cheap; no transaction). */
bool		gf_state_pending(const GfStateStore *s, gf_decoder *d);

/*
 * In a transaction of its own: read the saved rows into the decoder if
 * that has not been done, then save what changed since the last save.
 * Does nothing when the extension does not exist.  An ERROR inside is
 * caught, logged (rate-limited) and rolled back; the next call retries.
 * Must not be called inside a transaction.
 */
void		gf_state_sync(GfStateStore *s, gf_decoder *d);

/*
 * Every quarter of goflow2plus.exporter_idle_timeout (1 s to 5 min): mark
 * the rows of exporters this worker heard since the last time as heard
 * now, and delete rows no worker heard for the timeout (plus that
 * quarter), once this worker has run that long itself.  A transaction
 * of its own, errors caught like gf_state_sync's.  Returns rows deleted.
 */
uint64		gf_state_expire(GfStateStore *s, gf_decoder *d);

#endif							/* GF_STATE_STORE_H */
