-- Privileges: reading flows, changing the state the workers load and
-- changing listeners are three rights; PUBLIC holds none.  The roles are
-- made with the GRANT recipes of README.md ("Privileges"), then each one
-- tries what it may and may not do.  decode() is granted to readers, so
-- its per-session limits are checked here as a reader.
\set ECHO none
\i test/regress/fixtures/packets.sql
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS goflow2plus;
CREATE EXTENSION goflow2plus;
RESET client_min_messages;
\set ECHO all
-- Every object of the extension (and its schema), with what anyone but
-- its owner holds on it.  Owner names are left out: they are whoever ran
-- the tests.
CREATE TEMP VIEW gf_acl AS
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'goflow2plus'),
objs AS (
    SELECT 'table ' || c.oid::regclass AS object,
           coalesce(c.relacl, acldefault('r', c.relowner)) AS acl, c.relowner AS owner
      FROM pg_class c JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
     WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = (SELECT oid FROM ext)
       AND d.deptype = 'e'
    UNION ALL
    SELECT 'function ' || p.oid::regprocedure,
           coalesce(p.proacl, acldefault('f', p.proowner)), p.proowner
      FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
     WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = (SELECT oid FROM ext)
       AND d.deptype = 'e'
    UNION ALL
    SELECT 'schema ' || n.nspname, coalesce(n.nspacl, acldefault('n', n.nspowner)), n.nspowner
      FROM pg_namespace n WHERE n.nspname = 'goflow2plus'
)
SELECT object,
       coalesce((SELECT string_agg(CASE WHEN a.grantee = 0 THEN 'PUBLIC'
                                        ELSE a.grantee::regrole::text END
                                   || ' ' || a.privilege_type, ', '
                                   ORDER BY 1)
                   FROM aclexplode(acl) a WHERE a.grantee <> owner), '-') AS others_hold,
       (SELECT rolsuper FROM pg_roles WHERE oid = owner) AS owner_is_superuser
  FROM objs;
-- Straight after CREATE EXTENSION: nothing for anyone but the owner
-- (functions would be EXECUTE for PUBLIC had the script not revoked it).
SELECT * FROM gf_acl ORDER BY object;
-- Nothing runs with its owner's rights.
SELECT p.oid::regprocedure AS security_definer
  FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'goflow2plus')
   AND d.deptype = 'e' AND p.prosecdef;

-- The recipe of README.md, with regress_ names.
CREATE ROLE regress_gf_reader NOLOGIN;
GRANT USAGE ON SCHEMA goflow2plus TO regress_gf_reader;
GRANT SELECT ON goflow2plus.flows, goflow2plus.interface_counters,
    goflow2plus.sflow_drops TO regress_gf_reader;
GRANT EXECUTE ON FUNCTION goflow2plus.decode(bytea, inet),
    goflow2plus.decode_reset(), goflow2plus.stats(),
    goflow2plus.exporters(), goflow2plus.listeners(), goflow2plus.metrics() TO regress_gf_reader;
CREATE ROLE regress_gf_admin NOLOGIN IN ROLE regress_gf_reader;
GRANT SELECT, INSERT, UPDATE, DELETE ON goflow2plus.templates,
    goflow2plus.sampling TO regress_gf_admin;
CREATE ROLE regress_gf_listener NOLOGIN;
GRANT ALTER SYSTEM ON PARAMETER goflow2plus.listen TO regress_gf_listener;
-- A role given nothing.
CREATE ROLE regress_gf_user NOLOGIN;
SELECT * FROM gf_acl ORDER BY object;
-- Parameter privileges held by roles that are not superusers.
SELECT p.parname, a.grantee::regrole, a.privilege_type
  FROM pg_parameter_acl p, aclexplode(p.paracl) a
 WHERE p.parname LIKE 'goflow2plus.%'
   AND NOT (SELECT rolsuper FROM pg_roles WHERE oid = a.grantee)
 ORDER BY 1, 2, 3;

-- Datagrams the roles will send, built here as psql variables.
-- An IPFIX message of domain 1 around the given sets.
CREATE FUNCTION pg_temp.u16(int) RETURNS bytea IMMUTABLE LANGUAGE sql
    AS $$ SELECT substring(int4send($1) FROM 3 FOR 2) $$;
CREATE FUNCTION pg_temp.ipfix(sets bytea) RETURNS bytea IMMUTABLE LANGUAGE sql
    AS $$ SELECT '\x000a'::bytea || pg_temp.u16(16 + length(sets))
                 || '\x000000000000000000000001'::bytea || sets $$;
-- A template set of n templates (ids first, first + 1, ...) of f fields,
-- each field protocolIdentifier (IE 4, 1 byte), so a record is f bytes.
CREATE FUNCTION pg_temp.tset(first int, n int, f int) RETURNS bytea IMMUTABLE LANGUAGE sql
    AS $$ SELECT pg_temp.u16(2) || pg_temp.u16(4 + n * (4 + 4 * f))
                 || string_agg(pg_temp.u16(first + i) || pg_temp.u16(f)
                               || decode(repeat('00040001', f), 'hex'), ''::bytea ORDER BY i)
            FROM generate_series(0, n - 1) i $$;
-- A data set for template tid of nbytes bytes (nbytes one-byte records).
CREATE FUNCTION pg_temp.dset(tid int, nbytes int) RETURNS bytea IMMUTABLE LANGUAGE sql
    AS $$ SELECT pg_temp.u16(tid) || pg_temp.u16(4 + nbytes) || decode(repeat('06', nbytes), 'hex') $$;
SELECT pg_temp.ipfix(pg_temp.tset(256, 256, 1)) AS tpl_256_ids,
       pg_temp.ipfix(pg_temp.tset(512, 1, 1)) AS tpl_one_more,
       pg_temp.ipfix(pg_temp.tset(600, 1, 512)) AS tpl_512_fields,
       pg_temp.ipfix(pg_temp.tset(601, 1, 513)) AS tpl_513_fields,
       pg_temp.ipfix(pg_temp.dset(700, 40000)) AS data_40000,
       pg_temp.ipfix(pg_temp.tset(700, 1, 1)) AS tpl_700,
       pg_temp.ipfix(pg_temp.dset(800, 60000)) AS data_60000,
       pg_temp.ipfix(pg_temp.tset(800, 1, 1) || pg_temp.dset(800, 5600)) AS tpl_800_and_data,
       pg_temp.ipfix(pg_temp.dset(900, 100)) AS data_small
\gset

-- 1. A reader reads the tables and decodes; it writes nothing.
SET ROLE regress_gf_reader;
SELECT count(*) >= 0 AS flows_readable FROM goflow2plus.flows;
SELECT count(*) >= 0 AS counters_readable FROM goflow2plus.interface_counters;
SELECT count(*) >= 0 AS drops_readable FROM goflow2plus.sflow_drops;
SELECT count(*) AS workers FROM goflow2plus.stats();
SELECT count(*) AS exporters FROM goflow2plus.exporters();
SELECT count(*) AS listeners FROM goflow2plus.listeners();
SELECT goflow2plus.metrics() LIKE '%# TYPE goflow2_flow_traffic_bytes counter%' AS metrics_readable;
SELECT src_addr, dst_addr, bytes FROM goflow2plus.decode(:'nf5_two', :'nf5_two_exporter');
SELECT goflow2plus.decode_reset();
INSERT INTO goflow2plus.flows (type, time_received) VALUES ('x', now());
DELETE FROM goflow2plus.flows;
TRUNCATE goflow2plus.flows;
SELECT count(*) FROM goflow2plus.templates;
DELETE FROM goflow2plus.sampling;
SELECT goflow2plus._write_decoded(:'nf5_two');
CREATE TRIGGER t BEFORE INSERT ON goflow2plus.flows
    FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
CREATE TABLE goflow2plus.mine (a int);
ALTER SYSTEM SET goflow2plus.listen = '';
RESET ROLE;

-- 2. decode() as a reader: what one session can make the backend hold.
SET ROLE regress_gf_reader;
-- A payload is one UDP datagram at most: 65535 bytes is decoded (and
-- refused as no known protocol), one more byte is refused before that.
SELECT count(*) FROM goflow2plus.decode(decode(repeat('00', 65535), 'hex'));
SELECT count(*) FROM goflow2plus.decode(decode(repeat('00', 65536), 'hex'));
-- 1024 templates (256 from each of four exporters) are kept; the 1025th
-- is refused with the limit named, and decode_reset() makes room.
SELECT count(*) FROM generate_series(1, 4) e,
       goflow2plus.decode(:'tpl_256_ids', ('192.0.2.' || e)::inet);
SELECT count(*) FROM goflow2plus.decode(:'tpl_one_more', '192.0.2.5');
SELECT goflow2plus.decode_reset();
SELECT count(*) FROM goflow2plus.decode(:'tpl_one_more', '192.0.2.5');
-- A template of 512 fields is kept, one of 513 is not.
SELECT count(*) FROM goflow2plus.decode(:'tpl_512_fields', '192.0.2.5');
SELECT count(*) FROM goflow2plus.decode(:'tpl_513_fields', '192.0.2.5');
-- Data waiting for its template: 64 kB per exporter.  A second 40 kB
-- set does not fit and is dropped with a WARNING; the first is decoded
-- when its template comes.
SELECT goflow2plus.decode_reset();
SELECT count(*) FROM goflow2plus.decode(:'data_40000', '192.0.2.6');
SELECT count(*) FROM goflow2plus.decode(:'data_40000', '192.0.2.6');
SELECT count(*) FROM goflow2plus.decode(:'tpl_700', '192.0.2.6');
-- ... and at most 64 exporters hold state of any kind: 192.0.2.6 holds a
-- template, so the 64th and 65th exporter with data waiting are dropped.
SELECT count(*) FROM generate_series(1, 65) e,
       goflow2plus.decode(:'data_small', ('198.51.100.' || e)::inet);
-- One call returns at most 65536 records: 60000 waiting and 5600 more in
-- the datagram that brings their template are refused together.
SELECT goflow2plus.decode_reset();
SELECT count(*) FROM goflow2plus.decode(:'data_60000', '192.0.2.7');
SELECT count(*) FROM goflow2plus.decode(:'tpl_800_and_data', '192.0.2.7');
SELECT goflow2plus.decode_reset();
RESET ROLE;

-- 3. An admin is a reader that may also change the saved templates and
-- sampling rates; not the flows, not the listeners.
SET ROLE regress_gf_admin;
SELECT count(*) >= 0 AS flows_readable FROM goflow2plus.flows;
SELECT count(*) FROM goflow2plus.decode(:'nf5_two', :'nf5_two_exporter');
INSERT INTO goflow2plus.templates VALUES
    ('192.0.2.1', 10, 1, 256, 'data', '\x010001000000040001', now());
UPDATE goflow2plus.templates SET updated = updated WHERE exporter = '192.0.2.1';
DELETE FROM goflow2plus.templates WHERE exporter = '192.0.2.1';
INSERT INTO goflow2plus.sampling VALUES
    ('192.0.2.1', 10, 1, false, 0, 100, NULL, now());
DELETE FROM goflow2plus.sampling WHERE exporter = '192.0.2.1';
TRUNCATE goflow2plus.templates;
DELETE FROM goflow2plus.flows;
SELECT goflow2plus._write_decoded(:'nf5_two');
CREATE TRIGGER t BEFORE INSERT ON goflow2plus.templates
    FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
ALTER SYSTEM SET goflow2plus.listen = '';
RESET ROLE;

-- 4. A role given nothing does not even reach the schema; with USAGE on
-- the schema alone it still reaches nothing in it.
SET ROLE regress_gf_user;
SELECT count(*) FROM goflow2plus.flows;
SELECT count(*) FROM goflow2plus.decode(:'nf5_two');
RESET ROLE;
GRANT USAGE ON SCHEMA goflow2plus TO regress_gf_user;
SET ROLE regress_gf_user;
SELECT count(*) FROM goflow2plus.flows;
SELECT count(*) FROM goflow2plus.templates;
SELECT count(*) FROM goflow2plus.decode(:'nf5_two');
SELECT goflow2plus.decode_reset();
SELECT count(*) FROM goflow2plus.stats();
SELECT goflow2plus._write_decoded(:'nf5_two');
INSERT INTO goflow2plus.sampling VALUES
    ('192.0.2.1', 10, 1, false, 0, 100, NULL, now());
RESET ROLE;
REVOKE USAGE ON SCHEMA goflow2plus FROM regress_gf_user;

-- 5. Listeners: ALTER SYSTEM is superuser-only unless granted per
-- parameter.  The listener role may set goflow2plus.listen (it takes
-- effect at the next start) and nothing else, and reads no flow.
SET ROLE regress_gf_listener;
ALTER SYSTEM SET goflow2plus.listen = 'netflow://127.0.0.1:2055';
ALTER SYSTEM RESET goflow2plus.listen;
ALTER SYSTEM SET goflow2plus.batch_size = 100;
ALTER SYSTEM SET goflow2plus.database = 'postgres';
SELECT count(*) FROM goflow2plus.flows;
RESET ROLE;

-- Cleanup.
REVOKE ALTER SYSTEM ON PARAMETER goflow2plus.listen FROM regress_gf_listener;
REVOKE ALL ON ALL TABLES IN SCHEMA goflow2plus
    FROM regress_gf_reader, regress_gf_admin;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA goflow2plus
    FROM regress_gf_reader, regress_gf_admin;
REVOKE ALL ON SCHEMA goflow2plus FROM regress_gf_reader;
DROP ROLE regress_gf_admin, regress_gf_reader, regress_gf_listener, regress_gf_user;
SELECT * FROM gf_acl ORDER BY object;
