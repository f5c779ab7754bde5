/*
 * flow_mapping_yaml.c
 *    The mapping file parser (flow_mapping.h).  A mapping file is small
 *    (GF_MAP_MAX_TEXT), so it is loaded whole with libyaml's document API
 *    and walked; a first pass over the event stream refuses aliases (a
 *    document with aliases could make the walk visit one node many times)
 *    and bounds the node count before anything is built.  The formatter
 *    section is read first, so that a mapping entry can name a custom
 *    field declared after it.  The first error is reported, with the line
 *    and column of the node at fault, and nothing is returned with it.
 */
#include "flow_mapping.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MY_MAX_EVENTS	(64 * 1024)

typedef struct my_parser
{
	yaml_document_t doc;
	gf_mapping *m;
	gf_mapping_error *err;
} my_parser;

static const char *const my_layers[GF_MAP_L__COUNT] = {
	"ethernet", "dot1q", "mpls", "ipv4", "ipv6", "icmp", "icmpv6", "tcp",
	"udp", "gre"
};

static const char *const my_sections[GF_MAP__NPROTO] = {"ipfix", "netflowv9", "sflow"};

static bool my_fail(my_parser *p, const yaml_node_t *n, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

/* Records the error at n (NULL: no place); always returns false. */
static bool
my_fail(my_parser *p, const yaml_node_t *n, const char *fmt,...)
{
	va_list		ap;
	size_t		used = 0;

	if (p->err->msg[0] != '\0')
		return false;
	if (n != NULL)
	{
		p->err->line = (int) n->start_mark.line + 1;
		p->err->column = (int) n->start_mark.column + 1;
		used = (size_t) snprintf(p->err->msg, sizeof(p->err->msg),
								 "line %d, column %d: ", p->err->line,
								 p->err->column);
	}
	va_start(ap, fmt);
	vsnprintf(p->err->msg + used, sizeof(p->err->msg) - used, fmt, ap);
	va_end(ap);
	return false;
}

static const char *
my_kind(const yaml_node_t *n)
{
	switch (n->type)
	{
		case YAML_SCALAR_NODE:
			return "a scalar";
		case YAML_SEQUENCE_NODE:
			return "a list";
		case YAML_MAPPING_NODE:
			return "a mapping";
		default:
			return "nothing";
	}
}

/* A scalar's text for a message: at most 40 bytes, printable. */
static const char *
my_quote(const yaml_node_t *n, char *buf, size_t buflen)
{
	size_t		i;
	size_t		len = n->data.scalar.length;

	if (len > 40)
		len = 40;
	if (len > buflen - 4)
		len = buflen - 4;
	for (i = 0; i < len; i++)
	{
		unsigned char c = n->data.scalar.value[i];

		buf[i] = (c >= 0x20 && c < 0x7f) ? (char) c : '?';
	}
	if (len < n->data.scalar.length)
	{
		memcpy(buf + len, "...", 3);
		len += 3;
	}
	buf[len] = '\0';
	return buf;
}

static const char *
my_text(const yaml_node_t *n)
{
	return (const char *) n->data.scalar.value;
}

/* Whether a scalar is YAML's null (~, null, empty, not quoted). */
static bool
my_is_null(const yaml_node_t *n)
{
	const char *t;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	t = my_text(n);
	return t[0] == '\0' || strcmp(t, "~") == 0 || strcmp(t, "null") == 0 ||
		strcmp(t, "Null") == 0 || strcmp(t, "NULL") == 0;
}

static bool
my_scalar(my_parser *p, const yaml_node_t *n, const char *what)
{
	if (n->type != YAML_SCALAR_NODE)
		return my_fail(p, n, "%s must be a scalar, not %s", what, my_kind(n));
	if (strlen(my_text(n)) != n->data.scalar.length)
		return my_fail(p, n, "%s contains a NUL byte", what);
	return true;
}

/* An unsigned integer, decimal or 0x hex, at most max. */
static bool
my_uint(my_parser *p, const yaml_node_t *n, const char *what, uint64_t max,
		uint64_t *out)
{
	const char *t;
	char	   *end;
	char		q[48];
	unsigned long long u;
	int			base = 10;

	if (!my_scalar(p, n, what))
		return false;
	t = my_text(n);
	if (t[0] == '0' && (t[1] == 'x' || t[1] == 'X'))
	{
		base = 16;
		t += 2;
	}
	if (!isxdigit((unsigned char) t[0]) || (base == 10 && !isdigit((unsigned char) t[0])))
		return my_fail(p, n, "%s must be a non-negative integer, not \"%s\"",
					   what, my_quote(n, q, sizeof(q)));
	errno = 0;
	u = strtoull(t, &end, base);
	if (*end != '\0')
		return my_fail(p, n, "%s must be a non-negative integer, not \"%s\"",
					   what, my_quote(n, q, sizeof(q)));
	if (errno == ERANGE || u > max)
		return my_fail(p, n, "%s %s is out of range (0..%llu)", what,
					   my_quote(n, q, sizeof(q)), (unsigned long long) max);
	*out = u;
	return true;
}

static bool
my_bool(my_parser *p, const yaml_node_t *n, const char *what, bool *out)
{
	const char *t;
	char		q[48];

	if (!my_scalar(p, n, what))
		return false;
	t = my_text(n);
	if (strcmp(t, "true") == 0 || strcmp(t, "True") == 0 || strcmp(t, "TRUE") == 0)
		*out = true;
	else if (strcmp(t, "false") == 0 || strcmp(t, "False") == 0 || strcmp(t, "FALSE") == 0)
		*out = false;
	else
		return my_fail(p, n, "%s must be true or false, not \"%s\"", what,
					   my_quote(n, q, sizeof(q)));
	return true;
}

/* Checks that n is a mapping whose keys are scalars. */
static bool
my_mapping(my_parser *p, const yaml_node_t *n, const char *what)
{
	yaml_node_pair_t *pr;

	if (n->type != YAML_MAPPING_NODE)
		return my_fail(p, n, "%s must be a mapping, not %s", what, my_kind(n));
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++)
	{
		yaml_node_t *k = yaml_document_get_node(&p->doc, pr->key);

		if (k == NULL || !my_scalar(p, k, "a key"))
			return false;
	}
	return true;
}

/* The value of key in a mapping node, or NULL; refuses a key given twice. */
static yaml_node_t *
my_get(my_parser *p, const yaml_node_t *map, const char *key, bool *dup)
{
	yaml_node_pair_t *pr;
	yaml_node_t *found = NULL;

	for (pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++)
	{
		yaml_node_t *k = yaml_document_get_node(&p->doc, pr->key);

		if (strcmp(my_text(k), key) != 0)
			continue;
		if (found != NULL)
		{
			my_fail(p, k, "key \"%s\" given twice", key);
			*dup = true;
			return NULL;
		}
		found = yaml_document_get_node(&p->doc, pr->value);
	}
	return found;
}

/* Refuses keys of map that are not in the NULL-terminated list. */
static bool
my_known_keys(my_parser *p, const yaml_node_t *map, const char *where,
			  const char *const *keys, const char *listed)
{
	yaml_node_pair_t *pr;

	for (pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++)
	{
		yaml_node_t *k = yaml_document_get_node(&p->doc, pr->key);
		const char *const *q;
		char		buf[48];

		for (q = keys; *q != NULL; q++)
			if (strcmp(my_text(k), *q) == 0)
				break;
		if (*q == NULL)
			return my_fail(p, k, "unknown key \"%s\" in %s (known: %s)",
						   my_quote(k, buf, sizeof(buf)), where, listed);
	}
	return true;
}

/* Looks up the value of key; false only on an error. */
static bool
my_lookup(my_parser *p, const yaml_node_t *map, const char *key, yaml_node_t **out)
{
	bool		dup = false;

	*out = my_get(p, map, key, &dup);
	if (*out != NULL && my_is_null(*out))
		*out = NULL;
	return !dup;
}

static bool
my_custom_name_ok(const char *s, size_t len)
{
	size_t		i;

	if (len == 0 || len >= GF_MAP_NAME_MAX || isdigit((unsigned char) s[0]))
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char) s[i]) && s[i] != '_')
			return false;
	return true;
}

/* formatter.protobuf: the custom fields. */
static bool
my_protobuf(my_parser *p, const yaml_node_t *list)
{
	static const char *const keys[] = {"name", "index", "type", "array", NULL};
	yaml_node_item_t *it;

	if (list->type != YAML_SEQUENCE_NODE)
		return my_fail(p, list, "formatter.protobuf must be a list, not %s",
					   my_kind(list));
	for (it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++)
	{
		yaml_node_t *e = yaml_document_get_node(&p->doc, *it);
		yaml_node_t *name,
				   *index,
				   *type,
				   *array;
		gf_map_custom *c;
		uint64_t	u;
		size_t		i;
		char		q[48];

		if (!my_mapping(p, e, "a formatter.protobuf entry") ||
			!my_known_keys(p, e, "a formatter.protobuf entry", keys,
						   "name, index, type, array") ||
			!my_lookup(p, e, "name", &name) || !my_lookup(p, e, "index", &index) ||
			!my_lookup(p, e, "type", &type) || !my_lookup(p, e, "array", &array))
			return false;
		if (p->m->n_customs >= GF_MAP_MAX_CUSTOM)
			return my_fail(p, e, "more than %d custom fields", GF_MAP_MAX_CUSTOM);
		c = &p->m->customs[p->m->n_customs];
		if (name == NULL)
			return my_fail(p, e, "a formatter.protobuf entry needs a name");
		if (!my_scalar(p, name, "name"))
			return false;
		if (!my_custom_name_ok(my_text(name), name->data.scalar.length))
			return my_fail(p, name, "custom field name \"%s\" must be 1 to %d "
						   "letters, digits or '_', not starting with a digit",
						   my_quote(name, q, sizeof(q)), GF_MAP_NAME_MAX - 1);
		if (gf_map_dest_lookup(my_text(name)) >= 0)
			return my_fail(p, name, "custom field name \"%s\" is already a "
						   "column of goflow2plus.flows: map to the column instead",
						   my_text(name));
		for (i = 0; i < p->m->n_customs; i++)
			if (strcmp(p->m->customs[i].name, my_text(name)) == 0)
				return my_fail(p, name, "custom field \"%s\" declared twice",
							   my_text(name));
		strcpy(c->name, my_text(name));
		c->name_len = (uint8_t) strlen(c->name);
		if (index == NULL)
			return my_fail(p, e, "custom field \"%s\" needs an index", c->name);
		if (!my_uint(p, index, "index", GF_MAP_MAX_INDEX, &u))
			return false;
		if (u < GF_MAP_MIN_INDEX)
			return my_fail(p, index, "index %llu of custom field \"%s\" is below "
						   "%d: lower numbers are FlowMessage's own fields",
						   (unsigned long long) u, c->name, GF_MAP_MIN_INDEX);
		if (u <= GF_MAP_OWN_MAX)
			return my_fail(p, index, "index %llu of custom field \"%s\" is "
						   "goflow2plus's own (%d to %d extend FlowMessage, "
						   "see proto/flow.proto): use %d or above",
						   (unsigned long long) u, c->name, GF_MAP_MIN_INDEX,
						   GF_MAP_OWN_MAX, GF_MAP_OWN_MAX + 1);
		for (i = 0; i < p->m->n_customs; i++)
			if (p->m->customs[i].index == u)
				return my_fail(p, index, "index %llu is already custom field \"%s\"",
							   (unsigned long long) u, p->m->customs[i].name);
		c->index = (uint32_t) u;
		c->type = GF_MAP_VARINT;
		if (type != NULL)
		{
			if (!my_scalar(p, type, "type"))
				return false;
			if (strcmp(my_text(type), "varint") == 0)
				c->type = GF_MAP_VARINT;
			else if (strcmp(my_text(type), "string") == 0)
				c->type = GF_MAP_STRING;
			else if (strcmp(my_text(type), "bytes") == 0)
				c->type = GF_MAP_BYTES;
			else
				return my_fail(p, type, "type must be varint, string or bytes, not \"%s\"",
							   my_quote(type, q, sizeof(q)));
		}
		c->array = false;
		if (array != NULL && !my_bool(p, array, "array", &c->array))
			return false;
		p->m->n_customs++;
	}
	return true;
}

static bool
my_formatter(my_parser *p, const yaml_node_t *f)
{
	static const char *const keys[] = {"fields", "key", "render", "rename",
	"hash", "protobuf", NULL};
	yaml_node_t *pb;

	if (!my_mapping(p, f, "formatter") ||
		!my_known_keys(p, f, "formatter", keys,
					   "fields, key, render, rename, hash, protobuf") ||
		!my_lookup(p, f, "protobuf", &pb))
		return false;
	return pb == NULL || my_protobuf(p, pb);
}

/* The destination of an entry: a column or a custom field. */
static bool
my_destination(my_parser *p, const yaml_node_t *d, gf_map_entry *e)
{
	int			col;
	size_t		i;
	char		q[48];

	if (!my_scalar(p, d, "destination"))
		return false;
	col = gf_map_dest_lookup(my_text(d));
	if (col >= 0)
	{
		size_t		n;

		e->kind = gf_map_dests(&n)[col].kind;
		e->dest = (uint16_t) col;
		return true;
	}
	for (i = 0; i < p->m->n_customs; i++)
		if (strcmp(p->m->customs[i].name, my_text(d)) == 0)
		{
			e->kind = GF_MAP_K_CUSTOM;
			e->dest = (uint16_t) i;
			return true;
		}
	return my_fail(p, d, "unknown destination \"%s\": not a column of "
				   "goflow2plus.flows (in_if or InIf) nor a custom field "
				   "declared under formatter.protobuf",
				   my_quote(d, q, sizeof(q)));
}

/* Whether a value of bits bits fits the entry's destination. */
static bool
my_fits(my_parser *p, const yaml_node_t *at, const gf_map_entry *e, uint64_t bits)
{
	size_t		n;
	const gf_map_dest *d;

	if (e->kind == GF_MAP_K_CUSTOM)
	{
		const gf_map_custom *c = &p->m->customs[e->dest];

		if (c->type == GF_MAP_VARINT && bits > 64)
			return my_fail(p, at, "length %llu bits cannot fit custom field "
						   "\"%s\" (varint: at most 64 bits)",
						   (unsigned long long) bits, c->name);
		if (c->type != GF_MAP_VARINT && (bits % 8 != 0 || bits / 8 > GF_EXTRA_BYTES / 2))
			return my_fail(p, at, "length %llu bits cannot fit custom field "
						   "\"%s\" (%s: whole bytes, at most %d)",
						   (unsigned long long) bits, c->name,
						   c->type == GF_MAP_STRING ? "string" : "bytes",
						   GF_EXTRA_BYTES / 2);
		return true;
	}
	d = &gf_map_dests(&n)[e->dest];
	if (d->kind == GF_MAP_K_ADDR ? (bits != 32 && bits != 128) :
		d->kind == GF_MAP_K_MAC ? bits != 48 : bits > d->bits)
		return my_fail(p, at, "length %llu bits cannot fit %s (%s)",
					   (unsigned long long) bits, d->column,
					   d->kind == GF_MAP_K_ADDR ? "an address: 32 or 128 bits" :
					   d->kind == GF_MAP_K_MAC ? "a MAC address: 48 bits" :
					   d->bits == 64 ? "at most 64 bits" :
					   d->bits == 8 ? "a prefix length: at most 8 bits" :
					   "at most 32 bits");
	return true;
}

static bool
my_entry(my_parser *p, gf_map_proto proto, const yaml_node_t *n, gf_map_entry *e)
{
	static const char *const nf_keys[] = {"field", "destination", "penprovided",
	"pen", "endianness", "endian", "pb", "type", NULL};
	static const char *const sf_keys[] = {"layer", "encap", "offset", "length",
	"destination", "endianness", "endian", NULL};
	yaml_node_t *dest,
			   *endian,
			   *endian_old;
	uint64_t	u;
	char		q[48];

	memset(e, 0, sizeof(*e));
	e->proto = (uint8_t) proto;
	e->line = (int) n->start_mark.line + 1;
	e->column = (int) n->start_mark.column + 1;
	if (!my_mapping(p, n, "a mapping entry"))
		return false;
	if (proto == GF_MAP_SFLOW ?
		!my_known_keys(p, n, "an sflow mapping entry", sf_keys,
					   "layer, encap, offset, length, destination, endianness") :
		!my_known_keys(p, n, "a mapping entry", nf_keys,
					   "field, destination, penprovided, pen, endianness"))
		return false;
	if (!my_lookup(p, n, "destination", &dest) ||
		!my_lookup(p, n, "endianness", &endian) ||
		!my_lookup(p, n, "endian", &endian_old))
		return false;
	if (dest == NULL)
		return my_fail(p, n, "a mapping entry needs a destination");
	if (!my_destination(p, dest, e))
		return false;
	if (endian != NULL && endian_old != NULL)
		return my_fail(p, endian_old, "endian and endianness both given");
	if (endian == NULL)
		endian = endian_old;
	if (endian != NULL)
	{
		if (!my_scalar(p, endian, "endianness"))
			return false;
		if (strcmp(my_text(endian), "little") == 0)
			e->little_endian = true;
		else if (strcmp(my_text(endian), "big") != 0)
			return my_fail(p, endian, "endianness must be big or little, not \"%s\"",
						   my_quote(endian, q, sizeof(q)));
	}

	if (proto == GF_MAP_SFLOW)
	{
		yaml_node_t *layer,
				   *encap,
				   *offset,
				   *length;
		int			i;

		if (!my_lookup(p, n, "layer", &layer) || !my_lookup(p, n, "encap", &encap) ||
			!my_lookup(p, n, "offset", &offset) || !my_lookup(p, n, "length", &length))
			return false;
		if (layer == NULL)
			return my_fail(p, n, "an sflow mapping entry needs a layer");
		if (!my_scalar(p, layer, "layer"))
			return false;
		for (i = 0; i < GF_MAP_L__COUNT; i++)
			if (strcmp(my_text(layer), my_layers[i]) == 0)
				break;
		if (i == GF_MAP_L__COUNT)
			return my_fail(p, layer, "unknown layer \"%s\" (known: ethernet, dot1q, "
						   "mpls, ipv4, ipv6, icmp, icmpv6, tcp, udp, gre)",
						   my_quote(layer, q, sizeof(q)));
		if (i == GF_MAP_L_DOT1Q || i == GF_MAP_L_MPLS || i == GF_MAP_L_GRE)
			return my_fail(p, layer, "layer \"%s\" is not supported here (ethernet, "
						   "ipv4, ipv6, icmp, icmpv6, tcp, udp are)", my_layers[i]);
		e->layer = (uint8_t) i;
		if (encap != NULL && !my_bool(p, encap, "encap", &e->encap))
			return false;
		if (offset != NULL)
		{
			if (!my_uint(p, offset, "offset", 65535 * 8, &u))
				return false;
			e->offset_bits = (uint32_t) u;
		}
		if (length == NULL)
			return my_fail(p, n, "an sflow mapping entry needs a length (bits)");
		if (!my_uint(p, length, "length", 65535 * 8, &u))
			return false;
		if (u == 0)
			return my_fail(p, length, "length must be at least 1 bit");
		if (!my_fits(p, length, e, u))
			return false;
		e->length_bits = (uint32_t) u;
	}
	else
	{
		yaml_node_t *field,
				   *penp,
				   *pen;
		bool		penprovided = false;

		if (!my_lookup(p, n, "field", &field) ||
			!my_lookup(p, n, "penprovided", &penp) || !my_lookup(p, n, "pen", &pen))
			return false;
		if (field == NULL)
			return my_fail(p, n, "a mapping entry needs a field");
		/* v9 has no enterprise bit: vendors use the whole 16 bits. */
		if (!my_uint(p, field, "field", proto == GF_MAP_IPFIX ? 32767 : 65535, &u))
			return false;
		e->field = (uint16_t) u;
		if (penp != NULL && !my_bool(p, penp, "penprovided", &penprovided))
			return false;
		if (pen != NULL)
		{
			if (!my_uint(p, pen, "pen", UINT32_MAX, &u))
				return false;
			/* pen alone implies penprovided, as the user surely meant. */
			if (penp == NULL)
				penprovided = true;
			else if (!penprovided)
				return my_fail(p, pen, "pen given with penprovided: false");
			e->pen = (uint32_t) u;
		}
		if (penprovided && proto == GF_MAP_NETFLOW_V9)
			return my_fail(p, penp != NULL ? penp : pen,
						   "NetFlow v9 fields have no enterprise number: "
						   "penprovided belongs to the ipfix section");
		e->pen_provided = penprovided;
	}
	return true;
}

static int
my_cmp(const void *a, const void *b)
{
	const gf_map_entry *x = a;
	const gf_map_entry *y = b;

	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->proto == GF_MAP_SFLOW)
		return x->line < y->line ? -1 : x->line > y->line;
	if (x->pen_provided != y->pen_provided)
		return x->pen_provided < y->pen_provided ? -1 : 1;
	if (x->pen != y->pen)
		return x->pen < y->pen ? -1 : 1;
	if (x->field != y->field)
		return x->field < y->field ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static bool
my_section(my_parser *p, gf_map_proto proto, const yaml_node_t *s, size_t *cap)
{
	static const char *const keys[] = {"mapping", NULL};
	yaml_node_t *list;
	yaml_node_item_t *it;

	if (!my_mapping(p, s, my_sections[proto]) ||
		!my_known_keys(p, s, my_sections[proto], keys, "mapping") ||
		!my_lookup(p, s, "mapping", &list))
		return false;
	if (list == NULL)
		return true;
	if (list->type != YAML_SEQUENCE_NODE)
		return my_fail(p, list, "%s.mapping must be a list, not %s",
					   my_sections[proto], my_kind(list));
	for (it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++)
	{
		yaml_node_t *e = yaml_document_get_node(&p->doc, *it);

		if (p->m->n_entries >= GF_MAP_MAX_ENTRIES)
			return my_fail(p, e, "more than %d mapping entries", GF_MAP_MAX_ENTRIES);
		if (p->m->n_entries == *cap)
		{
			size_t		ncap = *cap ? *cap * 2 : 16;
			gf_map_entry *ne = realloc(p->m->entries, ncap * sizeof(gf_map_entry));

			if (ne == NULL)
				return my_fail(p, NULL, "out of memory");
			p->m->entries = ne;
			*cap = ncap;
		}
		if (!my_entry(p, proto, e, &p->m->entries[p->m->n_entries]))
			return false;
		p->m->n_entries++;
	}
	return true;
}

/* Sort, index, and refuse a field mapped twice. */
static bool
my_finish(my_parser *p)
{
	gf_mapping *m = p->m;
	size_t		i;
	int			pr;

	if (m->n_entries > 1)
		qsort(m->entries, m->n_entries, sizeof(gf_map_entry), my_cmp);
	for (i = 1; i < m->n_entries; i++)
	{
		const gf_map_entry *a = &m->entries[i - 1];
		const gf_map_entry *b = &m->entries[i];

		if (a->proto == b->proto && a->proto != GF_MAP_SFLOW &&
			a->pen_provided == b->pen_provided && a->pen == b->pen &&
			a->field == b->field)
		{
			p->err->line = b->line;
			p->err->column = b->column;
			snprintf(p->err->msg, sizeof(p->err->msg),
					 "line %d, column %d: field %u%s is already mapped at line %d",
					 b->line, b->column, b->field,
					 b->pen_provided ? " of this pen" : "", a->line);
			return false;
		}
	}
	for (pr = 0, i = 0; pr <= GF_MAP__NPROTO; pr++)
	{
		while (i < m->n_entries && m->entries[i].proto < pr)
			i++;
		m->first[pr] = i;
	}
	for (i = 0; i < m->n_entries; i++)
	{
		const gf_map_entry *e = &m->entries[i];

		if (e->proto <= GF_MAP_NETFLOW_V9)
			m->ie_bits[e->proto][e->field >> 3] |= (uint8_t) (1u << (e->field & 7));
	}
	return true;
}

static bool
my_document(my_parser *p)
{
	static const char *const keys[] = {"formatter", "ipfix", "netflowv9", "sflow", NULL};
	yaml_node_t *root = yaml_document_get_root_node(&p->doc);
	yaml_node_t *f;
	size_t		cap = 0;
	int			s;

	if (root == NULL || my_is_null(root))
		return my_finish(p);
	if (!my_mapping(p, root, "the mapping file") ||
		!my_known_keys(p, root, "the mapping file", keys,
					   "formatter, ipfix, netflowv9, sflow") ||
		!my_lookup(p, root, "formatter", &f))
		return false;
	if (f != NULL && !my_formatter(p, f))
		return false;
	for (s = 0; s < GF_MAP__NPROTO; s++)
	{
		yaml_node_t *sec;

		if (!my_lookup(p, root, my_sections[s], &sec))
			return false;
		if (sec != NULL && !my_section(p, (gf_map_proto) s, sec, &cap))
			return false;
	}
	return my_finish(p);
}

static void
my_libyaml_error(my_parser *p, const yaml_parser_t *yp)
{
	p->err->line = (int) yp->problem_mark.line + 1;
	p->err->column = (int) yp->problem_mark.column + 1;
	snprintf(p->err->msg, sizeof(p->err->msg), "line %d, column %d: %s%s%s",
			 p->err->line, p->err->column,
			 yp->problem ? yp->problem : "YAML syntax error",
			 yp->context ? " " : "", yp->context ? yp->context : "");
}

/*
 * First pass: the event stream, to refuse aliases, a second document and
 * too many nodes before a tree is built.
 */
static bool
my_prescan(my_parser *p, const char *text, size_t len)
{
	yaml_parser_t yp;
	yaml_event_t ev;
	size_t		events = 0;
	int			docs = 0;
	bool		ok = true;

	if (!yaml_parser_initialize(&yp))
		return my_fail(p, NULL, "out of memory");
	yaml_parser_set_input_string(&yp, (const unsigned char *) text, len);
	for (;;)
	{
		yaml_event_type_t t;
		int			line;
		int			column;

		if (!yaml_parser_parse(&yp, &ev))
		{
			my_libyaml_error(p, &yp);
			ok = false;
			break;
		}
		t = ev.type;
		line = (int) ev.start_mark.line + 1;
		column = (int) ev.start_mark.column + 1;
		yaml_event_delete(&ev);
		if (t == YAML_STREAM_END_EVENT)
			break;
		if (t == YAML_ALIAS_EVENT || (t == YAML_DOCUMENT_START_EVENT && ++docs > 1) ||
			++events > MY_MAX_EVENTS)
		{
			p->err->line = line;
			p->err->column = column;
			snprintf(p->err->msg, sizeof(p->err->msg), "line %d, column %d: %s",
					 line, column,
					 t == YAML_ALIAS_EVENT ? "aliases are not accepted" :
					 t == YAML_DOCUMENT_START_EVENT ? "only one YAML document is accepted" :
					 "too many YAML nodes");
			ok = false;
			break;
		}
	}
	yaml_parser_delete(&yp);
	return ok;
}

gf_mapping *
gf_mapping_parse(const char *text, size_t len, gf_mapping_error *err)
{
	my_parser	p;
	yaml_parser_t yp;
	bool		ok;

	memset(err, 0, sizeof(*err));
	memset(&p, 0, sizeof(p));
	p.err = err;
	if (len > GF_MAP_MAX_TEXT)
	{
		snprintf(err->msg, sizeof(err->msg),
				 "mapping text is %zu bytes, more than the %d accepted",
				 len, GF_MAP_MAX_TEXT);
		return NULL;
	}
	if (memchr(text, '\0', len) != NULL)
	{
		snprintf(err->msg, sizeof(err->msg), "mapping text contains a NUL byte");
		return NULL;
	}
	if (!my_prescan(&p, text, len))
		return NULL;
	p.m = calloc(1, sizeof(gf_mapping));
	if (p.m == NULL || !yaml_parser_initialize(&yp))
	{
		free(p.m);
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&yp, (const unsigned char *) text, len);
	if (!yaml_parser_load(&yp, &p.doc))
	{
		my_libyaml_error(&p, &yp);
		yaml_parser_delete(&yp);
		gf_mapping_free(p.m);
		return NULL;
	}
	ok = my_document(&p);
	yaml_document_delete(&p.doc);
	yaml_parser_delete(&yp);
	if (!ok)
	{
		gf_mapping_free(p.m);
		return NULL;
	}
	return p.m;
}

void
gf_mapping_free(gf_mapping *m)
{
	if (m == NULL)
		return;
	free(m->entries);
	free(m);
}
