# The WebSocket layer of /rtc/v1 (RFC 6455): handshake, framing, control
# frames, close codes, limits, slow clients, idle timeout.
use lib 't/lib';
use Test::Meet;
use Test::Meet::WebSocket;
use Time::HiRes qw(time sleep);

my $WS = 'Test::Meet::WebSocket';

sub conf {
    my (%o) = @_;
    my $extra = $o{extra} // '';
    return "    location /rtc {\n        meet_signal;\n$extra    }\n";
}

sub join_ws {
    my (%o) = @_;
    my $token = $o{token} // Test::Meet::WebSocket::token(
        identity => $o{identity} // 'alice', room => $o{room} // 'room1');
    my $ws = $WS->connect(
        port => test_var('TEST_NGINX_SERVER_PORT'),
        %{ $o{connect} || {} },
        path => "/rtc/v1?access_token=$token&join_request="
                . Test::Meet::WebSocket::join_request_arg());
    return $ws;
}

# joins and consumes the JoinResponse
sub joined {
    my $ws = join_ws(@_);
    my $f = $ws->read_frame(5);
    my ($field) = $f && $f->{payload} ? Test::Meet::WebSocket::pb_first_field($f->{payload}) : ();
    return ($ws, $f, $field);
}

sub ping_roundtrip {
    my ($ws, $v) = @_;
    $ws->send_binary(Test::Meet::WebSocket::pb_ping($v));
    for (1 .. 5) {
        my $f = $ws->read_frame(3) or return undef;
        return undef if $f->{eof};
        my ($field, $value) = Test::Meet::WebSocket::pb_first_field($f->{payload});
        return $value if defined $field && $field == 18;
    }
    return undef;
}

# --- handshake and messages --------------------------------------------------

start_nginx(config => conf(extra => "        meet_signal_max_frame 4k;\n"
                                   . "        meet_signal_max_message 8k;\n"));

{
    my ($ws, $f, $field) = joined();
    is($ws->{status}, 101, 'handshake: 101 Switching Protocols');
    is($ws->header('Sec-WebSocket-Accept'), $ws->{accept_expected},
       'handshake: Sec-WebSocket-Accept is right');
    is($f && $f->{opcode}, 2, 'first message is a binary frame');
    is($field, 1, 'first message is SignalResponse.join');
    ok(!($f && $f->{masked}), 'server frames are not masked');

    is(ping_roundtrip($ws, 1234567), 1234567, 'ping -> pong with the same value');

    $ws->send_frame(opcode => 9, payload => 'hello');
    my $p = $ws->read_frame(3);
    is($p && $p->{opcode}, 10, 'WebSocket ping -> pong');
    is($p && $p->{payload}, 'hello', 'pong echoes the ping payload');

    # a message in two fragments with a control frame between them
    my $msg = Test::Meet::WebSocket::pb_ping(42);
    $ws->send_frame(opcode => 2, fin => 0, payload => substr($msg, 0, 1));
    $ws->send_frame(opcode => 9, payload => 'x');
    $ws->send_frame(opcode => 0, fin => 1, payload => substr($msg, 1));
    my @seen;
    for (1 .. 3) {
        my $g = $ws->read_frame(3) or last;
        last if $g->{eof};
        push @seen, $g->{opcode} == 10 ? 'pong'
            : 'msg' . (Test::Meet::WebSocket::pb_first_field($g->{payload}))[0];
        last if $seen[-1] eq 'msg18';
    }
    is_deeply(\@seen, ['pong', 'msg18'],
              'fragmented message with an interleaved ping is reassembled');

    # an unknown SignalRequest field is ignored, as LiveKit does
    $ws->send_binary(Test::Meet::WebSocket::pb_varint((99 << 3) | 0)
                     . Test::Meet::WebSocket::pb_varint(7));
    is(ping_roundtrip($ws, 77), 77, 'unknown message ignored, session goes on');

    # the client closes: the server echoes the code and ends the TCP connection
    $ws->send_frame(opcode => 8, payload => pack('n', 1000) . 'bye');
    my ($code) = $ws->wait_close(3);
    is($code, 1000, 'client close 1000 is echoed');
    ok($ws->wait_eof(3), 'server closes the connection after the handshake');
}

# each bad frame: the close code the server must answer with
my @bad = (
    [ 'unmasked frame', 1002,
      Test::Meet::WebSocket::encode_frame(opcode => 2, payload => 'x', mask => 0) ],
    [ 'RSV bit without extension', 1002,
      Test::Meet::WebSocket::encode_frame(opcode => 2, payload => 'x', rsv => 4) ],
    [ 'unknown opcode 3', 1002,
      Test::Meet::WebSocket::encode_frame(opcode => 3, payload => 'x') ],
    [ 'fragmented ping', 1002,
      Test::Meet::WebSocket::encode_frame(opcode => 9, fin => 0, payload => 'x') ],
    [ 'control frame over 125 bytes', 1002,
      Test::Meet::WebSocket::encode_frame(opcode => 9, payload => 'x' x 126) ],
    [ 'continuation without a message', 1002,
      Test::Meet::WebSocket::encode_frame(opcode => 0, payload => 'x') ],
    [ 'new message inside a fragmented one', 1002,
      Test::Meet::WebSocket::encode_frame(opcode => 2, fin => 0, payload => 'x')
      . Test::Meet::WebSocket::encode_frame(opcode => 2, payload => 'y') ],
    [ 'text frame (JSON signaling)', 1003,
      Test::Meet::WebSocket::encode_frame(opcode => 1, payload => '{"ping":"1"}') ],
    [ 'text frame with invalid UTF-8', 1007,
      Test::Meet::WebSocket::encode_frame(opcode => 1, payload => "\xc0\xaf") ],
    [ 'binary garbage (not protobuf)', 1007,
      Test::Meet::WebSocket::encode_frame(opcode => 2, payload => "\xff\xff\xff\xff\xff") ],
    [ 'frame over meet_signal_max_frame', 1009,
      Test::Meet::WebSocket::encode_frame(opcode => 2, payload => 'x' x 5000) ],
    [ 'message over meet_signal_max_message', 1009,
      join('', map { Test::Meet::WebSocket::encode_frame(
                         opcode => $_ ? 0 : 2, fin => $_ == 3 ? 1 : 0,
                         payload => 'x' x 3000) } 0 .. 3) ],
    [ 'close with an invalid code', 1002,
      Test::Meet::WebSocket::encode_frame(opcode => 8, payload => pack('n', 999)) ],
    [ 'close with a 1-byte payload', 1002,
      Test::Meet::WebSocket::encode_frame(opcode => 8, payload => 'x') ],
);

for my $case (@bad) {
    my ($name, $want, $bytes) = @$case;
    my ($ws, $f, $field) = joined(identity => "bad-$want");
    is($field, 1, "$name: joined first");
    $ws->send_raw($bytes);
    my ($code, $why) = $ws->wait_close(5);
    is($code, $want, "$name: closed with $want") or diag("got: $why");
    ok($ws->wait_eof(5), "$name: connection ends");
}

# a peer that vanishes in the middle of a frame loses nothing else
{
    my ($ws) = joined(identity => 'vanishing');
    $ws->send_raw("\x82\xfe\x10");
    $ws->close_socket;
    ok(wait_for_log(qr/"vanishing" \(PA_\w+\) left room "room1"/, 5),
       'a connection lost mid-frame leaves the room');
    my ($ws2) = joined(identity => 'after');
    is(ping_roundtrip($ws2, 5), 5, 'the server serves the next client');
}

# a whole room vanishing at once: every leave is broadcast to peers that
# are gone too (regression: a failed send must not finalize a peer while
# another one walks the room)
{
    my @ws = map { (joined(identity => "crowd$_", room => 'crowd'))[0] } 1 .. 30;
    is(scalar(grep { $_->{status} == 101 } @ws), 30, 'crowd: 30 joined one room');
    $_->close_socket for @ws;
    ok(wait_for_log(qr/"crowd\d+" \(PA_\w+\) left room "crowd"(?s:.*)"crowd\d+" \(PA_\w+\) left room "crowd"/, 5),
       'crowd: they leave');
    my ($ws2) = joined(identity => 'after-crowd', room => 'crowd');
    is(ping_roundtrip($ws2, 9), 9, 'crowd: the worker lives on and serves the room');
    unlike(error_log_text(), qr/exited on signal/, 'crowd: no worker crash');
}

# --- handshake errors ---------------------------------------------------------

{
    my $port = test_var('TEST_NGINX_SERVER_PORT');
    my $t = Test::Meet::WebSocket::token();
    my $path = "/rtc/v1?access_token=$t&join_request="
               . Test::Meet::WebSocket::join_request_arg();

    my $ws = $WS->connect(port => $port, path => $path,
                          headers => ['Sec-WebSocket-Version' => 12]);
    is($ws->{status}, 400, 'WebSocket version 12: 400');
    is($ws->header('Sec-WebSocket-Version'), 13, '... naming version 13');

    $ws = $WS->connect(port => $port, path => $path,
                       headers => ['Sec-WebSocket-Key' => 'abc']);
    is($ws->{status}, 400, 'bad Sec-WebSocket-Key: 400');

    my $r = http_request(path => $path);
    is($r->{status}, 404, 'no upgrade: 404, as LiveKit');
    ok(wait_for_log('without a WebSocket upgrade, answering 404'),
       '... with a log line');
}

# (debug lines are exempt: nginx's own debug logging prints request lines)
ok(!scalar(grep { /access_token=/ && !/\[debug\]/ }
           split /\n/, error_log_text()),
   'access tokens never reach the error log');

stop_nginx();

# --- idle (ping) timeout -------------------------------------------------------

start_nginx(config => conf(extra => "        meet_signal_ping_interval 1s;\n"
                                   . "        meet_signal_ping_timeout 1s;\n"));
{
    my ($ws, $f, $field) = joined(identity => 'quiet');
    is($field, 1, 'idle: joined');
    my $t0 = time;
    my ($code, $reason) = $ws->wait_close(5);
    is($code, 1001, 'a client silent for ping_timeout is closed with 1001');
    is($reason, 'ping timeout', '... reason "ping timeout"');
    cmp_ok(time - $t0, '<', 3, '... after about one second');
}
stop_nginx();

# --- a client that does not read: bounded queue, 1008 ---------------------------

# small socket buffers on both sides so that answers pile up in nginx
start_nginx(http_config => <<'CONF');
    server {
        listen 127.0.0.1:$TEST_NGINX_PORT_1 sndbuf=4k;
        location /rtc {
            meet_signal;
            meet_signal_max_queue 16k;
            meet_signal_message_rate 0;   # the queue, not the rate
        }
    }
CONF
{
    my ($ws, $f, $field) = joined(identity => 'slow',
        connect => { rcvbuf => 4096, port => test_var('TEST_NGINX_PORT_1') });
    is($field, 1, 'slow: joined');
    # many requests, each answered, none read
    my $batch = join('', map { Test::Meet::WebSocket::encode_frame(
                                   opcode => 2,
                                   payload => Test::Meet::WebSocket::pb_ping($_)) }
                         1 .. 500);
    my $closed;
    for my $round (1 .. 100) {
        last unless $ws->send_raw($batch);
        if (wait_for_log('does not read its messages', 0.05)) {
            $closed = 1;
            last;
        }
    }
    ok($closed, 'the server stops queueing for a client that does not read');
    my ($code, $why) = $ws->wait_close(20 * Test::Meet::Util::timeout_factor());
    is($code, 1008, '... and closes it with 1008') or diag($why);
}
stop_nginx();

# graceful shutdown and reload with participants connected: each gets a
# LeaveRequest (field 8: reconnect) and a 1001 close, and the old worker
# exits instead of living on for as long as its clients ping
{
    start_nginx(config => conf());
    my ($a) = joined(identity => 'stay-a', room => 'shutdown');
    my ($b) = joined(identity => 'stay-b', room => 'shutdown');
    ok(Test::Meet::nginx_server()->reload, 'reload with two participants connected');
    for my $ws ($a, $b) {
        my ($leave, $close);
        for (1 .. 10) {
            my $f = $ws->read_frame(5) or last;
            if ($f->{eof}) { last }
            if (($f->{opcode} // 0) == 8) {
                $close = unpack('n', $f->{payload} // "\0\0");
                last;
            }
            my ($field) = Test::Meet::WebSocket::pb_first_field($f->{payload} // '');
            $leave = 1 if defined $field && $field == 8;
        }
        ok($leave, 'reload: a participant is asked to reconnect (LeaveRequest)');
        is($close, 1001, '... and the WebSocket closes with 1001');
    }
    ok(wait_for_log(qr/worker process \d+ exited with code 0/, 5),
       'reload: the old worker exits');
    my ($c) = joined(identity => 'after-reload', room => 'shutdown');
    is(ping_roundtrip($c, 3), 3, 'the new worker serves the next client');
    stop_nginx();
}

done_testing();
