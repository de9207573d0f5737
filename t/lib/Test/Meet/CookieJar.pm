package Test::Meet::CookieJar;

# A tiny cookie jar for tests (e.g. OIDC login flows).
#
#   my $jar = Test::Meet::CookieJar->new;
#   my $res = http_request(path => '/login', jar => $jar);  # stores Set-Cookie
#   my $res = http_request(path => '/app', jar => $jar);    # sends Cookie
#
#   $jar->extract($res, path => '/login');   # store Set-Cookie by hand
#   $jar->cookie_header(path => '/app');     # "a=1; b=2" or undef
#   $jar->get('session');                    # value or undef
#   $jar->set('session', 'abc', path => '/');
#   $jar->remove('session'); $jar->clear; $jar->names; $jar->as_hash;
#
# Simplifications: all requests go to one host (127.0.0.1 / localhost), so
# the Domain attribute is stored but not used for matching.  Path matching
# and expiry (Max-Age / Expires) follow RFC 6265.  Secure cookies are sent
# on plain HTTP too unless the jar was created with strict_secure => 1.

use strict;
use warnings;
use Time::Local qw(timegm);

sub new {
    my ($class, %opts) = @_;
    return bless { cookies => {}, strict_secure => $opts{strict_secure} },
        $class;
}

my %MON = (jan => 0, feb => 1, mar => 2, apr => 3, may => 4, jun => 5,
           jul => 6, aug => 7, sep => 8, oct => 9, nov => 10, dec => 11);

# Parse an HTTP date (RFC 1123 / RFC 850 / asctime, loosely) to epoch.
sub _parse_date {
    my ($s) = @_;
    my ($d, $m, $y, $H, $M, $S);
    if ($s =~ /(\d{1,2})[\s-]+([A-Za-z]{3})[a-z]*[\s-]+(\d{2,4})\s+(\d\d):(\d\d):(\d\d)/) {
        ($d, $m, $y, $H, $M, $S) = ($1, $2, $3, $4, $5, $6);
    } elsif ($s =~ /([A-Za-z]{3})\s+(\d{1,2})\s+(\d\d):(\d\d):(\d\d)\s+(\d{4})/) {
        ($m, $d, $H, $M, $S, $y) = ($1, $2, $3, $4, $5, $6);
    } else {
        return undef;
    }
    my $mon = $MON{ lc $m };
    return undef unless defined $mon;
    $y += $y < 70 ? 2000 : 1900 if $y < 100;
    return eval { timegm($S, $M, $H, $d, $mon, $y) };
}

# RFC 6265 default-path of a request path.
sub _default_path {
    my ($path) = @_;
    $path //= '/';
    $path =~ s/[?#].*//s;
    return '/' unless $path =~ m{^/};
    $path =~ s{/[^/]*\z}{};
    return length $path ? $path : '/';
}

sub _path_match {
    my ($req, $cookie) = @_;
    return 1 if $req eq $cookie;
    return 0 unless index($req, $cookie) == 0;
    return 1 if $cookie =~ m{/\z};
    return substr($req, length $cookie, 1) eq '/';
}

# add_set_cookie($header_value, path => $request_path)
# Store (or delete, when expired) the cookie described by one Set-Cookie value.
sub add_set_cookie {
    my ($self, $value, %req) = @_;
    my ($pair, @attrs) = split /;/, $value;
    return unless defined $pair && $pair =~ /^\s*([^=\s]+)\s*=\s*(.*?)\s*$/;
    my %c = (name => $1, value => $2, path => _default_path($req{path}));
    my $expires;
    for my $attr (@attrs) {
        my ($k, $v) = $attr =~ /^\s*([^=]+?)\s*(?:=\s*(.*?))?\s*$/ or next;
        $k = lc $k;
        if    ($k eq 'path' && defined $v && $v =~ m{^/}) { $c{path} = $v }
        elsif ($k eq 'domain' && defined $v) { ($c{domain} = lc $v) =~ s/^\.//; }
        elsif ($k eq 'secure')   { $c{secure} = 1 }
        elsif ($k eq 'httponly') { $c{httponly} = 1 }
        elsif ($k eq 'samesite') { $c{samesite} = $v }
        elsif ($k eq 'max-age' && defined $v && $v =~ /^-?\d+$/) {
            $expires = time + $v;      # Max-Age wins over Expires
            $c{max_age} = 1;
        }
        elsif ($k eq 'expires' && defined $v && !$c{max_age}) {
            my $t = _parse_date($v);
            $expires = $t if defined $t;
        }
    }
    $c{expires} = $expires;
    my $key = "$c{path}\0$c{name}";
    if (defined $expires && $expires <= time) {
        delete $self->{cookies}{$key};
    } else {
        $self->{cookies}{$key} = \%c;
    }
    return \%c;
}

# extract($response, path => $request_path): store every Set-Cookie header of
# a Test::Meet::HTTP response.
sub extract {
    my ($self, $res, %req) = @_;
    return unless $res && $res->{headers};
    $self->add_set_cookie($_, %req) for @{ $res->{headers}{'set-cookie'} || [] };
}

sub _live {
    my ($self) = @_;
    my $now = time;
    for my $k (keys %{ $self->{cookies} }) {
        my $e = $self->{cookies}{$k}{expires};
        delete $self->{cookies}{$k} if defined $e && $e <= $now;
    }
    return values %{ $self->{cookies} };
}

# cookie_header(path => '/x', secure => bool) -> "a=1; b=2" or undef.
# Longer paths first, as browsers do.
sub cookie_header {
    my ($self, %req) = @_;
    my $path = $req{path} // '/';
    $path =~ s/[?#].*//s;
    my @c = grep {
        _path_match($path, $_->{path})
            && (!$_->{secure} || !$self->{strict_secure} || $req{secure})
    } $self->_live;
    return undef unless @c;
    @c = sort { length($b->{path}) <=> length($a->{path})
                || $a->{name} cmp $b->{name} } @c;
    return join '; ', map { "$_->{name}=$_->{value}" } @c;
}

# get($name) -> value of the first (longest path) cookie with that name.
sub get {
    my ($self, $name) = @_;
    my @c = sort { length($b->{path}) <=> length($a->{path}) }
            grep { $_->{name} eq $name } $self->_live;
    return @c ? $c[0]{value} : undef;
}

# Full attribute hash of a cookie (name, value, path, domain, expires, ...).
sub cookie {
    my ($self, $name) = @_;
    my @c = sort { length($b->{path}) <=> length($a->{path}) }
            grep { $_->{name} eq $name } $self->_live;
    return @c ? { %{ $c[0] } } : undef;
}

sub set {
    my ($self, $name, $value, %attrs) = @_;
    my %c = (%attrs, name => $name, value => $value,
             path => $attrs{path} // '/');
    $self->{cookies}{"$c{path}\0$name"} = \%c;
}

sub remove {
    my ($self, $name) = @_;
    delete $self->{cookies}{$_}
        for grep { $self->{cookies}{$_}{name} eq $name }
            keys %{ $self->{cookies} };
}

sub clear { $_[0]{cookies} = {} }

sub names {
    my ($self) = @_;
    my %n = map { $_->{name} => 1 } $self->_live;
    return sort keys %n;
}

# { name => value } (longest-path value wins).
sub as_hash {
    my ($self) = @_;
    return { map { $_ => $self->get($_) } $self->names };
}

1;
