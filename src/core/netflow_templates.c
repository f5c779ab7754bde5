/*
 * netflow_templates.c
 *    The template store: heap copies of templates in a chained hash table
 *    keyed by (scope, template id) under the decoder's secret hash key,
 *    plus, per scope, one list of data templates and one of options
 *    templates so that an IPFIX withdraw-all touches only what it removes.
 *
 *    A template is stored with its decode plan (netflow_plan.h), compiled
 *    here once, in the same allocation and charged with it.
 *
 *    Limits: a count and a byte total over all exporters (the worker's
 *    memory), and a count and byte total per exporter, charged to the
 *    exporter's entry in gf_nf_exporters, so that one exporter cannot use
 *    up the room of the others.  A redefinition of an existing id replaces
 *    the old layout and is charged only the difference.  At the totals, a
 *    new template from the wire pushes out the least recently used ones
 *    (one list in use order over all templates), so that templates no
 *    data set uses -- what a spoofing flood leaves -- make room for a new
 *    exporter instead of locking it out.
 */
#include "netflow_templates.h"

#include <stdlib.h>
#include <string.h>

#include "netflow_plan.h"

/* The templates of one scope, split by kind (withdraw-all names a kind). */
typedef struct gf_nf_tscope
{
	struct gf_nf_tscope *next;	/* hash chain */
	gf_nf_scope scope;
	uint32_t	count;
	gf_nf_template *head[2];	/* [0] data, [1] options */
} gf_nf_tscope;

struct gf_nf_templates
{
	gf_nf_templates_limits lim;
	uint32_t	count;
	uint64_t	bytes;
	uint32_t	mask;			/* buckets - 1 (templates and scopes alike) */
	uint64_t   *changes;		/* shared change counter */
	uint64_t	probes;			/* chain entries visited by look-ups */
	uint64_t	evicted;		/* removed to make room under the totals */
	/*
	 * The template the last look-up found: an exporter's data sets come
	 * one after another with one template id, so most look-ups skip the
	 * hash.  Cleared when that template is freed.
	 */
	const gf_nf_template *last;
	gf_nf_template *lru_head;	/* most recently used */
	gf_nf_template *lru_tail;	/* least recently used: evicted first */
	gf_hash_key key;
	gf_nf_exporters *exporters;
	gf_nf_template **buckets;
	gf_nf_tscope **scopes;
};

static size_t
tpl_size(uint16_t n_fields)
{
	return sizeof(gf_nf_template) + (size_t) n_fields * sizeof(gf_nf_tfield);
}


gf_nf_templates *
gf_nf_templates_new(const gf_nf_templates_limits *lim,
					gf_nf_exporters *exporters, const gf_hash_key *key,
					uint64_t *changes)
{
	gf_nf_templates *t = calloc(1, sizeof(*t));
	uint32_t	nb = 64;

	if (t == NULL)
		return NULL;
	/* About one bucket per template at the cap, at most 64k buckets. */
	while (nb < lim->max_templates && nb < 65536)
		nb <<= 1;
	t->buckets = calloc(nb, sizeof(*t->buckets));
	t->scopes = calloc(nb, sizeof(*t->scopes));
	if (t->buckets == NULL || t->scopes == NULL)
	{
		free(t->buckets);
		free(t->scopes);
		free(t);
		return NULL;
	}
	t->lim = *lim;
	t->mask = nb - 1;
	t->changes = changes;
	t->key = *key;
	t->exporters = exporters;
	return t;
}

void
gf_nf_templates_free(gf_nf_templates *t)
{
	gf_nf_template *e;

	if (t == NULL)
		return;

	/*
	 * Every template is on the use-order list and every scope holds at
	 * least one template: walking the list frees both, in time
	 * proportional to what is held rather than to the bucket count.
	 */
	e = t->lru_head;
	while (e)
	{
		gf_nf_template *next = e->lru_next;

		if (--e->tscope->count == 0)
			free(e->tscope);
		free(e);
		e = next;
	}
	free(t->buckets);
	free(t->scopes);
	free(t);
}

/* Hash of a scope and a 16-bit extra (the template id; 0 for a scope). */
static uint32_t
tpl_hash(const gf_nf_templates *t, const gf_nf_scope *scope, uint16_t id)
{
	uint8_t		buf[sizeof(gf_nf_scope) + 2];

	memcpy(buf, scope, sizeof(*scope));
	buf[sizeof(*scope)] = (uint8_t) (id >> 8);
	buf[sizeof(*scope) + 1] = (uint8_t) id;
	return (uint32_t) gf_siphash(&t->key, buf, sizeof(buf));
}

static gf_nf_template **
tpl_slot(gf_nf_templates *t, const gf_nf_scope *scope, uint16_t id)
{
	gf_nf_template **pp = &t->buckets[tpl_hash(t, scope, id) & t->mask];

	while (*pp && !((*pp)->id == id && gf_nf_scope_eq(&(*pp)->scope, scope)))
	{
		t->probes++;
		pp = &(*pp)->next;
	}
	return pp;
}

static gf_nf_tscope **
tscope_slot(gf_nf_templates *t, const gf_nf_scope *scope)
{
	gf_nf_tscope **pp = &t->scopes[tpl_hash(t, scope, 0) & t->mask];

	while (*pp && !gf_nf_scope_eq(&(*pp)->scope, scope))
	{
		t->probes++;
		pp = &(*pp)->next;
	}
	return pp;
}

const gf_nf_template *
gf_nf_templates_find(const gf_nf_templates *t, const gf_nf_scope *scope,
					 uint16_t id)
{
	/* Look-ups count probes and keep the last hit; the table is unchanged. */
	gf_nf_templates *m = (gf_nf_templates *) t;
	const gf_nf_template *e = m->last;

	if (e != NULL && e->id == id && gf_nf_scope_eq(&e->scope, scope))
		return e;
	e = *tpl_slot(m, scope, id);
	if (e != NULL)
		m->last = e;
	return e;
}

static bool
tpl_same_layout(const gf_nf_template *a, const gf_nf_template *b)
{
	return a->options == b->options && a->n_scope == b->n_scope &&
		a->n_fields == b->n_fields &&
		memcmp(a->fields, b->fields, (size_t) a->n_fields * sizeof(gf_nf_tfield)) == 0;
}

/* Link e at the head of its scope's list of its kind. */
static void
tpl_link_scope(gf_nf_template *e, gf_nf_tscope *s)
{
	gf_nf_template **head = &s->head[e->options ? 1 : 0];

	e->tscope = s;
	e->sc_prev = NULL;
	e->sc_next = *head;
	if (*head)
		(*head)->sc_prev = e;
	*head = e;
	s->count++;
}

/* Unlink e from its scope's list; frees the scope when it empties. */
static void
tpl_unlink_scope(gf_nf_templates *t, gf_nf_template *e)
{
	gf_nf_tscope *s = e->tscope;

	if (e->sc_prev)
		e->sc_prev->sc_next = e->sc_next;
	else
		s->head[e->options ? 1 : 0] = e->sc_next;
	if (e->sc_next)
		e->sc_next->sc_prev = e->sc_prev;
	if (--s->count == 0)
	{
		gf_nf_tscope **pp = tscope_slot(t, &s->scope);

		*pp = s->next;
		free(s);
	}
}

static void
tpl_lru_unlink(gf_nf_templates *t, gf_nf_template *e)
{
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		t->lru_head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		t->lru_tail = e->lru_prev;
}

static void
tpl_lru_push(gf_nf_templates *t, gf_nf_template *e)
{
	e->lru_prev = NULL;
	e->lru_next = t->lru_head;
	if (t->lru_head)
		t->lru_head->lru_prev = e;
	else
		t->lru_tail = e;
	t->lru_head = e;
}

void
gf_nf_templates_touch(gf_nf_templates *t, const gf_nf_template *tpl)
{
	/* The store owns the template; callers only hold a const view. */
	gf_nf_template *e = (gf_nf_template *) tpl;

	if (t->lru_head == e)
		return;
	tpl_lru_unlink(t, e);
	tpl_lru_push(t, e);
}

uint64_t
gf_nf_templates_evicted(const gf_nf_templates *t)
{
	return t->evicted;
}

/* Uncharge and free a template already unlinked from its hash chain. */
static void
tpl_release(gf_nf_templates *t, gf_nf_template *e)
{
	size_t		sz = e->bytes;

	if (t->last == e)
		t->last = NULL;
	tpl_lru_unlink(t, e);
	tpl_unlink_scope(t, e);
	e->owner->st.templates--;
	e->owner->st.template_bytes -= sz;
	t->count--;
	t->bytes -= sz;
	++*t->changes;
	free(e);
}

gf_nf_put
gf_nf_templates_put(gf_nf_templates *t, const gf_nf_template *tpl,
					uint64_t now_ns, bool may_evict)
{
	gf_nf_template **pp = tpl_slot(t, &tpl->scope, tpl->id);
	gf_nf_template *old = *pp;
	gf_nf_exporter *owner;
	gf_nf_tscope **sp;
	gf_nf_tscope *s;
	gf_nf_template *copy;
	bool		planned;
	size_t		plan_sz;
	size_t		sz;
	size_t		old_sz = old ? old->bytes : 0;

	/* Exporters resend their templates all the time: keep that cheap. */
	if (old && tpl_same_layout(old, tpl))
	{
		if (!tpl->imported)
			old->imported = false;
		return GF_NF_PUT_SAME;
	}
	/* The decode plan is charged with the fields, under the same limits. */
	planned = gf_nf_plan_compile(tpl, NULL, &plan_sz);
	sz = tpl_size(tpl->n_fields) + plan_sz;
	owner = old ? old->owner :
		gf_nf_exporters_get(t->exporters, &tpl->scope.exporter, now_ns);
	if (owner == NULL)
		return GF_NF_PUT_FULL;	/* the exporter table is full */
	if ((old == NULL && owner->st.templates >= t->lim.per_exporter) ||
		owner->st.template_bytes - old_sz + sz > t->lim.bytes_per_exporter)
	{
		owner->st.templates_refused++;
		return GF_NF_PUT_EXPORTER_FULL;
	}
	/*
	 * Room under the totals: evict the least recently used templates of
	 * any exporter.  Each eviction removes what an earlier datagram paid
	 * for, so the work stays in proportion to the input.  A redefinition
	 * (old) does not evict: it is charged only a difference, and old
	 * could itself be the victim.
	 */
	while (may_evict && old == NULL && t->lru_tail != NULL &&
		   (t->count >= t->lim.max_templates ||
			t->bytes + sz > t->lim.max_bytes))
	{
		gf_nf_template *victim = t->lru_tail;

		victim->owner->st.templates_evicted++;
		t->evicted++;
		gf_nf_templates_withdraw(t, &victim->scope, victim->id);
		/* The chain pp points into may have lost an entry. */
		pp = tpl_slot(t, &tpl->scope, tpl->id);
	}
	if ((old == NULL && t->count >= t->lim.max_templates) ||
		t->bytes - old_sz + sz > t->lim.max_bytes)
	{
		owner->st.templates_refused++;
		return GF_NF_PUT_FULL;
	}
	sp = tscope_slot(t, &tpl->scope);
	s = *sp;
	if (s == NULL)
	{
		s = calloc(1, sizeof(*s));
		if (s == NULL)
			return GF_NF_PUT_NOMEM;
		s->scope = tpl->scope;
		*sp = s;
	}
	copy = malloc(sz);
	if (copy == NULL)
	{
		if (s->count == 0)
		{
			*sp = s->next;
			free(s);
		}
		return GF_NF_PUT_NOMEM;
	}
	memcpy(copy, tpl, tpl_size(tpl->n_fields));
	copy->owner = owner;
	copy->planned = planned;
	copy->bytes = (uint32_t) sz;
	if (planned)
		(void) gf_nf_plan_compile(copy, (gf_nf_plan *) (void *) &copy->fields[copy->n_fields],
								  &plan_sz);
	if (old)
	{
		/* Same id, new layout (maybe a new kind): take the old one's place. */
		copy->next = old->next;
		*pp = copy;
		tpl_release(t, old);
		/* tpl_release freed the scope if old was its only template. */
		sp = tscope_slot(t, &tpl->scope);
		if (*sp == NULL)
		{
			s = calloc(1, sizeof(*s));
			if (s == NULL)
			{
				*pp = copy->next;
				free(copy);
				return GF_NF_PUT_NOMEM;
			}
			s->scope = tpl->scope;
			*sp = s;
		}
		s = *sp;
	}
	else
	{
		copy->next = NULL;
		*pp = copy;
	}
	tpl_link_scope(copy, s);
	tpl_lru_push(t, copy);
	copy->stamp = ++*t->changes;
	owner->st.templates++;
	owner->st.template_bytes += sz;
	t->count++;
	t->bytes += sz;
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
	tpl_release(t, e);
	return 1;
}

uint32_t
gf_nf_templates_withdraw_all(gf_nf_templates *t, const gf_nf_scope *scope,
							 bool options)
{
	gf_nf_tscope *s = *tscope_slot(t, scope);
	uint32_t	removed = 0;

	/*
	 * Each step removes one template (found again through its hash chain,
	 * a short walk); when the scope empties, tpl_release frees it.
	 */
	while (s && s->head[options ? 1 : 0])
	{
		gf_nf_template *e = s->head[options ? 1 : 0];
		bool		last = s->count == 1;

		removed += gf_nf_templates_withdraw(t, scope, e->id);
		if (last)
			break;
	}
	return removed;
}

uint32_t
gf_nf_templates_count(const gf_nf_templates *t)
{
	return t->count;
}

uint64_t
gf_nf_templates_bytes(const gf_nf_templates *t)
{
	return t->bytes;
}

uint64_t
gf_nf_templates_probes(const gf_nf_templates *t)
{
	return t->probes;
}

uint32_t
gf_nf_templates_drop_dying(gf_nf_templates *t)
{
	uint32_t	dropped = 0;
	uint32_t	i;

	for (i = 0; i <= t->mask; i++)
	{
		gf_nf_template **pp = &t->buckets[i];

		while (*pp)
		{
			gf_nf_template *e = *pp;

			if (e->owner->dying)
			{
				*pp = e->next;
				tpl_release(t, e);
				dropped++;
			}
			else
				pp = &e->next;
		}
	}
	return dropped;
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
