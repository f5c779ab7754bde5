#!/usr/bin/perl
# asn_csv_to_mmdb.pl: writes a GeoLite2-ASN-layout MaxMind DB
# ({autonomous_system_number, autonomous_system_organization}) from the
# CSV files of the npm package @ip-location-db/asn, whose lines read
#   first_ip,last_ip,asn,organization   (organization may be "quoted, with commas")
# npm carries no ASN database in mmdb form, and the GeoIP tests want a
# real, Internet-sized one: MaxMind's own writer (Debian's
# libmaxmind-db-writer-perl) builds it, so the file is what a GeoLite2-ASN
# user would feed goflow2plus.
#   usage: asn_csv_to_mmdb.pl OUT.mmdb asn-ipv4.csv [asn-ipv6.csv ...]
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

die "usage: $0 OUT.mmdb CSV...\n" unless @ARGV >= 2;
my ($out, @csvs) = @ARGV;

my %types = (
	autonomous_system_number => 'uint32',
	autonomous_system_organization => 'utf8_string',
);
# Same shape as GeoLite2-ASN: IPv6 tree with IPv4 aliased under
# ::ffff:0:0/96 and 2002::/16; reserved networks are dropped, as MaxMind does.
my $tree = MaxMind::DB::Writer::Tree->new(
	ip_version => 6,
	record_size => 28,
	database_type => 'GeoLite2-ASN',
	languages => ['en'],
	description => { en => 'ASN database built from @ip-location-db/asn CSV for goflow2plus tests' },
	map_key_type_callback => sub { $types{ $_[0] } },
	alias_ipv6_to_ipv4 => 1,
	remove_reserved_networks => 1,
	merge_strategy => 'none',
);

my ($rows, $skipped) = (0, 0);
for my $csv (@csvs) {
	open my $fh, '<:encoding(UTF-8)', $csv or die "$csv: $!\n";
	while (my $line = <$fh>) {
		$line =~ s/\r?\n\z//;
		next if $line eq '';
		my ($first, $last, $asn, $org) = split /,/, $line, 4;
		die "$csv:$.: not first,last,asn,org\n" unless defined $org && $asn =~ /^\d+\z/;
		$org = $1 =~ s/""/"/gr if $org =~ /\A"(.*)"\z/s;
		# Ranges the writer refuses (reserved or aliased space) are
		# skipped: lookups there answer "no data", as in GeoLite2.
		my $ok = eval {
			$tree->insert_range($first, $last, {
				autonomous_system_number => $asn + 0,
				autonomous_system_organization => $org,
			});
			1;
		};
		if ($ok) { $rows++ }
		else {
			print STDERR "asn_csv_to_mmdb: $csv:$.: skipped: $@" if $skipped < 5;
			$skipped++;
		}
	}
	close $fh;
}
open my $ofh, '>:raw', $out or die "$out: $!\n";
$tree->write_tree($ofh);
close $ofh or die "$out: $!\n";
print STDERR "asn_csv_to_mmdb: $rows ranges written, $skipped skipped\n";
