# Finding 10 of the hostile-client review: with
# meet_signal_departure_timeout 0, a second connection of a room's only
# participant kicked the first, which freed the room, and the newcomer was
# added to the freed room (use after free; the room's later joiners could
# not see it).  The newcomer opens the room again.
use lib 't/lib';
use Test::Meet;
use Test::Meet::WebSocket;

start_nginx(config => <<'CONF');
    location /rtc {
        meet_signal;
        meet_signal_departure_timeout 0;
    }
CONF

sub join_as {
    return Test::Meet::WebSocket::join(
        port => test_var('TEST_NGINX_SERVER_PORT'), identity => $_[0],
        room => 'solo');
}

my ($a1, $j1) = join_as('alice');
is($j1, 1, 'alice joins the empty room');
my ($a2, $j2) = join_as('alice');
is($j2, 1, 'alice joins again from a second connection');
my ($code) = $a1->wait_close(5);
is($code, 1000, 'the first connection is closed');

# bob joins: alice's second connection must learn of him (same room)
my ($b, $jb) = join_as('bob');
is($jb, 1, 'bob joins');
my $seen;
for (1 .. 10) {
    my $f = $a2->read_frame(2) or last;
    last if $f->{eof};
    if (($f->{payload} // '') =~ /bob/) { $seen = 1; last }
}
ok($seen, "alice's second connection is in the room bob joined");

$a2->send_frame(opcode => 9, payload => 'x');
my $p;
for (1 .. 5) {
    $p = $a2->read_frame(3) or last;
    last if ($p->{opcode} // 0) == 10;
}
is($p && $p->{opcode}, 10, 'and is served');

stop_nginx();
done_testing();
