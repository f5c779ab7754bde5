-- The extension installs its schema, tables and functions.
CREATE EXTENSION goflow2plus;
\d goflow2plus.flows
\d goflow2plus.interface_counters
\df goflow2plus.*
-- Column names are GoFlow2's JSON keys, in the order the writer fills them.
SELECT attnum, attname, format_type(atttypid, atttypmod)
  FROM pg_attribute
 WHERE attrelid = 'goflow2plus.flows'::regclass AND attnum > 0
 ORDER BY attnum;
-- Both tables are unlogged.
SELECT relname, relpersistence FROM pg_class
 WHERE relnamespace = 'goflow2plus'::regnamespace AND relkind = 'r'
 ORDER BY relname;
