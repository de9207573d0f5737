# Data channels (SCTP over DTLS, RFC 8261; DCEP, RFC 8832) with a real
# livekit-client 2.21.0 page in headless Chromium: the answer accepts
# m=application, the client's "_reliable" and "_lossy" channels open, and
# the tests' build echoes each message back on its channel
# (meet_rtp_test_data_echo): 10 bytes, 60 KB, 20 in order, a lossy one;
# one over meet_rtp_data_max_message is dropped and counted, a channel of
# another label is refused (its stream reset).  /healthz counts it all.
# In a network namespace of the test's own, as 10-join.t.
#
#   prove -v t/browser/90-datachannel.t   (as root; skips like 10-join.t)
use lib 't/lib';
use Test::Meet;
use Test::Meet::Node;
use Test::Meet::Browser;
use JSON::PP ();

my $tcp = ($0 =~ /tcp/);
my $b = Test::Meet::Browser::setup(timeout => 120);

Test::Meet::Browser::start(
    name => $tcp ? 'browser-datachannel-tcp' : 'browser-datachannel',
    ($tcp ? (listen => 'listen 127.0.0.1:$TEST_NGINX_PORT_1;') : ()),
    stream => "meet_rtp_test_data_echo on;\nmeet_rtp_data_max_message 60k;\n");

my $r = Test::Meet::Node::run_cases(
    script  => 'browser-datachannel.mjs',
    timeout => 90,
    env     => { %{ $b->{env} },
                 MEET_CASE => $tcp ? 'tcp' : 'udp',
                 MEET_DATA_MAX => 61440,
                 MEET_PORT => test_var('TEST_NGINX_SERVER_PORT') });

note('channels: ' . JSON::PP->new->canonical->encode($r->{info} || {}));

my $h = http_request(path => '/healthz');
my $j = eval { JSON::PP::decode_json($h->{body}) } || {};
my $d = $j->{components}{media}{data} || {};
note('data: ' . JSON::PP->new->canonical->encode($d));

# 1 + 1 + 20 + 1 + 1 + 1 echoed (the dropped one is not counted in)
cmp_ok($d->{messages_in} // 0, '>=', 25, '/healthz: messages in');
cmp_ok($d->{messages_out} // 0, '>=', 25, '/healthz: messages out (echoes)');
cmp_ok($d->{bytes_in} // 0, '>=', 60000 + 30, '/healthz: bytes in');
is($d->{dropped}{too_big}, 1, '/healthz: one message dropped as too big');
is($d->{dropped}{channel_refused}, 1, '/healthz: one channel refused');
cmp_ok($d->{channels_opened} // 0, '>=', 2, '/healthz: channels opened');

my $log = error_log_text();
like($log, qr/meet rtp: data channel "_reliable" \(stream \d+\) of \w+ open/,
     'server log: the reliable channel opened');
like($log, qr/meet rtp: data channel "not-livekit" \(stream \d+\) of \w+ refused/,
     'server log: the other label refused');
like($log, qr/meet rtp: data of \w+ dropped \(too_big\)/,
     'server log: the oversized message');
if ($tcp) {
    unlike($log, qr/udp client/, 'no UDP at all');
}

Test::Meet::Browser::save_log($tcp ? 'datachannel-tcp' : 'datachannel');

stop_nginx();
done_testing();
