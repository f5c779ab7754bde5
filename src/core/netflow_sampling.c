/*
 * netflow_sampling.c
 *    The sampling / exporter-facts table: a chained hash table of small
 *    entries, one per (scope, sampler id or none), keyed with the
 *    decoder's secret hash key.  When an exporter has its share, or the
 *    table is full, new keys are refused (and counted on the exporter)
 *    rather than evicting old ones: an exporter spraying sampler ids must
 *    not wipe out the rates of another, nor of its own earlier samplers.
 */
#include "netflow_sampling.h"

#include <stdlib.h>
#include <string.h>

#define SAMPLING_BUCKETS 4096

typedef struct sampling_entry
{
	struct sampling_entry *next;
	gf_nf_exporter *owner;
	gf_nf_scope scope;
	bool		has_sampler;
	uint64_t	sampler_id;
	bool		has_rate;
	uint64_t	rate;
	bool		has_init;
	uint64_t	init_ms;
	uint64_t	stamp;			/* change count of its last change */
} sampling_entry;

struct gf_nf_sampling
{
	uint32_t	max;
	uint32_t	per_exporter;
	uint32_t	count;
	uint64_t   *changes;		/* shared with the template store */
	gf_hash_key key;
	gf_nf_exporters *exporters;
	sampling_entry *buckets[SAMPLING_BUCKETS];
};

gf_nf_sampling *
gf_nf_sampling_new(uint32_t max_entries, uint32_t per_exporter,
				   gf_nf_exporters *exporters, const gf_hash_key *key,
				   uint64_t *changes)
{
	gf_nf_sampling *s = calloc(1, sizeof(*s));

	if (s)
	{
		s->max = max_entries;
		s->per_exporter = per_exporter;
		s->changes = changes;
		s->key = *key;
		s->exporters = exporters;
	}
	return s;
}

void
gf_nf_sampling_free(gf_nf_sampling *s)
{
	int			i;

	if (s == NULL)
		return;
	for (i = 0; s->count > 0 && i < SAMPLING_BUCKETS; i++)
	{
		sampling_entry *e = s->buckets[i];

		while (e)
		{
			sampling_entry *next = e->next;

			free(e);
			e = next;
		}
	}
	free(s);
}

static uint32_t
sampling_bucket(const gf_nf_sampling *s, const gf_nf_scope *scope,
				bool has_sampler, uint64_t sampler_id)
{
	uint8_t		buf[sizeof(gf_nf_scope) + 9];
	int			i;

	memcpy(buf, scope, sizeof(*scope));
	buf[sizeof(*scope)] = has_sampler;
	for (i = 0; i < 8; i++)
		buf[sizeof(*scope) + 1 + i] = (uint8_t) (sampler_id >> (8 * i));
	return (uint32_t) (gf_siphash(&s->key, buf, sizeof(buf)) % SAMPLING_BUCKETS);
}

static sampling_entry *
sampling_find(const gf_nf_sampling *s, const gf_nf_scope *scope,
			  bool has_sampler, uint64_t sampler_id)
{
	sampling_entry *e;

	if (!has_sampler)
		sampler_id = 0;
	e = s->buckets[sampling_bucket(s, scope, has_sampler, sampler_id)];
	for (; e; e = e->next)
		if (e->has_sampler == has_sampler && e->sampler_id == sampler_id &&
			gf_nf_scope_eq(&e->scope, scope))
			return e;
	return NULL;
}

static sampling_entry *
sampling_get_or_add(gf_nf_sampling *s, const gf_nf_scope *scope,
					bool has_sampler, uint64_t sampler_id, uint64_t now_ns)
{
	sampling_entry *e;
	gf_nf_exporter *owner;
	uint32_t	b;

	if (!has_sampler)
		sampler_id = 0;
	e = sampling_find(s, scope, has_sampler, sampler_id);
	if (e)
		return e;
	owner = gf_nf_exporters_get(s->exporters, &scope->exporter, now_ns);
	if (owner == NULL)
		return NULL;
	if (owner->st.sampling_entries >= s->per_exporter || s->count >= s->max)
	{
		owner->st.sampling_refused++;
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->owner = owner;
	owner->st.sampling_entries++;
	e->scope = *scope;
	e->has_sampler = has_sampler;
	e->sampler_id = sampler_id;
	b = sampling_bucket(s, scope, has_sampler, sampler_id);
	e->next = s->buckets[b];
	s->buckets[b] = e;
	s->count++;
	return e;
}

bool
gf_nf_sampling_set_rate(gf_nf_sampling *s, const gf_nf_scope *scope,
						bool has_sampler, uint64_t sampler_id, uint64_t rate,
						uint64_t now_ns)
{
	sampling_entry *e = sampling_get_or_add(s, scope, has_sampler, sampler_id,
											now_ns);

	if (e == NULL)
		return false;
	/* Options data repeats: only a real change is worth saving again. */
	if (!e->has_rate || e->rate != rate)
		e->stamp = ++*s->changes;
	e->has_rate = true;
	e->rate = rate;
	return true;
}

bool
gf_nf_sampling_get_rate(const gf_nf_sampling *s, const gf_nf_scope *scope,
						bool has_sampler, uint64_t sampler_id, uint64_t *rate)
{
	const sampling_entry *e = NULL;

	if (s->count == 0)
		return false;
	if (has_sampler)
		e = sampling_find(s, scope, true, sampler_id);
	if (e == NULL || !e->has_rate)
		e = sampling_find(s, scope, false, 0);
	if (e == NULL || !e->has_rate)
		return false;
	*rate = e->rate;
	return true;
}

bool
gf_nf_sampling_set_init_time(gf_nf_sampling *s, const gf_nf_scope *scope,
							 uint64_t init_ms, uint64_t now_ns)
{
	sampling_entry *e = sampling_get_or_add(s, scope, false, 0, now_ns);

	if (e == NULL)
		return false;
	if (!e->has_init || e->init_ms != init_ms)
		e->stamp = ++*s->changes;
	e->has_init = true;
	e->init_ms = init_ms;
	return true;
}

bool
gf_nf_sampling_get_init_time(const gf_nf_sampling *s, const gf_nf_scope *scope,
							 uint64_t *init_ms)
{
	const sampling_entry *e;

	if (s->count == 0)
		return false;
	e = sampling_find(s, scope, false, 0);
	if (e == NULL || !e->has_init)
		return false;
	*init_ms = e->init_ms;
	return true;
}

void
gf_nf_sampling_foreach(const gf_nf_sampling *s,
					   void (*cb) (void *arg, const gf_nf_sampling_fact *f),
					   void *arg)
{
	int			i;
	const sampling_entry *e;
	gf_nf_sampling_fact f;

	for (i = 0; i < SAMPLING_BUCKETS; i++)
		for (e = s->buckets[i]; e; e = e->next)
		{
			f.scope = e->scope;
			f.has_sampler = e->has_sampler;
			f.sampler_id = e->sampler_id;
			f.has_rate = e->has_rate;
			f.rate = e->rate;
			f.has_init = e->has_init;
			f.init_ms = e->init_ms;
			f.stamp = e->stamp;
			cb(arg, &f);
		}
}

bool
gf_nf_sampling_import(gf_nf_sampling *s, const gf_nf_sampling_fact *f,
					  uint64_t now_ns)
{
	sampling_entry *e = sampling_get_or_add(s, &f->scope, f->has_sampler,
											f->sampler_id, now_ns);

	if (e == NULL)
		return false;
	if (f->has_rate && !e->has_rate)
	{
		e->has_rate = true;
		e->rate = f->rate;
		e->stamp = ++*s->changes;
	}
	if (f->has_init && !e->has_init)
	{
		e->has_init = true;
		e->init_ms = f->init_ms;
		e->stamp = ++*s->changes;
	}
	return true;
}

uint32_t
gf_nf_sampling_drop_dying(gf_nf_sampling *s)
{
	uint32_t	dropped = 0;
	int			i;

	for (i = 0; i < SAMPLING_BUCKETS; i++)
	{
		sampling_entry **pp = &s->buckets[i];

		while (*pp)
		{
			sampling_entry *e = *pp;

			if (e->owner->dying)
			{
				*pp = e->next;
				e->owner->st.sampling_entries--;
				s->count--;
				++*s->changes;
				free(e);
				dropped++;
			}
			else
				pp = &e->next;
		}
	}
	return dropped;
}

uint64_t
gf_nf_rate_from_interval_space(uint64_t interval, uint64_t space)
{
	uint64_t	q;
	uint64_t	r;

	if (interval == 0)
		return 0;
	/*
	 * (interval + space) / interval = 1 + space / interval; splitting it
	 * this way cannot overflow for any 64-bit inputs.
	 */
	q = space / interval;
	r = space % interval;
	/* Round half up: r / interval >= 1/2. */
	if (r >= interval - r)
		q++;
	return q + 1;
}

uint64_t
gf_nf_rate_from_size_population(uint64_t size, uint64_t population)
{
	uint64_t	q;
	uint64_t	r;

	if (size == 0)
		return 0;
	q = population / size;
	r = population % size;
	if (r >= size - r)
		q++;
	return q;
}
