/*
 * netflow_exporters.c
 *    The per-exporter table: a chained hash table keyed by the exporter
 *    address under the decoder's secret hash key, with a fixed bucket
 *    count sized for max_exporters (chains stay short whatever addresses
 *    arrive, since nobody outside can choose colliding ones).
 */
#include "netflow_exporters.h"

#include <stdlib.h>
#include <string.h>

struct gf_nf_exporters
{
	uint32_t	max;
	uint32_t	count;
	uint32_t	mask;
	gf_hash_key key;
	gf_nf_exporter **buckets;
};

gf_nf_exporters *
gf_nf_exporters_new(uint32_t max_exporters, const gf_hash_key *key)
{
	gf_nf_exporters *x = calloc(1, sizeof(*x));
	uint32_t	nb = 16;

	if (x == NULL)
		return NULL;
	while (nb < max_exporters && nb < (1u << 20))
		nb <<= 1;
	x->buckets = calloc(nb, sizeof(*x->buckets));
	if (x->buckets == NULL)
	{
		free(x);
		return NULL;
	}
	x->max = max_exporters;
	x->mask = nb - 1;
	x->key = *key;
	return x;
}

void
gf_nf_exporters_free(gf_nf_exporters *x)
{
	uint32_t	i;

	if (x == NULL)
		return;
	for (i = 0; i <= x->mask; i++)
	{
		gf_nf_exporter *e = x->buckets[i];

		while (e)
		{
			gf_nf_exporter *next = e->next;

			free(e);
			e = next;
		}
	}
	free(x->buckets);
	free(x);
}

static gf_nf_exporter **
exporters_slot(const gf_nf_exporters *x, const gf_addr *addr)
{
	gf_nf_exporter **pp;

	pp = &x->buckets[gf_siphash(&x->key, addr, sizeof(*addr)) & x->mask];
	while (*pp && memcmp(&(*pp)->st.exporter, addr, sizeof(*addr)) != 0)
		pp = &(*pp)->next;
	return pp;
}

gf_nf_exporter *
gf_nf_exporters_find(const gf_nf_exporters *x, const gf_addr *addr)
{
	return *exporters_slot(x, addr);
}

gf_nf_exporter *
gf_nf_exporters_get(gf_nf_exporters *x, const gf_addr *addr, uint64_t now_ns)
{
	gf_nf_exporter **pp = exporters_slot(x, addr);
	gf_nf_exporter *e = *pp;

	if (e)
	{
		/* Holding state again: it is no longer a candidate for reaping. */
		e->dying = false;
		return e;
	}
	if (x->count >= x->max)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->st.exporter = *addr;
	e->st.first_seen_ns = now_ns;
	e->st.last_seen_ns = now_ns;
	*pp = e;
	x->count++;
	return e;
}

uint32_t
gf_nf_exporters_count(const gf_nf_exporters *x)
{
	return x->count;
}

uint32_t
gf_nf_exporters_mark_idle(gf_nf_exporters *x, uint64_t now_ns, uint64_t idle_ns)
{
	uint32_t	marked = 0;
	uint32_t	i;
	gf_nf_exporter *e;

	for (i = 0; i <= x->mask; i++)
		for (e = x->buckets[i]; e; e = e->next)
			if (e->st.last_seen_ns == 0)
			{
				/*
				 * Made from saved state at start, not heard from yet: the
				 * idle time counts from the first upkeep after the start.
				 */
				e->st.last_seen_ns = now_ns;
			}
			else if (now_ns > e->st.last_seen_ns &&
				now_ns - e->st.last_seen_ns > idle_ns)
			{
				e->dying = true;
				marked++;
			}
	return marked;
}

static bool
exporter_holds_nothing(const gf_nf_exporter *e)
{
	return e->st.templates == 0 && e->st.template_bytes == 0 &&
		e->st.sampling_entries == 0 && e->st.pending_bytes == 0;
}

uint32_t
gf_nf_exporters_reap(gf_nf_exporters *x)
{
	uint32_t	freed = 0;
	uint32_t	i;

	for (i = 0; i <= x->mask; i++)
	{
		gf_nf_exporter **pp = &x->buckets[i];

		while (*pp)
		{
			gf_nf_exporter *e = *pp;

			if (e->dying && exporter_holds_nothing(e))
			{
				*pp = e->next;
				free(e);
				x->count--;
				freed++;
			}
			else
			{
				e->dying = false;
				pp = &e->next;
			}
		}
	}
	return freed;
}

void
gf_nf_exporters_foreach(const gf_nf_exporters *x,
						void (*cb) (void *arg, const gf_exporter_stats *s),
						void *arg)
{
	uint32_t	i;
	const gf_nf_exporter *e;

	for (i = 0; i <= x->mask; i++)
		for (e = x->buckets[i]; e; e = e->next)
			cb(arg, &e->st);
}

void
gf_nf_exporters_reset_counts(gf_nf_exporters *x)
{
	uint32_t	i;
	gf_nf_exporter *e;

	for (i = 0; i <= x->mask; i++)
		for (e = x->buckets[i]; e; e = e->next)
		{
			e->st.datagrams = 0;
			e->st.templates_refused = 0;
			e->st.templates_evicted = 0;
			e->st.sampling_refused = 0;
			e->st.pending_refused = 0;
			e->st.pending_evicted = 0;
		}
}

void
gf_nf_exporters_foreach_entry(gf_nf_exporters *x,
							  void (*cb) (void *arg, gf_nf_exporter *e),
							  void *arg)
{
	uint32_t	i;
	gf_nf_exporter *e;

	for (i = 0; i <= x->mask; i++)
		for (e = x->buckets[i]; e; e = e->next)
			cb(arg, e);
}
