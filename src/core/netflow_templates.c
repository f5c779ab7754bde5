/*
 * netflow_templates.c
 *    The template store: a chained hash table of heap copies of templates.
 *
 *    The number of templates over all exporters is capped, since every
 *    exporter can announce as many template ids as it likes; a template
 *    over the cap is refused (the caller counts it).  A redefinition of an
 *    existing id replaces the old layout and does not count against the
 *    cap twice.
 */
#include "netflow_templates.h"

#include <stdlib.h>
#include <string.h>

struct gf_nf_templates
{
	uint32_t	max;
	uint32_t	count;
	uint32_t	mask;			/* buckets - 1 */
	uint64_t   *changes;		/* shared change counter */
	gf_nf_template **buckets;
};

static size_t
tpl_size(uint16_t n_fields)
{
	return sizeof(gf_nf_template) + (size_t) n_fields * sizeof(gf_nf_tfield);
}

gf_nf_templates *
gf_nf_templates_new(uint32_t max_templates, uint64_t *changes)
{
	gf_nf_templates *t = calloc(1, sizeof(*t));
	uint32_t	nb = 64;

	if (t == NULL)
		return NULL;
	/* About one bucket per two templates at the cap, at most 64k buckets. */
	while (nb < max_templates / 2 && nb < 65536)
		nb <<= 1;
	t->buckets = calloc(nb, sizeof(*t->buckets));
	if (t->buckets == NULL)
	{
		free(t);
		return NULL;
	}
	t->max = max_templates;
	t->mask = nb - 1;
	t->changes = changes;
	return t;
}

void
gf_nf_templates_free(gf_nf_templates *t)
{
	uint32_t	i;

	if (t == NULL)
		return;
	for (i = 0; i <= t->mask; i++)
	{
		gf_nf_template *e = t->buckets[i];

		while (e)
		{
			gf_nf_template *next = e->next;

			free(e);
			e = next;
		}
	}
	free(t->buckets);
	free(t);
}

static gf_nf_template **
tpl_slot(const gf_nf_templates *t, const gf_nf_scope *scope, uint16_t id)
{
	gf_nf_template **pp = &t->buckets[gf_nf_scope_hash(scope, id) & t->mask];

	while (*pp && !((*pp)->id == id && gf_nf_scope_eq(&(*pp)->scope, scope)))
		pp = &(*pp)->next;
	return pp;
}

const gf_nf_template *
gf_nf_templates_find(const gf_nf_templates *t, const gf_nf_scope *scope,
					 uint16_t id)
{
	return *tpl_slot(t, scope, id);
}

static bool
tpl_same_layout(const gf_nf_template *a, const gf_nf_template *b)
{
	return a->options == b->options && a->n_scope == b->n_scope &&
		a->n_fields == b->n_fields &&
		memcmp(a->fields, b->fields, (size_t) a->n_fields * sizeof(gf_nf_tfield)) == 0;
}

gf_nf_put
gf_nf_templates_put(gf_nf_templates *t, const gf_nf_template *tpl)
{
	gf_nf_template **pp = tpl_slot(t, &tpl->scope, tpl->id);
	gf_nf_template *old = *pp;
	gf_nf_template *copy;

	/* Exporters resend their templates all the time: keep that cheap. */
	if (old && tpl_same_layout(old, tpl))
	{
		if (!tpl->imported)
			old->imported = false;
		return GF_NF_PUT_SAME;
	}
	if (old == NULL && t->count >= t->max)
		return GF_NF_PUT_FULL;
	copy = malloc(tpl_size(tpl->n_fields));
	if (copy == NULL)
		return GF_NF_PUT_NOMEM;
	memcpy(copy, tpl, tpl_size(tpl->n_fields));
	copy->stamp = ++*t->changes;
	if (old)
	{
		copy->next = old->next;
		free(old);
	}
	else
	{
		copy->next = NULL;
		t->count++;
	}
	*pp = copy;
	return GF_NF_PUT_ADDED;
}

uint32_t
gf_nf_templates_withdraw(gf_nf_templates *t, const gf_nf_scope *scope,
						 uint16_t id)
{
	gf_nf_template **pp = tpl_slot(t, scope, id);
	gf_nf_template *e = *pp;

	if (e == NULL)
		return 0;
	*pp = e->next;
	free(e);
	t->count--;
	++*t->changes;
	return 1;
}

uint32_t
gf_nf_templates_withdraw_all(gf_nf_templates *t, const gf_nf_scope *scope,
							 bool options)
{
	uint32_t	removed = 0;
	uint32_t	i;

	/* Rare (an exporter resetting itself), so a full sweep is fine. */
	for (i = 0; i <= t->mask; i++)
	{
		gf_nf_template **pp = &t->buckets[i];

		while (*pp)
		{
			gf_nf_template *e = *pp;

			if (e->options == options && gf_nf_scope_eq(&e->scope, scope))
			{
				*pp = e->next;
				free(e);
				t->count--;
				++*t->changes;
				removed++;
			}
			else
				pp = &e->next;
		}
	}
	return removed;
}

uint32_t
gf_nf_templates_count(const gf_nf_templates *t)
{
	return t->count;
}

void
gf_nf_templates_foreach(const gf_nf_templates *t,
						void (*cb) (void *arg, const gf_nf_template *tpl),
						void *arg)
{
	uint32_t	i;
	const gf_nf_template *e;

	for (i = 0; i <= t->mask; i++)
		for (e = t->buckets[i]; e; e = e->next)
			cb(arg, e);
}
