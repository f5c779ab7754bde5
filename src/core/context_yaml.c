/*
 * context_yaml.c
 *    The context file parser (context_yaml.h): libyaml's event stream is
 *    read one entry at a time into a small tree (context_yaml_node.h),
 *    checked against the fields of its list, turned into a struct and
 *    freed, so memory follows the result and not the file's shape.  Every
 *    limit is checked while reading, before the data it guards is kept.
 *    Any error frees everything built so far.
 */
#include "context_yaml.h"
#include "context_yaml_node.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define CY_TAG_STR	"tag:yaml.org,2002:str"
#define CY_TAG_MAP	"tag:yaml.org,2002:map"
#define CY_TAG_SEQ	"tag:yaml.org,2002:seq"

/* The three lists, in the order of the top-level keys. */
typedef enum cy_list
{
	CY_NETWORKS,
	CY_DEVICES,
	CY_INTERFACES,
	CY_NLISTS
} cy_list;

static const char *const cy_list_names[CY_NLISTS] = {"networks", "devices", "interfaces"};

/*
 * An open-addressing set of entry indexes (index + 1 per slot, 0 empty),
 * for duplicates: network names, device exporters, (exporter, if_index).
 */
typedef struct cy_set
{
	uint32_t   *slot;
	size_t		cap;			/* a power of two, or 0 */
	size_t		used;
} cy_set;

typedef struct cy_parser
{
	yaml_parser_t yp;
	yaml_event_t ev;
	bool		have_ev;
	const char *text;
	size_t		len;
	gf_ctx_yaml_limits lim;
	gf_ctx_yaml_error *err;
	size_t		nodes;			/* in the entry being read */
	size_t		entries;		/* in all lists */
	gf_ctx_config *cfg;
	size_t		cap[CY_NLISTS];
	cy_set		dups[CY_NLISTS];
} cy_parser;

static void cy_fail_at(cy_parser *p, int line, int column, const char *fmt,...)
			__attribute__((format(printf, 4, 5)));

/* Records the first failure only: later ones are consequences. */
static void
cy_fail_at(cy_parser *p, int line, int column, const char *fmt,...)
{
	va_list		ap;
	size_t		used = 0;

	if (p->err->msg[0] != '\0')
		return;
	p->err->line = line;
	p->err->column = column;
	if (line > 0)
		used = (size_t) snprintf(p->err->msg, sizeof(p->err->msg),
								 "line %d, column %d: ", line, column);
	va_start(ap, fmt);
	vsnprintf(p->err->msg + used, sizeof(p->err->msg) - used, fmt, ap);
	va_end(ap);
}

#define cy_fail_node(p, n, ...) cy_fail_at((p), (n)->line, (n)->column, __VA_ARGS__)
#define cy_fail_mark(p, m, ...) \
	cy_fail_at((p), (int) (m).line + 1, (int) (m).column + 1, __VA_ARGS__)

static const char *
cy_kind_name(const gf_cy_node *n)
{
	switch (n->kind)
	{
		case GF_CY_MAP:
			return "a mapping";
		case GF_CY_SEQ:
			return "a list";
		case GF_CY_SCALAR:
			break;
	}
	return "a scalar";
}

static const char *
cy_event_kind_name(yaml_event_type_t t)
{
	switch (t)
	{
		case YAML_MAPPING_START_EVENT:
			return "a mapping";
		case YAML_SEQUENCE_START_EVENT:
			return "a list";
		default:
			break;
	}
	return "a scalar";
}

/* Line and column (1-based, in characters) of a byte offset of the input. */
static void
cy_offset_position(const cy_parser *p, size_t offset, int *line, int *column)
{
	size_t		i;

	*line = 1;
	*column = 1;
	if (offset > p->len)
		offset = p->len;
	for (i = 0; i < offset; i++)
	{
		unsigned char c = (unsigned char) p->text[i];

		if (c == '\n')
		{
			(*line)++;
			*column = 1;
		}
		else if ((c & 0xc0) != 0x80)
			(*column)++;
	}
}

static void
cy_fail_libyaml(cy_parser *p)
{
	const yaml_parser_t *y = &p->yp;
	const char *problem = y->problem ? y->problem : "malformed YAML";
	int			line;
	int			column;

	switch (y->error)
	{
		case YAML_MEMORY_ERROR:
			cy_fail_at(p, 0, 0, "out of memory");
			break;
		case YAML_READER_ERROR:
			/* The reader knows a byte offset, not a mark. */
			cy_offset_position(p, y->problem_offset, &line, &column);
			if (y->problem_value != -1)
				cy_fail_at(p, line, column, "%s (byte 0x%02x)", problem, y->problem_value);
			else
				cy_fail_at(p, line, column, "%s", problem);
			break;
		default:
			if (y->context)
				cy_fail_mark(p, y->problem_mark, "%s (%s at line %d, column %d)",
							 problem, y->context, (int) y->context_mark.line + 1,
							 (int) y->context_mark.column + 1);
			else
				cy_fail_mark(p, y->problem_mark, "%s", problem);
			break;
	}
}

/* gf_cy_quote of a NUL-terminated string from libyaml. */
static const char *
cy_quote_z(const yaml_char_t *s, char *buf)
{
	return gf_cy_quote((const char *) s, strlen((const char *) s), buf);
}

/* Checks common to every event: no aliases, anchors or foreign tags. */
static bool
cy_check_event(cy_parser *p)
{
	const yaml_event_t *e = &p->ev;
	const yaml_char_t *anchor = NULL;
	const yaml_char_t *tag = NULL;
	const char *allowed = NULL;
	char		q[GF_CY_QUOTE_MAX + 4];

	switch (e->type)
	{
		case YAML_ALIAS_EVENT:
			cy_fail_mark(p, e->start_mark, "aliases (*%s) are not allowed in a context file",
						 cy_quote_z(e->data.alias.anchor, q));
			return false;
		case YAML_SCALAR_EVENT:
			anchor = e->data.scalar.anchor;
			tag = e->data.scalar.tag;
			allowed = CY_TAG_STR;
			break;
		case YAML_MAPPING_START_EVENT:
			anchor = e->data.mapping_start.anchor;
			tag = e->data.mapping_start.tag;
			allowed = CY_TAG_MAP;
			break;
		case YAML_SEQUENCE_START_EVENT:
			anchor = e->data.sequence_start.anchor;
			tag = e->data.sequence_start.tag;
			allowed = CY_TAG_SEQ;
			break;
		default:
			return true;
	}
	if (anchor != NULL)
	{
		cy_fail_mark(p, e->start_mark, "anchors (&%s) are not allowed in a context file",
					 cy_quote_z(anchor, q));
		return false;
	}
	if (tag != NULL && strcmp((const char *) tag, allowed) != 0)
	{
		cy_fail_mark(p, e->start_mark, "tag %s is not allowed here (only !!str, !!map and !!seq)",
					 cy_quote_z(tag, q));
		return false;
	}
	return true;
}

static bool
cy_next(cy_parser *p)
{
	if (p->have_ev)
		yaml_event_delete(&p->ev);
	p->have_ev = false;
	if (!yaml_parser_parse(&p->yp, &p->ev))
	{
		cy_fail_libyaml(p);
		return false;
	}
	p->have_ev = true;
	return cy_check_event(p);
}

/* Well-formed UTF-8 without overlong forms, surrogates or NUL. */
static bool
cy_utf8_valid(const unsigned char *s, size_t n)
{
	size_t		i = 0;

	while (i < n)
	{
		unsigned char c = s[i];
		size_t		k;
		uint32_t	cp;
		size_t		j;

		if (c == 0)
			return false;
		if (c < 0x80)
		{
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
		{
			k = 1;
			cp = c & 0x1f;
		}
		else if ((c & 0xf0) == 0xe0)
		{
			k = 2;
			cp = c & 0x0f;
		}
		else if ((c & 0xf8) == 0xf0)
		{
			k = 3;
			cp = c & 0x07;
		}
		else
			return false;
		if (n - i <= k)
			return false;
		for (j = 1; j <= k; j++)
		{
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
			(cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
		i += k + 1;
	}
	return true;
}

static bool
cy_append(gf_cy_node *parent, gf_cy_node *child)
{
	if (parent->n == parent->cap)
	{
		size_t		cap = parent->cap ? parent->cap * 2 : 4;
		gf_cy_node **items = realloc(parent->items, cap * sizeof(*items));

		if (items == NULL)
			return false;
		parent->items = items;
		parent->cap = cap;
	}
	parent->items[parent->n++] = child;
	return true;
}

static gf_cy_node *cy_read_node(cy_parser *p, int depth, bool is_key);

/*
 * The children of the collection that the current event opens, up to its
 * end event.
 */
static bool
cy_read_children(cy_parser *p, gf_cy_node *n, int depth)
{
	yaml_event_type_t end = n->kind == GF_CY_MAP ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;

	for (;;)
	{
		gf_cy_node *child;
		bool		is_key = n->kind == GF_CY_MAP && n->n % 2 == 0;

		if (!cy_next(p))
			return false;
		if (p->ev.type == end)
			return true;
		child = cy_read_node(p, depth + 1, is_key);
		if (child == NULL)
			return false;
		if (!cy_append(n, child))
		{
			gf_cy_node_free(child);
			cy_fail_at(p, 0, 0, "out of memory");
			return false;
		}
	}
}

/*
 * The node the current event starts (a collection is read to its end), as
 * a tree; depth is the nesting level a collection here would have.
 */
static gf_cy_node *
cy_read_node(cy_parser *p, int depth, bool is_key)
{
	const yaml_event_t *e = &p->ev;
	gf_cy_node *n;

	if (is_key && e->type != YAML_SCALAR_EVENT)
	{
		cy_fail_mark(p, e->start_mark, "a mapping key must be a scalar, found %s",
					 cy_event_kind_name(e->type));
		return NULL;
	}
	if (++p->nodes > p->lim.max_nodes)
	{
		cy_fail_mark(p, e->start_mark, "an entry holds more than %zu values",
					 p->lim.max_nodes);
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (n == NULL)
	{
		cy_fail_at(p, 0, 0, "out of memory");
		return NULL;
	}
	n->line = (int) e->start_mark.line + 1;
	n->column = (int) e->start_mark.column + 1;
	switch (e->type)
	{
		case YAML_SCALAR_EVENT:
			{
				size_t		max = is_key ? p->lim.max_name : p->lim.max_text;

				n->kind = GF_CY_SCALAR;
				if (e->data.scalar.length > max)
				{
					cy_fail_node(p, n, "%s is longer than %zu bytes",
								 is_key ? "a key" : "a value", max);
					break;
				}
				if (!cy_utf8_valid(e->data.scalar.value, e->data.scalar.length))
				{
					cy_fail_node(p, n, "a scalar holds a NUL character or invalid UTF-8");
					break;
				}
				n->text = malloc(e->data.scalar.length + 1);
				if (n->text == NULL)
				{
					cy_fail_at(p, 0, 0, "out of memory");
					break;
				}
				memcpy(n->text, e->data.scalar.value, e->data.scalar.length);
				n->text[e->data.scalar.length] = '\0';
				n->len = e->data.scalar.length;
				n->plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
					e->data.scalar.tag == NULL;
				return n;
			}
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			n->kind = e->type == YAML_MAPPING_START_EVENT ? GF_CY_MAP : GF_CY_SEQ;
			if (depth > p->lim.max_depth)
			{
				cy_fail_node(p, n, "nested deeper than %d levels", p->lim.max_depth);
				break;
			}
			if (cy_read_children(p, n, depth))
				return n;
			break;
		default:
			cy_fail_mark(p, e->start_mark, "unexpected YAML event");
			break;
	}
	gf_cy_node_free(n);
	return NULL;
}

/* ---- fields -------------------------------------------------------- */

/* A string field: NULL stays in *out when the value is a null. */
static bool
cy_string(cy_parser *p, const gf_cy_node *v, const char *field, size_t max, char **out)
{
	*out = NULL;
	if (v == NULL || gf_cy_is_null(v))
		return true;
	if (v->kind != GF_CY_SCALAR)
	{
		cy_fail_node(p, v, "%s must be a scalar, found %s", field, cy_kind_name(v));
		return false;
	}
	if (v->len > max)
	{
		cy_fail_node(p, v, "%s is longer than %zu bytes", field, max);
		return false;
	}
	*out = strdup(v->text);
	if (*out == NULL)
	{
		cy_fail_at(p, 0, 0, "out of memory");
		return false;
	}
	return true;
}

/* A scalar's text if it is a short scalar, for address-like fields. */
static bool
cy_short_text(cy_parser *p, const gf_cy_node *v, const char *field, char *buf, size_t buflen)
{
	char		q[GF_CY_QUOTE_MAX + 4];

	if (v->kind != GF_CY_SCALAR)
	{
		cy_fail_node(p, v, "%s must be a scalar, found %s", field, cy_kind_name(v));
		return false;
	}
	if (v->len >= buflen)
	{
		cy_fail_node(p, v, "%s \"%s\" is too long", field, gf_cy_quote(v->text, v->len, q));
		return false;
	}
	memcpy(buf, v->text, v->len + 1);
	return true;
}

/* Returns 4 or 6 with the address in bytes, or 0. */
static int
cy_inet(const char *text, uint8_t *bytes)
{
	memset(bytes, 0, 16);
	if (inet_pton(AF_INET, text, bytes) == 1)
		return 4;
	if (inet_pton(AF_INET6, text, bytes) == 1)
		return 6;
	return 0;
}

static const uint8_t cy_v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* An exporter address; IPv4-mapped IPv6 becomes IPv4. */
static bool
cy_address(cy_parser *p, const gf_cy_node *v, const char *field, gf_addr *out)
{
	char		buf[64];
	char		q[GF_CY_QUOTE_MAX + 4];

	memset(out, 0, sizeof(*out));
	if (!cy_short_text(p, v, field, buf, sizeof(buf)))
		return false;
	out->family = (uint8_t) cy_inet(buf, out->bytes);
	if (out->family == 0)
	{
		cy_fail_node(p, v, "%s \"%s\" is not a numeric IPv4 or IPv6 address", field,
					 gf_cy_quote(v->text, v->len, q));
		return false;
	}
	if (out->family == 6 && memcmp(out->bytes, cy_v4mapped, sizeof(cy_v4mapped)) == 0)
	{
		memmove(out->bytes, out->bytes + 12, 4);
		memset(out->bytes + 4, 0, 12);
		out->family = 4;
	}
	return true;
}

/* Clears the bits of bytes right of prefix_len; whether any was set. */
static bool
cy_clear_host_bits(uint8_t *bytes, int prefix_len)
{
	bool		had = false;
	int			i;

	for (i = 0; i < 16; i++)
	{
		int			keep = prefix_len - i * 8;
		uint8_t		mask;

		if (keep >= 8)
			continue;
		mask = keep <= 0 ? 0 : (uint8_t) (0xff << (8 - keep));
		if (bytes[i] & (uint8_t) ~mask)
			had = true;
		bytes[i] &= mask;
	}
	return had;
}

static bool
cy_prefix(cy_parser *p, const gf_cy_node *v, gf_ctx_prefix *out)
{
	char		buf[64];
	char	   *slash;
	int			maxlen;
	char		q[GF_CY_QUOTE_MAX + 4];
	char		q2[GF_CY_QUOTE_MAX + 4];

	memset(out, 0, sizeof(*out));
	if (!cy_short_text(p, v, "cidr", buf, sizeof(buf)))
		return false;
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	out->family = (uint8_t) cy_inet(buf, out->bytes);
	if (out->family == 0)
	{
		cy_fail_node(p, v, "cidr \"%s\": \"%s\" is not a numeric IPv4 or IPv6 address",
					 gf_cy_quote(v->text, v->len, q), gf_cy_quote(buf, strlen(buf), q2));
		return false;
	}
	maxlen = out->family == 4 ? 32 : 128;
	out->prefix_len = (uint8_t) maxlen;
	if (slash)
	{
		const char *d = slash + 1;
		int			len = 0;

		if (*d == '\0' || strlen(d) > 3)
			len = -1;
		for (; *d && len >= 0; d++)
		{
			if (*d < '0' || *d > '9')
				len = -1;
			else
				len = len * 10 + (*d - '0');
		}
		if (len < 0 || len > maxlen)
		{
			cy_fail_node(p, v, "cidr \"%s\": the prefix length must be a number from 0 to %d",
						 gf_cy_quote(v->text, v->len, q), maxlen);
			return false;
		}
		out->prefix_len = (uint8_t) len;
	}
	if (cy_clear_host_bits(out->bytes, out->prefix_len))
	{
		char		net[INET6_ADDRSTRLEN];

		inet_ntop(out->family == 4 ? AF_INET : AF_INET6, out->bytes, net, sizeof(net));
		cy_fail_node(p, v, "cidr \"%s\" has bits set right of its /%d prefix (did you mean %s/%d?)",
					 gf_cy_quote(v->text, v->len, q), out->prefix_len, net, out->prefix_len);
		return false;
	}
	return true;
}

/* A decimal number 0..max written with digits only (quoted or not). */
static bool
cy_unsigned(cy_parser *p, const gf_cy_node *v, const char *field, uint64_t max, uint64_t *out)
{
	size_t		i;
	uint64_t	x = 0;
	char		q[GF_CY_QUOTE_MAX + 4];

	if (v->kind != GF_CY_SCALAR)
	{
		cy_fail_node(p, v, "%s must be a number, found %s", field, cy_kind_name(v));
		return false;
	}
	for (i = 0; i < v->len; i++)
	{
		unsigned	d = (unsigned) (v->text[i] - '0');

		if (d > 9 || x > (max - d) / 10)
			break;
		x = x * 10 + d;
	}
	if (v->len == 0 || i < v->len)
	{
		cy_fail_node(p, v, "%s \"%s\" is not a whole number from 0 to %llu",
					 field, gf_cy_quote(v->text, v->len, q), (unsigned long long) max);
		return false;
	}
	*out = x;
	return true;
}

static bool
cy_context(cy_parser *p, const gf_cy_node *v, char **out)
{
	const gf_cy_node *where;
	char		msg[256];

	if (v == NULL || gf_cy_is_null(v))
	{
		*out = strdup("{}");
		if (*out == NULL)
			cy_fail_at(p, 0, 0, "out of memory");
		return *out != NULL;
	}
	if (v->kind != GF_CY_MAP)
	{
		cy_fail_node(p, v, "context must be a mapping, found %s", cy_kind_name(v));
		return false;
	}
	*out = gf_cy_context_json(v, p->lim.max_json, &where, msg, sizeof(msg));
	if (*out == NULL)
	{
		if (where)
			cy_fail_node(p, where, "%s", msg);
		else
			cy_fail_at(p, 0, 0, "%s", msg);
		return false;
	}
	return true;
}

/*
 * The values of an entry's keys, by the index of the key in 'fields';
 * unknown and repeated keys are refused.
 */
static bool
cy_fields(cy_parser *p, const gf_cy_node *entry, cy_list list,
		  const char *const *fields, const gf_cy_node **values)
{
	size_t		nfields = 0;
	size_t		i;
	size_t		f;
	char		expected[128];
	char		q[GF_CY_QUOTE_MAX + 4];

	while (fields[nfields])
		nfields++;
	memset(values, 0, nfields * sizeof(*values));
	if (entry->kind != GF_CY_MAP)
	{
		cy_fail_node(p, entry, "each entry of %s must be a mapping, found %s",
					 cy_list_names[list], cy_kind_name(entry));
		return false;
	}
	for (i = 0; i + 1 < entry->n; i += 2)
	{
		const gf_cy_node *key = entry->items[i];

		for (f = 0; f < nfields; f++)
			if (strcmp(key->text, fields[f]) == 0)
				break;
		if (f == nfields)
		{
			expected[0] = '\0';
			for (f = 0; f < nfields; f++)
			{
				strncat(expected, f ? ", " : "", sizeof(expected) - strlen(expected) - 1);
				strncat(expected, fields[f], sizeof(expected) - strlen(expected) - 1);
			}
			cy_fail_node(p, key, "unknown key \"%s\" in an entry of %s (expected %s)",
						 gf_cy_quote(key->text, key->len, q), cy_list_names[list], expected);
			return false;
		}
		if (values[f] != NULL)
		{
			cy_fail_node(p, key, "key \"%s\" appears twice in this entry (first at line %d)",
						 fields[f], values[f]->line);
			return false;
		}
		values[f] = entry->items[i + 1];
	}
	return true;
}

static bool
cy_required(cy_parser *p, const gf_cy_node *entry, const gf_cy_node *v,
			const char *what, const char *field)
{
	if (v != NULL && !gf_cy_is_null(v))
		return true;
	cy_fail_node(p, v ? v : entry, "%s has no %s (it is required)", what, field);
	return false;
}

/* ---- duplicates ---------------------------------------------------- */

static uint64_t
cy_hash_bytes(uint64_t h, const void *data, size_t n)
{
	const unsigned char *s = data;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static uint64_t
cy_key_hash(const cy_parser *p, cy_list list, size_t idx)
{
	uint64_t	h = 14695981039346656037ULL;

	switch (list)
	{
		case CY_NETWORKS:
			return cy_hash_bytes(h, p->cfg->networks[idx].name,
								 strlen(p->cfg->networks[idx].name));
		case CY_DEVICES:
			return cy_hash_bytes(h, &p->cfg->devices[idx].exporter, sizeof(gf_addr));
		case CY_INTERFACES:
			h = cy_hash_bytes(h, &p->cfg->interfaces[idx].exporter, sizeof(gf_addr));
			return cy_hash_bytes(h, &p->cfg->interfaces[idx].if_index, sizeof(uint32_t));
		case CY_NLISTS:
			break;
	}
	return h;
}

static bool
cy_key_equal(const cy_parser *p, cy_list list, size_t a, size_t b)
{
	const gf_ctx_config *c = p->cfg;

	switch (list)
	{
		case CY_NETWORKS:
			return strcmp(c->networks[a].name, c->networks[b].name) == 0;
		case CY_DEVICES:
			return memcmp(&c->devices[a].exporter, &c->devices[b].exporter, sizeof(gf_addr)) == 0;
		case CY_INTERFACES:
			return memcmp(&c->interfaces[a].exporter, &c->interfaces[b].exporter, sizeof(gf_addr)) == 0 &&
				c->interfaces[a].if_index == c->interfaces[b].if_index;
		case CY_NLISTS:
			break;
	}
	return false;
}

/*
 * Adds entry idx (already stored in its array) to the list's set.  Returns
 * the index + 1 of an equal entry already there (idx is then not added),
 * 0 when added, -1 when out of memory.
 */
static long
cy_set_add(cy_parser *p, cy_list list, size_t idx)
{
	cy_set	   *s = &p->dups[list];
	size_t		mask;
	size_t		i;

	if ((s->used + 1) * 2 > s->cap)
	{
		size_t		cap = s->cap ? s->cap * 2 : 64;
		uint32_t   *slot = calloc(cap, sizeof(uint32_t));
		size_t		k;

		if (slot == NULL)
			return -1;
		for (k = 0; k < s->cap; k++)
		{
			if (s->slot[k] == 0)
				continue;
			i = cy_key_hash(p, list, s->slot[k] - 1) & (cap - 1);
			while (slot[i] != 0)
				i = (i + 1) & (cap - 1);
			slot[i] = s->slot[k];
		}
		free(s->slot);
		s->slot = slot;
		s->cap = cap;
	}
	mask = s->cap - 1;
	for (i = cy_key_hash(p, list, idx) & mask; s->slot[i] != 0; i = (i + 1) & mask)
		if (cy_key_equal(p, list, s->slot[i] - 1, idx))
			return (long) s->slot[i];
	s->slot[i] = (uint32_t) (idx + 1);
	s->used++;
	return 0;
}

/* ---- entries ------------------------------------------------------- */

static void
cy_network_clear(gf_ctx_network *n)
{
	free(n->name);
	free(n->context_json);
}

static void
cy_device_clear(gf_ctx_device *d)
{
	free(d->name);
	free(d->site);
	free(d->role);
	free(d->context_json);
}

static void
cy_interface_clear(gf_ctx_interface *i)
{
	free(i->name);
	free(i->description);
	free(i->provider);
	free(i->context_json);
}

/* Room for one more entry in the array of list. */
static bool
cy_reserve(cy_parser *p, cy_list list, void **arr, size_t n, size_t elem)
{
	size_t		cap = p->cap[list];
	void	   *grown;

	if (n < cap)
		return true;
	cap = cap ? cap * 2 : 16;
	grown = realloc(*arr, cap * elem);
	if (grown == NULL)
	{
		cy_fail_at(p, 0, 0, "out of memory");
		return false;
	}
	*arr = grown;
	p->cap[list] = cap;
	return true;
}

/* Stores the entry just appended in its duplicate set; false if taken. */
static bool
cy_unique(cy_parser *p, cy_list list, size_t idx, const gf_cy_node *at, const char *what)
{
	long		other = cy_set_add(p, list, idx);
	int			line = 0;

	if (other == 0)
		return true;
	if (other < 0)
	{
		cy_fail_at(p, 0, 0, "out of memory");
		return false;
	}
	switch (list)
	{
		case CY_NETWORKS:
			line = p->cfg->networks[other - 1].line;
			break;
		case CY_DEVICES:
			line = p->cfg->devices[other - 1].line;
			break;
		default:
			line = p->cfg->interfaces[other - 1].line;
			break;
	}
	cy_fail_node(p, at, "%s is already used by the entry at line %d", what, line);
	return false;
}

static bool
cy_network(cy_parser *p, const gf_cy_node *entry)
{
	static const char *const fields[] = {"name", "cidr", "exporter", "context", NULL};
	const gf_cy_node *v[4];
	gf_ctx_network n;
	gf_ctx_config *c = p->cfg;
	char		what[GF_CY_QUOTE_MAX + 32];
	char		q[GF_CY_QUOTE_MAX + 4];

	memset(&n, 0, sizeof(n));
	n.line = entry->line;
	if (!cy_fields(p, entry, CY_NETWORKS, fields, v) ||
		!cy_required(p, entry, v[0], "the network", "name") ||
		!cy_required(p, entry, v[1], "the network", "cidr") ||
		!cy_string(p, v[0], "name", p->lim.max_name, &n.name) ||
		!cy_prefix(p, v[1], &n.cidr) ||
		(v[2] && !gf_cy_is_null(v[2]) && !cy_address(p, v[2], "exporter", &n.exporter)) ||
		!cy_context(p, v[3], &n.context_json) ||
		!cy_reserve(p, CY_NETWORKS, (void **) &c->networks, c->n_networks, sizeof(n)))
	{
		cy_network_clear(&n);
		return false;
	}
	c->networks[c->n_networks] = n;
	snprintf(what, sizeof(what), "network name \"%s\"",
			 gf_cy_quote(n.name, strlen(n.name), q));
	if (!cy_unique(p, CY_NETWORKS, c->n_networks, v[0], what))
	{
		cy_network_clear(&n);
		return false;
	}
	c->n_networks++;
	return true;
}

static bool
cy_device(cy_parser *p, const gf_cy_node *entry)
{
	static const char *const fields[] = {"exporter", "name", "site", "role", "context", NULL};
	const gf_cy_node *v[5];
	gf_ctx_device d;
	gf_ctx_config *c = p->cfg;

	memset(&d, 0, sizeof(d));
	d.line = entry->line;
	if (!cy_fields(p, entry, CY_DEVICES, fields, v) ||
		!cy_required(p, entry, v[0], "the device", "exporter") ||
		!cy_address(p, v[0], "exporter", &d.exporter) ||
		!cy_string(p, v[1], "name", p->lim.max_name, &d.name) ||
		!cy_string(p, v[2], "site", p->lim.max_name, &d.site) ||
		!cy_string(p, v[3], "role", p->lim.max_name, &d.role) ||
		!cy_context(p, v[4], &d.context_json) ||
		!cy_reserve(p, CY_DEVICES, (void **) &c->devices, c->n_devices, sizeof(d)))
	{
		cy_device_clear(&d);
		return false;
	}
	c->devices[c->n_devices] = d;
	if (!cy_unique(p, CY_DEVICES, c->n_devices, v[0], "this exporter address"))
	{
		cy_device_clear(&d);
		return false;
	}
	c->n_devices++;
	return true;
}

static bool
cy_interface(cy_parser *p, const gf_cy_node *entry)
{
	static const char *const fields[] = {"exporter", "if_index", "name", "description",
	"speed", "boundary", "provider", "context", NULL};
	const gf_cy_node *v[8];
	gf_ctx_interface it;
	gf_ctx_config *c = p->cfg;
	uint64_t	x;

	memset(&it, 0, sizeof(it));
	it.line = entry->line;
	if (!cy_fields(p, entry, CY_INTERFACES, fields, v) ||
		!cy_required(p, entry, v[0], "the interface", "exporter") ||
		!cy_required(p, entry, v[1], "the interface", "if_index") ||
		!cy_address(p, v[0], "exporter", &it.exporter) ||
		!cy_unsigned(p, v[1], "if_index", UINT32_MAX, &x))
		goto fail;
	it.if_index = (uint32_t) x;
	if (!cy_string(p, v[2], "name", p->lim.max_name, &it.name) ||
		!cy_string(p, v[3], "description", p->lim.max_text, &it.description) ||
		!cy_string(p, v[6], "provider", p->lim.max_name, &it.provider))
		goto fail;
	if (v[4] && !gf_cy_is_null(v[4]))
	{
		if (!cy_unsigned(p, v[4], "speed", UINT64_MAX, &it.speed))
			goto fail;
		it.has_speed = true;
	}
	if (v[5] && !gf_cy_is_null(v[5]))
	{
		if (v[5]->kind == GF_CY_SCALAR && strcmp(v[5]->text, "external") == 0)
			it.boundary = GF_CTX_BOUNDARY_EXTERNAL;
		else if (v[5]->kind == GF_CY_SCALAR && strcmp(v[5]->text, "internal") == 0)
			it.boundary = GF_CTX_BOUNDARY_INTERNAL;
		else
		{
			cy_fail_node(p, v[5], "boundary must be external or internal");
			goto fail;
		}
	}
	if (!cy_context(p, v[7], &it.context_json) ||
		!cy_reserve(p, CY_INTERFACES, (void **) &c->interfaces, c->n_interfaces, sizeof(it)))
		goto fail;
	c->interfaces[c->n_interfaces] = it;
	if (!cy_unique(p, CY_INTERFACES, c->n_interfaces, v[1],
				   "this (exporter, if_index) pair"))
		goto fail;
	c->n_interfaces++;
	return true;

fail:
	cy_interface_clear(&it);
	return false;
}

/* ---- document ------------------------------------------------------ */

/* Whether the current event is a plain null scalar. */
static bool
cy_event_is_null(const cy_parser *p)
{
	gf_cy_node	probe;

	if (p->ev.type != YAML_SCALAR_EVENT)
		return false;
	memset(&probe, 0, sizeof(probe));
	probe.kind = GF_CY_SCALAR;
	probe.text = (char *) p->ev.data.scalar.value;
	probe.len = p->ev.data.scalar.length;
	probe.plain = p->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		p->ev.data.scalar.tag == NULL;
	/* libyaml terminates value; a NUL inside makes it no null word. */
	return strlen(probe.text) == probe.len && gf_cy_is_null(&probe);
}

/* The list under one top-level key; the current event is its value. */
static bool
cy_list_entries(cy_parser *p, cy_list list)
{
	if (cy_event_is_null(p))
		return true;
	if (p->ev.type != YAML_SEQUENCE_START_EVENT)
	{
		cy_fail_mark(p, p->ev.start_mark, "%s must be a list of mappings, found %s",
					 cy_list_names[list], cy_event_kind_name(p->ev.type));
		return false;
	}
	/* The list is at depth 2, under the top-level mapping. */
	if (p->lim.max_depth < 2)
	{
		cy_fail_mark(p, p->ev.start_mark, "nested deeper than %d levels", p->lim.max_depth);
		return false;
	}
	for (;;)
	{
		gf_cy_node *entry;
		bool		ok = false;

		if (!cy_next(p))
			return false;
		if (p->ev.type == YAML_SEQUENCE_END_EVENT)
			return true;
		if (p->entries >= p->lim.max_entries)
		{
			cy_fail_mark(p, p->ev.start_mark, "more than %zu entries in the file",
						 p->lim.max_entries);
			return false;
		}
		p->entries++;
		p->nodes = 0;
		entry = cy_read_node(p, 3, false);
		if (entry == NULL)
			return false;
		switch (list)
		{
			case CY_NETWORKS:
				ok = cy_network(p, entry);
				break;
			case CY_DEVICES:
				ok = cy_device(p, entry);
				break;
			default:
				ok = cy_interface(p, entry);
				break;
		}
		gf_cy_node_free(entry);
		if (!ok)
			return false;
	}
}

static bool
cy_top_mapping(cy_parser *p)
{
	int			seen_line[CY_NLISTS] = {0};

	if (p->lim.max_depth < 1)
	{
		cy_fail_mark(p, p->ev.start_mark, "nested deeper than %d levels", p->lim.max_depth);
		return false;
	}
	for (;;)
	{
		int			l;
		yaml_mark_t at;
		char		q[GF_CY_QUOTE_MAX + 4];

		if (!cy_next(p))
			return false;
		if (p->ev.type == YAML_MAPPING_END_EVENT)
			return true;
		at = p->ev.start_mark;
		if (p->ev.type != YAML_SCALAR_EVENT)
		{
			cy_fail_mark(p, at, "a top-level key must be networks, devices or interfaces, found %s",
						 cy_event_kind_name(p->ev.type));
			return false;
		}
		for (l = 0; l < CY_NLISTS; l++)
			if (p->ev.data.scalar.length == strlen(cy_list_names[l]) &&
				memcmp(p->ev.data.scalar.value, cy_list_names[l], p->ev.data.scalar.length) == 0)
				break;
		if (l == CY_NLISTS)
		{
			cy_fail_mark(p, at, "unknown top-level key \"%s\" (expected networks, devices or interfaces)",
						 gf_cy_quote((const char *) p->ev.data.scalar.value,
									 p->ev.data.scalar.length, q));
			return false;
		}
		if (seen_line[l])
		{
			cy_fail_mark(p, at, "%s appears twice at the top level (first at line %d)",
						 cy_list_names[l], seen_line[l]);
			return false;
		}
		seen_line[l] = (int) at.line + 1;
		if (!cy_next(p) || !cy_list_entries(p, (cy_list) l))
			return false;
	}
}

static bool
cy_stream(cy_parser *p)
{
	if (!cy_next(p))			/* stream start */
		return false;
	if (!cy_next(p))
		return false;
	if (p->ev.type == YAML_STREAM_END_EVENT)
		return true;			/* no document at all */
	if (!cy_next(p))			/* past the document start: the root */
		return false;
	if (p->ev.type == YAML_MAPPING_START_EVENT)
	{
		if (!cy_top_mapping(p))
			return false;
	}
	else if (!cy_event_is_null(p))
	{
		cy_fail_mark(p, p->ev.start_mark,
					 "the top level must be a mapping of networks, devices and interfaces, found %s",
					 cy_event_kind_name(p->ev.type));
		return false;
	}
	if (!cy_next(p))			/* document end */
		return false;
	if (!cy_next(p))
		return false;
	if (p->ev.type != YAML_STREAM_END_EVENT)
	{
		cy_fail_mark(p, p->ev.start_mark, "a context file holds one YAML document; a second one starts here");
		return false;
	}
	return true;
}

/* ---- API ----------------------------------------------------------- */

void
gf_ctx_yaml_default_limits(gf_ctx_yaml_limits *limits)
{
	limits->max_input = GF_CTX_YAML_MAX_INPUT;
	limits->max_depth = GF_CTX_YAML_MAX_DEPTH;
	limits->max_entries = GF_CTX_YAML_MAX_ENTRIES;
	limits->max_name = GF_CTX_YAML_MAX_NAME;
	limits->max_text = GF_CTX_YAML_MAX_TEXT;
	limits->max_json = GF_CTX_YAML_MAX_JSON;
	limits->max_nodes = GF_CTX_YAML_MAX_NODES;
}

#define CY_LOWER(field) \
	do { if (asked->field < lim->field) lim->field = asked->field; } while (0)

static void
cy_take_limits(gf_ctx_yaml_limits *lim, const gf_ctx_yaml_limits *asked)
{
	gf_ctx_yaml_default_limits(lim);
	if (asked == NULL)
		return;
	CY_LOWER(max_input);
	CY_LOWER(max_depth);
	CY_LOWER(max_entries);
	CY_LOWER(max_name);
	CY_LOWER(max_text);
	CY_LOWER(max_json);
	CY_LOWER(max_nodes);
}

gf_ctx_config *
gf_ctx_yaml_parse(const char *text, size_t len, const gf_ctx_yaml_limits *limits,
				  gf_ctx_yaml_error *err)
{
	cy_parser	p;
	bool		ok;
	int			l;

	memset(err, 0, sizeof(*err));
	memset(&p, 0, sizeof(p));
	p.err = err;
	p.text = text ? text : "";
	p.len = text ? len : 0;
	cy_take_limits(&p.lim, limits);
	if (p.len > p.lim.max_input)
	{
		cy_fail_at(&p, 0, 0, "the context file is %zu bytes, more than the %zu allowed",
				   p.len, p.lim.max_input);
		return NULL;
	}
	p.cfg = calloc(1, sizeof(gf_ctx_config));
	if (p.cfg == NULL || !yaml_parser_initialize(&p.yp))
	{
		free(p.cfg);
		cy_fail_at(&p, 0, 0, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&p.yp, (const unsigned char *) p.text, p.len);
	ok = cy_stream(&p);
	if (p.have_ev)
		yaml_event_delete(&p.ev);
	yaml_parser_delete(&p.yp);
	for (l = 0; l < CY_NLISTS; l++)
		free(p.dups[l].slot);
	if (!ok)
	{
		if (err->msg[0] == '\0')
			cy_fail_at(&p, 0, 0, "malformed context file");
		gf_ctx_config_free(p.cfg);
		return NULL;
	}
	return p.cfg;
}

void
gf_ctx_config_free(gf_ctx_config *cfg)
{
	size_t		i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->n_networks; i++)
		cy_network_clear(&cfg->networks[i]);
	for (i = 0; i < cfg->n_devices; i++)
		cy_device_clear(&cfg->devices[i]);
	for (i = 0; i < cfg->n_interfaces; i++)
		cy_interface_clear(&cfg->interfaces[i]);
	free(cfg->networks);
	free(cfg->devices);
	free(cfg->interfaces);
	free(cfg);
}

const char *
gf_ctx_boundary_name(gf_ctx_boundary b)
{
	switch (b)
	{
		case GF_CTX_BOUNDARY_EXTERNAL:
			return "external";
		case GF_CTX_BOUNDARY_INTERNAL:
			return "internal";
		case GF_CTX_BOUNDARY_NONE:
			break;
	}
	return NULL;
}
