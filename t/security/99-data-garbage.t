# Hostile data channel input from an authenticated participant: after its
# DTLS handshake a publisher (t/tools/meet_peer) sends DTLS application
# data that is no SCTP at all, then SCTP packets of random chunks (DATA,
# INIT, ABORT, RE-CONFIG, FORWARD TSN, ... with true or lying lengths,
# vtag 0 or random) under a valid CRC32c, between valid media.  The data
# channel stack (usrsctp on the event loop, ngx_meet_rtp_sctp.c) takes
# them as one association that never comes up: nothing crashes or hangs,
# no message reaches the signal module, the association is freed with
# the participant, and the media of this publisher and its subscriber
# goes on untouched.
use lib 't/lib', 't/tools';
use Test::Meet;
use MeetPeer;

my $e = MeetPeer::start(name => 'data');
my ($bin, $tf) = @$e{qw(bin tf)};
*media = \&MeetPeer::health;

my $x = MeetPeer::pair(%$e,
                       room => 'data', tf => $tf, duration => 40, idle => 3);
is($x->{error}, undef, 'a publisher with its track, a subscriber receiving');
my ($pub, $sub, $sproc) = @$x{qw(pub sub sproc)};

my $pproc = MeetPeer::Proc->spawn($bin, 'publish',
    $pub->peer_args(cert => $x->{cert}{pub}{file}),
    '--connect-timeout', 5 * $tf, '--rate', 100, '--size', 600,
    '--send', 'valid:30,data_junk:50,valid:10,data_sctp:300,valid:30',
    '--linger', 1, '--duration', 30 * $tf);

# while the publisher lingers: its association exists, nothing came of it
my $line = $pproc->wait_line(qr/^result/, 30 * $tf);
my $m = media();
my $d = $m->{data} || {};
is($d->{associations}, 1, 'one SCTP association: the publisher\'s')
    or diag(JSON::PP->new->canonical->encode($m));
is($d->{messages_in}, 0, 'no message reached the signal module');
is($d->{channels_opened}, 0, 'no channel opened');

my $p = $pproc->finish(30 * $tf);
is($p->{status}, 0, 'publisher: ran its plan') or diag($p->{stderr});
my $pr = $p->{result};
is($pr->{sent_data_junk}, 50, 'publisher: 50 records of junk');
is($pr->{sent_data_sctp}, 300, 'publisher: 300 SCTP packets of random chunks');
is($pr->{sent_rtp}, 70, 'publisher: 70 valid packets around them');

my $s = $sproc->finish(40 * $tf);
is($s->{status}, 0, 'subscriber: done') or diag($s->{stderr});
my $sr = $s->{result};
is($sr->{rx_rtp}, 70, 'subscriber: every valid packet, before and after');
is($sr->{lost}, 0, '... no gap');
is(media()->{sessions}, 2, 'both media sessions still there');

# the publisher leaves: its association goes with it
$pub->close;
my $gone;
for (1 .. 50) {
    $gone = (media()->{data}{associations} // -1) == 0 and last;
    select(undef, undef, undef, 0.1 * $tf);
}
ok($gone, 'the association was freed with the participant');
$sub->close;

stop_nginx();
done_testing();
