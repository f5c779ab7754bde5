/*
 * sinks.h
 *    Where a worker's flows go besides, or instead of, goflow2plus.flows:
 *    goflow2plus.transport lists "table", "nats" and "file" (GoFlow2+'s
 *    -transport), goflow2plus.format says "json" or "bin" (its -format).
 *
 *    The worker hands every decoded flow to gf_sinks_flow() (and to the
 *    table writer when "table" is listed).  When "nats" or "file" is
 *    listed the flow is enriched at once (context networks, devices,
 *    interfaces, sampling-rate defaults and overrides; the snapshot in use
 *    is the one the last batch or tick attached), encoded once in the
 *    chosen format, and given to each sink.  Enriching at receive time
 *    rather than at the table's flush keeps a record's bytes out of any
 *    buffer but the sinks' own; a context change therefore reaches NATS
 *    and the file up to one batch (or one second) before or after it
 *    reaches the table.
 *
 *    One sink's trouble never holds another back: the NATS sink only
 *    copies the encoded flow into its buffer (nats_pub.h) and drops, and
 *    counts, what does not fit; the file sink counts a failed write
 *    (full disk, removed folder) and goes on.
 *
 *    Include postgres.h before this header.
 */
#ifndef GF_SINKS_H
#define GF_SINKS_H

#include "context.h"
#include "flow.h"

/* goflow2plus.format */
typedef enum GfSinkFormat
{
	GF_FORMAT_JSON,
	GF_FORMAT_BIN
} GfSinkFormat;

/*
 * Encode one (enriched) flow into buf; the length, or 0 when it does not
 * fit.  ctx is the snapshot the flow was enriched with (may be NULL), for
 * the names an encoder writes ("context": {...}).
 */
typedef size_t (*GfFlowEncodeFn) (const gf_flow *f, const gf_ctx_snapshot *ctx,
								  uint8_t *buf, size_t len);

/* Settings (sinks.c). */
extern char *gf_guc_transport;
extern int	gf_guc_format;
extern char *gf_guc_transport_file;
extern char *gf_guc_nats_servers;
extern char *gf_guc_nats_subject;
extern char *gf_guc_nats_stream;
extern int	gf_guc_nats_max_inflight;
extern int	gf_guc_nats_batch;
extern int	gf_guc_nats_buffer_size;	/* kB */
extern int	gf_guc_nats_ack_wait;	/* ms */
extern int	gf_guc_nats_stream_max_age; /* s */
extern int	gf_guc_nats_stream_max_bytes;	/* MB */
extern int	gf_guc_nats_stream_replicas;
extern char *gf_guc_nats_user;
extern char *gf_guc_nats_password;
extern char *gf_guc_nats_token;
extern char *gf_guc_nats_creds;
extern char *gf_guc_nats_nkey;
extern char *gf_guc_nats_nkey_seed;
extern char *gf_guc_nats_tls_ca;
extern char *gf_guc_nats_tls_cert;
extern char *gf_guc_nats_tls_key;

/* What goflow2plus.transport lists (valid once the settings are read). */
extern bool gf_sinks_table;		/* flows to goflow2plus.flows */

/* What the worker publishes in goflow2plus.stats(). */
typedef struct GfSinkCounts
{
	uint64		nats_published;
	uint64		nats_acked;
	uint64		nats_failed;
	uint64		nats_dropped;
	uint64		nats_inflight;	/* gauge */
	uint64		nats_buffered;	/* gauge */
	uint64		nats_retries;	/* messages */
	uint64		file_written;
	uint64		file_errors;
} GfSinkCounts;

/* _PG_init, while preloading: the settings above. */
extern void gf_sinks_define_gucs(void);

/* The worker: once connected, before its first flow. */
extern void gf_sinks_start(int slotno);
/* Every decoded flow, whatever the table does with it. */
extern void gf_sinks_flow(const gf_flow *f);
/* End of a receive pass: hand buffered output on (file write, NATS wake-up). */
extern void gf_sinks_pass_end(void);
/* Once a second: logs from the NATS threads, context refresh, file retry. */
extern void gf_sinks_tick(void);
/* After a reload: reopen the file (rotation). */
extern void gf_sinks_reload(void);
/* Exit: write the file buffer, give NATS up to wait_ms for its acks. */
extern void gf_sinks_stop(int wait_ms);
extern void gf_sinks_counts(GfSinkCounts *out);

/* sink_file.c: the file sink. */
typedef struct GfFileSink GfFileSink;
extern GfFileSink *gf_file_sink_create(int slotno, bool lines);
extern void gf_file_sink_open(GfFileSink *fs, const char *path);
extern void gf_file_sink_put(GfFileSink *fs, const uint8 *data, size_t len);
extern void gf_file_sink_flush(GfFileSink *fs);
extern void gf_file_sink_tick(GfFileSink *fs);
extern void gf_file_sink_counts(GfFileSink *fs, uint64 *written, uint64 *errors);

/* sink_nats.c: the NATS sink's PostgreSQL side (nats_pub.c does the rest). */
extern bool gf_nats_sink_start(int slotno, GfSinkFormat format);
extern void gf_nats_sink_put(const gf_flow *f, const gf_ctx_snapshot *ctx,
							 const uint8 *data, size_t len);
extern void gf_nats_sink_pass_end(void);
extern void gf_nats_sink_tick(void);
extern void gf_nats_sink_stop(int wait_ms);
extern void gf_nats_sink_counts(GfSinkCounts *out);

#endif							/* GF_SINKS_H */
