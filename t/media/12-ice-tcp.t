# ICE-TCP (RFC 6544 passive candidates, RFC 4571 framing) on a TCP media
# listener: the answer names a "tcp ... tcptype passive" candidate; STUN
# Binding requests in frames get framed answers (success, 401), frames may
# arrive split or several in one segment; bad input (an oversized frame,
# packets before a valid check) is refused, logged and counted, and the
# worker stays fine.
use lib 't/lib';
use Test::Meet;
use Test::Meet::WebSocket;
use Test::Meet::Stun;
use Test::Meet::Util qw(slurp);
use IO::Socket::IP;
use IO::Select;
use JSON::PP ();

my $repo = test_var('TEST_NGINX_REPO');
my $offer = slurp("$repo/t/unit/fixtures/chromium-join-offer.sdp");
my ($their_ufrag) = $offer =~ /^a=ice-ufrag:(\S+)/m;

start_nginx(
    config => "    location /rtc { meet_signal; }\n"
            . "    location = /healthz { meet_health; }\n",
    stream_config => "    server {\n"
            . "        listen 127.0.0.1:\$TEST_NGINX_UDP_PORT_1 udp;\n"
            . "        listen 127.0.0.1:\$TEST_NGINX_PORT_1;\n"
            . "        meet_rtp;\n"
            . "        meet_rtp_session_timeout 2s;\n"
            . "    }\n");

my $tcp_port = test_var('TEST_NGINX_PORT_1');
my $udp_port = test_var('TEST_NGINX_UDP_PORT_1');

# join with the offer, read the answer
my ($ws, $answer) = Test::Meet::WebSocket::join_with_offer(
    port => test_var('TEST_NGINX_SERVER_PORT'), identity => 'tcp',
    room => 'tcp', offer => $offer);
$answer //= '';
my ($ufrag) = $answer =~ /^a=ice-ufrag:(\S+)/m;
my ($pwd) = $answer =~ /^a=ice-pwd:(\S+)/m;
like($answer, qr/^a=candidate:\S+ 1 tcp \d+ 127\.0\.0\.1 $tcp_port typ host tcptype passive\r?$/m,
     'the answer names the TCP listener as a passive candidate');
like($answer, qr/^a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 $udp_port typ host\r?$/m,
     '... beside the UDP one');
my ($pu) = $answer =~ /^a=candidate:\S+ 1 udp (\d+) /m;
my ($pt) = $answer =~ /^a=candidate:\S+ 1 tcp (\d+) /m;
ok(defined $pu && defined $pt && $pu > $pt, 'UDP is preferred (higher priority)');

sub tcp_connect {
    my $s = IO::Socket::IP->new(PeerHost => '127.0.0.1', PeerPort => $tcp_port,
                                Proto => 'tcp', Timeout => 3)
        or die "tcp connect: $!";
    binmode $s;
    return $s;
}

sub frame { my ($b) = @_; return pack('n', length $b) . $b }

# reads one RFC 4571 frame (2 s at most); undef on timeout, '' on EOF;
# bytes after the frame stay for the next call; the server's own Binding
# requests (RFC 7675 consent, to a selected connection) are skipped
my %pending;
sub read_frame {
    my ($s) = @_;
    my $sel = IO::Select->new($s);
    my $buf = \($pending{"$s"} //= '');
    my $until = time + 2;
    while (1) {
        if (length $$buf >= 2) {
            my $len = unpack('n', $$buf);
            if (length $$buf >= 2 + $len) {
                my $f = substr($$buf, 2, $len);
                substr($$buf, 0, 2 + $len, '');
                next if Test::Meet::Stun::is_request($f);
                return $f;
            }
        }
        return undef if time > $until || !$sel->can_read(0.5);
        my $n = sysread($s, my $chunk, 4096);
        return '' unless $n;
        $$buf .= $chunk;
    }
}

my $user = "$ufrag:$their_ufrag";
my $s = tcp_connect();

# a bad check first: 401, framed
syswrite($s, frame(Test::Meet::Stun::request(username => $user, pwd => $pwd,
                                             bad_integrity => 1)));
my $r = Test::Meet::Stun::parse(read_frame($s), $pwd);
is($r && $r->{error_code}, 401, 'wrong MESSAGE-INTEGRITY over TCP: 401 in a frame');

# RTP before a valid check: dropped, the connection stays
syswrite($s, frame("\x80" . ("\x00" x 40)));

# a valid check split across two writes, then two checks in one write
my $req = frame(Test::Meet::Stun::request(username => $user, pwd => $pwd,
                                          use_candidate => 1));
syswrite($s, substr($req, 0, 7));
select(undef, undef, undef, 0.2);
syswrite($s, substr($req, 7));
$r = Test::Meet::Stun::parse(read_frame($s), $pwd);
is($r && $r->{class}, 'success', 'a check split across segments: success');
is($r && $r->{integrity_ok}, 1, '... with MESSAGE-INTEGRITY');
is($r && $r->{mapped_port}, $s->sockport, '... XOR-MAPPED-ADDRESS: our TCP port');

syswrite($s, frame(Test::Meet::Stun::request(username => $user, pwd => $pwd))
           . frame(Test::Meet::Stun::request(username => $user, pwd => $pwd)));
my $r1 = Test::Meet::Stun::parse(read_frame($s), $pwd);
my $r2 = Test::Meet::Stun::parse(read_frame($s), $pwd);
ok($r1 && $r2 && $r1->{class} eq 'success' && $r2->{class} eq 'success',
   'two frames in one segment: two answers');
ok(wait_for_log(qr/meet rtp: 127\.0\.0\.1 selected for $ufrag/),
   'the TCP connection is the selected pair');

# an oversized frame: logged, the connection closed
my $s2 = tcp_connect();
syswrite($s2, pack('n', 65000) . ('x' x 100));
is(read_frame($s2), '', 'an oversized frame closes the connection');
ok(wait_for_log(qr/ICE-TCP frame of 65000 bytes is larger than/),
   '... with a log line saying why');

# a half frame and a close: nothing breaks
my $s3 = tcp_connect();
syswrite($s3, "\x00\x30\x00\x01");
close $s3;

my $h = eval { JSON::PP::decode_json(http_request(path => '/healthz')->{body}) } || {};
my $m = $h->{components}{media} || {};
is_deeply($m->{tcp}, ["127.0.0.1:$tcp_port"], '/healthz lists the TCP listener');
cmp_ok($m->{dropped}{unbound_address} // 0, '>=', 1,
       'RTP before a valid check counted (unbound_address)');
cmp_ok($m->{dropped}{stun_integrity} // 0, '>=', 1, 'the 401 counted');

# an idle connection goes after meet_rtp_session_timeout
my $s4 = tcp_connect();
is(read_frame($s4) // 'timeout', 'timeout', 'an idle connection stays a while');
my $gone;
for (1 .. 10) { $gone = read_frame($s4); last if defined $gone && $gone eq ''; }
is($gone, '', 'an idle connection is closed after the session timeout');

close $s;
stop_nginx();
done_testing();
