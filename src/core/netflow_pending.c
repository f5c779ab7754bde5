/*
 * netflow_pending.c
 *    The pending-set store: one FIFO list of kept sets per exporter
 *    address, the exporters in a small array searched linearly.  An
 *    exporter entry exists only while it has sets waiting, so the array
 *    stays short in normal operation (templates usually come quickly) and
 *    the max_exporters bound only bites under abuse.
 *
 *    Each kept set is charged its body plus its bookkeeping, so many tiny
 *    sets cannot slip past the byte limits.
 */
#include "netflow_pending.h"

#include <stdlib.h>
#include <string.h>

typedef struct pending_set
{
	struct pending_set *next;
	gf_nf_msg	msg;
	uint16_t	set_id;
	size_t		len;
	uint8_t		body[];
} pending_set;

typedef struct pending_exporter
{
	gf_addr		exporter;		/* normalised as in gf_nf_scope */
	size_t		bytes;
	pending_set *head;
	pending_set *tail;
} pending_exporter;

struct gf_nf_pending
{
	uint32_t	bytes_per_exporter;
	uint32_t	max_exporters;
	size_t		total_bytes;
	uint32_t	n_exporters;
	uint32_t	cap_exporters;
	pending_exporter *exporters;
};

static size_t
pending_charge(size_t len)
{
	return sizeof(pending_set) + len;
}

gf_nf_pending *
gf_nf_pending_new(uint32_t bytes_per_exporter, uint32_t max_exporters)
{
	gf_nf_pending *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->bytes_per_exporter = bytes_per_exporter;
	p->max_exporters = max_exporters;
	return p;
}

static void
pending_free_list(pending_set *s)
{
	while (s)
	{
		pending_set *next = s->next;

		free(s);
		s = next;
	}
}

void
gf_nf_pending_free(gf_nf_pending *p)
{
	uint32_t	i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n_exporters; i++)
		pending_free_list(p->exporters[i].head);
	free(p->exporters);
	free(p);
}

static pending_exporter *
pending_find(gf_nf_pending *p, const gf_addr *exporter)
{
	uint32_t	i;

	for (i = 0; i < p->n_exporters; i++)
		if (memcmp(&p->exporters[i].exporter, exporter, sizeof(gf_addr)) == 0)
			return &p->exporters[i];
	return NULL;
}

/* Forget an exporter that has nothing left waiting (swap with the last). */
static void
pending_drop_exporter_if_empty(gf_nf_pending *p, pending_exporter *e)
{
	if (e->head != NULL)
		return;
	*e = p->exporters[p->n_exporters - 1];
	p->n_exporters--;
}

bool
gf_nf_pending_add(gf_nf_pending *p, const gf_nf_msg *msg, uint16_t set_id,
				  const uint8_t *body, size_t len)
{
	pending_exporter *e = pending_find(p, &msg->scope.exporter);
	size_t		charge = pending_charge(len);
	pending_set *s;

	if ((e ? e->bytes : 0) + charge > p->bytes_per_exporter ||
		p->total_bytes + charge > GF_NF_PENDING_TOTAL_BYTES)
		return false;
	if (e == NULL)
	{
		if (p->n_exporters >= p->max_exporters)
			return false;
		if (p->n_exporters == p->cap_exporters)
		{
			uint32_t	ncap = p->cap_exporters ? p->cap_exporters * 2 : 8;
			pending_exporter *n;

			if (ncap > p->max_exporters)
				ncap = p->max_exporters;
			n = realloc(p->exporters, (size_t) ncap * sizeof(*n));
			if (n == NULL)
				return false;
			p->exporters = n;
			p->cap_exporters = ncap;
		}
		e = &p->exporters[p->n_exporters++];
		memset(e, 0, sizeof(*e));
		e->exporter = msg->scope.exporter;
	}
	s = malloc(charge);
	if (s == NULL)
	{
		pending_drop_exporter_if_empty(p, e);
		return false;
	}
	s->next = NULL;
	s->msg = *msg;
	s->set_id = set_id;
	s->len = len;
	memcpy(s->body, body, len);
	if (e->tail)
		e->tail->next = s;
	else
		e->head = s;
	e->tail = s;
	e->bytes += charge;
	p->total_bytes += charge;
	return true;
}

static bool
pending_too_old(const pending_set *s, uint64_t now_ns, uint64_t max_age_ns)
{
	return now_ns > s->msg.time_received_ns &&
		now_ns - s->msg.time_received_ns > max_age_ns;
}

/* Unlink *pp from e's list; prev is the set before it (or NULL). */
static pending_set *
pending_unlink(gf_nf_pending *p, pending_exporter *e, pending_set **pp,
			   pending_set *prev)
{
	pending_set *s = *pp;

	*pp = s->next;
	if (e->tail == s)
		e->tail = prev;
	e->bytes -= pending_charge(s->len);
	p->total_bytes -= pending_charge(s->len);
	return s;
}

uint32_t
gf_nf_pending_take(gf_nf_pending *p, const gf_nf_scope *scope,
				   uint16_t set_id, uint64_t now_ns, uint64_t max_age_ns,
				   gf_nf_pending_cb cb, void *arg, uint32_t *expired)
{
	pending_exporter *e;
	pending_set **pp;
	pending_set *prev = NULL;
	pending_set *ready = NULL;
	pending_set **ready_tail = &ready;
	uint32_t	taken = 0;

	*expired = 0;
	if (p->n_exporters == 0)
		return 0;
	e = pending_find(p, &scope->exporter);
	if (e == NULL)
		return 0;

	/*
	 * First move the matching sets to a private list, then decode them:
	 * the callback must never see this store half-updated.
	 */
	pp = &e->head;
	while (*pp)
	{
		pending_set *s = *pp;

		if (s->set_id == set_id && gf_nf_scope_eq(&s->msg.scope, scope))
		{
			pending_unlink(p, e, pp, prev);
			s->next = NULL;
			*ready_tail = s;
			ready_tail = &s->next;
		}
		else
		{
			prev = s;
			pp = &s->next;
		}
	}
	pending_drop_exporter_if_empty(p, e);

	while (ready)
	{
		pending_set *s = ready;

		ready = s->next;
		if (pending_too_old(s, now_ns, max_age_ns))
			(*expired)++;
		else
		{
			cb(arg, &s->msg, s->set_id, s->body, s->len);
			taken++;
		}
		free(s);
	}
	return taken;
}

uint32_t
gf_nf_pending_expire(gf_nf_pending *p, uint64_t now_ns, uint64_t max_age_ns)
{
	uint32_t	dropped = 0;
	uint32_t	i = 0;

	while (i < p->n_exporters)
	{
		pending_exporter *e = &p->exporters[i];

		/* Lists are in arrival order: stop at the first young one. */
		while (e->head && pending_too_old(e->head, now_ns, max_age_ns))
		{
			free(pending_unlink(p, e, &e->head, NULL));
			dropped++;
		}
		if (e->head == NULL)
			pending_drop_exporter_if_empty(p, e);	/* slot i now holds another */
		else
			i++;
	}
	return dropped;
}

size_t
gf_nf_pending_bytes(const gf_nf_pending *p)
{
	return p->total_bytes;
}
