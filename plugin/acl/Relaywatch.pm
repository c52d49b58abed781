package Cpanel::Config::ConfigObj::Driver::Relaywatch;

# relaywatch's own WHM privilege. install.sh places this file in
# /usr/local/cpanel/Cpanel/Config/ConfigObj/Driver/ and its META.pm in Driver/Relaywatch/; WHM reads
# acl_desc() from every driver there and lists each ACL in "Edit Reseller Nameservers and Privileges",
# where root ticks it per reseller. The ACL's name must stay equal to the AppConfig's acls= entry and
# to PLUGIN_ACLS in src/http/identity.ts (a test compares the three).
#
# cPanel loads every driver in that folder inside WHM itself: this file does nothing but describe the
# ACL, loads nothing else at compile time, and never dies.

use strict;
use warnings;

use Cpanel::Config::ConfigObj::Driver::Relaywatch::META ();
use parent qw(Cpanel::Config::ConfigObj::Interface::Config::v1);

our $VERSION = $Cpanel::Config::ConfigObj::Driver::Relaywatch::META::VERSION;

sub init {
    my ( $class, $software_obj ) = @_;
    return $class->SUPER::base( { 'thirdparty_ns' => 'Relaywatch', 'meta' => {} }, $software_obj );
}

# The interface requires enable and disable (they switch a feature); an ACL has nothing to switch.
sub enable  { return 1; }
sub disable { return 1; }

sub info {
    my ($self) = @_;
    return $self->meta()->abstract();
}

sub acl_desc {
    return [
        {
            'acl'  => 'software-relaywatch',
            'name' => 'relaywatch (relay list, POP-before-SMTP and blacklist explanations)',

            # Not granted to existing resellers on its own: root chooses who gets it.
            'default_value'    => 0,
            'default_ui_value' => 0,
            'acl_subcat'       => 'Third-Party Services',
        },
    ];
}

1;
