# Login sessions in Redis (issue 6): meet_session_store redis keeps the
# sessions of the OIDC login (real oidc-provider, real redis-server) under
# hashed keys with the session lifetime; they survive a reload and a full
# restart of nginx; back-channel logout removes them.  Redis down: a login
# fails with a clear page and log line, users/me says the store is
# unavailable, and the meeting in progress goes on (signaling does not use
# Redis); Redis back: logins work again without touching nginx.
use lib 't/lib';
use Test::Meet;
use Test::Meet::OIDC;
use Test::Meet::Redis;
use Test::Meet::CookieJar;
use Test::Meet::WebSocket;
use JSON::PP qw(decode_json);

Test::Meet::Suites::need('oidc', Test::Meet::OIDC::unavailable());
Test::Meet::Suites::need('redis', Test::Meet::Redis::unavailable());

# a server of our own on a port of our own: the same across the restart
my $port = free_port('tcp');
my $api = '/api/v1.0';
my $redis = Test::Meet::Redis->new(password => 'r-pw')->start;
my $op = Test::Meet::OIDC->new(
    alg => 'RS256',
    users => [ { sub => 'alice', email => 'alice@example.test', name => 'Alice' } ],
    redirect_uris => [ "http://127.0.0.1:$port$api/callback/" ],
    backchannel_logout_uri => "http://127.0.0.1:$port$api/backchannel-logout/",
)->start;

my ($issuer, $id, $secret) = ($op->issuer, $op->client_id, $op->client_secret);
my $url = $redis->url;
# Redis timeouts, scaled like every wait of the harness (valgrind: x10)
my $ms = int(1000 * Test::Meet::Util::timeout_factor());
my %conf = (
    http_config => <<"EOH");
    meet_redis          $url connect_timeout=${ms}ms timeout=${ms}ms;
    meet_session_store  redis;
    meet_session_ttl    2h;
    server {
        listen 127.0.0.1:$port;
        meet_api_anonymous_rooms on;
        meet_routes {
            /api/v1.0/   api;
            /rtc         signal;
        }
        meet_oidc {
            issuer         $issuer;
            client_id      $id;
            client_secret  $secret;
        }
    }
EOH
start_nginx(%conf);

sub rp {
    my (%a) = @_;
    return http_request(port => $port, %a,
                        headers => { Host => "127.0.0.1:$port" });
}

sub hdr { my ($r, $n) = @_; return ($r->{headers}{lc $n} || [])->[0] }

sub login {
    my $jar = Test::Meet::CookieJar->new;
    my $s = rp(path => "$api/authenticate/?returnTo=%2Fr1", jar => $jar);
    my $loc = hdr($s, 'location') // '';
    return ({ status => 0, start => $s }, $jar) unless index($loc, $issuer) == 0;
    my $f = $op->follow(jar => Test::Meet::CookieJar->new,
                        path => substr($loc, length $issuer));
    my ($cb) = ($f->{location} // '') =~ m{^http://127\.0\.0\.1:\d+(/.*)$};
    return ({ status => 0, follow => $f }, $jar) unless $cb;
    return (rp(path => $cb, jar => $jar), $jar);
}

sub me_status { rp(path => "$api/users/me/", jar => $_[0])->{status} }

my ($r, $jar) = login();
is($r->{status}, 302, 'login with sessions in Redis');
is(me_status($jar), 200, 'users/me: logged in');

my @keys = $redis->keys('meet:*');
my ($skey) = grep { /^meet:s:[0-9a-f]{64}$/ } @keys;
ok($skey, 'Redis holds the session under a hashed key') or diag "@keys";
ok(!(grep { index($_, $jar->get('sessionid')) >= 0 } @keys),
   '... not under the cookie value');
ok((grep { /^meet:o:[0-9a-f]{64}$/ } @keys), '... and the OP sid index');
my $ttl = $redis->ttl($skey // 'none');
ok($ttl > 7000 && $ttl <= 7200, "... expiring with meet_session_ttl (ttl $ttl)");
like($redis->get($skey // 'none') // '', qr/"sub":"alice"/, '... the user in it');

reload_nginx();
is(me_status($jar), 200, 'after a reload: still logged in');

stop_nginx();
start_nginx(%conf);
is(me_status($jar), 200, 'after a restart of nginx: still logged in (Redis kept it)');

# a meeting in progress, then Redis goes away
my $tok = Test::Meet::WebSocket::token(identity => 'bob', room => 'r1');
my $ws = Test::Meet::WebSocket->connect(
    port => $port, path => "/rtc/v1?access_token=$tok&join_request="
                           . Test::Meet::WebSocket::join_request_arg());
my $f = $ws->read_frame(5);
ok($f && $f->{opcode} == 2, 'bob is in a meeting')
    or diag explain { status => $ws->{status}, response => $ws->{response}, frame => $f };

$redis->stop;
my ($r2, $jar2) = login();
is($r2->{status}, 503, 'Redis down: a login fails with 503');
like($r2->{body} // '', qr/cannot keep sessions right now/, '... a page that says why');
like(error_log_text(), qr/meet oidc: login of "alice" failed: the session store is unavailable/,
     '... and a log line');
ok(!$jar2->get('sessionid'), '... no session cookie');
$r = rp(path => "$api/users/me/", jar => $jar);
is($r->{status}, 503, 'users/me: 503 while the store is down');
like($r->{body}, qr/session store is unavailable/, '... saying so');

$f = $ws->read_frame(1);
ok(!($f && ($f->{eof} || $f->{opcode} == 8)), 'the meeting goes on (no close)');
my $tok2 = Test::Meet::WebSocket::token(identity => 'carol', room => 'r1');
my $ws2 = Test::Meet::WebSocket->connect(
    port => $port, path => "/rtc/v1?access_token=$tok2&join_request="
                           . Test::Meet::WebSocket::join_request_arg());
$f = $ws2->read_frame(5);
ok($f && $f->{opcode} == 2, 'and someone else can still join it');
$r = rp(path => "$api/rooms/r1/?username=Dan");
is($r->{status}, 200, 'anonymous room tokens still work');

$redis->start;
# (no persistence: the restarted Redis has lost the old sessions; what
# matters is that the store is back and logins work)
my ($r3, $jar3) = login();
for (1 .. 20) {
    last if $r3->{status} == 302;
    select undef, undef, undef, 0.25;
    ($r3, $jar3) = login();
}
is($r3->{status}, 302, 'Redis back: logins work again without touching nginx');
is(me_status($jar3), 200, '... users/me');

# back-channel logout removes the Redis keys
my @before = $redis->keys('meet:s:*');
my $sent = $op->backchannel_logout(sub => 'alice');
ok(@$sent && !(grep { !$_->{ok} } @$sent), 'back-channel logout accepted')
    or diag explain $sent;
is(me_status($jar3), 401, '... the session is gone');
my @after = $redis->keys('meet:s:*');
is(scalar @after, scalar(@before) - 1, '... and its key in Redis');

$ws->close_socket;
$ws2->close_socket;
stop_nginx();
done_testing();
