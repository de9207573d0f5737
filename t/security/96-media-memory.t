# Finding 6 of the hostile-client review: media memory per participant
# without a global cap.  Every video uptrack had a 512-packet NACK history
# (~770 KB, low simulcast layers too) at its first packet, up to 48 uptracks
# a participant, and nothing counted them: participants joined until the
# worker ran out of memory.  Now:
#   - a video track's history holds about a second of its packets:
#     meet_rtp_history_min (64) slots at first, doubled up to
#     meet_rtp_history_max (512) as its packet rate needs;
#   - histories, the resend slots of video downtracks and ICE-TCP write
#     buffers are charged to the worker's meet_media_memory (512m) before
#     they are made and given back when they go;
#   - a charge refused: that track has no history (its NACKs go
#     unanswered), a line in the log, /healthz counts it; the budget counts
#     as spent (a refused charge, or its last sixteenth reached) and a new
#     participant is refused with 503 "node has exceeded its configured
#     limit" and a log line, while those in keep their media.
# Part 1: meet_media_memory 4m and meet_rtp_history_min 512 (each video
# publisher costs 770 KB at its first packet): synthetic publishers
# (t/tools/meet_peer) join until a join is refused; bob watches the first
# throughout.  Part 2 (defaults): a 20 packets/s video stream keeps 64
# slots (~96 KB, not 770 KB); a 150 packets/s one grows its history.
use lib 't/lib', 't/tools';
use Test::Meet;
use Test::Meet::Util qw(timeout_factor);
use MeetPeer;
use File::Temp qw(tempdir);
use Time::HiRes qw(time sleep);

my $bin = MeetPeer::built();

my $tf = timeout_factor();
my $dir = tempdir('meet-mem-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $SLOT = 1504;                   # a packet of history: seq, len, 1500

sub media { MeetPeer::health() }

# polls /healthz until $pred holds (bounded); the last media component
sub media_until {
    my ($pred, $timeout) = @_;
    my $deadline = time + $timeout;
    my $m = media();
    while (!$pred->($m) && time < $deadline) {
        sleep 0.1;
        $m = media();
    }
    return $m;
}

my $n = 0;
sub cert {
    my $file = "$dir/c" . $n++ . '.pem';
    return ($file, MeetPeer::new_cert($bin, $file));
}

# a publisher: joined, its track published, meet_peer sending at $rate
# packets/s until stopped (or $count packets); (participant, proc) or the
# participant alone when the join was refused
sub publisher {
    my (%a) = @_;
    my ($file, $fp) = cert();
    my $p = MeetPeer::Participant->join(port => test_var('TEST_NGINX_SERVER_PORT'),
        room => $a{room}, identity => $a{identity}, fingerprint => $fp,
        publish => { ssrc => $a{ssrc}, pt => 96 }, timeout => 5 * $tf);
    return ($p) if $p->error;
    my $sid = $p->publish(timeout => 5 * $tf);
    return ($p) unless $sid;
    my $proc = MeetPeer::Proc->spawn($bin, 'publish',
        $p->peer_args(cert => $file), '--connect-timeout', 5 * $tf,
        '--rate', $a{rate}, '--size', 600,
        '--send', 'valid:' . ($a{count} // 0), '--linger', 0.2,
        '--duration', 120 * $tf);
    my $ok = $proc->wait_line(qr/^dtls ok/, 10 * $tf);
    ok($ok, "$a{identity}: ICE and DTLS done");
    return ($p, $proc, $sid);
}

# --- part 1: the budget spent -----------------------------------------------

start_nginx(MeetPeer::nginx_conf(stream => "        meet_rtp_history_min 512;\n",
                                 main => "meet_media_memory 4m;\n"));

my $m = media();
is($m->{memory}{used}, 0, '/healthz: no media memory used at first');
is($m->{memory}{budget}, 4 * 1024 * 1024, '/healthz: the budget, 4m');

my (@pubs, @procs);
my ($p0, $proc0, $sid0) = publisher(room => 'mem', identity => 'pub0',
                                    ssrc => 0x10000, rate => 20);
is($p0->error, undef, 'pub0 joined, publishing');
push @pubs, $p0;
push @procs, $proc0;

$m = media_until(sub { ($_[0]{memory}{used} // 0) >= 512 * $SLOT }, 10 * $tf);
is($m->{memory}{used}, 512 * $SLOT,
   'pub0: its 512-packet history charged (770 KB)');

# bob watches pub0 throughout
my ($bfile, $bfp) = cert();
my $bob = MeetPeer::Participant->join(port => test_var('TEST_NGINX_SERVER_PORT'),
    room => 'mem', identity => 'bob', fingerprint => $bfp, recv_video => 1,
    timeout => 5 * $tf);
is($bob->error, undef, 'bob joined');
my $bslot = ($sid0 && $bob->slot_of($sid0)) || {};
my $bproc = MeetPeer::Proc->spawn($bin, 'subscribe',
    $bob->peer_args(cert => $bfile), '--rtx-pt', $bslot->{rtx_pt} // 97,
    '--connect-timeout', 5 * $tf, '--duration', 120 * $tf,
    '--idle', 3 * $tf);
ok($bproc->wait_line(qr/^dtls ok/, 10 * $tf), 'bob: ICE and DTLS done');

my $log_from = error_log_size();
my ($refused, $joined);
for my $i (1 .. 9) {
    my $before = media();
    my ($p, $proc) = publisher(room => 'mem', identity => "pub$i",
                               ssrc => 0x10000 + $i, rate => 20);
    push @pubs, $p;
    if ($p->error) {
        $refused = $p->error;
        $joined = $i;
        last;
    }
    push @procs, $proc if $proc;
    # its first packets: charged, or refused
    media_until(sub {
        ($_[0]{memory}{used} // 0) >= ($before->{memory}{used} // 0) + 512 * $SLOT
        || ($_[0]{memory_refused} // 0) > ($before->{memory_refused} // 0)
    }, 10 * $tf);
}

ok(defined $refused, 'a join was refused once the budget was spent');
like($refused // '', qr/HTTP 503/, '... with 503');
like($refused // '', qr/node has exceeded its configured limit/,
     '... and livekit-server\'s reason');
# 4 MB: 5 histories of 770 KB fit, the 6th is refused, the 7th join too
ok(defined $joined && $joined >= 5 && $joined <= 6,
   'publishers joined before the refusal: ' . ($joined // 'all'));

$m = media();
ok($m->{memory}{full}, '/healthz: memory.full');
cmp_ok($m->{memory}{used}, '<=', 4 * 1024 * 1024,
       '/healthz: used within the budget');
cmp_ok($m->{memory_refused}, '>=', 1,
       '/healthz: memory_refused counts the track without history');
cmp_ok($m->{memory}{refused}, '>=', 1, '/healthz: memory.refused');

my $log = error_log_text($log_from) // '';
like($log, qr/meet rtp: SSRC \d+ \(\d+ packets a second\): no NACK history, not even 512 packets, meet_media_memory is spent/,
     'log: the track refused its history, and why');
like($log, qr/meet signal: refused a participant, the media memory of this worker is spent/,
     'log: the participant refused, and why');
my @lines = $log =~ /no NACK history/g;
cmp_ok(scalar(@lines), '<=', 1, 'log: one line for the track, not per packet');

# those in keep their media: bob got pub0's stream all along
sleep 1;
my @done = map { $_->finish(10 * $tf, term => 1) } @procs;
my $b = $bproc->finish(20 * $tf);
is($b->{status}, 0, 'bob: done') or diag($b->{stderr});
my $sent0 = $done[0]{result}{sent_rtp} // 0;
cmp_ok($sent0, '>=', 20, "pub0 sent $sent0 packets");
is($b->{result}{stamp_max}, $sent0 - 1,
   'bob got pub0\'s media up to its last packet, after the refusal');
is($b->{result}{lost}, 0, 'bob: no loss');

# all leave: the budget back to 0, a join works again
$_->close for @pubs, $bob;
$m = media_until(sub { defined $_[0]{memory}{used}
                       && $_[0]{memory}{used} == 0 }, 10 * $tf);
is($m->{memory}{used}, 0, '/healthz: all left, memory used 0');
ok(!$m->{memory}{full}, '/healthz: not full');

my ($again) = publisher(room => 'mem', identity => 'again',
                        ssrc => 0x20000, rate => 20, count => 10);
is($again->error, undef, 'a join works again');
$again->close;

stop_nginx();

# --- part 2: the history follows the rate -----------------------------------

start_nginx(MeetPeer::nginx_conf());

# a publisher that sends $count packets at $rate a second, to the end
sub stream {
    my ($who, $ssrc, $rate, $count) = @_;
    my ($p, $proc) = publisher(room => 'rate', identity => $who,
                               ssrc => $ssrc, rate => $rate, count => $count);
    is($p->error, undef, "$who: $count packets at $rate a second");
    my $r = $proc ? $proc->finish(30 * $tf) : { status => -1 };
    is($r->{status}, 0, "$who: sent its packets") or diag($r->{stderr});
    return $p;
}

my $slow = stream('slow', 0x30000, 20, 70);

$m = media();
is($m->{history_slots}, 64, '/healthz: its history holds 64 packets');
cmp_ok($m->{memory}{used}, '<=', 64 * $SLOT + 16384,
       '/healthz: ~96 KB of media memory (' . ($m->{memory}{used} // '?')
       . '), not 770 KB');

my $fast = stream('fast', 0x30001, 150, 450);

$m = media();
cmp_ok($m->{history_slots}, '>', 64 + 64,
       '/healthz: the faster stream\'s history grew ('
       . ($m->{history_slots} // '?') . ' slots in all)');
cmp_ok($m->{history_slots}, '<=', 64 + 512, '... up to 512 at most');
is($m->{memory}{used}, $m->{history_slots} * $SLOT,
   '/healthz: the memory used is the histories\'');

$_->close for $slow, $fast;
stop_nginx();
done_testing();
