# Issue 4, loss on the way from a publisher: every 20th video packet A
# sends is dropped on arrival (meet_rtp_test_drop_upstream, before it
# counts in transport-wide feedback, as a lossy network would); ngx_meet
# NACKs A (again while the packet stays missing), turns A's RTX
# retransmissions back into the original packets and forwards them, so B
# keeps decoding; receiver reports go to A.  Once without simulcast, once
# with (the RTX SSRC of the forwarded layer is learnt from
# repaired-rtp-stream-id).  In a network namespace of the test's own.
#
#   prove -v t/browser/60-nack-upstream.t     (as root; skips like 10-join.t)
use lib 't/lib';
use Test::Meet;
use Test::Meet::Node;
use Test::Meet::Browser;
use JSON::PP ();
use File::Copy qw(copy);
use Time::HiRes qw(time);

my $t0 = time;
my $b = Test::Meet::Browser::setup(timeout => 200);
my $out = $b->{out};
my $CHROMIUM = $b->{chromium};

for my $simulcast (0, 1) {
    my $tag = $simulcast ? '-simulcast' : '';
    my $what = $simulcast ? 'simulcast' : 'single layer';
    Test::Meet::Browser::start(name => "browser-nack-upstream$tag",
                               stream => "meet_rtp_test_drop_upstream 20;\n");

    my $r = Test::Meet::Node::run_cases(
        script  => 'browser-nack.mjs',
        timeout => 60,
        env     => {
            MEET_PORT     => test_var('TEST_NGINX_SERVER_PORT'),
            MEET_OUT      => $out,
            MEET_CHROMIUM => $CHROMIUM,
            MEET_UPSTREAM => 1,
            ($simulcast ? (MEET_SIMULCAST => 1) : ()),
        });


    note("$what: browser stats: " . JSON::PP->new->canonical->encode($r->{info} || {}));

    {
        my $h = http_request(path => '/healthz');
        like($h->{body}, qr/"nacks_sent":[1-9]\d*/,
             "$what: /healthz counts the NACKs sent to the publisher")
            or diag($h->{body});
        my ($rec) = $h->{body} =~ /"recovered":(\d+)/;
        my ($unrec) = $h->{body} =~ /"unrecovered":(\d+)/;
        ok(($rec // 0) >= 5 && ($unrec // 1e9) * 10 <= $rec,
           "$what: the publisher's retransmissions fill the gaps "
           . "(recovered $rec, given up " . ($unrec // '?') . ')')
            or diag($h->{body});
        like($h->{body}, qr/"receiver_reports":[1-9]\d*/,
             "$what: receiver reports go to the publisher");
    }

    Test::Meet::Browser::save_log("nack-upstream$tag");

    stop_nginx();
}

done_testing();
