/*
 * prefix_layout.h
 *    The byte layout of a built prefix table, shared by the builder
 *    (prefix_build.c) and the lookups (prefix_table.c).
 *
 *    One block: a header, then one descriptor per trie, then the tries'
 *    32-bit words.  Nothing in it is a pointer, so the block may be copied
 *    anywhere (dynamic shared memory) and used as is.
 *
 *    A trie is a multibit trie with a first stride of F bits (8, 16 or
 *    24: 2^F words) followed by nodes, one per further 8 bits, with every
 *    prefix expanded over the positions it covers ("leaf pushing"), so a
 *    lookup reads one word per stride and stops at the first word that is
 *    not a node reference.  A word is
 *      0                     no prefix covers it;
 *      GF_PTW_CHUNK | m      the next 8 bits index the node at word
 *                            2^F + 16 m of the trie;
 *      value + 1             a prefix carrying value covers it.
 *    So a lookup returns word - 1 for a leaf, and 0 - 1 = GF_PT_NONE for
 *    an empty word, with no branch.
 *
 *    A node stands for 256 positions, compressed (as Poptrie does): equal
 *    neighbours form runs.  Words 0..7 are a 256-bit map of where runs
 *    start (four 64-bit quarters, bit i of quarter q for position
 *    64 q + i), words 8 and 9 the number of runs started before each
 *    quarter (four 16-bit counts), and the run words follow from word 10,
 *    the node padded to a multiple of 16 words (64 bytes): up to 6 runs
 *    keep a node in one cache line.  Position p reads run word number
 *    (runs started at or before p) - 1.

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

#include "prefix_table.h"

#define GF_PT_MAGIC			0x67665054u /* "gfPT" */
#define GF_PT_VERSION		1
#define GF_PTW_CHUNK		0x80000000u
#define GF_PT_NO_TRIE		UINT32_MAX
#define GF_PT_NODE_WORDS	16
#define GF_PT_NODE_RUNS_AT	10

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

/* The word at position pos (0..255) of node m (nodes start at word 'nodes'). */
static inline uint32_t
gf_pt_node_word(const uint32_t *w, uint32_t nodes, uint32_t m, uint32_t pos)
{
	const uint32_t *node = w + nodes + (size_t) m * GF_PT_NODE_WORDS;
	uint32_t	q = pos >> 6;
	uint64_t	bm;
	uint32_t	rank;

	memcpy(&bm, node + 2 * q, sizeof(bm));
	rank = (node[8 + (q >> 1)] >> (16 * (q & 1))) & 0xFFFF;
	rank += gf_pt_popcount64(bm & ((UINT64_C(2) << (pos & 63)) - 1));
	return node[GF_PT_NODE_RUNS_AT - 1 + rank];
}

#endif							/* GF_PREFIX_LAYOUT_H */
