/*
 * test_geoip.c
 *    Unit tests for GeoIP enrichment (geoip.h).
 *
 *    Always run, without network:
 *    - errors: missing file, directory, empty/garbage/truncated file, an
 *      ASN file given as the country one -> NULL and a message naming the
 *      file; no path at all -> flows are left exactly as they were;
 *    - both country layouts (GeoLite2's country.iso_code, ip-location-db's
 *      country_code), IPv6, IPv4-mapped IPv6, an IPv4-only database, and
 *      the ASN layout, on the fixtures in test/unit/data/geoip (written by
 *      test/tools/make_geoip_fixtures.pl, whose tables the answers below
 *      repeat by hand);
 *    - the src_as / dst_as rule (only where absent or 0, only to a found AS);
 *    - gf_geoip_changed() on touch, rename-over and unlink, and lookups
 *      that survive the file being overwritten in place.
 *
 *    With GF_TEST_MMDB_COUNTRY and/or GF_TEST_MMDB_ASN naming real
 *    databases (test/e2e/geoip_oracle.sh fetches them), a few hundred
 *    addresses -- random IPv4 and IPv6, IPv4-mapped, 6to4, private,
 *    reserved, documentation -- are looked up both here and by mmdblookup
 *    (the oracle, run through popen), and every answer must agree; the
 *    enrich rule is checked against the oracle's answers too.
 *    GF_TEST_GEOIP_BENCH=N also times N lookups per database on the real
 *    files and prints lookups/s.
 */
#include "geoip.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"

static const char *fixdir = "test/unit/data/geoip";
static char tmpdir[256];

static gf_addr
addr(const char *text)
{
	gf_addr		a;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, text, a.bytes) == 1)
		a.family = 4;
	else if (inet_pton(AF_INET6, text, a.bytes) == 1)
		a.family = 6;
	else
	{
		fprintf(stderr, "test_geoip: bad address literal %s\n", text);
		exit(2);
	}
	return a;
}

static const char *
fixture(const char *name)
{
	static char buf[4][512];
	static int	next;
	char	   *b = buf[next++ % 4];

	snprintf(b, sizeof(buf[0]), "%s/%s", fixdir, name);
	return b;
}

static const char *
tmpfile_path(const char *name)
{
	static char buf[4][512];
	static int	next;
	char	   *b = buf[next++ % 4];

	snprintf(b, sizeof(buf[0]), "%s/%s", tmpdir, name);
	return b;
}

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE	   *fp = fopen(path, "wb");

	if (fp == NULL || fwrite(data, 1, len, fp) != len || fclose(fp) != 0)
	{
		fprintf(stderr, "test_geoip: cannot write %s: %s\n", path, strerror(errno));
		exit(2);
	}
}

static size_t
read_file(const char *path, unsigned char *buf, size_t cap)
{
	FILE	   *fp = fopen(path, "rb");
	size_t		n;

	if (fp == NULL)
	{
		fprintf(stderr, "test_geoip: cannot read %s: %s\n", path, strerror(errno));
		exit(2);
	}
	n = fread(buf, 1, cap, fp);
	fclose(fp);
	return n;
}

static void
copy_file(const char *from, const char *to)
{
	static unsigned char buf[1 << 16];
	size_t		n = read_file(from, buf, sizeof(buf));

	write_file(to, buf, n);
}

/* Country code of 'text' in g, as a string that outlives the call. */
static const char *
cc_of(const gf_geoip *g, const char *text)
{
	static char buf[8][3];
	static int	next;
	char	   *b = buf[next++ % 8];
	gf_addr		a = addr(text);

	gf_geoip_country(g, &a, b);
	return b;
}

static uint32_t
asn_of(const gf_geoip *g, const char *text)
{
	gf_addr		a = addr(text);

	return gf_geoip_asn(g, &a);
}

static void
make_flow(gf_flow *f, const char *src, const char *dst)
{
	gf_addr		sampler = addr("192.0.2.250");

	gf_flow_init(f, GF_TYPE_IPFIX, 1, &sampler);
	if (src != NULL)
		f->src_addr = addr(src);
	if (dst != NULL)
		f->dst_addr = addr(dst);
}

/* An open that must fail with a message containing both needles. */
static void
expect_open_error(const char *asn, const char *country, const char *needle1,
				  const char *needle2, int line)
{
	char		err[512];
	gf_geoip   *g;

	strcpy(err, "untouched");
	g = gf_geoip_open(asn, country, err, sizeof(err));
	if (g != NULL)
	{
		unit_failed++;
		fprintf(stderr, "line %d: open(%s, %s) succeeded\n", line,
				asn ? asn : "NULL", country ? country : "NULL");
		gf_geoip_close(g);
		return;
	}
	if (strstr(err, needle1) == NULL || (needle2 && strstr(err, needle2) == NULL))
	{
		unit_failed++;
		fprintf(stderr, "line %d: message \"%s\" lacks \"%s\"%s%s\n", line, err,
				needle1, needle2 ? " or " : "", needle2 ? needle2 : "");
		return;
	}
	unit_passed++;
}

static void
test_errors(void)
{
	unsigned char buf[1 << 16];
	char		err[512];
	char		tiny[8];
	size_t		n;
	gf_geoip   *g;
	gf_flow		f,
				before;
	const char *garbage = tmpfile_path("garbage.mmdb");
	const char *empty = tmpfile_path("empty.mmdb");
	const char *half = tmpfile_path("half.mmdb");
	unsigned	i;

	/* No paths: a handle that changes nothing. */
	g = gf_geoip_open(NULL, NULL, err, sizeof(err));
	CHECK(g != NULL);
	CHECK(!gf_geoip_has_asn(g) && !gf_geoip_has_country(g));
	make_flow(&f, "198.51.100.7", "2001:db8:1::1");
	memcpy(f.src_country, "ZZ", 3);
	memcpy(&before, &f, sizeof(f));
	gf_geoip_enrich(g, &f);
	CHECK(memcmp(&before, &f, sizeof(f)) == 0);
	CHECK(!gf_geoip_changed(g));
	gf_geoip_close(g);

	g = gf_geoip_open("", "", err, sizeof(err));
	CHECK(g != NULL);
	gf_geoip_enrich(g, &f);
	CHECK(memcmp(&before, &f, sizeof(f)) == 0);
	gf_geoip_close(g);

	/* A NULL handle is "GeoIP off". */
	gf_geoip_enrich(NULL, &f);
	CHECK(memcmp(&before, &f, sizeof(f)) == 0);
	CHECK(!gf_geoip_changed(NULL));
	gf_geoip_close(NULL);

	expect_open_error("/nonexistent/GeoLite2-ASN.mmdb", NULL,
					  "ASN database \"/nonexistent/GeoLite2-ASN.mmdb\"", "No such file", __LINE__);
	expect_open_error(NULL, "/nonexistent/c.mmdb",
					  "country database \"/nonexistent/c.mmdb\"", "No such file", __LINE__);
	/* A good ASN file does not hide a bad country one. */
	expect_open_error(fixture("asn.mmdb"), "/nonexistent/c.mmdb", "/nonexistent/c.mmdb", NULL, __LINE__);
	expect_open_error(NULL, tmpdir, "is not a regular file", NULL, __LINE__);

	for (i = 0; i < 4096; i++)
		buf[i] = (unsigned char) (i * 2654435761u >> 13);
	write_file(garbage, buf, 4096);
	write_file(empty, buf, 0);
	n = read_file(fixture("country_maxmind.mmdb"), buf, sizeof(buf));
	write_file(half, buf, n / 2);
	expect_open_error(NULL, garbage, garbage, "not a usable MaxMind DB file", __LINE__);
	expect_open_error(garbage, NULL, garbage, "not a usable MaxMind DB file", __LINE__);
	expect_open_error(NULL, empty, empty, "not a usable MaxMind DB file", __LINE__);
	expect_open_error(NULL, half, half, "not a usable MaxMind DB file", __LINE__);

	/* Swapped files: caught by the database type, not by silent misses. */
	expect_open_error(fixture("country_maxmind.mmdb"), fixture("asn.mmdb"),
					  "swapped", "GeoLite2-Country", __LINE__);
	expect_open_error(NULL, fixture("asn.mmdb"), "swapped", "GeoLite2-ASN", __LINE__);

	/* A short error buffer is cut, never overrun (ASan would see it). */
	memset(tiny, 'x', sizeof(tiny));
	g = gf_geoip_open("/nonexistent/a-rather-long-name.mmdb", NULL, tiny, sizeof(tiny));
	CHECK(g == NULL);
	CHECK(strlen(tiny) == sizeof(tiny) - 1);
	CHECK(gf_geoip_open("/nonexistent/x.mmdb", NULL, NULL, 0) == NULL);
}

static void
test_country_layouts(void)
{
	char		err[512];
	gf_geoip   *mm,
			   *il,
			   *v4;
	gf_geoip_stats st;

	mm = gf_geoip_open(NULL, fixture("country_maxmind.mmdb"), err, sizeof(err));
	il = gf_geoip_open(NULL, fixture("country_iplocdb.mmdb"), err, sizeof(err));
	v4 = gf_geoip_open(NULL, fixture("country_v4only.mmdb"), err, sizeof(err));
	CHECK(mm != NULL && il != NULL && v4 != NULL);
	if (mm == NULL || il == NULL || v4 == NULL)
	{
		fprintf(stderr, "fixtures: %s\n", err);
		return;
	}
	CHECK(gf_geoip_has_country(mm) && !gf_geoip_has_asn(mm));

	/* GeoLite2 layout: country.iso_code. */
	CHECK_STR(cc_of(mm, "198.51.100.7"), "US");
	CHECK_STR(cc_of(mm, "198.51.100.0"), "US");
	CHECK_STR(cc_of(mm, "198.51.100.255"), "US");
	CHECK_STR(cc_of(mm, "198.51.101.0"), "");
	CHECK_STR(cc_of(mm, "::ffff:198.51.100.7"), "US");
	CHECK_STR(cc_of(mm, "203.0.113.127"), "DE");
	CHECK_STR(cc_of(mm, "203.0.113.128"), "");	/* registered_country only */
	CHECK_STR(cc_of(mm, "10.1.255.255"), "FR");
	CHECK_STR(cc_of(mm, "10.2.0.0"), "");
	CHECK_STR(cc_of(mm, "2001:db8:1::1"), "JP");
	CHECK_STR(cc_of(mm, "2001:db8:1:ffff:ffff:ffff:ffff:ffff"), "JP");
	CHECK_STR(cc_of(mm, "2001:db8:2::1"), "");	/* "xx" */
	CHECK_STR(cc_of(mm, "2001:db8:3::1"), "");	/* "USA" */
	CHECK_STR(cc_of(mm, "2001:db8:4::1"), "");
	CHECK_STR(cc_of(mm, "8.8.8.8"), "");
	CHECK_STR(cc_of(mm, "::1"), "");

	/*
	 * ip-location-db layout: country_code, and no ::ffff:0:0/96 alias in
	 * the file, so the mapped address answers only because it is looked
	 * up as IPv4 (mmdblookup -i ::ffff:198.51.100.7 finds nothing here).
	 */
	CHECK_STR(cc_of(il, "198.51.100.7"), "GB");
	CHECK_STR(cc_of(il, "::ffff:198.51.100.7"), "GB");
	CHECK_STR(cc_of(il, "203.0.113.200"), "CH");
	CHECK_STR(cc_of(il, "2001:db8:1::ff"), "BR");
	CHECK_STR(cc_of(il, "2001:db8:2::ff"), "");
	CHECK_STR(cc_of(il, "192.0.2.1"), "");
	/* ::198.51.100.7 (IPv4-compatible) is no mapped address: as is. */
	CHECK_STR(cc_of(mm, "::c633:6407"), "US");

	/* IPv4-only database: IPv6 misses, without counting an error. */
	CHECK_STR(cc_of(v4, "198.51.100.1"), "IT");
	CHECK_STR(cc_of(v4, "::ffff:198.51.100.1"), "IT");
	CHECK_STR(cc_of(v4, "2001:db8:1::1"), "");
	gf_geoip_get_stats(v4, &st);
	CHECK_EQ_U64(st.lookups, 3);
	CHECK_EQ_U64(st.found, 2);
	CHECK_EQ_U64(st.misses, 1);
	CHECK_EQ_U64(st.errors, 0);

	/* Counters add up, and repeated records come from the cache. */
	gf_geoip_get_stats(mm, &st);
	CHECK_EQ_U64(st.lookups, 17);
	CHECK_EQ_U64(st.found + st.misses, st.lookups);
	CHECK_EQ_U64(st.errors, 0);
	CHECK(st.record_cache_hits >= 3);
	CHECK_EQ_U64(st.addr_cache_hits, 1);	/* ::ffff:198.51.100.7 */

	gf_geoip_close(mm);
	gf_geoip_close(il);
	gf_geoip_close(v4);
}

static void
test_asn_and_enrich(void)
{
	char		err[512];
	char		desc[512];
	gf_geoip   *g;
	gf_flow		f;

	g = gf_geoip_open(fixture("asn.mmdb"), fixture("country_maxmind.mmdb"), err, sizeof(err));
	CHECK(g != NULL);
	if (g == NULL)
	{
		fprintf(stderr, "fixtures: %s\n", err);
		return;
	}
	CHECK(gf_geoip_has_asn(g) && gf_geoip_has_country(g));
	gf_geoip_describe(g, desc, sizeof(desc));
	CHECK(strncmp(desc, "country \"", 9) == 0 && strstr(desc, "country_maxmind.mmdb\" (GeoLite2-Country, built ") != NULL);
	CHECK(strstr(desc, "; asn \"") != NULL && strstr(desc, "(GeoLite2-ASN, built ") != NULL);
	gf_geoip_describe(NULL, desc, sizeof(desc));
	CHECK_STR(desc, "no database");

	CHECK_EQ_U64(asn_of(g, "198.51.100.1"), 64500);
	CHECK_EQ_U64(asn_of(g, "::ffff:198.51.100.1"), 64500);
	CHECK_EQ_U64(asn_of(g, "203.0.113.1"), 64501);
	CHECK_EQ_U64(asn_of(g, "2001:db8:1::1"), 4200000000u);
	CHECK_EQ_U64(asn_of(g, "192.0.2.1"), 0);	/* AS 0 */
	CHECK_EQ_U64(asn_of(g, "10.2.3.4"), 0);	/* no number in the record */
	CHECK_EQ_U64(asn_of(g, "8.8.8.8"), 0);

	/* Absent src_as and dst_as = 0: both filled, bits set. */
	make_flow(&f, "198.51.100.1", "2001:db8:1::1");
	GF_SET(&f, dst_as, GF_F_DST_AS, 0);
	gf_geoip_enrich(g, &f);
	CHECK(GF_HAS(&f, GF_F_SRC_AS) && GF_HAS(&f, GF_F_DST_AS));
	CHECK_EQ_U64(f.src_as, 64500);
	CHECK_EQ_U64(f.dst_as, 4200000000u);
	CHECK_STR(f.src_country, "US");
	CHECK_STR(f.dst_country, "JP");

	/* What the exporter sent (non-zero) is kept. */
	make_flow(&f, "198.51.100.1", "203.0.113.9");
	GF_SET(&f, src_as, GF_F_SRC_AS, 65001);
	gf_geoip_enrich(g, &f);
	CHECK_EQ_U64(f.src_as, 65001);
	CHECK_EQ_U64(f.dst_as, 64501);
	CHECK_STR(f.dst_country, "DE");

	/* Not found: absent stays absent, 0 stays 0; unknown country is "". */
	make_flow(&f, "8.8.8.8", "192.0.2.1");
	GF_SET(&f, dst_as, GF_F_DST_AS, 0);
	memcpy(f.src_country, "ZZ", 3);
	gf_geoip_enrich(g, &f);
	CHECK(!GF_HAS(&f, GF_F_SRC_AS));
	CHECK(GF_HAS(&f, GF_F_DST_AS));
	CHECK_EQ_U64(f.dst_as, 0);
	CHECK_STR(f.src_country, "");
	CHECK_STR(f.dst_country, "");

	/* A flow without addresses (an sFlow counter-only record, say). */
	make_flow(&f, NULL, NULL);
	gf_geoip_enrich(g, &f);
	CHECK(!GF_HAS(&f, GF_F_SRC_AS) && !GF_HAS(&f, GF_F_DST_AS));
	CHECK_STR(f.src_country, "");
	gf_geoip_close(g);

	/* ASN only: countries are left as they were. */
	g = gf_geoip_open(fixture("asn.mmdb"), NULL, err, sizeof(err));
	CHECK(g != NULL);
	make_flow(&f, "198.51.100.1", "8.8.8.8");
	memcpy(f.src_country, "ZZ", 3);
	gf_geoip_enrich(g, &f);
	CHECK_STR(f.src_country, "ZZ");
	CHECK_EQ_U64(f.src_as, 64500);
	gf_geoip_close(g);
}

static void
set_mtime(const char *path, time_t sec)
{
	struct timespec ts[2];

	ts[0].tv_sec = ts[1].tv_sec = sec;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	if (utimensat(AT_FDCWD, path, ts, 0) != 0)
	{
		fprintf(stderr, "test_geoip: utimensat %s: %s\n", path, strerror(errno));
		exit(2);
	}
}

static void
test_changed(void)
{
	char		err[512];
	gf_geoip   *g;
	gf_geoip_filesig a,
				b;
	const char *live = tmpfile_path("live.mmdb");
	const char *next = tmpfile_path("next.mmdb");
	FILE	   *fp;

	copy_file(fixture("country_maxmind.mmdb"), live);
	set_mtime(live, 1000000000);
	g = gf_geoip_open(NULL, live, err, sizeof(err));
	CHECK(g != NULL);
	if (g == NULL)
		return;
	CHECK(!gf_geoip_changed(g));
	set_mtime(live, 1000000001);
	CHECK(gf_geoip_changed(g));
	gf_geoip_close(g);

	/* Replaced by rename (a new inode, same size and mtime). */
	g = gf_geoip_open(NULL, live, err, sizeof(err));
	CHECK(g != NULL && !gf_geoip_changed(g));
	copy_file(fixture("country_maxmind.mmdb"), next);
	set_mtime(next, 1000000001);
	CHECK(rename(next, live) == 0);
	CHECK(gf_geoip_changed(g));
	gf_geoip_close(g);

	/*
	 * Overwritten in place, even truncated to nothing: the handle reads
	 * its private copy, so lookups go on answering (a plain mmap of the
	 * file would die of SIGBUS here).
	 */
	g = gf_geoip_open(NULL, live, err, sizeof(err));
	CHECK(g != NULL);
	if (g == NULL)
		return;
	fp = fopen(live, "wb");
	CHECK(fp != NULL);
	if (fp)
		fclose(fp);
	CHECK(gf_geoip_changed(g));
	CHECK_STR(cc_of(g, "198.51.100.7"), "US");
	CHECK_STR(cc_of(g, "2001:db8:1::1"), "JP");
	CHECK(unlink(live) == 0);
	CHECK(gf_geoip_changed(g));
	CHECK_STR(cc_of(g, "203.0.113.1"), "DE");
	gf_geoip_close(g);

	/* File signatures, for callers that remember a failed file. */
	gf_geoip_filesig_get(live, &a);
	CHECK(!a.exists);
	gf_geoip_filesig_get(NULL, &b);
	CHECK(gf_geoip_filesig_equal(&a, &b));
	gf_geoip_filesig_get(fixture("asn.mmdb"), &a);
	gf_geoip_filesig_get(fixture("asn.mmdb"), &b);
	CHECK(a.exists && gf_geoip_filesig_equal(&a, &b));
	gf_geoip_filesig_get(fixture("country_iplocdb.mmdb"), &b);
	CHECK(!gf_geoip_filesig_equal(&a, &b));
}

/* ---- the mmdblookup oracle, on real databases ------------------------ */

static uint64_t rng_state = UINT64_C(0x9e3779b97f4a7c15);

static uint64_t
rng(void)
{
	/* xorshift64*: deterministic, so a failure can be replayed. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

#define ORACLE_MAX 1024

static char oracle_addr[ORACLE_MAX][64];
static int	n_oracle;

static void
oracle_add(const char *text)
{
	if (n_oracle < ORACLE_MAX)
		snprintf(oracle_addr[n_oracle++], sizeof(oracle_addr[0]), "%s", text);
}

static void
oracle_add_v4(uint32_t v)
{
	char		buf[64];
	uint8_t		b[4] = {v >> 24, v >> 16, v >> 8, v};

	inet_ntop(AF_INET, b, buf, sizeof(buf));
	oracle_add(buf);
}

static void
oracle_add_v6(const uint8_t b[16])
{
	char		buf[64];

	inet_ntop(AF_INET6, b, buf, sizeof(buf));
	oracle_add(buf);
}

/* The address list: random with the shapes that matter, and fixed edges. */
static void
oracle_build_addresses(int n_random)
{
	static const char *const fixed[] = {
		"0.0.0.0", "255.255.255.255", "127.0.0.1", "10.0.0.1", "10.255.255.254",
		"172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1", "169.254.1.1",
		"192.0.2.1", "198.51.100.1", "203.0.113.1", "224.0.0.1", "239.255.255.250",
		"240.0.0.1", "1.1.1.1", "8.8.8.8", "9.9.9.9", "208.67.222.222",
		"::", "::1", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "2001:db8::1",
		"2001:4860:4860::8888", "2606:4700:4700::1111", "2a00:1450:4001::1",
		"::ffff:8.8.8.8", "::ffff:1.1.1.1", "::ffff:10.0.0.1", "::ffff:192.168.0.1",
		"::ffff:0.0.0.0", "2002:808:808::1", "2002:c000:201::1", "64:ff9b::808:808",
	};
	/* Top 16 bits of busy IPv6 space, so that random addresses often hit. */
	static const uint16_t v6top[] = {
		0x2001, 0x2400, 0x2401, 0x2402, 0x2403, 0x2404, 0x2405, 0x2406, 0x2408,
		0x2409, 0x240e, 0x2600, 0x2601, 0x2602, 0x2603, 0x2604, 0x2605, 0x2606,
		0x2607, 0x2620, 0x2800, 0x2801, 0x2803, 0x2804, 0x2a00, 0x2a01, 0x2a02,
		0x2a03, 0x2a04, 0x2a05, 0x2a06, 0x2a07, 0x2a0b, 0x2a0c, 0x2a10, 0x2c0f,
	};
	unsigned	i;
	int			k;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		oracle_add(fixed[i]);
	for (k = 0; k < n_random; k++)
	{
		uint64_t	r = rng();
		uint8_t		b[16];
		int			j;

		switch (k % 8)
		{
			case 0:
			case 1:
			case 2:
			case 3:
				oracle_add_v4((uint32_t) r);
				break;
			case 4:
			case 5:
				/* Global unicast IPv6 in busy /16s; random in the /32 below. */
				for (j = 0; j < 16; j += 8)
				{
					uint64_t	x = rng();

					memcpy(b + j, &x, 8);
				}
				b[0] = v6top[r % (sizeof(v6top) / sizeof(v6top[0]))] >> 8;
				b[1] = v6top[r % (sizeof(v6top) / sizeof(v6top[0]))] & 0xff;
				/* Keep most of the /32 small: allocations start low. */
				b[2] = (uint8_t) ((r >> 8) & 0x0f);
				oracle_add_v6(b);
				break;
			case 6:
				/* IPv4-mapped IPv6. */
				memset(b, 0, 10);
				b[10] = b[11] = 0xff;
				b[12] = r >> 24;
				b[13] = r >> 16;
				b[14] = r >> 8;
				b[15] = r;
				oracle_add_v6(b);
				break;
			default:
				/* Anywhere in 2000::/3 (mostly unassigned), or 6to4. */
				for (j = 0; j < 16; j += 8)
				{
					uint64_t	x = rng();

					memcpy(b + j, &x, 8);
				}
				if (r & 1)
				{
					b[0] = 0x20;
					b[1] = 0x02;
				}
				else
					b[0] = (uint8_t) (0x20 | (b[0] & 0x1f));
				oracle_add_v6(b);
				break;
		}
	}
}

/*
 * Runs mmdblookup on 'text' (an IPv4-mapped address is given to it in its
 * IPv4 form, which is what geoip.h promises to look up) with one lookup
 * path, and returns its printed value in out ("" when it found nothing).
 */
static void
oracle_mmdblookup(const char *file, const char *text, const char *path, char *out, size_t outlen)
{
	char		cmd[1024];
	char		line[512];
	const char *ip = text;
	FILE	   *p;

	out[0] = '\0';
	if (strncmp(text, "::ffff:", 7) == 0 && strchr(text + 7, '.') != NULL)
		ip = text + 7;
	snprintf(cmd, sizeof(cmd), "mmdblookup -f '%s' -i '%s' %s 2>/dev/null", file, ip, path);
	p = popen(cmd, "r");
	if (p == NULL)
	{
		fprintf(stderr, "test_geoip: popen mmdblookup: %s\n", strerror(errno));
		exit(2);
	}
	while (fgets(line, sizeof(line), p) != NULL)
	{
		char	   *s = line;

		while (isspace((unsigned char) *s))
			s++;
		if (*s != '\0' && out[0] == '\0')
			snprintf(out, outlen, "%s", s);
	}
	pclose(p);
	/* Strip the trailing newline: "US" <utf8_string> / 15169 <uint32>. */
	out[strcspn(out, "\n")] = '\0';
}

/* The oracle's country: country.iso_code, else country_code, if 2 capitals. */
static void
oracle_country(const char *file, const char *text, char cc[3])
{
	static const char *const paths[] = {"country iso_code", "country_code"};
	char		v[512];
	unsigned	i;

	cc[0] = '\0';
	for (i = 0; i < 2; i++)
	{
		oracle_mmdblookup(file, text, paths[i], v, sizeof(v));
		if (v[0] == '\0')
			continue;
		if (strlen(v) >= 4 && v[0] == '"' && isupper((unsigned char) v[1]) &&
			isupper((unsigned char) v[2]) && v[3] == '"')
		{
			cc[0] = v[1];
			cc[1] = v[2];
			cc[2] = '\0';
		}
		return;
	}
}

static uint32_t
oracle_asn(const char *file, const char *text)
{
	char		v[512];
	unsigned long long n;

	oracle_mmdblookup(file, text, "autonomous_system_number", v, sizeof(v));
	if (sscanf(v, "%llu <uint", &n) == 1 && n <= UINT32_MAX)
		return (uint32_t) n;
	return 0;
}

static bool
safe_for_shell(const char *s)
{
	return strchr(s, '\'') == NULL;
}

static void
test_oracle(const char *country_file, const char *asn_file)
{
	char		err[512];
	char		desc[1024];
	gf_geoip   *g;
	gf_geoip_stats st;
	static char ocs[ORACLE_MAX][3];
	static uint32_t oas[ORACLE_MAX];
	int			i,
				n_random = 400,
				cc_agree = 0,
				cc_found = 0,
				as_agree = 0,
				as_found = 0,
				rule_ok = 0,
				rule_n = 0;
	const char *e = getenv("GF_TEST_ORACLE_N");

	if (e != NULL && atoi(e) > 0)
		n_random = atoi(e) < ORACLE_MAX - 64 ? atoi(e) : ORACLE_MAX - 64;
	if ((country_file && !safe_for_shell(country_file)) ||
		(asn_file && !safe_for_shell(asn_file)))
	{
		fprintf(stderr, "test_geoip: database paths with a quote are not supported\n");
		unit_failed++;
		return;
	}
	g = gf_geoip_open(asn_file, country_file, err, sizeof(err));
	CHECK(g != NULL);
	if (g == NULL)
	{
		fprintf(stderr, "oracle: %s\n", err);
		return;
	}
	gf_geoip_describe(g, desc, sizeof(desc));
	printf("oracle databases: %s\n", desc);
	oracle_build_addresses(n_random);

	for (i = 0; i < n_oracle; i++)
	{
		gf_addr		a = addr(oracle_addr[i]);

		ocs[i][0] = '\0';
		oas[i] = 0;
		if (country_file)
		{
			char		mine[3];

			oracle_country(country_file, oracle_addr[i], ocs[i]);
			gf_geoip_country(g, &a, mine);
			if (strcmp(mine, ocs[i]) == 0)
				cc_agree++;
			else
				fprintf(stderr, "oracle: %s country \"%s\", mmdblookup \"%s\"\n",
						oracle_addr[i], mine, ocs[i]);
			CHECK_STR(mine, ocs[i]);
			cc_found += ocs[i][0] != '\0';
		}
		if (asn_file)
		{
			uint32_t	mine = gf_geoip_asn(g, &a);

			oas[i] = oracle_asn(asn_file, oracle_addr[i]);
			if (mine == oas[i])
				as_agree++;
			else
				fprintf(stderr, "oracle: %s AS %u, mmdblookup %u\n",
						oracle_addr[i], mine, oas[i]);
			CHECK_EQ_U64(mine, oas[i]);
			as_found += oas[i] != 0;
		}
	}

	/*
	 * The enrich rule against the oracle's answers: pairs of addresses,
	 * with src_as absent, 0 or set by the "exporter".
	 */
	for (i = 0; i + 1 < n_oracle; i += 2)
	{
		gf_flow		f;
		int			mode = i / 2 % 3;
		uint32_t	want_src;
		bool		want_src_bit;
		bool		ok;

		make_flow(&f, oracle_addr[i], oracle_addr[i + 1]);
		if (mode == 1)
			GF_SET(&f, src_as, GF_F_SRC_AS, 0);
		else if (mode == 2)
			GF_SET(&f, src_as, GF_F_SRC_AS, 65534);
		gf_geoip_enrich(g, &f);
		if (mode == 2)
		{
			want_src = 65534;
			want_src_bit = true;
		}
		else
		{
			want_src = asn_file ? oas[i] : 0;
			want_src_bit = mode == 1 || want_src != 0;
		}
		ok = f.src_as == want_src && (bool) GF_HAS(&f, GF_F_SRC_AS) == want_src_bit &&
			f.dst_as == (asn_file ? oas[i + 1] : 0) &&
			(bool) GF_HAS(&f, GF_F_DST_AS) == (asn_file && oas[i + 1] != 0);
		if (country_file)
			ok = ok && strcmp(f.src_country, ocs[i]) == 0 &&
				strcmp(f.dst_country, ocs[i + 1]) == 0;
		CHECK(ok);
		rule_ok += ok;
		rule_n++;
	}

	gf_geoip_get_stats(g, &st);
	CHECK_EQ_U64(st.errors, 0);
	printf("oracle: %d addresses; country agree %d/%d (%d found); asn agree %d/%d (%d found); enrich rule %d/%d\n",
		   n_oracle, cc_agree, country_file ? n_oracle : 0, cc_found,
		   as_agree, asn_file ? n_oracle : 0, as_found, rule_ok, rule_n);
	gf_geoip_close(g);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Lookups per second on a real file: uniform random IPv4 (80 %) and IPv6
 * in busy space (20 %), so nearly every lookup walks the tree afresh;
 * and the same on 512 recurring addresses, as flows between a few hosts.
 */
static void
bench(const char *label, const char *asn_file, const char *country_file, int n)
{
	char		err[512];
	gf_geoip   *g = gf_geoip_open(asn_file, country_file, err, sizeof(err));
	gf_addr    *addrs;
	gf_geoip_stats st;
	int			i,
				pass,
				n_addrs = 65536;
	volatile uint32_t sink = 0;

	if (g == NULL)
	{
		fprintf(stderr, "bench: %s\n", err);
		unit_failed++;
		return;
	}
	addrs = calloc(n_addrs, sizeof(gf_addr));
	for (i = 0; i < n_addrs; i++)
	{
		uint64_t	r = rng();

		if (i % 5 == 4)
		{
			addrs[i].family = 6;
			addrs[i].bytes[0] = 0x2a;
			addrs[i].bytes[1] = (uint8_t) (r & 0x0f);
			memcpy(addrs[i].bytes + 2, &r, 8);
		}
		else
		{
			addrs[i].family = 4;
			memcpy(addrs[i].bytes, &r, 4);
		}
	}
	for (pass = 0; pass < 2; pass++)
	{
		int			mask = pass == 0 ? n_addrs - 1 : 511;
		double		t0 = now_s(),
					dt;

		for (i = 0; i < n; i++)
		{
			if (country_file)
			{
				char		cc[3];

				gf_geoip_country(g, &addrs[i & mask], cc);
				sink += cc[0];
			}
			else
				sink += gf_geoip_asn(g, &addrs[i & mask]);
		}
		dt = now_s() - t0;
		printf("bench %s (%s): %d lookups in %.3f s = %.0f lookups/s (%.0f ns each)\n",
			   label, pass == 0 ? "random addresses" : "512 recurring addresses",
			   n, dt, n / dt, dt * 1e9 / n);
	}
	gf_geoip_get_stats(g, &st);
	printf("bench %s: address cache hits %.1f %%, record cache hits %.1f %%, found %.1f %%\n", label,
		   100.0 * st.addr_cache_hits / (st.lookups ? st.lookups : 1),
		   100.0 * st.record_cache_hits / (st.lookups ? st.lookups : 1),
		   100.0 * st.found / (st.lookups ? st.lookups : 1));
	(void) sink;
	free(addrs);
	gf_geoip_close(g);
}

/*
 * Whole flows through gf_geoip_enrich with both databases and no AS from
 * the exporter (four lookups a flow), on 4096 recurring hosts.
 */
static void
bench_enrich(const char *asn_file, const char *country_file, int n)
{
	char		err[512];
	gf_geoip   *g = gf_geoip_open(asn_file, country_file, err, sizeof(err));
	gf_addr    *addrs;
	gf_flow		f;
	int			i,
				n_addrs = 4096;
	double		t0,
				dt;
	volatile uint32_t sink = 0;

	if (g == NULL)
	{
		fprintf(stderr, "bench: %s\n", err);
		unit_failed++;
		return;
	}
	addrs = calloc(n_addrs, sizeof(gf_addr));
	for (i = 0; i < n_addrs; i++)
	{
		uint64_t	r = rng();

		addrs[i].family = 4;
		memcpy(addrs[i].bytes, &r, 4);
	}
	make_flow(&f, "0.0.0.0", "0.0.0.0");
	t0 = now_s();
	for (i = 0; i < n; i++)
	{
		f.present = 0;
		f.src_addr = addrs[(i * 7) & (n_addrs - 1)];
		f.dst_addr = addrs[(i * 13 + 5) & (n_addrs - 1)];
		gf_geoip_enrich(g, &f);
		sink += f.src_as + f.dst_country[0];
	}
	dt = now_s() - t0;
	printf("bench enrich (country + asn, 4096 recurring hosts): %d flows in %.3f s = %.0f flows/s (%.0f ns each)\n",
		   n, dt, n / dt, dt * 1e9 / n);
	(void) sink;
	free(addrs);
	gf_geoip_close(g);
}

int
main(void)
{
	const char *country = getenv("GF_TEST_MMDB_COUNTRY");
	const char *asn = getenv("GF_TEST_MMDB_ASN");
	const char *b = getenv("GF_TEST_GEOIP_BENCH");
	const char *fd = getenv("GF_TEST_GEOIP_FIXTURES");
	char		tmpl[] = "/tmp/gf_test_geoip.XXXXXX";

	if (fd != NULL && fd[0] != '\0')
		fixdir = fd;
	if (mkdtemp(tmpl) == NULL)
	{
		fprintf(stderr, "test_geoip: mkdtemp: %s\n", strerror(errno));
		return 2;
	}
	snprintf(tmpdir, sizeof(tmpdir), "%s", tmpl);

	test_errors();
	test_country_layouts();
	test_asn_and_enrich();
	test_changed();

	if (country != NULL && country[0] == '\0')
		country = NULL;
	if (asn != NULL && asn[0] == '\0')
		asn = NULL;
	if (country != NULL || asn != NULL)
		test_oracle(country, asn);
	else
		printf("oracle: skipped (set GF_TEST_MMDB_COUNTRY / GF_TEST_MMDB_ASN, or run test/e2e/geoip_oracle.sh)\n");
	if (b != NULL && atoi(b) > 0)
	{
		int			n = atoi(b) > 5000000 ? 5000000 : atoi(b);

		if (country)
			bench("country", NULL, country, n);
		if (asn)
			bench("asn", asn, NULL, n);
		if (country && asn)
			bench_enrich(asn, country, n);
	}

	unlink(tmpfile_path("garbage.mmdb"));
	unlink(tmpfile_path("empty.mmdb"));
	unlink(tmpfile_path("half.mmdb"));
	unlink(tmpfile_path("live.mmdb"));
	unlink(tmpfile_path("next.mmdb"));
	rmdir(tmpdir);
	UNIT_MAIN_END();
}
