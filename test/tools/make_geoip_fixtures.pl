#!/usr/bin/perl
# make_geoip_fixtures.pl: writes the small MaxMind DB files that
# test/unit/test_geoip.c reads (test/unit/data/geoip/*.mmdb), with
# MaxMind's own writer (Debian: libmaxmind-db-writer-perl).  The tables
# below are the test's oracle: test_geoip.c states the same answers by
# hand.  The files are committed, so the unit tests need neither this
# module nor the network; rerun this only to change them:
#   test/tools/make_geoip_fixtures.pl test/unit/data/geoip
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my $dir = shift // die "usage: $0 OUTDIR\n";

my %types = (
	country => 'map', registered_country => 'map', continent => 'map',
	names => 'map', en => 'utf8_string', iso_code => 'utf8_string',
	code => 'utf8_string', geoname_id => 'uint32',
	country_code => 'utf8_string',
	autonomous_system_number => 'uint32',
	autonomous_system_organization => 'utf8_string',
);

sub write_db {
	my ($file, $type, $ipv, $alias, @nets) = @_;
	my $tree = MaxMind::DB::Writer::Tree->new(
		ip_version => $ipv,
		record_size => 24,
		database_type => $type,
		languages => ['en'],
		description => { en => "goflow2plus unit test fixture" },
		map_key_type_callback => sub { $types{ $_[0] } // die "no type for $_[0]\n" },
		alias_ipv6_to_ipv4 => $alias,
		# The fixtures use documentation and private ranges on purpose.
		remove_reserved_networks => 0,
	);
	while (my ($net, $data) = splice @nets, 0, 2) {
		$tree->insert_network($net, $data);
	}
	open my $fh, '>:raw', "$dir/$file" or die "$dir/$file: $!\n";
	$tree->write_tree($fh);
	close $fh or die "$dir/$file: $!\n";
}

sub mm_country {
	my ($iso, $name) = @_;
	return {
		continent => { code => 'EU', geoname_id => 6255148, names => { en => 'Europe' } },
		country => { iso_code => $iso, geoname_id => 1, names => { en => $name } },
		registered_country => { iso_code => $iso, geoname_id => 1, names => { en => $name } },
	};
}

# GeoLite2-Country layout: country.iso_code, IPv4 aliased under ::ffff:0:0/96.
write_db('country_maxmind.mmdb', 'GeoLite2-Country', 6, 1,
	'198.51.100.0/24' => mm_country('US', 'United States'),
	'203.0.113.0/25' => mm_country('DE', 'Germany'),
	# Registered country only (as MaxMind does for some anycast space): no country.
	'203.0.113.128/25' => { registered_country => { iso_code => 'NL', geoname_id => 2, names => { en => 'Netherlands' } } },
	'10.1.0.0/16' => mm_country('FR', 'France'),
	'2001:db8:1::/48' => mm_country('JP', 'Japan'),
	# Not an ISO alpha-2 code: lower case, three letters.
	'2001:db8:2::/48' => mm_country('xx', 'Lower case'),
	'2001:db8:3::/48' => mm_country('USA', 'Three letters'),
);

# ip-location-db layout: country_code at the top, no ::ffff:0:0/96 alias.
write_db('country_iplocdb.mmdb', 'country ipvAll', 6, 0,
	'198.51.100.0/24' => { country_code => 'GB' },
	'203.0.113.0/24' => { country_code => 'CH' },
	'2001:db8:1::/48' => { country_code => 'BR' },
);

# An IPv4-only database: IPv6 lookups must miss, not fail.
write_db('country_v4only.mmdb', 'country ipv4', 4, 0,
	'198.51.100.0/24' => { country_code => 'IT' },
);

# GeoLite2-ASN layout.
write_db('asn.mmdb', 'GeoLite2-ASN', 6, 1,
	'198.51.100.0/24' => { autonomous_system_number => 64500, autonomous_system_organization => 'Example One' },
	'203.0.113.0/24' => { autonomous_system_number => 64501, autonomous_system_organization => 'Example Two' },
	'2001:db8:1::/48' => { autonomous_system_number => 4200000000, autonomous_system_organization => 'Example 32-bit' },
	# AS 0 means "no AS": a miss.
	'192.0.2.0/24' => { autonomous_system_number => 0, autonomous_system_organization => 'Reserved' },
	# A record without the number.
	'10.2.0.0/16' => { autonomous_system_organization => 'No number' },
);
# A later edition of the ASN file: the server must notice the swap.
write_db('asn_alt.mmdb', 'GeoLite2-ASN', 6, 1,
	'198.51.100.0/24' => { autonomous_system_number => 64510, autonomous_system_organization => 'Example One, renumbered' },
);
print "wrote $dir/{country_maxmind,country_iplocdb,country_v4only,asn,asn_alt}.mmdb\n";
