-- goflow2plus.load_context(yaml, replace): GoFlow2+'s context YAML into
-- goflow2plus.networks, devices and interfaces.  Rows of several origins
-- share the tables: typed by hand ('sql'), loaded by load_context()
-- ('load_context'), from the goflow2plus.context_config file ('file',
-- loaded by the context builder, not here) and interfaces the workers
-- learnt ('learnt').  A load is all or nothing and touches only rows of
-- its own origin (but takes over 'learnt' interfaces).
-- Each YAML text starts right after its opening $$, so "networks:" is
-- line 1 of it; messages count lines and columns from there.
\set ECHO none
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS goflow2plus;
CREATE EXTENSION goflow2plus;
RESET client_min_messages;
\set ECHO all
-- Every row of the three tables, in one order.
CREATE TEMP VIEW ctx_rows AS
SELECT 'network' AS kind, cidr::text || coalesce(' @' || host(exporter), '') AS key,
       name AS what, context::text AS context, origin
  FROM goflow2plus.networks
UNION ALL
SELECT 'device', host(exporter),
       name || coalesce(' site=' || site, '') || coalesce(' role=' || role, ''),
       context::text, origin
  FROM goflow2plus.devices
UNION ALL
SELECT 'interface', host(exporter) || '#' || if_index,
       concat_ws(' ', name, description, speed, boundary, provider,
                 'learnt:' || learnt_name),
       context::text, origin
  FROM goflow2plus.interfaces;
-- How many rows of each kind and origin: unchanged by a failed load.
CREATE TEMP VIEW ctx_counts AS
SELECT string_agg(kind || ' ' || origin || ' ' || n, ', ' ORDER BY kind, origin) AS counts
  FROM (SELECT kind, origin, count(*) AS n FROM ctx_rows GROUP BY 1, 2) s;

-- The format of docs/context_yaml.md: a global and an exporter-scoped
-- entry for one prefix, IPv6, typed context values, an exporter written
-- as IPv4-mapped IPv6 (stored as IPv4), an interface with every field and
-- one with only its key (the largest if_index).  6 rows.
SELECT goflow2plus.load_context($$networks:
  - name: web-servers
    cidr: 10.1.0.0/24
    context:
      application: web
      tier: frontend
  - name: branch-lan
    cidr: 10.1.0.0/24
    exporter: 192.0.2.1
  - name: v6-lab
    cidr: 2001:db8:10::/48
    context: {owner: lab, vlan: 42, monitored: true}
devices:
  - exporter: ::ffff:192.0.2.1
    name: edge-1
    site: par1
    role: border
    context: {vendor: juniper}
interfaces:
  - exporter: 192.0.2.1
    if_index: 3
    name: xe-0/0/1
    description: transit A
    speed: 10000000000
    boundary: external
    provider: transit-a
    context: {circuit: C-1}
  - exporter: 192.0.2.1
    if_index: 4294967295
$$);
SELECT * FROM ctx_rows ORDER BY kind, key COLLATE "C";
SELECT family(exporter) FROM goflow2plus.devices;

-- The same again without replace: its first entry (line 2) finds the row
-- the first load made.
SELECT goflow2plus.load_context($$networks:
  - name: web-servers
    cidr: 10.1.0.0/24
$$);
SELECT counts FROM ctx_counts;

-- Rows typed by hand, and interfaces the workers learnt.
INSERT INTO goflow2plus.networks (name, cidr) VALUES ('office', '192.168.0.0/16');
INSERT INTO goflow2plus.devices (exporter, name) VALUES ('203.0.113.9', 'lab-switch');
INSERT INTO goflow2plus.interfaces (exporter, if_index, origin, learnt_name, learnt_at)
VALUES ('192.0.2.1', 7, 'learnt', 'ge-0/0/7', now()),
       ('192.0.2.1', 8, 'learnt', 'ge-0/0/8', now());

-- replace: the rows of the first load go, hand rows stay, and interface 7
-- (a learnt row) is taken over in place.  3 rows written.
SELECT goflow2plus.load_context($$networks:
  - name: web-servers
    cidr: 10.1.0.0/24
    context: {application: web2}
devices:
  - exporter: 192.0.2.1
    name: edge-1b
interfaces:
  - exporter: 192.0.2.1
    if_index: 7
    name: uplink
    boundary: internal
$$, true);
SELECT * FROM ctx_rows ORDER BY kind, key COLLATE "C";

-- Errors: each names the line and column, and nothing is loaded (not even
-- the deletion of replace => true).
SELECT counts FROM ctx_counts;
-- YAML syntax: a tab in the indentation of line 3 (column 1), met while
-- libyaml reads on past the plain scalar of line 2 (which could go on).
SELECT goflow2plus.load_context(E'networks:\n  - name: a\n\tcidr: 10.0.0.0/8\n', true);
-- Host bits set: the value starts at column 11.
SELECT goflow2plus.load_context($$networks:
  - name: a
    cidr: 10.1.0.1/24
$$, true);
-- A name used twice.
SELECT goflow2plus.load_context($$networks:
  - name: a
    cidr: 10.0.0.0/8
  - name: a
    cidr: 11.0.0.0/8
$$, true);
-- A key the format does not have.
SELECT goflow2plus.load_context($$networks:
  - name: a
    cid: 10.0.0.0/8
$$, true);
-- Refused after parsing, with the line of the entry: one (cidr, exporter)
-- twice, an empty name, a device without a name, a speed past bigint.
SELECT goflow2plus.load_context($$networks:
  - name: a
    cidr: 10.0.0.0/8
  - name: b
    cidr: 10.0.0.0/8
    exporter: 192.0.2.1
  - name: c
    cidr: 10.0.0.0/8
$$, true);
SELECT goflow2plus.load_context($$networks:
  - name: ''
    cidr: 10.0.0.0/8
$$, true);
SELECT goflow2plus.load_context($$devices:
  - exporter: 192.0.2.2
    site: par1
$$, true);
SELECT goflow2plus.load_context($$interfaces:
  - exporter: 192.0.2.2
    if_index: 1
    speed: 9223372036854775808
$$, true);
-- A clash with the hand row 'office', after two entries that would load.
SELECT goflow2plus.load_context($$networks:
  - name: first
    cidr: 10.0.0.0/8
  - name: second
    cidr: 11.0.0.0/8
  - name: office-copy
    cidr: 192.168.0.0/16
$$, true);
-- An interface typed by hand is no 'learnt' row: not taken over.
INSERT INTO goflow2plus.interfaces (exporter, if_index, name) VALUES ('192.0.2.1', 9, 'hand-if');
SELECT goflow2plus.load_context($$interfaces:
  - exporter: 192.0.2.1
    if_index: 8
    name: taken-over
  - exporter: 192.0.2.1
    if_index: 9
    name: not-mine
$$, true);
DELETE FROM goflow2plus.interfaces WHERE if_index = 9;
SELECT counts FROM ctx_counts;

-- PL/pgSQL catching the error goes on normally afterwards (the load's own
-- subtransaction was closed before the error reached it).
DO $do$
BEGIN
    PERFORM goflow2plus.load_context($$devices:
  - exporter: 203.0.113.9
    name: clash
$$);
EXCEPTION WHEN unique_violation THEN
    RAISE NOTICE 'caught: %', SQLERRM;
END
$do$;
SELECT counts FROM ctx_counts;

-- An empty text with replace: every 'load_context' row goes; interface 7
-- returns to 'learnt' and keeps what was learnt.
SELECT goflow2plus.load_context('', true);
SELECT * FROM ctx_rows ORDER BY kind, key COLLATE "C";

-- The caller's rights, as SPI runs the statements as the caller: INSERT
-- adds networks and devices; interfaces (ON CONFLICT ... DO UPDATE of a
-- learnt row) and replace (DELETE ... WHERE origin, UPDATE of interfaces
-- given back) also need SELECT, UPDATE and DELETE.
CREATE ROLE regress_ctx_loader NOLOGIN;
GRANT USAGE ON SCHEMA goflow2plus TO regress_ctx_loader;
GRANT EXECUTE ON FUNCTION goflow2plus.load_context(text, boolean) TO regress_ctx_loader;
GRANT INSERT ON goflow2plus.networks, goflow2plus.devices, goflow2plus.interfaces
    TO regress_ctx_loader;
SET ROLE regress_ctx_loader;
SELECT goflow2plus.load_context($$networks:
  - name: by-loader
    cidr: 172.16.0.0/12
$$);
SELECT goflow2plus.load_context('', true);
SELECT goflow2plus.load_context($$interfaces:
  - exporter: 192.0.2.1
    if_index: 10
$$);
RESET ROLE;
GRANT SELECT, UPDATE, DELETE ON goflow2plus.networks, goflow2plus.devices,
    goflow2plus.interfaces TO regress_ctx_loader;
SET ROLE regress_ctx_loader;
SELECT goflow2plus.load_context($$interfaces:
  - exporter: 192.0.2.1
    if_index: 10
$$, true);
RESET ROLE;
SELECT counts FROM ctx_counts;
DROP OWNED BY regress_ctx_loader;
DROP ROLE regress_ctx_loader;
