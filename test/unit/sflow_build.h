/*
 * sflow_build.h
 *    A tiny byte builder for tests, fuzz seeds and benchmarks: writes
 *    big-endian integers and patches sFlow length fields, so a test states
 *    every field of a datagram or packet by hand (the expected values in
 *    the tests are those same hand-written numbers, not decoder output).
 */
#ifndef GF_SFLOW_BUILD_H
#define GF_SFLOW_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct sb
{
	uint8_t		b[16384];
	size_t		n;
} sb;

static inline void
sb_u8(sb *s, unsigned v)
{
	if (s->n < sizeof(s->b))
		s->b[s->n++] = (uint8_t) v;
}

static inline void
sb_u16(sb *s, unsigned v)
{
	sb_u8(s, v >> 8);
	sb_u8(s, v);
}

static inline void
sb_u32(sb *s, uint32_t v)
{
	sb_u16(s, v >> 16);
	sb_u16(s, v & 0xffff);
}

static inline void
sb_u64(sb *s, uint64_t v)
{
	sb_u32(s, (uint32_t) (v >> 32));
	sb_u32(s, (uint32_t) v);
}

static inline void
sb_bytes(sb *s, const void *p, size_t n)
{
	const uint8_t *q = p;
	size_t		i;

	for (i = 0; i < n; i++)
		sb_u8(s, q[i]);
}

static inline void
sb_pad4(sb *s)
{
	while (s->n % 4)
		sb_u8(s, 0);
}

/* Write tag and a length placeholder; returns where the length goes. */
/* An XDR string<>: length, bytes, zero padding to 4. */
static inline void
sb_str(sb *s, const char *str)
{
	size_t		n = strlen(str);

	sb_u32(s, (uint32_t) n);
	sb_bytes(s, str, n);
	while (n++ & 3)
		sb_u8(s, 0);
}

static inline size_t
sb_open(sb *s, uint32_t tag)
{
	size_t		at;

	sb_u32(s, tag);
	at = s->n;
	sb_u32(s, 0);
	return at;
}

/* Patch the length written by sb_open with the bytes since. */
static inline void
sb_close(sb *s, size_t at)
{
	uint32_t	len = (uint32_t) (s->n - at - 4);

	s->b[at] = (uint8_t) (len >> 24);
	s->b[at + 1] = (uint8_t) (len >> 16);
	s->b[at + 2] = (uint8_t) (len >> 8);
	s->b[at + 3] = (uint8_t) len;
}

/* sFlow datagram header with an IPv4 agent. */
static inline void
sb_sflow_header(sb *s, const uint8_t agent[4], uint32_t sub_agent,
				uint32_t seq, uint32_t uptime, uint32_t nsamples)
{
	sb_u32(s, 5);
	sb_u32(s, 1);
	sb_bytes(s, agent, 4);
	sb_u32(s, sub_agent);
	sb_u32(s, seq);
	sb_u32(s, uptime);
	sb_u32(s, nsamples);
}

/*
 * Ethernet / IPv4 / TCP frame: 10.1.2.3:40000 -> 192.0.2.9:443, tos 0x28,
 * ttl 61, DF, id 0x1234, ACK|PSH, no VLAN.  54 bytes.
 */
static inline void
sb_eth_ipv4_tcp(sb *s)
{
	static const uint8_t dmac[6] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
	static const uint8_t smac[6] = {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
	static const uint8_t src[4] = {10, 1, 2, 3};
	static const uint8_t dst[4] = {192, 0, 2, 9};

	sb_bytes(s, dmac, 6);
	sb_bytes(s, smac, 6);
	sb_u16(s, 0x0800);
	sb_u8(s, 0x45);
	sb_u8(s, 0x28);
	sb_u16(s, 1400);
	sb_u16(s, 0x1234);
	sb_u16(s, 0x4000);
	sb_u8(s, 61);
	sb_u8(s, 6);
	sb_u16(s, 0);
	sb_bytes(s, src, 4);
	sb_bytes(s, dst, 4);
	sb_u16(s, 40000);
	sb_u16(s, 443);
	sb_u32(s, 1);
	sb_u32(s, 2);
	sb_u8(s, 0x50);
	sb_u8(s, 0x18);
	sb_u16(s, 1024);
	sb_u32(s, 0);
}

/* A raw packet header record (format 1) holding the frame above. */
static inline void
sb_rec_header_ipv4_tcp(sb *s, uint32_t frame_length)
{
	size_t		rec = sb_open(s, 1);
	size_t		hl_at;
	size_t		start;

	sb_u32(s, 1);				/* Ethernet */
	sb_u32(s, frame_length);
	sb_u32(s, 4);				/* stripped FCS */
	hl_at = s->n;
	sb_u32(s, 0);
	start = s->n;
	sb_eth_ipv4_tcp(s);
	s->b[hl_at + 3] = (uint8_t) (s->n - start);
	sb_pad4(s);
	sb_close(s, rec);
}

/*
 * A typical compact flow sample: raw header + extended switch, sampling
 * rate 1000, in 3, out 7.
 */
static inline void
sb_flow_sample_typical(sb *s, uint32_t seq)
{
	size_t		smp = sb_open(s, 1);
	size_t		rec;

	sb_u32(s, seq);
	sb_u32(s, 3);				/* source id: ifIndex 3 */
	sb_u32(s, 1000);
	sb_u32(s, seq * 1000);
	sb_u32(s, 0);
	sb_u32(s, 3);
	sb_u32(s, 7);
	sb_u32(s, 2);
	sb_rec_header_ipv4_tcp(s, 1518);
	rec = sb_open(s, 1001);
	sb_u32(s, 10);
	sb_u32(s, 0);
	sb_u32(s, 20);
	sb_u32(s, 0);
	sb_close(s, rec);
	sb_close(s, smp);
}

#endif							/* GF_SFLOW_BUILD_H */
