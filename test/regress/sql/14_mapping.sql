-- Custom field mappings: load_mapping() refuses each kind of bad mapping
-- with its line and column and stores nothing; a good one changes what
-- decode() makes of a datagram.  The datagram (an IPFIX template and one
-- record) carries ingressInterface 11, ingressPhysicalInterface 1001,
-- egressPhysicalInterface 1002, sourceIPv6Address 2001:db8::7, PEN 29305
-- field 100 = 424242 and PEN 29305 field 101 = 'eth-7' (variable
-- length): the values checked below are these.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS goflow2plus;
RESET client_min_messages;
\set dg '\\x000a006e6553f10000000001000000050002002c012c0007000a000400fc000400fd0004001b001080640004000072798065ffff0000727900020008012c00320000000b000003e9000003ea20010db800000000000000000000000700067932056574682d370000000000000063'
SELECT goflow2plus.decode_reset();

-- Without a mapping: in_if is ingressInterface, 252/253 are not read.
SELECT in_if, out_if, next_hop, src_addr, extra
  FROM goflow2plus.decode(:'dg', '192.0.2.1');

-- Each kind of bad mapping is refused, naming where.
SELECT goflow2plus.load_mapping(E'ipfix:\n  mapping:\n    - field: 252\n      destination: in_iff\n');
SELECT goflow2plus.load_mapping(E'ipfix:\n  mapping:\n    - field: 32768\n      destination: in_if\n');
SELECT goflow2plus.load_mapping(E'sflow:\n  mapping:\n    - layer: ipv4\n      offset: 96\n      length: 40\n      destination: in_if\n');
SELECT goflow2plus.load_mapping(E'formatter:\n  protobuf:\n    - {name: probe_id, index: 7}\n');
SELECT goflow2plus.load_mapping(E'formatter:\n  protobuf:\n    - {name: probe_id, index: 1010}\n');
SELECT goflow2plus.load_mapping(E'ipfix:\n  mapping:\n    - {field: 252, destination: in_if}\n    - {field: 252, destination: out_if}\n');
SELECT goflow2plus.load_mapping(E'ipfix:\n  mapping:\n    - {field: 252, destination: in_if, colour: red}\n');
SELECT goflow2plus.load_mapping(E'ipfix:\n  mapping: [\n');
SELECT goflow2plus.load_mapping(E'ipfix:\n  mapping:\n    - &a {field: 1, destination: bytes}\n    - *a\n');
-- Nothing was stored.
SELECT count(*) AS stored FROM goflow2plus.mappings;

-- A good mapping, in GoFlow2's syntax (column and CamelCase names).
SELECT goflow2plus.load_mapping($$
formatter:
  protobuf:
    - name: probe_id
      index: 1100
      type: varint
    - name: probe_if
      index: 1101
      type: string
ipfix:
  mapping:
    - field: 252
      destination: in_if
    - field: 253
      destination: OutIf
    - field: 27
      destination: next_hop
    - field: 100
      penprovided: true
      pen: 29305
      destination: probe_id
    - field: 101
      pen: 29305
      destination: probe_if
$$) AS version;
SELECT version, ipfix_entries, netflowv9_entries, sflow_entries, custom_fields
  FROM goflow2plus.mapping();
SELECT in_if, out_if, next_hop, src_addr, extra
  FROM goflow2plus.decode(:'dg', '192.0.2.1');

-- A bad load in a transaction changes nothing, even after a good one in it.
BEGIN;
SELECT goflow2plus.load_mapping(E'ipfix:\n  mapping:\n    - {field: 252, destination: out_if}\n') AS version;
SELECT goflow2plus.load_mapping(E'ipfix:\n  mapping:\n    - {field: 252, destination: nowhere}\n');
ROLLBACK;
SELECT version, ipfix_entries FROM goflow2plus.mapping();
SELECT in_if, out_if FROM goflow2plus.decode(:'dg', '192.0.2.1');

-- An empty mapping clears it: the default decode again.
SELECT goflow2plus.load_mapping('') AS version;
SELECT in_if, out_if, next_hop, extra FROM goflow2plus.decode(:'dg', '192.0.2.1');

-- PUBLIC holds no right on the mapping functions and table.
SELECT has_function_privilege('public', 'goflow2plus.load_mapping(text)', 'EXECUTE') AS load_mapping,
       has_function_privilege('public', 'goflow2plus.mapping()', 'EXECUTE') AS mapping,
       has_table_privilege('public', 'goflow2plus.mappings', 'SELECT') AS mappings;

-- EXECUTE on load_mapping() is the whole right: no grant on the table
-- is needed, and decode() reads the mapping whatever the caller may read.
CREATE ROLE gf_map_admin NOLOGIN;
GRANT USAGE ON SCHEMA goflow2plus TO gf_map_admin;
GRANT EXECUTE ON FUNCTION goflow2plus.load_mapping(text),
    goflow2plus.decode(bytea, inet), goflow2plus.decode_reset() TO gf_map_admin;
SET ROLE gf_map_admin;
SELECT goflow2plus.load_mapping(E'ipfix:\n  mapping:\n    - {field: 253, destination: in_if}\n') > 0 AS loaded;
SELECT in_if FROM goflow2plus.decode(:'dg', '192.0.2.1');
SELECT count(*) FROM goflow2plus.mappings;
RESET ROLE;
SELECT loaded_by, ipfix_entries FROM goflow2plus.mapping();
SELECT goflow2plus.load_mapping('') > 0 AS cleared;
REVOKE ALL ON FUNCTION goflow2plus.load_mapping(text),
    goflow2plus.decode(bytea, inet), goflow2plus.decode_reset() FROM gf_map_admin;
REVOKE ALL ON SCHEMA goflow2plus FROM gf_map_admin;
DROP ROLE gf_map_admin;
