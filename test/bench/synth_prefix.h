/*
 * synth_prefix.h
 *    The prefix-length mix of the synthetic "Internet-like" tables the
 *    context benchmarks build (bench_prefix.c, bench_context.c and
 *    ctx_networks.c, which feeds bench_collector.sh and context_rebuild.sh),
 *    kept in one place so that their figures describe the same tables.
 *    Each caller passes its own random source, so its seed and sequence
 *    stay its own.
 */
#ifndef SYNTH_PREFIX_H
#define SYNTH_PREFIX_H

#include <stdint.h>

typedef uint64_t (*synth_rnd_fn) (void);

/*
 * Roughly the IPv4 Internet table's mix (per mille): 600 /24, 100 /23,
 * 130 /22, 50 /21, 40 /20, 30 /19, 15 /18, 10 /17, 15 /16, 4 /8../15,
 * 6 longer than /24 (filtered on the Internet, common in inventories).
 */
static inline int
synth_len4(synth_rnd_fn rnd)
{
	static const int upto[] = {600, 700, 830, 880, 920, 950, 965, 975, 990, 994, 1000};
	static const int len[] = {24, 23, 22, 21, 20, 19, 18, 17, 16, 8, 25};
	int			r = (int) (rnd() % 1000);
	int			i;

	for (i = 0; r >= upto[i]; i++)
		;
	if (len[i] == 8)
		return 8 + (int) (rnd() % 8);
	if (len[i] == 25)
		return 25 + (int) (rnd() % 8);
	return len[i];
}

/*
 * IPv6: half /48, many /32../47 (allocations and their first splits), a
 * few /56../64.
 */
static inline int
synth_len6(synth_rnd_fn rnd)
{
	static const int upto[] = {500, 620, 700, 760, 790, 820, 870, 970, 1000};
	static const int len[] = {48, 32, 44, 40, 36, 29, 46, 33, 56};
	static const int spread[] = {1, 1, 1, 1, 1, 1, 2, 15, 9};
	int			r = (int) (rnd() % 1000);
	int			i;

	for (i = 0; r >= upto[i]; i++)
		;
	return spread[i] == 1 ? len[i] : len[i] + (int) (rnd() % (uint64_t) spread[i]);
}

/* Clear the host bits of an address of 'bytes' bytes after 'len' bits. */
static inline void
synth_clear_host(uint8_t *a, int len, int bytes)
{
	int			b;

	for (b = len; b < bytes * 8; b++)
		a[b / 8] &= (uint8_t) ~(0x80 >> (b % 8));
}

#endif
