/*
 * context_yaml.h
 *    Parse a context file (GoFlow2+'s -context.config YAML, extended with
 *    the devices and interfaces tables) into plain arrays that the SQL
 *    layer turns into rows of goflow2plus.networks, .devices and
 *    .interfaces.  The parser returns either the whole file or an error
 *    naming a line and column: never part of it.
 *
 *        networks:
 *          - name: web-servers          # required, unique in the file
 *            cidr: 10.1.0.0/24          # required; a bare address is /32, /128
 *            exporter: 192.0.2.1        # optional: only flows from it match
 *            context:                   # optional mapping, becomes JSON
 *              application: web
 *              tier: frontend
 *        devices:
 *          - exporter: 192.0.2.1        # required, unique in the file
 *            name: edge-1               # optional: name, site, role
 *            site: par1
 *            role: border
 *            context: {vendor: juniper}
 *        interfaces:
 *          - exporter: 192.0.2.1        # required
 *            if_index: 3                # required, 0..4294967295; the pair
 *                                       # (exporter, if_index) is unique
 *            name: xe-0/0/1             # optional: name, description,
 *            description: transit A     #   speed (bits/s), boundary
 *            speed: 10000000000         #   (external | internal),
 *            boundary: external         #   provider, context
 *            provider: transit-a
 *
 *    Every top-level key and every list is optional; an empty file (or a
 *    document that is only '~') gives no rows.  Any other key is refused.
 *    docs/context_yaml.md is the user's description of the format.
 *
 *    Scalars.  A string field takes any scalar's text (name: 123 is the
 *    name "123"); a plain null (~, null, or nothing) means "not given".
 *    In context, quoted and block scalars stay strings; a plain scalar is
 *    null for ~/null/Null/NULL/empty, true or false for true/True/TRUE/
 *    false/False/FALSE (YAML 1.2 core schema; yes/no/on/off stay strings),
 *    a JSON number when it is written as one (no leading zeros, sign only
 *    '-', at most 3 exponent digits, at most 64 characters: 007, 0x1f,
 *    +1, .5, .inf stay strings), and a string otherwise.  Mapping keys are
 *    always their text.  The context JSON is canonical: no blanks, keys of
 *    each object sorted bytewise; a key twice in one mapping is refused.
 *    Without context (or with context: ~) it is "{}".
 *
 *    Addresses.  exporter addresses written as IPv4-mapped IPv6
 *    (::ffff:192.0.2.1) are stored as IPv4, since the collector turns
 *    mapped sources into IPv4.  A cidr is stored as written: an
 *    IPv4-mapped IPv6 prefix stays family 6.  A cidr with bits set right
 *    of its prefix length (10.1.0.1/24) is refused.
 *
 *    Untrusted input (a file or SQL text): aliases, anchors and tags other
 *    than !!str/!!map/!!seq are refused (no billion laughs); only one
 *    document; scalars must not contain NUL.  Limits, defaults below; a
 *    caller may lower them (tests do) but never raise them.
 *
 *    Core code: plain C, libyaml, no postgres.h; unit-tested in
 *    test/unit/test_context_yaml.c, fuzzed by test/fuzz/fuzz_context_yaml.c.
 */
#ifndef GF_CONTEXT_YAML_H
#define GF_CONTEXT_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

/* Default limits, which are also the most a caller may ask for. */
#define GF_CTX_YAML_MAX_INPUT	(32 * 1024 * 1024)	/* bytes of YAML */
#define GF_CTX_YAML_MAX_DEPTH	32	/* nested mappings/lists, the top
									 * level mapping counting 1 */
#define GF_CTX_YAML_MAX_ENTRIES	1048576	/* networks + devices + interfaces */
#define GF_CTX_YAML_MAX_NAME	255 /* bytes of a name, site, role,
									 * provider, context key */
#define GF_CTX_YAML_MAX_TEXT	4096	/* bytes of a description or any
										 * other scalar */
#define GF_CTX_YAML_MAX_JSON	65536	/* bytes of one entry's context JSON */
#define GF_CTX_YAML_MAX_NODES	4096	/* scalars, mappings and lists in one
										 * entry */

typedef struct gf_ctx_yaml_limits
{
	size_t		max_input;
	int			max_depth;
	size_t		max_entries;
	size_t		max_name;
	size_t		max_text;
	size_t		max_json;
	size_t		max_nodes;
} gf_ctx_yaml_limits;

/* A parsed cidr: host bits are zero. */
typedef struct gf_ctx_prefix
{
	uint8_t		family;			/* 4 or 6 */
	uint8_t		prefix_len;		/* 0..32 or 0..128 */
	uint8_t		bytes[16];		/* network order; IPv4 in the first 4 */
} gf_ctx_prefix;

typedef enum gf_ctx_boundary
{
	GF_CTX_BOUNDARY_NONE = 0,	/* not given */
	GF_CTX_BOUNDARY_EXTERNAL,
	GF_CTX_BOUNDARY_INTERNAL
} gf_ctx_boundary;

/*
 * One entry of each list.  Strings are NUL-terminated UTF-8, NULL when not
 * given; context_json is never NULL.  line is where the entry starts
 * (1-based), for messages about rows the database refuses later.
 */
typedef struct gf_ctx_network
{
	char	   *name;
	gf_ctx_prefix cidr;
	gf_addr		exporter;		/* family 0: every exporter */
	char	   *context_json;
	int			line;
} gf_ctx_network;

typedef struct gf_ctx_device
{
	gf_addr		exporter;
	char	   *name;
	char	   *site;
	char	   *role;
	char	   *context_json;
	int			line;
} gf_ctx_device;

typedef struct gf_ctx_interface
{
	gf_addr		exporter;
	uint32_t	if_index;
	char	   *name;
	char	   *description;
	bool		has_speed;
	uint64_t	speed;			/* bits per second */
	gf_ctx_boundary boundary;
	char	   *provider;
	char	   *context_json;
	int			line;
} gf_ctx_interface;

typedef struct gf_ctx_config
{
	gf_ctx_network *networks;
	size_t		n_networks;
	gf_ctx_device *devices;
	size_t		n_devices;
	gf_ctx_interface *interfaces;
	size_t		n_interfaces;
} gf_ctx_config;

/*
 * Why a parse failed.  line and column are 1-based, 0 when the failure
 * has no place (input too large, out of memory); msg starts with
 * "line L, column C: " when they are set.
 */
typedef struct gf_ctx_yaml_error
{
	int			line;
	int			column;
	char		msg[320];
} gf_ctx_yaml_error;

/* The defaults above. */
void		gf_ctx_yaml_default_limits(gf_ctx_yaml_limits *limits);

/*
 * Parse len bytes of text (need not be NUL-terminated; UTF-8, or UTF-16
 * with a byte order mark).  limits may be NULL for the defaults; a limit
 * above its default is taken as the default.  Returns a config to free
 * with gf_ctx_config_free, or NULL with err filled in.
 */
gf_ctx_config *gf_ctx_yaml_parse(const char *text, size_t len,
								 const gf_ctx_yaml_limits *limits,
								 gf_ctx_yaml_error *err);

void		gf_ctx_config_free(gf_ctx_config *cfg);

/* "external", "internal" or NULL for GF_CTX_BOUNDARY_NONE. */
const char *gf_ctx_boundary_name(gf_ctx_boundary b);

#endif							/* GF_CONTEXT_YAML_H */
