-- goflow2plus 0.1: the flow table, the interface counter table, the sFlow
-- drop table and the SQL-callable decoder.  Column names are GoFlow2's JSON keys so that
-- queries written against GoFlow2's output carry over.

\echo Use "CREATE EXTENSION goflow2plus" to load this file. \quit

-- One row per flow record.  UNLOGGED: flows are high volume and
-- re-exported continuously; a crash empties the table rather than
-- slowing every insert with WAL.  Partitioned by range of time_received
-- (goflow2plus.partition_width each, unlogged): the maintenance worker
-- creates partitions ahead of time and drops those older than
-- goflow2plus.retention (README.md, "Storage").  Users may add indexes or
-- triggers: the writer notices and takes the path that honours them.
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
    fw_event              int,
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
    dst_country           text,
    extra                 jsonb
) PARTITION BY RANGE (time_received);

-- Rows outside every partition (before the first partition exists, or a
-- clock that jumped) land here and are counted in stats()
-- rows_default_partition; creating the partition for their range moves
-- them there.
CREATE UNLOGGED TABLE goflow2plus.flows_default
    PARTITION OF goflow2plus.flows DEFAULT;

-- Rows arrive in time order, so a BRIN index keeps "the last 5 minutes"
-- to those pages at a few kB per GB of flows.  Made on the parent, every
-- partition gets one; the maintenance worker summarizes new ranges.
CREATE INDEX flows_time_received_brin ON goflow2plus.flows
    USING brin (time_received) WITH (pages_per_range = 32);

COMMENT ON TABLE goflow2plus.flows IS
    'One row per decoded flow record (NetFlow v1/v5/v7/v8/v9, IPFIX, sFlow v5). bytes and packets are as received; multiply by sampling_rate to estimate totals.';
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
COMMENT ON COLUMN goflow2plus.flows.extra IS
    'Custom fields a mapping (goflow2plus.load_mapping) filled, as {"name": value}: varint as a number, string as text, bytes as hex; NULL when none.';
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

-- Expired rows are deleted in small batches by the maintenance worker
-- (goflow2plus.interface_counters_retention); the index finds them
-- without reading the table, and serves "the last hour" queries too.
CREATE INDEX interface_counters_time ON goflow2plus.interface_counters (time_received);

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
    vlan_id              bigint,
    -- The drop-specific records (sFlow dropped packet notification
    -- structures), NULL when the sample did not carry them.
    egress_queue         bigint,     -- 1036
    acl_number           bigint,     -- 1037 extended_acl
    acl_name             text,
    acl_direction        int,        -- 0 unknown, 1 ingress, 2 egress
    function             text,       -- 1038: where the drop happened
    transit_delay_ns     bigint,     -- 1039
    queue_depth          bigint,     -- 1040, bytes
    hw_trap_group        text,       -- 1041
    hw_trap              text,
    linux_reason         text        -- 1042
);

-- Expired by goflow2plus.sflow_drops_retention, as interface_counters.
CREATE INDEX sflow_drops_time ON goflow2plus.sflow_drops (time_received);

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

-- Rollups, as Akvorado's consolidated tables: per minute, 5 minutes and
-- hour, the sums of goflow2plus.flows by exporter, interfaces, ASes,
-- network groups, protocol and ethertype.  bytes and packets are scaled by
-- sampling_rate (1 when NULL or 0).  The writer adds rows to all three in
-- the transaction of each batch (one row per key the batch held), and the
-- maintenance worker merges the rows of closed buckets into one per key,
-- so sums are exact at any moment: always query them with sum() ... GROUP
-- BY.  Ordinary (logged) tables: they are small and outlive a crash that
-- empties the flows.  Each has its own retention
-- (goflow2plus.rollup_1m_retention, _5m_, _1h_).
CREATE TABLE goflow2plus.flows_1m (
    time_received    timestamptz NOT NULL,   -- start of the bucket
    sampler_address  inet,
    in_if            bigint,
    out_if           bigint,
    src_as           bigint,
    dst_as           bigint,
    src_group        text,
    dst_group        text,
    proto            int,
    etype            int,
    bytes            bigint NOT NULL,
    packets          bigint NOT NULL,
    flows            bigint NOT NULL
);
CREATE INDEX flows_1m_time ON goflow2plus.flows_1m (time_received);
CREATE TABLE goflow2plus.flows_5m (LIKE goflow2plus.flows_1m INCLUDING ALL);
CREATE TABLE goflow2plus.flows_1h (LIKE goflow2plus.flows_1m INCLUDING ALL);
COMMENT ON TABLE goflow2plus.flows_1m IS
    'Per-minute sums of goflow2plus.flows (bytes and packets scaled by sampling_rate, flows = rows). Several rows per key may exist for recent minutes: query with sum() ... GROUP BY.';
COMMENT ON TABLE goflow2plus.flows_5m IS
    'Per-5-minute sums of goflow2plus.flows; see goflow2plus.flows_1m.';
COMMENT ON TABLE goflow2plus.flows_1h IS
    'Hourly sums of goflow2plus.flows; see goflow2plus.flows_1m.';

-- Where merging of each rollup stopped: buckets before merged_to hold one
-- row per key (unless a late batch added one since).
CREATE TABLE goflow2plus.rollup_state (
    rollup     text PRIMARY KEY,
    merged_to  timestamptz NOT NULL DEFAULT '-infinity'
);
INSERT INTO goflow2plus.rollup_state (rollup) VALUES ('flows_1m'), ('flows_5m'), ('flows_1h');

-- The partitions of goflow2plus.flows with their bounds (NULL: MINVALUE,
-- MAXVALUE or the default partition).
CREATE FUNCTION goflow2plus.partitions(
    OUT partition regclass, OUT range_start timestamptz,
    OUT range_end timestamptz, OUT is_default boolean)
RETURNS SETOF record
LANGUAGE sql STABLE
SET search_path = pg_catalog
AS $$
    SELECT c.oid::regclass,
           CASE WHEN m[1] IS NOT NULL THEN m[1]::timestamptz END,
           CASE WHEN m[2] IS NOT NULL THEN m[2]::timestamptz END,
           b = 'DEFAULT'
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      CROSS JOIN LATERAL pg_get_expr(c.relpartbound, c.oid) AS b
      LEFT JOIN LATERAL regexp_match(b, $re$FROM \('([^']*)'\) TO \('([^']*)'\)$re$) AS m ON true
     WHERE i.inhparent = 'goflow2plus.flows'::regclass
     ORDER BY 2 NULLS FIRST
$$;

-- A setting of interval type (goflow2plus.partition_width, retention...).
CREATE FUNCTION goflow2plus._setting_interval(name text)
RETURNS interval
LANGUAGE sql STABLE
SET search_path = pg_catalog
AS $$ SELECT coalesce(nullif(current_setting(name, true), ''), '0')::interval $$;

-- Create the partitions from now to goflow2plus.partition_ahead widths
-- ahead; returns how many were made.  Each is made as a table of its own
-- and then attached: ATTACH takes SHARE UPDATE EXCLUSIVE on goflow2plus.flows,
-- which the writers' ROW EXCLUSIVE does not conflict with (CREATE TABLE
-- ... PARTITION OF would take ACCESS EXCLUSIVE).  Rows the default
-- partition holds for the new range are moved into it first.
CREATE FUNCTION goflow2plus._partitions_create(at timestamptz DEFAULT now())
RETURNS int
LANGUAGE plpgsql
SET search_path = pg_catalog
AS $$
DECLARE
    w      bigint := extract(epoch FROM goflow2plus._setting_interval('goflow2plus.partition_width'))::bigint;
    ahead  int := coalesce(nullif(current_setting('goflow2plus.partition_ahead', true), ''), '2')::int;
    lo     timestamptz;
    hi     timestamptz;
    stop   timestamptz;
    last_hi timestamptz;
    first  timestamptz;
    made   int := 0;
    dflt   regclass;
BEGIN
    IF w IS NULL OR w < 1 THEN
        RETURN 0;
    END IF;
    PERFORM set_config('lock_timeout', '200ms', true);
    SELECT max(range_end) INTO last_hi FROM goflow2plus.partitions();
    SELECT partition INTO dflt FROM goflow2plus.partitions() WHERE is_default;
    lo := to_timestamp(floor(extract(epoch FROM at) / w) * w);
    -- Go on from the last partition when it reaches past the current
    -- period (a changed width then takes effect at its end).
    IF last_hi IS NOT NULL AND last_hi > lo THEN
        lo := last_hi;
    END IF;
    -- The current period and 'ahead' more.
    stop := to_timestamp(floor(extract(epoch FROM at) / w) * w) + make_interval(secs => w * (ahead + 1));
    -- Periods before that whose rows wait in the default partition (no
    -- partition existed when they came) get theirs too, where no partition
    -- overlaps them.
    first := lo;
    IF dflt IS NOT NULL THEN
        FOR lo IN EXECUTE format(
            'SELECT DISTINCT to_timestamp(floor(extract(epoch FROM time_received) / %s) * %s) FROM %s
              WHERE time_received < %L ORDER BY 1', w, w, dflt, first) LOOP
            hi := lo + make_interval(secs => w);
            CONTINUE WHEN hi > first;
            CONTINUE WHEN EXISTS (SELECT 1 FROM goflow2plus.partitions() p
                                   WHERE NOT p.is_default AND coalesce(p.range_start, '-infinity') < hi
                                     AND coalesce(p.range_end, 'infinity') > lo);
            CONTINUE WHEN goflow2plus._setting_interval('goflow2plus.retention') > '0'
                      AND hi <= at - goflow2plus._setting_interval('goflow2plus.retention');
            made := made + goflow2plus._partition_add(lo, hi, dflt);
        END LOOP;
        lo := first;
    END IF;
    WHILE lo < stop LOOP
        made := made + goflow2plus._partition_add(lo, lo + make_interval(secs => w), dflt);
        lo := lo + make_interval(secs => w);
    END LOOP;
    RETURN made;
END
$$;

-- One partition for [lo, hi): made, filled with the default partition's
-- rows of that range, attached.  Returns 1.
CREATE FUNCTION goflow2plus._partition_add(lo timestamptz, hi timestamptz, dflt regclass)
RETURNS int
LANGUAGE plpgsql
SET search_path = pg_catalog
AS $$
DECLARE
    name text := 'flows_p' || to_char(lo AT TIME ZONE 'UTC', 'YYYYMMDD_HH24MISS');
BEGIN
    EXECUTE format('CREATE UNLOGGED TABLE goflow2plus.%I (LIKE goflow2plus.flows INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMPRESSION)', name);
    IF dflt IS NOT NULL THEN
        EXECUTE format('WITH m AS (DELETE FROM %s WHERE time_received >= %L AND time_received < %L RETURNING *) INSERT INTO goflow2plus.%I SELECT * FROM m',
                       dflt, lo, hi, name);
    END IF;
    EXECUTE format('ALTER TABLE goflow2plus.flows ATTACH PARTITION goflow2plus.%I FOR VALUES FROM (%L) TO (%L)',
                   name, lo, hi);
    RETURN 1;
END
$$;

-- Partitions made by _partitions_create whose range ended more than
-- goflow2plus.retention ago (none when retention is 0).
CREATE FUNCTION goflow2plus._partitions_expired(at timestamptz DEFAULT now())
RETURNS SETOF regclass
LANGUAGE sql STABLE
SET search_path = pg_catalog
AS $$
    SELECT partition FROM goflow2plus.partitions()
     WHERE goflow2plus._setting_interval('goflow2plus.retention') > '0'
       AND NOT is_default AND range_end IS NOT NULL
       AND range_end <= at - goflow2plus._setting_interval('goflow2plus.retention')
       AND partition::text ~ '^goflow2plus\.flows_p[0-9]{8}_[0-9]{6}$'
     ORDER BY range_end
$$;

-- Drop one partition.  DROP TABLE of a partition (like a plain DETACH)
-- takes ACCESS EXCLUSIVE on goflow2plus.flows, and DETACH CONCURRENTLY is
-- refused while a default partition exists: so the lock is asked for with
-- a short lock_timeout, held only for the drop (the caller commits right
-- after), and false is returned when it was not granted (tried again at
-- the next round).  A writer waits at most this long for it.
CREATE FUNCTION goflow2plus._partition_drop(p regclass)
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog
AS $$
BEGIN
    PERFORM set_config('lock_timeout', '20ms', true);
    EXECUTE format('DROP TABLE %s', p);
    RETURN true;
EXCEPTION WHEN lock_not_available THEN
    RETURN false;
END
$$;

-- Merge the rows of closed buckets into one per key, delete what is past
-- each rollup's retention, and delete rows of the default partition past
-- goflow2plus.retention.  Returns the rows deleted or merged away.
CREATE FUNCTION goflow2plus._rollups_maintain(at timestamptz DEFAULT now())
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog
AS $$
DECLARE
    r      record;
    keep   interval;
    res    interval;
    upto   timestamptz;
    n      bigint;
    total  bigint := 0;
    dflt   regclass;
BEGIN
    PERFORM set_config('lock_timeout', '1s', true);
    FOR r IN SELECT rollup, merged_to FROM goflow2plus.rollup_state ORDER BY rollup FOR UPDATE LOOP
        res := CASE r.rollup WHEN 'flows_1m' THEN interval '1 minute'
                             WHEN 'flows_5m' THEN interval '5 minutes'
                             ELSE interval '1 hour' END;
        -- A bucket is closed one bucket after its end (batches wait in
        -- the workers at most a few seconds, the spool aside).
        upto := date_bin(res, at, timestamptz '2000-01-01 00:00:00+00') - res;
        IF upto > r.merged_to THEN
            EXECUTE format($q$
                WITH d AS (DELETE FROM goflow2plus.%1$I WHERE time_received >= $1 AND time_received < $2 RETURNING *),
                     i AS (INSERT INTO goflow2plus.%1$I
                           SELECT time_received, sampler_address, in_if, out_if, src_as, dst_as,
                                  src_group, dst_group, proto, etype, sum(bytes), sum(packets), sum(flows)
                             FROM d GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 RETURNING 1)
                SELECT (SELECT count(*) FROM d) - (SELECT count(*) FROM i)$q$, r.rollup)
                INTO n USING r.merged_to, upto;
            total := total + n;
            UPDATE goflow2plus.rollup_state SET merged_to = upto WHERE rollup = r.rollup;
        END IF;
        keep := goflow2plus._setting_interval('goflow2plus.' || replace(r.rollup, 'flows_', 'rollup_') || '_retention');
        IF keep > '0' THEN
            EXECUTE format('DELETE FROM goflow2plus.%I WHERE time_received < $1', r.rollup) USING at - keep;
            GET DIAGNOSTICS n = ROW_COUNT;
            total := total + n;
        END IF;
    END LOOP;
    keep := goflow2plus._setting_interval('goflow2plus.retention');
    SELECT partition INTO dflt FROM goflow2plus.partitions() WHERE is_default;
    IF keep > '0' AND dflt IS NOT NULL THEN
        EXECUTE format('DELETE FROM %s WHERE time_received < $1', dflt) USING at - keep;
        GET DIAGNOSTICS n = ROW_COUNT;
        total := total + n;
    END IF;
    RETURN total;
END
$$;

-- Delete at most max_rows rows of goflow2plus.interface_counters or
-- goflow2plus.sflow_drops older than its retention
-- (goflow2plus.interface_counters_retention, sflow_drops_retention; 0
-- keeps them); returns how many went.  The oldest first, found through the
-- time_received index.  A DELETE takes ROW EXCLUSIVE, as the writers'
-- inserts do, and touches only old rows, so ingest never waits on it; the
-- maintenance worker calls it in a transaction per batch until a batch
-- comes back short, so no transaction holds many row versions or runs
-- long, and autovacuum gives the space back to new rows.
CREATE FUNCTION goflow2plus._expire_rows(tbl text, max_rows int DEFAULT 10000,
                                         at timestamptz DEFAULT now())
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog
AS $$
DECLARE
    keep interval;
    n    bigint;
BEGIN
    IF tbl NOT IN ('interface_counters', 'sflow_drops') THEN
        RAISE EXCEPTION 'goflow2plus._expire_rows: no retention for table "%"', tbl;
    END IF;
    keep := goflow2plus._setting_interval('goflow2plus.' || tbl || '_retention');
    IF keep <= '0' OR max_rows < 1 THEN
        RETURN 0;
    END IF;
    PERFORM set_config('lock_timeout', '1s', true);
    EXECUTE format($q$
        DELETE FROM goflow2plus.%1$I WHERE ctid = ANY (ARRAY(
            SELECT ctid FROM goflow2plus.%1$I WHERE time_received < $1
             ORDER BY time_received LIMIT $2))$q$, tbl)
        USING at - keep, max_rows;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- Everything the maintenance worker does, in the caller's transaction
-- (the worker runs each step in a transaction of its own): create
-- partitions ahead, drop expired ones, merge and expire rollups, delete
-- expired interface counters and drop samples.
CREATE FUNCTION goflow2plus.maintain(
    OUT created int, OUT dropped int, OUT drops_deferred int,
    OUT rollup_rows_removed bigint, OUT expired_rows bigint)
RETURNS record
LANGUAGE plpgsql
SET search_path = pg_catalog
AS $$
DECLARE
    p regclass;
    n bigint;
BEGIN
    created := goflow2plus._partitions_create();
    dropped := 0;
    drops_deferred := 0;
    FOR p IN SELECT * FROM goflow2plus._partitions_expired() LOOP
        IF goflow2plus._partition_drop(p) THEN
            dropped := dropped + 1;
        ELSE
            drops_deferred := drops_deferred + 1;
        END IF;
    END LOOP;
    rollup_rows_removed := goflow2plus._rollups_maintain();
    -- interface_counters and sflow_drops past their retention, all of it
    -- (the worker does it a batch per transaction instead).
    expired_rows := 0;
    LOOP
        n := goflow2plus._expire_rows('interface_counters', 100000)
             + goflow2plus._expire_rows('sflow_drops', 100000);
        expired_rows := expired_rows + n;
        EXIT WHEN n = 0;
    END LOOP;
END
$$;

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
    heard        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (exporter, version, domain_id, template_id)
);

COMMENT ON TABLE goflow2plus.templates IS
    'NetFlow v9 / IPFIX templates the workers learnt, read back at start. Delete rows to forget them (takes effect at the next start).';
COMMENT ON COLUMN goflow2plus.templates.fields IS
    'Format byte 1, u16 field count, u16 scope field count, then per field u16 element id (IPFIX enterprise bit 0x8000 kept), u16 length (65535: variable) and a u32 enterprise number when the bit is set; big-endian.';
COMMENT ON COLUMN goflow2plus.templates.updated IS
    'When this layout was received from the exporter.';
COMMENT ON COLUMN goflow2plus.templates.heard IS
    'When a worker last heard from the exporter (refreshed every quarter of goflow2plus.exporter_idle_timeout at most); rows not heard for longer than the timeout are deleted.';

CREATE TABLE goflow2plus.sampling (
    exporter     inet NOT NULL,
    version      int NOT NULL,
    domain_id    bigint NOT NULL,
    per_sampler  boolean NOT NULL,      -- false: the rate of the whole domain
    sampler_id   bigint NOT NULL,       -- 0 unless per_sampler; u64 bit pattern
    rate         bigint,                -- 1 in rate packets; NULL if unknown
    init_time_ms bigint,                -- IPFIX systemInitTimeMilliseconds (domain rows)
    updated      timestamptz NOT NULL,
    heard        timestamptz NOT NULL DEFAULT now(),   -- as templates.heard
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

-- One row per socket of goflow2plus.listen: the worker serving it (the
-- worker column of stats() and exporters()), its pid while it runs, its
-- state (starting, running, failed: exited and started again after a
-- delay, stopping: removed from goflow2plus.listen), why it last failed,
-- when it last became ready and last failed, and how often it started.
CREATE FUNCTION goflow2plus.listeners(
    OUT worker int, OUT listen text, OUT socket int, OUT pid int,
    OUT state text, OUT last_error text,
    OUT started_at timestamptz, OUT failed_at timestamptz,
    OUT starts bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'goflow2plus_listeners'
LANGUAGE C STRICT VOLATILE;

-- One row per worker, exporter, protocol and observation domain (sFlow:
-- agent and sub-agent), as of the worker's last tick (once a second):
-- traffic, sampling rates and decode errors, the sequence-gap estimate of
-- what was lost before it reached us (seq_unit says what it counts), and
-- the address's NetFlow v9 / IPFIX holdings and refusals (each limit in
-- src/core/include/decode.h's gf_limits).  At most 256 rows per worker:
-- the most refused first, then the busiest; exporters_held counts them
-- all.  README "Per-exporter view" explains every column.
CREATE FUNCTION goflow2plus.exporters(
    OUT worker int, OUT exporter inet,
    OUT first_seen timestamptz, OUT last_seen timestamptz,
    OUT datagrams bigint, OUT templates bigint, OUT template_bytes bigint,
    OUT sampling_entries bigint, OUT pending_bytes bigint,
    OUT templates_refused bigint, OUT templates_evicted bigint,
    OUT sampling_refused bigint,
    OUT pending_refused bigint, OUT pending_evicted bigint,
    OUT exporters_held bigint, OUT exporters_not_shown bigint,
    OUT protocol text, OUT domain bigint,
    OUT flows bigint, OUT bytes bigint, OUT decode_errors bigint,
    OUT sampling_rates bigint[],
    OUT last_sequence bigint, OUT seq_unit text,
    OUT seq_lost bigint, OUT seq_late bigint, OUT seq_resets bigint,
    OUT samples_lost bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'goflow2plus_exporters'
LANGUAGE C STRICT VOLATILE;

-- The same rows summed over workers (an exporter lands on one worker, so
-- this is one row per exporter, protocol and domain).
CREATE VIEW goflow2plus.exporters_view AS
SELECT exporter, protocol, domain,
       min(first_seen) AS first_seen, max(last_seen) AS last_seen,
       sum(datagrams)::bigint AS datagrams, sum(flows)::bigint AS flows,
       sum(bytes)::bigint AS bytes, sum(decode_errors)::bigint AS decode_errors,
       max(sampling_rates) AS sampling_rates, max(templates) AS templates,
       sum(seq_lost)::bigint AS seq_lost, max(seq_unit) AS seq_unit,
       sum(seq_late)::bigint AS seq_late, sum(seq_resets)::bigint AS seq_resets,
       sum(samples_lost)::bigint AS samples_lost
FROM goflow2plus.exporters()
GROUP BY exporter, protocol, domain;

-- Zero the counters of stats() and exporters() (gauges stay).
CREATE FUNCTION goflow2plus.reset_stats()
RETURNS void
AS 'MODULE_PATHNAME', 'goflow2plus_reset_stats'
LANGUAGE C STRICT VOLATILE;

-- Prometheus text (format 0.0.4) of stats(), exporters() and the
-- per-source figures, GoFlow2's metric names where one applies; the same
-- text GET /metrics serves on goflow2plus.metrics_listen.
CREATE FUNCTION goflow2plus.metrics()
RETURNS text
AS 'MODULE_PATHNAME', 'goflow2plus_metrics'
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

-- Custom field mappings (GoFlow2's mapping YAML): load_mapping()
-- checks the text and appends it here; the newest row is the active
-- mapping.  The change is announced at commit and every worker decodes
-- with it within a second, without a restart (src/pg/mapping_fn.c).
-- Rows are only ever added by load_mapping(), so what is stored always
-- parsed; load_mapping('') clears the mapping.
CREATE TABLE goflow2plus.mappings (
    version            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    yaml               text NOT NULL,
    loaded_at          timestamptz NOT NULL DEFAULT now(),
    loaded_by          name NOT NULL DEFAULT current_user,
    ipfix_entries      int NOT NULL,
    netflowv9_entries  int NOT NULL,
    sflow_entries      int NOT NULL,
    custom_fields      text[] NOT NULL
);
COMMENT ON TABLE goflow2plus.mappings IS
    'Mappings loaded by goflow2plus.load_mapping(), newest (highest version) active.';

CREATE FUNCTION goflow2plus.load_mapping(yaml text)
RETURNS bigint
AS 'MODULE_PATHNAME', 'goflow2plus_load_mapping'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION goflow2plus.load_mapping(text) IS
    'Check a GoFlow2 mapping YAML and make it the active mapping (a new row of goflow2plus.mappings, returned version); workers apply it within a second of commit. An invalid text is refused with its line and column, and nothing changes.';

CREATE FUNCTION goflow2plus.mapping(
    OUT version bigint, OUT yaml text, OUT loaded_at timestamptz,
    OUT loaded_by name, OUT ipfix_entries int, OUT netflowv9_entries int,
    OUT sflow_entries int, OUT custom_fields text[])
RETURNS SETOF record
AS $$
    SELECT version, yaml, loaded_at, loaded_by, ipfix_entries,
           netflowv9_entries, sflow_entries, custom_fields
    FROM goflow2plus.mappings ORDER BY version DESC LIMIT 1
$$ LANGUAGE sql STABLE;
COMMENT ON FUNCTION goflow2plus.mapping() IS
    'The active mapping (no row: none was ever loaded).';

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
REVOKE ALL ON TABLE goflow2plus.flows, goflow2plus.flows_default,
    goflow2plus.flows_1m, goflow2plus.flows_5m, goflow2plus.flows_1h,
    goflow2plus.rollup_state, goflow2plus.interface_counters,
    goflow2plus.sflow_drops, goflow2plus.templates, goflow2plus.sampling,
    goflow2plus.networks, goflow2plus.devices, goflow2plus.interfaces,
    goflow2plus.sampling_rates, goflow2plus.mappings
    FROM PUBLIC;
REVOKE ALL ON FUNCTION goflow2plus.load_mapping(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION goflow2plus.mapping() FROM PUBLIC;
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
REVOKE ALL ON FUNCTION goflow2plus.listeners() FROM PUBLIC;
REVOKE ALL ON FUNCTION goflow2plus.reset_stats() FROM PUBLIC;
REVOKE ALL ON goflow2plus.exporters_view FROM PUBLIC;
REVOKE ALL ON FUNCTION goflow2plus.metrics() FROM PUBLIC;
-- _write_decoded is a hook for tests and benchmarks, not an interface:
-- superuser only, never granted (it checks INSERT on the tables anyway).
REVOKE ALL ON FUNCTION goflow2plus._write_decoded(bytea, inet, int, int) FROM PUBLIC;
-- _columns tells nothing a reader of the catalogs cannot learn, but it is
-- a test hook too: kept like the other functions, granted to no one.
REVOKE ALL ON FUNCTION goflow2plus._columns(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION goflow2plus.partitions() FROM PUBLIC;
REVOKE ALL ON FUNCTION goflow2plus._setting_interval(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION goflow2plus._partitions_create(timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION goflow2plus._partition_add(timestamptz, timestamptz, regclass) FROM PUBLIC;
REVOKE ALL ON FUNCTION goflow2plus._partitions_expired(timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION goflow2plus._partition_drop(regclass) FROM PUBLIC;
REVOKE ALL ON FUNCTION goflow2plus._rollups_maintain(timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION goflow2plus._expire_rows(text, int, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION goflow2plus.maintain() FROM PUBLIC;
