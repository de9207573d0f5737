# Issue 4: simulcast layers chosen per subscriber.  A real livekit-client
# 2.21.0 publishes three layers; B gets the highest A sends, then what it
# asks for with setVideoQuality() (UpdateTrackSettings), switching on key
# frames with continuous sequence numbers.  In a network namespace of the
# test's own, as 10-join.t.
#
#   prove -v t/browser/36-layers.t     (as root; skips like 10-join.t)
use lib 't/lib';
use Test::Meet;
use Test::Meet::Node;
use Test::Meet::Browser;
use JSON::PP ();

my $b = Test::Meet::Browser::setup(timeout => 150);

Test::Meet::Browser::start(name => 'browser-layers');

my $r = Test::Meet::Node::run_cases(
    script  => 'browser-layers.mjs',
    timeout => 120,
    env     => { %{ $b->{env} },
                 MEET_PORT => test_var('TEST_NGINX_SERVER_PORT') });

note('widths: ' . JSON::PP->new->canonical->encode($r->{info} || {}));

my $h = http_request(path => '/healthz');
like($h->{body}, qr/"layer_switches":[1-9]/, '/healthz counts layer switches')
    or diag($h->{body});

like(error_log_text(), qr/meet signal: "B-[^"]+" wants up to a layer of TR_\w+ \(0x0, quality 0\): layer 0/,
     'server log: B asked for the LOW layer');

Test::Meet::Browser::save_log('layers');

stop_nginx();
done_testing();
