# Finding 3 of the hostile-client review: NACK amplification.  SRTCP
# compounds were accepted up to 64 KB and every NACK in them answered from
# the 512-packet history, again each time it was asked: a subscriber made
# the server resend thousands of packets per compound, to itself (or, in
# a room, at the cost of everybody's share of the worker).  A publisher's
# compound with the same sender report many times was relayed as many
# times to every subscriber.  Now:
#   - an SRTCP datagram over meet_rtp_rtcp_max_size (1500) is dropped,
#     counted (dropped.rtcp_too_large) and logged at most once a second;
#   - of a compound, meet_rtp_rtcp_max_packets (32) packets are handled
#     (rtcp_packets_ignored counts the rest);
#   - a packet goes to one subscriber again at most once per
#     meet_rtp_nack_window (100 ms) and meet_rtp_nack_resends (3) times;
#   - the bytes resent to a subscriber stay within meet_rtp_nack_rate
#     (100 %) of the media it gets (nack_repeats, nack_over_rate count the
#     NACKs ignored);
#   - a compound's sender reports of one stream are relayed once.
# Synthetic peers (t/tools/meet_peer): a publisher at 100 packets/s whose
# SR compounds carry 20 copies of its SR; "mallory" floods 50 compounds of
# 1400 bytes of NACKs over the whole history (each ~3 times over) in a
# second; "trudy" sends 3 compounds of 4000 bytes; "bob" only watches.
use lib 't/lib', 't/tools';
use Test::Meet;
use Test::Meet::Util qw(timeout_factor);
use MeetPeer;
use JSON::PP ();
use File::Temp qw(tempdir);

my $bin = MeetPeer::built();

my $tf = timeout_factor();
my $dir = tempdir('meet-nack-XXXXXX', TMPDIR => 1, CLEANUP => 1);

start_nginx(MeetPeer::nginx_conf());

my $http_port = test_var('TEST_NGINX_SERVER_PORT');

sub media { MeetPeer::health() }

my %cert;
for my $who (qw(pub mallory trudy bob)) {
    $cert{$who}{file} = "$dir/$who.pem";
    $cert{$who}{fp} = MeetPeer::new_cert($bin, $cert{$who}{file});
}

my $pub = MeetPeer::Participant->join(port => $http_port, room => 'nack',
    identity => 'pub', fingerprint => $cert{pub}{fp},
    publish => { ssrc => 0x2345bcde, pt => 96 }, timeout => 5 * $tf);
is($pub->error, undef, 'publisher joined');
my $sid = $pub->publish(timeout => 5 * $tf);
like($sid // '', qr/^TR_/, 'publisher: track published');

my (%sub, %slot, %proc);
for my $who (qw(mallory trudy bob)) {
    $sub{$who} = MeetPeer::Participant->join(port => $http_port,
        room => 'nack', identity => $who, fingerprint => $cert{$who}{fp},
        recv_video => 1, timeout => 5 * $tf);
    is($sub{$who}->error, undef, "$who joined");
    $slot{$who} = ($sid && $sub{$who}->slot_of($sid)) || {};
    ok($slot{$who}{rtx_pt}, "$who: the track with RTX in its answer");
}

my %flood = (
    mallory => ['--nack-flood', 50, '--nack-size', 1400,
                '--nack-interval', 0.02, '--nack-after', 150],
    trudy => ['--nack-flood', 3, '--nack-size', 4000,
              '--nack-interval', 0.02, '--nack-after', 150],
    bob => [],
);

for my $who (qw(mallory trudy bob)) {
    $proc{$who} = MeetPeer::Proc->spawn($bin, 'subscribe',
        $sub{$who}->peer_args(cert => $cert{$who}{file}),
        '--rtx-pt', $slot{$who}{rtx_pt} // 97, @{ $flood{$who} },
        '--connect-timeout', 5 * $tf, '--duration', 40 * $tf,
        '--idle', 2 * $tf);
    like($proc{$who}->wait_line(qr/^dtls ok/, 10 * $tf) // '', qr/^dtls ok/,
         "$who: ICE and DTLS done");
}

my $before = media();
my $log_from = error_log_size();

# 6 s at 100 packets/s; each SR compound (one a second) with 20 SRs
my $p = MeetPeer::Proc->spawn($bin, 'publish',
    $pub->peer_args(cert => $cert{pub}{file}),
    '--connect-timeout', 5 * $tf, '--rate', 100, '--size', 600,
    '--send', 'valid:600', '--sr-copies', 20, '--linger', 1,
    '--duration', 30 * $tf)->finish(40 * $tf);
is($p->{status}, 0, 'publisher: sent its 600 packets') or diag($p->{stderr});
my $pr = $p->{result};

my %r;
for my $who (qw(mallory trudy bob)) {
    my $s = $proc{$who}->finish(40 * $tf);
    is($s->{status}, 0, "$who: done") or diag($s->{stderr});
    $r{$who} = $s->{result};
}

my $after = media();
my %d = map { $_ => ($after->{$_} // 0) - ($before->{$_} // 0) }
        qw(retransmitted nack_repeats nack_over_rate rtcp_packets_ignored);
$d{rtcp_too_large} = ($after->{dropped}{rtcp_too_large} // 0)
                     - ($before->{dropped}{rtcp_too_large} // 0);
diag(JSON::PP->new->canonical->encode({ server => \%d, pub => $pr, %r }))
    if $ENV{TEST_VERBOSE};

# --- mallory: compounds within the MTU, the whole history each ----------

my $m = $r{mallory};
is($m->{nack_compounds}, 50, 'mallory sent 50 NACK compounds');
cmp_ok($m->{nack_seqs}, '>=', 50 * 1400, '... asking for 70,000+ packets');
cmp_ok($m->{rx_rtx}, '>', 0, 'mallory: NACKs are still answered');
cmp_ok($m->{rx_rtx}, '<=', 512,
       'mallory: at most the history once in all (the media rate bounds it)');
cmp_ok($m->{rtx_max_copies}, '<=', 3,
       'mallory: no packet resent more than meet_rtp_nack_resends (3) times');
ok($m->{rtx_min_gap_ms} < 0 || $m->{rtx_min_gap_ms} >= 30,
   'mallory: no packet resent twice within the window (100 ms; 30 for '
   . "jitter; a compound every 20 ms): $m->{rtx_min_gap_ms} ms");
cmp_ok($d{rtcp_packets_ignored}, '>=', 50 * (87 - 32),
       '/healthz: packets after the 32nd of a compound ignored');
cmp_ok($d{nack_repeats} + $d{nack_over_rate}, '>', 0,
       '/healthz: NACKs ignored, counted');
cmp_ok($m->{packets0} // 0, '>=', 500, 'mallory still got its media');

# --- trudy: compounds over the MTU ---------------------------------------

my $t = $r{trudy};
is($t->{nack_compounds}, 3, 'trudy sent 3 compounds of 4000 bytes');
is($t->{rx_rtx}, 0, 'trudy: none answered');
is($d{rtcp_too_large}, 3, '/healthz: dropped.rtcp_too_large counts them');
my @lines = (error_log_text($log_from) // '')
    =~ /meet rtp: SRTCP of \d+ bytes from \S+ dropped: over meet_rtp_rtcp_max_size 1500/g;
ok(@lines >= 1 && @lines <= 2,
   'the drops logged, at most a line a second (' . scalar(@lines) . ')');

# --- bob: unharmed; the SRs relayed once per compound ---------------------

my $b = $r{bob};
is($b->{rx_rtx}, 0, 'bob asked for nothing, got no resend');
is($b->{lost}, 0, 'bob: no loss');
is($b->{stamp_max}, 599, 'bob: every packet up to the last');
cmp_ok($pr->{sent_rtcp}, '>=', 3, 'the publisher sent SR compounds');
cmp_ok($b->{rx_sr}, '>=', 1, 'bob: sender reports relayed');
cmp_ok($b->{rx_sr}, '<=', $pr->{sent_rtcp},
       'bob: each compound\'s 20 copies of an SR relayed once');

$_->close for $pub, values %sub;
stop_nginx();
done_testing();
