package Cpanel::Config::ConfigObj::Driver::Relaywatch::META;

# What WHM's driver loader asks of every driver before anything else: spec_version and
# get_driver_name (a META without them leaves WHM unable to list its drivers). Defined here rather
# than inherited, so this file loads on any cPanel version.

use strict;
use warnings;

our $VERSION = '1.0';

sub spec_version { return 1; }
sub meta_version { return 1; }

sub get_driver_name { return 'relaywatch_driver'; }

sub content {
    my $abstract = 'Lets a reseller open relaywatch for the accounts it owns.';
    return {
        'vendor' => 'relaywatch',
        'name'   => {
            'short'  => 'relaywatch',
            'long'   => 'relaywatch reseller privilege',
            'driver' => get_driver_name(),
        },
        'abstract' => $abstract,
        'version'  => $VERSION,
    };
}

# Nothing to show in WHM's Feature Showcase: this driver only declares a privilege.
sub showcase { return; }

1;
