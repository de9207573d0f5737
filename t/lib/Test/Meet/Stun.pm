package Test::Meet::Stun;

# A small STUN (RFC 8489) client for the media-port tests: writes ICE
# Binding requests (USERNAME, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE,
# MESSAGE-INTEGRITY, FINGERPRINT) and answers to the server's requests,
# and reads both.  Independent of the server's C code on purpose.

use strict;
use warnings;
use Digest::SHA qw(hmac_sha1);
use Compress::Zlib ();

use constant COOKIE => 0x2112A442;

sub _attr {
    my ($type, $value) = @_;
    my $pad = (4 - length($value) % 4) % 4;
    return pack('nn', $type, length $value) . $value . ("\0" x $pad);
}

# request(username => 'ours:theirs', pwd => 'server password',
#         use_candidate => 1, controlled => 0, no_integrity => 0,
#         no_fingerprint => 0, bad_integrity => 0, extra => [[type, val]])
sub request {
    my (%a) = @_;
    my $tid = $a{tid} // join('', map { chr(int rand 256) } 1 .. 12);
    my $attrs = '';
    $attrs .= _attr(0x0006, $a{username}) if defined $a{username};
    $attrs .= _attr(0x0024, pack('N', $a{priority} // 1853817087))
        unless $a{no_priority};
    $attrs .= _attr($a{controlled} ? 0x8029 : 0x802a,
                    pack('NN', 0x01020304, 0x05060708));
    $attrs .= _attr(0x0025, '') if $a{use_candidate};
    for my $x (@{ $a{extra} || [] }) {
        $attrs .= _attr($x->[0], $x->[1]);
    }

    return _finish(0x0001, $tid, $attrs, %a);
}

# MESSAGE-INTEGRITY (with pwd; unless no_integrity, inverted with
# bad_integrity), FINGERPRINT (unless no_fingerprint), the header
sub _finish {
    my ($type, $tid, $attrs, %a) = @_;

    unless ($a{no_integrity}) {
        # the length counts up to the end of MESSAGE-INTEGRITY
        my $head = pack('nnN', $type, length($attrs) + 24, COOKIE) . $tid;
        my $mac = hmac_sha1($head . $attrs, $a{pwd} // '');
        $mac = ~$mac if $a{bad_integrity};
        $attrs .= _attr(0x0008, $mac);
    }

    unless ($a{no_fingerprint}) {
        my $head = pack('nnN', $type, length($attrs) + 8, COOKIE) . $tid;
        my $crc = Compress::Zlib::crc32($head . $attrs) ^ 0x5354554e;
        $attrs .= _attr(0x8028, pack('N', $crc));
    }

    return pack('nnN', $type, length $attrs, COOKIE) . $tid . $attrs;
}

# the answer to a request: response(tid => ..., pwd => 'the key',
#   mapped => ['127.0.0.1', port] | error => 401, no_integrity => 0, ...)
sub response {
    my (%a) = @_;
    my $attrs = '';
    if ($a{error}) {
        $attrs .= _attr(0x0009, pack('nCC', 0, int($a{error} / 100),
                                     $a{error} % 100));
    } elsif ($a{mapped}) {
        my ($ip, $port) = @{ $a{mapped} };
        $attrs .= _attr(0x0020, pack('xCnN', 1, $port ^ (COOKIE >> 16),
            unpack('N', pack('C4', split /\./, $ip)) ^ COOKIE));
    }
    return _finish($a{error} ? 0x0111 : 0x0101, $a{tid}, $attrs, %a);
}

# a Binding request (the server's consent requests, RFC 7675)
sub is_request {
    my ($b) = @_;
    return defined $b && length $b >= 20
           && unpack('n', $b) == 0x0001 && unpack('x4N', $b) == COOKIE;
}

# parse(bytes, pwd) -> { type, class ('success'|'error'|...), tid,
#   username, error_code, mapped_ip, mapped_port, integrity_ok, fingerprint_ok }
sub parse {
    my ($b, $pwd) = @_;
    return undef if !defined $b || length $b < 20;
    my ($type, $len, $cookie) = unpack('nnN', $b);
    return undef unless $cookie == COOKIE && $len + 20 == length $b;
    my %r = (type => $type, tid => substr($b, 8, 12));
    my $cls = (($type >> 7) & 2) | (($type >> 4) & 1);
    $r{class} = (qw(request indication success error))[$cls];
    my $pos = 20;
    while ($pos + 4 <= length $b) {
        my ($t, $l) = unpack('nn', substr($b, $pos, 4));
        my $v = substr($b, $pos + 4, $l);
        if ($t == 0x0006) {
            $r{username} = $v;
        } elsif ($t == 0x0009 && $l >= 4) {
            my ($c, $n) = unpack('xxCC', $v);
            $r{error_code} = ($c & 7) * 100 + $n;
        } elsif ($t == 0x0020 && $l >= 8) {
            my ($fam, $port) = unpack('xCn', $v);
            $r{mapped_port} = $port ^ (COOKIE >> 16);
            if ($fam == 1) {
                my $ip = unpack('N', substr($v, 4, 4)) ^ COOKIE;
                $r{mapped_ip} = join('.', unpack('C4', pack('N', $ip)));
            }
        } elsif ($t == 0x0008 && defined $pwd) {
            my $head = pack('nn', $type, $pos + 24 - 20) . substr($b, 4, 16);
            my $mac = hmac_sha1($head . substr($b, 20, $pos - 20), $pwd);
            $r{integrity_ok} = ($mac eq $v) ? 1 : 0;
        } elsif ($t == 0x8028) {
            my $head = pack('nn', $type, $pos + 8 - 20) . substr($b, 4, 16);
            my $crc = Compress::Zlib::crc32($head . substr($b, 20, $pos - 20))
                      ^ 0x5354554e;
            $r{fingerprint_ok} = (unpack('N', $v) == $crc) ? 1 : 0;
        }
        $pos += 4 + $l + (4 - $l % 4) % 4;
    }
    return \%r;
}

1;
