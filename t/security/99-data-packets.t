# LiveKit data messages (issue 11, the DataPacket part): what one
# participant sends on its data channels reaches the others only as
# livekit-server would relay it.  Before this change nothing read or checked
# them; a relay that copied packets as they came would let a participant
# speak as another (DataPacket.participant_identity and the UserPacket's
# sender fields are the client's), forge the room's active speakers, send
# when its token says canPublishData false, and pass garbage, broken UTF-8
# or oversized packets to every receiver's decoder.
#
# Now (ngx_meet_signal_data.c, lib/meet_lk_data.c): the sender fields are
# set from the participant, speaker packets are refused, a participant
# without canPublishData is refused (counted, a log line), malformed, non
# UTF-8, oversized (meet_signal_max_data_size) packets and destination
# lists longer than meet_signal_max_participants are dropped by reason;
# a retried reliable sequence and a repeated nonce are relayed once; a
# receiver whose channel is full loses the message (counted) while the
# others get it and the sender goes on.
#
# The data channels themselves are the media module's (SCTP, part A of the
# issue): here the test build's meet_signal_test_data location feeds
# messages in as if received and captures what would be sent.
use lib 't/lib';
use Test::Meet;
use Test::Meet::WebSocket;
use JSON::PP ();
use MIME::Base64 qw(decode_base64);

my $W = 'Test::Meet::WebSocket';
*pb_bytes = \&Test::Meet::WebSocket::pb_bytes;
*pb_varint = \&Test::Meet::WebSocket::pb_varint;
*pb_fields = \&Test::Meet::WebSocket::pb_fields;

start_nginx(http_config => <<'CONF');
    server {
        listen 127.0.0.1:$TEST_NGINX_PORT_1;
        location /rtc {
            meet_signal;
            meet_signal_max_data_size 2k;
            meet_signal_max_participants 6;
        }
        location = /data {
            meet_signal_test_data;
            client_body_buffer_size 64k;
        }
        meet_routes {
            = /healthz  health;
        }
    }
CONF

my $port = test_var('TEST_NGINX_PORT_1');
my $room = 'data1';

sub join_as {
    my ($identity, %video) = @_;
    my ($ws, $field) = $W->can('join')->(port => $port, identity => $identity,
                                         room => $room, video => \%video);
    is($field, 1, "$identity joins");
    return $ws;
}

# DataPacket{user = 2: UserPacket{participant_sid 1, payload 2, topic 4,
# participant_identity 5, destination_identities 6, nonce 11},
# participant_identity 4, destination_identities 5, sequence 16,
# participant_sid 17}, as a client could send it
sub user_packet {
    my (%a) = @_;
    my $up = pb_bytes(1, $a{claim_sid} // 'PA_forged')
           . pb_bytes(2, $a{payload})
           . (defined $a{topic} ? pb_bytes(4, $a{topic}) : '')
           . pb_bytes(5, $a{claim} // 'alice')
           . (defined $a{nonce} ? pb_bytes(11, $a{nonce}) : '');
    return pb_bytes(2, $up)
         . pb_bytes(4, $a{claim} // 'alice')
         . join('', map { pb_bytes(5, $_) } @{ $a{to} || [] })
         . ($a{seq} ? pb_varint(16 << 3) . pb_varint($a{seq}) : '')
         . pb_bytes(17, $a{claim_sid} // 'PA_forged');
}

sub inject {
    my ($from, $bytes, $kind) = @_;
    my $r = http_request(port => $port, method => 'POST',
                         path => "/data?room=$room&from=$from&kind="
                                 . ($kind // 'reliable'),
                         body => $bytes);
    return $r->{status};
}

sub server_send {
    my ($payload, %a) = @_;
    my $q = "room=$room&kind=reliable&topic=" . ($a{topic} // 'notice');
    $q .= "&to=$a{to}" if $a{to};
    return http_request(port => $port, method => 'POST', path => "/data?$q",
                        body => $payload)->{status};
}

# what went to $who since the last call: [{kind, fields => {n => [values]}}]
sub sent {
    my ($who) = @_;
    my $r = http_request(port => $port, path => "/data?room=$room&sent=$who");
    return undef unless $r->{status} == 200;
    my @out;
    for my $line (split /\n/, $r->{body}) {
        my $m = JSON::PP::decode_json($line);
        my %f;
        push @{ $f{$_->[0]} }, $_->[2] for pb_fields(decode_base64($m->{data}));
        push @out, { kind => $m->{kind}, fields => \%f };
    }
    return \@out;
}

sub user_of {
    my ($msg) = @_;
    my %u;
    push @{ $u{$_->[0]} }, $_->[2] for pb_fields($msg->{fields}{2}[0] // '');
    return \%u;
}

sub payloads {
    my ($msgs) = @_;
    return [ map { user_of($_)->{2}[0] } @$msgs ];
}

sub data_stats {
    my $r = http_request(port => $port, path => '/healthz');
    my $h = eval { JSON::PP::decode_json($r->{body}) } || {};
    return $h->{components}{signal}{data} || {};
}

my $alice = join_as('alice');
my $bob = join_as('bob');
my $carol = join_as('carol');
my $mute = join_as('mute', canPublishData => JSON::PP::false);

# --- the sender is who the server knows, not who the packet says --------

is(inject('bob', user_packet(payload => 'hi', topic => 'lk-chat-topic',
                             claim => 'alice', claim_sid => 'PA_alice')),
   204, 'bob sends a packet claiming to be alice');

my $got = sent('alice');
is(scalar @$got, 1, 'alice gets it');
is($got->[0]{fields}{4}[0], 'bob', 'DataPacket.participant_identity: bob');
like($got->[0]{fields}{17}[0], qr/^PA_\w+$/, 'DataPacket.participant_sid set');
isnt($got->[0]{fields}{17}[0], 'PA_alice', 'not the claimed sid');
my $u = user_of($got->[0]);
is($u->{5}[0], 'bob', 'UserPacket.participant_identity: bob');
is($u->{1}[0], $got->[0]{fields}{17}[0], 'UserPacket.participant_sid: his');
is($u->{2}[0], 'hi', 'payload');
is($u->{4}[0], 'lk-chat-topic', 'topic');
is($got->[0]{kind}, 0, 'on the reliable channel');
is(scalar @{ sent('carol') }, 1, 'carol gets it');
is(scalar @{ sent('bob') }, 0, 'the sender does not');

# lossy stays lossy
inject('bob', user_packet(payload => 'fast'), 'lossy');
$got = sent('carol');
is($got->[0]{kind}, 1, 'a lossy packet goes out on the lossy channel');
is($got->[0]{fields}{1}[0], 1, 'DataPacket.kind LOSSY');
sent($_) for qw(alice mute);

# --- to the named destinations only -------------------------------------

inject('alice', user_packet(payload => 'psst', to => ['carol']));
is_deeply(payloads(sent('carol')), ['psst'], 'carol, the destination');
is(scalar @{ sent('bob') }, 0, 'bob is not');
is(scalar @{ sent('mute') }, 0, 'nor the others');

# --- canPublishData false: never arrives ------------------------------------

my $off = error_log_size();
inject('mute', user_packet(payload => 'spam', claim => 'mute'));
is(scalar @{ sent($_) }, 0, "nothing from mute reaches $_")
    for qw(alice bob carol);
ok(wait_for_log(qr/data message from "mute" dropped: not_allowed/, 2, $off),
   'logged with the reason');

# --- forged active speakers, garbage, broken UTF-8, size, destinations ----

my @bad = (
    [ 'a speaker update (server only)',
      pb_bytes(3, pb_bytes(1, pb_bytes(1, 'PA_x') . pb_varint(3 << 3)
                                . pb_varint(1))) ],
    [ 'garbage', "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" ],
    [ 'a truncated field', "\x12\x7f\x01" ],
    [ 'a topic that is not UTF-8', user_packet(payload => 'x',
                                               topic => "caf\xc3") ],
    [ 'over meet_signal_max_data_size', user_packet(payload => 'x' x 3000) ],
    [ 'seven destinations (a room holds 6)',
      user_packet(payload => 'x', to => [ map { "p$_" } 1 .. 7 ]) ],
);
for my $b (@bad) {
    inject('alice', $b->[1]);
    is(scalar @{ sent('bob') }, 0, "$b->[0]: dropped");
}

# a reliable sequence is relayed once (a client's retry after a reconnect)
inject('alice', user_packet(payload => 's5', seq => 5));
inject('alice', user_packet(payload => 's5', seq => 5));
inject('alice', user_packet(payload => 's4', seq => 4));
inject('alice', user_packet(payload => 's6', seq => 6));
is_deeply(payloads(sent('bob')), ['s5', 's6'],
          'sequences 5, 5, 4, 6: 5 and 6 relayed');

# a nonce is relayed once per room
my $nonce = "\x01" x 16;
inject('alice', user_packet(payload => 'n1', nonce => $nonce));
inject('carol', user_packet(payload => 'n1', nonce => $nonce));
is_deeply(payloads(sent('bob')), ['n1'], 'a repeated nonce is dropped');
sent($_) for qw(alice carol mute);

# --- a receiver that does not read loses messages, nobody else ------------

http_request(port => $port, path => "/data?room=$room&full=bob&on=1");
inject('alice', user_packet(payload => "m$_")) for 1 .. 3;
is(scalar @{ sent('bob') }, 0, 'bob, full, gets nothing');
is_deeply(payloads(sent('carol')), [ map { "m$_" } 1 .. 3 ],
          'carol gets every message');
http_request(port => $port, path => "/data?room=$room&full=bob&on=0");
inject('alice', user_packet(payload => 'm4'));
is_deeply(payloads(sent('bob')), ['m4'], 'bob again once he reads');
sent($_) for qw(carol mute);

# --- a receiver whose reliable channel is not open yet (it just joined):
# reliable messages are held and go when it opens, in order, within
# 100,000 bytes (livekit-server's cMaxJoiningUnsequencedReliableBytes);
# lossy ones are lost ---------------------------------------------------

http_request(port => $port, path => "/data?room=$room&closed=bob&on=1");
inject('alice', user_packet(payload => "h$_")) for 1 .. 3;
inject('alice', user_packet(payload => 'gone'), 'lossy');
is(scalar @{ sent('bob') }, 0, 'bob, no channel yet, gets nothing yet');
is_deeply(payloads(sent('carol')), [ (map { "h$_" } 1 .. 3), 'gone' ],
          'carol gets them at once');
http_request(port => $port, path => "/data?room=$room&closed=bob&on=0");
is_deeply(payloads(sent('bob')), [ map { "h$_" } 1 .. 3 ],
          'his channel opens: the reliable ones, in order, not the lossy');
http_request(port => $port, path => "/data?room=$room&closed=bob&on=1");
inject('alice', user_packet(payload => 'y' x 1500)) for 1 .. 80;
http_request(port => $port, path => "/data?room=$room&closed=bob&on=0");
my $held = sent('bob');
ok(@$held >= 60 && @$held < 80,
   'no more than 100,000 bytes are held (' . scalar(@$held) . ' of 80 '
   . 'messages of 1.5 KB)');
sent($_) for qw(carol mute);

# --- a later participant gets new messages only ----------------------------

my $dave = join_as('dave');
is(scalar @{ sent('dave') }, 0, 'dave gets nothing of the past');
inject('alice', user_packet(payload => 'welcome'));
is_deeply(payloads(sent('dave')), ['welcome'], 'dave gets the next one');
sent($_) for qw(bob carol mute);

# --- the server's messages (RoomService SendData) ------------------------

is(server_send('{"type":"participantWaiting"}', topic => 'lobby', to => 'bob'),
   204, 'the server sends to bob');
$got = sent('bob');
is(scalar @$got, 1, 'bob gets it');
$u = user_of($got->[0]);
is($u->{2}[0], '{"type":"participantWaiting"}', 'its payload');
is($u->{4}[0], 'lobby', 'its topic');
ok(!defined $got->[0]{fields}{4} && !defined $u->{5},
   'no sender identity');
is(scalar @{ sent('alice') }, 0, 'alice does not');
server_send('all');
is_deeply(payloads(sent($_)), ['all'], "without destinations: $_")
    for qw(alice bob carol dave mute);

# --- the counters ---------------------------------------------------------

my $st = data_stats();
ok($st->{routed} >= 15, "routed: $st->{routed}");
ok($st->{routed_bytes} > 0, 'routed bytes');
ok($st->{received} >= 20, "received: $st->{received}");
my %want = (not_allowed => 1, server_only => 1, malformed => 2,
            bad_utf8 => 1, too_large => 1, too_many_destinations => 1,
            old_sequence => 2, duplicate => 1, receiver_full => 3);
is($st->{dropped}{$_}, $want{$_}, "dropped.$_: $want{$_}") for sort keys %want;

# everyone is still connected: a ping gets its pong
for my $p ([alice => $alice], [bob => $bob], [carol => $carol]) {
    $p->[1]->send_binary(Test::Meet::WebSocket::pb_ping(42));
    my $pong;
    for (1 .. 50) {
        my $f = $p->[1]->read_frame(2) or last;
        last if $f->{eof};
        my ($field) = Test::Meet::WebSocket::pb_first_field($f->{payload});
        if (defined $field && $field == 18) { $pong = 1; last }
    }
    ok($pong, "$p->[0] still connected");
}

$_->close_socket for $alice, $bob, $carol, $mute, $dave;

stop_nginx();
done_testing();
