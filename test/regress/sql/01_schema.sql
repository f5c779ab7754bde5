-- The extension installs its schema, tables and functions.
CREATE EXTENSION goflow2plus;
\d goflow2plus.flows
\d goflow2plus.interface_counters
\df goflow2plus.decode*
\df goflow2plus._write_decoded
-- Both tables are unlogged.
SELECT relname, relpersistence FROM pg_class
 WHERE oid IN ('goflow2plus.flows'::regclass, 'goflow2plus.interface_counters'::regclass)
 ORDER BY relname;
