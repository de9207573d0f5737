# ICE-lite on the media port, with a STUN client of the test's own: a
# participant joins with a real Chromium offer, the answer names our ICE
# credentials and candidate, and Binding requests are answered, refused
# (400/401/420/487) or dropped, each counted in /healthz; an address that
# stops sending is closed after meet_rtp_session_timeout.
use lib 't/lib';
use Test::Meet;
use Test::Meet::WebSocket;
use Test::Meet::Stun;
use Test::Meet::Util qw(slurp);
use IO::Socket::IP;
use IO::Select;
use Time::HiRes ();
use JSON::PP ();

my $repo = test_var('TEST_NGINX_REPO');
my $offer = slurp("$repo/t/unit/fixtures/chromium-join-offer.sdp");
my ($their_ufrag) = $offer =~ /^a=ice-ufrag:(\S+)/m;

start_nginx(
    config => "    location /rtc { meet_signal; }\n"
            . "    location = /healthz { meet_health; }\n",
    stream_config => "    server {\n"
            . "        listen 127.0.0.1:\$TEST_NGINX_UDP_PORT_1 udp;\n"
            . "        meet_rtp;\n"
            . "        meet_rtp_session_timeout 2s;\n"
            . "    }\n");

my $udp_port = test_var('TEST_NGINX_UDP_PORT_1');

# join with the offer, read the answer
my ($ws, $answer) = Test::Meet::WebSocket::join_with_offer(
    port => test_var('TEST_NGINX_SERVER_PORT'), identity => 'ice',
    room => 'ice', offer => $offer);
is($ws->{status}, 101, 'joined with an offer');
ok(defined $answer, 'the offer was answered');
$answer //= '';
my ($ufrag) = $answer =~ /^a=ice-ufrag:(\S+)/m;
my ($pwd) = $answer =~ /^a=ice-pwd:(\S+)/m;
like($answer, qr/^a=ice-lite\r?$/m, 'the answer says ice-lite');
like($answer, qr/^a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 $udp_port typ host/m,
     'the answer names the media port as a host candidate');
like($answer, qr/^a=setup:passive\r?$/m, 'DTLS role passive');
like($answer, qr/^a=fingerprint:sha-256 [0-9A-F:]{95}\r?$/m, 'a sha-256 fingerprint');

my $sock = IO::Socket::IP->new(LocalHost => '127.0.0.1', PeerHost => '127.0.0.1',
                               PeerPort => $udp_port, Proto => 'udp')
    or die "udp socket: $!";
my $sel = IO::Select->new($sock);

# what the server answers to $bytes; its own Binding requests (RFC 7675
# consent, once an address is selected) are not answers and are skipped
sub exchange {
    my ($bytes, $wait) = @_;
    send($sock, $bytes, 0);
    my $deadline = Time::HiRes::time() + ($wait // 2);
    for (1 .. 100) {
        my $left = $deadline - Time::HiRes::time();
        return undef if $left <= 0 || !$sel->can_read($left);
        my $buf;
        recv($sock, $buf, 2048, 0);
        return $buf unless Test::Meet::Stun::is_request($buf);
    }
    return undef;
}

sub health {
    my $r = http_request(path => '/healthz');
    return eval { JSON::PP::decode_json($r->{body}) } || {};
}

my $user = "$ufrag:$their_ufrag";

# errors first: the address is not yet validated
my $r = Test::Meet::Stun::parse(exchange(Test::Meet::Stun::request(
    username => $user, pwd => $pwd, bad_integrity => 1)), $pwd);
is($r && $r->{error_code}, 401, 'wrong MESSAGE-INTEGRITY: 401');
ok($r && !defined $r->{integrity_ok}, '... without MESSAGE-INTEGRITY (RFC 8489)');

$r = Test::Meet::Stun::parse(exchange(Test::Meet::Stun::request(
    username => "nosuchufrag:$their_ufrag", pwd => $pwd)));
is($r && $r->{error_code}, 401, 'unknown ufrag: 401');

$r = Test::Meet::Stun::parse(exchange(Test::Meet::Stun::request(
    username => $user, pwd => $pwd, no_integrity => 1)));
is($r && $r->{error_code}, 400, 'no MESSAGE-INTEGRITY: 400');

$r = Test::Meet::Stun::parse(exchange(Test::Meet::Stun::request(
    username => $user, pwd => $pwd, extra => [[0x0042, 'zz']])), $pwd);
is($r && $r->{error_code}, 420, 'unknown comprehension-required attribute: 420');
is($r && $r->{integrity_ok}, 1, '... authenticated, with MESSAGE-INTEGRITY');

$r = Test::Meet::Stun::parse(exchange(Test::Meet::Stun::request(
    username => $user, pwd => $pwd, controlled => 1)), $pwd);
is($r && $r->{error_code}, 487, 'ICE-CONTROLLED against a lite agent: 487');

is(exchange("\x00\x01\x00\x04garbage-not-stun"), undef, 'garbage: no answer');
is(exchange("\x80" . ("\x00" x 40)), undef, 'RTP from an unknown address: no answer');
is(exchange("\x16\xfe\xfd" . ("\x00" x 40)), undef,
   'DTLS from an unknown address: no answer');

my $h = health();
my $d = $h->{components}{media}{dropped} || {};
cmp_ok($d->{stun_integrity} // 0, '>=', 1, 'counted: stun_integrity');
cmp_ok($d->{stun_unknown_ufrag} // 0, '>=', 1, 'counted: stun_unknown_ufrag');
cmp_ok($d->{stun_other} // 0, '>=', 3, 'counted: stun_other (400, 420, 487)');
cmp_ok($d->{stun_malformed} // 0, '>=', 1, 'counted: stun_malformed');
cmp_ok($d->{unbound_address} // 0, '>=', 2, 'counted: unbound_address');

# a valid, nominating check
$r = Test::Meet::Stun::parse(exchange(Test::Meet::Stun::request(
    username => $user, pwd => $pwd, use_candidate => 1)), $pwd);
is($r && $r->{class}, 'success', 'valid check: success response');
is($r && $r->{integrity_ok}, 1, '... with MESSAGE-INTEGRITY of our password');
is($r && $r->{fingerprint_ok}, 1, '... and a FINGERPRINT');
is($r && $r->{mapped_ip}, '127.0.0.1', '... XOR-MAPPED-ADDRESS: our address');
is($r && $r->{mapped_port}, $sock->sockport, '... and port');
ok(wait_for_log(qr/meet rtp: 127\.0\.0\.1 selected for $ufrag/), 'the pair is selected');
is(health()->{components}{media}{sessions}, 1, '/healthz: one media session');

# the address is bound now: bad DTLS and early SRTP are dropped and counted
# (short waits: the address closes 2 s after its last valid packet)
is(exchange("\x16\xfe\xfd" . ("\xff" x 40), 0.2), undef, 'bad DTLS: no answer');
is(exchange("\x80\x6f" . ("\x00" x 40), 0.2), undef, 'SRTP before DTLS: dropped');
$h = health();
$d = $h->{components}{media}{dropped} || {};
cmp_ok($d->{media_before_dtls} // 0, '>=', 1, 'counted: media_before_dtls')
    or diag(JSON::PP->new->canonical->encode($h));

# consent freshness: silence ends the address, a check brings it back
ok(wait_for_log(qr/no valid packet for 2000 ms, closing the selected media address/, 6),
   'a silent selected address is closed after meet_rtp_session_timeout');
$r = Test::Meet::Stun::parse(exchange(Test::Meet::Stun::request(
    username => $user, pwd => $pwd, use_candidate => 1)), $pwd);
is($r && $r->{class}, 'success', 'a new check from the client is answered again');

# the participant leaves: its media session goes
$ws->send_frame(opcode => 8, payload => pack('n', 1000));
$ws->wait_close(3);
ok(wait_for_log(qr/"ice" \(PA_\w+\) left room "ice"/), 'participant left');
is(health()->{components}{media}{sessions}, 0, '/healthz: no media session left');
$r = Test::Meet::Stun::parse(exchange(Test::Meet::Stun::request(
    username => $user, pwd => $pwd)));
is($r && $r->{error_code}, 401, 'its ufrag is refused afterwards');

stop_nginx();
done_testing();
