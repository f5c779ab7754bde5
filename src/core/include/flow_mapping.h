/*
 * flow_mapping.h
 *    Custom field mappings: GoFlow2's mapping YAML (its -mapping file),
 *    parsed and checked into a gf_mapping that a decoder applies.  A
 *    NetFlow v9 / IPFIX template field (id, optional enterprise number)
 *    or a slice of an sFlow sampled header goes to a goflow2plus.flows
 *    column, converted to the column's type, or to a custom field declared
 *    under formatter.protobuf, which sinks write under its name (the jsonb
 *    column extra, JSON output) or its index (protobuf output).
 *
 *        formatter:
 *          protobuf:
 *            - name: flow_direction     # custom field
 *              index: 1101              # protobuf field number, >= 1100
 *              type: varint             # varint | string | bytes
 *              array: false             # several values per flow
 *        ipfix:                         # also netflowv9: same entries
 *          mapping:
 *            - field: 252               # IPFIX 0..32767, v9 0..65535
 *              destination: in_if       # a column, or InIf, or a custom
 *              penprovided: true        # optional: an enterprise field
 *              pen: 2636                #   and its enterprise number
 *              endianness: little       # optional: big (default)
 *        sflow:
 *          mapping:
 *            - layer: udp               # ethernet ipv4 ipv6 icmp icmpv6
 *                                       # tcp udp (dot1q mpls gre refused)
 *              encap: false             # true: the inner headers of a
 *                                       # GRE/VXLAN tunnel
 *              offset: 0                # bits from the start of the layer
 *              length: 16               # bits
 *              destination: CustomPort
 *
 *    formatter.fields, key, render, rename and hash are accepted and
 *    ignored: the outputs here have a fixed set of columns.  Entry keys of
 *    GoFlow2's older files are accepted too: endian (for endianness), pb
 *    and type (ignored).  Any other key is refused, so a typo is an
 *    error and not a silently dead entry.  Every error
 *    names a line and a column; the parser returns all of a mapping or
 *    nothing.
 *
 *    Core code: plain C, libyaml, no postgres.h.  Unit-tested in
 *    test/unit/test_mapping.c, fuzzed by test/fuzz/fuzz_mapping_yaml.c.
 */
#ifndef GF_FLOW_MAPPING_H
#define GF_FLOW_MAPPING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

/* The sections of the file a mapping entry comes from. */
typedef enum gf_map_proto
{
	GF_MAP_IPFIX = 0,
	GF_MAP_NETFLOW_V9,
	GF_MAP_SFLOW,
	GF_MAP__NPROTO
} gf_map_proto;

/* How a value is written into gf_flow (flow_mapping_dest.c). */
typedef enum gf_map_kind
{
	GF_MAP_K_U32,				/* unsigned, at most 32 bits */
	GF_MAP_K_U64,
	GF_MAP_K_ADDR,				/* 4 bytes IPv4, 16 bytes IPv6 */
	GF_MAP_K_MAC,				/* 6 bytes */
	GF_MAP_K_NETLEN,			/* prefix length, 0..128 */
	GF_MAP_K_CUSTOM				/* a formatter.protobuf field */
} gf_map_kind;

/* A custom field's type, as GoFlow2 names them. */
typedef enum gf_map_ctype
{
	GF_MAP_VARINT = 0,
	GF_MAP_STRING,
	GF_MAP_BYTES
} gf_map_ctype;

#define GF_MAP_NAME_MAX		64	/* custom field names, NUL included */
#define GF_MAP_MAX_CUSTOM	32
#define GF_MAP_MAX_ENTRIES	1024
#define GF_MAP_MIN_INDEX	1000	/* below: FlowMessage's own fields */
#define GF_MAP_OWN_MAX		1099	/* 1000..1099: goflow2plus's additions
									 * to FlowMessage (proto/flow.proto) */
#define GF_MAP_MAX_INDEX	536870911	/* protobuf's largest field number */
#define GF_MAP_MAX_TEXT		(256 * 1024)

typedef struct gf_map_custom
{
	char		name[GF_MAP_NAME_MAX];
	uint8_t		name_len;
	uint32_t	index;
	uint8_t		type;			/* gf_map_ctype */
	bool		array;
} gf_map_custom;

/* sFlow layers a mapping can name (GoFlow2's names). */
typedef enum gf_map_layer
{
	GF_MAP_L_ETHERNET = 0,
	GF_MAP_L_DOT1Q,
	GF_MAP_L_MPLS,
	GF_MAP_L_IPV4,
	GF_MAP_L_IPV6,
	GF_MAP_L_ICMP,
	GF_MAP_L_ICMPV6,
	GF_MAP_L_TCP,
	GF_MAP_L_UDP,
	GF_MAP_L_GRE,
	GF_MAP_L__COUNT
} gf_map_layer;

typedef struct gf_map_entry
{
	uint8_t		proto;			/* gf_map_proto */
	uint8_t		kind;			/* gf_map_kind */
	bool		little_endian;
	bool		pen_provided;
	uint16_t	field;			/* IE number, enterprise bit cleared */
	uint16_t	dest;			/* gf_map_dests() index, or custom index */
	uint32_t	pen;
	/* sFlow */
	uint8_t		layer;			/* gf_map_layer */
	bool		encap;
	uint32_t	offset_bits;
	uint32_t	length_bits;
	int			line;			/* where the entry is in the text */
	int			column;
} gf_map_entry;

typedef struct gf_mapping
{
	gf_map_entry *entries;		/* NetFlow entries sorted by (proto, pen
								 * provided, pen, field); sFlow in file
								 * order */
	size_t		n_entries;
	size_t		first[GF_MAP__NPROTO + 1];	/* entries of proto p are
											 * [first[p], first[p + 1]) */
	gf_map_custom customs[GF_MAP_MAX_CUSTOM];
	size_t		n_customs;
	/* One bit per field number that some entry of IPFIX / v9 names. */
	uint8_t		ie_bits[2][8192];
} gf_mapping;

typedef struct gf_mapping_error
{
	int			line;			/* 1-based, 0 when not tied to a place */
	int			column;
	char		msg[256];		/* "line L, column C: ..." */
} gf_mapping_error;

/*
 * Parse and check text (len bytes, need not be NUL-terminated).  Returns
 * a malloc'd mapping, or NULL with err filled.  An empty document is a
 * mapping with no entries.
 */
gf_mapping *gf_mapping_parse(const char *text, size_t len, gf_mapping_error *err);
void		gf_mapping_free(gf_mapping *m);

/* Whether m maps anything for NetFlow v9 (version 9) or IPFIX (10). */
static inline bool
gf_mapping_has_nf(const gf_mapping *m, int version)
{
	gf_map_proto p = version == 9 ? GF_MAP_NETFLOW_V9 : GF_MAP_IPFIX;

	return m != NULL && m->first[p + 1] > m->first[p];
}

/*
 * The entry for a template field, or NULL.  IPFIX: id without the
 * enterprise bit, pen_provided when it was set; v9: the id as sent.
 */
const gf_map_entry *gf_mapping_find(const gf_mapping *m, gf_map_proto p,
									bool pen_provided, uint32_t pen,
									uint16_t id);

/*
 * Write a field's value (len bytes at v, as sent) into f following e.
 * False when it does not fit the destination (too long, an address that
 * is neither 4 nor 16 bytes, no room left for custom values): the flow
 * is left as it was.
 */
bool		gf_mapping_apply(const gf_mapping *m, const gf_map_entry *e,
							 gf_flow *f, const uint8_t *v, size_t len);

/* Destinations a mapping may name (flow_mapping_dest.c). */
typedef struct gf_map_dest
{
	const char *column;			/* goflow2plus.flows column */
	const char *camel;			/* GoFlow2's FlowMessage name */
	uint8_t		kind;			/* gf_map_kind */
	uint8_t		field;			/* gf_field presence bit */
	uint16_t	offset;			/* in gf_flow */
	uint16_t	bits;			/* widest value it holds */
} gf_map_dest;

const gf_map_dest *gf_map_dests(size_t *n);
/* Index into gf_map_dests() of a column or CamelCase name, or -1. */
int			gf_map_dest_lookup(const char *name);

#endif							/* GF_FLOW_MAPPING_H */
