# LiveKit signaling checked with the real @livekit/protocol codec (the one
# livekit-client 2.21.0 uses) and tokens from livekit-server-sdk: the cases
# live in t/node/protocol.test.mjs; each becomes one assertion here.  Then
# the error log must show why requests were refused, and stop_nginx() runs
# the harness's automatic checks (no alert/crit/emerg, clean shutdown,
# sanitizer and valgrind reports).
#
#   prove -v t/signal/20-livekit-protocol.t
#   MEET_ONLY='token' prove -v t/signal/20-livekit-protocol.t   (a subset)
use lib 't/lib';
use Test::Meet;
use Test::Meet::Node;
use Test::Meet::Suites;

Test::Meet::Suites::need('node', Test::Meet::Node::unavailable());

start_nginx(name => 'livekit-protocol', config => <<'EOC');
large_client_header_buffers 4 32k;

location /rtc {
    meet_signal;
}

location /full/rtc {
    meet_signal;
    meet_signal_max_participants 2;
}

location /small/rtc {
    meet_signal;
    meet_signal_max_frame 4k;
}
EOC

my $r = Test::Meet::Node::run_cases(
    script  => 'protocol.test.mjs',
    timeout => 180,
    env     => {
        MEET_PORT       => test_var('TEST_NGINX_SERVER_PORT'),
        MEET_PATH       => '/rtc',
        MEET_FULL_PATH  => '/full/rtc',
        MEET_SMALL_PATH => '/small/rtc',
    });

if ($r->{ran}) {    # else run_cases() has failed already

    # Why requests were refused or closed is in the log.
    my @want = (
        'refused, no access token',
        'refused token: token is malformed',
        'refused token: token is expired',
        'refused token: token is not valid yet',
        'refused token: signature is invalid',
        'refused token: unknown API key',
        'refused token: no permissions to access the room',
        'refused token: no room name',
        'refused token: identity cannot be empty',
        'refused token: unsupported signing algorithm',
        qr/refused "[^"]+", room "full-[^"]+" is full/,
        '/rtc/v1 without join_request',
        'bad join_request',
        'without a WebSocket upgrade, answering 404',
        'the v0 protocol (two peer connections) is not served',
        'sent a text (JSON) message',
        qr/sent \d+ bytes that are not a SignalRequest/,
        qr/sent a bad frame, closing with 1009/,
        qr/joined room "[^"]+" again, closing its previous connection/,
        qr/leaves \(reason 1\)/,
        qr/unpublished track TR_\w+ \(mid 7\)/,
        qr/track TR_\w+ is in media section 8/,
        qr/may not publish a track of source 3/,
    );
    my $log = error_log_text();
    for my $p (@want) {
        ok(ref $p ? $log =~ $p : index($log, $p) >= 0,
           'error log has ' . (ref $p ? "$p" : "'$p'"));
    }
}

stop_nginx();
done_testing();
