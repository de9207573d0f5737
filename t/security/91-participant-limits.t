# Finding 4 of the hostile-client review: one participant disconnected its
# room.  Name, metadata and attributes had no size cap (attributes
# accumulated without bound); the ParticipantUpdate carrying them exceeded
# every other participant's send-queue cap and they were closed with 1008.
#
# Now LiveKit's limits hold (meet_signal_max_name_length 256,
# meet_signal_max_metadata_size 512k, meet_signal_max_attributes_size 64k,
# counted on the attributes the participant would have): an oversized
# update gets RequestResponse LIMIT_EXCEEDED with its request_id and
# changes nothing, one without canUpdateOwnMetadata NOT_ALLOWED; a good one
# reaches everyone, the sender too, and the sender gets RequestResponse OK
# (protocol 15+), what livekit-client's setName()/setMetadata() wait for.
# A token over the limits is refused at join with 400.  A message bigger
# than a receiver's whole queue cap reaches a receiver that reads.
use lib 't/lib';
use Test::Meet;
use Test::Meet::WebSocket;
use JSON::PP ();
use Time::HiRes qw(time);

my $W = 'Test::Meet::WebSocket';
my $TF = Test::Meet::Util::timeout_factor();

# a queue cap below the size of a legitimate update (meet_signal_max_queue
# 16k, metadata 40k): a receiver that reads must get it all the same
start_nginx(http_config => <<'CONF');
    large_client_header_buffers 4 32k;
    server {
        listen 127.0.0.1:$TEST_NGINX_PORT_1 sndbuf=4k;
        location /rtc {
            meet_signal;
            meet_signal_max_queue 16k;
        }
        location /small/rtc {
            meet_signal;
            meet_signal_max_name_length 16;
            meet_signal_max_metadata_size 1k;
            meet_signal_max_attributes_size 1k;
            meet_signal_max_tracks 2;
            meet_signal_max_participants 2;
        }
    }
CONF

my $port = test_var('TEST_NGINX_PORT_1');
my $may = { canUpdateOwnMetadata => JSON::PP::true };

# the first SignalResponse the peer gets that passes $want (a sub on
# [field, value]); frames are kept in $seen when given
sub next_response {
    my ($ws, $want, $seen, $timeout) = @_;
    my $deadline = time + ($timeout // 5) * $TF;
    for (1 .. 1000) {
        my $left = $deadline - time;
        last if $left <= 0;
        my $f = $ws->read_frame($left) or last;
        return undef if $f->{eof} || $f->{opcode} == 8;
        next unless $f->{opcode} == 2;
        my ($top) = Test::Meet::WebSocket::pb_fields($f->{payload});
        next unless $top;
        push @$seen, $top if $seen;
        return $top if $want->($top);
    }
    return undef;
}

# RequestResponse (SignalResponse 22): {request_id, reason, message}
sub request_response {
    my ($ws, $id) = @_;
    my $top = next_response($ws, sub {
        my $rr = rr_fields($_[0]);
        return $rr && $rr->{request_id} == $id;
    });
    return $top ? rr_fields($top) : undef;
}

sub rr_fields {
    my ($top) = @_;
    return undef unless $top->[0] == 22;
    my %rr = (request_id => 0, reason => 0, message => '');
    for my $f (Test::Meet::WebSocket::pb_fields($top->[2])) {
        $rr{request_id} = $f->[2] if $f->[0] == 1;
        $rr{reason} = $f->[2] if $f->[0] == 2;
        $rr{message} = $f->[2] if $f->[0] == 3;
        $rr{request} = $f->[0] if $f->[0] >= 4;
    }
    return \%rr;
}

# the ParticipantInfo of identity in a ParticipantUpdate (SignalResponse 5):
# {name, metadata, attributes => {...}}
sub info_of {
    my ($top, $identity) = @_;
    return undef unless $top->[0] == 5;
    for my $p (Test::Meet::WebSocket::pb_fields($top->[2])) {
        next unless $p->[0] == 1;
        my %i = (name => '', metadata => '', attributes => {});
        for my $f (Test::Meet::WebSocket::pb_fields($p->[2])) {
            $i{identity} = $f->[2] if $f->[0] == 2;
            $i{metadata} = $f->[2] if $f->[0] == 5;
            $i{name} = $f->[2] if $f->[0] == 9;
            if ($f->[0] == 15) {
                my %e = map { $_->[0] => $_->[2] }
                        Test::Meet::WebSocket::pb_fields($f->[2]);
                $i{attributes}{ $e{1} // '' } = $e{2} // '';
            }
        }
        return \%i if ($i{identity} // '') eq $identity;
    }
    return undef;
}

sub update_about {
    my ($ws, $identity, $pred, $seen) = @_;
    my $top = next_response($ws, sub {
        my $i = info_of($_[0], $identity);
        return $i && $pred->($i);
    }, $seen);
    return $top ? info_of($top, $identity) : undef;
}

# a message of any size: fragments of at most 200k (meet_signal_max_frame
# is 256k)
sub send_message {
    my ($ws, $bytes) = @_;
    my @parts = unpack('(a200000)*', $bytes);
    for my $i (0 .. $#parts) {
        $ws->send_frame(opcode => $i == 0 ? 2 : 0, fin => $i == $#parts,
                        payload => $parts[$i]);
    }
}

my ($alice, $af) = $W->can('join')->(port => $port, identity => 'alice',
    room => 'r1', video => $may, protocol => 16);
my ($bob, $bf) = $W->can('join')->(port => $port, identity => 'bob',
    room => 'r1');
is($af, 1, 'alice joined');
is($bf, 1, 'bob joined');

# --- oversized updates: LIMIT_EXCEEDED, nothing changes --------------------

my $long = 'n' x 257;
$alice->send_binary(Test::Meet::WebSocket::pb_update_metadata(
    name => $long, request_id => 1));
my $rr = request_response($alice, 1);
is($rr && $rr->{reason}, 3, 'a 257-byte name: RequestResponse LIMIT_EXCEEDED '
                            . 'with the request_id');
is($rr && $rr->{message}, 'exceeds name length limit', '... and the reason');
is($rr && $rr->{request}, 7, '... naming the update_metadata request');

send_message($alice, Test::Meet::WebSocket::pb_update_metadata(
    metadata => 'm' x (512 * 1024 + 1), request_id => 2));
$rr = request_response($alice, 2);
is($rr && $rr->{reason}, 3, 'metadata of 512k + 1: LIMIT_EXCEEDED');
is($rr && $rr->{message}, 'exceeds metadata size limit', '... and the reason');

# attributes accumulate: each update is small, their sum is not
$alice->send_binary(Test::Meet::WebSocket::pb_update_metadata(
    attributes => { a1 => 'x' x 40000 }, request_id => 3));
$rr = request_response($alice, 3);
is($rr && $rr->{reason}, 0, 'a 40k attribute: RequestResponse OK');
$alice->send_binary(Test::Meet::WebSocket::pb_update_metadata(
    attributes => { a2 => 'y' x 30000 }, request_id => 4));
$rr = request_response($alice, 4);
is($rr && $rr->{reason}, 3, 'another 30k attribute (70k in all, over 64k): '
                            . 'LIMIT_EXCEEDED');
is($rr && $rr->{message}, 'exceeds attributes size limit', '... and the reason');

# --- a good update: everyone gets it, the sender too, then OK --------------

# 40k of metadata: more than bob's whole queue cap (16k)
my $meta = 'M' x 40000;
$alice->send_binary(Test::Meet::WebSocket::pb_update_metadata(
    name => 'Alice', metadata => $meta, request_id => 5));
my @alice_seen;
my $echo = update_about($alice, 'alice', sub { $_[0]{name} eq 'Alice' },
                        \@alice_seen);
ok($echo && $echo->{metadata} eq $meta,
   'the sender gets its own ParticipantUpdate (livekit-client resolves on it)');
$rr = request_response($alice, 5);
is($rr && $rr->{reason}, 0, '... and RequestResponse OK with its request_id');

my @bob_seen;
my $seen = update_about($bob, 'alice', sub { $_[0]{name} eq 'Alice' },
                        \@bob_seen);
ok($seen, 'bob, whose queue cap is smaller than the update, gets it');
is($seen && length $seen->{metadata}, 40000, '... whole');
is($seen && join(',', sort keys %{ $seen->{attributes} }), 'a1',
   '... with the attribute that fitted and not the refused one');
ok(!grep({ my $i = info_of($_, 'alice');
           $i && ($i->{name} eq $long || length $i->{metadata} > 40000) }
         @bob_seen),
   'no refused value ever reached bob');
unlike(error_log_text(), qr/"bob" does not read its messages/,
       'bob was not blamed for the size of the update');

# bob is still there
$bob->send_binary(Test::Meet::WebSocket::pb_ping(7));
my $pong = next_response($bob, sub { $_[0][0] == 18 });
is($pong && $pong->[2], 7, 'bob still gets his pong');

# --- updates faster than a receiver reads: the newest replaces the queued
# one, the receiver is not closed ----------------------------------------

my ($dave, $df) = $W->can('join')->(port => $port, identity => 'dave',
    room => 'r1', connect => { rcvbuf => 4096 });
is($df, 1, 'dave joined (a small receive buffer, reading nothing for now)');
for my $i (1 .. 10) {
    $alice->send_binary(Test::Meet::WebSocket::pb_update_metadata(
        metadata => "U$i:" . ('x' x 40000), request_id => 100 + $i));
}
$rr = request_response($alice, 110);
is($rr && $rr->{reason}, 0, 'alice made 10 updates of 40k (400k, the '
                            . 'receivers\' caps are 16k)');
my $last = update_about($dave, 'alice', sub { $_[0]{metadata} =~ /^U10:/ });
ok($last, 'dave, reading now, gets the newest update');
$dave->send_binary(Test::Meet::WebSocket::pb_ping(8));
$pong = next_response($dave, sub { $_[0][0] == 18 });
is($pong && $pong->[2], 8, '... and stays connected');
unlike(error_log_text(), qr/"dave" does not read its messages/,
       '... not blamed for the updates that came faster than he read');

# --- without canUpdateOwnMetadata: NOT_ALLOWED ----------------------------

my ($carol, $cf) = $W->can('join')->(port => $port, identity => 'carol',
    room => 'r1', protocol => 16);
is($cf, 1, 'carol joined (no canUpdateOwnMetadata)');
$carol->send_binary(Test::Meet::WebSocket::pb_update_metadata(
    name => 'Mallory', request_id => 9));
$rr = request_response($carol, 9);
is($rr && $rr->{reason}, 2, 'her update: RequestResponse NOT_ALLOWED');
is($rr && $rr->{message}, 'does not have permission to update own metadata',
   '... with LiveKit\'s message');

# --- tokens over the limits are refused at join, and by validate -----------

for my $case (
    [name => { name => 'n' x 17 }, 'name length exceeds limits'],
    [metadata => { metadata => 'm' x 1025 }, 'metadata size exceeds limits'],
    [attributes => { attributes => { k => 'v' x 1024 } },
     'attribute size exceeds limits'],
) {
    my ($what, $claims, $reason) = @$case;
    my $tok = Test::Meet::WebSocket::token(identity => "big-$what",
        room => 'r2', claims => $claims);
    my $ws = $W->connect(port => $port, path => "/small/rtc/v1?access_token="
        . "$tok&join_request=" . Test::Meet::WebSocket::join_request_arg());
    is($ws->{status}, 400, "a token whose $what is over the limit: 400");
    is($ws->{response} && $ws->{response}{body}, $reason, "... \"$reason\"");
}
my ($ok, $okf) = $W->can('join')->(port => $port, identity => 'fits',
    room => 'r2', path => '/small/rtc',
    claims => { name => 'n' x 16, metadata => 'm' x 1024,
                attributes => { k => 'v' x 1023 } });
is($okf, 1, 'a token exactly at the limits joins');

ok(wait_for_log(qr/refused metadata update 1: exceeds name length limit/, 1),
   'the refusals are logged with the request id');

# --- tracks per participant (meet_signal_max_tracks 2): the third
# AddTrackRequest gets RequestResponse LIMIT_EXCEEDED naming it (field 5),
# as livekit-server answers a publisher over its limits ---------------------

for my $i (1 .. 3) {
    my $add = Test::Meet::WebSocket::pb_bytes(1, "cid-$i")
            . Test::Meet::WebSocket::pb_bytes(2, "track $i")
            . Test::Meet::WebSocket::pb_varint((3 << 3) | 0)
            . Test::Meet::WebSocket::pb_varint($i == 1 ? 0 : 1);
    $ok->send_binary(Test::Meet::WebSocket::pb_bytes(4, $add));
    my $top = next_response($ok, sub { $_[0][0] == 6 || $_[0][0] == 22 });
    if ($i <= 2) {
        is($top && $top->[0], 6, "track $i of 2: TrackPublishedResponse");
    } else {
        my $rr = $top && rr_fields($top);
        is($rr && $rr->{reason}, 3, 'track 3 of 2: RequestResponse '
           . 'LIMIT_EXCEEDED');
        is($rr && $rr->{request}, 5, '... naming the AddTrackRequest');
    }
}
ok(wait_for_log(qr/has 2 tracks already \(meet_signal_max_tracks\)/, 1),
   'the refused track is logged');

# --- participants per room (meet_signal_max_participants 2) ---------------

my ($p2, $p2f) = $W->can('join')->(port => $port, identity => 'second',
    room => 'r2', path => '/small/rtc');
is($p2f, 1, 'a second participant joins a room of 2');
my $tok = Test::Meet::WebSocket::token(identity => 'third', room => 'r2');
my $third = $W->connect(port => $port, path => "/small/rtc/v1?access_token="
    . "$tok&join_request=" . Test::Meet::WebSocket::join_request_arg());
is($third->{status}, 403, 'a third is refused: 403');
like($third->{response} && $third->{response}{body}, qr/room is full/,
     '... "room is full"');

stop_nginx();
done_testing();
