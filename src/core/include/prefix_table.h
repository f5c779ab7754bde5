/*
 * prefix_table.h
 *    Longest-prefix match of IPv4 and IPv6 addresses against a table of
 *    networks, for context enrichment (issue #8): every flow's source and
 *    destination address is looked up, so a lookup must stay cheap with a
 *    full Internet table (1 M IPv4 + 200 k IPv6 prefixes).
 *
 *    The table is built once from a list of entries and never changes:
 *    a change means building a new table beside the old one and swapping
 *    the pointer.  A build of 1 M IPv4 + 200 k IPv6 prefixes takes 1.4 to
 *    2.5 s of one core (test/bench/README.md), so it belongs in a separate
 *    process or step, never between receive batches; a one-row change is
 *    a full rebuild.  The built table is one contiguous block with no
 *    pointers inside (offsets only): it can be copied byte for byte
 *    (memcpy, gf_pt_bytes() bytes) into dynamic shared memory and the copy
 *    used by any number of processes, read-only.

 *    Matching rules:
 *    - the most specific (longest) matching prefix wins;
 *    - an entry has a scope (0 = global; any other number is a caller's
 *      scope, e.g. an exporter id).  A lookup names a scope; entries of
 *      that scope and global entries take part.  Of the same length, the
 *      scoped entry wins over the global one;
 *    - duplicates (same family, scope, prefix length and network): the
 *      later entry in the list wins; the builder counts them and names the
 *      first, so a caller may refuse them instead;
 *    - an IPv4 prefix never matches an IPv6 address and the other way
 *      round.  IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are not
 *      converted here: the caller turns them into IPv4 before asking (as
 *      the worker does for exporter sources), and an IPv6 entry
 *      ::ffff:0:0/96 matches only addresses given as IPv6;
 *    - host bits right of the prefix length are cleared (10.1.2.3/24 is
 *      10.1.2.0/24) and counted in the build info.
 *
 *    Untrusted input: a family other than 4 or 6, a prefix length above
 *    32 / 128 or a value above GF_PT_VALUE_MAX refuses the whole build and
 *    names the entry.  Memory is bounded by max_bytes (table plus build
 *    scratch, default 1 GiB); a build that would exceed it is refused.
 *    One prefix adds at most ceil((len - F) / 8) nodes (F: the table's
 *    first stride, 8, 16 or 24 bits), that is at most 3 nodes for IPv4
 *    and 15 for IPv6; during the build a node takes 1.5 KiB (256 words and
 *    their tags), in the built table 64 bytes plus 4 bytes per run of
 *    equal positions (at most 1088 bytes), and where a node and its
 *    children hold at most 43 runs over their 16 bits they become one
 *    node of 64 to 256 bytes instead.  A scoped prefix also copies into
 *    its scope's table every longer global prefix it covers.

 *    Core code: plain C, no postgres.h; tested in
 *    test/unit/test_prefix_table.c and test/fuzz/fuzz_prefix_table.c.
 */
#ifndef GF_PREFIX_TABLE_H
#define GF_PREFIX_TABLE_H

#include <stddef.h>
#include <stdint.h>

/* What a lookup returns when no prefix matches. */
#define GF_PT_NONE			UINT32_MAX
/* Largest value an entry may carry (values are stored as value + 1). */
#define GF_PT_VALUE_MAX		0x7FFFFFFEu
/* Default bound of max_bytes (table plus build scratch) when 0 is given. */
#define GF_PT_DEFAULT_MAX_BYTES	((size_t) 1 << 30)

typedef struct gf_prefix_entry
{
	uint8_t		family;			/* 4 or 6 */
	uint8_t		prefix_len;		/* 0..32 or 0..128 */
	uint8_t		addr[16];		/* network order; IPv4 in addr[0..3] */
	uint32_t	scope;			/* 0: global; else the caller's scope id */
	uint32_t	value;			/* returned by a lookup; <= GF_PT_VALUE_MAX */
} gf_prefix_entry;

typedef enum gf_pt_error
{
	GF_PT_OK = 0,
	GF_PT_ERR_FAMILY,			/* family is neither 4 nor 6 */
	GF_PT_ERR_PREFIX_LEN,		/* above 32 (IPv4) or 128 (IPv6) */
	GF_PT_ERR_VALUE,			/* above GF_PT_VALUE_MAX */
	GF_PT_ERR_MEMORY_LIMIT,		/* the table would exceed max_bytes */
	GF_PT_ERR_NO_MEMORY			/* malloc failed */
} gf_pt_error;

typedef struct gf_pt_build_options
{
	size_t		max_bytes;		/* 0: GF_PT_DEFAULT_MAX_BYTES */
	/*
	 * First stride in bits (8, 16 or 24) of every table of that family,
	 * for tests and benchmarks; 0 chooses by
	 * size (IPv4: 24 from 65536 prefixes, 16 from 256, else 8; IPv6: 16
	 * from 256, else 8).
	 */
	int			first_bits4;
	int			first_bits6;

	/*
	 * Called every GF_PT_PAUSE_EVERY steps of a build (a prefix inserted,
	 * a chunk placed or written, 256 KiB copied), so that a caller whose
	 * machine also has time-critical work can pause the build there.  A
	 * full Internet table takes seconds to build.  NULL: never.
	 */
	void		(*pause) (void *arg);
	void	   *pause_arg;
} gf_pt_build_options;

#define GF_PT_PAUSE_EVERY	16384

typedef struct gf_pt_build_info
{
	gf_pt_error error;
	size_t		bad_index;		/* entry that was refused */
	size_t		n_duplicates;	/* entries that replaced an earlier one */
	size_t		first_duplicate;	/* lowest index of those */
	size_t		n_host_bits;	/* entries whose host bits were cleared */
	size_t		peak_bytes;		/* table plus build scratch, at most */
} gf_pt_build_info;

/* Opaque: one contiguous, pointer-free block of gf_pt_bytes() bytes. */
typedef struct gf_prefix_table gf_prefix_table;

/*
 * Build a table from n entries.  Returns NULL on refusal, with the reason
 * in info->error (and the entry in info->bad_index).  options may be NULL.
 * info may be NULL.  Free the result with gf_pt_free().
 */
gf_prefix_table *gf_pt_build(const gf_prefix_entry *entries, size_t n,
							 const gf_pt_build_options *options,
							 gf_pt_build_info *info);
void		gf_pt_free(gf_prefix_table *table);
size_t		gf_pt_bytes(const gf_prefix_table *table);
const char *gf_pt_error_name(gf_pt_error error);

/* addr in host order (10.0.0.1 is 0x0A000001). */
uint32_t	gf_pt_lookup4(const gf_prefix_table *table, uint32_t addr,
						  uint32_t scope);
/* addr: 16 bytes, network order. */
uint32_t	gf_pt_lookup6(const gf_prefix_table *table, const uint8_t *addr,
						  uint32_t scope);
/* family 4 (addr: 4 bytes, network order) or 6; other families: none. */
uint32_t	gf_pt_lookup(const gf_prefix_table *table, int family,
						 const uint8_t *addr, uint32_t scope);

/*
 * The same for n addresses of one scope (a datagram's flows come from one
 * exporter): out[i] answers addr[i].  Faster than n single lookups on a
 * table larger than the caches, since the walks of different addresses
 * overlap their cache misses (see test/bench/README.md).
 */
void		gf_pt_lookup4_batch(const gf_prefix_table *table, const uint32_t *addr,
								size_t n, uint32_t scope, uint32_t *out);
void		gf_pt_lookup6_batch(const gf_prefix_table *table, const uint8_t (*addr)[16],
								size_t n, uint32_t scope, uint32_t *out);

#endif							/* GF_PREFIX_TABLE_H */
