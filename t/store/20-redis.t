# meet_redis: the worker's Redis client (hiredis on nginx events) against a
# real redis-server started here (Test::Meet::Redis, with a password), seen
# through /healthz ("redis" component) and the test-only key/value location
# meet_redis_test_kv, which runs on the Redis session store backend
# (ngx_meet_session_redis.c: GET, SET ... EX, DEL, prefix "meet:").
use lib 't/lib';
use Test::Meet;
use Test::Meet::Redis;
use Test::Meet::Util ();
use IO::Socket::IP;
use IO::Select;
use JSON::PP ();
use Time::HiRes qw(time sleep);

Test::Meet::Suites::need('redis', Test::Meet::Redis::unavailable());

my $TF = Test::Meet::Util::timeout_factor();
# connect and command timeout: 1 s, longer under valgrind
my $MS = int(1000 * $TF);

sub health {
    my $res = http_request(path => '/healthz');
    my $j = eval { JSON::PP::decode_json($res->{body} // '') } // {};
    return ($res->{status} // 0, $j->{components}{redis} // {});
}

# polls /healthz until the redis component has $status (and a reason
# matching $reason); returns its JSON
sub wait_health {
    my ($status, $secs, $reason) = @_;
    my $end = time + $secs * $TF;
    my ($code, $r);
    while (1) {
        ($code, $r) = health();
        return $r if ($r->{status} // '') eq $status
                     && (!$reason || ($r->{reason} // '') =~ $reason);
        last if time > $end;
        sleep 0.05;
    }
    diag("redis health: " . JSON::PP->new->canonical->encode($r));
    return undef;
}

sub kv {
    my ($method, $key, %o) = @_;
    return http_request(method => $method, path => "/kv/$key",
                        (defined $o{body} ? (body => $o{body}) : ()),
                        timeout => $o{timeout} // 10);
}

sub detail {
    my ($res) = @_;
    my $j = eval { JSON::PP::decode_json($res->{body} // '') } // {};
    return $j->{detail} // '';
}

# $n GETs of $path sent at once on $n connections; returns the bodies
# (the status codes in list @$codes when given; $sent runs once all are
# sent)
sub concurrent_get {
    my ($path, $n, $codes, $sent) = @_;
    my $port = test_var('TEST_NGINX_SERVER_PORT');
    my (@socks, %buf);
    for (1 .. $n) {
        my $s = IO::Socket::IP->new(PeerHost => '127.0.0.1',
                                    PeerPort => $port, Proto => 'tcp')
            or die "connect: $!";
        print $s "GET $path HTTP/1.1\r\nHost: localhost\r\n"
               . "Connection: close\r\n\r\n";
        push @socks, $s;
    }
    $sent->() if $sent;
    my $sel = IO::Select->new(@socks);
    my $end = time + 20 * $TF;
    while ($sel->count && time < $end) {
        for my $s ($sel->can_read(0.5)) {
            my $n = sysread($s, my $chunk, 262144);
            if ($n) { $buf{"$s"} .= $chunk; next }
            $sel->remove($s);
            close $s;
        }
    }
    @$codes = map { ($buf{"$_"} // '') =~ m{\AHTTP/1\.1 (\d+)} ? $1 : 0 }
              @socks if $codes;
    return map { my $b = $buf{"$_"} // ''; $b =~ s/\A.*?\r\n\r\n//s; $b }
           @socks;
}

my $redis = Test::Meet::Redis->new(password => 'rpw-1')->start;
my $url = $redis->url;

my %conf = (
    http_config => <<"EOC",
    meet_redis $url connect_timeout=${MS}ms timeout=${MS}ms;
EOC
    config => <<'EOC',
    meet_routes {
        = /healthz  health;
    }
    location /kv/ {
        client_body_buffer_size 16k;
        meet_redis_test_kv;
    }
    location = /ping { return 200 "pong\n"; }
EOC
);

start_nginx(%conf, name => 'redis nginx');

# ---- up ----------------------------------------------------------------

my $h = wait_health('ok', 5);
ok($h, '/healthz: redis is ok after start');
like($h->{address} // '', qr/^127\.0\.0\.1:\d+\/0$/,
     '... with its address (no password)');
is($h->{connects}, 1, '... after one connect');
unlike(error_log_text(), qr/rpw-1/, 'the password is not logged');

# ---- get / set / del ----------------------------------------------------

my $res = kv(PUT => 'a', body => 'hello');
is($res->{status}, 204, 'PUT /kv/a: 204');
is($redis->get('meet:a'), 'hello', '... stored under the prefix "meet:"');
is($redis->ttl('meet:a'), -1, '... without expiry when no ttl is given');
$res = kv(GET => 'a');
is($res->{status}, 200, 'GET /kv/a: 200');
is($res->{body}, 'hello', '... the value');
$res = kv(GET => 'nope');
is($res->{status}, 404, 'GET of a missing key: 404');

$res = kv(PUT => 't?ttl=1', body => 'short');
is($res->{status}, 204, 'PUT with ttl=1');
my $ttl = $redis->ttl('meet:t');
ok($ttl >= 0 && $ttl <= 1, "... SET EX: the key expires (TTL $ttl)");
is(kv(GET => 't')->{body}, 'short', '... readable at once');
sleep 2.1;
is(kv(GET => 't')->{status}, 404, '... gone after its ttl');

$res = kv(DELETE => 'a');
is($res->{status}, 204, 'DELETE /kv/a: 204');
is($redis->get('meet:a'), undef, '... deleted in Redis');
is(kv(GET => 'a')->{status}, 404, '... GET: 404');
is(kv(DELETE => 'a')->{status}, 204, 'DELETE of a missing key: 204');

# binary-safe values and keys
my $bin = join '', map { chr } 0 .. 255;
is(kv(PUT => 'bin', body => $bin)->{status}, 204, 'binary value stored');
is(kv(GET => 'bin')->{body}, $bin, '... and read back byte for byte');

# ---- a big value, many requests at once -----------------------------------

my $big = join '', map { chr(65 + int rand 26) } 1 .. 100 * 1024;
is(kv(PUT => 'big', body => $big)->{status}, 204,
   'PUT of 100 KB (body in a temporary file)');
is(length($redis->get('meet:big') // ''), length $big, '... all in Redis');
$res = kv(GET => 'big');
ok($res->{body} eq $big, 'GET of 100 KB: the same bytes');

my @bodies = concurrent_get('/kv/big', 40);
is(scalar(grep { $_ eq $big } @bodies), 40,
   '40 concurrent GETs of 100 KB: every answer complete (4 MB of replies '
   . 'read through the FIONREAD loop)');

# ---- Redis killed under load: every request answered, 200 or 503 ---------

{
    my $pid = $redis->pid;
    my @codes;
    my @b = concurrent_get('/kv/big', 100, \@codes,
                           sub { kill 'KILL', $pid });
    my %n;
    $n{$_}++ for @codes;
    is(scalar(grep { $_ == 200 || $_ == 503 } @codes), 100,
       'redis killed during 100 GETs of 100 KB: each answered 200 or 503 ('
       . join(', ', map { "$_: $n{$_}" } sort keys %n) . ')');
    ok(!grep({ $codes[$_] == 200 && $b[$_] ne $big } 0 .. $#b),
       '... every 200 complete');
    $redis->stop;
    $redis->start;
    ok(wait_health('ok', 8), '... and connects again once Redis is back');
    is(kv(PUT => 'big', body => $big)->{status}, 204, '... PUT works');
}

# ---- Redis stops: down with a reason, nginx keeps serving -----------------

$redis->stop;
my $t0 = time;
$h = wait_health('down', 5, qr/./);
ok($h, sprintf('redis stopped: /healthz says down (%.1f s)', time - $t0));
like($h->{reason} // '', qr/closed|refused|reset/,
     "... with the reason ($h->{reason})");
my ($code) = health();
is($code, 503, '... /healthz answers 503');
$res = http_request(path => '/ping');
is($res->{body}, "pong\n", 'other routes still work');

$h = wait_health('down', 1);
$t0 = time;
$res = kv(GET => 'big');
my $took = time - $t0;
is($res->{status}, 503, 'GET while Redis is down: 503');
like(detail($res), qr/refused/, '... {"detail": reason}: ' . detail($res));
cmp_ok($took, '<', 0.5 * $TF, sprintf('... at once (%.2f s)', $took));
ok(wait_for_log(qr/meet redis 127\.0\.0\.1:\d+\/0: unavailable: connection refused; retrying in \d+ ms/, 3),
   'the error log says why and when it retries');

# ---- Redis back on the same port: reconnects by itself --------------------

$redis->start;
$t0 = time;
$h = wait_health('ok', 8);
ok($h, sprintf('redis started again: ok without touching nginx (%.1f s)',
               time - $t0));
cmp_ok($h->{connects} // 0, '>=', 2, '... a new connection');
ok(wait_for_log('connected again', 2), '... logged');
is(kv(PUT => 'a', body => 'again')->{status}, 204, 'PUT works again');
is(kv(GET => 'a')->{body}, 'again', 'GET works again');

# ---- a stuck server: command timeout, then recovery ------------------------

kill 'STOP', $redis->pid;
{
    my @codes;
    $t0 = time;
    my @b = concurrent_get('/kv/big', 10, \@codes);
    $took = time - $t0;
    is(scalar(grep { $_ == 503 } @codes), 10,
       sprintf('redis paused (SIGSTOP): 10 pipelined GETs all fail after '
               . 'the timeout (%.2f s)', $took));
    like($b[0], qr/timed out after $MS ms/, '... ' . $b[0]);
    kill 'CONT', $redis->pid;
    ok(wait_health('ok', 8), '... SIGCONT: up again');
    kill 'STOP', $redis->pid;
}
$t0 = time;
$res = kv(GET => 'a');
$took = time - $t0;
is($res->{status}, 503, 'redis paused (SIGSTOP): GET answers 503');
like(detail($res), qr/GET timed out after $MS ms/,
   '... the reason: ' . detail($res));
ok($took >= 0.9 * $MS / 1000 && $took < 3 * $MS / 1000,
   sprintf('... after the command timeout of %d ms (%.2f s)', $MS, $took));
$h = wait_health('down', 1);
ok($h, '/healthz: down while paused');
$t0 = time;
$res = kv(GET => 'a');
is($res->{status}, 503, 'known down: the next GET fails too');
cmp_ok(time - $t0, '<', 1.5 * $TF, '... without waiting for a reply');
kill 'CONT', $redis->pid;
$h = wait_health('ok', 8);
ok($h, 'SIGCONT: redis is ok again');
is(kv(GET => 'a')->{body}, 'again', 'GET works after the pause');

# ---- a reload while commands wait: the old worker answers them, then exits --

kill 'STOP', $redis->pid;
{
    my (@codes, $reloaded);
    my @b = concurrent_get('/kv/a', 3, \@codes, sub {
        sleep 0.2;
        $reloaded = reload_nginx();
    });
    ok($reloaded, 'reload while 3 GETs wait on a paused Redis');
    is(scalar(grep { $_ == 503 } @codes), 3,
       '... the old worker answers them when they time out: ' . $b[0]);
}
kill 'CONT', $redis->pid;
ok(wait_health('ok', 8), '... SIGCONT: up again');
ok(wait_for_log(qr/\[notice\].*exit$/m, 3 + 2 * $MS / 1000),
   '... and the old worker exits');

# ---- reload -----------------------------------------------------------------

ok(reload_nginx(), 'reload');
$h = wait_health('ok', 5);
ok($h, 'after the reload: redis ok (the new worker connected)');
is(kv(GET => 'a')->{body}, 'again', '... and GET works');
is(kv(PUT => 'r', body => 'x')->{status}, 204, '... and PUT');

stop_nginx();

# ---- a wrong password -------------------------------------------------------

my $bad = $url;
$bad =~ s/:rpw-1\@/:wrong-pw\@/ or die "url $url";
start_nginx(%conf, name => 'wrong password nginx',
            http_config => "    meet_redis $bad connect_timeout=${MS}ms "
                           . "timeout=${MS}ms;\n");
$h = wait_health('down', 5, qr/AUTH/);
ok($h, 'wrong password: /healthz says down');
like($h->{reason} // '', qr/^AUTH failed: WRONGPASS/,
     "... with the reason ($h->{reason})");
ok(wait_for_log(qr/\[error\].*meet redis 127\.0\.0\.1:\d+\/0: unavailable: AUTH failed: WRONGPASS/, 3),
   '... and the error log');
$res = kv(GET => 'a');
is($res->{status}, 503, 'GET: 503');
like(detail($res), qr/WRONGPASS/, '... the detail names WRONGPASS');
unlike(error_log_text(), qr/wrong-pw/, 'the password is not logged');
stop_nginx();

# ---- commands given while the worker connects wait for the connection ----

is($redis->command('SET', 'meet:q', 'queued'), 'OK', 'a value set directly');
# Redis holds every client's commands (our AUTH included) for a while
my $pause = int($MS / 2);
$redis->command('CLIENT', 'PAUSE', $pause, 'ALL');
$t0 = time;
start_nginx(%conf, name => 'queueing nginx');
$res = kv(GET => 'q');
$took = time - $t0;
is($res->{status}, 200, 'GET while the handshake waits: queued, then 200');
is($res->{body}, 'queued', '... with the value');
cmp_ok($took, '>=', 0.8 * $pause / 1000,
       sprintf('... answered after the pause (%.2f s)', $took));
stop_nginx();

# ---- Redis not running when nginx starts -----------------------------------

$redis->stop;
start_nginx(%conf, name => 'no redis nginx');
$h = wait_health('down', 5, qr/refused/);
like($h->{reason} // '', qr/connection refused/,
     'started without Redis: down, "connection refused"');
$res = http_request(path => '/ping');
is($res->{body}, "pong\n", '... nginx serves');
$redis->start;
ok(wait_health('ok', 8), '... and connects once Redis is there');
stop_nginx();

run_tests();

__DATA__

=== TEST 1: nginx -t refuses a URL that is not redis://
--- http_config
    meet_redis http://127.0.0.1:6379;
--- must_die
--- error_log
meet_redis: invalid URL: the URL must look like redis://[:password@]host:port[/db]



=== TEST 2: TLS URLs are refused with a reason
--- http_config
    meet_redis rediss://127.0.0.1:6379;
--- must_die
--- error_log
meet_redis: invalid URL: TLS (rediss://) is not supported



=== TEST 3: a bad port, without echoing the password
--- http_config
    meet_redis redis://:s3cret-pw@127.0.0.1:99999/0;
--- must_die
--- error_log
meet_redis: invalid URL: invalid port
--- no_error_log
s3cret-pw



=== TEST 4: a bad database number
--- http_config
    meet_redis redis://127.0.0.1:6379/abc;
--- must_die
--- error_log
meet_redis: invalid URL: the database after "/" must be a number from 0 to 65535



=== TEST 5: a password without its colon
--- http_config
    meet_redis redis://secret@127.0.0.1:6379;
--- must_die
--- error_log
meet_redis: invalid URL: the password goes after a colon



=== TEST 6: bad parameters
--- http_config
    meet_redis redis://127.0.0.1:6379 timeout=soon;
--- must_die
--- error_log
meet_redis: "timeout=soon" is not a positive time



=== TEST 7: unknown parameter
--- http_config
    meet_redis redis://127.0.0.1:6379 pool=4;
--- must_die
--- error_log
meet_redis: unknown parameter "pool=4"



=== TEST 8: only one meet_redis
--- http_config
    meet_redis redis://127.0.0.1:6379;
    meet_redis redis://127.0.0.1:6380;
--- must_die
--- error_log
"meet_redis" directive is duplicate



=== TEST 9: meet_redis_test_kv needs meet_redis
--- config
    location /kv/ { meet_redis_test_kv; }
--- must_die
--- error_log
meet_redis_test_kv needs "meet_redis" in http{}



=== TEST 10: a valid URL with user, escaped password, db and options passes
--- http_config
    meet_redis redis://meet:p%40ss@127.0.0.1:6379/3 connect_timeout=500ms timeout=3s prefix=x:;
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
