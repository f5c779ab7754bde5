/*
 * netflow_pending.c
 *    The pending-set store.  Kept sets are grouped by (scope, set id) in a
 *    keyed hash table, so a template's arrival finds its sets in one
 *    look-up; every set is also on one list in arrival order, which gives
 *    expiry and the global limit their victim (the oldest set) at once.
 *    Both orders are arrival order, so the oldest set overall is always
 *    the first of its group: sets only ever leave a group at its head.
 *
 *    Each kept set is charged its body plus its bookkeeping, so many tiny
 *    sets cannot slip past the byte limits.
 */
#include "netflow_pending.h"

#include <stdlib.h>
#include <string.h>

typedef struct pending_group pending_group;

typedef struct pending_set
{
	struct pending_set *g_next; /* next in its group */
	struct pending_set *age_prev;	/* arrival list */
	struct pending_set *age_next;
	pending_group *group;
	gf_nf_msg	msg;
	size_t		len;
	uint8_t		body[];
} pending_set;

struct pending_group
{
	pending_group *next;		/* hash chain, or the ready queue */
	gf_nf_scope scope;
	uint16_t	set_id;
	bool		ready;
	gf_nf_exporter *owner;
	pending_set *head;
	pending_set *tail;
};

struct gf_nf_pending
{
	uint32_t	bytes_per_exporter;
	size_t		total_max;
	size_t		total_bytes;
	uint32_t	mask;
	gf_hash_key key;
	gf_nf_exporters *exporters;
	pending_group **buckets;
	pending_set *age_head;
	pending_set *age_tail;
	pending_group *ready_head;
	pending_group *ready_tail;
	uint32_t	n_groups;		/* groups in the hash table (not ready) */
};

#define PENDING_BUCKETS 4096

static size_t
pending_charge(size_t len)
{
	return sizeof(pending_set) + len;
}

gf_nf_pending *
gf_nf_pending_new(uint32_t bytes_per_exporter, size_t total_bytes,
				  gf_nf_exporters *exporters, const gf_hash_key *key)
{
	gf_nf_pending *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->buckets = calloc(PENDING_BUCKETS, sizeof(*p->buckets));
	if (p->buckets == NULL)
	{
		free(p);
		return NULL;
	}
	p->mask = PENDING_BUCKETS - 1;
	p->bytes_per_exporter = bytes_per_exporter;
	p->total_max = total_bytes;
	p->exporters = exporters;
	p->key = *key;
	return p;
}

void
gf_nf_pending_free(gf_nf_pending *p)
{
	uint32_t	i;
	pending_set *s;
	pending_group *g;

	if (p == NULL)
		return;
	s = p->age_head;
	while (s)
	{
		pending_set *next = s->age_next;

		free(s);
		s = next;
	}
	/* Only groups with sets waiting are in the table. */
	for (i = 0; p->n_groups > 0 && i <= p->mask; i++)
		for (g = p->buckets[i]; g;)
		{
			pending_group *next = g->next;

			free(g);
			g = next;
			p->n_groups--;
		}
	for (g = p->ready_head; g;)
	{
		pending_group *next = g->next;

		free(g);
		g = next;
	}
	free(p->buckets);
	free(p);
}

static pending_group **
pending_slot(const gf_nf_pending *p, const gf_nf_scope *scope, uint16_t set_id)
{
	uint8_t		buf[sizeof(gf_nf_scope) + 2];
	pending_group **pp;

	memcpy(buf, scope, sizeof(*scope));
	buf[sizeof(*scope)] = (uint8_t) (set_id >> 8);
	buf[sizeof(*scope) + 1] = (uint8_t) set_id;
	pp = &p->buckets[gf_siphash(&p->key, buf, sizeof(buf)) & p->mask];
	while (*pp && !((*pp)->set_id == set_id &&
					gf_nf_scope_eq(&(*pp)->scope, scope)))
		pp = &(*pp)->next;
	return pp;
}

/*
 * Take the first set of its group off every list and uncharge it.  A
 * waiting group left empty is freed; a ready one stays queued (empty) and
 * is freed when the release reaches it, since the queue is singly linked.
 */
static pending_set *
pending_pop(gf_nf_pending *p, pending_group *g)
{
	pending_set *s = g->head;

	g->head = s->g_next;
	if (g->head == NULL)
		g->tail = NULL;
	if (s->age_prev)
		s->age_prev->age_next = s->age_next;
	else
		p->age_head = s->age_next;
	if (s->age_next)
		s->age_next->age_prev = s->age_prev;
	else
		p->age_tail = s->age_prev;
	g->owner->st.pending_bytes -= pending_charge(s->len);
	p->total_bytes -= pending_charge(s->len);
	if (g->head == NULL && !g->ready)
	{
		pending_group **pp = pending_slot(p, &g->scope, g->set_id);

		*pp = g->next;
		free(g);
		p->n_groups--;
	}
	return s;
}

gf_nf_pending_rc
gf_nf_pending_add(gf_nf_pending *p, const gf_nf_msg *msg, uint16_t set_id,
				  const uint8_t *body, size_t len, uint32_t *evicted)
{
	size_t		charge = pending_charge(len);
	gf_nf_exporter *owner;
	pending_group **gp;
	pending_group *g;
	pending_set *s;

	*evicted = 0;
	owner = gf_nf_exporters_get(p->exporters, &msg->scope.exporter,
								msg->time_received_ns);
	if (owner == NULL)
		return GF_NF_PENDING_NO_ROOM;
	if (owner->st.pending_bytes + charge > p->bytes_per_exporter ||
		charge > p->total_max)
	{
		owner->st.pending_refused++;
		return GF_NF_PENDING_EXPORTER_FULL;
	}
	/*
	 * Make room from the oldest sets.  Each eviction removes a set that an
	 * earlier datagram paid for, so the work stays proportional to input.
	 */
	while (p->total_bytes + charge > p->total_max && p->age_head)
	{
		pending_group *vg = p->age_head->group;

		vg->owner->st.pending_evicted++;
		free(pending_pop(p, vg));
		(*evicted)++;
	}
	s = malloc(charge);
	if (s == NULL)
		return GF_NF_PENDING_NO_ROOM;
	gp = pending_slot(p, &msg->scope, set_id);
	g = *gp;
	if (g == NULL)
	{
		g = calloc(1, sizeof(*g));
		if (g == NULL)
		{
			free(s);
			return GF_NF_PENDING_NO_ROOM;
		}
		g->scope = msg->scope;
		g->set_id = set_id;
		g->owner = owner;
		*gp = g;
		p->n_groups++;
	}
	s->g_next = NULL;
	s->group = g;
	s->msg = *msg;
	s->len = len;
	memcpy(s->body, body, len);
	if (g->tail)
		g->tail->g_next = s;
	else
		g->head = s;
	g->tail = s;
	s->age_next = NULL;
	s->age_prev = p->age_tail;
	if (p->age_tail)
		p->age_tail->age_next = s;
	else
		p->age_head = s;
	p->age_tail = s;
	owner->st.pending_bytes += charge;
	p->total_bytes += charge;
	return GF_NF_PENDING_KEPT;
}

void
gf_nf_pending_mark_ready(gf_nf_pending *p, const gf_nf_scope *scope,
						 uint16_t set_id)
{
	pending_group **gp;
	pending_group *g;

	if (p->age_head == NULL)
		return;
	gp = pending_slot(p, scope, set_id);
	g = *gp;
	if (g == NULL)
		return;
	*gp = g->next;
	p->n_groups--;
	g->next = NULL;
	g->ready = true;
	if (p->ready_tail)
		p->ready_tail->next = g;
	else
		p->ready_head = g;
	p->ready_tail = g;
}

static bool
pending_too_old(const pending_set *s, uint64_t now_ns, uint64_t max_age_ns)
{
	return now_ns > s->msg.time_received_ns &&
		now_ns - s->msg.time_received_ns > max_age_ns;
}

uint32_t
gf_nf_pending_release(gf_nf_pending *p, uint64_t now_ns, uint64_t max_age_ns,
					  size_t budget, bool at_least_one, gf_nf_pending_cb cb,
					  void *arg, uint32_t *expired)
{
	uint32_t	taken = 0;
	size_t		spent = 0;

	*expired = 0;
	while (p->ready_head)
	{
		pending_group *g = p->ready_head;
		pending_set *s;

		if (g->head == NULL)
		{
			p->ready_head = g->next;
			if (p->ready_head == NULL)
				p->ready_tail = NULL;
			free(g);
			continue;
		}
		/* The budget is a cap, except that at_least_one lets one set go. */
		if ((spent > 0 || !at_least_one) &&
			spent + pending_charge(g->head->len) > budget)
			break;
		/* Unlinked before the callback: it must not see a half-updated store. */
		s = pending_pop(p, g);
		if (pending_too_old(s, now_ns, max_age_ns))
			(*expired)++;
		else
		{
			cb(arg, &s->msg, g->set_id, s->body, s->len);
			taken++;
		}
		spent += pending_charge(s->len);
		free(s);
	}
	return taken;
}

bool
gf_nf_pending_has_ready(const gf_nf_pending *p)
{
	return p->ready_head != NULL;
}

uint32_t
gf_nf_pending_expire(gf_nf_pending *p, uint64_t now_ns, uint64_t max_age_ns)
{
	uint32_t	dropped = 0;

	/* The list is in arrival order: stop at the first young one. */
	while (p->age_head && pending_too_old(p->age_head, now_ns, max_age_ns))
	{
		free(pending_pop(p, p->age_head->group));
		dropped++;
	}
	return dropped;
}

size_t
gf_nf_pending_bytes(const gf_nf_pending *p)
{
	return p->total_bytes;
}
