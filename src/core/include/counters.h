/*
 * counters.h
 *    What the decoders count.  One X-macro list gives the struct, the
 *    names shown by goflow2plus.stats() and the shared-memory mirror, so a
 *    new counter is added in exactly one place.
 */
#ifndef GF_COUNTERS_H
#define GF_COUNTERS_H

#include <stdint.h>

#define GF_COUNTER_LIST(X) \
	X(packets, "datagrams handed to the decoder") \
	X(packets_netflow_v1, "NetFlow v1 datagrams decoded") \
	X(packets_netflow_v5, "NetFlow v5 datagrams decoded") \
	X(packets_netflow_v7, "NetFlow v7 datagrams decoded") \
	X(packets_netflow_v8, "NetFlow v8 datagrams decoded (router aggregation schemes)") \
	X(nf_padded_datagrams, "NetFlow datagrams longer than their content (vendor padding): v1/v5/v7/v8 beyond the records counted, v9 zeros after the last flowset; decoded, the padding ignored") \
	X(nf_padding_bytes, "padding bytes ignored in those datagrams") \
	X(nf_v8_unknown_scheme, "NetFlow v8 datagrams of an aggregation scheme not decoded (dropped)") \
	X(packets_netflow_v9, "NetFlow v9 datagrams decoded") \
	X(packets_ipfix, "IPFIX messages decoded") \
	X(packets_sflow, "sFlow v5 datagrams decoded") \
	X(packets_malformed, "datagrams dropped as malformed (whole or in part)") \
	X(packets_unknown_version, "datagrams whose version word is not a known protocol") \
	X(flows, "flow records produced") \
	X(flows_clock_skew, "flows whose start or end is after the exporter's export time (see README: clock skew)") \
	X(nf_templates_added, "v9/IPFIX templates added or redefined") \
	X(nf_v9_varlen_fields, "NetFlow v9 template fields of length 65535, read as IPFIX variable-length fields (a vendor habit)") \
	X(nf_templates_withdrawn, "IPFIX templates withdrawn") \
	X(nf_templates_rejected, "templates refused (malformed or over a limit)") \
	X(nf_templates_evicted, "templates pushed out, least recently used first, to make room under the totals") \
	X(nf_sets_pending, "data sets kept while waiting for their template") \
	X(nf_sets_pending_decoded, "kept data sets decoded once their template came") \
	X(nf_sets_pending_expired, "kept data sets dropped: template never came in time") \
	X(nf_sets_pending_overflow, "data sets dropped: per-exporter pending buffer full") \
	X(nf_sets_pending_evicted, "kept data sets pushed out (oldest first) by the total pending limit") \
	X(nf_options_records, "options data records read (sampling, interfaces)") \
	X(nf_sampling_updates, "sampling rates learnt from options data") \
	X(nf_sampling_refused, "sampling entries refused: the exporter's share or the table is full") \
	X(nf_interface_unkeyed, "options data records naming an interface without one clear ifIndex (none, or ingress and egress differ)") \
	X(nf_v5_records, "NetFlow v5 flow records in decoded datagrams (GoFlow2 counts them as version 5 DataFlowSets)") \
	X(nf_v9_template_sets, "NetFlow v9 template sets read (GoFlow2's TemplateFlowSet)") \
	X(nf_v9_template_records, "template records in NetFlow v9 template sets") \
	X(nf_v9_options_template_sets, "NetFlow v9 options template sets read") \
	X(nf_v9_options_template_records, "template records in NetFlow v9 options template sets") \
	X(nf_v9_data_sets, "NetFlow v9 data sets decoded with a flow template (GoFlow2's DataFlowSet)") \
	X(nf_v9_data_records, "flow records in those NetFlow v9 data sets") \
	X(nf_v9_options_data_sets, "NetFlow v9 data sets decoded with an options template") \
	X(nf_v9_options_data_records, "options records in those NetFlow v9 data sets") \
	X(nf_ipfix_template_sets, "IPFIX template sets read") \
	X(nf_ipfix_template_records, "template records (withdrawals included) in IPFIX template sets") \
	X(nf_ipfix_options_template_sets, "IPFIX options template sets read") \
	X(nf_ipfix_options_template_records, "template records in IPFIX options template sets") \
	X(nf_ipfix_data_sets, "IPFIX data sets decoded with a flow template") \
	X(nf_ipfix_data_records, "flow records in those IPFIX data sets") \
	X(nf_ipfix_options_data_sets, "IPFIX data sets decoded with an options template") \
	X(nf_ipfix_options_data_records, "options records in those IPFIX data sets") \
	X(interface_records, "interface facts decoded: names from v9/IPFIX options data, speeds from sFlow counter samples") \
	X(nf_templates_expired, "templates dropped because their exporter fell silent (exporter_idle)") \
	X(nf_exporters_expired, "exporters whose state was dropped after falling silent") \
	X(exporter_rows_refused, "datagrams of exporters without a row in exporters(): it holds max_exporters rows already") \
	X(exporter_rows_expired, "rows of exporters() dropped after their exporter fell silent (exporter_idle_timeout)") \
	X(nf_state_imported, "saved templates / sampling facts installed at start") \
	X(nf_state_import_rejected, "saved templates / sampling facts refused as corrupt or over a limit") \
	X(mapping_applied, "values written where a custom mapping says (v9/IPFIX fields, sFlow header slices)") \
	X(mapping_refused, "mapped values that did not fit their destination (length, range, room for custom values)") \
	X(sflow_flow_samples, "sFlow flow samples decoded") \
	X(sflow_counter_samples, "sFlow counter samples decoded") \
	X(sflow_drop_samples, "sFlow drop (discard) samples decoded") \
	X(sflow_samples_unknown, "sFlow samples of unknown format skipped") \
	X(sflow_records_unknown, "sFlow records of unknown format skipped") \
	X(sflow_limits_hit, "sFlow datagrams that hit an explicit limit") \
	X(sflow_header_unparsed, "sampled packet headers cut short or not understood")

typedef struct gf_counters
{
#define GF_COUNTER_FIELD(name, desc) uint64_t name;
	GF_COUNTER_LIST(GF_COUNTER_FIELD)
#undef GF_COUNTER_FIELD
} gf_counters;

#endif							/* GF_COUNTERS_H */
