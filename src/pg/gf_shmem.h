/*
 * gf_shmem.h
 *    Shared memory of goflow2plus: goflow2plus.max_listeners slots, one
 *    per listening socket in use, each holding what its worker serves,
 *    its state for goflow2plus.listeners(), whether it is ready to
 *    receive, and atomic mirrors of its counters so that
 *    goflow2plus.stats() can read them from any backend without a lock.
 *
 *    Each worker is the only writer of its slot's counters; readers may
 *    see one counter a moment older than another, never a torn value.
 *
 *    Include postgres.h before this header.
 */
#ifndef GF_SHMEM_H
#define GF_SHMEM_H

#include "port/atomics.h"
#include "storage/spin.h"
#include "utils/timestamp.h"

#include "counters.h"
#include "decode.h"
#include "listen_uri.h"
#include "traffic_stats.h"

/*
 * Counters the adapter keeps on top of the decoder's (counters.h); the
 * same X-macro shape, so stats() lists both the same way.  rcvbuf_bytes,
 * rcvq_bytes, spool_records, spool_bytes, nf_pending_bytes, nats_inflight and
 * nats_buffered are gauges,
 * not counters.  The nats_* and file_* counts are flows (sinks.h): every
 * flow for NATS is published, dropped or still buffered, and every
 * published one is acknowledged, failed, or still in flight.
 */
#define GF_ADAPTER_COUNTER_LIST(X) \
	X(bytes_received, "UDP payload bytes received") \
	X(recv_truncated, "datagrams longer than the receive buffer (also counted malformed)") \
	X(recv_errors, "recvmmsg calls that failed other than with EAGAIN") \
	X(kernel_drops, "datagrams the kernel dropped for lack of socket buffer (the socket's drop count, SO_MEMINFO)") \
	X(decode_errors_logged, "decode errors written to the server log (the rest are rate-limited)") \
	X(rows_inserted, "rows written to goflow2plus.flows") \
	X(ifcounter_rows_inserted, "rows written to goflow2plus.interface_counters") \
	X(sflow_drop_rows_inserted, "rows written to goflow2plus.sflow_drops") \
	X(rows_default_partition, "rows of goflow2plus.flows written to its default partition (no partition held their time_received)") \
	X(partition_split_batches, "batches whose flows went to more than one partition of goflow2plus.flows") \
	X(rollup_rows_inserted, "rows added to goflow2plus.flows_1m, flows_5m and flows_1h") \
	X(flushes, "batches committed") \
	X(flush_retries, "failed attempts to write a batch that was kept to be retried") \
	X(flush_errors, "batches dropped after failing with an error that retrying cannot cure (e.g. a CHECK constraint)") \
	X(flush_error_records, "records in the batches counted in flush_errors") \
	X(spool_dropped, "records dropped because the spool was full (goflow2plus.spool_size) or the worker exited before writing them") \
	X(writer_nomem_dropped, "records dropped because the writer found no memory to buffer them") \
	X(exporters_denied, "datagrams dropped before decoding: source not in goflow2plus.allowed_exporters") \
	X(dropped_no_extension, "records dropped because the extension does not exist in goflow2plus.database") \
	X(iface_learnt_written, "rows of goflow2plus.interfaces inserted or updated with learnt names, descriptions or speeds") \
	X(iface_learnt_refused, "interface facts not kept: the worker already remembers 65536 interfaces, or out of memory") \
	X(worker_starts, "workers started for this socket, failed starts included (more than 1 means it was restarted)") \
	X(rcvbuf_bytes, "receive buffer the kernel granted the socket (gauge)") \
	X(rcvq_bytes, "bytes waiting in the socket's receive queue at the worker's last pass, in rcvbuf_bytes' accounting (gauge; near rcvbuf_bytes the kernel drops)") \
	X(spool_records, "records waiting in the spool now (gauge)") \
	X(spool_bytes, "memory the spool holds now (gauge)") \
	X(nf_pending_bytes, "bytes of v9/IPFIX data sets waiting now for their template (gauge)") \
	X(nats_published, "flows handed to NATS JetStream (goflow2plus.transport lists nats)") \
	X(nats_acked, "flows the JetStream stream acknowledged") \
	X(nats_failed, "published flows whose message the stream refused, or left unacknowledged after 3 attempts") \
	X(nats_dropped, "flows for NATS never published: its buffer was full (NATS slow or away) or the publish call failed") \
	X(nats_inflight, "published flows waiting for their acknowledgement (gauge)") \
	X(nats_buffered, "flows waiting in goflow2plus.nats_buffer_size to be published (gauge)") \
	X(nats_retries, "messages sent again, with the same Nats-Msg-Id, after no acknowledgement came in goflow2plus.nats_ack_wait") \
	X(file_written, "flows written to goflow2plus.transport_file") \
	X(file_errors, "flows for the file sink lost to a failed open or write (full disk, missing folder)") \
	X(source_fetched, "messages a nats:// source fetched from its JetStream consumer") \
	X(source_acked, "messages a nats:// source acknowledged once their flows were committed") \
	X(source_redelivered, "fetched messages the server had delivered before (a worker stopped, or did not acknowledge within the ack wait): their flows may already be in the table") \
	X(source_returned, "messages a nats:// source handed back (extension missing) or terminated (their batch can never be written)") \
	X(source_ack_errors, "acknowledgements the connection could not carry; the server delivers those messages again") \
	X(source_setup_errors, "failed attempts to connect, find the stream or subscribe to the consumer") \
	X(templates_shared, "templates and sampling facts this worker put into goflow2plus.nats_templates_bucket") \
	X(templates_share_errors, "failed set-ups, puts or watches of goflow2plus.nats_templates_bucket, and values in it that are not shared templates")

/* Index of every counter in a slot: the decoder's first, then the adapter's. */
typedef enum GfCounterIndex
{
#define GF_COUNTER_INDEX(name, desc) GF_C_##name,
	GF_COUNTER_LIST(GF_COUNTER_INDEX)
	GF_ADAPTER_COUNTER_LIST(GF_COUNTER_INDEX)
#undef GF_COUNTER_INDEX
	GF_NCOUNTERS
} GfCounterIndex;

/* Number of decoder counters, which come first in GfCounterIndex. */
#define GF_NDECODER_COUNTERS	((int) (sizeof(gf_counters) / sizeof(uint64_t)))

extern const char *const gf_counter_names[GF_NCOUNTERS];

/*
 * Rows a worker shows in goflow2plus.exporters() (one per exporter,
 * protocol and domain): those with the most refusals first, then the
 * busiest; the count of all it holds beside them.
 */
#define GF_SLOT_EXPORTERS 256

/*
 * What a listener's slot is doing (goflow2plus.listeners()).  The
 * supervisor (supervisor.c) moves a slot between STARTING, FAILED and
 * STOPPING; the worker sets RUNNING once its socket is bound and its
 * database connected.
 */
typedef enum GfListenerState
{
	GF_LS_STARTING = 0,			/* worker registered or about to be */
	GF_LS_RUNNING,				/* worker ready */
	GF_LS_FAILED,				/* worker exited; restarted after a delay */
	GF_LS_STOPPING				/* removed from goflow2plus.listen; exiting */
} GfListenerState;

#define GF_SLOT_ERROR_LEN	256

/*
 * One socket's worker.  Slots are handed out and taken back by the
 * supervisor as goflow2plus.listen changes; 'meta_lock' guards the fields
 * above it, which readers copy out under it.  The atomics and counters
 * below are the worker's.  A slot is freed only once its worker has
 * exited, and a worker claims its slot (pid 0 -> its pid) only when the
 * generation it was started for is the slot's current one, so a worker
 * from an earlier use of the slot can never write into a later one.
 */
typedef struct GfWorkerSlot
{
	slock_t		meta_lock;
	bool		in_use;			/* listed in goflow2plus.listen */
	uint32		generation;		/* bumped at each allocation */
	gf_listen_uri uri;			/* the listen entry (count may change) */
	int			socket_no;		/* 0 .. uri.count - 1 within the entry */
	GfListenerState state;
	TimestampTz started_at;		/* when the worker last became ready, or 0 */
	TimestampTz failed_at;		/* when it last exited unexpectedly, or 0 */
	char		last_error[GF_SLOT_ERROR_LEN];	/* why it last failed */

	pg_atomic_uint32 pid;		/* 0 when not running */
	pg_atomic_uint32 ready;		/* socket bound and database connected */
	pg_atomic_uint64 counters[GF_NCOUNTERS];

	/*
	 * What counters held at the last goflow2plus.reset_stats(): readers
	 * show counters - baseline (gauges as they are), so the worker, the
	 * only writer of counters, never has to take part in a reset.
	 */
	pg_atomic_uint64 baseline[GF_NCOUNTERS];
	/* Written by the worker once a tick, copied out by readers. */
	slock_t		exporters_lock;
	int			n_exporters;
	uint32		exporters_held;
	gf_exporter_row exporters[GF_SLOT_EXPORTERS];
	/* Per-source counts and batch write times (traffic_stats.h). */
	GfTrafficSlot traffic;
} GfWorkerSlot;

typedef struct GfShared
{
	/*
	 * Bumped by goflow2plus.reset_stats(); a worker that sees it move
	 * zeroes the counts of its decoder's exporter rows (which live in
	 * its own memory) and publishes them again.
	 */
	pg_atomic_uint64 reset_generation;
	int			nslots;			/* goflow2plus.max_listeners */
	GfWorkerSlot slots[FLEXIBLE_ARRAY_MEMBER];
} GfShared;

/* Bytes to request for nslots workers. */
extern Size gf_shmem_size(int nslots);

/*
 * Create or attach to the shared state; called from shmem_startup_hook.
 * The postmaster makes nslots free slots and takes one per socket of
 * 'listen' (the value at startup, or after a crash, the current one), so
 * stats() lists them before the supervisor has started their workers.
 */
extern void gf_shmem_startup(int nslots, const gf_listen_list *listen);

/* The shared state, or NULL when the library was not preloaded. */
extern GfShared *gf_shmem_get(void);

/*
 * Take a free slot for socket socket_no of uri: counters zeroed, state
 * STARTING, generation bumped.  Returns the slot number, or -1 when all
 * are taken.  Only the supervisor (and the postmaster at startup) call it.
 */
extern int	gf_slot_alloc(const gf_listen_uri *uri, int socket_no);

/* Give a slot back; its worker must have exited. */
extern void gf_slot_free(int slotno);

/*
 * Set a slot's state, and its last error when err is not NULL; entering
 * FAILED also sets failed_at.
 */
extern void gf_slot_set_state(GfWorkerSlot *slot, GfListenerState state,
							  const char *err);

/* What a reader copies out of a slot under its lock. */
typedef struct GfSlotMeta
{
	bool		in_use;
	uint32		generation;
	gf_listen_uri uri;
	int			socket_no;
	GfListenerState state;
	TimestampTz started_at;
	TimestampTz failed_at;
	char		last_error[GF_SLOT_ERROR_LEN];
} GfSlotMeta;

/* Copy slot's fields; false when the slot is free. */
extern bool gf_slot_read(GfWorkerSlot *slot, GfSlotMeta *out);

/*
 * A worker takes the slot its main_arg names, for this run: only while the
 * slot is still given to the listener the supervisor started the worker
 * for (the generation in bgw_extra) and no other process holds it; meta
 * is the slot's copy.  NULL: the worker exits quietly.  Socket and
 * JetStream source workers both start so.
 */
extern GfWorkerSlot *gf_slot_claim(int slotno, GfSlotMeta *meta);

/* The worker is ready: stats() and listeners() show it running. */
extern void gf_slot_set_running(GfWorkerSlot *slot);

/* "starting", "running", "failed", "stopping". */
extern const char *gf_listener_state_name(GfListenerState state);

/*
 * The fullest receive queue of the running socket workers, as a share of
 * its buffer (rcvq_bytes / rcvbuf_bytes, 0 .. about 1); 0 when none runs.
 * The context builder pauses a long build while it is high.
 */
extern double gf_shmem_max_queue_fill(void);

/* True for the counters that are gauges (reset_stats leaves them alone). */
extern bool gf_counter_is_gauge(int c);

/* A counter as stats() shows it: since the last reset_stats(). */
extern uint64 gf_shmem_counter(GfWorkerSlot *slot, int c);

/*
 * goflow2plus.reset_stats(): baselines for every counter of every slot,
 * the counts of the exporter rows published, and the reset generation.
 */
extern void gf_shmem_reset_stats(void);

#endif							/* GF_SHMEM_H */
