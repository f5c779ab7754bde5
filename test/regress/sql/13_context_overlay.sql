-- Small changes to a large networks table are published as an overlay on
-- the last full build (src/pg/README.md "Context"): after each round of
-- random changes (renames, deletes, inserts, prefix and scope changes,
-- nested prefixes, scoped and global entries), every address of a sample
-- is enriched through decode() and compared with SQL's own
-- longest-prefix match over the table; context_status() tells overlays
-- and full builds apart.  TRUNCATE and large statements mean a full build.
\set ECHO none
\i test/regress/fixtures/packets.sql
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS goflow2plus;
RESET client_min_messages;
\set ECHO all
SELECT goflow2plus.decode_reset();
TRUNCATE goflow2plus.networks, goflow2plus.devices, goflow2plus.interfaces,
    goflow2plus.sampling_rates;
SELECT setseed(0.42);

-- A NetFlow v5 datagram from exporter 192.0.2.5 with the given source
-- addresses (at most 30): nf5_two's header and first record as templates.
CREATE TEMP TABLE tmpl AS SELECT :'nf5_two'::bytea AS p;
CREATE FUNCTION pg_temp.v5(src inet[]) RETURNS bytea LANGUAGE sql AS $$
  SELECT overlay(substr(t.p, 1, 24) PLACING int2send(cardinality(src)::int2) FROM 3 FOR 2) ||
         string_agg(overlay(substr(t.p, 25, 48)
                            PLACING decode(lpad(to_hex(s - '0.0.0.0'::inet), 8, '0'), 'hex')
                            FROM 1 FOR 4), ''::bytea ORDER BY i)
    FROM tmpl t, unnest(src) WITH ORDINALITY AS u(s, i) GROUP BY t.p
$$;

-- Random prefixes nested inside 10.0.0.0/12, a fifth scoped to the
-- exporter the datagrams come from or to another one.
CREATE FUNCTION pg_temp.random_cidr() RETURNS cidr LANGUAGE sql VOLATILE AS $$
  SELECT set_masklen('10.0.0.0'::inet + (random() * 1048575)::bigint,
                     8 + (random() * 24)::int)::cidr
$$;
CREATE FUNCTION pg_temp.random_scope() RETURNS inet LANGUAGE sql VOLATILE AS $$
  SELECT CASE WHEN r < 0.1 THEN '192.0.2.5'::inet WHEN r < 0.2 THEN '192.0.2.6'::inet END
    FROM (SELECT random() AS r) x
$$;
INSERT INTO goflow2plus.networks (name, cidr, exporter)
  SELECT 'n' || g, pg_temp.random_cidr(), pg_temp.random_scope()
    FROM generate_series(1, 4000) g
  ON CONFLICT DO NOTHING;
SELECT goflow2plus.context_wait(20000);

-- The addresses looked up: inside random networks, and anywhere near.
CREATE TEMP TABLE addrs AS
  SELECT i, CASE WHEN i % 2 = 0
                 THEN (SELECT cidr FROM goflow2plus.networks OFFSET (random() * 3000)::int LIMIT 1)
                      + (random() * 255)::bigint
                 ELSE '10.0.0.0'::inet + (random() * 1048575)::bigint END AS a
    FROM generate_series(1, 600) i;
UPDATE addrs SET a = host(a)::inet;

-- Mismatches of decode() against SQL's longest-prefix match (a scoped
-- entry of the datagram's exporter beats a global one of the same length).
CREATE FUNCTION pg_temp.mismatches(OUT bad bigint, OUT matched bigint) LANGUAGE sql AS $$
  WITH got AS (
    SELECT d.src_addr, d.src_group
      FROM (SELECT (i - 1) / 30 AS chunk, array_agg(a ORDER BY i) AS src FROM addrs GROUP BY 1) c,
           goflow2plus.decode(pg_temp.v5(c.src), '192.0.2.5') d),
  want AS (
    SELECT a.a, (SELECT n.name FROM goflow2plus.networks n
                  WHERE n.cidr >>= a.a AND (n.exporter IS NULL OR n.exporter = '192.0.2.5')
                  ORDER BY masklen(n.cidr) DESC, n.exporter IS NULL LIMIT 1) AS name
      FROM addrs a)
  SELECT count(*) FILTER (WHERE g.src_group IS DISTINCT FROM w.name),
         count(*) FILTER (WHERE w.name IS NOT NULL)
    FROM (SELECT DISTINCT a, name FROM want) w JOIN (SELECT DISTINCT src_addr, src_group FROM got) g
      ON g.src_addr = w.a
$$;
SELECT bad, matched > 400 AS most_match FROM pg_temp.mismatches();
SELECT full_builds AS full0, overlay_builds AS ov0 FROM goflow2plus.context_status() \gset

-- One round of random changes, each statement small.
CREATE FUNCTION pg_temp.round() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  UPDATE goflow2plus.networks SET name = name || 'r'
   WHERE id IN (SELECT id FROM goflow2plus.networks ORDER BY random() LIMIT 20);
  DELETE FROM goflow2plus.networks
   WHERE id IN (SELECT id FROM goflow2plus.networks ORDER BY random() LIMIT 20);
  INSERT INTO goflow2plus.networks (name, cidr, exporter)
    SELECT 'i' || g || '-' || floor(random() * 1e9), pg_temp.random_cidr(), pg_temp.random_scope()
      FROM generate_series(1, 30) g
    ON CONFLICT DO NOTHING;
  FOR r IN SELECT id FROM goflow2plus.networks ORDER BY random() LIMIT 10 LOOP
    BEGIN
      IF random() < 0.5 THEN
        UPDATE goflow2plus.networks SET cidr = pg_temp.random_cidr() WHERE id = r.id;
      ELSE
        UPDATE goflow2plus.networks SET exporter = pg_temp.random_scope() WHERE id = r.id;
      END IF;
    EXCEPTION WHEN unique_violation THEN NULL;
    END;
  END LOOP;
END
$$;

SELECT pg_temp.round();
SELECT goflow2plus.context_wait(20000);
SELECT bad, matched > 400 AS most_match FROM pg_temp.mismatches();
SELECT pg_temp.round();
SELECT goflow2plus.context_wait(20000);
SELECT bad, matched > 400 AS most_match FROM pg_temp.mismatches();
SELECT pg_temp.round();
SELECT pg_temp.round();
SELECT goflow2plus.context_wait(20000);
SELECT bad, matched > 400 AS most_match FROM pg_temp.mismatches();
-- Those were overlays: no full build since, and the counts add up.
SELECT full_builds = :full0 AS no_full_build, overlay_builds > :ov0 AS overlays,
       networks = (SELECT count(*) FROM goflow2plus.networks) AS networks_counted,
       overlay_networks > 0 AS has_overlay, stale_networks > 0 AS has_stale
  FROM goflow2plus.context_status();

-- An aborted change logs nothing and changes nothing.
BEGIN;
DELETE FROM goflow2plus.networks;
ROLLBACK;
SELECT goflow2plus.context_wait(20000);
SELECT bad FROM pg_temp.mismatches();

-- A mapped spelling of a prefix already there is the same key: refused
-- as a duplicate, the context in use stays.
INSERT INTO goflow2plus.networks (name, cidr) VALUES ('v4', '10.200.0.0/16');
SELECT goflow2plus.context_wait(20000);
INSERT INTO goflow2plus.networks (name, cidr) VALUES ('mapped', '::ffff:10.200.0.0/112');
SELECT goflow2plus.context_wait(3000) AS published;
SELECT last_error IS NOT NULL AS refused FROM goflow2plus.context_status();
DELETE FROM goflow2plus.networks WHERE name IN ('v4', 'mapped');
SELECT goflow2plus.context_wait(20000);
SELECT last_error FROM goflow2plus.context_status();
SELECT bad FROM pg_temp.mismatches();

-- TRUNCATE means a full build (then a plain overlay again).
SELECT full_builds AS full1 FROM goflow2plus.context_status() \gset
TRUNCATE goflow2plus.networks;
INSERT INTO goflow2plus.networks (name, cidr) VALUES ('ten', '10.0.0.0/8');
SELECT goflow2plus.context_wait(20000);
SELECT full_builds > :full1 AS full_build FROM goflow2plus.context_status();
SELECT bad, matched FROM pg_temp.mismatches();
TRUNCATE goflow2plus.networks;
SELECT goflow2plus.context_wait(20000);
