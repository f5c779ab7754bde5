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
 *    24: 2^F words) followed by chunks of 256 words, one per further
 *    8 bits, with every prefix expanded over the words it covers ("leaf
 *    pushing"), so a lookup reads one word per stride and stops at the
 *    first word that is not a chunk reference.  A word is
 *      0                     no prefix covers it;
 *      GF_PTW_CHUNK | k      the next 8 bits index chunk k, which starts
 *                            at word 2^F + 256 k of the trie;
 *      value + 1             a prefix carrying value covers it.
 *    So a lookup returns word - 1 for a leaf, and 0 - 1 = GF_PT_NONE for
 *    an empty word, with no branch.
 *
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

#include "prefix_table.h"

#define GF_PT_MAGIC			0x67665054u /* "gfPT" */
#define GF_PT_VERSION		1
#define GF_PTW_CHUNK		0x80000000u
#define GF_PT_NO_TRIE		UINT32_MAX

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

#endif							/* GF_PREFIX_LAYOUT_H */
