-- Context enrichment through goflow2plus.decode(): networks (most
-- specific wins, a scoped entry beats a global one of the same length,
-- IPv4 never matches IPv6, IPv4-mapped IPv6 is looked up as IPv4),
-- devices, interfaces (user values beat learnt ones), sampling rates
-- (default, override, per interface) and the rate source.  decode()
-- enriches with the context the builder published; context_wait() waits
-- until every committed change is in it.
\set ECHO none
\i test/regress/fixtures/packets.sql
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS goflow2plus;
RESET client_min_messages;
\set ECHO all
SELECT goflow2plus.decode_reset();

-- Nothing in the tables: no flow carries context.
SELECT goflow2plus.context_wait(10000);
SELECT src_addr, dst_addr, src_group, dst_group, src_context, device_name,
       in_if_name, sampling_rate, sampling_rate_source
  FROM goflow2plus.decode(:'nf5_two', :'nf5_two_exporter') ORDER BY src_addr;

-- nf5_two: 10.1.2.3 -> 192.168.7.9 (in_if 3, out_if 7) and
-- 172.16.5.4 -> 8.8.8.8 (in_if 1, out_if 2), exporter 192.0.2.5.
INSERT INTO goflow2plus.networks (name, cidr, context) VALUES
    ('web-servers', '10.1.2.0/24', '{"application": "web", "tier": "frontend"}'),
    ('ten', '10.0.0.0/8', '{}'),
    ('lan', '192.168.0.0/16', '{"site": "hq"}'),
    ('everything-v6', '::/0', '{}');
SELECT goflow2plus.context_wait(10000);
SELECT src_addr, src_group, dst_group, src_context, dst_context
  FROM goflow2plus.decode(:'nf5_two', :'nf5_two_exporter') ORDER BY src_addr;

-- Most specific wins: a /32 inside the /24.
INSERT INTO goflow2plus.networks (name, cidr) VALUES ('one-host', '10.1.2.3/32');
SELECT goflow2plus.context_wait(10000);
SELECT src_addr, src_group FROM goflow2plus.decode(:'nf5_two', :'nf5_two_exporter') ORDER BY src_addr;

-- A scoped entry of the same length beats the global one, only for its
-- exporter.
INSERT INTO goflow2plus.networks (name, cidr, exporter) VALUES
    ('lan-behind-192.0.2.5', '192.168.0.0/16', '192.0.2.5');
SELECT goflow2plus.context_wait(10000);
SELECT 'scoped exporter' AS seen_from, dst_group
  FROM goflow2plus.decode(:'nf5_two', :'nf5_two_exporter') WHERE src_addr = '10.1.2.3'
UNION ALL
SELECT 'other exporter', dst_group
  FROM goflow2plus.decode(:'nf5_two', '192.0.2.99') WHERE src_addr = '10.1.2.3';

-- UPDATE and DELETE take effect the same way.
UPDATE goflow2plus.networks SET name = 'web', context = '{"tier": "edge"}'
 WHERE name = 'web-servers';
DELETE FROM goflow2plus.networks WHERE name = 'one-host';
SELECT goflow2plus.context_wait(10000);
SELECT src_addr, src_group, src_context
  FROM goflow2plus.decode(:'nf5_two', :'nf5_two_exporter') ORDER BY src_addr;

-- The same prefix twice in one scope is refused by the table.
INSERT INTO goflow2plus.networks (name, cidr) VALUES ('again', '10.0.0.0/8');
INSERT INTO goflow2plus.networks (name, cidr, exporter) VALUES ('again', '192.168.0.0/16', '192.0.2.5');
-- A context must be an object.
INSERT INTO goflow2plus.networks (name, cidr, context) VALUES ('bad', '10.9.0.0/16', '[1]');

-- IPv6: ipfix_data carries 2001:db8::1 -> 2001:db8:0:1::2 and
-- fe80::1 -> ff02::1.  IPv4 prefixes (10/8 ...) never match them; ::/0
-- matches every IPv6 address.
INSERT INTO goflow2plus.networks (name, cidr) VALUES
    ('doc-v6', '2001:db8::/32'), ('doc-v6-sub1', '2001:db8:0:1::/64');
SELECT goflow2plus.context_wait(10000);
SELECT count(*) FROM goflow2plus.decode(:'ipfix_templates', :'ipfix_templates_exporter');
SELECT src_addr, dst_addr, src_group, dst_group
  FROM goflow2plus.decode(:'ipfix_data', :'ipfix_data_exporter') ORDER BY src_addr;

-- IPv4-mapped IPv6 is looked up as IPv4: a sampler address seen as
-- ::ffff:192.0.2.5 (a dual-stack socket) is 192.0.2.5 and gets its scope.
-- (Flow addresses: test/unit/test_context.c.)
SELECT dst_group AS mapped_exporter_scope
  FROM goflow2plus.decode(:'nf5_two', '::ffff:192.0.2.5') WHERE src_addr = '10.1.2.3';

-- Devices and interfaces.
INSERT INTO goflow2plus.devices (exporter, name, site, role, context) VALUES
    ('192.0.2.5', 'edge-1', 'par1', 'edge', '{"vendor": "acme"}');
INSERT INTO goflow2plus.interfaces (exporter, if_index, name, description, speed, boundary, provider) VALUES
    ('192.0.2.5', 3, 'xe-0/0/3', 'transit A', 10000000000, 'external', 'transit-a'),
    ('192.0.2.5', 7, 'ae0', NULL, NULL, 'internal', NULL);
-- A learnt row: its learnt_* values show where the user set none; a user
-- value wins.
INSERT INTO goflow2plus.interfaces (exporter, if_index, origin, learnt_name, learnt_description, learnt_speed, learnt_at) VALUES
    ('192.0.2.5', 1, 'learnt', 'ge-0/0/1', 'learnt description', 1000000000, now());
UPDATE goflow2plus.interfaces SET learnt_name = 'ae0-learnt', learnt_description = 'core uplink'
 WHERE if_index = 7;
SELECT goflow2plus.context_wait(10000);
SELECT src_addr, device_name, device_site, device_role, device_context,
       in_if, in_if_name, in_if_description, in_if_speed, in_if_boundary, in_if_provider,
       out_if, out_if_name, out_if_description, out_if_boundary
  FROM goflow2plus.decode(:'nf5_two', :'nf5_two_exporter') ORDER BY src_addr;
-- Another exporter's flows get none of that.
SELECT DISTINCT device_name, in_if_name FROM goflow2plus.decode(:'nf5_two', '192.0.2.99');

-- Sampling rates.  nf5_two says 100 in its header; nf9_data carries no rate.
SELECT count(*) FROM goflow2plus.decode(:'nf9_template', :'nf9_template_exporter');
SELECT :'nf9_data_exporter' AS nf9_exporter;
SELECT DISTINCT sampling_rate, sampling_rate_source
  FROM goflow2plus.decode(:'nf9_data', :'nf9_data_exporter');
-- A default fills only a missing rate, per exporter prefix.
INSERT INTO goflow2plus.sampling_rates (exporter, rate, kind) VALUES ('0.0.0.0/0', 512, 'default');
SELECT goflow2plus.context_wait(10000);
SELECT DISTINCT sampling_rate, sampling_rate_source
  FROM goflow2plus.decode(:'nf9_data', :'nf9_data_exporter');
SELECT DISTINCT sampling_rate, sampling_rate_source
  FROM goflow2plus.decode(:'nf5_two', :'nf5_two_exporter');
-- An override replaces what was sent; one naming the flow's in_if beats
-- one for every interface; then the longest exporter prefix.
INSERT INTO goflow2plus.sampling_rates (exporter, if_index, rate, kind) VALUES
    ('192.0.2.0/24', NULL, 1000, 'override'),
    ('192.0.2.5/32', NULL, 2000, 'override'),
    ('192.0.2.0/24', 3, 4000, 'override');
SELECT goflow2plus.context_wait(10000);
SELECT src_addr, in_if, sampling_rate, sampling_rate_source
  FROM goflow2plus.decode(:'nf5_two', :'nf5_two_exporter') ORDER BY src_addr;
SELECT DISTINCT sampling_rate, sampling_rate_source
  FROM goflow2plus.decode(:'nf5_two', '192.0.2.99');
SELECT DISTINCT sampling_rate, sampling_rate_source
  FROM goflow2plus.decode(:'nf5_two', '198.51.100.1');

-- TRUNCATE empties the context.
TRUNCATE goflow2plus.networks, goflow2plus.devices, goflow2plus.interfaces,
    goflow2plus.sampling_rates;
SELECT goflow2plus.context_wait(10000);
SELECT DISTINCT src_group, device_name, in_if_name, sampling_rate_source
  FROM goflow2plus.decode(:'nf5_two', :'nf5_two_exporter');
SELECT networks, devices, interfaces, sampling_rates, generation > 0 AS published,
       last_error
  FROM goflow2plus.context_status();
