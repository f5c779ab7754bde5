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

/*
 * Inlined into every walk: a call per node step costs more than the step
 * when the node is in the cache.
 */
#if defined(__GNUC__)
#define PT_INLINE static inline __attribute__((always_inline))
#define PT_NOINLINE static __attribute__((noinline))
#else
#define PT_INLINE static inline
#define PT_NOINLINE static
#endif

/*
 * One node step: the word at the node e refers to, for an address whose
 * next 24 bits are 'next24' (a bitmap node takes the top 8 of them, a
 * 16-bit sparse node the top 16).  The caller advances by
 * gf_pt_kind_bits(kind).
 */
PT_INLINE uint32_t
pt_step(const uint32_t *nodes, uint32_t e, uint32_t next24)
{
	const uint32_t *node = gf_pt_node(nodes, e);
	uint32_t	k = gf_pt_kind(e);

	if (k == GF_PTK_BITMAP)
		return gf_pt_bitmap_word(node, next24 >> 16);
	if (k <= GF_PTK_S16_LAST)
		return gf_pt_sparse16_word(node, k, next24 >> 8);
	return gf_pt_sparse24_word(node, k, next24);
}

PT_INLINE uint32_t
pt_walk4(const gf_prefix_table *t, const gf_pt_trie *trie, uint32_t addr)
{
	const uint32_t *w = gf_pt_words(t, trie);
	uint32_t	first = trie->first_bits;
	const uint32_t *nodes = w + ((size_t) 1 << first);
	uint32_t	e = w[addr >> (32 - first)];
	uint32_t	rest = addr << first;	/* the bits not used yet, at the top */

	while (e & GF_PTW_CHUNK)
	{
		uint32_t	bits = gf_pt_kind_bits(gf_pt_kind(e));

		e = pt_step(nodes, e, rest >> 8);
		rest <<= bits;
	}
	return e - 1;
}

/* The first stride of an IPv6 address: 8, 16 or 24 bits, whole bytes. */
PT_INLINE uint32_t
pt_first6(const uint8_t *addr, uint32_t first)
{
	uint32_t	top = (uint32_t) addr[0] << 16 | (uint32_t) addr[1] << 8 | addr[2];

	return top >> (24 - first);
}

/*
 * The 24 bits of an IPv6 address from byte i (i <= 15).  Past byte 15
 * the low bits are copies of it, not read past the address: the builder
 * puts no node where the address has fewer bits left than the node takes,
 * so only a node that ignores them (a bitmap node at byte 15 or 14, a
 * 16-bit sparse node at byte 14) starts there.
 */
PT_INLINE uint32_t
pt_next6(const uint8_t *addr, uint32_t i)
{
	uint32_t	i1 = i + (i < 15);
	uint32_t	i2 = i1 + (i1 < 15);

	return (uint32_t) addr[i] << 16 | (uint32_t) addr[i1] << 8 | addr[i2];
}

PT_INLINE uint32_t
pt_walk6(const gf_prefix_table *t, const gf_pt_trie *trie, const uint8_t *addr)
{
	const uint32_t *w = gf_pt_words(t, trie);
	uint32_t	first = trie->first_bits;
	const uint32_t *nodes = w + ((size_t) 1 << first);
	uint32_t	e;
	uint32_t	i;

	e = w[pt_first6(addr, first)];
	i = first / 8;
	while (e & GF_PTW_CHUNK)
	{
		uint32_t	bits = gf_pt_kind_bits(gf_pt_kind(e));

		e = pt_step(nodes, e, pt_next6(addr, i));
		i += bits / 8;
	}
	return e - 1;
}

/*
 * A lookup naming a scope that has a trie: the scope's trie, then on a
 * miss the global one.  Kept out of line so that the global lookup, the
 * common one, stays short (fewer registers saved, more lookups in flight).
 */
PT_NOINLINE uint32_t
pt_lookup4_scoped(const gf_prefix_table *t, uint32_t addr, uint32_t scope)
{
	const gf_pt_trie *s = pt_scoped_trie(t, 0, scope);
	uint32_t	g = t->global_trie[0];

	if (s != NULL)
	{
		uint32_t	r = pt_walk4(t, s, addr);

		if (r != GF_PT_NONE)
			return r;
	}
	if (g == GF_PT_NO_TRIE)
		return GF_PT_NONE;
	return pt_walk4(t, gf_pt_tries(t) + g, addr);
}

uint32_t
gf_pt_lookup4(const gf_prefix_table *t, uint32_t addr, uint32_t scope)
{
	uint32_t	g;

	if (scope != 0 && t->scoped_count[0] != 0)
		return pt_lookup4_scoped(t, addr, scope);
	g = t->global_trie[0];
	if (g == GF_PT_NO_TRIE)
		return GF_PT_NONE;
	return pt_walk4(t, gf_pt_tries(t) + g, addr);
}

/*
 * A lookup naming a scope that has a trie: the scope's trie, then on a
 * miss the global one.  Kept out of line so that the global lookup, the
 * common one, stays short (fewer registers saved, more lookups in flight).
 */
PT_NOINLINE uint32_t
pt_lookup6_scoped(const gf_prefix_table *t, const uint8_t *addr, uint32_t scope)
{
	const gf_pt_trie *s = pt_scoped_trie(t, 1, scope);
	uint32_t	g = t->global_trie[1];

	if (s != NULL)
	{
		uint32_t	r = pt_walk6(t, s, addr);

		if (r != GF_PT_NONE)
			return r;
	}
	if (g == GF_PT_NO_TRIE)
		return GF_PT_NONE;
	return pt_walk6(t, gf_pt_tries(t) + g, addr);
}

uint32_t
gf_pt_lookup6(const gf_prefix_table *t, const uint8_t *addr, uint32_t scope)
{
	uint32_t	g;

	if (scope != 0 && t->scoped_count[1] != 0)
		return pt_lookup6_scoped(t, addr, scope);
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
 * Ask for every cache line of the node word e refers to now, so that the
 * next sweep finds them: a bitmap node's run words (second line)
 * otherwise wait for the bitmap, and a sparse node's words for its starts.
 */
static inline void
pt_prefetch_node(const uint32_t *nodes, uint32_t e)
{
	if (e & GF_PTW_CHUNK)
	{
		const uint32_t *node = gf_pt_node(nodes, e);
		uint32_t	k = gf_pt_kind(e);
		/* a bitmap node's first run words may be in its second line */
		uint32_t	lines = k == GF_PTK_BITMAP ? 2 : gf_pt_sparse_lines(k);
		uint32_t	l;

		for (l = 0; l < lines; l++)
			__builtin_prefetch(node + l * GF_PT_NODE_WORDS);
	}
}

static void
pt_batch4(const gf_prefix_table *t, const gf_pt_trie *trie, const uint32_t *addr,
		  size_t n, uint32_t *out, int only_missing)
{
	const uint32_t *w = gf_pt_words(t, trie);
	uint32_t	first = trie->first_bits;
	const uint32_t *nodes = w + ((size_t) 1 << first);
	size_t		g;

	for (g = 0; g < n; g += PT_LANES)
	{
		size_t		m = n - g < PT_LANES ? n - g : PT_LANES;
		uint32_t	e[PT_LANES];
		uint32_t	rest[PT_LANES];
		uint32_t	pending = 0;
		size_t		j;

		for (j = 0; j < m; j++)
		{
			e[j] = (only_missing && out[g + j] != GF_PT_NONE) ? out[g + j] + 1 :
				w[addr[g + j] >> (32 - first)];
			pt_prefetch_node(nodes, e[j]);
			pending |= e[j];
		}
		/* most IPv4 lookups end at the first stride: only then the rest */
		if (pending & GF_PTW_CHUNK)
			for (j = 0; j < m; j++)
				rest[j] = addr[g + j] << first;
		while (pending & GF_PTW_CHUNK)
		{
			pending = 0;
			for (j = 0; j < m; j++)
			{
				if (e[j] & GF_PTW_CHUNK)
				{
					uint32_t	bits = gf_pt_kind_bits(gf_pt_kind(e[j]));

					e[j] = pt_step(nodes, e[j], rest[j] >> 8);
					rest[j] <<= bits;
					pt_prefetch_node(nodes, e[j]);
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
	const uint32_t *nodes = w + ((size_t) 1 << first);
	size_t		g;

	for (g = 0; g < n; g += PT_LANES)
	{
		size_t		m = n - g < PT_LANES ? n - g : PT_LANES;
		uint32_t	e[PT_LANES];
		uint32_t	byte[PT_LANES];
		uint32_t	pending = 0;
		size_t		j;

		for (j = 0; j < m; j++)
		{
			e[j] = (only_missing && out[g + j] != GF_PT_NONE) ? out[g + j] + 1 :
				w[pt_first6(addr[g + j], first)];
			pt_prefetch_node(nodes, e[j]);
			pending |= e[j];
		}
		for (j = 0; j < m; j++)
			byte[j] = first / 8;
		while (pending & GF_PTW_CHUNK)
		{
			pending = 0;
			for (j = 0; j < m; j++)
			{
				if (e[j] & GF_PTW_CHUNK)
				{
					uint32_t	bits = gf_pt_kind_bits(gf_pt_kind(e[j]));

					e[j] = pt_step(nodes, e[j], pt_next6(addr[g + j], byte[j]));
					byte[j] += bits / 8;
					pt_prefetch_node(nodes, e[j]);
				}
				pending |= e[j];
			}
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
