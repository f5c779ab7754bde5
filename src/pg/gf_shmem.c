/*
 * gf_shmem.c
 *    Creation of, and access to, the workers' shared slots (gf_shmem.h).
 *
 *    The size is requested in shmem_request_hook (goflow2plus.c) from the
 *    listen setting parsed in _PG_init; goflow2plus.listen can change only
 *    at a restart, so the slot count is fixed for the life of the segment.
 */
#include "postgres.h"

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

Size
gf_shmem_size(int nslots)
{
	return add_size(offsetof(GfShared, slots),
					mul_size(sizeof(GfWorkerSlot), Max(nslots, 0)));
}

void
gf_shmem_startup(const gf_listen_list *listen)
{
	bool		found;
	int			nslots = (int) listen->sockets;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	gf_shared = ShmemInitStruct("goflow2plus", gf_shmem_size(nslots), &found);
	if (!found)
	{
		int			slot = 0;
		int			e;

		memset(gf_shared, 0, gf_shmem_size(nslots));
		pg_atomic_init_u64(&gf_shared->reset_generation, 0);
		gf_shared->nslots = nslots;
		for (e = 0; e < listen->n; e++)
		{
			uint32		k;

			for (k = 0; k < listen->uri[e].count; k++, slot++)
			{
				GfWorkerSlot *s = &gf_shared->slots[slot];
				int			c;

				s->uri = listen->uri[e];
				s->socket_no = (int) k;
				pg_atomic_init_u32(&s->pid, 0);
				pg_atomic_init_u32(&s->ready, 0);
				for (c = 0; c < GF_NCOUNTERS; c++)
				{
					pg_atomic_init_u64(&s->counters[c], 0);
					pg_atomic_init_u64(&s->baseline[c], 0);
				}
				SpinLockInit(&s->exporters_lock);
			}
		}
		Assert(slot == nslots);
	}
	LWLockRelease(AddinShmemInitLock);
}

GfShared *
gf_shmem_get(void)
{
	return gf_shared;
}

bool
gf_counter_is_gauge(int c)
{
	return c == GF_C_rcvbuf_bytes || c == GF_C_spool_records ||
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
