package Test::Meet::WebSocket;

# A small RFC 6455 client for the Test::Meet harness, built to send both
# correct and deliberately broken frames.  Only talks to 127.0.0.1; every
# wait is bounded.
#
#   my $ws = Test::Meet::WebSocket->connect(port => $p, path => '/rtc/v1?..',
#                                           headers => [Name => 'v', ...]);
#   $ws->{status}            101 on success (else the HTTP answer is in
#                            $ws->{response}: status, headers, body)
#   $ws->send_frame(opcode => 2, payload => $bytes, fin => 1, mask => 1,
#                   rsv => 0, length => $announced);
#   $ws->send_raw($bytes);
#   my $f = $ws->read_frame(5);   # {fin, opcode, payload} / {eof=>1} / undef
#   my ($code, $reason) = $ws->wait_close(5);   # skips other frames
#   my ($ws, $field) = Test::Meet::WebSocket::join(port => $p,
#                          identity => 'a', room => 'r');   # 1: joined
#
# Also: Test::Meet::WebSocket::token(%claims) mints a LiveKit access token
# (HS256) and the pb_* functions encode the few protobuf messages the Perl
# tests need (the Node tests use the real @livekit/protocol codec).

use strict;
use warnings;
use IO::Socket::IP;
use IO::Select;
use Time::HiRes qw(time);
use MIME::Base64 qw(encode_base64);
use Digest::SHA qw(sha1 hmac_sha256);
use JSON::PP ();
use Socket qw(SOL_SOCKET SO_RCVBUF);

use constant {
    OP_CONT => 0, OP_TEXT => 1, OP_BINARY => 2,
    OP_CLOSE => 8, OP_PING => 9, OP_PONG => 10,
};

sub connect {
    my ($class, %a) = @_;
    my $timeout = $a{timeout} // 5;
    my $deadline = time + $timeout;
    my $self = bless { buf => '', status => 0 }, $class;

    my $sock = IO::Socket::IP->new(PeerHost => '127.0.0.1',
                                   PeerPort => $a{port},
                                   Timeout => $timeout)
        or return bless { error => "connect: $!", status => 0 }, $class;
    if ($a{rcvbuf}) {
        setsockopt($sock, SOL_SOCKET, SO_RCVBUF, $a{rcvbuf});
    }
    $sock->autoflush(1);
    $sock->blocking(0);
    $self->{sock} = $sock;

    my $key = $a{key} // encode_base64(join('', map { chr(int rand 256) }
                                               1 .. 16), '');
    my @h = (Host => 'localhost', Upgrade => 'websocket',
             Connection => 'Upgrade', 'Sec-WebSocket-Key' => $key,
             'Sec-WebSocket-Version' => 13);
    my %override = @{ $a{headers} || [] };
    my @hdrs;
    while (@h) {
        my ($k, $v) = splice(@h, 0, 2);
        next if exists $override{$k};
        push @hdrs, "$k: $v";
    }
    my @o = @{ $a{headers} || [] };
    while (@o) {
        my ($k, $v) = splice(@o, 0, 2);
        push @hdrs, "$k: $v" if defined $v;
    }
    my $req = "GET $a{path} HTTP/1.1\r\n" . join('', map { "$_\r\n" } @hdrs)
            . "\r\n";
    $self->_write($req, $deadline) or return $self;

    # the answer: headers up to the empty line, then frames
    while ($self->{buf} !~ /\r\n\r\n/) {
        my $n = $self->_read($deadline);
        if (!$n) {
            $self->{error} //= 'no HTTP answer';
            last;
        }
    }
    my ($head, $rest) = split /\r\n\r\n/, $self->{buf}, 2;
    $head //= '';
    my ($status_line, @lines) = split /\r\n/, $head;
    my ($status) = ($status_line // '') =~ m{^HTTP/1\.\d (\d{3})};
    my %headers;
    for (@lines) {
        my ($k, $v) = /^([^:]+):\s*(.*)$/ or next;
        push @{ $headers{ lc $k } }, $v;
    }
    $self->{status} = $status // 0;
    $self->{headers} = \%headers;
    $self->{accept_expected} =
        encode_base64(sha1($key . '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'), '');
    $self->{buf} = $rest // '';

    if ($self->{status} != 101) {
        # read the body of an error answer
        my $len = ($headers{'content-length'} || [0])->[0];
        while (length($self->{buf}) < $len && $self->_read($deadline)) { }
        $self->{response} = { status => $self->{status},
                              headers => \%headers,
                              body => substr($self->{buf}, 0, $len) };
    }
    return $self;
}

sub header {
    my ($self, $name) = @_;
    my $v = $self->{headers}{ lc $name };
    return $v ? $v->[0] : undef;
}

sub _write {
    my ($self, $data, $deadline) = @_;
    my $sel = IO::Select->new($self->{sock});
    while (length $data) {
        return $self->_fail('write timeout') if time > $deadline;
        $sel->can_write(0.2) or next;
        my $n = syswrite($self->{sock}, $data);
        if (!defined $n) {
            next if $!{EAGAIN} || $!{EWOULDBLOCK} || $!{EINTR};
            return $self->_fail("write: $!");
        }
        substr($data, 0, $n, '');
    }
    return 1;
}

sub _fail { $_[0]{error} = $_[1]; return 0 }

# reads what is there within the deadline; bytes read, 0 at EOF or timeout
sub _read {
    my ($self, $deadline) = @_;
    my $sel = IO::Select->new($self->{sock});
    while (time < $deadline) {
        my $left = $deadline - time;
        $sel->can_read($left > 0.2 ? 0.2 : $left) or next;
        my $n = sysread($self->{sock}, $self->{buf}, 65536,
                        length $self->{buf});
        if (!defined $n) {
            next if $!{EAGAIN} || $!{EWOULDBLOCK} || $!{EINTR};
            $self->{eof} = 1;
            $self->{error} = "read: $!";
            return 0;
        }
        if ($n == 0) {
            $self->{eof} = 1;
            return 0;
        }
        return $n;
    }
    return 0;
}

sub send_raw {
    my ($self, $bytes) = @_;
    return $self->_write($bytes, time + 5);
}

sub encode_frame {
    my (%a) = @_;
    my $payload = $a{payload} // '';
    my $len = $a{length} // length $payload;
    my $fin = $a{fin} // 1;
    my $mask = $a{mask} // 1;
    my $b0 = ($fin ? 0x80 : 0) | (($a{rsv} // 0) << 4) | ($a{opcode} & 0xf);
    my $frame = chr($b0);
    my $m = $mask ? 0x80 : 0;
    if ($len < 126) {
        $frame .= chr($m | $len);
    } elsif ($len < 65536) {
        $frame .= chr($m | 126) . pack('n', $len);
    } else {
        $frame .= chr($m | 127) . pack('Q>', $len);
    }
    if ($mask) {
        my $key = $a{mask_key} // join('', map { chr(int rand 256) } 1 .. 4);
        $frame .= $key;
        my $masked = $payload ^ substr($key x (int(length($payload) / 4) + 1),
                                       0, length $payload);
        $frame .= $masked;
    } else {
        $frame .= $payload;
    }
    return $frame;
}

sub send_frame {
    my ($self, %a) = @_;
    return $self->send_raw(encode_frame(%a));
}

sub send_binary { $_[0]->send_frame(opcode => OP_BINARY, payload => $_[1]) }

# one server frame: {fin, opcode, payload}; {eof => 1} when the connection
# ended; undef on timeout
sub read_frame {
    my ($self, $timeout) = @_;
    my $deadline = time + ($timeout // 5);
    while (1) {
        my $f = $self->_parse_frame;
        return $f if $f;
        return { eof => 1 } if $self->{eof};
        return undef if time >= $deadline;
        $self->_read($deadline);
    }
}

sub _parse_frame {
    my ($self) = @_;
    my $b = $self->{buf};
    return undef if length $b < 2;
    my ($b0, $b1) = unpack('CC', $b);
    my $len = $b1 & 0x7f;
    my $off = 2;
    if ($len == 126) {
        return undef if length $b < 4;
        $len = unpack('n', substr($b, 2, 2));
        $off = 4;
    } elsif ($len == 127) {
        return undef if length $b < 10;
        $len = unpack('Q>', substr($b, 2, 8));
        $off = 10;
    }
    my $masked = $b1 & 0x80;
    $off += 4 if $masked;
    return undef if length $b < $off + $len;
    my $frame = { fin => ($b0 >> 7) & 1, rsv => ($b0 >> 4) & 7,
                  opcode => $b0 & 0xf, masked => $masked ? 1 : 0,
                  payload => substr($b, $off, $len) };
    substr($self->{buf}, 0, $off + $len, '');
    return $frame;
}

# waits for the server's close frame, skipping others: (code, reason), or
# (undef, why) when none came
sub wait_close {
    my ($self, $timeout) = @_;
    my $deadline = time + ($timeout // 5);
    while (time < $deadline) {
        my $f = $self->read_frame($deadline - time);
        return (undef, 'timeout') unless $f;
        return (undef, 'connection closed without a close frame')
            if $f->{eof};
        next unless $f->{opcode} == OP_CLOSE;
        my $p = $f->{payload};
        return (1005, '') if length $p < 2;
        return (unpack('n', substr($p, 0, 2)), substr($p, 2));
    }
    return (undef, 'timeout');
}

# waits until the connection is closed by the server (EOF): 1, or 0
sub wait_eof {
    my ($self, $timeout) = @_;
    my $deadline = time + ($timeout // 5);
    while (time < $deadline) {
        $self->{buf} = '';
        return 1 if $self->{eof};
        $self->_read($deadline);
    }
    return $self->{eof} ? 1 : 0;
}

sub close_socket { close($_[0]{sock}) if $_[0]{sock}; delete $_[0]{sock} }

# --- LiveKit access tokens ----------------------------------------------

sub _b64url {
    my $s = encode_base64($_[0], '');
    $s =~ tr{+/}{-_};
    $s =~ s/=+$//;
    return $s;
}

# token(key => 'devkey', secret => 'secret', identity => 'alice',
#       room => 'r', ttl => 600, video => {...}, claims => {...})
sub token {
    my (%a) = @_;
    my $now = time;
    my %claims = (
        iss => $a{key} // 'devkey',
        sub => $a{identity} // 'alice',
        nbf => int($now) - 5,
        exp => int($now) + ($a{ttl} // 600),
        video => { roomJoin => JSON::PP::true, room => $a{room} // 'room1',
                   %{ $a{video} || {} } },
        %{ $a{claims} || {} },
    );
    for (keys %claims) { delete $claims{$_} unless defined $claims{$_} }
    my $json = JSON::PP->new->canonical;
    my $head = _b64url($json->encode({ alg => $a{alg} // 'HS256',
                                       typ => 'JWT' }));
    my $body = _b64url($json->encode(\%claims));
    my $sig = _b64url(hmac_sha256("$head.$body", $a{secret} // 'secret'));
    return "$head.$body.$sig";
}

# --- the few protobuf messages the Perl tests need ----------------------

sub pb_varint {
    my ($v) = @_;
    my $out = '';
    while ($v >= 0x80) {
        $out .= chr(($v & 0x7f) | 0x80);
        $v >>= 7;
    }
    return $out . chr($v);
}

# SignalRequest{ping = 14: int64}
sub pb_ping { return pb_varint((14 << 3) | 0) . pb_varint($_[0]) }

# a join_request query value: WrappedJoinRequest{compression NONE,
# join_request = JoinRequest}, base64url with "=" as %3D; the JoinRequest is
# empty, or has client_info.protocol when a protocol is given (16:
# livekit-client 2.x)
sub join_request_arg {
    my ($protocol) = @_;
    my $jr = defined $protocol
           ? pb_bytes(1, pb_varint((3 << 3) | 0) . pb_varint($protocol)) : '';
    my $wrapped = pb_bytes(2, $jr);
    my $s = encode_base64($wrapped, '');
    $s =~ tr{+/}{-_};
    $s =~ s/=/%3D/g;
    return $s;
}

sub pb_bytes {
    my ($field, $bytes) = @_;
    return pb_varint(($field << 3) | 2) . pb_varint(length $bytes) . $bytes;
}

# a join_request carrying an SDP offer (JoinRequest.publisher_offer), as
# livekit-client sends it (gzip-compressed)
sub join_request_with_offer {
    my ($sdp, $id) = @_;
    my $sd = pb_bytes(1, 'offer') . pb_bytes(2, $sdp)
           . pb_varint((3 << 3) | 0) . pb_varint($id // 1);
    my $jr = pb_bytes(6, $sd);
    # gzip, as livekit-client does (WrappedJoinRequest.compression = 1)
    require Compress::Zlib;
    my $gz = Compress::Zlib::memGzip($jr);
    my $s = encode_base64(pb_varint((1 << 3) | 0) . pb_varint(1)
                          . pb_bytes(2, $gz), '');
    $s =~ tr{+/}{-_};
    $s =~ s/=/%3D/g;
    return $s;
}

# the fields of a protobuf message: list of [number, wire type, value]
sub pb_fields {
    my ($b) = @_;
    my @f;
    my $pos = 0;
    while ($pos < length $b) {
        my ($tag, $p) = _pb_read_varint($b, $pos);
        return @f unless defined $tag;
        my ($n, $t) = ($tag >> 3, $tag & 7);
        if ($t == 0) {
            my ($v, $q) = _pb_read_varint($b, $p);
            return @f unless defined $v;
            push @f, [$n, 0, $v];
            $pos = $q;
        } elsif ($t == 2) {
            my ($len, $q) = _pb_read_varint($b, $p);
            return @f unless defined $len && $q + $len <= length $b;
            push @f, [$n, 2, substr($b, $q, $len)];
            $pos = $q + $len;
        } elsif ($t == 1) {
            push @f, [$n, 1, substr($b, $p, 8)];
            $pos = $p + 8;
        } elsif ($t == 5) {
            push @f, [$n, 5, substr($b, $p, 4)];
            $pos = $p + 4;
        } else {
            return @f;
        }
    }
    return @f;
}

# SignalRequest{update_metadata = 15: UpdateParticipantMetadata{metadata 1,
# name 2, attributes 3 (map), request_id 4}}
sub pb_update_metadata {
    my (%a) = @_;
    my $m = '';
    $m .= pb_bytes(1, $a{metadata}) if defined $a{metadata};
    $m .= pb_bytes(2, $a{name}) if defined $a{name};
    for my $k (sort keys %{ $a{attributes} || {} }) {
        $m .= pb_bytes(3, pb_bytes(1, $k) . pb_bytes(2, $a{attributes}{$k}));
    }
    $m .= pb_varint((4 << 3) | 0) . pb_varint($a{request_id})
        if $a{request_id};
    return pb_bytes(15, $m);
}

# SignalRequest{track_setting = 7: UpdateTrackSettings{track_sids 1,
# quality 4}}
sub pb_track_settings {
    my (@sids) = @_;
    return pb_bytes(7, join('', map { pb_bytes(1, $_) } @sids)
                       . pb_varint((4 << 3) | 0) . pb_varint(0));
}

# joins a room without an offer and reads the first message:
# (ws, its SignalResponse field number: 1 for the JoinResponse, or undef);
# connect => {...} adds options of connect() (port, rcvbuf, ...); video =>
# {...} and claims => {...} go into the token; protocol => 16 announces
# livekit-client 2.x's protocol in the join request; path => '/x/rtc'
sub join {
    my (%a) = @_;
    my $tok = token(identity => $a{identity}, room => $a{room},
                    video => $a{video}, claims => $a{claims});
    my $ws = Test::Meet::WebSocket->connect(
        port => $a{port}, %{ $a{connect} || {} },
        path => ($a{path} // '/rtc') . "/v1?access_token=$tok&join_request="
                . join_request_arg($a{protocol}));
    my $f = $ws->read_frame($a{timeout} // 5);
    my ($field) = $f && $f->{payload} ? pb_first_field($f->{payload}) : ();
    return ($ws, $field);
}

# joins a room with an SDP offer (the v1 join_request) and waits for the
# answer: (ws, answer SDP or undef)
sub join_with_offer {
    my (%a) = @_;
    my $tok = token(identity => $a{identity}, room => $a{room});
    my $ws = Test::Meet::WebSocket->connect(
        port => $a{port},
        path => "/rtc/v1?access_token=$tok&join_request="
                . join_request_with_offer($a{offer}, 1));
    for (1 .. 5) {
        my $f = $ws->read_frame($a{timeout} // 3) or last;
        last if $f->{eof};
        my $sdp = answer_sdp($f->{payload});
        return ($ws, $sdp) if defined $sdp;
    }
    return ($ws, undef);
}

# the SDP of a SignalResponse.answer, or undef
sub answer_sdp {
    my ($payload) = @_;
    for my $f (pb_fields($payload)) {
        next unless $f->[0] == 2 && $f->[1] == 2;
        for my $g (pb_fields($f->[2])) {
            return $g->[2] if $g->[0] == 2 && $g->[1] == 2;
        }
    }
    return undef;
}

# top-level field number and, for varints, the value of a SignalResponse
sub pb_first_field {
    my ($bytes) = @_;
    my ($tag, $pos) = _pb_read_varint($bytes, 0);
    return (undef) unless defined $tag;
    my ($field, $type) = ($tag >> 3, $tag & 7);
    my $value;
    if ($type == 0) {
        ($value) = _pb_read_varint($bytes, $pos);
    }
    return ($field, $value);
}

sub _pb_read_varint {
    my ($b, $pos) = @_;
    my ($v, $shift) = (0, 0);
    while ($pos < length $b) {
        my $c = ord substr($b, $pos++, 1);
        $v |= ($c & 0x7f) << $shift;
        return ($v, $pos) unless $c & 0x80;
        $shift += 7;
        return (undef) if $shift > 63;
    }
    return (undef);
}

1;
