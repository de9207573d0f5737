# Two real livekit-client 2.21.0 pages in headless Debian Chromium join one
# room and connect: room.connect() resolves only when the peer connection
# is up, so this proves ngx_meet's ICE-lite and DTLS server against
# Chromium (in a network namespace of the test's own, as 10-join.t).
#
#   prove -v t/browser/20-connect.t   (as root; skips like 10-join.t)
use lib 't/lib';
use Test::Meet;
use Test::Meet::Node;
use Test::Meet::Browser;
use File::Copy qw(copy);
use Time::HiRes qw(time);

my $t0 = time;
my $b = Test::Meet::Browser::setup(timeout => 90);
my $out = $b->{out};
my $CHROMIUM = $b->{chromium};

Test::Meet::Browser::start(name => 'browser-connect');

my $r = Test::Meet::Node::run_cases(
    script  => 'browser-connect.mjs',
    timeout => 58,
    env     => {
        MEET_PORT     => test_var('TEST_NGINX_SERVER_PORT'),
        MEET_OUT      => $out,
        MEET_CHROMIUM => $CHROMIUM,
    });

ok(wait_for_log(qr/meet rtp: DTLS connected for \w+ \(.*SRTP profile \d+\)(?s:.*)meet rtp: DTLS connected for/, 5),
   'server log: DTLS connected for both participants');
ok(wait_for_log(qr/meet signal: "A-[^"]+" media connected/, 5),
   'server log: the participant became active');
like(error_log_text(), qr/meet rtp: [\d.]+ selected for \w+ \(nominated\)/,
     'server log: the browser nominated a pair (USE-CANDIDATE)');

Test::Meet::Browser::save_log("connect");

stop_nginx();
done_testing();
