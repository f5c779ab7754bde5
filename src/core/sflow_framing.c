/*
 * sflow_framing.c
 *    The two framing helpers every sFlow sample decoder uses: an address
 *    (type, then 0, 4 or 16 bytes) and the list of records that ends a
 *    sample.  Apart from sflow_datagram.c, which calls the sample
 *    decoders, so that the calls run one way: datagram -> samples ->
 *    framing.
 */
#include "sflow_internal.h"

#include <string.h>

gf_rc
gf_sf_read_addr(gf_sf_ctx *c, gf_rd *r, gf_addr *a, const char *what)
{
	uint32_t	type;
	const uint8_t *p;
	size_t		off = gf_rd_abs(r);

	memset(a, 0, sizeof(*a));
	if (!gf_rd_u32(r, &type))
		return gf_fail(c->err, GF_ERR_TRUNCATED, off,
					   "%s: address type cut off", what);
	switch (type)
	{
		case 0:
			/* "unknown": the spec gives it no address bytes. */
			return GF_OK;
		case 1:
			if (!gf_rd_bytes(r, 4, &p))
				return gf_fail(c->err, GF_ERR_TRUNCATED, off,
							   "%s: IPv4 address cut off", what);
			gf_addr_set_v4(a, p);
			return GF_OK;
		case 2:
			if (!gf_rd_bytes(r, 16, &p))
				return gf_fail(c->err, GF_ERR_TRUNCATED, off,
							   "%s: IPv6 address cut off", what);
			gf_addr_set_v6(a, p);
			return GF_OK;
		default:
			/* Its size is unknown, so nothing after it can be framed. */
			return gf_fail(c->err, GF_ERR_LENGTH, off,
						   "%s has unknown address type %u", what, type);
	}
}

gf_rc
gf_sf_records(gf_sf_ctx *c, gf_rd *r, const char *what,
			  gf_sf_record_fn fn, void *arg)
{
	uint32_t	n,
				i,
				tag,
				len;
	size_t		off = gf_rd_abs(r);
	gf_rd		rec;
	gf_rc		rc;

	if (!gf_rd_u32(r, &n))
		return gf_fail(c->err, GF_ERR_TRUNCATED, off,
					   "%s: record count cut off", what);
	for (i = 0; i < n; i++)
	{
		off = gf_rd_abs(r);
		if (i >= GF_SFLOW_MAX_RECORDS)
		{
			/* The sample is a view of its own length: the rest is skipped. */
			gf_sf_limit(c);
			return GF_OK;
		}
		if (!gf_rd_u32(r, &tag) || !gf_rd_u32(r, &len))
			return gf_fail(c->err, GF_ERR_COUNT, off,
						   "%s says %u records but its data ends after %u",
						   what, n, i);
		if (!gf_rd_sub(r, len, &rec))
			return gf_fail(c->err, GF_ERR_LENGTH, off,
						   "%s record %u (format %u:%u) length %u exceeds the %zu bytes left in the sample",
						   what, i, tag >> 12, tag & 0xfff, len, gf_rd_left(r));
		rc = fn(c, tag, &rec, arg);
		if (rc != GF_OK)
			return rc;
	}
	return GF_OK;
}
