# SRTP end to end through nginx, with synthetic peers (t/tools/meet_peer:
# ICE as controlling agent, DTLS 1.2 client, libsrtp2): a publisher sends
# valid VP8-like packets, then packets with a spoiled authentication,
# replays, truncated SRTP, garbage with an RTP first byte, datagrams of no
# RFC 7983 kind and bad or replayed SRTCP, then valid packets again.  Each
# bad datagram must be counted under its reason in /healthz and logged;
# the session must survive (a subscriber receives exactly the valid
# packets, all of them).  A DTLS client whose certificate is not the one
# its offer announced is refused.
use lib 't/lib', 't/tools';
use Test::Meet;
use Test::Meet::Util qw(timeout_factor);
use MeetPeer;
use JSON::PP ();
use File::Temp qw(tempdir);

my $bin = MeetPeer::built();

my $tf = timeout_factor();
my $dir = tempdir('meet-srtp-XXXXXX', TMPDIR => 1, CLEANUP => 1);

start_nginx(MeetPeer::nginx_conf());

my $http_port = test_var('TEST_NGINX_SERVER_PORT');
my $udp_port = test_var('TEST_NGINX_UDP_PORT_1');

sub media { MeetPeer::health() }

sub count_log {
    my ($re, $from) = @_;
    my @n = (error_log_text($from) // '') =~ /$re/g;
    return scalar @n;
}

my %cert;
for my $who (qw(pub sub mallory other)) {
    $cert{$who}{file} = "$dir/$who.pem";
    $cert{$who}{fp} = MeetPeer::new_cert($bin, $cert{$who}{file});
}

# --- signaling: a publisher, then a subscriber that gets its track ------

my $pub = MeetPeer::Participant->join(port => $http_port, room => 'srtp',
    identity => 'pub', fingerprint => $cert{pub}{fp},
    publish => { ssrc => 0x1234abcd, pt => 96 }, timeout => 5 * $tf);
is($pub->error, undef, 'publisher joined with its offer');
my $sid = $pub->publish(timeout => 5 * $tf);
like($sid // '', qr/^TR_/, 'publisher: add_track, re-offer, track published');
my $pans = $pub->answer || {};
is($pans->{port}, $udp_port, 'answer: the media port as host candidate');
is($pans->{ice_lite}, 1, 'answer: ice-lite');
is($pans->{media}{0}{direction}, 'recvonly',
   'answer: the sending section is received');

my $sub = MeetPeer::Participant->join(port => $http_port, room => 'srtp',
    identity => 'sub', fingerprint => $cert{sub}{fp},
    recv_audio => 1, recv_video => 1, timeout => 5 * $tf);
is($sub->error, undef, 'subscriber joined with its offer');
my $slot = $sid ? $sub->slot_of($sid) : undef;
ok($slot, 'subscriber: the track in one of its receive-only sections')
    or diag($sub->answer && $sub->answer->{sdp});
$slot //= {};
is($slot->{kind}, 'video', '... a video section');
is($slot->{direction}, 'sendonly', '... that we send');
like($slot->{ssrc} // '', qr/^\d+$/, '... with our SSRC');

# --- media: subscriber first, then the publisher's plan -------------------

my $sproc = MeetPeer::Proc->spawn($bin, 'subscribe',
    $sub->peer_args(cert => $cert{sub}{file}),
    '--connect-timeout', 5 * $tf, '--duration', 30 * $tf, '--idle', 2 * $tf);
my $line = $sproc->wait_line(qr/^dtls ok/, 10 * $tf);
like($line // '', qr/^dtls ok .*profile=7\b/,
     'subscriber: ICE and DTLS done, AEAD_AES_128_GCM chosen');

my $before = media();
my $log_from = error_log_size();

my $plan = 'valid:40,auth:5,replay:4,short:3,garbage:4,junk:2,'
         . 'rtcp_auth:3,rtcp_replay:2,valid:40';
my $pproc = MeetPeer::Proc->spawn($bin, 'publish',
    $pub->peer_args(cert => $cert{pub}{file}),
    '--connect-timeout', 5 * $tf, '--rate', 100, '--size', 600,
    '--send', $plan, '--linger', 1, '--duration', 20 * $tf);
my $p = $pproc->finish(30 * $tf);
is($p->{status}, 0, 'publisher: ran its plan') or diag($p->{stderr});
my $pr = $p->{result};
is($pr->{sent_rtp}, 80, 'publisher: 80 valid packets sent');

my $s = $sproc->finish(30 * $tf);
is($s->{status}, 0, 'subscriber: done') or diag($s->{stderr});
my $sr = $s->{result};

my $after = media();
my %d;
for my $k (qw(srtp_auth srtp_replay srtp_other unknown_packet dtls
              media_before_dtls unbound_address)) {
    $d{$k} = ($after->{dropped}{$k} // 0) - ($before->{dropped}{$k} // 0);
}
diag(JSON::PP->new->canonical->encode({ drops => \%d, pub => $pr, sub => $sr }))
    if $ENV{TEST_VERBOSE};

# every bad datagram under its reason, nothing else dropped
is($d{srtp_auth}, ($pr->{sent_auth} // -1) + ($pr->{sent_garbage} // -1)
                  + ($pr->{sent_rtcp_auth} // -1),
   'srtp_auth: spoiled SRTP, garbage and spoiled SRTCP');
is($d{srtp_replay}, ($pr->{sent_replay} // -1) + ($pr->{sent_rtcp_replay} // -1),
   'srtp_replay: replayed SRTP and SRTCP');
is($d{srtp_other}, $pr->{sent_short}, 'srtp_other: truncated SRTP');
is($d{unknown_packet}, $pr->{sent_junk}, 'unknown_packet: no RFC 7983 kind');
is($d{$_}, 0, "no $_ drops") for qw(dtls media_before_dtls unbound_address);

# ... and logged with the reason, once per packet (debug level)
my %logged = (
    'SRTP dropped: authentication failed' =>
        ($pr->{sent_auth} // 0) + ($pr->{sent_garbage} // 0),
    'SRTP dropped: replayed or too old packet' => $pr->{sent_replay},
    'SRTP dropped: malformed packet or bad length' => $pr->{sent_short},
    'SRTCP dropped: authentication failed' => $pr->{sent_rtcp_auth},
    'SRTCP dropped: replayed or too old packet' => $pr->{sent_rtcp_replay},
);
for my $l (sort keys %logged) {
    my $re = quotemeta "meet rtp: $l";
    is(count_log(qr/$re/, $log_from), $logged{$l},
       "error log: \"meet rtp: $l\" once per packet");
}

# the session survived: every valid packet, and only those, forwarded
is($sr->{rx_rtp}, $pr->{sent_rtp}, 'subscriber: received every valid packet');
is($sr->{stamp_max}, $pr->{sent_rtp} - 1,
   '... up to the last one, sent after the bad ones');
is($sr->{streams}, 1, 'subscriber: one stream');
is($sr->{ssrc0}, $slot->{ssrc}, '... on the SSRC of the answer');
is($sr->{pt0}, 96, '... with its own VP8 payload type');
is($sr->{lost}, 0, '... no gap');
is($sr->{duplicates}, 0, '... no duplicate (replays were not forwarded)');
is($sr->{srtp_fail}, 0, '... every packet authenticated');
cmp_ok($sr->{keyframes0} // 0, '>=', 1, '... starting with a key frame');
cmp_ok($sr->{rx_sr} // 0, '>=', 1, '... and sender reports relayed');
is(media()->{sessions}, 2, 'both media sessions still there');
is(count_log(qr/media failed/, $log_from), 0, 'no media failure logged');

# --- the same with AES128_CM_HMAC_SHA1_80 (another authentication path) --

my $cm = MeetPeer::Participant->join(port => $http_port, room => 'srtp',
    identity => 'pubcm', fingerprint => $cert{other}{fp},
    publish => { ssrc => 0x0c0ffee, pt => 96 }, timeout => 5 * $tf);
ok(!$cm->error && $cm->publish(timeout => 5 * $tf),
   'a second publisher, offering AES-CM only');
$before = media();
$log_from = error_log_size();
my $c = MeetPeer::Proc->spawn($bin, 'publish',
    $cm->peer_args(cert => $cert{other}{file}), '--srtp', 'cm',
    '--connect-timeout', 5 * $tf, '--rate', 100,
    '--send', 'valid:10,auth:3,replay:2,short:2,valid:10', '--linger', 0.5,
    '--duration', 20 * $tf)->finish(30 * $tf);
is($c->{status}, 0, 'AES-CM publisher: ran its plan') or diag($c->{stderr});
ok((grep { /^dtls ok .*profile=1\b/ } @{ $c->{lines} }),
   '... with SRTP_AES128_CM_HMAC_SHA1_80');
$after = media();
my $cr = $c->{result};
for ([srtp_auth => 'auth'], [srtp_replay => 'replay'], [srtp_other => 'short']) {
    my ($k, $kind) = @$_;
    is(($after->{dropped}{$k} // 0) - ($before->{dropped}{$k} // 0),
       $cr->{"sent_$kind"}, "AES-CM: $k counts the $kind packets");
}
ok(wait_for_log(qr/"pubcm" track TR_\w+ is SSRC 12648430/, 1, 0),
   '... on the track the offer announced');

# --- DTLS with a certificate that is not the offer's ------------------

my $mal = MeetPeer::Participant->join(port => $http_port, room => 'srtp',
    identity => 'mallory', fingerprint => $cert{mallory}{fp},
    recv_video => 1, timeout => 5 * $tf);
is($mal->error, undef, 'third participant joined');
$before = media();
$log_from = error_log_size();
my $m = MeetPeer::Proc->spawn($bin, 'subscribe',
    $mal->peer_args(cert => $cert{other}{file}),
    '--connect-timeout', 5 * $tf, '--duration', 2)->finish(20 * $tf);
is($m->{status}, 3, 'a certificate other than the offer\'s: DTLS fails');
like($m->{stderr}, qr/alert bad certificate/i,
     '... the server sent a bad_certificate alert');
ok(wait_for_log(qr/meet rtp: DTLS failed for $mal->{answer}{ufrag}: the peer certificate does not match the SDP fingerprint/,
                3 * $tf, $log_from),
   '... and logged why');
ok(wait_for_log(qr/"mallory" media failed/, 3 * $tf, $log_from),
   '... and the participant\'s media failed');
$after = media();
cmp_ok(($after->{dropped}{dtls} // 0) - ($before->{dropped}{dtls} // 0), '>=', 1,
       '... counted as a dtls drop');
unlike(error_log_text($log_from), qr/DTLS connected for $mal->{answer}{ufrag}/,
       '... never connected');

# and the peer checks the server: a wrong fingerprint from "the answer"
my $oth = MeetPeer::Participant->join(port => $http_port, room => 'srtp',
    identity => 'other', fingerprint => $cert{other}{fp},
    recv_video => 1, timeout => 5 * $tf);
my $o = MeetPeer::Proc->spawn($bin, 'subscribe',
    $oth->peer_args(cert => $cert{other}{file},
                    server_fingerprint => $cert{pub}{fp}),
    '--connect-timeout', 5 * $tf, '--duration', 2)->finish(20 * $tf);
is($o->{status}, 3, 'meet_peer refuses a server certificate not in the answer');
like($o->{stderr}, qr/does not match --fingerprint/, '... and says so');

$_->close for $pub, $sub, $cm, $mal, $oth;
stop_nginx();
done_testing();
