/*
 * enc_fixture.h
 *    One small context snapshot for the encoder tests (test_flow_json.c,
 *    test_flow_pb.c) and their fuzzer (fuzz_flow_encode.c): entries with
 *    every member, entries with none, names that need escaping or are not
 *    UTF-8, context texts that are not objects, and one context large
 *    enough to outgrow GF_FLOW_JSON_MAX and a 2-byte length varint.
 *    The tests compare the encoders' output with these inputs, never with
 *    what the encoders produced.  Header-only.
 */
#ifndef GF_ENC_FIXTURE_H
#define GF_ENC_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"

/* Entry numbers (1-based, the order of adding). */
enum
{
	ENCF_NET_WEB = 1,			/* context object */
	ENCF_NET_CLIENT,			/* no context */
	ENCF_NET_ARRAY,				/* context "[1,2]": not an object */
	ENCF_NET_TRICKY,			/* name to escape; blank-padded context */
	ENCF_NET_BIG,				/* context of ENCF_BIG_LEN bytes */
	ENCF_NET_BRACE,				/* context "{": not an object */
	ENCF_N_NETS = ENCF_NET_BRACE
};
enum
{
	ENCF_DEV_EDGE = 1,			/* every member */
	ENCF_DEV_EMPTY,				/* no member */
	ENCF_N_DEVS = ENCF_DEV_EMPTY
};
enum
{
	ENCF_IF_TRANSIT = 1,		/* every member */
	ENCF_IF_AE0,				/* name and boundary only */
	ENCF_IF_BARE,				/* speed 0 only */
	ENCF_N_IFS = ENCF_IF_BARE
};

#define ENCF_BIG_LEN	20000

/*
 * Bytes JSON must escape, well-formed UTF-8 of 2, 3 and 4 bytes (é, €,
 * U+1D11E), and ill-formed sequences: a lone continuation byte, a
 * truncated 3-byte sequence, a surrogate (ED A0 80), a code point above
 * U+10FFFF (F4 90 80 80), an overlong form (C0 AF), and a truncated 4-byte
 * sequence at the very end.
 */
#define ENCF_TRICKY_NAME \
	"q\"b\\s\x01\x1f\n\t\x7f \xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e " \
	"\x80|\xe2\x82x|\xed\xa0\x80|\xf4\x90\x80\x80|\xc0\xaf|\xf0\x9f\x98"
/*
 * The same as JSON writes it (each maximal subpart: one \ufffd), written
 * by hand and checked once against Python's json.loads of it versus
 * bytes.decode('utf-8', 'replace') of the name, which replaces maximal
 * subparts too.
 */
#define ENCF_TRICKY_JSON \
	"\"q\\\"b\\\\s\\u0001\\u001f\\n\\t\x7f \xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e " \
	"\\ufffd|\\ufffdx|\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd\\ufffd|" \
	"\\ufffd\\ufffd|\\ufffd\""

#define ENCF_WEB_CTX		"{\"application\":\"web\",\"tier\":\"frontend\"}"
#define ENCF_TRICKY_CTX		" {\"k\": \"v\"}\n"
#define ENCF_EDGE_CTX		"{\"rack\":\"r12\"}"
#define ENCF_TRANSIT_CTX	"{\"circuit\":\"C-1\"}"

static char encf_big_ctx[ENCF_BIG_LEN + 1];

static void
encf_v4(gf_addr *a, int b0, int b1, int b2, int b3)
{
	uint8_t		p[4];

	p[0] = (uint8_t) b0;
	p[1] = (uint8_t) b1;
	p[2] = (uint8_t) b2;
	p[3] = (uint8_t) b3;
	gf_addr_set_v4(a, p);
}

static void
encf_net(gf_ctx_builder *b, const gf_addr *net, int len, const char *name,
		 const char *ctx)
{
	gf_ctx_network_in n;

	memset(&n, 0, sizeof(n));
	n.net = *net;
	n.prefix_len = (uint8_t) len;
	n.name = name;
	n.context.json = ctx;
	if (!gf_ctx_add_network(b, &n))
	{
		fprintf(stderr, "enc_fixture: network %s refused\n", name);
		abort();
	}
}

/* The fixture's snapshot, built on first use and kept. */
static gf_ctx_snapshot *
encf_snapshot(void)
{
	static gf_ctx_snapshot *snap;
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8};
	gf_ctx_builder *b;
	gf_ctx_build_info info;
	gf_ctx_device_in d;
	gf_ctx_interface_in i;
	gf_addr		a;
	size_t		k;

	if (snap)
		return snap;
	/* {"pad":"xxxx...x"} of exactly ENCF_BIG_LEN bytes. */
	memset(encf_big_ctx, 'x', ENCF_BIG_LEN);
	memcpy(encf_big_ctx, "{\"pad\":\"", 8);
	memcpy(encf_big_ctx + ENCF_BIG_LEN - 2, "\"}", 2);
	encf_big_ctx[ENCF_BIG_LEN] = '\0';

	b = gf_ctx_builder_new(0);
	encf_v4(&a, 10, 1, 0, 0);
	encf_net(b, &a, 16, "web-servers", ENCF_WEB_CTX);
	encf_v4(&a, 198, 51, 100, 0);
	encf_net(b, &a, 24, "client-network", NULL);
	gf_addr_set_v6(&a, v6);
	encf_net(b, &a, 32, "v6-net", "[1,2]");
	encf_v4(&a, 192, 0, 2, 0);
	encf_net(b, &a, 24, ENCF_TRICKY_NAME, ENCF_TRICKY_CTX);
	encf_v4(&a, 203, 0, 113, 0);
	encf_net(b, &a, 24, "big", encf_big_ctx);
	encf_v4(&a, 100, 64, 0, 0);
	encf_net(b, &a, 10, "brace", "{");

	memset(&d, 0, sizeof(d));
	encf_v4(&d.exporter, 192, 0, 2, 1);
	d.name = "edge-1";
	d.site = "par1";
	d.role = "edge";
	d.context.json = ENCF_EDGE_CTX;
	if (!gf_ctx_add_device(b, &d))
		abort();
	memset(&d, 0, sizeof(d));
	encf_v4(&d.exporter, 192, 0, 2, 2);
	if (!gf_ctx_add_device(b, &d))
		abort();

	memset(&i, 0, sizeof(i));
	encf_v4(&i.exporter, 192, 0, 2, 1);
	i.if_index = 3;
	i.name = "xe-0/0/3";
	i.description = "transit A";
	i.provider = "transit-a";
	i.has_speed = true;
	i.speed = UINT64_C(10000000000);
	i.boundary = GF_BOUNDARY_EXTERNAL;
	i.context.json = ENCF_TRANSIT_CTX;
	if (!gf_ctx_add_interface(b, &i))
		abort();
	memset(&i, 0, sizeof(i));
	encf_v4(&i.exporter, 192, 0, 2, 1);
	i.if_index = 4;
	i.name = "ae0";
	i.boundary = GF_BOUNDARY_INTERNAL;
	if (!gf_ctx_add_interface(b, &i))
		abort();
	memset(&i, 0, sizeof(i));
	encf_v4(&i.exporter, 192, 0, 2, 2);
	i.if_index = 1;
	i.has_speed = true;
	i.speed = 0;
	if (!gf_ctx_add_interface(b, &i))
		abort();

	snap = gf_ctx_build(b, 1, &info);
	if (snap == NULL)
	{
		fprintf(stderr, "enc_fixture: build refused: %s\n", info.message);
		abort();
	}
	k = gf_ctx_network_count(snap);
	if (k != ENCF_N_NETS || gf_ctx_device_count(snap) != ENCF_N_DEVS ||
		gf_ctx_interface_count(snap) != ENCF_N_IFS)
	{
		fprintf(stderr, "enc_fixture: unexpected counts\n");
		abort();
	}
	return snap;
}

#endif							/* GF_ENC_FIXTURE_H */
