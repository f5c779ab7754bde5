/*
 * test_gf_error.c
 *    gf_error carries the protocol a datagram was decoded as, and the
 *    message splits into the protocol's name (put in front by gf_fail) and
 *    the rest (msg + body), so goflow2plus.decode() builds its ERROR from
 *    fields instead of parsing the wording.  One malformed datagram per
 *    protocol, the two that no decoder takes, and gf_fail on its own.
 */
#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "unit.h"

/* Decode n bytes with a fresh decoder; returns the result code. */
static gf_rc
decode_bytes(const uint8_t *p, size_t n, gf_error *err)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_datagram dg;
	gf_sink		sink;
	gf_rc		rc;

	memset(&dg, 0, sizeof(dg));
	memset(&sink, 0, sizeof(sink));
	dg.data = p;
	dg.len = n;
	rc = gf_decode(d, GF_PROTO_AUTO, &dg, &sink, err);
	gf_decoder_free(d);
	return rc;
}

/* msg is exactly "<prefix> <body>", body being msg + err->body. */
static void
check_split(const gf_error *err, gf_proto_kind kind, const char *prefix,
			const char *body)
{
	char		want[256];

	CHECK_EQ_U64(err->proto, kind);
	CHECK_STR(err->msg + err->body, body);
	if (prefix[0] != '\0')
		snprintf(want, sizeof(want), "%s %s", prefix, body);
	else
		snprintf(want, sizeof(want), "%s", body);
	CHECK_STR(err->msg, want);
}

static void
test_netflow_v5(void)
{
	uint8_t		p[24];
	gf_error	err;

	memset(p, 0, sizeof(p));
	p[1] = 5;
	p[3] = 1;					/* count 1, no record */
	CHECK_EQ_U64(decode_bytes(p, sizeof(p), &err), GF_ERR_COUNT);
	check_split(&err, GF_PK_NETFLOW_V5, "NetFlow v5",
				"count 1 needs 72 bytes, datagram has 24");
}

static void
test_netflow_v9(void)
{
	uint8_t		p[10];
	gf_error	err;

	memset(p, 0, sizeof(p));
	p[1] = 9;
	CHECK_EQ_U64(decode_bytes(p, sizeof(p), &err), GF_ERR_TRUNCATED);
	check_split(&err, GF_PK_NETFLOW_V9, "NetFlow v9",
				"header needs 20 bytes, datagram has 10");
}

static void
test_ipfix(void)
{
	uint8_t		p[18];
	gf_error	err;

	/* Message length 100 in a 16-byte datagram: a hard error. */
	memset(p, 0, sizeof(p));
	p[1] = 10;
	p[3] = 100;
	CHECK_EQ_U64(decode_bytes(p, 16, &err), GF_ERR_LENGTH);
	check_split(&err, GF_PK_IPFIX, "IPFIX",
				"message length 100 does not match the datagram's 16 bytes");

	/* Length 16 in an 18-byte datagram: a soft error, named the same way. */
	p[3] = 16;
	CHECK_EQ_U64(decode_bytes(p, 18, &err), GF_ERR_LENGTH);
	check_split(&err, GF_PK_IPFIX, "IPFIX",
				"message length 16 is shorter than the datagram's 18 bytes; "
				"sets were read to the end of the datagram");
}

static void
test_sflow(void)
{
	uint8_t		p[6];
	gf_error	err;

	memset(p, 0, sizeof(p));
	p[3] = 5;					/* version 5, then 2 of the 4 address type bytes */
	CHECK_EQ_U64(decode_bytes(p, sizeof(p), &err), GF_ERR_TRUNCATED);
	/* sFlow has one version: messages say "sFlow", the kind is sFlow v5. */
	check_split(&err, GF_PK_SFLOW_V5, "sFlow",
				"agent address: address type cut off");
	CHECK_STR(gf_proto_kind_name(err.proto), "sFlow v5");
}

static void
test_no_decoder(void)
{
	uint8_t		p[4] = {0, 6, 0, 0};	/* NetFlow v6 is decoded by none */
	gf_error	err;

	CHECK_EQ_U64(decode_bytes(p, 3, &err), GF_ERR_TRUNCATED);
	check_split(&err, GF_PK_UNKNOWN, "",
				"datagram of 3 bytes is too short for a version word");
	CHECK_EQ_U64(decode_bytes(p, 4, &err), GF_ERR_VERSION);
	check_split(&err, GF_PK_UNKNOWN, "",
				"unknown version word 0x00060000 for a flow listener");
	CHECK(gf_proto_kind_name(GF_PK_UNKNOWN) == NULL);
}

static void
test_fail_alone(void)
{
	gf_error	err;

	/* The first error stays; a later one changes nothing. */
	memset(&err, 0, sizeof(err));
	err.proto = GF_PK_NETFLOW_V9;
	CHECK_EQ_U64(gf_fail(&err, GF_ERR_COUNT, 7, "first %d", 1), GF_ERR_COUNT);
	CHECK_EQ_U64(gf_fail(&err, GF_ERR_LENGTH, 9, "second"), GF_ERR_LENGTH);
	CHECK_EQ_U64(err.code, GF_ERR_COUNT);
	CHECK_EQ_U64(err.offset, 7);
	check_split(&err, GF_PK_NETFLOW_V9, "NetFlow v9", "first 1");
	CHECK_STR(gf_proto_kind_name(GF_PK_NETFLOW_V5), "NetFlow v5");
	CHECK_STR(gf_proto_kind_name(GF_PK_IPFIX), "IPFIX");
	/* A NULL error is allowed and only returns the code. */
	CHECK_EQ_U64(gf_fail(NULL, GF_ERR_NOMEM, 0, "x"), GF_ERR_NOMEM);
}

int
main(void)
{
	test_netflow_v5();
	test_netflow_v9();
	test_ipfix();
	test_sflow();
	test_no_decoder();
	test_fail_alone();
	UNIT_MAIN_END();
}
