# Issue 4, scenarios 1-4: two real livekit-client 2.21.0 pages in headless
# Debian Chromium publish camera and microphone; each decodes the other's
# video and receives its audio, forwarded by ngx_meet (SRTP in, SRTP out);
# a third joins later and decodes both within 2 s; mute and unmute reach
# the others; a participant leaves and the others see it go.
# In a network namespace of the test's own, as 10-join.t.
#
#   prove -v t/browser/30-media.t     (as root; skips like 10-join.t)
use lib 't/lib';
use Test::Meet;
use Test::Meet::Node;
use Test::Meet::Browser;
use File::Copy qw(copy);
use Time::HiRes qw(time);

my $t0 = time;
my $b = Test::Meet::Browser::setup(timeout => 140);
my $out = $b->{out};
my $CHROMIUM = $b->{chromium};

Test::Meet::Browser::start(name => 'browser-bitrate');

my $r = Test::Meet::Node::run_cases(
    script  => 'browser-bitrate.mjs',
    timeout => 85,
    env     => {
        MEET_PORT     => test_var('TEST_NGINX_SERVER_PORT'),
        MEET_OUT      => $out,
        MEET_CHROMIUM => $CHROMIUM,
    });


Test::Meet::Browser::save_log("bitrate");

stop_nginx();
done_testing();
