/*
 * exporter_rows.c
 *    The table behind goflow2plus.exporters() (exporter_rows.h): a chained
 *    hash table of rows keyed by (address, protocol, domain), with a
 *    fixed bucket count sized for the row limit.
 */
#include "exporter_rows.h"

#include <stdlib.h>
#include <string.h>

typedef struct rows_key
{
	gf_addr		exporter;		/* only the meaningful bytes, rest zero */
	uint8_t		type;
	uint8_t		unused_[2];		/* explicit: hashed as bytes */
	uint32_t	domain;
} rows_key;

typedef struct rows_source
{
	uint32_t	id;
	gf_seq		seq;
} rows_source;

typedef struct rows_entry
{
	struct rows_entry *next;
	rows_key	key;
	gf_exporter_row row;
	gf_seq		seq;
	rows_source *sources;		/* sFlow only, made on first sample */
	uint32_t	n_sources;
	uint32_t	cap_sources;	/* grows 4, 8, ... GF_ROW_SOURCES */
} rows_entry;

struct gf_rows
{
	uint32_t	max;
	uint32_t	count;
	uint32_t	mask;
	gf_hash_key key;
	rows_entry **buckets;
	rows_entry *last;			/* row of the previous datagram: a socket's
								 * datagrams mostly come from one exporter,
								 * so most commits need no hash */
};

gf_rows *
gf_rows_new(uint32_t max_rows, const gf_hash_key *key)
{
	gf_rows    *x = calloc(1, sizeof(*x));
	uint32_t	nb = 16;

	if (x == NULL)
		return NULL;
	while (nb < max_rows && nb < (1u << 20))
		nb <<= 1;
	x->buckets = calloc(nb, sizeof(*x->buckets));
	if (x->buckets == NULL)
	{
		free(x);
		return NULL;
	}
	x->max = max_rows;
	x->mask = nb - 1;
	x->key = *key;
	return x;
}

static void
rows_entry_free(rows_entry *e)
{
	free(e->sources);
	free(e);
}

void
gf_rows_free(gf_rows *x)
{
	uint32_t	i;

	if (x == NULL)
		return;
	for (i = 0; i <= x->mask; i++)
	{
		rows_entry *e = x->buckets[i];

		while (e)
		{
			rows_entry *next = e->next;

			rows_entry_free(e);
			e = next;
		}
	}
	free(x->buckets);
	free(x);
}

void
gf_row_msg_begin(gf_row_msg *m, gf_flow_type type, const gf_addr *exporter,
				 uint32_t domain)
{
	m->valid = true;
	m->type = type;
	memset(&m->exporter, 0, sizeof(m->exporter));
	m->exporter.family = exporter->family;
	if (exporter->family == 4)
		memcpy(m->exporter.bytes, exporter->bytes, 4);
	else if (exporter->family == 6)
		memcpy(m->exporter.bytes, exporter->bytes, 16);
	m->domain = domain;
}

/* Put rate first in a most-recent-first list of distinct rates. */
static void
rows_rate(uint64_t *rates, uint32_t *n, uint64_t rate)
{
	uint32_t	i;
	uint32_t	at;

	for (at = 0; at < *n; at++)
		if (rates[at] == rate)
			break;
	if (at == 0 && *n > 0)
		return;					/* already the latest: the usual case */
	if (at == *n)
	{
		if (*n < GF_ROW_RATES)
			(*n)++;
		at = *n - 1;
	}
	for (i = at; i > 0; i--)
		rates[i] = rates[i - 1];
	rates[0] = rate;
}

void
gf_row_msg_rate(gf_row_msg *m, uint64_t rate)
{
	rows_rate(m->rates, &m->n_rates, rate);
}

static rows_entry **
rows_slot(const gf_rows *x, const rows_key *k)
{
	rows_entry **pp;

	pp = &x->buckets[gf_siphash(&x->key, k, sizeof(*k)) & x->mask];
	while (*pp && memcmp(&(*pp)->key, k, sizeof(*k)) != 0)
		pp = &(*pp)->next;
	return pp;
}

/* The sequence of one sFlow source of a row; NULL when it follows enough. */
static gf_seq *
rows_source_seq(rows_entry *e, uint32_t id)
{
	uint32_t	i;

	for (i = 0; i < e->n_sources; i++)
		if (e->sources[i].id == id)
			return &e->sources[i].seq;
	if (e->n_sources >= GF_ROW_SOURCES)
		return NULL;
	if (e->n_sources == e->cap_sources)
	{
		/* Most agents have few sources: memory grows with what is seen. */
		uint32_t	cap = e->cap_sources == 0 ? 4 : e->cap_sources * 2;
		rows_source *grown = realloc(e->sources, cap * sizeof(*e->sources));

		if (grown == NULL)
			return NULL;
		e->sources = grown;
		e->cap_sources = cap;
	}
	e->sources[e->n_sources].id = id;
	memset(&e->sources[e->n_sources].seq, 0, sizeof(gf_seq));
	return &e->sources[e->n_sources++].seq;
}

/* Flow samples of one datagram against their sources' sequences. */
static void
rows_samples(rows_entry *e, const gf_row_msg *m)
{
	uint64_t	lost = 0;
	uint32_t	i;

	for (i = 0; i < m->n_samples; i++)
	{
		gf_seq	   *t = rows_source_seq(e, m->samples[i].source);
		gf_seq_msg	s;

		if (t == NULL)
			continue;
		s = m->seq;
		s.seq = m->samples[i].seq;
		s.units = 1;
		s.units_known = true;
		(void) gf_seq_observe(t, &s);
	}
	for (i = 0; i < e->n_sources; i++)
		lost += e->sources[i].seq.lost;
	e->row.samples_lost = lost;
}

void
gf_rows_commit(gf_rows *x, const gf_row_msg *m, const gf_datagram *dg,
			   bool failed, gf_counters *c)
{
	rows_key	k;
	rows_entry **pp = NULL;
	rows_entry *e;
	uint32_t	i;
	gf_seq_msg	s;

	if (!m->valid)
		return;
	memset(&k, 0, sizeof(k));
	k.exporter = m->exporter;
	k.type = (uint8_t) m->type;
	k.domain = m->domain;
	if (x->last != NULL && memcmp(&x->last->key, &k, sizeof(k)) == 0)
		e = x->last;
	else
	{
		pp = rows_slot(x, &k);
		e = *pp;
	}
	if (e == NULL)
	{
		if (dg == NULL)
			return;
		if (x->count >= x->max || (e = calloc(1, sizeof(*e))) == NULL)
		{
			c->exporter_rows_refused++;
			return;
		}
		e->key = k;
		e->row.exporter = m->exporter;
		e->row.type = m->type;
		e->row.domain = m->domain;
		e->row.first_seen_ns = dg->time_received_ns;
		*pp = e;
		x->count++;
	}
	x->last = e;
	e->row.flows += m->flows;
	for (i = m->n_rates; i > 0; i--)
		rows_rate(e->row.rates, &e->row.n_rates, m->rates[i - 1]);
	if (dg == NULL)
		return;

	e->row.last_seen_ns = dg->time_received_ns;
	e->row.datagrams++;
	e->row.bytes += dg->len;
	if (failed)
		e->row.decode_errors++;
	s = m->seq;
	s.recv_ns = dg->time_received_ns;
	if (m->count_records)
	{
		s.units = m->records;
		s.units_known = !m->records_unknown && !failed;
	}
	if (gf_seq_observe(&e->seq, &s) != GF_SEQ_LATE)
		e->row.last_sequence = s.seq;
	e->row.has_sequence = true;
	e->row.seq_lost = e->seq.lost;
	e->row.seq_late = e->seq.late;
	e->row.seq_resets = e->seq.resets;
	if (m->n_samples > 0)
		rows_samples(e, m);
}

uint32_t
gf_rows_expire(gf_rows *x, uint64_t now_ns, uint64_t idle_ns)
{
	uint32_t	freed = 0;
	uint32_t	i;

	for (i = 0; i <= x->mask; i++)
	{
		rows_entry **pp = &x->buckets[i];

		while (*pp)
		{
			rows_entry *e = *pp;

			if (now_ns > e->row.last_seen_ns &&
				now_ns - e->row.last_seen_ns > idle_ns)
			{
				if (x->last == e)
					x->last = NULL;
				*pp = e->next;
				rows_entry_free(e);
				x->count--;
				freed++;
			}
			else
				pp = &e->next;
		}
	}
	return freed;
}

void
gf_rows_reset_counts(gf_rows *x)
{
	uint32_t	i;
	uint32_t	j;
	rows_entry *e;

	for (i = 0; i <= x->mask; i++)
		for (e = x->buckets[i]; e; e = e->next)
		{
			e->row.datagrams = 0;
			e->row.bytes = 0;
			e->row.flows = 0;
			e->row.decode_errors = 0;
			e->row.n_rates = 0;
			e->row.seq_lost = 0;
			e->row.seq_late = 0;
			e->row.seq_resets = 0;
			e->row.samples_lost = 0;
			gf_seq_reset_counts(&e->seq);
			for (j = 0; j < e->n_sources; j++)
				gf_seq_reset_counts(&e->sources[j].seq);
		}
}

void
gf_rows_foreach(const gf_rows *x, void (*cb) (void *arg, gf_exporter_row *r),
				void *arg)
{
	uint32_t	i;
	const rows_entry *e;

	for (i = 0; i <= x->mask; i++)
		for (e = x->buckets[i]; e; e = e->next)
		{
			gf_exporter_row r = e->row;

			cb(arg, &r);
		}
}
