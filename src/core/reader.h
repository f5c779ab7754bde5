/*
 * reader.h
 *    Bounds-checked big-endian reads from an untrusted buffer.  Every
 *    decoder reads through these, so a length field that lies can never
 *    move a read past the end of the datagram.
 */
#ifndef GF_READER_H
#define GF_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gf_rd
{
	const uint8_t *base;		/* start of the whole datagram (for offsets) */
	const uint8_t *p;			/* start of this view */
	size_t		len;			/* bytes in this view */
	size_t		off;			/* read position within this view */
} gf_rd;

static inline void
gf_rd_init(gf_rd *r, const uint8_t *p, size_t len)
{
	r->base = p;
	r->p = p;
	r->len = len;
	r->off = 0;
}

static inline size_t
gf_rd_left(const gf_rd *r)
{
	return r->len - r->off;
}

/* Offset of the read position from the start of the datagram. */
static inline size_t
gf_rd_abs(const gf_rd *r)
{
	return (size_t) (r->p - r->base) + r->off;
}

/* Carve a sub-view of n bytes and advance past it; false if too short. */
static inline bool
gf_rd_sub(gf_rd *r, size_t n, gf_rd *out)
{
	if (n > gf_rd_left(r))
		return false;
	out->base = r->base;
	out->p = r->p + r->off;
	out->len = n;
	out->off = 0;
	r->off += n;
	return true;
}

static inline bool
gf_rd_skip(gf_rd *r, size_t n)
{
	if (n > gf_rd_left(r))
		return false;
	r->off += n;
	return true;
}

static inline bool
gf_rd_bytes(gf_rd *r, size_t n, const uint8_t **out)
{
	if (n > gf_rd_left(r))
		return false;
	*out = r->p + r->off;
	r->off += n;
	return true;
}

/* An unsigned big-endian integer of 0 to 8 bytes. */
static inline uint64_t
gf_be_uint(const uint8_t *p, size_t n)
{
	uint64_t	v = 0;
	size_t		i;

	for (i = 0; i < n && i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static inline bool
gf_rd_uint(gf_rd *r, size_t n, uint64_t *v)
{
	if (n > 8 || n > gf_rd_left(r))
		return false;
	*v = gf_be_uint(r->p + r->off, n);
	r->off += n;
	return true;
}

static inline bool
gf_rd_u8(gf_rd *r, uint8_t *v)
{
	if (gf_rd_left(r) < 1)
		return false;
	*v = r->p[r->off++];
	return true;
}

static inline bool
gf_rd_u16(gf_rd *r, uint16_t *v)
{
	if (gf_rd_left(r) < 2)
		return false;
	*v = (uint16_t) gf_be_uint(r->p + r->off, 2);
	r->off += 2;
	return true;
}

static inline bool
gf_rd_u32(gf_rd *r, uint32_t *v)
{
	if (gf_rd_left(r) < 4)
		return false;
	*v = (uint32_t) gf_be_uint(r->p + r->off, 4);
	r->off += 4;
	return true;
}

static inline bool
gf_rd_u64(gf_rd *r, uint64_t *v)
{
	if (gf_rd_left(r) < 8)
		return false;
	*v = gf_be_uint(r->p + r->off, 8);
	r->off += 8;
	return true;
}

#endif							/* GF_READER_H */
