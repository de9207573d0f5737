# Finding 7 of the hostile-client review: a STUN check with USE-CANDIDATE
# and valid credentials from any source address moved a participant's
# media there at once.  Whoever knows (or sniffs) the ICE credentials, or
# spoofs a source address, could point a subscriber's media at a victim.
# Now (RFC 7675) media moves only once the new address answers a Binding
# request of ours, signed with the client's ice-pwd; until then only those
# requests go there.  Consent freshness: an address that stops answering
# loses its media after meet_rtp_consent_timeout, and the client's next
# check brings it back.
#
# A subscriber (t/tools/meet_peer, which answers the server's requests as
# browsers do) receives a publisher's media; a second socket on 127.0.0.2
# sends nominating checks with the subscriber's credentials.
use lib 't/lib', 't/tools';
use Test::Meet;
use Test::Meet::Util qw(timeout_factor);
use Test::Meet::Stun;
use MeetPeer;
use IO::Socket::IP;
use IO::Select;
use Time::HiRes ();
use File::Temp qw(tempdir);

my $bin = MeetPeer::built();

my $tf = timeout_factor();
my $dir = tempdir('meet-consent-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $timeout_ms = int(3000 * $tf);

start_nginx(
    config => "    location /rtc { meet_signal; meet_signal_ping_timeout 300s; }\n",
    stream_config => "    server {\n"
            . "        listen 127.0.0.1:\$TEST_NGINX_UDP_PORT_1 udp;\n"
            . "        meet_rtp;\n"
            . "        meet_rtp_consent_interval 500ms;\n"
            . "        meet_rtp_consent_timeout ${timeout_ms}ms;\n"
            # an address's silence must not end it first (30s by default:
            # the consent timeout under valgrind)
            . "        meet_rtp_session_timeout " . (4 * $timeout_ms) . "ms;\n"
            . "    }\n");

my $http_port = test_var('TEST_NGINX_SERVER_PORT');
my $udp_port = test_var('TEST_NGINX_UDP_PORT_1');

my %cert;
for my $who (qw(pub sub)) {
    $cert{$who}{file} = "$dir/$who.pem";
    $cert{$who}{fp} = MeetPeer::new_cert($bin, $cert{$who}{file});
}
my $pub = MeetPeer::Participant->join(port => $http_port, room => 'c',
    identity => 'pub', fingerprint => $cert{pub}{fp},
    publish => { ssrc => 0x1234abcd, pt => 96 }, timeout => 5 * $tf);
is($pub->error, undef, 'publisher joined');
like($pub->publish(timeout => 5 * $tf) // '', qr/^TR_/,
     'publisher: track published');
my $sub = MeetPeer::Participant->join(port => $http_port, room => 'c',
    identity => 'sub', fingerprint => $cert{sub}{fp},
    recv_audio => 1, recv_video => 1, timeout => 5 * $tf);
is($sub->error, undef, 'subscriber joined');

my $sproc = MeetPeer::Proc->spawn($bin, 'subscribe',
    $sub->peer_args(cert => $cert{sub}{file}),
    '--connect-timeout', 5 * $tf, '--duration', 120 * $tf,
    '--progress', 0.1);
like($sproc->wait_line(qr/^dtls ok/, 10 * $tf) // '', qr/^dtls ok/,
     'subscriber: ICE, DTLS and consent done');
my $pproc = MeetPeer::Proc->spawn($bin, 'publish',
    $pub->peer_args(cert => $cert{pub}{file}),
    '--connect-timeout', 5 * $tf, '--rate', 50, '--size', 300,
    '--duration', 120 * $tf);

# the subscriber's packets so far
sub sub_rx {
    my $l = $sproc->latest(qr/^progress/, 0.15) // '';
    return $l =~ /rx_rtp=(\d+)/ ? $1 : 0;
}

# waits until $cond->() holds, $t seconds at most
sub wait_until {
    my ($cond, $t) = @_;
    my $until = Time::HiRes::time() + $t;
    while (Time::HiRes::time() < $until) {
        return 1 if $cond->();
        Time::HiRes::sleep(0.05);
    }
    return $cond->() ? 1 : 0;
}

ok(wait_until(sub { sub_rx() >= 10 }, 10 * $tf),
   'the subscriber receives media') or diag('rx_rtp=' . sub_rx());

# the spoofing socket: another loopback address
my $spoof = IO::Socket::IP->new(LocalHost => '127.0.0.2',
                                PeerHost => '127.0.0.1',
                                PeerPort => $udp_port, Proto => 'udp')
    or BAIL_OUT("udp socket on 127.0.0.2: $!");
my $ssel = IO::Select->new($spoof);

my $ans = $sub->answer;
my $user = "$ans->{ufrag}:$sub->{ufrag}";      # our checks: theirs:ours
my $their_user = "$sub->{ufrag}:$ans->{ufrag}";  # the server's requests

sub nominate {
    send($spoof, Test::Meet::Stun::request(username => $user,
        pwd => $ans->{pwd}, use_candidate => 1), 0);
}

# reads what reaches the spoofing socket for $o{t} seconds (nominating
# every 0.25 s with $o{nominate}; $o{on_request} called at once with each
# consent request of the server; ends early once $o{done}->()): counts by
# kind
sub collect {
    my (%o) = @_;
    my %n = (answers => 0, requests => 0, good_requests => 0, rtp => 0,
             other => 0);
    my $until = Time::HiRes::time() + $o{t};
    my $next = 0;
    for (1 .. 100000) {
        my $now = Time::HiRes::time();
        last if $now >= $until || ($o{done} && $o{done}->());
        if ($o{nominate} && $now >= $next) {
            nominate();
            $next = $now + 0.25;
        }
        next unless $ssel->can_read(0.05);
        my $buf;
        recv($spoof, $buf, 2048, 0);
        next unless defined $buf && length $buf;
        my $b = ord $buf;
        if (Test::Meet::Stun::is_request($buf)) {
            $n{requests}++;
            my $r = Test::Meet::Stun::parse($buf, $sub->{pwd});
            if ($r && $r->{integrity_ok} && $r->{fingerprint_ok}
                && ($r->{username} // '') eq $their_user)
            {
                $n{good_requests}++;
                $o{on_request}->($r) if $o{on_request};
            }
        } elsif ($b <= 3) {
            my $r = Test::Meet::Stun::parse($buf, $ans->{pwd});
            $n{($r && $r->{class} eq 'success') ? 'answers' : 'other'}++;
        } elsif ($b >= 128 && $b <= 191) {
            $n{rtp}++;
        } else {
            $n{other}++;
        }
    }
    return \%n;
}

sub answer {
    my ($tid, %a) = @_;
    send($spoof, Test::Meet::Stun::response(tid => $tid, pwd => $sub->{pwd},
        mapped => ['127.0.0.1', $udp_port], %a), 0);
}

# 1. nominations from the second address that never answers

my $rx0 = sub_rx();
my $n = collect(t => 2 * $tf, nominate => 1);
my $rx1 = sub_rx();
cmp_ok($n->{answers}, '>=', 1, 'the spoofed checks are answered (valid credentials)');
cmp_ok($n->{requests}, '>=', 1, 'the server asks the new address for consent');
is($n->{good_requests}, $n->{requests},
   '... with Binding requests "theirs:ours", signed with the client\'s ice-pwd');
is($n->{rtp}, 0, 'no media goes to the unanswering address');
is($n->{other}, 0, 'nothing else goes there');
cmp_ok($rx1 - $rx0, '>=', 20, 'media keeps going to the subscriber')
    or diag("rx $rx0 -> $rx1");
ok(wait_for_log(qr/meet rtp: 127\.0\.0\.2 nominated for \S+: media stays on 127\.0\.0\.1 /),
   'logged: the nomination waits for consent');

# 2. forged answers at once: another transaction id, signed with the wrong
# key (the server's password), unsigned

my $forged = 0;
$rx0 = sub_rx();
$n = collect(t => 1.5 * $tf, nominate => 1, on_request => sub {
    my ($r) = @_;
    answer('x' x 12);
    answer($r->{tid}, pwd => $ans->{pwd});
    answer($r->{tid}, no_integrity => 1);
    $forged++;
});
$rx1 = sub_rx();
cmp_ok($forged, '>=', 1, 'forged answers sent');
is($n->{rtp}, 0, '... they move nothing');
cmp_ok($rx1 - $rx0, '>=', 10, '... media stays with the subscriber');

# 3. a right answer: media moves (until meet_rtp_consent_timeout after
# it: this address answers no more)

my $answered = 0;
$n = collect(t => 3 * $tf, nominate => 1, done => sub { $answered },
             on_request => sub { answer($_[0]{tid}) unless $answered++ });
ok($answered, 'a consent request answered right');
my $moved = $n->{rtp};
my $until = Time::HiRes::time() + 5 * $tf;
while (Time::HiRes::time() < $until && $moved < 5) {
    $moved += collect(t => 0.2)->{rtp};
}
cmp_ok($moved, '>=', 5, 'answered: media moves to the new address');
ok(wait_for_log(qr/meet rtp: 127\.0\.0\.2 consents to media/),
   'logged: consent');
$rx0 = sub_rx();
Time::HiRes::sleep(0.5);
$rx1 = sub_rx();
cmp_ok($rx1 - $rx0, '<=', 2, '... and no longer to the old one');

# 4. consent freshness: the new address stops answering

ok(wait_for_log(qr/no consent from 127\.0\.0\.2 for \S+ for \d+ ms \(meet_rtp_consent_timeout\), media to it stops/,
                $timeout_ms / 1000 / $tf + 5),
   'unanswered for meet_rtp_consent_timeout: media stops');
ok(wait_for_log(qr/"sub" media disconnected \(no ICE consent\)/),
   '... the signal side is told');
collect(t => 0.3);
$n = collect(t => 1 * $tf);
is($n->{rtp}, 0, 'no media to the address whose consent expired');

# 5. the subscriber's next check (every 2 s) brings its media back

$rx0 = sub_rx();
ok(wait_until(sub { sub_rx() >= $rx0 + 10 }, 10 * $tf),
   'the subscriber gets its media again after its next check')
    or diag("rx $rx0 -> " . sub_rx());

my $p = $pproc->finish(2, term => 1);
my $s = $sproc->finish(2, term => 1);
cmp_ok($s->{result}{consent_answered} // 0, '>=', 2,
       'the subscriber answered consent requests');

stop_nginx();
done_testing();
