# Issue 4 follow-up: active speakers.  Two real livekit-client 2.21.0 pages
# publish microphones (one sounds, one is silent); ngx_meet reads the
# RFC 6464 audio levels of their packets and sends SpeakersChanged, so
# livekit-client's ActiveSpeakersChanged fires as with LiveKit.  In a
# network namespace of the test's own, as 10-join.t.
#
#   prove -v t/browser/37-speakers.t     (as root; skips like 10-join.t)
use lib 't/lib';
use Test::Meet;
use Test::Meet::Node;
use Test::Meet::Browser;

my $b = Test::Meet::Browser::setup(timeout => 120);

Test::Meet::Browser::start(name => 'browser-speakers');

Test::Meet::Node::run_cases(
    script  => 'browser-speakers.mjs',
    timeout => 90,
    env     => { %{ $b->{env} },
                 MEET_PORT => test_var('TEST_NGINX_SERVER_PORT') });

Test::Meet::Browser::save_log('speakers');

stop_nginx();
done_testing();
