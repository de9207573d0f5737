# Finding 5 of the hostile-client review: WebSocket pongs bypassed the send
# queue cap (200,000 pings that are never read grew the worker by 31 MB
# with the cap at 1 MB).  Every queued frame counts toward
# meet_signal_max_queue: a client that pings and does not read is closed
# with 1008, as one that sends requests and does not read.
use lib 't/lib';
use Test::Meet;
use Test::Meet::WebSocket;

# small socket buffers on both sides so that pongs pile up in nginx
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

my ($ws, $joined) = Test::Meet::WebSocket::join(
    port => test_var('TEST_NGINX_PORT_1'), identity => 'pinger', room => 'r',
    connect => { rcvbuf => 4096 });
is($joined, 1, 'joined');

# 125-byte pings (the largest control frame), 500 per write, none read:
# at most 100 rounds (6.5 MB of pongs) unless the server stops earlier
my $batch = join('', map { Test::Meet::WebSocket::encode_frame(
                               opcode => 9, payload => 'p' x 125) } 1 .. 500);
my $closed;
for my $round (1 .. 100) {
    last unless $ws->send_raw($batch);
    if (wait_for_log('does not read its messages', 0.05)) {
        $closed = 1;
        last;
    }
}
ok($closed, 'pongs count toward meet_signal_max_queue: the server stops '
          . 'queueing for a client that pings and does not read');
my ($code, $why) = $ws->wait_close(20 * Test::Meet::Util::timeout_factor());
is($code, 1008, '... and closes it with 1008') or diag($why);

# another participant is not affected
my ($ok, $field) = Test::Meet::WebSocket::join(
    port => test_var('TEST_NGINX_PORT_1'), identity => 'other', room => 'r');
is($field, 1, 'a second participant joins (JoinResponse)');
$ok->send_frame(opcode => 9, payload => 'hi');
my $p = $ok->read_frame(3);
is($p && $p->{opcode}, 10, '... and its ping is answered');

stop_nginx();
done_testing();
