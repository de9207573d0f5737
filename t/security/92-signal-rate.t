# Finding 10 of the hostile-client review, its signaling part: the work a
# client makes the worker do was its own choice.  Any number of messages
# (each one parsed and answered; offers parsed, settings matched against
# every track it receives, updates sent to the room) and any list length
# in UpdateTrackSettings.
#
# Now every frame but a close takes a token from a bucket of
# meet_signal_message_burst (500) refilled at meet_signal_message_rate
# (100) a second: a client past it is closed with 1008 "too many messages"
# and the log names it and its room, escaped.  An UpdateTrackSettings
# listing more tracks than the participant receives (at least 32) is
# refused whole.  The others in the room go on.
use lib 't/lib';
use Test::Meet;
use Test::Meet::WebSocket;
use Time::HiRes qw(time);

my $W = 'Test::Meet::WebSocket';
my $TF = Test::Meet::Util::timeout_factor();

start_nginx(http_config => <<'CONF');
    server {
        listen 127.0.0.1:$TEST_NGINX_PORT_1;
        location /rtc {
            meet_signal;
        }
    }
CONF

my $port = test_var('TEST_NGINX_PORT_1');

# the pongs (SignalResponse 18) a peer gets within the timeout, and the
# close code if it is closed
sub pongs {
    my ($ws, $want, $timeout) = @_;
    my ($n, $code) = (0, undef);
    my $deadline = time + $timeout * $TF;
    while ($n < $want && time < $deadline) {
        my $f = $ws->read_frame($deadline - time) or last;
        last if $f->{eof};
        if ($f->{opcode} == 8) {
            $code = unpack('n', $f->{payload});
            last;
        }
        next unless $f->{opcode} == 2;
        my ($field) = Test::Meet::WebSocket::pb_first_field($f->{payload});
        $n++ if defined $field && $field == 18;
    }
    return ($n, $code);
}

sub pings {
    my ($from, $to) = @_;
    return join('', map { Test::Meet::WebSocket::encode_frame(opcode => 2,
                              payload => Test::Meet::WebSocket::pb_ping($_)) }
                    $from .. $to);
}

# an identity and a room that would forge log lines if written as they are
my $evil = qq{mallory" forged\nline};
my ($bad, $bf) = $W->can('join')->(port => $port, identity => $evil,
                                    room => 'r"oom');
my ($good, $gf) = $W->can('join')->(port => $port, identity => 'good',
                                     room => 'r"oom');
is($bf, 1, 'the flooder joined');
is($gf, 1, 'a neighbour joined');

# a burst within meet_signal_message_burst is served
$bad->send_raw(pings(1, 400));
my ($n, $code) = pongs($bad, 400, 10);
is($n, 400, '400 messages at once (within the burst of 500) are answered');
ok(!defined $code, '... and the client stays');

# UpdateTrackSettings for 1000 tracks while it receives none: refused whole
$bad->send_binary(Test::Meet::WebSocket::pb_track_settings(
    map { "TR_$_" } 1 .. 1000));
ok(wait_for_log('refused track settings for 1000 tracks, it receives 0', 2),
   'track settings listing 1000 tracks are refused');

# a flood: thousands of messages at once
my $closed;
for my $round (1 .. 20) {
    last unless $bad->send_raw(pings(1, 1000));
    if (wait_for_log('frames a second (meet_signal_message_rate', 0.05)) {
        $closed = 1;
        last;
    }
}
ok($closed, 'a flood of messages goes over meet_signal_message_rate');
my ($c, $why) = $bad->wait_close(10 * $TF);
is($c, 1008, '... and the flooder is closed with 1008');
is($why, 'too many messages', '... reason "too many messages"');

my $log = error_log_text();
my ($line) = grep { /meet_signal_message_rate/ } split /\n/, $log;
like($line // '', qr/participant: "mallory\\x22 forged\\x0aline" PA_\w+, room: "r\\x22oom"/,
     'the log line names the participant and its room, escaped');

# the neighbour is not affected
$good->send_raw(pings(1, 3));
($n, $code) = pongs($good, 3, 5);
is($n, 3, 'the neighbour still gets its pongs');

stop_nginx();
done_testing();
