# ICE-TCP (RFC 6544, RFC 4571 framing): the media listener is TCP only, so
# the answers offer one passive TCP candidate; two real livekit-client
# 2.21.0 pages connect over it (ICE, DTLS, SRTP in RFC 4571 frames) and
# decode each other's video, as in 30-media.t.  In a network namespace of
# the test's own, as 10-join.t.
#
#   prove -v t/browser/25-ice-tcp.t     (as root; skips like 10-join.t)
use lib 't/lib';
use Test::Meet;
use Test::Meet::Node;
use Test::Meet::Browser;
use JSON::PP ();

my $b = Test::Meet::Browser::setup(timeout => 120);

Test::Meet::Browser::start(name => 'browser-ice-tcp',
                           listen => 'listen 127.0.0.1:$TEST_NGINX_PORT_1;');

my $h = http_request(path => '/healthz');
like($h->{body}, qr/"tcp":\["127\.0\.0\.1:\d+"\]/,
     '/healthz lists the ICE-TCP listener') or diag($h->{body});

my $r = Test::Meet::Node::run_cases(
    script  => 'browser-codecs.mjs',
    timeout => 90,
    env     => { %{ $b->{env} },
                 MEET_CODECS => 'vp8',
                 MEET_PORT => test_var('TEST_NGINX_SERVER_PORT') });

note('decoded: ' . JSON::PP->new->canonical->encode($r->{info} || {}));

my $log = error_log_text();
like($log, qr/meet rtp: valid ICE check for \w+ from/,
     'server log: ICE checks over TCP');
like($log, qr/meet rtp: DTLS connected for \w+/, 'server log: DTLS over TCP');
unlike($log, qr/udp client/, 'no UDP media at all');

Test::Meet::Browser::save_log('ice-tcp');

stop_nginx();
done_testing();
