# Issue 11: data messages between real livekit-client 2.21.0 pages in
# headless Debian Chromium (t/node/browser-data.mjs): reliable and lossy
# publishData, destination lists, a 100 KB text stream on lk.chat, a 1 MB
# file, RPC, a late joiner, and a participant without canPublishData.  The
# server log must show no dropped message but the refused ones.  In a
# network namespace of the test's own, as 10-join.t.  Needs the SCTP data
# channels of the media module (issue 11 part A).
#
#   prove -v t/browser/90-data.t     (as root; skips like 10-join.t)
use lib 't/lib';
use Test::Meet;
use Test::Meet::Node;
use Test::Meet::Browser;

my $b = Test::Meet::Browser::setup(timeout => 200);

Test::Meet::Browser::start(name => 'browser-data');

Test::Meet::Node::run_cases(
    script  => 'browser-data.mjs',
    timeout => 170,
    env     => { %{ $b->{env} },
                 MEET_PORT => test_var('TEST_NGINX_SERVER_PORT') });

like(error_log_text(), qr/data message from "M-[^"]+" dropped: not_allowed/,
     'server log: the packets of the participant without canPublishData '
     . 'were refused');
unlike(error_log_text(), qr/dropped: (?:malformed|bad_utf8|too_large)/,
       'server log: no packet of livekit-client was refused as bad');

Test::Meet::Browser::save_log('data');

stop_nginx();
done_testing();
