/*
 * test_nats_subject.c
 *    goflow2plus.nats_subject patterns: parsing (and refusal, with the
 *    reason), expansion per flow, the wildcard form a stream must cover,
 *    and the cover check against stream subjects.
 */
#include "nats_subject.h"
#include "unit.h"

static gf_flow
mk_flow(const char *src, const char *dst, uint32_t sport)
{
	gf_flow		f;
	gf_addr		sampler;
	uint8_t		b[4];
	unsigned	a1,
				a2,
				a3,
				a4;

	sscanf("192.0.2.7", "%u.%u.%u.%u", &a1, &a2, &a3, &a4);
	b[0] = (uint8_t) a1;
	b[1] = (uint8_t) a2;
	b[2] = (uint8_t) a3;
	b[3] = (uint8_t) a4;
	gf_addr_set_v4(&sampler, b);
	gf_flow_init(&f, GF_TYPE_IPFIX, 1, &sampler);
	sscanf(src, "%u.%u.%u.%u", &a1, &a2, &a3, &a4);
	b[0] = (uint8_t) a1;
	b[1] = (uint8_t) a2;
	b[2] = (uint8_t) a3;
	b[3] = (uint8_t) a4;
	gf_addr_set_v4(&f.src_addr, b);
	sscanf(dst, "%u.%u.%u.%u", &a1, &a2, &a3, &a4);
	b[0] = (uint8_t) a1;
	b[1] = (uint8_t) a2;
	b[2] = (uint8_t) a3;
	b[3] = (uint8_t) a4;
	gf_addr_set_v4(&f.dst_addr, b);
	GF_SET(&f, src_port, GF_F_SRC_PORT, sport);
	return f;
}

static int
parses(const char *s)
{
	gf_subject_pattern p;
	char		err[256];

	return gf_subject_parse(s, &p, err, sizeof(err)) == 0;
}

static void
test_parse(void)
{
	gf_subject_pattern p;
	char		err[256];

	CHECK(gf_subject_parse("flows", &p, err, sizeof(err)) == 0);
	CHECK(p.is_static);
	CHECK(!p.uses_groups);
	CHECK_STR(p.wildcard, "flows");

	CHECK(gf_subject_parse("flows.{type}.{hash:src_addr,dst_addr:16}", &p, err, sizeof(err)) == 0);
	CHECK(!p.is_static);
	CHECK_STR(p.wildcard, "flows.*.*");

	CHECK(gf_subject_parse("f.x{type}y.{src_group}-{dst_group}", &p, err, sizeof(err)) == 0);
	CHECK(p.uses_groups);
	CHECK_STR(p.wildcard, "f.*.*");

	CHECK(gf_subject_parse("flows.{bogus}", &p, err, sizeof(err)) != 0);
	CHECK(strstr(err, "unknown placeholder {bogus}") != NULL);
	CHECK(gf_subject_parse("flows.{hash:src_addr}", &p, err, sizeof(err)) != 0);
	CHECK(strstr(err, "bucket count") != NULL);
	CHECK(gf_subject_parse("flows.{hash:src_addr:0}", &p, err, sizeof(err)) != 0);
	CHECK(gf_subject_parse("flows.{hash:src_addr:65537}", &p, err, sizeof(err)) != 0);
	CHECK(gf_subject_parse("flows.{hash:src_addr:65536}", &p, err, sizeof(err)) == 0);
	CHECK(gf_subject_parse("flows.{hash:colour:4}", &p, err, sizeof(err)) != 0);
	CHECK(strstr(err, "unknown field \"colour\"") != NULL);
	CHECK(!parses(""));
	CHECK(!parses("flows..x"));
	CHECK(!parses(".flows"));
	CHECK(!parses("flows."));
	CHECK(!parses("flows.*"));
	CHECK(!parses("flows.>"));
	CHECK(!parses("flows x"));
	CHECK(!parses("flows.{type"));
	CHECK(!parses("flows.type}"));
	CHECK(parses("a.b.c.d.e"));
}

static void
test_expand(void)
{
	gf_subject_pattern p;
	char		err[256];
	char		buf[GF_SUBJECT_MAX];
	char		buf2[GF_SUBJECT_MAX];
	gf_flow		f = mk_flow("10.0.0.1", "10.0.0.2", 443);
	gf_flow		g = mk_flow("10.0.0.1", "10.0.0.2", 444);
	int			seen[4] = {0};
	int			i;

	CHECK(gf_subject_parse("flows", &p, err, sizeof(err)) == 0);
	CHECK_EQ_U64(gf_subject_expand(&p, &f, NULL, NULL, buf, sizeof(buf)), 5);
	CHECK_STR(buf, "flows");

	CHECK(gf_subject_parse("flows.{type}.{sampler_address}", &p, err, sizeof(err)) == 0);
	gf_subject_expand(&p, &f, NULL, NULL, buf, sizeof(buf));
	CHECK_STR(buf, "flows.IPFIX.192_0_2_7");

	CHECK(gf_subject_parse("g.{src_group}.{dst_group}", &p, err, sizeof(err)) == 0);
	gf_subject_expand(&p, &f, "web servers", NULL, buf, sizeof(buf));
	CHECK_STR(buf, "g.web_servers.none");
	gf_subject_expand(&p, &f, "a.b*c>d", "", buf, sizeof(buf));
	CHECK_STR(buf, "g.a_b_c_d.none");

	/* Same fields, same bucket; the port is not hashed here. */
	CHECK(gf_subject_parse("h.{hash:src_addr,dst_addr:16}", &p, err, sizeof(err)) == 0);
	gf_subject_expand(&p, &f, NULL, NULL, buf, sizeof(buf));
	gf_subject_expand(&p, &g, NULL, NULL, buf2, sizeof(buf2));
	CHECK_STR(buf, buf2);
	CHECK(strncmp(buf, "h.", 2) == 0 && atoi(buf + 2) >= 0 && atoi(buf + 2) < 16);

	/* Buckets spread: 200 source addresses over 4 buckets all get some. */
	CHECK(gf_subject_parse("{hash:src_addr:4}", &p, err, sizeof(err)) == 0);
	for (i = 0; i < 200; i++)
	{
		char		src[32];
		gf_flow		h;

		snprintf(src, sizeof(src), "10.0.%d.%d", i / 250, i % 250);
		h = mk_flow(src, "10.9.9.9", 1);
		gf_subject_expand(&p, &h, NULL, NULL, buf, sizeof(buf));
		CHECK(atoi(buf) >= 0 && atoi(buf) < 4);
		seen[atoi(buf) & 3]++;
	}
	CHECK(seen[0] > 20 && seen[1] > 20 && seen[2] > 20 && seen[3] > 20);

	/*
	 * The bucket is FNV-1a 64 of family byte + address bytes, mod N:
	 * computed here independently for 10.0.0.1 (family 4).
	 */
	{
		uint64_t	h = UINT64_C(14695981039346656037);
		const uint8_t bytes[5] = {4, 10, 0, 0, 1};
		char		want[16];

		for (i = 0; i < 5; i++)
		{
			h ^= bytes[i];
			h *= UINT64_C(1099511628211);
		}
		snprintf(want, sizeof(want), "%u", (unsigned) (h % 1000));
		CHECK(gf_subject_parse("{hash:src_addr:1000}", &p, err, sizeof(err)) == 0);
		gf_subject_expand(&p, &f, NULL, NULL, buf, sizeof(buf));
		CHECK_STR(buf, want);
	}
}

static void
test_covers(void)
{
	CHECK(gf_subject_covers("flows", "flows"));
	CHECK(!gf_subject_covers("flows", "flows.x"));
	CHECK(!gf_subject_covers("flows.x", "flows"));
	CHECK(gf_subject_covers("flows.>", "flows.*.*"));
	CHECK(gf_subject_covers("flows.*.*", "flows.*.*"));
	CHECK(!gf_subject_covers("flows.*", "flows.*.*"));
	CHECK(!gf_subject_covers("flows.IPFIX.*", "flows.*.*"));
	CHECK(gf_subject_covers("flows.*.7", "flows.x.7"));
	CHECK(gf_subject_covers(">", "a.b.c"));
	CHECK(!gf_subject_covers("flows.>", "flows"));
	CHECK(gf_subject_valid("flows.>", true));
	CHECK(!gf_subject_valid("flows.>", false));
	CHECK(!gf_subject_valid("flows.>.x", true));
	CHECK(!gf_subject_valid("a..b", true));
}

int
main(void)
{
	test_parse();
	test_expand();
	test_covers();
	UNIT_MAIN_END();
}
