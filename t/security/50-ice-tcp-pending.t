# Finding 2 of the hostile-client review, ICE-TCP side: every TCP
# connection to the media port got 68 KB of buffers at once and stayed for
# meet_rtp_session_timeout without proving anything.  Until its first valid
# ICE check a connection is pending: a 4 KB read buffer and no write
# buffer, at most meet_rtp_tcp_pending per worker (more are closed at
# once), for meet_rtp_tcp_pending_timeout.  A validated connection does not
# count.
use lib 't/lib';
use Test::Meet;
use Test::Meet::WebSocket;
use Test::Meet::Stun;
use Test::Meet::Util qw(slurp timeout_factor);
use IO::Socket::IP;
use IO::Select;
use Time::HiRes qw(time);

my $repo = test_var('TEST_NGINX_REPO');
my $offer = slurp("$repo/t/unit/fixtures/chromium-join-offer.sdp");
my ($their_ufrag) = $offer =~ /^a=ice-ufrag:(\S+)/m;

# the pending timeout, long enough (under valgrind too) that "closed at
# once" (within half of it) cannot be its doing
my $pending_ms = int(2000 * timeout_factor());

start_nginx(
    # its participant never pings: the signaling must outlive the test
    config => "    location /rtc { meet_signal; "
            . "meet_signal_ping_timeout 300s; }\n",
    stream_config => "    server {\n"
            . "        listen 127.0.0.1:\$TEST_NGINX_PORT_1;\n"
            . "        meet_rtp;\n"
            . "        meet_rtp_tcp_pending 4;\n"
            . "        meet_rtp_tcp_pending_timeout ${pending_ms}ms;\n"
            # the validated connection must outlive 1.5 pending timeouts
            # (30 s under valgrind) without consent answers or traffic
            . "        meet_rtp_consent_interval 60s;\n"
            . "        meet_rtp_consent_timeout 600s;\n"
            . "        meet_rtp_session_timeout 600s;\n"
            . "    }\n");

my $tcp_port = test_var('TEST_NGINX_PORT_1');

sub tcp_connect {
    my $s = IO::Socket::IP->new(PeerHost => '127.0.0.1', PeerPort => $tcp_port,
                                Proto => 'tcp', Timeout => 3)
        or die "tcp connect: $!";
    binmode $s;
    return $s;
}

# 1: closed by the server within $t seconds, 0: still open
sub closed_within {
    my ($s, $t) = @_;
    my $sel = IO::Select->new($s);
    my $until = time + $t;
    while (time <= $until) {
        next unless $sel->can_read(0.2);
        my $n = sysread($s, my $buf, 4096);
        return 1 unless $n;
    }
    return 0;
}

my @held = map { tcp_connect() } 1 .. 4;
my $fifth = tcp_connect();
is(closed_within($fifth, $pending_ms / 2000), 1,
   'a fifth connection without a check is closed at once');
ok(wait_for_log('ICE-TCP connections wait for their first valid check '
                . '(meet_rtp_tcp_pending), closing'), '... saying why');
is(closed_within($held[0], 0.3), 0, 'the first four are kept a while');
is(closed_within($_, 1.5 * $pending_ms / 1000), 1,
   'a pending connection goes after its timeout')
    for @held;

# a validated connection does not count
my ($ws, $answer) = Test::Meet::WebSocket::join_with_offer(
    port => test_var('TEST_NGINX_SERVER_PORT'), identity => 'tcp',
    room => 'tcp', offer => $offer);
my ($ufrag) = ($answer // '') =~ /^a=ice-ufrag:(\S+)/m;
my ($pwd) = ($answer // '') =~ /^a=ice-pwd:(\S+)/m;
my $ok = tcp_connect();
my $req = Test::Meet::Stun::request(username => "$ufrag:$their_ufrag",
                                     pwd => $pwd, use_candidate => 1);
syswrite($ok, pack('n', length $req) . $req);
my $sel = IO::Select->new($ok);
my $got = '';
while (length $got < 2 || length $got < 2 + unpack('n', $got)) {
    last unless $sel->can_read(2 * timeout_factor());
    last unless sysread($ok, my $b, 4096);
    $got .= $b;
}
# the first frame (the server's consent request may follow it)
my $r = length $got > 2
      ? Test::Meet::Stun::parse(substr($got, 2, unpack('n', $got)), $pwd)
      : undef;
is($r && $r->{class}, 'success', 'a valid check over ICE-TCP is answered');
@held = map { tcp_connect() } 1 .. 4;
is(closed_within($held[3], 0.3), 0,
   'four pending connections beside a validated one are kept');
is(closed_within($ok, 1.5 * $pending_ms / 1000), 0,
   'the validated connection outlives the pending timeout');

stop_nginx();
done_testing();
