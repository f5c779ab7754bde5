/*
 * gf_shmem.c
 *    Creation of, and access to, the workers' shared slots (gf_shmem.h).
 *
 *    The size is requested in shmem_request_hook (goflow2plus.c): one slot
 *    per socket up to goflow2plus.max_listeners, fixed for the life of the
 *    segment.  goflow2plus.listen changes at a reload; the supervisor
 *    (supervisor.c) then takes and gives back slots, and readers skip the
 *    free ones.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"

#include "gf_shmem.h"

StaticAssertDecl(sizeof(gf_counters) == GF_NDECODER_COUNTERS * sizeof(uint64_t),
				 "gf_counters must hold only uint64_t counters");
StaticAssertDecl(GF_C_bytes_received == GF_NDECODER_COUNTERS,
				 "decoder counters must come first in GfCounterIndex");

const char *const gf_counter_names[GF_NCOUNTERS] = {
#define GF_COUNTER_NAME(name, desc) #name,
	GF_COUNTER_LIST(GF_COUNTER_NAME)
	GF_ADAPTER_COUNTER_LIST(GF_COUNTER_NAME)
#undef GF_COUNTER_NAME
};

static GfShared *gf_shared = NULL;

static const char *const gf_state_names[] = {
	[GF_LS_STARTING] = "starting",
	[GF_LS_RUNNING] = "running",
	[GF_LS_FAILED] = "failed",
	[GF_LS_STOPPING] = "stopping",
};

Size
gf_shmem_size(int nslots)
{
	return add_size(offsetof(GfShared, slots),
					mul_size(sizeof(GfWorkerSlot), Max(nslots, 0)));
}

void
gf_shmem_startup(int nslots, const gf_listen_list *listen)
{
	bool		found;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	gf_shared = ShmemInitStruct("goflow2plus", gf_shmem_size(nslots), &found);
	if (!found)
	{
		int			s;
		int			e;

		memset(gf_shared, 0, gf_shmem_size(nslots));
		pg_atomic_init_u64(&gf_shared->reset_generation, 0);
		gf_shared->nslots = nslots;
		for (s = 0; s < nslots; s++)
		{
			GfWorkerSlot *slot = &gf_shared->slots[s];
			int			c;

			SpinLockInit(&slot->meta_lock);
			pg_atomic_init_u32(&slot->pid, 0);
			pg_atomic_init_u32(&slot->ready, 0);
			for (c = 0; c < GF_NCOUNTERS; c++)
			{
				pg_atomic_init_u64(&slot->counters[c], 0);
				pg_atomic_init_u64(&slot->baseline[c], 0);
			}
			SpinLockInit(&slot->exporters_lock);
			gf_traffic_slot_init(&slot->traffic);
		}
		/* _PG_init made sure they fit; the supervisor starts their workers. */
		for (e = 0; listen != NULL && e < listen->n; e++)
		{
			uint32		k;

			for (k = 0; k < listen->uri[e].count; k++)
				(void) gf_slot_alloc(&listen->uri[e], (int) k);
		}
	}
	LWLockRelease(AddinShmemInitLock);
}

GfShared *
gf_shmem_get(void)
{
	return gf_shared;
}

int
gf_slot_alloc(const gf_listen_uri *uri, int socket_no)
{
	int			s;

	for (s = 0; s < gf_shared->nslots; s++)
	{
		GfWorkerSlot *slot = &gf_shared->slots[s];
		bool		taken;
		int			c;

		SpinLockAcquire(&slot->meta_lock);
		taken = slot->in_use;
		SpinLockRelease(&slot->meta_lock);
		/* A free slot has no worker left to write its counters. */
		if (taken || pg_atomic_read_u32(&slot->pid) != 0)
			continue;
		for (c = 0; c < GF_NCOUNTERS; c++)
		{
			pg_atomic_write_u64(&slot->counters[c], 0);
			pg_atomic_write_u64(&slot->baseline[c], 0);
		}
		pg_atomic_write_u32(&slot->ready, 0);
		gf_traffic_slot_reset(&slot->traffic);
		SpinLockAcquire(&slot->exporters_lock);
		slot->n_exporters = 0;
		slot->exporters_held = 0;
		SpinLockRelease(&slot->exporters_lock);
		SpinLockAcquire(&slot->meta_lock);
		slot->in_use = true;
		slot->generation++;
		slot->uri = *uri;
		slot->socket_no = socket_no;
		slot->state = GF_LS_STARTING;
		slot->started_at = 0;
		slot->failed_at = 0;
		slot->last_error[0] = '\0';
		SpinLockRelease(&slot->meta_lock);
		return s;
	}
	return -1;
}

void
gf_slot_free(int slotno)
{
	GfWorkerSlot *slot = &gf_shared->slots[slotno];

	SpinLockAcquire(&slot->meta_lock);
	slot->in_use = false;
	slot->state = GF_LS_STARTING;
	SpinLockRelease(&slot->meta_lock);
}

void
gf_slot_set_state(GfWorkerSlot *slot, GfListenerState state, const char *err)
{
	TimestampTz now = state == GF_LS_FAILED ? GetCurrentTimestamp() : 0;

	SpinLockAcquire(&slot->meta_lock);
	/* The first report of a failure dates it; the supervisor's repeats it. */
	if (state == GF_LS_FAILED && slot->state != GF_LS_FAILED)
		slot->failed_at = now;
	slot->state = state;
	if (err != NULL)
		strlcpy(slot->last_error, err, sizeof(slot->last_error));
	SpinLockRelease(&slot->meta_lock);
}

bool
gf_slot_read(GfWorkerSlot *slot, GfSlotMeta *out)
{
	SpinLockAcquire(&slot->meta_lock);
	out->in_use = slot->in_use;
	out->generation = slot->generation;
	out->uri = slot->uri;
	out->socket_no = slot->socket_no;
	out->state = slot->state;
	out->started_at = slot->started_at;
	out->failed_at = slot->failed_at;
	memcpy(out->last_error, slot->last_error, sizeof(out->last_error));
	SpinLockRelease(&slot->meta_lock);
	return out->in_use;
}

const char *
gf_listener_state_name(GfListenerState state)
{
	if ((int) state < 0 || (int) state >= (int) lengthof(gf_state_names))
		return "unknown";
	return gf_state_names[state];
}

bool
gf_counter_is_gauge(int c)
{
	return c == GF_C_rcvbuf_bytes || c == GF_C_rcvq_bytes || c == GF_C_spool_records ||
		c == GF_C_spool_bytes || c == GF_C_nats_inflight ||
		c == GF_C_nats_buffered;
}

uint64
gf_shmem_counter(GfWorkerSlot *slot, int c)
{
	uint64		v = pg_atomic_read_u64(&slot->counters[c]);
	uint64		base;

	if (gf_counter_is_gauge(c))
		return v;
	base = pg_atomic_read_u64(&slot->baseline[c]);
	/* Counters only grow; a value below its baseline is never shown. */
	return v >= base ? v - base : 0;
}

/* Zero the counts of one published exporter row (see gf_decoder_reset_exporter_counts). */
static void
shm_reset_row(gf_exporter_row *r)
{
	r->datagrams = 0;
	r->bytes = 0;
	r->flows = 0;
	r->decode_errors = 0;
	r->n_rates = 0;
	r->seq_lost = 0;
	r->seq_late = 0;
	r->seq_resets = 0;
	r->samples_lost = 0;
	r->nf.datagrams = 0;
	r->nf.templates_refused = 0;
	r->nf.templates_evicted = 0;
	r->nf.sampling_refused = 0;
	r->nf.pending_refused = 0;
	r->nf.pending_evicted = 0;
}

void
gf_shmem_reset_stats(void)
{
	int			s;

	if (gf_shared == NULL)
		return;
	for (s = 0; s < gf_shared->nslots; s++)
	{
		GfWorkerSlot *slot = &gf_shared->slots[s];
		int			c;
		int			i;

		for (c = 0; c < GF_NCOUNTERS; c++)
			pg_atomic_write_u64(&slot->baseline[c],
								pg_atomic_read_u64(&slot->counters[c]));

		/*
		 * The rows shown until the worker publishes its own zeroed ones
		 * (at its next loop pass, once it sees the generation move).
		 */
		SpinLockAcquire(&slot->exporters_lock);
		for (i = 0; i < slot->n_exporters; i++)
			shm_reset_row(&slot->exporters[i]);
		SpinLockRelease(&slot->exporters_lock);
	}
	pg_atomic_fetch_add_u64(&gf_shared->reset_generation, 1);
}

GfWorkerSlot *
gf_slot_claim(int slotno, GfSlotMeta *meta)
{
	GfWorkerSlot *slot;
	uint32		generation;
	uint32		nopid = 0;

	if (gf_shared == NULL || slotno < 0 || slotno >= gf_shared->nslots)
		return NULL;
	memcpy(&generation, MyBgworkerEntry->bgw_extra, sizeof(generation));
	slot = &gf_shared->slots[slotno];
	if (!gf_slot_read(slot, meta) || meta->generation != generation)
		return NULL;
	if (!pg_atomic_compare_exchange_u32(&slot->pid, &nopid, (uint32) MyProcPid))
		return NULL;
	return slot;
}

void
gf_slot_set_running(GfWorkerSlot *slot)
{
	pg_atomic_write_u32(&slot->ready, 1);
	SpinLockAcquire(&slot->meta_lock);
	slot->state = GF_LS_RUNNING;
	slot->started_at = GetCurrentTimestamp();
	slot->last_error[0] = '\0';
	SpinLockRelease(&slot->meta_lock);
}

double
gf_shmem_max_queue_fill(void)
{
	GfShared   *sh = gf_shmem_get();
	double		worst = 0.0;
	int			i;

	if (sh == NULL)
		return 0.0;
	for (i = 0; i < sh->nslots; i++)
	{
		GfWorkerSlot *slot = &sh->slots[i];
		uint64		buf;
		uint64		queued;

		/* a JetStream source or a stopped worker publishes no socket gauges */
		if (pg_atomic_read_u32(&slot->pid) == 0)
			continue;
		buf = pg_atomic_read_u64(&slot->counters[GF_C_rcvbuf_bytes]);
		queued = pg_atomic_read_u64(&slot->counters[GF_C_rcvq_bytes]);
		if (buf > 0 && (double) queued / (double) buf > worst)
			worst = (double) queued / (double) buf;
	}
	return worst;
}
