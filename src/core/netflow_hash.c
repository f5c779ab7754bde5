/*
 * netflow_hash.c
 *    SipHash-2-4 and the random key for it (see netflow_hash.h for why the
 *    state tables need a keyed hash).
 */
#include "netflow_hash.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define ROTL64(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

#define SIP_ROUND(v0, v1, v2, v3) \
	do { \
		v0 += v1; v1 = ROTL64(v1, 13); v1 ^= v0; v0 = ROTL64(v0, 32); \
		v2 += v3; v3 = ROTL64(v3, 16); v3 ^= v2; \
		v0 += v3; v3 = ROTL64(v3, 21); v3 ^= v0; \
		v2 += v1; v1 = ROTL64(v1, 17); v1 ^= v2; v2 = ROTL64(v2, 32); \
	} while (0)

/* Little-endian load of up to 8 bytes, whatever the host's byte order. */
static uint64_t
sip_load_le(const uint8_t *p, size_t n)
{
	uint64_t	v = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		v |= (uint64_t) p[i] << (8 * i);
	return v;
}

uint64_t
gf_siphash(const gf_hash_key *key, const void *data, size_t n)
{
	const uint8_t *p = data;
	uint64_t	v0 = key->k0 ^ 0x736f6d6570736575ULL;
	uint64_t	v1 = key->k1 ^ 0x646f72616e646f6dULL;
	uint64_t	v2 = key->k0 ^ 0x6c7967656e657261ULL;
	uint64_t	v3 = key->k1 ^ 0x7465646279746573ULL;
	size_t		whole = n - n % 8;
	size_t		i;
	uint64_t	m;

	for (i = 0; i < whole; i += 8)
	{
		m = sip_load_le(p + i, 8);
		v3 ^= m;
		SIP_ROUND(v0, v1, v2, v3);
		SIP_ROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	/* Last block: the remaining bytes and the length's low byte on top. */
	m = sip_load_le(p + whole, n - whole) | ((uint64_t) (n & 0xff) << 56);
	v3 ^= m;
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	v0 ^= m;
	v2 ^= 0xff;
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

static int
hash_read_urandom(void *buf, size_t n)
{
	int			fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t		got;

	if (fd < 0)
		return -1;
	got = read(fd, buf, n);
	close(fd);
	return got == (ssize_t) n ? 0 : -1;
}

void
gf_hash_key_random(gf_hash_key *key)
{
	uint64_t	k[2];
	struct timespec ts;

	if (getrandom(k, sizeof(k), GRND_NONBLOCK) == (ssize_t) sizeof(k) ||
		hash_read_urandom(k, sizeof(k)) == 0)
	{
		key->k0 = k[0];
		key->k1 = k[1];
		return;
	}
	/* No random source: weak, but still not computable from outside. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	key->k0 = ((uint64_t) ts.tv_sec << 32) ^ (uint64_t) ts.tv_nsec ^
		((uint64_t) getpid() << 17);
	key->k1 = (uint64_t) (uintptr_t) key ^ ROTL64(key->k0, 29);
}
