/*
 * nf_packet_builder.h
 *    Helpers for the NetFlow / IPFIX unit tests: build a datagram byte by
 *    byte (big-endian), patch set lengths afterwards, and collect the flow
 *    records and interface facts a decode emits.  The tests compute their expected values by
 *    hand from the bytes they write here, never from decoder output.
 */
#ifndef NF_PACKET_BUILDER_H
#define NF_PACKET_BUILDER_H

#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "if_info_check.h"

typedef struct pb
{
	uint8_t		b[65536];
	size_t		n;
} pb;

static inline void
pb_reset(pb *p)
{
	p->n = 0;
}

static inline void
pb_u8(pb *p, uint64_t v)
{
	p->b[p->n++] = (uint8_t) v;
}

static inline void
pb_uint(pb *p, uint64_t v, int width)
{
	int			i;

	for (i = width - 1; i >= 0; i--)
		p->b[p->n++] = (uint8_t) (v >> (8 * i));
}

#define pb_u16(p, v) pb_uint((p), (v), 2)
#define pb_u24(p, v) pb_uint((p), (v), 3)
#define pb_u32(p, v) pb_uint((p), (v), 4)
#define pb_u64(p, v) pb_uint((p), (v), 8)

static inline void
pb_bytes(pb *p, const void *src, size_t n)
{
	memcpy(p->b + p->n, src, n);
	p->n += n;
}

static inline void
pb_ip4(pb *p, int a, int b, int c, int d)
{
	pb_u8(p, a);
	pb_u8(p, b);
	pb_u8(p, c);
	pb_u8(p, d);
}

static inline void
pb_zero(pb *p, size_t n)
{
	memset(p->b + p->n, 0, n);
	p->n += n;
}

/* n bytes of src (binary: may hold NULs), then NULs up to width. */
static inline void
pb_fixed(pb *p, const void *src, size_t n, size_t width)
{
	pb_bytes(p, src, n);
	pb_zero(p, width - n);
}

/* A C string in a fixed-width, NUL-padded field. */
static inline void
pb_fixed_str(pb *p, const char *s, size_t width)
{
	pb_fixed(p, s, strlen(s), width);
}

static inline void
pb_patch16(pb *p, size_t at, uint64_t v)
{
	p->b[at] = (uint8_t) (v >> 8);
	p->b[at + 1] = (uint8_t) v;
}

/* Start a set (id, length placeholder); returns where it starts. */
static inline size_t
pb_set_begin(pb *p, uint16_t id)
{
	size_t		at = p->n;

	pb_u16(p, id);
	pb_u16(p, 0);
	return at;
}

static inline void
pb_set_end(pb *p, size_t at)
{
	pb_patch16(p, at + 2, p->n - at);
}

/* NetFlow v9 header. */
static inline void
pb_v9_header(pb *p, uint16_t count, uint32_t uptime, uint32_t secs,
			 uint32_t seq, uint32_t source_id)
{
	pb_u16(p, 9);
	pb_u16(p, count);
	pb_u32(p, uptime);
	pb_u32(p, secs);
	pb_u32(p, seq);
	pb_u32(p, source_id);
}

/* IPFIX header; the length is patched by pb_ipfix_end. */
static inline void
pb_ipfix_header(pb *p, uint32_t export_secs, uint32_t seq, uint32_t domain)
{
	pb_u16(p, 10);
	pb_u16(p, 0);
	pb_u32(p, export_secs);
	pb_u32(p, seq);
	pb_u32(p, domain);
}

static inline void
pb_ipfix_end(pb *p)
{
	pb_patch16(p, 2, p->n);
}

/* Collected records. */
#define COLLECT_MAX 64
#define COLLECT_IF_MAX 16

typedef struct collect
{
	int			n;
	gf_flow		flows[COLLECT_MAX];
	int			n_if;
	int			n_if_bad;		/* texts that break decode.h's promise */
	gf_if_info	ifs[COLLECT_IF_MAX];
} collect;

static inline void
collect_flow(void *arg, const gf_flow *f)
{
	collect    *c = arg;

	if (c->n < COLLECT_MAX)
		c->flows[c->n] = *f;
	c->n++;
}

static inline void
collect_if(void *arg, const gf_if_info *i)
{
	collect    *c = arg;

	if (!if_info_ok(i))
		c->n_if_bad++;
	if (c->n_if < COLLECT_IF_MAX)
		c->ifs[c->n_if] = *i;
	c->n_if++;
}

#define TEST_TIME_RECEIVED_NS UINT64_C(1700000100000000000)

/* Decode p as from exporter 192.0.2.<host> at time t (0 = default). */
static inline gf_rc
pb_decode_from(gf_decoder *d, const pb *p, int host, uint64_t t, collect *c,
			   gf_error *err)
{
	gf_datagram dg;
	gf_sink		sink = {0};
	uint8_t		a[4] = {192, 0, 2, (uint8_t) host};
	gf_rc		rc;

	memset(&dg, 0, sizeof(dg));
	dg.data = p->b;
	dg.len = p->n;
	gf_addr_set_v4(&dg.exporter, a);
	dg.exporter_port = 40000;
	dg.time_received_ns = t ? t : TEST_TIME_RECEIVED_NS;
	sink.flow = collect_flow;
	sink.interface = collect_if;
	sink.arg = c;
	if (c)
	{
		c->n = 0;
		c->n_if = 0;
		c->n_if_bad = 0;
	}
	else
	{
		/* No callbacks at all: the decoder must cope. */
		sink.flow = NULL;
		sink.interface = NULL;
	}
	rc = gf_decode(d, GF_PROTO_NETFLOW, &dg, &sink, err);
	/* Kept sets whose template came: all of them, as a caller may ask. */
	while (gf_decoder_release(d, dg.time_received_ns, &sink))
		;
	return rc;
}

static inline gf_rc
pb_decode(gf_decoder *d, const pb *p, collect *c, gf_error *err)
{
	return pb_decode_from(d, p, 1, 0, c, err);
}

#endif							/* NF_PACKET_BUILDER_H */
