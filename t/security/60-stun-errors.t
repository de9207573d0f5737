# Finding 10 of the hostile-client review, media port: STUN error answers
# to unauthenticated sources were larger than the request (an amplifier
# for spoofed source addresses), and every refused check wrote an info
# line (a log flood).  An error answer is sent only when it is not larger
# than the request; refused checks are logged at most once a second, with
# the count of the others.
use lib 't/lib';
use Test::Meet;
use Test::Meet::Stun;
use IO::Socket::IP;
use IO::Select;
use Time::HiRes ();

start_nginx(
    stream_config => "    server {\n"
            . "        listen 127.0.0.1:\$TEST_NGINX_UDP_PORT_1 udp;\n"
            . "        meet_rtp;\n"
            . "    }\n");

my $port = test_var('TEST_NGINX_UDP_PORT_1');
my $s = IO::Socket::IP->new(PeerHost => '127.0.0.1', PeerPort => $port,
                            Proto => 'udp') or die "udp: $!";

sub answer_to {
    my ($req) = @_;
    $s->send($req);
    my $sel = IO::Select->new($s);
    return undef unless $sel->can_read(1);
    $s->recv(my $buf, 2048);
    return $buf;
}

# the smallest check that names an unknown ufrag: header + USERNAME "x:y"
my $tiny = Test::Meet::Stun::request(username => 'x:y', no_priority => 1,
                                     no_integrity => 1, no_fingerprint => 1);
my $a = answer_to($tiny);
ok(!defined $a || length $a <= length $tiny,
   'a tiny unauthenticated check gets no answer larger than itself')
    or diag(sprintf('request %d bytes, answer %d bytes', length $tiny,
                    length $a));

# a full-size one (as a browser sends) still gets its error answer
my $full = Test::Meet::Stun::request(username => 'unknownufrag:theirs',
                                     pwd => 'x' x 24);
$a = answer_to($full);
my $r = Test::Meet::Stun::parse($a, '');
ok($r && $r->{class} eq 'error', 'a full-size check is answered with an error');
cmp_ok(length($a // ''), '<=', length $full, '... no larger than the request');

# a flood of refused checks: a line a second at most, not one each
my $from = error_log_size();
my $t0 = Time::HiRes::time();
$s->send($full) for 1 .. 500;
select(undef, undef, undef, 0.5);
my $secs = Time::HiRes::time() - $t0;
my @lines = (error_log_text($from) // '') =~ /\[info\].*ICE check refused/g;
cmp_ok(scalar @lines, '<=', int($secs) + 2,
       '500 refused checks: at most a line a second')
    or diag(scalar @lines . " lines in $secs s");
cmp_ok(scalar @lines, '<', 50, '... far fewer than one each');
ok(wait_for_log(qr/ICE check refused with \d+: .*\(\d+ more refused since/),
   '... that count the others');

stop_nginx();
done_testing();
