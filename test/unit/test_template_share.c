/*
 * test_template_share.c
 *    Keys and values of shared templates (template_share.h): keys written
 *    by hand from the documented form, values read back to what was put,
 *    and every cut, a bad magic or family refused.
 */
#include "template_share.h"

#include "unit.h"

static void
test_template(void)
{
	static const uint8_t blob[] = {1, 0, 2, 0, 0, 0, 8, 0, 4, 0, 12, 0, 4};
	static const uint8_t ex[4] = {192, 0, 2, 1};
	gf_template_blob t;
	gf_template_blob back;
	gf_sampling_blob sb;
	char		key[GF_SHARE_KEY_MAX];
	uint8_t		val[256];
	size_t		n;
	size_t		cut;

	memset(&t, 0, sizeof(t));
	gf_addr_set_v4(&t.exporter, ex);
	t.version = 10;
	t.domain = 4294967295u;
	t.template_id = 256;
	t.options = true;
	t.received_ns = UINT64_C(1700000000123456789);
	t.bytes = blob;
	t.len = sizeof(blob);
	n = gf_share_template(&t, key, sizeof(key), val, sizeof(val));
	CHECK_EQ_U64(n, GF_SHARE_HDR_T + sizeof(blob));
	CHECK_STR(key, "t.c0000201.10.4294967295.256");
	CHECK(gf_share_parse(val, n, &back, &sb) == GF_SHARE_TEMPLATE);
	CHECK_EQ_U64(back.exporter.family, 4);
	CHECK(memcmp(back.exporter.bytes, ex, 4) == 0);
	CHECK_EQ_U64(back.version, 10);
	CHECK_EQ_U64(back.domain, 4294967295u);
	CHECK_EQ_U64(back.template_id, 256);
	CHECK(back.options);
	CHECK_EQ_U64(back.received_ns, t.received_ns);
	CHECK_EQ_U64(back.len, sizeof(blob));
	CHECK(memcmp(back.bytes, blob, sizeof(blob)) == 0);
	/* Short buffers and cuts of the header. */
	CHECK_EQ_U64(gf_share_template(&t, key, sizeof(key), val, n - 1), 0);
	CHECK_EQ_U64(gf_share_template(&t, key, 10, val, sizeof(val)), 0);
	for (cut = 0; cut < GF_SHARE_HDR_T; cut++)
		CHECK(gf_share_parse(val, cut, &back, &sb) == GF_SHARE_BAD);
	val[1] = 'X';
	CHECK(gf_share_parse(val, n, &back, &sb) == GF_SHARE_BAD);
	val[1] = 'T';
	val[3] = 5;
	CHECK(gf_share_parse(val, n, &back, &sb) == GF_SHARE_BAD);
}

static void
test_sampling(void)
{
	uint8_t		ex6[16] = {0x20, 0x01, 0x0d, 0xb8};
	gf_sampling_blob s;
	gf_sampling_blob back;
	gf_template_blob tb;
	char		key[GF_SHARE_KEY_MAX];
	uint8_t		val[128];
	size_t		n;

	memset(&s, 0, sizeof(s));
	ex6[15] = 9;
	gf_addr_set_v6(&s.exporter, ex6);
	s.version = 9;
	s.domain = 7;
	s.has_sampler = true;
	s.sampler_id = 3;
	s.has_rate = true;
	s.rate = 1000;
	n = gf_share_sampling(&s, key, sizeof(key), val, sizeof(val));
	CHECK_EQ_U64(n, GF_SHARE_LEN_S);
	CHECK_STR(key, "s.20010db8000000000000000000000009.9.7.s3");
	CHECK(gf_share_parse(val, n, &tb, &back) == GF_SHARE_SAMPLING);
	CHECK_EQ_U64(back.exporter.family, 6);
	CHECK(back.has_sampler && back.sampler_id == 3);
	CHECK(back.has_rate && back.rate == 1000);
	CHECK(!back.has_init_time);
	CHECK(gf_share_parse(val, n - 1, &tb, &back) == GF_SHARE_BAD);
	CHECK(gf_share_parse(val, n + 1, &tb, &back) == GF_SHARE_BAD);
	s.has_sampler = false;
	s.has_init_time = true;
	s.init_ms = 123;
	n = gf_share_sampling(&s, key, sizeof(key), val, sizeof(val));
	CHECK_STR(key, "s.20010db8000000000000000000000009.9.7.d");
	CHECK(gf_share_parse(val, n, &tb, &back) == GF_SHARE_SAMPLING);
	CHECK(back.has_init_time && back.init_ms == 123 && !back.has_sampler);
}

int
main(void)
{
	test_template();
	test_sampling();
	UNIT_MAIN_END();
}
