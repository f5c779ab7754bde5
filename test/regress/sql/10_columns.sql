-- The install script and the column lists compiled into the library
-- (src/core/include/flow_columns.h for flows and interface_counters,
-- src/pg/flow_tuple.h for sflow_drops) describe the same tables: the same
-- columns in the same order with the same types, and a column the script
-- declares NOT NULL is one the writer never leaves NULL.  Every
-- difference is a row of gf_columns_diff; then the check is shown to
-- catch each kind of drift.
\set ECHO none
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS goflow2plus;
CREATE EXTENSION goflow2plus;
RESET client_min_messages;
\set ECHO all
CREATE TEMP VIEW gf_columns_diff AS
WITH t(tab) AS (VALUES ('flows'), ('interface_counters'), ('sflow_drops')),
compiled AS (
    SELECT t.tab, c.pos::int AS pos, c.name, c.type, c.never_null
      FROM t, goflow2plus._columns(t.tab) WITH ORDINALITY
              AS c(name, type, never_null, pos)),
installed AS (
    SELECT t.tab,
           row_number() OVER (PARTITION BY t.tab ORDER BY a.attnum)::int AS pos,
           a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type,
           a.attnotnull AS not_null
      FROM t JOIN pg_attribute a
        ON a.attrelid = ('goflow2plus.' || t.tab)::regclass
     WHERE a.attnum > 0 AND NOT a.attisdropped)
SELECT coalesce(c.tab, i.tab) AS tab, coalesce(c.pos, i.pos) AS pos,
       c.name AS compiled, c.type AS compiled_type, c.never_null,
       i.name AS installed, i.type AS installed_type, i.not_null
  FROM compiled c FULL JOIN installed i ON i.tab = c.tab AND i.pos = c.pos
 WHERE (c.name, c.type) IS DISTINCT FROM (i.name, i.type)
    OR (i.not_null AND NOT c.never_null);
-- No difference.
SELECT * FROM gf_columns_diff ORDER BY 1, 2;
-- Columns per table, compiled in and installed.
SELECT t AS tab, (SELECT count(*) FROM goflow2plus._columns(t)) AS compiled,
       (SELECT count(*) FROM pg_attribute
         WHERE attrelid = ('goflow2plus.' || t)::regclass
           AND attnum > 0 AND NOT attisdropped) AS installed
  FROM unnest(ARRAY['flows', 'interface_counters', 'sflow_drops']) t
 ORDER BY 1;
-- The columns that are never NULL.
SELECT t AS tab, string_agg(c.name, ', ' ORDER BY c.pos) AS never_null
  FROM unnest(ARRAY['flows', 'interface_counters', 'sflow_drops']) t,
       goflow2plus._columns(t) WITH ORDINALITY AS c(name, type, never_null, pos)
 WHERE c.never_null
 GROUP BY 1 ORDER BY 1;
-- decode() returns rows of goflow2plus.flows.
SELECT prorettype::regtype, proretset FROM pg_proc
 WHERE oid = 'goflow2plus.decode(bytea, inet)'::regprocedure;

-- Drift of each kind is caught: a missing column, a changed type, a
-- renamed column, a column added, a NOT NULL the writer cannot honour.
BEGIN;
ALTER TABLE goflow2plus.flows DROP COLUMN dst_country;
ALTER TABLE goflow2plus.flows ALTER COLUMN bytes TYPE numeric;
ALTER TABLE goflow2plus.sflow_drops RENAME COLUMN reason TO drop_reason;
ALTER TABLE goflow2plus.interface_counters ADD COLUMN note text;
ALTER TABLE goflow2plus.interface_counters ALTER COLUMN if_index SET NOT NULL;
SELECT * FROM gf_columns_diff ORDER BY 1, 2;
ROLLBACK;

-- Only our three tables have a list.
SELECT * FROM goflow2plus._columns('templates');
SELECT count(*) FROM goflow2plus._columns(NULL);
