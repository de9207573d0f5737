# Issue 4 follow-up: a subscriber on a lossy downlink gets a smaller
# simulcast layer.  Every 4th video packet ngx_meet sends is dropped
# (meet_rtp_test_drop 4, 25 % loss); the subscriber's receiver reports show
# it and ngx_meet caps its layer.  In a network namespace of the test's
# own, as 10-join.t.
#
#   prove -v t/browser/38-downlink.t     (as root; skips like 10-join.t)
use lib 't/lib';
use Test::Meet;
use Test::Meet::Node;
use Test::Meet::Browser;
use JSON::PP ();

my $b = Test::Meet::Browser::setup(timeout => 120);

Test::Meet::Browser::start(name => 'browser-downlink',
                           stream => "meet_rtp_test_drop 4;\n");

my $r = Test::Meet::Node::run_cases(
    script  => 'browser-downlink.mjs',
    timeout => 90,
    env     => { %{ $b->{env} },
                 MEET_PORT => test_var('TEST_NGINX_SERVER_PORT') });

note('B: ' . JSON::PP->new->canonical->encode($r->{info} || {}));

like(error_log_text(), qr/meet rtp: SSRC \d+ loses \d+\/256: layer 0 at most/,
     'server log: the lossy subscriber is capped to the smallest layer');

Test::Meet::Browser::save_log('downlink');

stop_nginx();
done_testing();
