/*
 * prefix_table.c
 *    Lookups in a built prefix table (layout in prefix_layout.h): find the
 *    scope's trie, walk it, fall back to the global trie on a miss.  The
 *    builder is prefix_build.c.
 */
#include <stdlib.h>

#include "prefix_layout.h"

/* The trie of 'scope' in family slot fam (0: IPv4, 1: IPv6), or NULL. */
static inline const gf_pt_trie *
pt_scoped_trie(const gf_prefix_table *t, int fam, uint32_t scope)
{
	const gf_pt_trie *tries = gf_pt_tries(t) + t->scoped_first[fam];
	uint32_t	lo = 0;
	uint32_t	hi = t->scoped_count[fam];

	while (lo < hi)
	{
		uint32_t	mid = lo + (hi - lo) / 2;

		if (tries[mid].scope < scope)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < t->scoped_count[fam] && tries[lo].scope == scope)
		return &tries[lo];
	return NULL;
}

static inline uint32_t
pt_walk4(const gf_prefix_table *t, const gf_pt_trie *trie, uint32_t addr)
{
	const uint32_t *w = gf_pt_words(t, trie);
	uint32_t	first = trie->first_bits;
	uint32_t	chunks = (uint32_t) 1 << first;
	uint32_t	e = w[addr >> (32 - first)];
	uint32_t	used = first;

	while (e & GF_PTW_CHUNK)
	{
		used += 8;
		e = gf_pt_node_word(w, chunks, e & ~GF_PTW_CHUNK, (addr >> (32 - used)) & 0xff);
	}
	return e - 1;
}

/* The first stride of an IPv6 address: 8, 16 or 24 bits, whole bytes. */
static inline uint32_t
pt_first6(const uint8_t *addr, uint32_t first)
{
	uint32_t	top = (uint32_t) addr[0] << 16 | (uint32_t) addr[1] << 8 | addr[2];

	return top >> (24 - first);
}

static inline uint32_t
pt_walk6(const gf_prefix_table *t, const gf_pt_trie *trie, const uint8_t *addr)
{
	const uint32_t *w = gf_pt_words(t, trie);
	uint32_t	first = trie->first_bits;
	uint32_t	chunks = (uint32_t) 1 << first;
	uint32_t	e;
	int			i;

	e = w[pt_first6(addr, first)];
	i = first / 8;
	while (e & GF_PTW_CHUNK)
		e = gf_pt_node_word(w, chunks, e & ~GF_PTW_CHUNK, addr[i++]);
	return e - 1;
}

uint32_t
gf_pt_lookup4(const gf_prefix_table *t, uint32_t addr, uint32_t scope)
{
	uint32_t	g;

	if (scope != 0 && t->scoped_count[0] != 0)
	{
		const gf_pt_trie *s = pt_scoped_trie(t, 0, scope);

		if (s != NULL)
		{
			uint32_t	r = pt_walk4(t, s, addr);

			if (r != GF_PT_NONE)
				return r;
		}
	}
	g = t->global_trie[0];
	if (g == GF_PT_NO_TRIE)
		return GF_PT_NONE;
	return pt_walk4(t, gf_pt_tries(t) + g, addr);
}

uint32_t
gf_pt_lookup6(const gf_prefix_table *t, const uint8_t *addr, uint32_t scope)
{
	uint32_t	g;

	if (scope != 0 && t->scoped_count[1] != 0)
	{
		const gf_pt_trie *s = pt_scoped_trie(t, 1, scope);

		if (s != NULL)
		{
			uint32_t	r = pt_walk6(t, s, addr);

			if (r != GF_PT_NONE)
				return r;
		}
	}
	g = t->global_trie[1];
	if (g == GF_PT_NO_TRIE)
		return GF_PT_NONE;
	return pt_walk6(t, gf_pt_tries(t) + g, addr);
}

uint32_t
gf_pt_lookup(const gf_prefix_table *t, int family, const uint8_t *addr,
			 uint32_t scope)
{
	if (family == 4)
		return gf_pt_lookup4(t, (uint32_t) addr[0] << 24 | (uint32_t) addr[1] << 16 |
							 (uint32_t) addr[2] << 8 | addr[3], scope);
	if (family == 6)
		return gf_pt_lookup6(t, addr, scope);
	return GF_PT_NONE;
}

/*
 * Batches: walk up to PT_LANES tries in lockstep, one level of every
 * address per sweep, so the cache misses of different addresses overlap
 * instead of waiting for each other (a single lookup is a chain of
 * dependent loads).  Only addresses whose out[] is GF_PT_NONE are walked
 * when 'only_missing' (the global pass after a scoped one).
 */
#define PT_LANES 16

/*
 * Ask for both cache lines of node word e now, so that the next sweep
 * finds them: the run words (second line) otherwise wait for the bitmap.
 */
static inline void
pt_prefetch_node(const uint32_t *w, uint32_t chunks, uint32_t e)
{
	if (e & GF_PTW_CHUNK)
	{
		const uint32_t *node = w + chunks + (size_t) (e & ~GF_PTW_CHUNK) * GF_PT_NODE_WORDS;

		__builtin_prefetch(node);
		__builtin_prefetch(node + GF_PT_NODE_WORDS);
	}
}

static void
pt_batch4(const gf_prefix_table *t, const gf_pt_trie *trie, const uint32_t *addr,
		  size_t n, uint32_t *out, int only_missing)
{
	const uint32_t *w = gf_pt_words(t, trie);
	uint32_t	first = trie->first_bits;
	uint32_t	chunks = (uint32_t) 1 << first;
	size_t		g;

	for (g = 0; g < n; g += PT_LANES)
	{
		size_t		m = n - g < PT_LANES ? n - g : PT_LANES;
		uint32_t	e[PT_LANES];
		uint32_t	used = first;
		uint32_t	pending = 0;
		size_t		j;

		for (j = 0; j < m; j++)
		{
			e[j] = (only_missing && out[g + j] != GF_PT_NONE) ? out[g + j] + 1 :
				w[addr[g + j] >> (32 - first)];
			pt_prefetch_node(w, chunks, e[j]);
			pending |= e[j];
		}
		while (pending & GF_PTW_CHUNK)
		{
			used += 8;
			pending = 0;
			for (j = 0; j < m; j++)
			{
				if (e[j] & GF_PTW_CHUNK)
				{
					e[j] = gf_pt_node_word(w, chunks, e[j] & ~GF_PTW_CHUNK,
										   (addr[g + j] >> (32 - used)) & 0xff);
					pt_prefetch_node(w, chunks, e[j]);
				}
				pending |= e[j];
			}
		}
		for (j = 0; j < m; j++)
			out[g + j] = e[j] - 1;
	}
}

static void
pt_batch6(const gf_prefix_table *t, const gf_pt_trie *trie, const uint8_t (*addr)[16],
		  size_t n, uint32_t *out, int only_missing)
{
	const uint32_t *w = gf_pt_words(t, trie);
	uint32_t	first = trie->first_bits;
	uint32_t	chunks = (uint32_t) 1 << first;
	size_t		g;

	for (g = 0; g < n; g += PT_LANES)
	{
		size_t		m = n - g < PT_LANES ? n - g : PT_LANES;
		uint32_t	e[PT_LANES];
		uint32_t	byte = first / 8;
		uint32_t	pending = 0;
		size_t		j;

		for (j = 0; j < m; j++)
		{
			const uint8_t *a = addr[g + j];

			e[j] = (only_missing && out[g + j] != GF_PT_NONE) ? out[g + j] + 1 :
				w[pt_first6(a, first)];
			pt_prefetch_node(w, chunks, e[j]);
			pending |= e[j];
		}
		while (pending & GF_PTW_CHUNK)
		{
			pending = 0;
			for (j = 0; j < m; j++)
			{
				if (e[j] & GF_PTW_CHUNK)
				{
					e[j] = gf_pt_node_word(w, chunks, e[j] & ~GF_PTW_CHUNK, addr[g + j][byte]);
					pt_prefetch_node(w, chunks, e[j]);
				}
				pending |= e[j];
			}
			byte++;
		}
		for (j = 0; j < m; j++)
			out[g + j] = e[j] - 1;
	}
}

void
gf_pt_lookup4_batch(const gf_prefix_table *t, const uint32_t *addr, size_t n,
					uint32_t scope, uint32_t *out)
{
	const gf_pt_trie *s = NULL;
	size_t		i;

	if (scope != 0 && t->scoped_count[0] != 0)
		s = pt_scoped_trie(t, 0, scope);
	if (s != NULL)
		pt_batch4(t, s, addr, n, out, 0);
	if (t->global_trie[0] != GF_PT_NO_TRIE)
		pt_batch4(t, gf_pt_tries(t) + t->global_trie[0], addr, n, out, s != NULL);
	else if (s == NULL)
		for (i = 0; i < n; i++)
			out[i] = GF_PT_NONE;
}

void
gf_pt_lookup6_batch(const gf_prefix_table *t, const uint8_t (*addr)[16], size_t n,
					uint32_t scope, uint32_t *out)
{
	const gf_pt_trie *s = NULL;
	size_t		i;

	if (scope != 0 && t->scoped_count[1] != 0)
		s = pt_scoped_trie(t, 1, scope);
	if (s != NULL)
		pt_batch6(t, s, addr, n, out, 0);
	if (t->global_trie[1] != GF_PT_NO_TRIE)
		pt_batch6(t, gf_pt_tries(t) + t->global_trie[1], addr, n, out, s != NULL);
	else if (s == NULL)
		for (i = 0; i < n; i++)
			out[i] = GF_PT_NONE;
}

size_t
gf_pt_bytes(const gf_prefix_table *t)
{
	return (size_t) t->total_bytes;
}

void
gf_pt_free(gf_prefix_table *t)
{
	free(t);
}

const char *
gf_pt_error_name(gf_pt_error error)
{
	switch (error)
	{
		case GF_PT_OK:
			return "ok";
		case GF_PT_ERR_FAMILY:
			return "address family is neither 4 nor 6";
		case GF_PT_ERR_PREFIX_LEN:
			return "prefix length above 32 (IPv4) or 128 (IPv6)";
		case GF_PT_ERR_VALUE:
			return "value above GF_PT_VALUE_MAX";
		case GF_PT_ERR_MEMORY_LIMIT:
			return "table would exceed its memory limit";
		case GF_PT_ERR_NO_MEMORY:
			return "out of memory";
	}
	return "unknown error";
}
