package Test::Meet::HTTP;

# Minimal, strict HTTP/1.x client for the Test::Meet harness.
#
# It only ever talks to 127.0.0.1.  Every read/write is bounded by a deadline.
# The functions below are also meant as building blocks for later helpers
# (WebSocket, long-polling, ...):
#
#   my ($sock, $err) = connect_socket(port => $p, tls => 0, timeout => 5);
#   $err = send_all($sock, $bytes, $deadline);
#   my $res = read_response($sock, method => 'GET', deadline => $deadline);
#   my $res = request(port => $p, method => 'GET', path => '/', ...);
#
# A response is a hashref:
#   { status => 200, reason => 'OK', protocol => 'HTTP/1.1',
#     headers => { 'content-type' => ['text/plain'], ... },   # lower-cased
#     header_list => [ [ 'Content-Type', 'text/plain' ], ... ],  # as sent
#     body => '...', raw => 'all bytes received', error => undef | 'text' }

use strict;
use warnings;

use IO::Socket::IP;
use IO::Select;
use Errno qw(EAGAIN EWOULDBLOCK EINTR);
use Time::HiRes qw(time);

use Exporter 'import';
our @EXPORT_OK = qw(connect_socket send_all read_response request
                    header_value);

use constant HOST => '127.0.0.1';

# connect_socket(port => N, tls => bool, sni => 'localhost', timeout => secs)
# -> ($socket, undef) or (undef, "error text").  The socket is returned in
# non-blocking mode.
sub connect_socket {
    my %a = @_;
    my $port    = $a{port} or return (undef, 'connect_socket: no port given');
    my $timeout = $a{timeout} // 5;
    my $sock;

    if ($a{tls}) {
        require IO::Socket::SSL;
        $sock = IO::Socket::SSL->new(
            PeerHost        => HOST,
            PeerPort        => $port,
            Timeout         => $timeout,
            SSL_verify_mode => IO::Socket::SSL::SSL_VERIFY_NONE(),
            SSL_hostname    => $a{sni} // 'localhost',
            ($a{alpn} ? (SSL_alpn_protocols => $a{alpn}) : ()),
        );
        return (undef, "TLS connect to " . HOST . ":$port failed: "
                       . ($IO::Socket::SSL::SSL_ERROR || $@ || $!))
            unless $sock;
    } else {
        $sock = IO::Socket::IP->new(
            PeerHost => HOST,
            PeerPort => $port,
            Proto    => 'tcp',
            Timeout  => $timeout,
        );
        return (undef, "connect to " . HOST . ":$port failed: " . ($@ || $!))
            unless $sock;
    }
    binmode $sock;
    $sock->blocking(0);
    return ($sock, undef);
}

sub _would_block {
    return 1 if $!{EAGAIN} || $!{EWOULDBLOCK} || $!{EINTR};
    return 0;
}

# send_all($sock, $data, $deadline) -> undef on success, error text otherwise.
sub send_all {
    my ($sock, $data, $deadline) = @_;
    my $off = 0;
    my $len = length $data;
    my $sel = IO::Select->new($sock);
    my $is_ssl = $sock->isa('IO::Socket::SSL');

    while ($off < $len) {
        my $left = $deadline - time;
        return "timeout while sending request" if $left <= 0;
        $sel->can_write($left > 0.5 ? 0.5 : $left) or next;
        my $n = syswrite($sock, $data, $len - $off, $off);
        if (!defined $n) {
            next if _would_block();
            next if $is_ssl && _ssl_want();
            return "send failed: $!";
        }
        $off += $n;
    }
    return undef;
}

sub _ssl_want {
    my $e = $IO::Socket::SSL::SSL_ERROR;
    return 0 unless defined $e;
    return $e == IO::Socket::SSL::SSL_WANT_READ()
        || $e == IO::Socket::SSL::SSL_WANT_WRITE();
}

# Read whatever is available within the deadline.  Returns
# (bytes_read, eof, error): bytes_read > 0 appended to $$bufref.
sub _read_some {
    my ($sock, $bufref, $deadline) = @_;
    my $is_ssl = $sock->isa('IO::Socket::SSL');
    my $sel = IO::Select->new($sock);

    while (1) {
        my $left = $deadline - time;
        return (0, 0, 'timeout') if $left <= 0;
        # TLS may hold already-decrypted data that select() cannot see.
        unless ($is_ssl && $sock->pending) {
            $sel->can_read($left > 0.5 ? 0.5 : $left) or next;
        }
        my $n = sysread($sock, $$bufref, 65536, length $$bufref);
        if (!defined $n) {
            next if _would_block();
            next if $is_ssl && _ssl_want();
            # A reset after the server sent everything is treated as EOF,
            # but reported.
            return (0, 1, "read failed: $!");
        }
        return (0, 1, undef) if $n == 0;
        return ($n, 0, undef);
    }
}

# Parse "Name: value" header lines.
sub _parse_headers {
    my (@lines) = @_;
    my (%h, @list);
    for my $line (@lines) {
        next unless length $line;
        if ($line =~ /^([^:\s]+)\s*:\s*(.*?)\s*$/) {
            push @{ $h{ lc $1 } }, $2;
            push @list, [ $1, $2 ];
        }
    }
    return (\%h, \@list);
}

# Decode a chunked body starting at $pos in $buf.
# Returns (complete, body, error).
sub _decode_chunked {
    my ($buf, $pos) = @_;
    my $body = '';
    while (1) {
        my $eol = index($buf, "\n", $pos);
        return (0, $body) if $eol < 0;
        my $line = substr($buf, $pos, $eol - $pos);
        $line =~ s/\r\z//;
        return (1, $body, "bad chunk size line '$line'")
            unless $line =~ /^\s*([0-9a-fA-F]+)\s*(?:;.*)?$/;
        my $size = hex $1;
        $pos = $eol + 1;
        if ($size == 0) {
            # Trailer section ends with an empty line.
            while (1) {
                my $e = index($buf, "\n", $pos);
                return (0, $body) if $e < 0;
                my $t = substr($buf, $pos, $e - $pos);
                $pos = $e + 1;
                return (1, $body) if $t eq '' || $t eq "\r";
            }
        }
        return (0, $body) if length($buf) < $pos + $size + 1;
        $body .= substr($buf, $pos, $size);
        $pos += $size;
        # Chunk data is followed by CRLF.
        if (substr($buf, $pos, 2) eq "\r\n") { $pos += 2 }
        elsif (substr($buf, $pos, 1) eq "\n") { $pos += 1 }
        elsif (length($buf) < $pos + 2) { return (0, $body) }
        else { return (1, $body, 'chunk data not followed by CRLF') }
    }
}

# Try to parse one complete response out of $buf.  Returns a response
# hashref when complete (or when $eof makes it final), undef otherwise.
sub _try_parse {
    my ($buf, $method, $eof) = @_;
    my $pos = 0;

    while (1) {
        # End of the header block (tolerate bare LF line endings).
        my $crlf = index($buf, "\r\n\r\n", $pos);
        my $lf   = index($buf, "\n\n", $pos);
        my ($hend, $hlen);
        if ($crlf >= 0 && ($lf < 0 || $crlf < $lf)) { ($hend, $hlen) = ($crlf, 4) }
        elsif ($lf >= 0)                            { ($hend, $hlen) = ($lf, 2) }
        unless (defined $hend) {
            return undef unless $eof;
            return { raw => $buf, body => '', headers => {}, header_list => [],
                     error => length $buf
                              ? 'connection closed inside the response header'
                              : 'connection closed without a response' };
        }

        my $head = substr($buf, $pos, $hend - $pos);
        my ($status_line, @lines) = split /\r?\n/, $head;
        $status_line //= '';
        my ($proto, $status, $reason) =
            $status_line =~ m{^(HTTP/\d(?:\.\d)?)\s+(\d{3})(?:\s+(.*?))?\s*$};
        unless (defined $status) {
            return { raw => $buf, body => '', headers => {}, header_list => [],
                     error => "bad status line '$status_line'" };
        }
        my ($h, $list) = _parse_headers(@lines);
        my $start = $hend + $hlen;

        # Skip interim 1xx responses (but 101 Switching Protocols is final).
        if ($status >= 100 && $status < 200 && $status != 101) {
            $pos = $start;
            next;
        }

        my %res = (protocol => $proto, status => $status + 0,
                   reason => $reason // '', headers => $h,
                   header_list => $list, raw => $buf);

        my $te = join ',', @{ $h->{'transfer-encoding'} || [] };
        my $cl = $h->{'content-length'} ? $h->{'content-length'}[0] : undef;

        if (uc($method // '') eq 'HEAD' || $status == 204 || $status == 304
            || $status == 101)
        {
            $res{body} = '';
            return \%res;
        }
        if ($te =~ /chunked/i) {
            my ($done, $body, $err) = _decode_chunked($buf, $start);
            if ($done) {
                $res{body}  = $body;
                $res{error} = $err if $err;
                return \%res;
            }
            return undef unless $eof;
            $res{body}  = $body;
            $res{error} = 'connection closed inside a chunked body';
            return \%res;
        }
        if (defined $cl && $cl =~ /^\d+$/) {
            if (length($buf) - $start >= $cl) {
                $res{body} = substr($buf, $start, $cl);
                return \%res;
            }
            return undef unless $eof;
            $res{body}  = substr($buf, $start);
            $res{error} = "connection closed after " . length($res{body})
                          . " of $cl body bytes";
            return \%res;
        }
        # No framing: the body runs until the connection is closed.
        return undef unless $eof;
        $res{body} = substr($buf, $start);
        return \%res;
    }
}

# read_response($sock, method => 'GET', deadline => time + 5)
# Reads one response (skipping 1xx) and returns the response hashref.
# On timeout the hashref has error => 'timeout ...' and what was received.
sub read_response {
    my ($sock, %a) = @_;
    my $deadline = $a{deadline} // time + 5;
    my $buf = '';
    my ($eof, $err) = (0, undef);
    while (1) {
        my $res = _try_parse($buf, $a{method}, $eof);
        if ($res) {
            $res->{error} //= $err if $err && $err !~ /^read failed/;
            return $res;
        }
        if ($err && $err eq 'timeout') {
            return { raw => $buf, body => '', headers => {}, header_list => [],
                     error => 'timeout while reading the response ('
                              . length($buf) . ' bytes received)' };
        }
        (undef, $eof, $err) = _read_some($sock, \$buf, $deadline);
    }
}

# First value of a header (case-insensitive) of a response, or undef.
sub header_value {
    my ($res, $name) = @_;
    my $v = $res->{headers}{ lc $name };
    return $v ? $v->[0] : undef;
}

# request(%args) -> response hashref (never dies for network errors; check
# $res->{error}).
#   port      (required) 127.0.0.1 port
#   method    'GET'        path  '/'      http_version '1.1'
#   headers   { Name => value | [values] } or [ Name => value, ... ]
#   body      request body (Content-Length is added automatically)
#   tls       use TLS (no certificate verification); sni => 'localhost'
#   timeout   seconds for the whole exchange (default 5)
#   raw       bytes to send as-is instead of building a request; `method`
#             is then only used to know whether a body is expected (HEAD)
#   jar       a Test::Meet::CookieJar: adds Cookie, stores Set-Cookie
sub request {
    my %a = @_;
    my $timeout  = $a{timeout} // 5;
    my $deadline = time + $timeout;
    my $method   = $a{method} // 'GET';
    my $path     = $a{path} // '/';

    my $data;
    if (defined $a{raw}) {
        $data = $a{raw};
        $method = $1 if !defined $a{method} && $data =~ /^\s*([A-Z]+)\s/;
    } else {
        my @hdrs;
        if (ref $a{headers} eq 'ARRAY') {
            my @h = @{ $a{headers} };
            push @hdrs, [ splice(@h, 0, 2) ] while @h;
        } elsif (ref $a{headers} eq 'HASH') {
            for my $k (sort keys %{ $a{headers} }) {
                my $v = $a{headers}{$k};
                push @hdrs, [ $k, $_ ] for ref $v eq 'ARRAY' ? @$v : ($v);
            }
        }
        my %have = map { lc($_->[0]) => 1 } @hdrs;
        if ($a{jar} && !$have{cookie}) {
            my $c = $a{jar}->cookie_header(path => $path, secure => $a{tls});
            push @hdrs, [ Cookie => $c ] if defined $c;
        }
        unshift @hdrs, [ Host => 'localhost' ] unless $have{host};
        push @hdrs, [ Connection => 'close' ] unless $have{connection};
        my $body = $a{body};
        if (!$have{'content-length'} && !$have{'transfer-encoding'}
            && ((defined $body && length $body)
                || $method =~ /^(?:POST|PUT|PATCH)$/))
        {
            push @hdrs, [ 'Content-Length' => length($body // '') ];
        }
        my $ver = $a{http_version} // '1.1';
        $data = "$method $path HTTP/$ver\r\n"
              . join('', map { "$_->[0]: $_->[1]\r\n" } @hdrs)
              . "\r\n" . ($body // '');
    }

    my ($sock, $err) = connect_socket(port => $a{port}, tls => $a{tls},
                                      sni => $a{sni}, timeout => $timeout);
    return { error => $err, raw => '', body => '', headers => {},
             header_list => [] } unless $sock;

    if (defined($err = send_all($sock, $data, $deadline))) {
        # The server may have answered and closed early; try to read anyway.
        my $res = read_response($sock, method => $method,
                                deadline => time + 0.5);
        $res->{error} //= $err;
        close $sock;
        return $res;
    }
    my $res = read_response($sock, method => $method, deadline => $deadline);
    close $sock;
    $a{jar}->extract($res, path => $path) if $a{jar};
    return $res;
}

1;
