# Issue 4: video codecs pass through the SFU.  VP8, VP9 (livekit-client
# publishes it as SVC, L3T3_KEY) and H.264 from a real livekit-client
# 2.21.0 in Debian Chromium, decoded by a second page.  In a network
# namespace of the test's own, as 10-join.t.
#
#   prove -v t/browser/35-codecs.t     (as root; skips like 10-join.t)
use lib 't/lib';
use Test::Meet;
use Test::Meet::Node;
use Test::Meet::Browser;
use JSON::PP ();

my $b = Test::Meet::Browser::setup(timeout => 150);

Test::Meet::Browser::start(name => 'browser-codecs');

my $r = Test::Meet::Node::run_cases(
    script  => 'browser-codecs.mjs',
    timeout => 120,
    env     => { %{ $b->{env} },
                 MEET_PORT => test_var('TEST_NGINX_SERVER_PORT') });

note('decoded: ' . JSON::PP->new->canonical->encode($r->{info} || {}));

Test::Meet::Browser::save_log('codecs');

stop_nginx();
done_testing();
