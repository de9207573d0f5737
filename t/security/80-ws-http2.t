# Finding 10 of the hostile-client review: WebSocket over HTTP/2.  nginx
# 1.22 lets Upgrade and Connection headers through on an HTTP/2 stream; a
# WebSocket join there would take over the connection that carries every
# other stream.  It is refused with 400; HTTP/1.1 upgrades are unchanged.
# The HTTP/2 client is a few lines of raw frames (prior knowledge, HPACK
# literals without Huffman coding).
use lib 't/lib';
use Test::Meet;
use Test::Meet::WebSocket;
use IO::Socket::IP;
use IO::Select;
use Time::HiRes qw(time);

start_nginx(config => "    location /rtc { meet_signal; }\n",
            http_config => <<'CONF');
    server {
        listen 127.0.0.1:$TEST_NGINX_PORT_1 http2;
        location /rtc { meet_signal; }
    }
CONF

sub hpack_int {
    my ($n, $prefix, $first) = @_;
    my $max = (1 << $prefix) - 1;
    return chr($first | $n) if $n < $max;
    my $out = chr($first | $max);
    $n -= $max;
    while ($n >= 128) { $out .= chr(($n % 128) + 128); $n = int($n / 128) }
    return $out . chr($n);
}

# a literal header field without indexing, new name
sub hpack_literal {
    my ($name, $value) = @_;
    return "\x00" . hpack_int(length $name, 7, 0) . $name
                  . hpack_int(length $value, 7, 0) . $value;
}

sub frame {
    my ($type, $flags, $stream, $payload) = @_;
    my $len = length $payload;
    return pack('CnCCN', $len >> 16, $len & 0xffff, $type, $flags, $stream)
           . $payload;
}

my $token = Test::Meet::WebSocket::token(identity => 'h2', room => 'h2');
my $path = "/rtc/v1?access_token=$token&join_request="
           . Test::Meet::WebSocket::join_request_arg();
my $port = test_var('TEST_NGINX_PORT_1');

my $s = IO::Socket::IP->new(PeerHost => '127.0.0.1', PeerPort => $port,
                            Timeout => 3) or die "connect: $!";
binmode $s;
my $block = hpack_literal(':method', 'GET') . hpack_literal(':scheme', 'http')
          . hpack_literal(':authority', "127.0.0.1:$port")
          . hpack_literal(':path', $path)
          . hpack_literal('upgrade', 'websocket')
          . hpack_literal('connection', 'Upgrade')
          . hpack_literal('sec-websocket-key', 'dGhlIHNhbXBsZSBub25jZQ==')
          . hpack_literal('sec-websocket-version', '13');
syswrite($s, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" . frame(4, 0, 0, '')
             . frame(1, 0x5, 1, $block));

# the answer's HEADERS frame on stream 1: nginx encodes :status 400 as the
# indexed field 0x8c, other codes as a literal with name index 8
my ($status, $buf, $until) = (undef, '', time + 5);
my $sel = IO::Select->new($s);
while (!defined $status && time < $until) {
    last unless $sel->can_read(0.5) || length $buf >= 9;
    my $n = sysread($s, my $chunk, 65536);
    $buf .= $chunk if $n;
    while (length $buf >= 9) {
        my ($l1, $l2, $type, $flags, $stream) = unpack('CnCCN', $buf);
        my $len = ($l1 << 16) | $l2;
        last if length $buf < 9 + $len;
        my $payload = substr($buf, 9, $len);
        substr($buf, 0, 9 + $len, '');
        next unless $type == 1 && ($stream & 0x7fffffff) == 1;
        my $b0 = ord $payload;
        $status = { 0x88 => 200, 0x89 => 204, 0x8a => 206, 0x8b => 304,
                    0x8c => 400, 0x8d => 404, 0x8e => 500 }->{$b0};
        if (!defined $status && ($b0 & 0xc0) == 0x40) {
            $status = substr($payload, 2, 3);
        }
        last;
    }
    last unless $n;
}
is($status, 400, 'a WebSocket join over HTTP/2 is refused with 400');
ok(wait_for_log('a WebSocket upgrade over HTTP/2, answering 400'),
   '... saying why');
close $s;

# the same join over HTTP/1.1 works
my $ws = Test::Meet::WebSocket->connect(port => test_var('TEST_NGINX_SERVER_PORT'),
                                        path => $path);
is($ws->{status}, 101, 'over HTTP/1.1 the upgrade works');

stop_nginx();
done_testing();
