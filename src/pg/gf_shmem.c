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
					pg_atomic_init_u64(&s->counters[c], 0);
				SpinLockInit(&s->exporters_lock);
				gf_traffic_slot_init(&s->traffic);
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
