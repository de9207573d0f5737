# While Redis (the session store) is down, a logged-in browser still
# sends its session cookie: every room answer was a 503, so nobody
# logged in could join even a public meeting, although the README
# promised room tokens "as for an anonymous user" (issue 16, finding 10).
# Now the room answers as for an anonymous user (a token for public rooms,
# none for trusted ones), with a log line; users/me stays 503, and once
# Redis is back the session is known again.  Before the fix the room
# request with the cookie was a 503.
use lib 't/lib';
use Test::Meet;
use Test::Meet::OIDC;
use Test::Meet::Redis;
use JSON::PP ();

my $why = Test::Meet::OIDC::unavailable() // Test::Meet::Redis::unavailable();
plan skip_all => $why if $why;

my $port = test_var('TEST_NGINX_SERVER_PORT');
my $api = '/api/v1.0';
my $redis = Test::Meet::Redis->new->start;
my $op = Test::Meet::OIDC->new(
    redirect_uris => [ "http://127.0.0.1:$port$api/callback/" ])->start;

my $url = $redis->url;
my $ms = int(1000 * Test::Meet::Util::timeout_factor());
start_nginx(http_config => <<"EOH", config => <<'EOC' . $op->meet_oidc_conf);
    meet_redis          $url connect_timeout=${ms}ms timeout=${ms}ms;
    meet_session_store  redis;
EOH
    meet_routes {
        /api/v1.0/   api;
    }
EOC

sub call {
    my ($jar, $method, $path, $body) = @_;
    return Test::Meet::OIDC::api_call($port, $jar, $method, "$api$path",
                                      $body);
}

my $jar = $op->login(sub => 'alice', host => "127.0.0.1:$port", api => $api);
my ($st, $j) = call($jar, 'GET', '/users/me/');
is($st, 200, 'alice logged in (session in Redis)');
($st) = call($jar, 'POST', '/rooms/', { name => 'open' });
is($st, 201, '... creates a public room');
($st) = call($jar, 'POST', '/rooms/',
             { name => 'staff', access_level => 'trusted' });
is($st, 201, '... and a trusted one');

# down: stopped (SIGSTOP keeps its data, so the session is there after)
kill 'STOP', $redis->pid;

my $off = error_log_size();
($st, $j) = call($jar, 'GET', '/rooms/open/?username=Alice');
is($st, 200, 'Redis down: the public room, with the session cookie: 200');
ok($j->{livekit}{token}, '... with a token');
is($j->{is_administrable}, JSON::PP::false, '... as for an anonymous user');
like(error_log_text($off),
     qr/session store is unreachable: room answered as for an anonymous/,
     '... logged');

($st, $j) = call($jar, 'GET', '/rooms/staff/');
is($st, 200, 'the trusted room: 200');
ok(!$j->{livekit}, '... without a token (the user is not known now)');

($st, $j) = call($jar, 'GET', '/users/me/');
is($st, 503, 'users/me: 503');

kill 'CONT', $redis->pid;

my $ok;
for (1 .. 50) {
    ($st, $j) = call($jar, 'GET', '/rooms/staff/');
    last if $ok = ($st == 200 && $j->{livekit});
    select undef, undef, undef, 0.1 * Test::Meet::Util::timeout_factor();
}
ok($ok, 'Redis back: the session is known again (token for the trusted room)');

stop_nginx();
$op->stop;
$redis->stop;

done_testing();
