/*
 * prefix_build.c
 *    Builds a prefix table (layout in prefix_layout.h) from a list of
 *    untrusted entries: checks and masks them, groups them into one trie
 *    per family and one per (family, scope), inserts prefixes from the
 *    shortest to the longest so a longer one overwrites the words of the
 *    shorter ones it lies in, and copies the tries into one block.  Every
 *    allocation is counted against max_bytes.  Lookups: prefix_table.c.
 */
#include <stdlib.h>
#include <string.h>

#include "prefix_layout.h"

/* An entry after checking: host bits cleared, its input position kept. */
typedef struct pt_item
{
	uint8_t		addr[16];
	uint32_t	value;
	uint32_t	scope;
	uint8_t		family;
	uint8_t		len;
} pt_item;

/* Sort key to walk a family's global prefixes in address order. */
typedef struct pt_addr_key
{
	uint8_t		addr[16];
	uint32_t	len;
	uint32_t	index;
} pt_addr_key;

/* Sort key to group scoped entries by (family, scope), input order kept. */
typedef struct pt_scope_key
{
	uint32_t	family;
	uint32_t	scope;
	uint32_t	index;
} pt_scope_key;

/* One trie as built: words plus, during the build, a tag per word. */
typedef struct pt_trie_build
{
	gf_pt_trie	desc;
	uint32_t   *w;
	uint16_t   *tag;			/* prefix length | PT_TAG_OWN of the word's leaf */
	size_t		n_words;
	size_t		cap_words;
} pt_trie_build;

#define PT_TAG_OWN		0x100
/* Words a trie may hold so that 2^F + 256 k fits the lookup's arithmetic. */
#define PT_MAX_WORDS	((size_t) UINT32_MAX - 256)

typedef struct pt_ctx
{
	size_t		used;
	size_t		max;
	gf_pt_build_info *info;
	const gf_pt_build_options *o;
	size_t		steps;			/* since the last pause call */
} pt_ctx;

/* Count n steps of work; call the caller's pause hook every GF_PT_PAUSE_EVERY. */
static void
pt_step(pt_ctx *c, size_t n)
{
	c->steps += n;
	if (c->steps < GF_PT_PAUSE_EVERY)
		return;
	c->steps = 0;
	if (c->o->pause != NULL)
		c->o->pause(c->o->pause_arg);
}

/* memcpy in slices of 256 KiB, a step each, so a pause can come between. */
static void
pt_copy(pt_ctx *c, void *dst, const void *src, size_t bytes)
{
	const size_t slice = 256 * 1024;

	while (bytes > 0)
	{
		size_t		n = bytes < slice ? bytes : slice;

		memcpy(dst, src, n);
		dst = (char *) dst + n;
		src = (const char *) src + n;
		bytes -= n;
		pt_step(c, GF_PT_PAUSE_EVERY / 64);	/* a pause call per 16 MiB */
	}
}

static void *
pt_alloc(pt_ctx *c, size_t bytes, int zero)
{
	void	   *p;

	if (bytes > c->max - c->used)
	{
		if (c->info->error == GF_PT_OK)
			c->info->error = GF_PT_ERR_MEMORY_LIMIT;
		return NULL;
	}
	p = zero ? calloc(1, bytes ? bytes : 1) : malloc(bytes ? bytes : 1);
	if (p == NULL)
	{
		if (c->info->error == GF_PT_OK)
			c->info->error = GF_PT_ERR_NO_MEMORY;
		return NULL;
	}
	c->used += bytes;
	if (c->used > c->info->peak_bytes)
		c->info->peak_bytes = c->used;
	return p;
}

/* The table's block: like pt_alloc, aligned to a cache line (64 bytes). */
static void *
pt_alloc_block(pt_ctx *c, size_t bytes)
{
	void	   *p;

	if (bytes > c->max - c->used)
	{
		if (c->info->error == GF_PT_OK)
			c->info->error = GF_PT_ERR_MEMORY_LIMIT;
		return NULL;
	}
	/* aligned_alloc wants a multiple of the alignment; bytes is one */
	p = aligned_alloc(64, bytes);
	if (p == NULL)
	{
		if (c->info->error == GF_PT_OK)
			c->info->error = GF_PT_ERR_NO_MEMORY;
		return NULL;
	}
	c->used += bytes;
	if (c->used > c->info->peak_bytes)
		c->info->peak_bytes = c->used;
	return p;
}

static void
pt_release(pt_ctx *c, void *p, size_t bytes)
{
	if (p == NULL)
		return;
	free(p);
	c->used -= bytes;
}

/* Grow *p from old_bytes to new_bytes, counted; NULL (and *p kept) on failure. */
static void *
pt_grow(pt_ctx *c, void **p, size_t old_bytes, size_t new_bytes)
{
	void	   *q;

	if (new_bytes - old_bytes > c->max - c->used)
	{
		if (c->info->error == GF_PT_OK)
			c->info->error = GF_PT_ERR_MEMORY_LIMIT;
		return NULL;
	}
	q = realloc(*p, new_bytes);
	if (q == NULL)
	{
		if (c->info->error == GF_PT_OK)
			c->info->error = GF_PT_ERR_NO_MEMORY;
		return NULL;
	}
	*p = q;
	c->used += new_bytes - old_bytes;
	if (c->used > c->info->peak_bytes)
		c->info->peak_bytes = c->used;
	return q;
}

/* Whether the first len bits of a and b agree. */
static int
pt_same_bits(const uint8_t *a, const uint8_t *b, int len)
{
	int			whole = len / 8;
	int			rest = len % 8;

	if (memcmp(a, b, whole) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a[whole] ^ b[whole]) & (uint8_t) (0xFF00 >> rest)) == 0;
}

/* The stride of 'width' bits (8, 16 or 24) starting at byte off/8. */
static size_t
pt_stride(const uint8_t *addr, int off, int width)
{
	size_t		v = 0;
	int			i;

	for (i = off / 8; i < (off + width) / 8; i++)
		v = v << 8 | addr[i];
	return v;
}

/* Append a chunk filled with one word and its tag; returns its number. */
static int
pt_new_chunk(pt_ctx *c, pt_trie_build *b, uint32_t fill, uint16_t fill_tag,
			 uint32_t *chunk)
{
	size_t		first = (size_t) 1 << b->desc.first_bits;
	size_t		i;

	if (b->n_words + 256 > PT_MAX_WORDS)
	{
		if (c->info->error == GF_PT_OK)
			c->info->error = GF_PT_ERR_MEMORY_LIMIT;
		return -1;
	}
	if (b->n_words + 256 > b->cap_words)
	{
		size_t		cap = b->cap_words * 2;

		if (cap > PT_MAX_WORDS)
			cap = PT_MAX_WORDS;
		if (!pt_grow(c, (void **) &b->w, b->cap_words * sizeof(uint32_t), cap * sizeof(uint32_t)))
			return -1;
		if (!pt_grow(c, (void **) &b->tag, b->cap_words * sizeof(uint16_t), cap * sizeof(uint16_t)))
			return -1;			/* the build fails: counts no longer matter */
		b->cap_words = cap;
	}
	for (i = 0; i < 256; i++)
	{
		b->w[b->n_words + i] = fill;
		b->tag[b->n_words + i] = fill_tag;
	}
	*chunk = (uint32_t) ((b->n_words - first) / 256);
	b->n_words += 256;
	return 0;
}

/*
 * Write one prefix into the trie.  Prefixes come shortest first, so the
 * words a prefix covers hold only shorter prefixes (or an equal one it
 * replaces) and never a chunk reference.
 */
static int
pt_insert(pt_ctx *c, pt_trie_build *b, const pt_item *it, int own,
		  size_t index)
{
	uint32_t	leaf = it->value + 1;
	uint16_t	tag = (uint16_t) (it->len | (own ? PT_TAG_OWN : 0));
	size_t		first = (size_t) 1 << b->desc.first_bits;
	size_t		base = 0;
	int			off = 0;
	int			width = b->desc.first_bits;

	for (;;)
	{
		size_t		idx = pt_stride(it->addr, off, width);
		uint32_t	e;
		uint32_t	chunk;

		if (it->len <= off + width)
		{
			size_t		span = (size_t) 1 << (off + width - it->len);
			size_t		start = base + (idx & ~(span - 1));
			size_t		i;

			if (own && b->tag[start] == tag && b->w[start] != 0)
			{
				if (c->info->n_duplicates++ == 0 || index < c->info->first_duplicate)
					c->info->first_duplicate = index;
			}
			for (i = 0; i < span; i++)
			{
				b->w[start + i] = leaf;
				b->tag[start + i] = tag;
			}
			return 0;
		}
		e = b->w[base + idx];
		if (!(e & GF_PTW_CHUNK))
		{
			if (pt_new_chunk(c, b, e, b->tag[base + idx], &chunk) != 0)
				return -1;
			e = GF_PTW_CHUNK | chunk;
			b->w[base + idx] = e;
		}
		base = first + (size_t) (e & ~GF_PTW_CHUNK) * 256;
		off += width;
		width = 8;
	}
}

/*
 * Compression (see prefix_layout.h): every 256-word chunk of the build
 * becomes a bitmap node, or a sparse node together with the chunks below
 * it for 16 or 24 bits, or part of such a node.  A first pass walks the
 * trie from the top, breadth first, decides each node and places it: the
 * nodes of one depth lie together, so the upper ones, which every lookup
 * reads, share few pages and cache lines.  The second pass writes the
 * nodes.  A chunk is read at most once per level of the nodes that try
 * to take it in (three for a 24-bit attempt), so the passes stay linear.
 */
typedef struct pt_plan
{
	const pt_trie_build *b;
	const uint32_t *chunks;		/* the build's chunk words */
	uint32_t   *ref;			/* per chunk: its node word, 0 if absorbed */
	uint64_t   *queue;			/* chunks to place: bit << 32 | chunk */
	size_t		head;
	size_t		tail;
	size_t		lines;			/* node lines placed so far */
	int			width;			/* address bits: 32 or 128 */
} pt_plan;

/* Words of chunk c of the build. */
static const uint32_t *
pt_chunk(const uint32_t *chunks, uint32_t c)
{
	return chunks + (size_t) c * 256;
}

/*
 * The runs of a sparse node being counted or written: its positions are
 * visited in order, chunk words expanded 'levels' levels deep.  Counting
 * stops above 'cap' runs.  Writing stores each run's word, remapped to
 * node words, and the start of every run after the first (16-bit starts
 * flipped, see prefix_layout.h).
 */
typedef struct pt_runs
{
	size_t		runs;
	size_t		cap;
	uint32_t	prev;
	const uint32_t *ref;		/* NULL: count only */
	uint32_t   *words;
	uint32_t   *starts32;		/* 24-bit nodes */
	uint16_t   *starts16;		/* 16-bit nodes */
} pt_runs;

/* A new run starting at pos with word; -1 once over the cap. */
static int
pt_runs_put(pt_runs *r, uint32_t pos, uint32_t word)
{
	/* distinct chunks stay distinct once remapped: the count holds */
	r->prev = word;
	if (r->ref != NULL)
	{
		if (r->runs > 0)
		{
			if (r->starts16 != NULL)
				r->starts16[r->runs - 1] = (uint16_t) (pos ^ 0x8000);
			else
				r->starts32[r->runs - 1] = pos;
		}
		r->words[r->runs] = word & GF_PTW_CHUNK ? r->ref[word & ~GF_PTW_CHUNK] : word;
	}
	return ++r->runs > r->cap ? -1 : 0;
}

/*
 * Visit chunk c, whose first position is pos, expanded 'levels' deep.
 * Most words repeat the one before (few runs is what makes a node
 * sparse), so the loop skips those first: a chunk word equal to the
 * previous run's word is a leaf, since each chunk is referred to once.
 */
static int
pt_runs_walk(pt_runs *r, const uint32_t *chunks, uint32_t c, int levels, uint32_t pos)
{
	const uint32_t *ch = pt_chunk(chunks, c);
	int			shift = 8 * (levels - 1);
	uint32_t	i;

	for (i = 0; i < 256; i++)
	{
		uint32_t	w = ch[i];

		if (w == r->prev && r->runs > 0)
			continue;
		if (levels > 1 && (w & GF_PTW_CHUNK))
		{
			if (pt_runs_walk(r, chunks, w & ~GF_PTW_CHUNK, levels - 1, pos | i << shift) != 0)
				return -1;
		}
		else if (pt_runs_put(r, pos | i << shift, w) != 0)
			return -1;
	}
	return 0;
}

/* Runs of chunk c over 'levels' levels, or cap + 1 if more. */
static size_t
pt_count_runs(const uint32_t *chunks, uint32_t c, int levels, size_t cap)
{
	pt_runs		r;

	memset(&r, 0, sizeof(r));
	r.cap = cap;
	pt_runs_walk(&r, chunks, c, levels, 0);
	return r.runs;
}

/* The smallest sparse kind in [first, last] whose starts hold 'runs' runs, or 0. */
static uint32_t
pt_sparse_kind(size_t runs, uint32_t first, uint32_t last)
{
	uint32_t	k;

	for (k = first; k <= last; k++)
		if (runs - 1 <= gf_pt_sparse_starts(k))
			return k;
	return GF_PTK_BITMAP;
}

/*
 * Queue the chunks below chunk c that start where a node of 'levels'
 * levels rooted at c ends ('bit'); the ones in between are absorbed.
 */
static void
pt_plan_below(pt_plan *p, uint32_t c, int levels, int bit)
{
	const uint32_t *ch = pt_chunk(p->chunks, c);
	int			i;

	for (i = 0; i < 256; i++)
	{
		uint32_t	sub = ch[i] & ~GF_PTW_CHUNK;

		if (!(ch[i] & GF_PTW_CHUNK))
			continue;
		if (levels > 1)
		{
			p->ref[sub] = 0;
			pt_plan_below(p, sub, levels - 1, bit);
		}
		else
			p->queue[p->tail++] = (uint64_t) bit << 32 | sub;
	}
}

/* Decide and place the node of 'chunk', whose positions start at 'bit'. */
static int
pt_plan_chunk(pt_ctx *c, pt_plan *p, uint32_t chunk, int bit)
{
	const uint32_t *ch = pt_chunk(p->chunks, chunk);
	uint32_t	kind = GF_PTK_BITMAP;
	size_t		lines;
	int			i;

	/* sparse nodes end on a multiple of 16 bits, within the address */
	if (bit % 16 == 0 && bit + 16 <= p->width)
		kind = pt_sparse_kind(pt_count_runs(p->chunks, chunk, 2, GF_PT_S16_MAX_STARTS + 1),
							  1, GF_PTK_S16_LAST);
	else if (bit % 16 == 8 && bit + 24 <= p->width)
		kind = pt_sparse_kind(pt_count_runs(p->chunks, chunk, 3, GF_PT_S24_MAX_STARTS + 1),
							  GF_PTK_S24_FIRST, GF_PTK_LAST);
	if (kind != GF_PTK_BITMAP)
		lines = gf_pt_sparse_lines(kind);
	else
	{
		size_t		runs = 1;

		for (i = 1; i < 256; i++)
			runs += ch[i] != ch[i - 1];
		lines = (GF_PT_NODE_RUNS_AT + runs + GF_PT_NODE_WORDS - 1) / GF_PT_NODE_WORDS;
	}
	if (p->lines + lines > GF_PTW_LINE_MASK ||
		(size_t) 1 << p->b->desc.first_bits > PT_MAX_WORDS - (p->lines + lines) * GF_PT_NODE_WORDS)
	{
		if (c->info->error == GF_PT_OK)
			c->info->error = GF_PT_ERR_MEMORY_LIMIT;
		return -1;
	}
	p->ref[chunk] = GF_PTW_CHUNK | kind << GF_PTW_KIND_SHIFT | (uint32_t) p->lines;
	p->lines += lines;
	pt_plan_below(p, chunk, (int) gf_pt_kind_bits(kind) / 8, bit + (int) gf_pt_kind_bits(kind));
	return 0;
}

/* A chunk reference as it reads in the compressed trie. */
static uint32_t
pt_remap(uint32_t word, const uint32_t *ref)
{
	if (word & GF_PTW_CHUNK)
		return ref[word & ~GF_PTW_CHUNK];
	return word;
}

/* Write the bitmap node of chunk words ch at 'node'. */
static void
pt_write_bitmap(uint32_t *node, const uint32_t *ch, const uint32_t *ref)
{
	uint64_t	bm[4] = {0, 0, 0, 0};
	uint16_t	cum[4];
	size_t		n_runs = 0;
	int			i;

	for (i = 0; i < 256; i++)
	{
		if (i % 64 == 0)
			cum[i / 64] = (uint16_t) n_runs;
		if (i == 0 || ch[i] != ch[i - 1])
		{
			bm[i / 64] |= (uint64_t) 1 << (i % 64);
			node[GF_PT_NODE_RUNS_AT + n_runs++] = pt_remap(ch[i], ref);
		}
	}
	memcpy(node, bm, sizeof(bm));
	node[8] = (uint32_t) cum[0] | (uint32_t) cum[1] << 16;
	node[9] = (uint32_t) cum[2] | (uint32_t) cum[3] << 16;
}

/* Write the sparse node of kind k of chunk c (and the chunks below) at 'node'. */
static void
pt_write_sparse(uint32_t *node, uint32_t k, const uint32_t *chunks, uint32_t c,
				const uint32_t *ref)
{
	uint32_t	n = gf_pt_sparse_starts(k);
	int			wide = k >= GF_PTK_S24_FIRST;
	uint16_t	starts16[GF_PT_S16_MAX_STARTS];
	pt_runs		r;
	size_t		i;

	memset(&r, 0, sizeof(r));
	r.cap = n + 1;
	r.ref = ref;
	if (wide)
	{
		r.starts32 = node;
		r.words = node + n;
	}
	else
	{
		r.starts16 = starts16;
		r.words = node + n / 2;
	}
	pt_runs_walk(&r, chunks, c, wide ? 3 : 2, 0);
	/* pads: starts that no position passes, words that repeat the last run */
	for (i = r.runs - 1; i < n; i++)
	{
		if (wide)
			node[i] = 0xFFFFFF;
		else
			starts16[i] = 0xFFFF ^ 0x8000;
	}
	for (i = r.runs; i <= n; i++)
		r.words[i] = r.words[r.runs - 1];
	if (!wide)
		memcpy(node, starts16, n * sizeof(uint16_t));
}

/*
 * Turn the chunks into nodes (see prefix_layout.h); references change from
 * chunk numbers to node words (kind and line).
 */
static int
pt_compress(pt_ctx *c, pt_trie_build *b)
{
	size_t		first = (size_t) 1 << b->desc.first_bits;
	size_t		n_chunks = (b->n_words - first) / 256;
	size_t		ref_bytes = (n_chunks ? n_chunks : 1) * sizeof(uint32_t);
	size_t		queue_bytes = (n_chunks ? n_chunks : 1) * sizeof(uint64_t);
	size_t		total;
	size_t		i;
	uint32_t   *nw;
	pt_plan		p;

	p.b = b;
	p.chunks = b->w + first;
	p.lines = 0;
	p.width = b->desc.family == 4 ? 32 : 128;
	p.ref = pt_alloc(c, ref_bytes, 1);
	p.queue = p.ref ? pt_alloc(c, queue_bytes, 0) : NULL;
	if (p.queue == NULL)
	{
		pt_release(c, p.ref, ref_bytes);
		return -1;
	}
	/* every chunk is queued at most once: by the first stride or a node above */
	p.head = p.tail = 0;
	for (i = 0; i < first; i++)
		if (b->w[i] & GF_PTW_CHUNK)
			p.queue[p.tail++] = (uint64_t) b->desc.first_bits << 32 | (b->w[i] & ~GF_PTW_CHUNK);
	while (p.head < p.tail)
	{
		uint64_t	q = p.queue[p.head++];

		pt_step(c, 1);
		if (pt_plan_chunk(c, &p, (uint32_t) q, (int) (q >> 32)) != 0)
		{
			pt_release(c, p.queue, queue_bytes);
			pt_release(c, p.ref, ref_bytes);
			return -1;
		}
	}
	pt_release(c, p.queue, queue_bytes);
	total = first + p.lines * GF_PT_NODE_WORDS;
	nw = pt_alloc(c, total * sizeof(uint32_t), 1);
	if (nw == NULL)
	{
		pt_release(c, p.ref, ref_bytes);
		return -1;
	}
	for (i = 0; i < first; i++)
		nw[i] = pt_remap(b->w[i], p.ref);
	for (i = 0; i < n_chunks; i++)
	{
		uint32_t	e = p.ref[i];
		uint32_t   *node;

		if (e == 0)
			continue;
		pt_step(c, 1);
		node = nw + first + (size_t) (e & GF_PTW_LINE_MASK) * GF_PT_NODE_WORDS;
		if (gf_pt_kind(e) == GF_PTK_BITMAP)
			pt_write_bitmap(node, pt_chunk(p.chunks, (uint32_t) i), p.ref);
		else
			pt_write_sparse(node, gf_pt_kind(e), p.chunks, (uint32_t) i, p.ref);
	}
	pt_release(c, p.ref, ref_bytes);
	pt_release(c, b->w, b->cap_words * sizeof(uint32_t));
	b->w = nw;
	b->n_words = total;
	b->cap_words = total;
	return 0;
}

static int
pt_first_bits(int family, size_t n, const gf_pt_build_options *o)
{
	int			forced = family == 4 ? o->first_bits4 : o->first_bits6;

	if (forced == 8 || forced == 16 || forced == 24)
		return forced;
	if (family == 4)
		return n >= 65536 ? 24 : n >= 256 ? 16 : 8;
	return n >= 256 ? 16 : 8;
}

/*
 * Build one trie from 'others' (copied global prefixes, inserted first at
 * each length) and 'own' (the trie's own entries), both in input order.
 */
static int
pt_build_trie(pt_ctx *c, pt_trie_build *b, const pt_item *items,
			  const uint32_t *others, size_t n_others,
			  const uint32_t *own, size_t n_own,
			  int family, uint32_t scope, const gf_pt_build_options *o)
{
	size_t		count[2 * 129 + 1];
	size_t		n = n_others + n_own;
	uint32_t   *order;
	size_t		i;
	int			rc = 0;

	memset(b, 0, sizeof(*b));
	b->desc.family = (uint8_t) family;
	b->desc.scope = scope;
	b->desc.first_bits = (uint8_t) pt_first_bits(family, n, o);
	b->n_words = (size_t) 1 << b->desc.first_bits;
	b->cap_words = b->n_words + 256 * 16;
	b->w = pt_alloc(c, b->cap_words * sizeof(uint32_t), 1);
	if (b->w == NULL)
		return -1;
	b->tag = pt_alloc(c, b->cap_words * sizeof(uint16_t), 1);
	order = b->tag ? pt_alloc(c, (n ? n : 1) * sizeof(uint32_t), 0) : NULL;
	if (order == NULL)
		return -1;

	/* stable counting sort by (length, own), so shorter prefixes go first */
	memset(count, 0, sizeof(count));
	for (i = 0; i < n_others; i++)
		count[items[others[i]].len * 2 + 1]++;
	for (i = 0; i < n_own; i++)
		count[items[own[i]].len * 2 + 2]++;
	for (i = 1; i < 2 * 129 + 1; i++)
		count[i] += count[i - 1];
	for (i = 0; i < n_others; i++)
		order[count[items[others[i]].len * 2]++] = others[i];
	for (i = 0; i < n_own; i++)
		order[count[items[own[i]].len * 2 + 1]++] = own[i] | 0x80000000u;

	for (i = 0; i < n && rc == 0; i++)
	{
		rc = pt_insert(c, b, &items[order[i] & 0x7FFFFFFFu],
					   (order[i] & 0x80000000u) != 0, order[i] & 0x7FFFFFFFu);
		pt_step(c, 1);
	}

	pt_release(c, order, (n ? n : 1) * sizeof(uint32_t));
	pt_release(c, b->tag, b->cap_words * sizeof(uint16_t));
	b->tag = NULL;
	if (rc == 0)
		rc = pt_compress(c, b);
	return rc;
}

static int
pt_cmp_addr(const void *pa, const void *pb)
{
	const pt_addr_key *a = pa;
	const pt_addr_key *b = pb;
	int			d = memcmp(a->addr, b->addr, 16);

	if (d != 0)
		return d;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

static int
pt_cmp_scope(const void *pa, const void *pb)
{
	const pt_scope_key *a = pa;
	const pt_scope_key *b = pb;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->scope != b->scope)
		return a->scope < b->scope ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

static int
pt_cmp_u32(const void *pa, const void *pb)
{
	uint32_t	a = *(const uint32_t *) pa;
	uint32_t	b = *(const uint32_t *) pb;

	return a < b ? -1 : a > b;
}

/* First key at or after (addr, len) in keys[0..n). */
static size_t
pt_lower_bound(const pt_addr_key *keys, size_t n, const uint8_t *addr, uint32_t len)
{
	size_t		lo = 0;
	size_t		hi = n;

	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;
		int			d = memcmp(keys[mid].addr, addr, 16);

		if (d < 0 || (d == 0 && keys[mid].len < len))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The global prefixes (keys, in address order) longer than and covered by
 * one of the scope's prefixes 'own' (n_own indexes).  Writes their indexes,
 * in input order, to *out (allocated here).
 */
static int
pt_covered_globals(pt_ctx *c, const pt_item *items, const pt_addr_key *keys,
				   size_t n_keys, const uint32_t *own, size_t n_own,
				   uint32_t **out, size_t *n_out, size_t *out_bytes)
{
	pt_addr_key *mine;
	size_t		i;
	size_t		cap = 16;
	size_t		n = 0;
	const pt_addr_key *outer = NULL;
	uint32_t   *res;
	int			rc = 0;

	*out = NULL;
	*n_out = 0;
	*out_bytes = 0;
	mine = pt_alloc(c, n_own * sizeof(pt_addr_key), 0);
	res = mine ? pt_alloc(c, cap * sizeof(uint32_t), 0) : NULL;
	if (res == NULL)
	{
		pt_release(c, mine, n_own * sizeof(pt_addr_key));
		return -1;
	}
	for (i = 0; i < n_own; i++)
	{
		memcpy(mine[i].addr, items[own[i]].addr, 16);
		mine[i].len = items[own[i]].len;
		mine[i].index = own[i];
	}
	qsort(mine, n_own, sizeof(pt_addr_key), pt_cmp_addr);

	for (i = 0; i < n_own && rc == 0; i++)
	{
		size_t		k;

		/* globals inside a nested scoped prefix were taken with its outer one */
		if (outer && pt_same_bits(outer->addr, mine[i].addr, (int) outer->len))
			continue;
		outer = &mine[i];
		for (k = pt_lower_bound(keys, n_keys, outer->addr, outer->len + 1);
			 k < n_keys && pt_same_bits(outer->addr, keys[k].addr, (int) outer->len); k++)
		{
			if (n == cap)
			{
				if (!pt_grow(c, (void **) &res, cap * sizeof(uint32_t), 2 * cap * sizeof(uint32_t)))
				{
					rc = -1;
					break;
				}
				cap *= 2;
			}
			res[n++] = keys[k].index;
		}
	}
	pt_release(c, mine, n_own * sizeof(pt_addr_key));
	if (rc != 0)
	{
		pt_release(c, res, cap * sizeof(uint32_t));
		return -1;
	}
	/* back to input order, so that later duplicates still win */
	qsort(res, n, sizeof(uint32_t), pt_cmp_u32);
	*out = res;
	*n_out = n;
	*out_bytes = cap * sizeof(uint32_t);
	return 0;
}

/* Check and copy the entries, clearing host bits; 0 or -1 (info says why). */
static int
pt_check_entries(const gf_prefix_entry *entries, size_t n, pt_item *items,
				 gf_pt_build_info *info)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		const gf_prefix_entry *e = &entries[i];
		pt_item    *it = &items[i];
		int			nbytes = e->family == 4 ? 4 : 16;
		int			changed = 0;
		int			b;

		if (e->family != 4 && e->family != 6)
			info->error = GF_PT_ERR_FAMILY;
		else if (e->prefix_len > nbytes * 8)
			info->error = GF_PT_ERR_PREFIX_LEN;
		else if (e->value > GF_PT_VALUE_MAX)
			info->error = GF_PT_ERR_VALUE;
		if (info->error != GF_PT_OK)
		{
			info->bad_index = i;
			return -1;
		}
		memset(it, 0, sizeof(*it));
		memcpy(it->addr, e->addr, nbytes);
		for (b = e->prefix_len; b < nbytes * 8; b++)
		{
			uint8_t		bit = (uint8_t) (0x80 >> (b % 8));

			if (b % 8 == 0 && it->addr[b / 8] == 0)
			{
				b += 7;			/* a whole zero byte */
				continue;
			}
			if (it->addr[b / 8] & bit)
			{
				it->addr[b / 8] &= (uint8_t) ~bit;
				changed = 1;
			}
		}
		info->n_host_bits += changed;
		it->value = e->value;
		it->scope = e->scope;
		it->family = e->family;
		it->len = e->prefix_len;
	}
	return 0;
}

/* Copy the built tries into one block. */
static gf_prefix_table *
pt_assemble(pt_ctx *c, pt_trie_build *tries, size_t n_tries)
{
	size_t		head = sizeof(gf_prefix_table) + n_tries * sizeof(gf_pt_trie);
	size_t		total;
	size_t		i;
	gf_prefix_table *t;
	gf_pt_trie *desc;
	uint64_t	offset;

	/*
	 * Nodes are whole 64-byte lines and tries are whole lines long: with
	 * the head rounded up to a line and the block line-aligned, a node of
	 * one line costs one cache miss, not two.
	 */
	head = (head + 63) & ~(size_t) 63;
	total = head;
	for (i = 0; i < n_tries; i++)
		total += tries[i].n_words * sizeof(uint32_t);
	t = pt_alloc_block(c, total);
	if (t == NULL)
		return NULL;
	memset(t, 0, head);
	t->magic = GF_PT_MAGIC;
	t->version = GF_PT_VERSION;
	t->total_bytes = total;
	t->n_tries = (uint32_t) n_tries;
	t->global_trie[0] = t->global_trie[1] = GF_PT_NO_TRIE;
	desc = (gf_pt_trie *) (void *) (t + 1);
	offset = head / sizeof(uint32_t);
	for (i = 0; i < n_tries; i++)
	{
		int			fam = tries[i].desc.family == 4 ? 0 : 1;

		desc[i] = tries[i].desc;
		desc[i].word_offset = offset;
		desc[i].n_words = tries[i].n_words;
		pt_copy(c, (uint32_t *) (void *) t + offset, tries[i].w,
				tries[i].n_words * sizeof(uint32_t));
		offset += tries[i].n_words;
		if (tries[i].desc.scope == 0)
			t->global_trie[fam] = (uint32_t) i;
		else if (t->scoped_count[fam]++ == 0)
			t->scoped_first[fam] = (uint32_t) i;
	}
	return t;
}

gf_prefix_table *
gf_pt_build(const gf_prefix_entry *entries, size_t n,
			const gf_pt_build_options *options, gf_pt_build_info *info)
{
	gf_pt_build_info local;
	gf_pt_build_options defaults;
	pt_ctx		c;
	pt_item    *items = NULL;
	uint32_t   *global[2] = {NULL, NULL};
	size_t		n_global[2] = {0, 0};
	pt_scope_key *scoped = NULL;
	size_t		n_scoped = 0;
	uint32_t   *own = NULL;
	pt_addr_key *keys[2] = {NULL, NULL};
	pt_trie_build *tries = NULL;
	size_t		n_tries = 0;
	size_t		cap_tries = 2;
	gf_prefix_table *t = NULL;
	size_t		i;
	int			fam;

	if (info == NULL)
		info = &local;
	memset(info, 0, sizeof(*info));
	if (options == NULL)
	{
		memset(&defaults, 0, sizeof(defaults));
		options = &defaults;
	}
	c.used = 0;
	c.max = options->max_bytes ? options->max_bytes : GF_PT_DEFAULT_MAX_BYTES;
	c.info = info;
	c.o = options;
	c.steps = 0;
	if (n > 0x7FFFFFFFu)		/* indexes carry a flag in their top bit */
	{
		info->error = GF_PT_ERR_MEMORY_LIMIT;
		return NULL;
	}

	items = pt_alloc(&c, n * sizeof(pt_item), 0);
	if (items == NULL || pt_check_entries(entries, n, items, info) != 0)
		goto done;
	for (i = 0; i < n; i++)
	{
		if (items[i].scope == 0)
			n_global[items[i].family == 4 ? 0 : 1]++;
		else
			n_scoped++;
	}
	for (fam = 0; fam < 2; fam++)
		if ((global[fam] = pt_alloc(&c, n_global[fam] * sizeof(uint32_t), 0)) == NULL)
			goto done;
	scoped = pt_alloc(&c, n_scoped * sizeof(pt_scope_key), 0);
	own = scoped ? pt_alloc(&c, n_scoped * sizeof(uint32_t), 0) : NULL;
	if (own == NULL)
		goto done;
	n_global[0] = n_global[1] = n_scoped = 0;
	for (i = 0; i < n; i++)
	{
		fam = items[i].family == 4 ? 0 : 1;
		if (items[i].scope == 0)
			global[fam][n_global[fam]++] = (uint32_t) i;
		else
		{
			scoped[n_scoped].family = (uint32_t) fam;
			scoped[n_scoped].scope = items[i].scope;
			scoped[n_scoped++].index = (uint32_t) i;
		}
	}
	qsort(scoped, n_scoped, sizeof(pt_scope_key), pt_cmp_scope);
	for (i = 0; i < n_scoped; i++)
		if (i == 0 || scoped[i].family != scoped[i - 1].family ||
			scoped[i].scope != scoped[i - 1].scope)
			cap_tries++;
	tries = pt_alloc(&c, cap_tries * sizeof(pt_trie_build), 1);
	if (tries == NULL)
		goto done;

	for (fam = 0; fam < 2; fam++)
	{
		if (n_global[fam] == 0)
			continue;
		if (pt_build_trie(&c, &tries[n_tries++], items, NULL, 0, global[fam],
						  n_global[fam], fam ? 6 : 4, 0, options) != 0)
			goto done;
	}
	for (i = 0; i < n_scoped;)
	{
		size_t		end = i;
		size_t		k;
		uint32_t   *covered = NULL;
		size_t		n_covered = 0;
		size_t		covered_bytes = 0;
		int			rc;

		fam = (int) scoped[i].family;
		while (end < n_scoped && scoped[end].family == scoped[i].family &&
			   scoped[end].scope == scoped[i].scope)
		{
			own[end - i] = scoped[end].index;
			end++;
		}
		if (n_global[fam] > 0 && keys[fam] == NULL)
		{
			keys[fam] = pt_alloc(&c, n_global[fam] * sizeof(pt_addr_key), 0);
			if (keys[fam] == NULL)
				goto done;
			for (k = 0; k < n_global[fam]; k++)
			{
				memcpy(keys[fam][k].addr, items[global[fam][k]].addr, 16);
				keys[fam][k].len = items[global[fam][k]].len;
				keys[fam][k].index = global[fam][k];
			}
			qsort(keys[fam], n_global[fam], sizeof(pt_addr_key), pt_cmp_addr);
		}
		if (n_global[fam] > 0 &&
			pt_covered_globals(&c, items, keys[fam], n_global[fam], own, end - i,
							   &covered, &n_covered, &covered_bytes) != 0)
			goto done;
		rc = pt_build_trie(&c, &tries[n_tries++], items, covered, n_covered,
						   own, end - i, fam ? 6 : 4, scoped[i].scope, options);
		pt_release(&c, covered, covered_bytes);
		if (rc != 0)
			goto done;
		i = end;
	}

	/* free the scratch first, so the block is the only big copy alive */
	pt_release(&c, items, n * sizeof(pt_item));
	items = NULL;
	t = pt_assemble(&c, tries, n_tries);

done:
	pt_release(&c, items, n * sizeof(pt_item));
	for (fam = 0; fam < 2; fam++)
	{
		pt_release(&c, global[fam], n_global[fam] * sizeof(uint32_t));
		pt_release(&c, keys[fam], n_global[fam] * sizeof(pt_addr_key));
	}
	pt_release(&c, scoped, n_scoped * sizeof(pt_scope_key));
	pt_release(&c, own, n_scoped * sizeof(uint32_t));
	if (tries != NULL)
	{
		for (i = 0; i < n_tries; i++)
		{
			pt_release(&c, tries[i].w, tries[i].cap_words * sizeof(uint32_t));
			pt_release(&c, tries[i].tag, tries[i].cap_words * sizeof(uint16_t));
		}
		pt_release(&c, tries, cap_tries * sizeof(pt_trie_build));
	}
	if (t == NULL && info->error == GF_PT_OK)
		info->error = GF_PT_ERR_NO_MEMORY;
	return t;
}
