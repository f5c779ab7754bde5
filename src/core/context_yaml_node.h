/*
 * context_yaml_node.h
 *    The small tree one entry of a context file is read into before it
 *    becomes a struct (context_yaml.c), and the conversion of its context
 *    mapping to JSON text (context_yaml_json.c).  Only one entry is held as
 *    a tree at a time, so a file of a million networks does not cost a
 *    million trees.  Internal to the core.
 */
#ifndef GF_CONTEXT_YAML_NODE_H
#define GF_CONTEXT_YAML_NODE_H

#include <stdbool.h>
#include <stddef.h>

typedef enum gf_cy_kind
{
	GF_CY_SCALAR,
	GF_CY_MAP,
	GF_CY_SEQ
} gf_cy_kind;

typedef struct gf_cy_node
{
	gf_cy_kind	kind;
	int			line;			/* 1-based */
	int			column;			/* 1-based */
	bool		plain;			/* plain scalar without tag: typed in JSON */
	char	   *text;			/* scalar: NUL-terminated, no NUL inside */
	size_t		len;
	struct gf_cy_node **items;	/* map: key, value, key, value, ... */
	size_t		n;
	size_t		cap;
} gf_cy_node;

/* What a plain scalar means in YAML's core schema (context_yaml.h). */
typedef enum gf_cy_scalar_type
{
	GF_CY_T_STRING,
	GF_CY_T_NULL,
	GF_CY_T_TRUE,
	GF_CY_T_FALSE,
	GF_CY_T_NUMBER
} gf_cy_scalar_type;

gf_cy_scalar_type gf_cy_scalar_type_of(const gf_cy_node *scalar);

/* Whether n is a plain null scalar (~, null, empty). */
bool		gf_cy_is_null(const gf_cy_node *n);

/*
 * The canonical JSON text of a mapping (malloc'd).  On failure returns
 * NULL, points *where at the node at fault (NULL when out of memory) and
 * writes why into msg.
 */
char	   *gf_cy_context_json(const gf_cy_node *map, size_t max_json,
							   const gf_cy_node **where, char *msg, size_t msglen);

void		gf_cy_node_free(gf_cy_node *n);

/*
 * Text from the file, made fit for an error message: at most
 * GF_CY_QUOTE_MAX bytes of it (cut at a character boundary, "..." added),
 * control characters and bytes that are not UTF-8 as '?'.  buf must hold
 * GF_CY_QUOTE_MAX + 4 bytes.
 */
#define GF_CY_QUOTE_MAX 60
const char *gf_cy_quote(const char *s, size_t n, char *buf);

#endif							/* GF_CONTEXT_YAML_NODE_H */
