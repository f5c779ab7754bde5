/*
 * fuzz_prefix_table.c
 *    libFuzzer target for the longest-prefix-match table (prefix_table.h):
 *    random entries (both families, scopes 0..3, any length including
 *    refused ones, host bits, duplicates) and random lookups, each answer
 *    checked against a naive oracle that scans every entry, one by one
 *    and in batches (gf_pt_lookup*_batch) of one scope.  Also checks
 *    the duplicate and host-bit counts, and that a refusal names an entry
 *    that is bad while every entry before it is good.
 *
 *    Input: byte 0 picks the first strides (8 or 16 bits per family, or
 *    the automatic choice, which is 8 or 16 for the sizes fuzzed); then up to 64 entries of 7 bytes
 *    (family+scope, length, 4 address bytes repeated over an IPv6 address,
 *    value); the rest are 5-byte lookups.  Every entry's own address and
 *    its neighbours across its prefix edge are looked up too.
 *
 *    Run: make build/fuzz/fuzz_prefix_table &&
 *         ./build/fuzz/fuzz_prefix_table test/fuzz/corpus_prefix_table
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prefix_table.h"

#define FZ_MAX_ENTRIES 64

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
fz_same_bits(const uint8_t *a, const uint8_t *b, int len)
{
	int			i;

	for (i = 0; i < len; i++)
		if (((a[i / 8] ^ b[i / 8]) & (0x80 >> (i % 8))) != 0)
			return 0;
	return 1;
}

/* Most specific; scoped beats global of the same length; later beats earlier. */
static uint32_t
fz_oracle(const gf_prefix_entry *e, size_t n, int family, const uint8_t *addr,
		  uint32_t scope)
{
	uint32_t	best = GF_PT_NONE;
	int			best_len = -1;
	int			best_scoped = 0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		int			scoped = e[i].scope != 0;

		if (e[i].family != family || (scoped && e[i].scope != scope))
			continue;
		if (!fz_same_bits(e[i].addr, addr, e[i].prefix_len))
			continue;
		if (e[i].prefix_len > best_len ||
			(e[i].prefix_len == best_len && scoped >= best_scoped))
		{
			best = e[i].value;
			best_len = e[i].prefix_len;
			best_scoped = scoped;
		}
	}
	return best;
}

/* Queries of one batch, checked together once it is full. */
#define FZ_BATCH 20

typedef struct fz_batch
{
	int			n;
	int			family;
	uint32_t	scope;
	uint32_t	v4[FZ_BATCH];
	uint8_t		v6[FZ_BATCH][16];
	uint32_t	want[FZ_BATCH];
} fz_batch;

static void
fz_flush(const gf_prefix_table *t, fz_batch *b)
{
	uint32_t	out[FZ_BATCH];
	int			i;

	if (b->n == 0)
		return;
	if (b->family == 4)
		gf_pt_lookup4_batch(t, b->v4, (size_t) b->n, b->scope, out);
	else
		gf_pt_lookup6_batch(t, (const uint8_t (*)[16]) b->v6, (size_t) b->n, b->scope, out);
	for (i = 0; i < b->n; i++)
		if (out[i] != b->want[i])
			abort();
	b->n = 0;
}

static fz_batch fz_batches[2][8];

/* One lookup against the oracle, and the same address queued for a batch. */
static void
fz_check(const gf_prefix_table *t, const gf_prefix_entry *e, size_t n,
		 int family, const uint8_t *addr, uint32_t scope)
{
	uint32_t	want = fz_oracle(e, n, family, addr, scope);
	fz_batch   *b = &fz_batches[family == 6][scope & 7];

	if (gf_pt_lookup(t, family, addr, scope) != want)
		abort();
	b->family = family;
	b->scope = scope;
	if (family == 4)
		b->v4[b->n] = (uint32_t) addr[0] << 24 | (uint32_t) addr[1] << 16 |
			(uint32_t) addr[2] << 8 | addr[3];
	else
		memcpy(b->v6[b->n], addr, 16);
	b->want[b->n++] = want;
	if (b->n == FZ_BATCH)
		fz_flush(t, b);
}

static void
fz_flush_all(const gf_prefix_table *t)
{
	int			f;
	int			s;

	for (f = 0; f < 2; f++)
		for (s = 0; s < 8; s++)
			fz_flush(t, &fz_batches[f][s]);
}

static int
fz_entry_bad(const gf_prefix_entry *e)
{
	return (e->family != 4 && e->family != 6) ||
		e->prefix_len > (e->family == 4 ? 32 : 128) ||
		e->value > GF_PT_VALUE_MAX;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gf_prefix_entry e[FZ_MAX_ENTRIES];
	gf_pt_build_options o;
	gf_pt_build_info info;
	gf_prefix_table *t;
	size_t		n = 0;
	size_t		pos = 1;
	size_t		dups = 0;
	size_t		host = 0;
	size_t		i;
	size_t		j;

	if (size < 1)
		return 0;
	memset(&o, 0, sizeof(o));
	/*
	 * No 24-bit stride: it runs the same code with another width (the unit
	 * tests cover it) but costs 64 MiB and a tenth of a second under ASan.
	 */
	o.first_bits4 = (data[0] & 1) ? 16 : 8;
	o.first_bits6 = (data[0] & 8) ? 16 : 8;
	o.max_bytes = 256u << 20;
	if ((data[0] & 0xC0) == 0x40)
		o.first_bits4 = o.first_bits6 = 0;	/* automatic choice */

	while (pos + 7 <= size && n < FZ_MAX_ENTRIES && data[pos] != 0xFE)
	{
		const uint8_t *p = data + pos;
		gf_prefix_entry *x = &e[n];
		int			k;

		memset(x, 0, sizeof(*x));
		x->family = p[0] == 0xFF ? 5 : (p[0] & 1) ? 6 : 4;
		x->scope = (p[0] >> 1) & 3;
		x->prefix_len = (uint8_t) (p[1] % ((x->family == 4 ? 32 : 128) + 2));
		for (k = 0; k < (x->family == 4 ? 4 : 16); k++)
			x->addr[k] = p[2 + k % 4];
		x->value = p[6] == 0xFF ? GF_PT_VALUE_MAX + (p[0] >> 7) : (uint32_t) (p[6] | n << 8);
		n++;
		pos += 7;
	}
	if (pos < size && data[pos] == 0xFE)
		pos++;

	t = gf_pt_build(e, n, &o, &info);
	if (t == NULL)
	{
		if (info.error == GF_PT_ERR_MEMORY_LIMIT || info.error == GF_PT_ERR_NO_MEMORY)
			return 0;
		if (info.bad_index >= n || !fz_entry_bad(&e[info.bad_index]))
			abort();
		for (i = 0; i < info.bad_index; i++)
			if (fz_entry_bad(&e[i]))
				abort();
		return 0;
	}
	for (i = 0; i < n; i++)
		if (fz_entry_bad(&e[i]))
			abort();

	/* the counts of duplicates and of cleared host bits */
	for (i = 0; i < n; i++)
	{
		int			max = e[i].family == 4 ? 32 : 128;

		for (j = e[i].prefix_len; j < (size_t) max; j++)
			if (e[i].addr[j / 8] & (0x80 >> (j % 8)))
				break;
		host += j < (size_t) max;
		for (j = 0; j < i; j++)
			if (e[j].family == e[i].family && e[j].scope == e[i].scope &&
				e[j].prefix_len == e[i].prefix_len &&
				fz_same_bits(e[j].addr, e[i].addr, e[i].prefix_len))
				break;
		dups += j < i;
	}
	if (info.n_duplicates != dups || info.n_host_bits != host)
		abort();

	/* each entry's address and its neighbours across the prefix edge */
	for (i = 0; i < n; i++)
	{
		int			max = e[i].family == 4 ? 32 : 128;
		int			flips[3];
		int			f;
		uint32_t	scope;

		flips[0] = -1;
		flips[1] = e[i].prefix_len > 0 ? e[i].prefix_len - 1 : -1;
		flips[2] = e[i].prefix_len < max ? e[i].prefix_len : max - 1;
		for (f = 0; f < 3; f++)
		{
			uint8_t		a[16];

			memcpy(a, e[i].addr, 16);
			if (flips[f] >= 0)
				a[flips[f] / 8] ^= (uint8_t) (0x80 >> (flips[f] % 8));
			for (scope = 0; scope < 5; scope++)
				fz_check(t, e, n, e[i].family, a, scope);
		}
	}
	/* lookups from the rest of the input */
	for (; pos + 5 <= size; pos += 5)
	{
		uint8_t		a[16];
		int			k;

		for (k = 0; k < 16; k++)
			a[k] = data[pos + 1 + k % 4];
		fz_check(t, e, n, (data[pos] & 1) ? 6 : 4, a, (data[pos] >> 1) & 7);
	}

	fz_flush_all(t);

	/* a byte copy answers the same */
	{
		void	   *copy = malloc(gf_pt_bytes(t));

		memcpy(copy, t, gf_pt_bytes(t));
		gf_pt_free(t);
		for (i = 0; i < n; i++)
			fz_check(copy, e, n, e[i].family, e[i].addr, e[i].scope);
		fz_flush_all(copy);
		free(copy);
	}
	return 0;
}
