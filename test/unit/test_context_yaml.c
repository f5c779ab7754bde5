/*
 * test_context_yaml.c
 *    Unit tests for the context file parser (context_yaml.h): the issue's
 *    example and every field of the three lists, scalar typing in the
 *    context JSON (exact strings, written by hand from the rules in the
 *    header), errors with the line and column worked out by hand from the
 *    inputs, and each limit at its edge.  ASan's leak check at exit covers
 *    "nothing half loaded": every refused input must have freed what it
 *    built.
 */
#include "context_yaml.h"

#include <arpa/inet.h>

#include "json_check.h"
#include "unit.h"

static gf_ctx_yaml_error err;

static gf_ctx_config *
parse(const char *yaml)
{
	return gf_ctx_yaml_parse(yaml, strlen(yaml), NULL, &err);
}

/* Every context JSON of cfg is a JSON object. */
static void
check_all_json(const gf_ctx_config *cfg)
{
	size_t		i;

	for (i = 0; i < cfg->n_networks; i++)
		CHECK(json_check(cfg->networks[i].context_json, true));
	for (i = 0; i < cfg->n_devices; i++)
		CHECK(json_check(cfg->devices[i].context_json, true));
	for (i = 0; i < cfg->n_interfaces; i++)
		CHECK(json_check(cfg->interfaces[i].context_json, true));
}

/* yaml must be refused at line:column with a message holding needle. */
static void
expect_error_lim(const char *yaml, size_t len, const gf_ctx_yaml_limits *lim,
				 int line, int column, const char *needle, int src_line)
{
	gf_ctx_config *cfg = gf_ctx_yaml_parse(yaml, len, lim, &err);
	char		where[32];

	if (cfg != NULL)
	{
		unit_failed++;
		fprintf(stderr, "%s:%d: accepted: %.200s\n", __FILE__, src_line, yaml);
		gf_ctx_config_free(cfg);
		return;
	}
	snprintf(where, sizeof(where), "line %d, column %d: ", line, column);
	if (err.line != line || err.column != column || strstr(err.msg, needle) == NULL ||
		(line > 0 && strncmp(err.msg, where, strlen(where)) != 0))
	{
		unit_failed++;
		fprintf(stderr, "%s:%d: got %d:%d \"%s\", expected %d:%d with \"%s\"\n",
				__FILE__, src_line, err.line, err.column, err.msg, line, column, needle);
		return;
	}
	unit_passed++;
}

#define EXPECT_ERROR(yaml, line, column, needle) \
	expect_error_lim((yaml), strlen(yaml), NULL, (line), (column), (needle), __LINE__)
#define EXPECT_ERROR_LIM(yaml, lim, line, column, needle) \
	expect_error_lim((yaml), strlen(yaml), (lim), (line), (column), (needle), __LINE__)

static bool
bytes_are(const uint8_t *bytes, int family, const char *text)
{
	uint8_t		want[16];

	memset(want, 0, sizeof(want));
	if (inet_pton(family == 4 ? AF_INET : AF_INET6, text, want) != 1)
		return false;
	return memcmp(bytes, want, 16) == 0;
}

static void
test_issue_example(void)
{
	gf_ctx_config *c = parse("networks:\n"
							 "  - name: web-servers\n"
							 "    cidr: 10.1.0.0/24\n"
							 "    context:\n"
							 "      application: web\n"
							 "      tier: frontend\n"
							 "  - name: database-servers\n"
							 "    cidr: 10.1.1.0/24\n"
							 "    context:\n"
							 "      tier: backend\n"
							 "      application: database\n");

	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_EQ_U64(c->n_networks, 2);
	CHECK_EQ_U64(c->n_devices, 0);
	CHECK_EQ_U64(c->n_interfaces, 0);
	CHECK_STR(c->networks[0].name, "web-servers");
	CHECK_EQ_U64(c->networks[0].cidr.family, 4);
	CHECK_EQ_U64(c->networks[0].cidr.prefix_len, 24);
	CHECK(bytes_are(c->networks[0].cidr.bytes, 4, "10.1.0.0"));
	CHECK_EQ_U64(c->networks[0].exporter.family, 0);
	CHECK_STR(c->networks[0].context_json, "{\"application\":\"web\",\"tier\":\"frontend\"}");
	CHECK_EQ_U64(c->networks[0].line, 2);
	CHECK_STR(c->networks[1].name, "database-servers");
	CHECK(bytes_are(c->networks[1].cidr.bytes, 4, "10.1.1.0"));
	/* keys sorted, whatever the order in the file */
	CHECK_STR(c->networks[1].context_json, "{\"application\":\"database\",\"tier\":\"backend\"}");
	CHECK_EQ_U64(c->networks[1].line, 7);
	check_all_json(c);
	gf_ctx_config_free(c);
}

static void
test_all_tables(void)
{
	gf_ctx_config *c = parse("networks:\n"
							 "  - name: v6\n"
							 "    cidr: 2001:db8:10::/48\n"
							 "    exporter: ::ffff:192.0.2.1\n"
							 "  - {name: host, cidr: 10.9.9.9}\n"
							 "  - {name: host6, cidr: '2001:db8::1', exporter: 2001:db8::ff}\n"
							 "  - {name: all, cidr: 0.0.0.0/0, context: ~}\n"
							 "devices:\n"
							 "  - exporter: 192.0.2.1\n"
							 "    name: edge-1\n"
							 "    site: par1\n"
							 "    role: border\n"
							 "    context: {vendor: juniper}\n"
							 "  - exporter: 2001:db8::ff\n"
							 "interfaces:\n"
							 "  - exporter: 192.0.2.1\n"
							 "    if_index: 4294967295\n"
							 "    name: xe-0/0/1\n"
							 "    description: \"transit A, port 1\"\n"
							 "    speed: 18446744073709551615\n"
							 "    boundary: external\n"
							 "    provider: transit-a\n"
							 "    context:\n"
							 "      circuit: C-1\n"
							 "  - {exporter: 192.0.2.1, if_index: '0', boundary: internal, speed: ~}\n");

	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_EQ_U64(c->n_networks, 4);
	CHECK_EQ_U64(c->networks[0].cidr.family, 6);
	CHECK_EQ_U64(c->networks[0].cidr.prefix_len, 48);
	CHECK(bytes_are(c->networks[0].cidr.bytes, 6, "2001:db8:10::"));
	/* an IPv4-mapped exporter is stored as IPv4 */
	CHECK_EQ_U64(c->networks[0].exporter.family, 4);
	CHECK(bytes_are(c->networks[0].exporter.bytes, 4, "192.0.2.1"));
	CHECK_STR(c->networks[0].context_json, "{}");
	CHECK_EQ_U64(c->networks[1].cidr.prefix_len, 32);
	CHECK(bytes_are(c->networks[1].cidr.bytes, 4, "10.9.9.9"));
	CHECK_EQ_U64(c->networks[2].cidr.prefix_len, 128);
	CHECK_EQ_U64(c->networks[2].exporter.family, 6);
	CHECK(bytes_are(c->networks[2].exporter.bytes, 6, "2001:db8::ff"));
	CHECK_EQ_U64(c->networks[3].cidr.prefix_len, 0);
	CHECK_STR(c->networks[3].context_json, "{}");
	CHECK_EQ_U64(c->networks[3].line, 7);

	CHECK_EQ_U64(c->n_devices, 2);
	CHECK(bytes_are(c->devices[0].exporter.bytes, 4, "192.0.2.1"));
	CHECK_STR(c->devices[0].name, "edge-1");
	CHECK_STR(c->devices[0].site, "par1");
	CHECK_STR(c->devices[0].role, "border");
	CHECK_STR(c->devices[0].context_json, "{\"vendor\":\"juniper\"}");
	CHECK_EQ_U64(c->devices[0].line, 9);
	CHECK_EQ_U64(c->devices[1].exporter.family, 6);
	CHECK(c->devices[1].name == NULL && c->devices[1].site == NULL && c->devices[1].role == NULL);
	CHECK_STR(c->devices[1].context_json, "{}");

	CHECK_EQ_U64(c->n_interfaces, 2);
	CHECK_EQ_U64(c->interfaces[0].if_index, 4294967295u);
	CHECK_STR(c->interfaces[0].name, "xe-0/0/1");
	CHECK_STR(c->interfaces[0].description, "transit A, port 1");
	CHECK(c->interfaces[0].has_speed);
	CHECK(c->interfaces[0].speed == UINT64_MAX);
	CHECK_EQ_U64(c->interfaces[0].boundary, GF_CTX_BOUNDARY_EXTERNAL);
	CHECK_STR(gf_ctx_boundary_name(c->interfaces[0].boundary), "external");
	CHECK_STR(c->interfaces[0].provider, "transit-a");
	CHECK_STR(c->interfaces[0].context_json, "{\"circuit\":\"C-1\"}");
	CHECK_EQ_U64(c->interfaces[1].if_index, 0);
	CHECK(!c->interfaces[1].has_speed);
	CHECK_EQ_U64(c->interfaces[1].boundary, GF_CTX_BOUNDARY_INTERNAL);
	CHECK(c->interfaces[1].name == NULL && c->interfaces[1].provider == NULL);
	CHECK(gf_ctx_boundary_name(GF_CTX_BOUNDARY_NONE) == NULL);
	check_all_json(c);
	gf_ctx_config_free(c);
}

static void
test_scalar_typing(void)
{
	gf_ctx_config *c = parse("networks:\n"
							 "  - name: 123\n"
							 "    cidr: 10.0.0.0/8\n"
							 "    context:\n"
							 "      s: web\n"
							 "      n: 42\n"
							 "      neg: -7\n"
							 "      f: 1.5\n"
							 "      e: 2e3\n"
							 "      big: 1e1000\n"
							 "      lead: 007\n"
							 "      plus: +1\n"
							 "      hex: 0x1F\n"
							 "      dot: .5\n"
							 "      inf: .inf\n"
							 "      yes: yes\n"
							 "      t: True\n"
							 "      f2: FALSE\n"
							 "      nul: ~\n"
							 "      nul2: null\n"
							 "      empty:\n"
							 "      q: \"42\"\n"
							 "      sq: 'true'\n"
							 "      str: !!str 5\n"
							 "      lit: |\n"
							 "        a\n"
							 "        b\n"
							 "      nested: {b: [1, {c: d}], a: []}\n"
							 "      esc: \"tab\\there \\\"q\\\" back\\\\slash \\u00e9 \\x01\"\n"
							 "      7: seven\n");

	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_STR(c->networks[0].name, "123");
	CHECK_STR(c->networks[0].context_json,
			  "{\"7\":\"seven\",\"big\":\"1e1000\",\"dot\":\".5\",\"e\":2e3,\"empty\":null,"
			  "\"esc\":\"tab\\there \\\"q\\\" back\\\\slash \xc3\xa9 \\u0001\","
			  "\"f\":1.5,\"f2\":false,\"hex\":\"0x1F\",\"inf\":\".inf\",\"lead\":\"007\","
			  "\"lit\":\"a\\nb\\n\",\"n\":42,\"neg\":-7,\"nested\":{\"a\":[],\"b\":[1,{\"c\":\"d\"}]},"
			  "\"nul\":null,\"nul2\":null,\"plus\":\"+1\",\"q\":\"42\",\"s\":\"web\",\"sq\":\"true\","
			  "\"str\":\"5\",\"t\":true,\"yes\":\"yes\"}");
	check_all_json(c);
	gf_ctx_config_free(c);
}

static void
test_empty_inputs(void)
{
	static const char *const empties[] = {"", "~", "---\n", "# only a comment\n",
		"networks:\n", "networks: []\ndevices: ~\ninterfaces: []\n", "{}", NULL};
	const char *const *e;

	for (e = empties; *e; e++)
	{
		gf_ctx_config *c = parse(*e);

		CHECK(c != NULL);
		if (c == NULL)
		{
			fprintf(stderr, "  refused \"%s\": %s\n", *e, err.msg);
			continue;
		}
		CHECK_EQ_U64(c->n_networks + c->n_devices + c->n_interfaces, 0);
		gf_ctx_config_free(c);
	}
	/* A NULL text with length 0 is the empty file. */
	{
		gf_ctx_config *c = gf_ctx_yaml_parse(NULL, 0, NULL, &err);

		CHECK(c != NULL);
		gf_ctx_config_free(c);
	}
}

static void
test_errors(void)
{
	/* YAML syntax: libyaml's words, our position */
	EXPECT_ERROR("networks:\n\t- name: a\n", 2, 1, "cannot start any token");
	EXPECT_ERROR("networks:\n  - {name: a, cidr: 1.0.0.0/8\n", 3, 1, "did not find expected ',' or '}'");
	EXPECT_ERROR("networks:\n  - name: a\xff\n", 2, 12, "invalid");
	EXPECT_ERROR("- a\n", 1, 1, "the top level must be a mapping");
	EXPECT_ERROR("hello\n", 1, 1, "the top level must be a mapping");
	EXPECT_ERROR("networks: []\n---\nnetworks: []\n", 2, 1, "one YAML document");
	EXPECT_ERROR("networks: []\nnetworks: []\n", 2, 1, "networks appears twice at the top level (first at line 1)");
	EXPECT_ERROR("nets: []\n", 1, 1, "unknown top-level key \"nets\"");
	EXPECT_ERROR("? [a]\n: 1\n", 1, 3, "a top-level key must be");

	/* bad cidr */
	EXPECT_ERROR("networks:\n  - name: a\n    cidr: 10.1.0.1/24\n", 3, 11,
				 "cidr \"10.1.0.1/24\" has bits set right of its /24 prefix (did you mean 10.1.0.0/24?)");
	EXPECT_ERROR("networks:\n  - {name: a, cidr: 2001:db8::1/32}\n", 2, 21, "did you mean 2001:db8::/32?");
	EXPECT_ERROR("networks:\n  - {name: a, cidr: 10.0.0.0/33}\n", 2, 21, "from 0 to 32");
	EXPECT_ERROR("networks:\n  - {name: a, cidr: '::/129'}\n", 2, 21, "from 0 to 128");
	EXPECT_ERROR("networks:\n  - {name: a, cidr: 10.0.0.0/}\n", 2, 21, "prefix length");
	EXPECT_ERROR("networks:\n  - {name: a, cidr: 10.0.0.0/-1}\n", 2, 21, "prefix length");
	EXPECT_ERROR("networks:\n  - {name: a, cidr: 10.0.0/8}\n", 2, 21, "not a numeric IPv4 or IPv6 address");
	EXPECT_ERROR("networks:\n  - {name: a, cidr: [10.0.0.0/8]}\n", 2, 21, "cidr must be a scalar, found a list");
	EXPECT_ERROR("networks:\n  - {name: a, cidr: 1.0.0.0/8, exporter: router1}\n", 2, 42,
				 "exporter \"router1\" is not a numeric IPv4 or IPv6 address");

	/* unknown and repeated keys */
	EXPECT_ERROR("networks:\n  - name: x\n    cid: 1\n", 3, 5,
				 "unknown key \"cid\" in an entry of networks (expected name, cidr, exporter, context)");
	EXPECT_ERROR("devices:\n  - {exporter: 192.0.2.1, speed: 1}\n", 2, 27, "unknown key \"speed\" in an entry of devices");
	EXPECT_ERROR("networks:\n  - name: a\n    name: b\n", 3, 5, "key \"name\" appears twice in this entry (first at line 2)");
	EXPECT_ERROR("networks:\n  - name: a\n    cidr: 1.0.0.0/8\n    context: {k: 1, j: 2, k: 3}\n", 4, 27,
				 "key \"k\" appears twice in one mapping (first at line 4)");
	EXPECT_ERROR("networks:\n  - ? [a]\n    : 1\n", 2, 7, "a mapping key must be a scalar, found a list");

	/* missing required keys */
	EXPECT_ERROR("networks:\n  - cidr: 10.0.0.0/8\n", 2, 5, "the network has no name (it is required)");
	EXPECT_ERROR("networks:\n  - name: ~\n    cidr: 10.0.0.0/8\n", 2, 11, "the network has no name");
	EXPECT_ERROR("networks:\n  - name: a\n", 2, 5, "the network has no cidr");
	EXPECT_ERROR("devices:\n  - name: a\n", 2, 5, "the device has no exporter");
	EXPECT_ERROR("interfaces:\n  - exporter: 192.0.2.1\n", 2, 5, "the interface has no if_index");
	EXPECT_ERROR("interfaces:\n  - if_index: 1\n", 2, 5, "the interface has no exporter");

	/* duplicates */
	EXPECT_ERROR("networks:\n - {name: a, cidr: 1.0.0.0/8}\n - {name: a, cidr: 2.0.0.0/8}\n", 3, 11,
				 "network name \"a\" is already used by the entry at line 2");
	EXPECT_ERROR("devices:\n - exporter: 192.0.2.1\n - exporter: '::ffff:192.0.2.1'\n", 3, 14,
				 "this exporter address is already used by the entry at line 2");
	EXPECT_ERROR("interfaces:\n - {exporter: 192.0.2.1, if_index: 7}\n - {exporter: 192.0.2.2, if_index: 7}\n"
				 " - {exporter: '::ffff:192.0.2.1', if_index: '7'}\n", 4, 45,
				 "this (exporter, if_index) pair is already used by the entry at line 2");

	/* wrong types */
	EXPECT_ERROR("networks:\n  - name: a\n    cidr: 10.0.0.0/8\n    context: [1, 2]\n", 4, 14,
				 "context must be a mapping, found a list");
	EXPECT_ERROR("networks:\n  - {name: a, cidr: 10.0.0.0/8, context: web}\n", 2, 42,
				 "context must be a mapping, found a scalar");
	EXPECT_ERROR("networks:\n  a: 1\n", 2, 3, "networks must be a list of mappings, found a mapping");
	EXPECT_ERROR("networks: web\n", 1, 11, "networks must be a list of mappings, found a scalar");
	EXPECT_ERROR("networks:\n  - web\n", 2, 5, "each entry of networks must be a mapping, found a scalar");
	EXPECT_ERROR("networks:\n  - name: {a: 1}\n    cidr: 1.0.0.0/8\n", 2, 11, "name must be a scalar, found a mapping");
	EXPECT_ERROR("interfaces:\n  - {exporter: 192.0.2.1, if_index: 1, boundary: edge}\n", 2, 50,
				 "boundary must be external or internal");
	EXPECT_ERROR("interfaces:\n  - {exporter: 192.0.2.1, if_index: 4294967296}\n", 2, 37,
				 "if_index \"4294967296\" is not a whole number from 0 to 4294967295");
	EXPECT_ERROR("interfaces:\n  - {exporter: 192.0.2.1, if_index: 1, speed: -1}\n", 2, 47, "speed \"-1\"");
	EXPECT_ERROR("interfaces:\n  - {exporter: 192.0.2.1, if_index: 1, speed: 18446744073709551616}\n", 2, 47,
				 "speed \"18446744073709551616\" is not a whole number");
	EXPECT_ERROR("interfaces:\n  - {exporter: 192.0.2.1, if_index: [1]}\n", 2, 37, "if_index must be a number, found a list");

	/* untrusted-input rules */
	EXPECT_ERROR("networks:\n  - &e {name: a, cidr: 1.0.0.0/8}\n  - *e\n", 2, 5, "anchors (&e) are not allowed");
	EXPECT_ERROR("networks:\n  - *e\n", 2, 5, "aliases (*e) are not allowed");
	EXPECT_ERROR("networks:\n  - name: !!int 5\n", 2, 11, "tag tag:yaml.org,2002:int is not allowed");
	EXPECT_ERROR("networks:\n  - !thing {name: a}\n", 2, 5, "tag !thing is not allowed");
	EXPECT_ERROR("networks:\n  - name: \"a\\0b\"\n", 2, 11, "NUL");
	EXPECT_ERROR("\"networks\\0\": []\n", 1, 1, "unknown top-level key \"networks?\"");

	/* text quoted into messages: control characters as '?', cut whole */
	EXPECT_ERROR("networks:\n  - {\"\\x01bad\\n\": 1}\n", 2, 6, "unknown key \"?bad?\" in an entry");
	{
		char		yaml[256] = "networks:\n  - {name: a, cidr: ";
		char		want[128] = "cidr \"";
		int			i;

		for (i = 0; i < 31; i++)
			strcat(yaml, "\xc3\xa9");
		strcat(yaml, "}\n");
		for (i = 0; i < 30; i++)
			strcat(want, "\xc3\xa9");
		strcat(want, "...\"");
		EXPECT_ERROR(yaml, 2, 21, want);
	}
}

/* The same text repeated n times. */
static char *
repeat(const char *piece, size_t n)
{
	size_t		len = strlen(piece);
	char	   *s = malloc(len * n + 1);
	size_t		i;

	for (i = 0; i < n; i++)
		memcpy(s + i * len, piece, len);
	s[len * n] = '\0';
	return s;
}

/* A network whose context nests 'levels' mappings ({a: {a: ... 1}}). */
static char *
nested_network(int levels)
{
	char	   *open = repeat("{a: ", (size_t) levels);
	char	   *close = repeat("}", (size_t) levels);
	size_t		size = strlen(open) + strlen(close) + 100;
	char	   *s = malloc(size);

	snprintf(s, size, "networks:\n  - {name: n, cidr: 1.0.0.0/8, context: %s1%s}\n", open, close);
	free(open);
	free(close);
	return s;
}

static void
test_limits(void)
{
	gf_ctx_yaml_limits lim;
	gf_ctx_config *c;
	char	   *s;
	char		buf[8192];

	gf_ctx_yaml_default_limits(&lim);
	CHECK_EQ_U64(lim.max_input, GF_CTX_YAML_MAX_INPUT);
	CHECK_EQ_U64(lim.max_depth, 32);

	/* input size, at the edge of a lowered limit and past the default */
	lim.max_input = 10;
	c = gf_ctx_yaml_parse("networks:\n", 10, &lim, &err);
	CHECK(c != NULL);
	gf_ctx_config_free(c);
	EXPECT_ERROR_LIM("networks: \n", &lim, 0, 0, "the context file is 11 bytes, more than the 10 allowed");
	s = malloc((size_t) GF_CTX_YAML_MAX_INPUT + 1);
	memset(s, ' ', (size_t) GF_CTX_YAML_MAX_INPUT + 1);
	expect_error_lim(s, (size_t) GF_CTX_YAML_MAX_INPUT + 1, NULL, 0, 0, "more than the 33554432 allowed", __LINE__);
	free(s);

	/* depth: list 2, entry 3, context 4, so 29 context levels are 32 */
	s = nested_network(29);
	c = parse(s);
	CHECK(c != NULL);
	if (c)
		CHECK_EQ_U64(strlen(c->networks[0].context_json), 29 * 6 + 1);
	gf_ctx_config_free(c);
	free(s);
	s = nested_network(30);
	EXPECT_ERROR(s, 2, 41 + 4 * 29, "nested deeper than 32 levels");
	free(s);
	/* asking for more than the default gets the default */
	gf_ctx_yaml_default_limits(&lim);
	lim.max_depth = 1000;
	s = nested_network(30);
	EXPECT_ERROR_LIM(s, &lim, 2, 41 + 4 * 29, "nested deeper than 32 levels");
	free(s);
	/* a deep flow list is stopped at the limit, not parsed to its end */
	s = repeat("[", 100000);
	memcpy(s, "networks: ", 10);
	EXPECT_ERROR(s, 1, 11 + 31, "nested deeper than 32 levels");
	free(s);
	gf_ctx_yaml_default_limits(&lim);
	lim.max_depth = 3;
	EXPECT_ERROR_LIM("networks:\n  - {name: n, cidr: 1.0.0.0/8, context: {}}\n", &lim, 2, 41,
					 "nested deeper than 3 levels");

	/* entries, counted over all lists */
	gf_ctx_yaml_default_limits(&lim);
	lim.max_entries = 3;
	c = gf_ctx_yaml_parse("networks: [{name: a, cidr: 1.0.0.0/8}]\ndevices: [{exporter: 192.0.2.1}, {exporter: 192.0.2.2}]\n",
						  strlen("networks: [{name: a, cidr: 1.0.0.0/8}]\ndevices: [{exporter: 192.0.2.1}, {exporter: 192.0.2.2}]\n"),
						  &lim, &err);
	CHECK(c != NULL);
	gf_ctx_config_free(c);
	EXPECT_ERROR_LIM("networks: [{name: a, cidr: 1.0.0.0/8}, {name: b, cidr: 2.0.0.0/8}]\n"
					 "devices: [{exporter: 192.0.2.1}, {exporter: 192.0.2.2}]\n", &lim, 2, 34,
					 "more than 3 entries in the file");

	/* name length: 255 bytes pass, 256 do not */
	s = repeat("n", GF_CTX_YAML_MAX_NAME);
	snprintf(buf, sizeof(buf), "networks:\n  - {name: %s, cidr: 1.0.0.0/8}\n", s);
	c = parse(buf);
	CHECK(c != NULL && strlen(c->networks[0].name) == 255);
	gf_ctx_config_free(c);
	snprintf(buf, sizeof(buf), "networks:\n  - {name: %sn, cidr: 1.0.0.0/8}\n", s);
	EXPECT_ERROR(buf, 2, 12, "name is longer than 255 bytes");
	snprintf(buf, sizeof(buf), "networks:\n  - {name: a, cidr: 1.0.0.0/8, context: {%sk: 1}}\n", s);
	EXPECT_ERROR(buf, 2, 42, "a key is longer than 255 bytes");
	free(s);

	/* any other scalar: 4096 bytes pass, 4097 do not */
	s = repeat("d", GF_CTX_YAML_MAX_TEXT);
	snprintf(buf, sizeof(buf), "interfaces:\n  - {exporter: 192.0.2.1, if_index: 1, description: %s}\n", s);
	c = parse(buf);
	CHECK(c != NULL && strlen(c->interfaces[0].description) == 4096);
	gf_ctx_config_free(c);
	snprintf(buf, sizeof(buf), "interfaces:\n  - {exporter: 192.0.2.1, if_index: 1, description: %sd}\n", s);
	EXPECT_ERROR(buf, 2, 53, "a value is longer than 4096 bytes");
	free(s);

	/* context JSON size: {"a":"0123456789"} is 18 bytes */
	gf_ctx_yaml_default_limits(&lim);
	lim.max_json = 18;
	c = gf_ctx_yaml_parse("networks: [{name: a, cidr: 1.0.0.0/8, context: {a: '0123456789'}}]",
						  strlen("networks: [{name: a, cidr: 1.0.0.0/8, context: {a: '0123456789'}}]"), &lim, &err);
	CHECK(c != NULL && strlen(c->networks[0].context_json) == 18);
	gf_ctx_config_free(c);
	EXPECT_ERROR_LIM("networks: [{name: a, cidr: 1.0.0.0/8, context: {a: '01234567890'}}]", &lim, 1, 48,
					 "context is longer than 18 bytes as JSON");
	/* and the default: 20 values of 4000 bytes are over 64 KiB */
	{
		char	   *v = repeat("x", 4000);
		char	   *big = malloc(20 * 4100 + 200);
		size_t		off;
		int			i;

		off = (size_t) sprintf(big, "networks:\n  - name: a\n    cidr: 1.0.0.0/8\n    context:\n");
		for (i = 0; i < 20; i++)
			off += (size_t) sprintf(big + off, "      k%02d: %s\n", i, v);
		EXPECT_ERROR(big, 5, 7, "context is longer than 65536 bytes as JSON");
		free(v);
		free(big);
	}

	/* values per entry: map, 4 keys, 3 scalar values and the list = 9 + items */
	gf_ctx_yaml_default_limits(&lim);
	lim.max_nodes = 12;
	c = gf_ctx_yaml_parse("networks: [{name: a, cidr: 1.0.0.0/8, context: {l: [1, 2, 3]}}]",
						  strlen("networks: [{name: a, cidr: 1.0.0.0/8, context: {l: [1, 2, 3]}}]"), &lim, &err);
	CHECK(c != NULL);
	gf_ctx_config_free(c);
	EXPECT_ERROR_LIM("networks: [{name: a, cidr: 1.0.0.0/8, context: {l: [1, 2, 3, 4]}}]", &lim, 1, 62,
					 "an entry holds more than 12 values");
	s = repeat("1, ", 5000);
	{
		char	   *big = malloc(strlen(s) + 100);

		sprintf(big, "networks: [{name: a, cidr: 1.0.0.0/8, context: {l: [%s]}}]", s);
		/* node 4097 is list item 4088 (9 nodes before it), 3 bytes each */
		EXPECT_ERROR(big, 1, 53 + 3 * 4087, "an entry holds more than 4096 values");
		free(big);
	}
	free(s);
}

/* Many entries: the duplicate sets grow, and a late duplicate is found. */
static void
test_many(void)
{
	size_t		n = 20000;
	char	   *s = malloc(n * 64 + 64);
	size_t		off = 0;
	size_t		i;
	gf_ctx_config *c;

	off += (size_t) sprintf(s + off, "networks:\n");
	for (i = 0; i < n; i++)
		off += (size_t) sprintf(s + off, "- {name: n%zu, cidr: 10.%zu.%zu.0/24}\n",
								i, i / 256, i % 256);
	c = parse(s);
	CHECK(c != NULL);
	if (c)
	{
		CHECK_EQ_U64(c->n_networks, n);
		CHECK_STR(c->networks[n - 1].name, "n19999");
		CHECK(bytes_are(c->networks[n - 1].cidr.bytes, 4, "10.78.31.0"));
		CHECK_EQ_U64(c->networks[n - 1].line, n + 1);
	}
	gf_ctx_config_free(c);
	/* the same with n5 again at the end: refused, everything freed */
	sprintf(s + off, "- {name: n5, cidr: 11.0.0.0/8}\n");
	EXPECT_ERROR(s, (int) n + 2, 10, "network name \"n5\" is already used by the entry at line 7");
	/* an error after many good entries of all lists: nothing comes back */
	sprintf(s + off, "devices: [{exporter: 192.0.2.1}]\ninterfaces: [{exporter: 192.0.2.1, if_index: x}]\n");
	EXPECT_ERROR(s, (int) n + 3, 46, "if_index \"x\"");
	free(s);
}

/* The checker the tests rely on does refuse what is not JSON. */
static void
test_json_checker(void)
{
	CHECK(json_check("{\"a\":[1,-2.5e3,true,false,null,\"\\u00e9\\n\"]}", true));
	CHECK(json_check("{}", true));
	CHECK(!json_check("[]", true));
	CHECK(!json_check("{\"a\":1,}", true));
	CHECK(!json_check("{\"a\":01}", true));
	CHECK(!json_check("{\"a\":\"\x01\"}", true));
	CHECK(!json_check("{\"a\":\"\\x\"}", true));
	CHECK(!json_check("{\"a\":\"\xff\"}", true));
	CHECK(!json_check("{\"a\":1} x", true));
	CHECK(!json_check("{a:1}", true));
	CHECK(!json_check("{\"a\":.5}", true));
}

int
main(void)
{
	test_json_checker();
	test_issue_example();
	test_all_tables();
	test_scalar_typing();
	test_empty_inputs();
	test_errors();
	test_limits();
	test_many();
	UNIT_MAIN_END();
}
