/*
 * prefix_layout.h
 *    The byte layout of a built prefix table, shared by the builder
 *    (prefix_build.c) and the lookups (prefix_table.c).
 *
 *    One block: a header, then one descriptor per trie, then the tries'
 *    32-bit words.  Nothing in it is a pointer, so the block may be copied
 *    anywhere (dynamic shared memory) and used as is.  Header and
 *    descriptors are padded to a multiple of 64 bytes and every trie is a
 *    whole number of 64-byte lines, so in a block that starts on a cache
 *    line (the builder's does; a dsm segment does) every node does too.
 *
 *    A trie is a multibit trie with a first stride of F bits (8, 16 or
 *    24: 2^F words) followed by nodes, each taking the next 8, 16 or 24
 *    bits of the address, with every prefix expanded over the positions
 *    it covers ("leaf pushing"), so a lookup reads one word per node and
 *    stops at the first word that is not a node reference.  A word is
 *      0                     no prefix covers it;
 *      GF_PTW_CHUNK | k << 28 | m
 *                            the next bits index the node of kind k
 *                            that starts at word 2^F + 16 m of the trie
 *                            (nodes are whole 64-byte lines);
 *      value + 1             a prefix carrying value covers it.
 *    So a lookup returns word - 1 for a leaf, and 0 - 1 = GF_PT_NONE for
 *    an empty word, with no branch.  Every kind of node stores runs:
 *    equal neighbouring positions share one word.
 *
 *    Kind 0, the bitmap node, takes 8 bits: 256 positions compressed (as
 *    Poptrie does).  Words 0..7 are a 256-bit map of where runs start
 *    (four 64-bit quarters, bit i of quarter q for position 64 q + i),
 *    words 8 and 9 the number of runs started before each quarter (four
 *    16-bit counts), and the run words follow from word 10, the node
 *    padded to a multiple of 16 words (64 bytes): up to 6 runs keep a
 *    node in one cache line.  Position p reads run word number (runs
 *    started at or before p) - 1.
 *
 *    Sparse nodes take 16 bits (kinds 1..4) or 24 bits (kinds 5..7) in
 *    one node when those positions hold few runs, which is the common
 *    case below the top of an IPv6 table (a few /32s under a /16, a few
 *    /48s under a /32), where bitmap nodes would take two or three nodes
 *    of up to two lines each.  A sparse node of L lines (L = kind for
 *    kinds 1..4; 1, 2, 4 for kinds 5..7: gf_pt_sparse_lines) holds S
 *    start positions (gf_pt_sparse_starts: 10, 20, 30, 42 starts of 16
 *    bits; 7, 15, 31 of 32 bits) ascending from byte 0, then S + 1 run
 *    words; the first run starts at 0 and has no start entry.  16-bit
 *    starts are stored with the top bit flipped (start ^ 0x8000) so that
 *    a signed compare orders them; 24-bit ones need no flip.  Unused
 *    starts are the largest position and unused words repeat the last
 *    run's word, so position p reads word number (starts <= p), which is
 *    the index of the first start above p (or S), with no length to
 *    read first.
 *
 *    Which kind: a node whose position starts on a multiple of 16 bits
 *    (16, 32, 48 ... where IPv6 prefixes cluster) is a 16-bit sparse node
 *    when its runs fit (at most 43), else a bitmap node; a node that
 *    starts 8 bits past one (after a bitmap node) is a 24-bit sparse node
 *    when its runs fit (at most 32), so that the next node starts on a
 *    multiple of 16 again, else a bitmap node.  No sparse node takes bits
 *    beyond the address.

 *    Tries: one global trie per family (absent when the family has no
 *    global entry), and one per (family, scope) that has scoped entries.
 *    A scope's trie holds its scoped prefixes and a copy of every global
 *    prefix longer than, and covered by, one of them (same-length global
 *    prefixes lose to the scoped one).  When an address hits in the scope's
 *    trie that answer is final; when it misses, no scoped prefix covers the
 *    address and the global trie answers.
 */
#ifndef GF_PREFIX_LAYOUT_H
#define GF_PREFIX_LAYOUT_H

#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "prefix_table.h"

#define GF_PT_MAGIC			0x67665054u /* "gfPT" */
#define GF_PT_VERSION		2
#define GF_PTW_CHUNK		0x80000000u
#define GF_PTW_KIND_SHIFT	28
#define GF_PTW_LINE_MASK	0x0FFFFFFFu
#define GF_PT_NO_TRIE		UINT32_MAX
#define GF_PT_NODE_WORDS	16
#define GF_PT_NODE_RUNS_AT	10
/* Node kinds: the bitmap node (8 bits), sparse nodes of 1..4 lines (16 bits). */
#define GF_PTK_BITMAP		0
#define GF_PTK_S16_LAST		4	/* kinds 1..4: 16-bit sparse nodes */
#define GF_PTK_S24_FIRST	5	/* kinds 5..7: 24-bit sparse nodes */
#define GF_PTK_LAST			7
/* The most starts a sparse node holds: 16-bit ones, 24-bit ones. */
#define GF_PT_S16_MAX_STARTS	42
#define GF_PT_S24_MAX_STARTS	31

typedef struct gf_pt_trie
{
	uint32_t	scope;
	uint8_t		family;
	uint8_t		first_bits;
	uint16_t	pad;
	uint64_t	word_offset;	/* from the start of the block, in words */
	uint64_t	n_words;
} gf_pt_trie;

struct gf_prefix_table
{
	uint32_t	magic;
	uint32_t	version;
	uint64_t	total_bytes;
	uint32_t	n_tries;
	uint32_t	global_trie[2];	/* index for IPv4, IPv6; or GF_PT_NO_TRIE */
	uint32_t	scoped_first[2];	/* first scoped trie of IPv4, IPv6 */
	uint32_t	scoped_count[2];	/* sorted by scope within a family */
	uint32_t	pad;
	/* gf_pt_trie tries[n_tries], then the words (8-byte aligned) */
};

static inline const gf_pt_trie *
gf_pt_tries(const gf_prefix_table *t)
{
	return (const gf_pt_trie *) (const void *) (t + 1);
}

static inline const uint32_t *
gf_pt_words(const gf_prefix_table *t, const gf_pt_trie *trie)
{
	return (const uint32_t *) (const void *) t + trie->word_offset;
}

/*
 * Bits set in x.  Unless built for a CPU with popcnt (-mpopcnt), gcc's
 * __builtin_popcountll on x86-64 calls a table-driven libgcc routine that
 * halves the lookup rate.  So there: the popcnt instruction through asm
 * when the CPU has it (every x86-64 server since 2008; the check reads a
 * flag set once at load time), else a few multiplies.
 */
static inline uint32_t
gf_pt_popcount64(uint64_t x)
{
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__POPCNT__)
	if (__builtin_expect(__builtin_cpu_supports("popcnt"), 1))
	{
		uint64_t	r;

		__asm__("popcntq %1, %0" : "=r"(r) : "rm"(x));
		return (uint32_t) r;
	}
	x = x - ((x >> 1) & UINT64_C(0x5555555555555555));
	x = (x & UINT64_C(0x3333333333333333)) + ((x >> 2) & UINT64_C(0x3333333333333333));
	x = (x + (x >> 4)) & UINT64_C(0x0F0F0F0F0F0F0F0F);
	return (uint32_t) ((x * UINT64_C(0x0101010101010101)) >> 56);
#else
	return (uint32_t) __builtin_popcountll(x);
#endif
}

/* The kind of node word e refers to (e has GF_PTW_CHUNK set). */
static inline uint32_t
gf_pt_kind(uint32_t e)
{
	return (e >> GF_PTW_KIND_SHIFT) & 7;
}

/* The first word of the node word e refers to (nodes start at 'nodes'). */
static inline const uint32_t *
gf_pt_node(const uint32_t *nodes, uint32_t e)
{
	return nodes + (size_t) (e & GF_PTW_LINE_MASK) * GF_PT_NODE_WORDS;
}

/* The word at position pos (0..255) of a bitmap node. */
static inline uint32_t
gf_pt_bitmap_word(const uint32_t *node, uint32_t pos)
{
	uint32_t	q = pos >> 6;
	uint64_t	bm;
	uint32_t	rank;

	memcpy(&bm, node + 2 * q, sizeof(bm));
	rank = (node[8 + (q >> 1)] >> (16 * (q & 1))) & 0xFFFF;
	rank += gf_pt_popcount64(bm & ((UINT64_C(2) << (pos & 63)) - 1));
	return node[GF_PT_NODE_RUNS_AT - 1 + rank];
}

/* Lines of a sparse node of kind k (1..7). */
static inline uint32_t
gf_pt_sparse_lines(uint32_t k)
{
	return (UINT32_C(0x42143210) >> (4 * k)) & 0xF;
}

/* Start entries of a sparse node of kind k (1..7). */
static inline uint32_t
gf_pt_sparse_starts(uint32_t k)
{
	return (uint32_t) (UINT64_C(0x1F0F072A1E140A00) >> (8 * k)) & 0xFF;
}

/* Address bits a node of kind k takes: 8, 16 or 24. */
static inline uint32_t
gf_pt_kind_bits(uint32_t k)
{
	return 8 * ((UINT32_C(0x33322221) >> (4 * k)) & 0xF);
}

#if defined(__SSE2__)
/* 16 bits, one per 16-bit start of the 16 at s: set where it is above p. */
static inline uint32_t
gf_pt_above16(const uint16_t *s, __m128i p)
{
	__m128i		a = _mm_loadu_si128((const __m128i *) (const void *) s);
	__m128i		b = _mm_loadu_si128((const __m128i *) (const void *) (s + 8));

	/* each lane all ones or zero; packing to bytes keeps that */
	a = _mm_cmpgt_epi16(a, p);
	b = _mm_cmpgt_epi16(b, p);
	return (uint32_t) _mm_movemask_epi8(_mm_packs_epi16(a, b));
}

/* The same for 16 starts of 32 bits (one 64-byte line). */
static inline uint32_t
gf_pt_above16_32(const uint32_t *s, __m128i p)
{
	__m128i		a = _mm_cmpgt_epi32(_mm_loadu_si128((const __m128i *) (const void *) s), p);
	__m128i		b = _mm_cmpgt_epi32(_mm_loadu_si128((const __m128i *) (const void *) (s + 4)), p);
	__m128i		c = _mm_cmpgt_epi32(_mm_loadu_si128((const __m128i *) (const void *) (s + 8)), p);
	__m128i		d = _mm_cmpgt_epi32(_mm_loadu_si128((const __m128i *) (const void *) (s + 12)), p);

	return (uint32_t) _mm_movemask_epi8(_mm_packs_epi16(_mm_packs_epi32(a, b),
														 _mm_packs_epi32(c, d)));
}
#endif

/*
 * The word at position pos (0..65535) of a 16-bit sparse node of kind k:
 * the number of starts at or before pos is the run, and since the starts
 * ascend, that is the index of the first start above pos.  With SSE2
 * (every x86-64) eight starts are compared at once, the flipped top bits
 * making the signed compare an unsigned one.  The first 32 entries (the
 * node's first line) are read whatever the size: bit S, set by hand,
 * stops the count before the entries past S, which are run words.  Only
 * nodes of 4 lines (42 starts) take a branch to read more.
 */
static inline uint32_t
gf_pt_sparse16_word(const uint32_t *node, uint32_t k, uint32_t pos)
{
	const uint16_t *starts = (const uint16_t *) (const void *) node;
	uint32_t	n = gf_pt_sparse_starts(k);
#if defined(__SSE2__)
	const __m128i p = _mm_set1_epi16((short) (pos ^ 0x8000));
	uint64_t	above;

	above = gf_pt_above16(starts, p) | (uint64_t) gf_pt_above16(starts + 16, p) << 16;
	if (k == GF_PTK_S16_LAST)
		above |= (uint64_t) gf_pt_above16(starts + 32, p) << 32;
	above |= UINT64_C(1) << n;
	return node[n / 2 + (uint32_t) __builtin_ctzll(above)];
#else
	uint32_t	rank = 0;
	uint32_t	i;

	for (i = 0; i < n; i++)
		rank += (uint32_t) (starts[i] ^ 0x8000) <= pos;
	return node[n / 2 + rank];
#endif
}

/*
 * The word at position pos (0..2^24 - 1) of a 24-bit sparse node of kind
 * k: as above with 32-bit starts, which hold 24-bit positions and need no
 * flip.  The first line (16 entries) is read whatever the size; only the
 * nodes of 4 lines (31 starts) read a second.
 */
static inline uint32_t
gf_pt_sparse24_word(const uint32_t *node, uint32_t k, uint32_t pos)
{
	uint32_t	n = gf_pt_sparse_starts(k);
#if defined(__SSE2__)
	const __m128i p = _mm_set1_epi32((int) pos);
	uint32_t	above;

	above = gf_pt_above16_32(node, p);
	if (k == GF_PTK_LAST)
		above |= gf_pt_above16_32(node + 16, p) << 16;
	above |= UINT32_C(1) << n;
	return node[n + (uint32_t) __builtin_ctz(above)];
#else
	uint32_t	rank = 0;
	uint32_t	i;

	for (i = 0; i < n; i++)
		rank += node[i] <= pos;
	return node[n + rank];
#endif
}

#endif							/* GF_PREFIX_LAYOUT_H */
