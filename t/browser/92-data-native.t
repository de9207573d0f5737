# Issue 11: data messages between a native LiveKit participant
# (@livekit/rtc-node, LiveKit's Rust SDK over libwebrtc) and a
# livekit-client page in headless Chromium (t/node/browser-data-native.mjs):
# reliable and lossy both ways, the real sender, a destination list.  In a
# network namespace of the test's own, as 10-join.t.
use lib 't/lib';
use Test::Meet;
use Test::Meet::Node;
use Test::Meet::Browser;

my $b = Test::Meet::Browser::setup(timeout => 160);

Test::Meet::Browser::start(name => 'browser-data-native');

Test::Meet::Node::run_cases(
    script  => 'browser-data-native.mjs',
    timeout => 140,
    env     => { %{ $b->{env} },
                 MEET_PORT => test_var('TEST_NGINX_SERVER_PORT') });

unlike(error_log_text(), qr/dropped: (?:malformed|bad_utf8|too_large|not_allowed)/,
       'server log: no packet of either client was refused');

Test::Meet::Browser::save_log('data-native');

stop_nginx();
done_testing();
