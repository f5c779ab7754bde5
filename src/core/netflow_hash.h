/*
 * netflow_hash.h
 *    The keyed hash every NetFlow v9 / IPFIX state table uses: SipHash-2-4
 *    with a key drawn at random when a decoder is made.
 *
 *    Exporters choose the keys of these tables (addresses, observation
 *    domains, template and sampler ids).  With an unkeyed hash such as
 *    FNV-1a, colliding keys can be computed offline and piled into one
 *    chain, turning every look-up into a walk over thousands of entries.
 *    With a secret per-process key, collisions cannot be chosen.
 */
#ifndef GF_NETFLOW_HASH_H
#define GF_NETFLOW_HASH_H

#include <stddef.h>
#include <stdint.h>

typedef struct gf_hash_key
{
	uint64_t	k0;
	uint64_t	k1;
} gf_hash_key;

/* SipHash-2-4 of n bytes (RFC-free; the Aumasson-Bernstein definition). */
uint64_t	gf_siphash(const gf_hash_key *key, const void *data, size_t n);

/*
 * A fresh random key: getrandom(2), else /dev/urandom, else a mix of the
 * clock, the pid and an address (never fails; the fallbacks only matter on
 * a system without a random source).
 */
void		gf_hash_key_random(gf_hash_key *key);

#endif							/* GF_NETFLOW_HASH_H */
