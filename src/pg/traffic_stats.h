/*
 * traffic_stats.h
 *    What each worker counts per UDP source (the exporter's address), and
 *    how long its batches take to write: the figures behind GoFlow2's
 *    per-router Prometheus metrics (goflow2_flow_traffic_bytes{remote_ip},
 *    goflow2_flow_process_nf_count{router}, ...) and our batch latency
 *    histogram.  metrics.c renders them; the worker fills them.
 *
 *    Per source the worker counts datagrams and bytes itself, and takes
 *    the rest as the change of some decoder counters (counters.h) while
 *    it decodes that source's datagrams, so the decoder needs no notion
 *    of sources.  The change is taken when the source differs from the
 *    previous datagram's and at the end of each received batch, not per
 *    datagram: exporters send runs, and reading 29 counters twice per
 *    datagram cost ~70 ns of CPU; a run from one source now costs ~13 ns
 *    per datagram, sources alternating at every datagram ~80 ns.  Data
 *    sets kept for a template and decoded later are not attributed to a
 *    source.
 *
 *    A worker keeps GF_SLOT_REMOTES sources, in the order first heard; the
 *    rest, and datagrams refused by goflow2plus.allowed_exporters, are
 *    summed in one "other" row, so a flood of spoofed sources costs a
 *    fixed amount of memory.  Rows are never moved or reused while the
 *    server runs, so every value only grows.
 *
 *    Include postgres.h before this header.
 */
#ifndef GF_TRAFFIC_STATS_H
#define GF_TRAFFIC_STATS_H

#include "port/atomics.h"
#include "storage/spin.h"

#include "counters.h"
#include "flow.h"

#define GF_SLOT_REMOTES 64

/* Decoder counters attributed to the source of each datagram. */
#define GF_REMOTE_DIFF_LIST(X) \
	X(packets_netflow_v5) \
	X(packets_netflow_v9) \
	X(packets_ipfix) \
	X(packets_sflow) \
	X(packets_malformed) \
	X(packets_unknown_version) \
	X(flows) \
	X(nf_sets_pending) \
	X(nf_templates_added) \
	X(sflow_flow_samples) \
	X(sflow_counter_samples) \
	X(sflow_drop_samples) \
	X(nf_v5_records) \
	X(nf_v9_template_sets) \
	X(nf_v9_template_records) \
	X(nf_v9_options_template_sets) \
	X(nf_v9_options_template_records) \
	X(nf_v9_data_sets) \
	X(nf_v9_data_records) \
	X(nf_v9_options_data_sets) \
	X(nf_v9_options_data_records) \
	X(nf_ipfix_template_sets) \
	X(nf_ipfix_template_records) \
	X(nf_ipfix_options_template_sets) \
	X(nf_ipfix_options_template_records) \
	X(nf_ipfix_data_sets) \
	X(nf_ipfix_data_records) \
	X(nf_ipfix_options_data_sets) \
	X(nf_ipfix_options_data_records)

typedef enum GfRemoteDiff
{
#define GF_RD_INDEX(name) GF_RD_##name,
	GF_REMOTE_DIFF_LIST(GF_RD_INDEX)
#undef GF_RD_INDEX
	GF_NREMOTE_DIFF
} GfRemoteDiff;

typedef struct GfRemoteStats
{
	gf_addr		addr;			/* family 0 in the "other" row */
	uint64		datagrams;		/* received, before any check */
	uint64		bytes;			/* UDP payload bytes received */
	uint64		d[GF_NREMOTE_DIFF];
} GfRemoteStats;

/* Upper bounds (seconds) of the batch write histogram; +Inf follows. */
#define GF_FLUSH_BUCKETS_S {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, \
		0.25, 0.5, 1, 2.5, 5}
#define GF_FLUSH_NBUCKETS 13	/* the 12 above and +Inf */

typedef struct GfTrafficSlot
{
	/* Rows: written by the worker when they changed, copied by readers. */
	slock_t		lock;
	int			n;
	GfRemoteStats rows[GF_SLOT_REMOTES];
	GfRemoteStats other;
	/* Batches committed, by time to write them (non-cumulative counts). */
	pg_atomic_uint64 flush_bucket[GF_FLUSH_NBUCKETS];
	pg_atomic_uint64 flush_us_sum;
} GfTrafficSlot;

/* Zero a slot's table (shmem startup). */
extern void gf_traffic_slot_init(GfTrafficSlot *t);
/*
 * Zero it again for a new listener taking a freed slot (no worker may be
 * writing it: call where the slot's counters are zeroed).
 */
extern void gf_traffic_slot_reset(GfTrafficSlot *t);

/* Worker side.  Start from what the slot holds (a restart goes on). */
extern void gf_traffic_init(GfTrafficSlot *t);

/*
 * Count a datagram of len bytes from a, before it is decoded with the
 * decoder whose counters are dc.
 */
extern void gf_traffic_begin(const gf_addr *a, size_t len,
							 const gf_counters *dc);
/*
 * After the last datagram of a received batch is decoded: attribute the
 * change of the decoder counters since the source last changed.
 */
extern void gf_traffic_settle(const gf_counters *dc);
/* A datagram that is not decoded (allowlist): counted in "other". */
extern void gf_traffic_denied(size_t len);
/* Copy the rows into the slot when they changed. */
extern void gf_traffic_publish(GfTrafficSlot *t);
/* One batch committed in us microseconds. */
extern void gf_traffic_flush_time(GfTrafficSlot *t, uint64 us);

/* Reader side: copy a slot's rows (n + 1 with "other" last) into out. */
extern int	gf_traffic_copy(GfTrafficSlot *t, GfRemoteStats *out);

#endif							/* GF_TRAFFIC_STATS_H */
