-- goflow2plus 0.1: the flow table, the interface counter table, the sFlow
-- drop table and the SQL-callable decoder.  Column names are GoFlow2's JSON keys so that
-- queries written against GoFlow2's output carry over.

\echo Use "CREATE EXTENSION goflow2plus" to load this file. \quit

-- One row per flow record.  UNLOGGED: flows are high volume and
-- re-exported continuously; a crash empties the table rather than
-- slowing every insert with WAL.  Users may add indexes, triggers or
-- partitions: the writer notices and takes the path that honours them.
CREATE UNLOGGED TABLE goflow2plus.flows (
    type                  text NOT NULL,
    time_received         timestamptz NOT NULL,
    time_flow_start       timestamptz,
    time_flow_end         timestamptz,
    sequence_num          bigint,
    sampling_rate         bigint,
    sampler_address       inet,
    bytes                 bigint,
    packets               bigint,
    src_addr              inet,
    dst_addr              inet,
    etype                 int,
    proto                 int,
    src_port              int,
    dst_port              int,
    in_if                 bigint,
    out_if                bigint,
    src_mac               macaddr,
    dst_mac               macaddr,
    src_vlan              bigint,
    dst_vlan              bigint,
    vlan_id               bigint,
    ip_tos                int,
    ip_ttl                int,
    ip_flags              int,
    tcp_flags             int,
    forwarding_status     int,
    icmp_type             int,
    icmp_code             int,
    ipv6_flow_label       int,
    fragment_id           bigint,
    fragment_offset       int,
    src_as                bigint,
    dst_as                bigint,
    next_hop              inet,
    next_hop_as           bigint,
    src_net               cidr,
    dst_net               cidr,
    bgp_next_hop          inet,
    bgp_communities       bigint[],
    as_path               bigint[],
    mpls_label            int[],
    observation_domain_id bigint,
    observation_point_id  bigint,
    in_if_format          int,
    out_if_format         int,
    vxlan_vni             bigint,
    -- Context enrichment (goflow2plus.networks, devices, interfaces,
    -- sampling_rates; GeoIP): NULL where nothing matched.
    sampling_rate_source  text,
    src_group             text,
    dst_group             text,
    src_context           jsonb,
    dst_context           jsonb,
    device_name           text,
    device_site           text,
    device_role           text,
    device_context        jsonb,
    in_if_name            text,
    in_if_description     text,
    in_if_speed           bigint,
    in_if_boundary        text,
    in_if_provider        text,
    out_if_name           text,
    out_if_description    text,
    out_if_speed          bigint,
    out_if_boundary       text,
    out_if_provider       text,
    src_country           text,
    dst_country           text
);

COMMENT ON TABLE goflow2plus.flows IS
    'One row per decoded flow record (NetFlow v5/v9, IPFIX, sFlow v5). bytes and packets are as received; multiply by sampling_rate to estimate totals.';
COMMENT ON COLUMN goflow2plus.flows.bytes IS
    'Unsigned 64-bit on the wire; a value above 2^63-1 (no real flow sends one) does not fit bigint and is stored as NULL.';
COMMENT ON COLUMN goflow2plus.flows.packets IS
    'Unsigned 64-bit on the wire; a value above 2^63-1 (no real flow sends one) does not fit bigint and is stored as NULL.';
COMMENT ON COLUMN goflow2plus.flows.in_if_format IS
    'sFlow interface format: 0 ifIndex, 1 packet discarded (in_if/out_if holds the reason), 2 multiple interfaces (in_if/out_if holds the count)';

COMMENT ON COLUMN goflow2plus.flows.sampling_rate_source IS
    'Where sampling_rate came from: packet_header (NetFlow v5), record (a field of the flow record), options (NetFlow v9/IPFIX options data), sflow (the sFlow sample), default or override (goflow2plus.sampling_rates); NULL when no rate is known.';
COMMENT ON COLUMN goflow2plus.flows.src_group IS
    'Name of the most specific goflow2plus.networks entry holding src_addr (an entry scoped to this exporter wins over a global one of the same length).';
COMMENT ON COLUMN goflow2plus.flows.src_country IS
    'ISO 3166 country code of src_addr from the goflow2plus.db_country database.';

-- sFlow counter samples: one row per interface per sample.
CREATE UNLOGGED TABLE goflow2plus.interface_counters (
    time_received        timestamptz NOT NULL,
    sampler_address      inet,
    sub_agent_id         bigint,
    sequence_num         bigint,
    source_id_type       int,
    source_id_index      bigint,
    if_index             bigint,
    if_type              bigint,
    speed                numeric,
    direction            int,
    status               int,
    in_octets            numeric,
    in_ucast_pkts        bigint,
    in_multicast_pkts    bigint,
    in_broadcast_pkts    bigint,
    in_discards          bigint,
    in_errors            bigint,
    in_unknown_protos    bigint,
    out_octets           numeric,
    out_ucast_pkts       bigint,
    out_multicast_pkts   bigint,
    out_broadcast_pkts   bigint,
    out_discards         bigint,
    out_errors           bigint,
    promiscuous_mode     int,
    dot3_alignment_errors            bigint,
    dot3_fcs_errors                  bigint,
    dot3_single_collision_frames     bigint,
    dot3_multiple_collision_frames   bigint,
    dot3_sqe_test_errors             bigint,
    dot3_deferred_transmissions      bigint,
    dot3_late_collisions             bigint,
    dot3_excessive_collisions        bigint,
    dot3_internal_mac_transmit_errors bigint,
    dot3_carrier_sense_errors        bigint,
    dot3_frame_too_longs             bigint,
    dot3_internal_mac_receive_errors bigint,
    dot3_symbol_errors               bigint
);

-- sFlow discarded packet ("drop") samples, sample format 5 of the sFlow
-- dropped packet notification extension: one row per sample.
CREATE UNLOGGED TABLE goflow2plus.sflow_drops (
    time_received        timestamptz NOT NULL,
    sampler_address      inet,
    sub_agent_id         bigint,
    sequence_num         bigint,
    source_id_type       int,
    source_id_index      bigint,
    drops                bigint,
    in_if                bigint,
    out_if               bigint,
    reason               int,
    header_protocol      int,
    frame_length         bigint,
    header               bytea,
    src_addr             inet,
    dst_addr             inet,
    etype                int,
    proto                int,
    src_port             int,
    dst_port             int,
    src_mac              macaddr,
    dst_mac              macaddr,
    vlan_id              bigint
);

COMMENT ON TABLE goflow2plus.sflow_drops IS
    'One row per sFlow discarded packet sample (format 5). sequence_num is the sample''s own sequence number. The address, port, MAC and VLAN columns are parsed from header; NULL when the header did not show them.';
COMMENT ON COLUMN goflow2plus.sflow_drops.reason IS
    'sFlow drop_reason code (sFlow dropped packet notification extension), e.g. 0 net_unreachable, 1 host_unreachable, 2 protocol_unreachable, 3 port_unreachable, 256 unknown, 257 ttl_exceeded, 258 acl. Count per reason: SELECT reason, count(*) FROM goflow2plus.sflow_drops GROUP BY 1.';
COMMENT ON COLUMN goflow2plus.sflow_drops.drops IS
    'Discards the agent could not report (lost notifications), as sent.';
COMMENT ON COLUMN goflow2plus.sflow_drops.in_if IS
    'Input ifIndex as sent: 0 when unknown; some agents send 0x3fffffff (internal).';
COMMENT ON COLUMN goflow2plus.sflow_drops.header IS
    'The dropped packet''s header as received (raw packet header record), at most its first 256 bytes; NULL, like header_protocol and frame_length, when the sample had no header record.';

-- NetFlow v9 / IPFIX state the workers learnt from exporters, kept so that
-- a restart decodes data at once instead of waiting (often 5 to 30
-- minutes) for every exporter to resend its templates.  Ordinary (logged)
-- tables: they must survive a crash.  Workers read them at start and
-- write only what changed; rows are checked like templates from the wire,
-- and a bad row is ignored (counted in nf_state_import_rejected).
CREATE TABLE goflow2plus.templates (
    exporter     inet NOT NULL,
    version      int NOT NULL,          -- 9 (NetFlow v9) or 10 (IPFIX)
    domain_id    bigint NOT NULL,       -- v9 source id / IPFIX observation domain
    template_id  int NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('data', 'options')),
    fields       bytea NOT NULL,
    updated      timestamptz NOT NULL,
    PRIMARY KEY (exporter, version, domain_id, template_id)
);

COMMENT ON TABLE goflow2plus.templates IS
    'NetFlow v9 / IPFIX templates the workers learnt, read back at start. Delete rows to forget them (takes effect at the next start).';
COMMENT ON COLUMN goflow2plus.templates.fields IS
    'Format byte 1, u16 field count, u16 scope field count, then per field u16 element id (IPFIX enterprise bit 0x8000 kept), u16 length (65535: variable) and a u32 enterprise number when the bit is set; big-endian.';
COMMENT ON COLUMN goflow2plus.templates.updated IS
    'When this layout was received from the exporter.';

CREATE TABLE goflow2plus.sampling (
    exporter     inet NOT NULL,
    version      int NOT NULL,
    domain_id    bigint NOT NULL,
    per_sampler  boolean NOT NULL,      -- false: the rate of the whole domain
    sampler_id   bigint NOT NULL,       -- 0 unless per_sampler; u64 bit pattern
    rate         bigint,                -- 1 in rate packets; NULL if unknown
    init_time_ms bigint,                -- IPFIX systemInitTimeMilliseconds (domain rows)
    updated      timestamptz NOT NULL,
    PRIMARY KEY (exporter, version, domain_id, per_sampler, sampler_id)
);

COMMENT ON TABLE goflow2plus.sampling IS
    'Sampling rates and IPFIX system init times learnt from NetFlow v9 / IPFIX options data, read back at start.';

SELECT pg_catalog.pg_extension_config_dump('goflow2plus.templates', '');
SELECT pg_catalog.pg_extension_config_dump('goflow2plus.sampling', '');

-- Context: networks, devices, interfaces and sampling rates that enrich
-- every flow (README.md, "Context").  Ordinary (logged) tables: they are
-- configuration.  Any committed change is picked up by the context
-- builder process, which builds a new lookup table beside the old one and
-- publishes it in shared memory; workers switch to it between batches
-- (within a second; goflow2plus.context_wait() waits for it).
-- origin tells rows typed by hand ('sql') from rows loaded by
-- load_context() ('load_context') or from goflow2plus.context_config
-- ('file'); loading replaces only rows of its own origin.
CREATE TABLE goflow2plus.networks (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name      text NOT NULL CHECK (name <> ''),
    cidr      cidr NOT NULL,
    exporter  inet,                     -- NULL: flows of every exporter
    context   jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(context) = 'object'),
    origin    text NOT NULL DEFAULT 'sql' CHECK (origin IN ('sql', 'load_context', 'file')),
    comment   text,
    CONSTRAINT networks_exporter_host CHECK (exporter IS NULL OR masklen(exporter) = (CASE WHEN family(exporter) = 4 THEN 32 ELSE 128 END)),
    CONSTRAINT networks_cidr_exporter_key UNIQUE NULLS NOT DISTINCT (cidr, exporter)
);
COMMENT ON TABLE goflow2plus.networks IS
    'Networks that name flow ends: src_group/dst_group and src_context/dst_context of goflow2plus.flows. The most specific prefix wins; of the same length, an entry scoped to the flow''s exporter wins over a global one.';

CREATE TABLE goflow2plus.devices (
    exporter  inet PRIMARY KEY CHECK (masklen(exporter) = (CASE WHEN family(exporter) = 4 THEN 32 ELSE 128 END)),
    name      text NOT NULL CHECK (name <> ''),
    site      text,
    role      text,
    context   jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(context) = 'object'),
    origin    text NOT NULL DEFAULT 'sql' CHECK (origin IN ('sql', 'load_context', 'file'))
);
COMMENT ON TABLE goflow2plus.devices IS
    'Exporters (sampler_address) by name, site and role: device_* columns of goflow2plus.flows.';

-- name/description/speed are what users say; learnt_* are what the
-- workers learnt from the exporter (options data, sFlow counters).  A
-- flow shows the user's value when there is one, else the learnt one.
CREATE TABLE goflow2plus.interfaces (
    exporter    inet NOT NULL CHECK (masklen(exporter) = (CASE WHEN family(exporter) = 4 THEN 32 ELSE 128 END)),
    if_index    bigint NOT NULL CHECK (if_index BETWEEN 0 AND 4294967295),
    name        text,
    description text,
    speed       bigint CHECK (speed >= 0),           -- bits per second
    boundary    text CHECK (boundary IN ('external', 'internal')),
    provider    text,
    context     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(context) = 'object'),
    origin      text NOT NULL DEFAULT 'sql' CHECK (origin IN ('sql', 'load_context', 'file', 'learnt')),
    learnt_name        text,
    learnt_description text,
    learnt_speed       bigint,
    learnt_at          timestamptz,
    PRIMARY KEY (exporter, if_index)
);
COMMENT ON TABLE goflow2plus.interfaces IS
    'Interfaces of exporters: in_if_*/out_if_* columns of goflow2plus.flows. Rows with origin ''learnt'' were added by the workers from options data (IE 82/83) and sFlow counters; a value typed into name/description/speed wins over the learnt_* one.';

CREATE TABLE goflow2plus.sampling_rates (
    exporter  cidr NOT NULL,            -- a sampler address or a subnet of them
    if_index  bigint CHECK (if_index BETWEEN 0 AND 4294967295),   -- NULL: every interface (matched against in_if)
    rate      bigint NOT NULL CHECK (rate >= 1),
    kind      text NOT NULL DEFAULT 'default' CHECK (kind IN ('default', 'override')),
    CONSTRAINT sampling_rates_key UNIQUE NULLS NOT DISTINCT (exporter, if_index, kind)
);
COMMENT ON TABLE goflow2plus.sampling_rates IS
    'Sampling rates users set: a default applies when the exporter sent no rate, an override replaces the rate it sent. One naming the flow''s in_if beats one for every interface; then the longest exporter prefix wins. sampling_rate_source says which applied.';

-- Committed changes to the four tables wake the context builder.
CREATE FUNCTION goflow2plus._context_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'goflow2plus__context_changed'
LANGUAGE C;

CREATE TRIGGER context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON goflow2plus.networks FOR EACH STATEMENT EXECUTE FUNCTION goflow2plus._context_changed();
CREATE TRIGGER context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON goflow2plus.devices FOR EACH STATEMENT EXECUTE FUNCTION goflow2plus._context_changed();
CREATE TRIGGER context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON goflow2plus.interfaces FOR EACH STATEMENT EXECUTE FUNCTION goflow2plus._context_changed();
CREATE TRIGGER context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON goflow2plus.sampling_rates FOR EACH STATEMENT EXECUTE FUNCTION goflow2plus._context_changed();

-- Which networks changed since the context builder's last full build:
-- their keys (cidr, exporter), so that a small change is published as a
-- small overlay on the last full snapshot instead of a rebuild of every
-- network (src/pg/README.md, "Context").  cidr NULL: too much to list
-- (TRUNCATE, or more than 50 000 rows in one statement), the next build
-- reads everything.  Written by the triggers below in the changing
-- transaction (so an aborted change leaves nothing), emptied by the
-- builder's full builds.  Not dumped: a restore starts with a full build.
-- The trigger writes it below the executor: no privilege on it is needed.
CREATE TABLE goflow2plus._network_changes (
    cidr      cidr,
    exporter  inet
);
COMMENT ON TABLE goflow2plus._network_changes IS
    'Internal: keys of networks changed since the context builder''s last full build (cidr NULL: everything).';

CREATE FUNCTION goflow2plus._networks_log()
RETURNS trigger
AS 'MODULE_PATHNAME', 'goflow2plus__networks_log'
LANGUAGE C;

CREATE TRIGGER networks_log_insert AFTER INSERT ON goflow2plus.networks
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION goflow2plus._networks_log();
CREATE TRIGGER networks_log_update AFTER UPDATE ON goflow2plus.networks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION goflow2plus._networks_log();
CREATE TRIGGER networks_log_delete AFTER DELETE ON goflow2plus.networks
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION goflow2plus._networks_log();
CREATE TRIGGER networks_log_truncate AFTER TRUNCATE ON goflow2plus.networks
    FOR EACH STATEMENT EXECUTE FUNCTION goflow2plus._networks_log();

SELECT pg_catalog.pg_extension_config_dump('goflow2plus.networks', '');
SELECT pg_catalog.pg_extension_config_dump('goflow2plus.devices', '');
SELECT pg_catalog.pg_extension_config_dump('goflow2plus.interfaces', '');
SELECT pg_catalog.pg_extension_config_dump('goflow2plus.sampling_rates', '');

-- Wait until every change committed before the call is in use by the
-- workers (and by decode()); false after timeout_ms.
CREATE FUNCTION goflow2plus.context_wait(timeout_ms int DEFAULT 5000)
RETURNS boolean
AS 'MODULE_PATHNAME', 'goflow2plus_context_wait'
LANGUAGE C STRICT VOLATILE;

-- The context in use: generation, what it holds, its size, how long it
-- took to build, and the last build error (the previous context stays in
-- use after an error).
CREATE FUNCTION goflow2plus.context_status(
    OUT generation bigint, OUT requested bigint, OUT networks bigint,
    OUT devices bigint, OUT interfaces bigint, OUT sampling_rates bigint,
    OUT bytes bigint, OUT build_ms double precision,
    OUT built_at timestamptz, OUT last_error text,
    OUT full_builds bigint, OUT overlay_builds bigint,
    OUT overlay_networks bigint, OUT stale_networks bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'goflow2plus_context_status'
LANGUAGE C STRICT VOLATILE;

-- Load GoFlow2+'s context YAML (networks:, devices:, interfaces:): all
-- rows or none.  replace: first delete the rows an earlier load_context()
-- made (origin 'load_context'); rows typed by hand are never touched.
-- Returns the rows inserted.
CREATE FUNCTION goflow2plus.load_context(yaml text, replace boolean DEFAULT false)
RETURNS bigint
AS 'MODULE_PATHNAME', 'goflow2plus_load_context'
LANGUAGE C STRICT VOLATILE;

-- Decode datagrams from SQL with the same decoders the workers use.
-- Template and sampling state is kept for the session, so a template
-- packet followed by a data packet decodes as it would on the wire.
CREATE FUNCTION goflow2plus.decode(payload bytea, exporter inet DEFAULT '127.0.0.1')
RETURNS SETOF goflow2plus.flows
AS 'MODULE_PATHNAME', 'goflow2plus_decode'
LANGUAGE C STRICT VOLATILE;

-- Forget the session's decoder state (templates, sampling rates).
CREATE FUNCTION goflow2plus.decode_reset()
RETURNS void
AS 'MODULE_PATHNAME', 'goflow2plus_decode_reset'
LANGUAGE C STRICT VOLATILE;

-- Decoder counters: one row per running worker per counter, with the
-- worker's listen URI and readiness (sum over workers for totals).
CREATE FUNCTION goflow2plus.stats(
    OUT worker int, OUT listen text, OUT ready bool,
    OUT counter text, OUT value bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'goflow2plus_stats'
LANGUAGE C STRICT VOLATILE;

-- NetFlow v9 / IPFIX state per exporter, per worker: what it holds, what
-- was refused to it (each limit in src/core/include/decode.h's gf_limits), as of
-- the worker's last tick (once a second).  At most 64 rows per worker: the
-- most refused first, then the busiest; exporters_held counts them all.
CREATE FUNCTION goflow2plus.exporters(
    OUT worker int, OUT exporter inet,
    OUT first_seen timestamptz, OUT last_seen timestamptz,
    OUT datagrams bigint, OUT templates bigint, OUT template_bytes bigint,
    OUT sampling_entries bigint, OUT pending_bytes bigint,
    OUT templates_refused bigint, OUT templates_evicted bigint,
    OUT sampling_refused bigint,
    OUT pending_refused bigint, OUT pending_evicted bigint,
    OUT exporters_held bigint, OUT exporters_not_shown bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'goflow2plus_exporters'
LANGUAGE C STRICT VOLATILE;

-- INTERNAL, for the regression tests and benchmarks only: decode one
-- datagram with the session's decoder and write its records 'repeat'
-- times through the table writer the workers use (same fast/general path
-- choice, batches of batch_size), in the caller's transaction.  Returns
-- the rows written.  Not a stable interface.
CREATE FUNCTION goflow2plus._write_decoded(payload bytea,
    exporter inet DEFAULT '127.0.0.1', repeat int DEFAULT 1,
    batch_size int DEFAULT 1000)
RETURNS bigint
AS 'MODULE_PATHNAME', 'goflow2plus__write_decoded'
LANGUAGE C STRICT VOLATILE;

-- INTERNAL, for the regression tests only: the columns the library
-- writes into one of its tables ('flows', 'interface_counters',
-- 'sflow_drops'), in order, as compiled in from the column lists (see
-- src/core/include/flow_columns.h).  test/regress/sql/10_columns.sql compares it
-- with the tables above.  Not a stable interface.
CREATE FUNCTION goflow2plus._columns(table_name text,
    OUT name text, OUT type text, OUT never_null bool)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'goflow2plus__columns'
LANGUAGE C STRICT STABLE;

-- Privileges.  Reading flows, changing the state the workers load
-- (templates, sampling; later context and mapping tables) and changing
-- listeners are three rights; PUBLIC holds none of them.  The extension
-- creates no roles (roles are cluster-wide, outlive DROP EXTENSION, and a
-- role of the same name made earlier by someone else would receive the
-- rights): the DBA grants to roles of their own, as README.md
-- ("Privileges") shows.  Tables grant nothing to PUBLIC by default;
-- functions grant EXECUTE to PUBLIC, so each is revoked here.  The schema
-- is left as CREATE EXTENSION made it (owner only) or as the DBA had it.
-- The workers write as the bootstrap superuser, so triggers, rules and
-- index expressions on their tables run with superuser rights: never grant
-- TRIGGER on them nor hand over their ownership.
REVOKE ALL ON TABLE goflow2plus.flows, goflow2plus.interface_counters,
    goflow2plus.sflow_drops, goflow2plus.templates, goflow2plus.sampling,
    goflow2plus.networks, goflow2plus.devices, goflow2plus.interfaces,
    goflow2plus.sampling_rates
    FROM PUBLIC;
REVOKE ALL ON FUNCTION goflow2plus._context_changed() FROM PUBLIC;
REVOKE ALL ON FUNCTION goflow2plus._networks_log() FROM PUBLIC;
REVOKE ALL ON goflow2plus._network_changes FROM PUBLIC;
REVOKE ALL ON FUNCTION goflow2plus.context_wait(int) FROM PUBLIC;
REVOKE ALL ON FUNCTION goflow2plus.context_status() FROM PUBLIC;
REVOKE ALL ON FUNCTION goflow2plus.load_context(text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION goflow2plus.decode(bytea, inet) FROM PUBLIC;
REVOKE ALL ON FUNCTION goflow2plus.decode_reset() FROM PUBLIC;
REVOKE ALL ON FUNCTION goflow2plus.stats() FROM PUBLIC;
REVOKE ALL ON FUNCTION goflow2plus.exporters() FROM PUBLIC;
-- _write_decoded is a hook for tests and benchmarks, not an interface:
-- superuser only, never granted (it checks INSERT on the tables anyway).
REVOKE ALL ON FUNCTION goflow2plus._write_decoded(bytea, inet, int, int) FROM PUBLIC;
-- _columns tells nothing a reader of the catalogs cannot learn, but it is
-- a test hook too: kept like the other functions, granted to no one.
REVOKE ALL ON FUNCTION goflow2plus._columns(text) FROM PUBLIC;
