# Self-test of the Test::Meet API for hand-written tests (stock nginx only):
# start_nginx / stop_nginx / reload_nginx / http_request / free_port /
# test_var / wait_for_log / CookieJar, plus a hand-written UDP exchange with a
# stream `return` server.
use lib 't/lib';
use Test::Meet;
use IO::Socket::IP;
use IO::Select;
use Time::HiRes qw(time);

# --- free_port: distinct, on 127.0.0.1, both protocols -----------------------
{
    my @ports = map { free_port($_ % 2 ? 'udp' : 'tcp') } 1 .. 20;
    my %seen = map { $_ => 1 } @ports;
    is scalar(keys %seen), 20, 'free_port returns distinct ports';
    ok !(grep { $_ < 1024 || $_ > 65535 } @ports), 'free_port ports in range';
}

# --- a variable asked for before start_nginx is carried into it ---------------
my $udp_port = test_var('TEST_NGINX_UDP_PORT_1');
like $udp_port, qr/^\d+$/, 'test_var allocates a UDP port before start';

my %sections = (
    no_meet_modules => 1,
    name            => 'api nginx',
    config          => <<'EOC',
    location = /v { return 200 "v1\n"; }
    location = /login {
        add_header Set-Cookie "sid=abc123; Path=/; HttpOnly";
        add_header Set-Cookie "pref=dark; Path=/app";
        return 302 /app/;
    }
    location /app/ { return 200 "cookie=$http_cookie\n"; }
    location = /plain { return 200 "cookie=$http_cookie\n"; }
    location = /logout {
        add_header Set-Cookie "sid=gone; Max-Age=0; Path=/";
        return 200 "bye\n";
    }
    location = /chunked {
        sub_filter 'a' 'b';
        sub_filter_once off;
        sub_filter_types text/plain;
        return 200 "aaaa\n";
    }
    location / { root $TEST_NGINX_HTML_DIR; }
EOC
    stream_config => <<'EOC',
    server {
        listen 127.0.0.1:$TEST_NGINX_UDP_PORT_1 udp;
        return "pong";
    }
EOC
    user_files => ">>> hello.txt\nhello file\n",
);

my $srv = start_nginx(%sections);
ok $srv, 'start_nginx returns a server';
my $pid = nginx_pid();
ok $pid && kill(0, $pid), 'nginx master is running';
is test_var('TEST_NGINX_UDP_PORT_1'), $udp_port, 'pre-allocated port kept';
is test_vars()->{TEST_NGINX_SERVER_PORT}, $srv->port, 'test_vars has the server port';
ok -d test_var('TEST_NGINX_HTML_DIR'), 'html dir exists';
is $ENV{TEST_NGINX_SERVER_PORT}, $srv->port, 'variables exported to %ENV';

# --- hand-written UDP exchange with the stream `return` server ---------------
{
    my $s = IO::Socket::IP->new(PeerHost => '127.0.0.1', PeerPort => $udp_port,
                                Proto => 'udp')
        or die "udp socket: $@";
    $s->send('ping') or die "send: $!";
    my $reply = '';
    if (IO::Select->new($s)->can_read(3)) {
        $s->recv($reply, 1500);
    }
    is $reply, 'pong', 'UDP stream return server answers';
}

# --- plain requests ------------------------------------------------------------
{
    my $res = http_request(path => '/v');
    is $res->{status}, 200, 'GET /v status';
    is $res->{body}, "v1\n", 'GET /v body';
    is_deeply $res->{headers}{'content-length'}, ['3'], 'headers are lower-cased arrays';
    ok !$res->{error}, 'no client error';

    $res = http_request(path => '/hello.txt');
    is $res->{body}, "hello file\n", 'user_files via start_nginx';

    # Keep-alive: framing must end the read without waiting for a close.
    my $t0 = time;
    $res = http_request(path => '/v', headers => { Connection => 'keep-alive' });
    is $res->{body}, "v1\n", 'keep-alive response with Content-Length';
    $res = http_request(path => '/chunked',
                        headers => [ Connection => 'keep-alive' ]);
    is $res->{body}, "bbbb\n", 'keep-alive chunked response decoded';
    is $res->{headers}{'transfer-encoding'}[0], 'chunked', 'it was chunked';
    ok time - $t0 < 2, 'keep-alive responses did not wait for the close';

    $res = http_request(raw => "GET /v HTTP/1.0\r\n\r\n");
    is $res->{protocol}, 'HTTP/1.1', 'raw request answered';
    is $res->{body}, "v1\n", 'raw request body';

    $res = http_request(method => 'HEAD', path => '/v');
    is $res->{body}, '', 'HEAD has no body';

    $res = http_request(path => '/v', port => 'TEST_NGINX_SERVER_PORT');
    is $res->{status}, 200, 'port given as a variable name';

    my $closed = free_port('tcp');
    $res = http_request(path => '/v', port => $closed, timeout => 1);
    ok !defined $res->{status} && $res->{error}, 'connection error reported'
        or diag explain $res;
}

# --- cookie jar ----------------------------------------------------------------
{
    my $jar = Test::Meet::CookieJar->new;
    my $res = http_request(path => '/login', jar => $jar);
    is $res->{status}, 302, 'login redirects';
    is $jar->get('sid'), 'abc123', 'jar stored sid';
    is $jar->get('pref'), 'dark', 'jar stored pref';

    $res = http_request(path => '/app/page', jar => $jar);
    is $res->{body}, "cookie=pref=dark; sid=abc123\n",
        'both cookies sent under /app, longest path first';
    $res = http_request(path => '/plain', jar => $jar);
    is $res->{body}, "cookie=sid=abc123\n", 'only the / cookie outside /app';
    is $jar->cookie_header(path => '/application'), 'sid=abc123',
        'path match respects segment boundaries';

    $res = http_request(path => '/logout', jar => $jar);
    ok !defined $jar->get('sid'), 'Max-Age=0 deletes the cookie';
    is_deeply [ $jar->names ], ['pref'], 'remaining cookies';

    $jar->set(manual => 'x1', path => '/');
    is $jar->cookie_header(path => '/plain'), 'manual=x1', 'manual cookie';
    $jar->add_set_cookie('old=1; Expires=Thu, 01 Jan 1970 00:00:01 GMT');
    ok !defined $jar->get('old'), 'expired cookie is not stored';
    $jar->clear;
    is $jar->cookie_header(path => '/'), undef, 'clear empties the jar';
}

# --- logs ------------------------------------------------------------------------
{
    my $off = error_log_size();
    my $res = http_request(path => '/does-not-exist.txt');
    is $res->{status}, 404, '404 for a missing file';
    ok wait_for_log(qr/does-not-exist\.txt.*No such file/, 2, $off),
        'wait_for_log finds the open() error';
    ok !wait_for_log('never-logged-text', 0.1), 'wait_for_log times out';
    like error_log_text($off), qr/\[error\]/, 'error_log_text from offset';
}

# --- reload ------------------------------------------------------------------------
{
    (my $config = $sections{config}) =~ s/"v1\\n"/"v2\\n"/;
    ok reload_nginx({ config => $config }), 'reload_nginx succeeds';
    my $res = http_request(path => '/v');
    is $res->{body}, "v2\n", 'new config is active after reload';
    is nginx_pid(), $pid, 'same master after reload';
}

# --- stop (runs the automatic checks as assertions) --------------------------------
my $prefix = $srv->prefix;
my $stop = stop_nginx();
ok !$stop->{forced}, 'stopped without SIGKILL';
ok !kill(0, $pid), 'master is gone';
ok !-d $prefix || $ENV{TEST_NGINX_LEAVE}, 'prefix removed';
ok !defined nginx_server(), 'no current server after stop';
ok !defined $ENV{TEST_NGINX_UDP_PORT_1}, '%ENV restored after stop';

# --- a broken config makes start_nginx die with the logs -----------------------------
{
    my $ok = eval {
        start_nginx(no_meet_modules => 1,
                    config => 'location = /x { bogus_directive_xyz; }');
        1;
    };
    ok !$ok, 'start_nginx dies on a broken config';
    like $@, qr/exited during startup.*unknown directive "bogus_directive_xyz"/s,
        'the error carries stderr.log';
    ok !defined nginx_server(), 'nothing left running';
}

done_testing();
