package MeetPeer;

# The signaling half of a synthetic participant, for t/media tests and
# bench/run-peer.sh: LiveKit joins over WebSocket (Test::Meet::WebSocket)
# with an SDP offer written here to agree with what t/tools/meet_peer is
# told on its command line, track publication (add_track, then a re-offer
# whose sending section names the track's cid), the answer's ICE, DTLS
# and SSRC parameters; and the meet_peer processes themselves.
#
#   my $bin = MeetPeer::build($repo);              scripts/build-tools.sh
#   my $fp  = MeetPeer::new_cert($bin, $file);     our DTLS identity
#   my $p   = MeetPeer::Participant->join(port => $http_port,
#                 room => 'r', identity => 'alice', fingerprint => $fp,
#                 publish => { ssrc => 1234, pt => 96 }, # or recv_video => 1
#             );
#   $p->publish                      add_track + re-offer; the track's sid
#   my @args = $p->peer_args(cert => $file);      flags for meet_peer
#   my $proc = MeetPeer::Proc->spawn($bin, 'publish', @args, '--send', ...);
#   $proc->wait_line(qr/^dtls ok/, 5);  my $r = $proc->finish(10);
#   $proc->latest(qr/^progress/)     the last such line so far
#   $r->{status}, $r->{result}{rx_rtp}, $r->{stderr}
#   start_nginx(MeetPeer::nginx_conf(stream => '...', main => '...'));
#   my $m = MeetPeer::health();      /healthz's components.media
#
#   my $e = MeetPeer::start(name => 'data');   meet_peer built, a temp
#   dir, nginx with /rtc, /healthz and a UDP meet_rtp server: {bin, dir,
#   tf, port}, or a failed test and exit
#   my $bin = MeetPeer::built();    meet_peer, or a failed test and exit
#
#   my $x = MeetPeer::pair(bin => $bin, dir => $dir, port => $http_port,
#                          room => 'r', tf => $tf);
#   a publisher with its track and a subscriber whose meet_peer runs
#   (--duration): $x->{pub}, $x->{sub}, $x->{sid}, $x->{cert}{pub|sub},
#   $x->{sproc}; $x->{error} says which step failed
#
# Every wait is bounded; everything talks to 127.0.0.1 only.  The caller
# needs t/lib in @INC (Test::Meet::WebSocket).

use strict;
use warnings;
use IO::Select;
use POSIX ();
use Time::HiRes qw(time sleep);
use File::Temp ();
use JSON::PP ();
use Test::More ();
use Test::Meet ();
use Test::Meet::Util ();
use Test::Meet::WebSocket;

# start_nginx()'s arguments for a media test: /rtc and /healthz, meet_rtp
# on UDP port 1 with the lines of stream => in its server, the lines of
# main => in the main context
sub nginx_conf {
    my (%a) = @_;
    return (
        config => "    location /rtc { meet_signal; meet_signal_ping_timeout 300s; }\n"
                . "    location = /healthz { meet_health; }\n",
        stream_config => "    server {\n"
                . "        listen 127.0.0.1:\$TEST_NGINX_UDP_PORT_1 udp;\n"
                . "        meet_rtp;\n"
                . ($a{stream} // '')
                . "    }\n",
        (defined $a{main} ? (main_config => $a{main}) : ()));
}

# /healthz's media component (components.media), {} without one
sub health {
    my $r = Test::Meet::http_request(path => '/healthz', timeout => 5);
    my $h = eval { JSON::PP::decode_json($r->{body} // '') } || {};
    return $h->{components}{media} || {};
}

sub build {
    my ($repo) = @_;
    my $out = `bash '$repo/scripts/build-tools.sh' 2>&1`;
    die "scripts/build-tools.sh failed:\n$out" if $?;
    return "$repo/build/tools/meet_peer";
}

# a new certificate and key in $file; its sha-256 fingerprint
sub new_cert {
    my ($bin, $file) = @_;
    my $out = `'$bin' cert '$file' 2>&1`;
    die "meet_peer cert $file: $out" if $? || $out !~ /^sha-256 (\S+)/m;
    return $1;
}

# meet_peer, built; else a failed test, and the test file ends
sub built {
    my $bin = eval { build(Test::Meet::test_var('TEST_NGINX_REPO')) };
    return $bin if $bin;
    Test::More::fail('meet_peer builds');
    Test::More::diag($@);
    Test::More::done_testing();
    exit;
}

sub start {
    my (%a) = @_;
    my $bin = built();
    my $dir = File::Temp::tempdir("meet-$a{name}-XXXXXX", TMPDIR => 1,
                                  CLEANUP => 1);

    Test::Meet::start_nginx(nginx_conf(stream => $a{stream}));

    return { bin => $bin, dir => $dir,
             tf => Test::Meet::Util::timeout_factor(),
             port => Test::Meet::test_var('TEST_NGINX_SERVER_PORT') };
}

sub pair {
    my (%a) = @_;
    my $tf = $a{tf} || 1;
    my %x = (cert => {});

    for my $who (qw(pub sub)) {
        my $file = "$a{dir}/$who.pem";
        $x{cert}{$who} = { file => $file, fp => new_cert($a{bin}, $file) };
    }

    $x{pub} = MeetPeer::Participant->join(port => $a{port}, room => $a{room},
        identity => 'pub', fingerprint => $x{cert}{pub}{fp},
        publish => { ssrc => 0x1234abcd, pt => 96 }, timeout => 5 * $tf);
    return { %x, error => 'publisher join: ' . $x{pub}->error }
        if $x{pub}->error;

    $x{sid} = $x{pub}->publish(timeout => 5 * $tf);
    return { %x, error => 'no track published' }
        unless ($x{sid} // '') =~ /^TR_/;

    $x{sub} = MeetPeer::Participant->join(port => $a{port}, room => $a{room},
        identity => 'sub', fingerprint => $x{cert}{sub}{fp},
        recv_audio => 1, recv_video => 1, timeout => 5 * $tf);
    return { %x, error => 'subscriber join: ' . $x{sub}->error }
        if $x{sub}->error;

    $x{sproc} = MeetPeer::Proc->spawn($a{bin}, 'subscribe',
        $x{sub}->peer_args(cert => $x{cert}{sub}{file}),
        '--connect-timeout', 5 * $tf, '--duration', ($a{duration} // 20) * $tf,
        '--idle', ($a{idle} // 2) * $tf);
    my $line = $x{sproc}->wait_line(qr/^dtls ok/, 10 * $tf);
    return { %x, error => 'subscriber: no ICE and DTLS' }
        unless ($line // '') =~ /^dtls ok/;

    return \%x;
}

sub random_string {
    my ($n) = @_;
    my @c = ('a' .. 'z', 'A' .. 'Z', 0 .. 9);
    return join '', map { $c[int rand @c] } 1 .. $n;
}

sub uuid {
    my $h = join '', map { sprintf '%02x', int rand 256 } 1 .. 16;
    return join '-', substr($h, 0, 8), substr($h, 8, 4), substr($h, 12, 4),
                     substr($h, 16, 4), substr($h, 20);
}

# One offer, every section bundled on one transport:
#   publish => { ssrc, pt, cid, stream }   a sendonly VP8 section
#   recv_audio => n, recv_video => n       recvonly slots (Opus, VP8 96)
sub offer_sdp {
    my (%a) = @_;
    my @m;
    my $common = sub {
        my ($mid) = @_;
        return "c=IN IP4 0.0.0.0\r\n"
             . "a=rtcp:9 IN IP4 0.0.0.0\r\n"
             . "a=ice-ufrag:$a{ufrag}\r\n"
             . "a=ice-pwd:$a{pwd}\r\n"
             . "a=ice-options:trickle\r\n"
             . "a=fingerprint:sha-256 $a{fingerprint}\r\n"
             . "a=setup:actpass\r\n"
             . "a=mid:$mid\r\n"
             . "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n";
    };
    my $vp8 = sub {
        my ($pt) = @_;
        my $rtx = $pt + 1;
        return "a=rtcp-mux\r\na=rtcp-rsize\r\n"
             . "a=rtpmap:$pt VP8/90000\r\n"
             . "a=rtcp-fb:$pt ccm fir\r\n"
             . "a=rtcp-fb:$pt nack\r\n"
             . "a=rtcp-fb:$pt nack pli\r\n"
             . "a=rtpmap:$rtx rtx/90000\r\n"
             . "a=fmtp:$rtx apt=$pt\r\n";
    };

    my $mid = 0;
    for (1 .. ($a{recv_audio} // 0)) {
        push @m, [$mid, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                        . $common->($mid) . "a=recvonly\r\n"
                        . "a=rtcp-mux\r\na=rtcp-rsize\r\n"
                        . "a=rtpmap:111 opus/48000/2\r\n"
                        . "a=fmtp:111 minptime=10;useinbandfec=1\r\n"];
        $mid++;
    }
    for (1 .. ($a{recv_video} // 0)) {
        push @m, [$mid, "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n"
                        . $common->($mid) . "a=recvonly\r\n" . $vp8->(96)];
        $mid++;
    }
    if (my $p = $a{publish}) {
        my $pt = $p->{pt} // 96;
        my $msid = "$p->{stream} $p->{cid}";
        push @m, [$mid, "m=video 9 UDP/TLS/RTP/SAVPF $pt " . ($pt + 1) . "\r\n"
                        . $common->($mid) . "a=sendonly\r\n"
                        . "a=msid:$msid\r\n" . $vp8->($pt)
                        . "a=ssrc:$p->{ssrc} cname:meetpeer\r\n"
                        . "a=ssrc:$p->{ssrc} msid:$msid\r\n"];
        $p->{mid} = $mid;
        $mid++;
    }

    return "v=0\r\n"
         . "o=- " . int(rand(1e15)) . " 2 IN IP4 127.0.0.1\r\n"
         . "s=-\r\nt=0 0\r\n"
         . "a=group:BUNDLE " . join(' ', map { $_->[0] } @m) . "\r\n"
         . "a=msid-semantic: WMS\r\n"
         . join('', map { $_->[1] } @m);
}

# --- protobuf: the few LiveKit requests this needs ---------------------

sub _pb_varint_field {
    my ($field, $v) = @_;
    return Test::Meet::WebSocket::pb_varint($field << 3)
         . Test::Meet::WebSocket::pb_varint($v);
}

# SignalRequest{add_track: AddTrackRequest{cid, name, type VIDEO,
# width, height, source CAMERA}}
sub pb_add_track {
    my ($cid) = @_;
    my $req = Test::Meet::WebSocket::pb_bytes(1, $cid)
            . Test::Meet::WebSocket::pb_bytes(2, 'camera')
            . _pb_varint_field(3, 1) . _pb_varint_field(4, 640)
            . _pb_varint_field(5, 480) . _pb_varint_field(8, 1);
    return Test::Meet::WebSocket::pb_bytes(4, $req);
}

# SignalRequest{offer: SessionDescription{type, sdp, id}}
sub pb_offer {
    my ($sdp, $id) = @_;
    return Test::Meet::WebSocket::pb_bytes(1,
        Test::Meet::WebSocket::pb_bytes(1, 'offer')
        . Test::Meet::WebSocket::pb_bytes(2, $sdp) . _pb_varint_field(3, $id));
}

# the parameters an answer gives a peer, per m= section too
sub parse_answer {
    my ($sdp) = @_;
    my %a = (sdp => $sdp);
    ($a{ufrag}) = $sdp =~ /^a=ice-ufrag:(\S+)/m;
    ($a{pwd}) = $sdp =~ /^a=ice-pwd:(\S+)/m;
    ($a{fingerprint}) = $sdp =~ /^a=fingerprint:sha-256 (\S+)/m;
    ($a{ip}, $a{port}) =
        $sdp =~ /^a=candidate:\S+ 1 udp \d+ (\S+) (\d+) typ host/m;
    $a{ice_lite} = $sdp =~ /^a=ice-lite\r?$/m ? 1 : 0;
    for my $sec (split /(?=^m=)/m, $sdp) {
        next unless $sec =~ /^m=(\w+) (\d+) \S+ ([\d ]+)/;
        my %s = (kind => $1, port => $2, pts => [split ' ', $3]);
        ($s{mid}) = $sec =~ /^a=mid:(\S+)/m;
        ($s{direction}) = $sec =~ /^a=(sendonly|recvonly|sendrecv|inactive)\r?$/m;
        ($s{ssrc}) = $sec =~ /^a=ssrc:(\d+)/m;
        ($s{rtx_pt}) = $sec =~ /^a=rtpmap:(\d+) rtx\//m;
        ($s{msid}) = $sec =~ /^a=msid:(.+?)\r?$/m;
        $a{media}{ $s{mid} } = \%s if defined $s{mid};
    }
    return \%a;
}

# --- a participant's signaling connection ------------------------------

package MeetPeer::Participant;

use Time::HiRes qw(time);

# join(port, room, identity, fingerprint, publish => {...} | recv_* => n,
#      timeout => 5, ufrag/pwd (default random))
sub join {
    my ($class, %a) = @_;
    my $timeout = $a{timeout} // 5;
    my $self = bless { %a, messages => [], next_id => 1 }, $class;
    $self->{ufrag} //= MeetPeer::random_string(8);
    $self->{pwd} //= MeetPeer::random_string(24);
    if (my $p = $self->{publish}) {
        $p->{cid} //= MeetPeer::uuid();
        $p->{stream} //= MeetPeer::uuid();
        $p->{pt} //= 96;
    }
    $self->{offer} = MeetPeer::offer_sdp(
        ufrag => $self->{ufrag}, pwd => $self->{pwd},
        fingerprint => $a{fingerprint}, publish => $self->{publish},
        recv_audio => $a{recv_audio}, recv_video => $a{recv_video});

    my $tok = Test::Meet::WebSocket::token(identity => $a{identity},
                                           room => $a{room});
    $self->{ws} = Test::Meet::WebSocket->connect(
        port => $a{port}, timeout => $timeout,
        path => "/rtc/v1?access_token=$tok&join_request="
                . Test::Meet::WebSocket::join_request_with_offer(
                      $self->{offer}, $self->{next_id}));
    if (($self->{ws}{status} // 0) != 101) {
        $self->{error} = "join of $a{identity}: HTTP "
            . ($self->{ws}{status} // 0) . " "
            . ($self->{ws}{error} // $self->{ws}{response}{body} // '');
        return $self;
    }
    $self->_answer($self->{next_id}++, $timeout);
    return $self;
}

sub error { $_[0]{error} }

# the next SignalResponse: [field, payload], or undef on timeout / EOF
sub next_message {
    my ($self, $timeout) = @_;
    my $deadline = time + $timeout;
    while (time < $deadline) {
        my $f = $self->{ws}->read_frame($deadline - time) or return undef;
        return undef if $f->{eof};
        next unless $f->{opcode} == 2;
        my ($field) = Test::Meet::WebSocket::pb_first_field($f->{payload});
        my $m = [$field // 0, $f->{payload}];
        push @{ $self->{messages} }, $m;
        return $m;
    }
    return undef;
}

# waits for a message of a field number that passes $pred (on the value
# of that field); the value, or undef
sub wait_for {
    my ($self, $field, $pred, $timeout) = @_;
    my $deadline = time + ($timeout // 5);
    while (time < $deadline) {
        my $m = $self->next_message($deadline - time) or return undef;
        next unless $m->[0] == $field;
        for my $f (Test::Meet::WebSocket::pb_fields($m->[1])) {
            return $f->[2] if $f->[0] == $field && (!$pred || $pred->($f->[2]));
        }
    }
    return undef;
}

sub _answer {
    my ($self, $id, $timeout) = @_;
    my $sd = $self->wait_for(2, sub {
        my %f = map { $_->[0] => $_->[2] }
                Test::Meet::WebSocket::pb_fields($_[0]);
        return ($f{3} // 0) == $id;
    }, $timeout);
    if (!defined $sd) {
        $self->{error} = "no answer to offer $id of $self->{identity}";
        return undef;
    }
    my %f = map { $_->[0] => $_->[2] } Test::Meet::WebSocket::pb_fields($sd);
    $self->{answer} = MeetPeer::parse_answer($f{2} // '');
    return $self->{answer};
}

sub answer { $_[0]{answer} }

# add_track, wait for track_published, re-offer: the track's sid
sub publish {
    my ($self, %a) = @_;
    my $timeout = $a{timeout} // 5;
    my $p = $self->{publish} or die "not a publisher";
    $self->{ws}->send_binary(MeetPeer::pb_add_track($p->{cid}));
    my $tp = $self->wait_for(6, sub {
        my %f = map { $_->[0] => $_->[2] }
                Test::Meet::WebSocket::pb_fields($_[0]);
        return ($f{1} // '') eq $p->{cid};
    }, $timeout);
    if (!defined $tp) {
        $self->{error} = "no track_published for $p->{cid}";
        return undef;
    }
    my %f = map { $_->[0] => $_->[2] } Test::Meet::WebSocket::pb_fields($tp);
    my %t = map { $_->[0] => $_->[2] }
            Test::Meet::WebSocket::pb_fields($f{2} // '');
    $p->{sid} = $t{1};
    my $id = $self->{next_id}++;
    $self->{ws}->send_binary(MeetPeer::pb_offer($self->{offer}, $id));
    $self->_answer($id, $timeout) or return undef;
    return $p->{sid};
}

# the answer section that carries a track ("TR_..." in its msid)
sub slot_of {
    my ($self, $sid) = @_;
    for my $s (values %{ $self->{answer}{media} || {} }) {
        return $s if ($s->{msid} // '') =~ /\Q$sid\E/;
    }
    return undef;
}

# reads what the server sent meanwhile (updates ...), without waiting
sub drain {
    my ($self) = @_;
    1 while $self->next_message(0.01);
}

# meet_peer's flags for this participant: server, credentials, certificate
sub peer_args {
    my ($self, %a) = @_;
    my $ans = $self->{answer} || {};
    my @args = ('--server', "$ans->{ip}:$ans->{port}",
                '--server-ufrag', $ans->{ufrag}, '--server-pwd', $ans->{pwd},
                '--local-ufrag', $self->{ufrag}, '--local-pwd', $self->{pwd},
                '--fingerprint', $a{server_fingerprint} // $ans->{fingerprint},
                '--cert', $a{cert});
    if (my $p = $self->{publish}) {
        push @args, '--ssrc', $p->{ssrc}, '--pt', $p->{pt};
    }
    return @args;
}

sub close {
    my ($self) = @_;
    return unless $self->{ws} && $self->{ws}{sock};
    $self->{ws}->send_frame(opcode => 8, payload => pack('n', 1000));
    $self->{ws}->wait_close(2);
    $self->{ws}->close_socket;
}

# --- a meet_peer process --------------------------------------------------

package MeetPeer::Proc;

use File::Temp ();
use IO::Select;
use POSIX ();
use Time::HiRes qw(time sleep);

# spawn($bin, @args): stdout read through a pipe, stderr into a file
# (stderr => $file, default a temporary one); cpus => '1' runs it under
# taskset -c
sub spawn {
    my ($class, $bin, @args) = @_;
    my %o = ref $args[-1] eq 'HASH' ? %{ pop @args } : ();
    my $err = $o{stderr};
    if (!defined $err) {
        (my $fh, $err) = File::Temp::tempfile('meet_peer_XXXXXX', TMPDIR => 1);
        close $fh;
    }
    my @cmd = ($bin, @args);
    unshift @cmd, 'taskset', '-c', $o{cpus} if defined $o{cpus};
    pipe(my $r, my $w) or die "pipe: $!";
    my $pid = fork();
    die "fork: $!" unless defined $pid;
    if ($pid == 0) {
        close $r;
        open(STDOUT, '>&', $w) or POSIX::_exit(127);
        open(STDERR, '>', $err) or POSIX::_exit(127);
        exec(@cmd) or POSIX::_exit(127);
    }
    close $w;
    $r->blocking(0);
    return bless { pid => $pid, fh => $r, buf => '', lines => [],
                   stderr_file => $err, cmd => "@cmd" }, $class;
}

sub pid { $_[0]{pid} }

# reads what is there (waits up to $timeout for something); 0 at EOF
sub _read {
    my ($self, $timeout) = @_;
    return 0 if $self->{eof};
    my $sel = IO::Select->new($self->{fh});
    return 1 unless $sel->can_read($timeout);
    my $n = sysread($self->{fh}, $self->{buf}, 65536, length $self->{buf});
    return 1 if !defined $n && ($!{EAGAIN} || $!{EINTR});
    if (!$n) {
        $self->{eof} = 1;
        return 0;
    }
    while ($self->{buf} =~ s/^([^\n]*)\n//) {
        push @{ $self->{lines} }, $1;
    }
    return 1;
}

# the first output line matching $re (from the start), or undef
sub wait_line {
    my ($self, $re, $timeout) = @_;
    my $deadline = time + $timeout;
    my $i = 0;
    while (1) {
        for (; $i < @{ $self->{lines} }; $i++) {
            return $self->{lines}[$i] if $self->{lines}[$i] =~ $re;
        }
        my $left = $deadline - time;
        return undef if $left <= 0;
        $self->_read($left > 0.2 ? 0.2 : $left) or do {
            # EOF: the last lines are in
            for (; $i < @{ $self->{lines} }; $i++) {
                return $self->{lines}[$i] if $self->{lines}[$i] =~ $re;
            }
            return undef;
        };
    }
}

# the last output line so far matching $re (what came within $wait s
# read first), or undef
sub latest {
    my ($self, $re, $wait) = @_;
    my $deadline = time + ($wait // 0.1);
    while (1) {
        my $left = $deadline - time;
        last if $left <= 0;
        $self->_read($left) or last;
    }
    for my $l (reverse @{ $self->{lines} }) {
        return $l if $l =~ $re;
    }
    return undef;
}

# waits for the exit (SIGTERM, then SIGKILL, to this PID after
# $timeout): { status, signal, result => {k => v}, lines, stderr, killed }
sub finish {
    my ($self, $timeout, %o) = @_;
    kill 'TERM', $self->{pid} if $o{term} && !defined $self->{status};
    my $deadline = time + $timeout;
    my $killed;
    while (!defined $self->{status}) {
        $self->_read(0.1);
        my $w = waitpid($self->{pid}, POSIX::WNOHANG());
        if ($w == $self->{pid}) {
            $self->{status} = $? >> 8;
            $self->{signal} = $? & 127;
            last;
        }
        if (time > $deadline) {
            if (!$killed) {
                kill 'TERM', $self->{pid};
                $killed = 1;
                $deadline = time + 2;
            } else {
                kill 'KILL', $self->{pid};
                waitpid($self->{pid}, 0);
                $self->{status} = -1;
            }
        }
    }
    1 while $self->_read(0.05);
    close $self->{fh};
    my %r;
    for my $l (@{ $self->{lines} }) {
        next unless $l =~ /^result /;
        %r = map { split /=/, $_, 2 } grep { /=/ } split ' ', $l;
    }
    my $err = '';
    if (open(my $fh, '<', $self->{stderr_file})) {
        local $/;
        $err = <$fh> // '';
        close $fh;
    }
    unlink $self->{stderr_file};
    return { status => $self->{status}, signal => $self->{signal},
             killed => $killed, result => \%r, lines => $self->{lines},
             stderr => $err };
}

1;
