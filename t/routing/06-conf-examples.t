# The shipped configuration examples stay valid: dev.conf is what
# "make run" serves, single-host.conf passes "nginx -t" once its
# site-specific paths are filled in.
use lib 't/lib';
use Test::Meet;
use Test::Meet::Util qw(slurp spew run_command);
use Test::Meet::WebSocket;
use File::Temp qw(tempdir);
use POSIX ();
use Cwd ();
use Time::HiRes qw(sleep time);

use FindBin ();
my $repo   = Cwd::abs_path("$FindBin::Bin/../..");
my $mods   = $ENV{TEST_NGINX_MODULES} // "$repo/build/modules";
my $nginx  = $ENV{TEST_NGINX_BINARY} || '/usr/sbin/nginx';
my $stream = '/usr/lib/nginx/modules/ngx_stream_module.so';

Test::Meet::Suites::need('dynamic',
    $mods =~ /^(?:static|none)$/
    ? 'the examples load the modules as .so files' : undef);

# a prefix whose modules/ holds what the examples load
sub prefix_with_modules {
    my $dir = tempdir('meet-ex-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    mkdir "$dir/$_" for qw(modules logs tmp web);
    symlink $stream, "$dir/modules/ngx_stream_module.so";
    for my $m (qw(ngx_meet_core_module ngx_meet_routing_module
                  ngx_meet_signal_module ngx_meet_rtp_stream_module)) {
        symlink "$mods/$m.so", "$dir/modules/$m.so";
    }
    return $dir;
}

my %env = $ENV{TEST_NGINX_PRELOAD}
    ? (env => { LD_PRELOAD => $ENV{TEST_NGINX_PRELOAD},
                ASAN_OPTIONS => 'detect_leaks=0:detect_odr_violation=0' })
    : ();

# --- single-host.conf -------------------------------------------------------
{
    my $p = prefix_with_modules();
    my $conf = slurp("$repo/conf-examples/single-host.conf");
    my ($cert, $key) = ("$p/cert.pem", "$p/key.pem");
    my ($ok, $o) = run_command(argv => ['openssl', 'req', '-x509', '-nodes',
        '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
        '-subj', '/CN=meet.example.org', '-days', '2',
        '-keyout', $key, '-out', $cert], timeout => 20);
    is($ok, 0, 'test certificate made') or diag($o);
    $conf =~ s{/etc/letsencrypt/live/meet\.example\.org/fullchain\.pem}{$cert}g;
    $conf =~ s{/etc/letsencrypt/live/meet\.example\.org/privkey\.pem}{$key}g;
    $conf =~ s{/usr/share/ngx_meet/web}{$p/web}g;
    $conf =~ s{/var/log/nginx/}{$p/logs/}g;
    $conf =~ s{/etc/ngx_meet/keys\.yaml}{$p/keys.yaml}g;
    spew("$p/keys.yaml", "meet: a-secret-of-at-least-32-characters-long\n");
    spew("$p/web/index.html", "<!doctype html>\n");
    spew("$p/single-host.conf", $conf);

    my ($st, $out) = run_command(
        argv => [$nginx, '-t', '-p', "$p/", '-c', "$p/single-host.conf"],
        timeout => 20, %env);
    is($st, 0, 'single-host.conf passes nginx -t') or diag($out);
    like($out, qr/syntax is ok/, 'nginx -t says the syntax is ok');

    # without its key file it listens publicly with the development key:
    # refused, naming the directive to add
    (my $nokey = $conf) =~ s{^meet_api_keys_file\s.*$}{}m;
    isnt($nokey, $conf, 'single-host.conf sets its key in one line');
    spew("$p/single-host-nokey.conf", $nokey);
    ($st, $out) = run_command(
        argv => [$nginx, '-t', '-p', "$p/", '-c', "$p/single-host-nokey.conf"],
        timeout => 20, %env);
    isnt($st, 0, 'single-host.conf without a key fails nginx -t');
    like($out, qr/meet_api_key: no API key is set, so "meet_(?:signal|api)" in \S+:\d+ would accept tokens signed with the public development key devkey\/secret, which is allowed only when nginx listens on loopback addresses; "listen [^"]+" is not one: add "meet_api_key <key> <secret>;" or "meet_api_keys_file <file>;" to the main context \(a secret: openssl rand -base64 32\)/,
         '... with the reason and the fix');
}

# --- full-stack.conf (OIDC, PostgreSQL, Redis) --------------------------------
# nginx -t reads it all (the IdP, PostgreSQL and Redis are contacted at run
# time only, so none is needed here)
{
    my $p = prefix_with_modules();
    my $conf = slurp("$repo/conf-examples/full-stack.conf");
    my ($cert, $key) = ("$p/cert.pem", "$p/key.pem");
    my ($ok, $o) = run_command(argv => ['openssl', 'req', '-x509', '-nodes',
        '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
        '-subj', '/CN=meet.example.org', '-days', '2',
        '-keyout', $key, '-out', $cert], timeout => 20);
    is($ok, 0, 'full-stack: test certificate made') or diag($o);
    $conf =~ s{/etc/letsencrypt/live/meet\.example\.org/fullchain\.pem}{$cert}g;
    $conf =~ s{/etc/letsencrypt/live/meet\.example\.org/privkey\.pem}{$key}g;
    $conf =~ s{/usr/share/ngx_meet/web}{$p/web}g;
    $conf =~ s{/var/log/nginx/}{$p/logs/}g;
    $conf =~ s{/etc/ngx_meet/keys\.yaml}{$p/keys.yaml}g;
    # the CA bundle: the one of this machine (ca-certificates), else ours
    $conf =~ s{/etc/ssl/certs/ca-certificates\.crt}{$cert}g
        unless -s '/etc/ssl/certs/ca-certificates.crt';
    spew("$p/keys.yaml", "meetkey: a-secret-of-at-least-32-characters-long\n");
    spew("$p/web/index.html", "<!doctype html>\n");
    spew("$p/full-stack.conf", $conf);

    my ($st, $out) = run_command(
        argv => [$nginx, '-t', '-p', "$p/", '-c', "$p/full-stack.conf"],
        timeout => 20, %env);
    is($st, 0, 'full-stack.conf passes nginx -t') or diag($out);
    like($out, qr/syntax is ok/, 'nginx -t says the syntax is ok');
    unlike($out, qr/\[(?:emerg|alert|crit|error)\]/, '... without errors');
}

# --- dev.conf through scripts/run-dev.sh (what "make run" does) -------------
# It serves the web app that "make web" built (build/web, linked into the
# prefix by run-dev.sh); "make test" builds it first.
my $web = $ENV{MEET_WEB_DIR} // "$repo/build/web";
SKIP: {
    Test::Meet::Suites::skip_part('devports',
        Test::Meet::Suites::devports_unavailable(), 9);
    Test::Meet::Suites::skip_part('web', -f "$web/index.html" ? undef
        : "$web/index.html is missing: run make web", 9);

    my $p = prefix_with_modules();
    rmdir "$p/web";    # run-dev.sh links the built app there
    my $log = "$p/run.log";
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', $log;
        open STDERR, '>&', \*STDOUT;
        POSIX::setpgid(0, 0);
        $ENV{MEET_PREFIX} = $p;
        $ENV{NGINX} = $nginx;
        if ($ENV{TEST_NGINX_PRELOAD}) {
            $ENV{LD_PRELOAD} = $ENV{TEST_NGINX_PRELOAD};
            $ENV{ASAN_OPTIONS} = "detect_leaks=0:detect_odr_violation=0";
        }
        $ENV{MEET_MODULES_DIR} = $mods;
        $ENV{MEET_WEB_DIR} = $web;
        exec 'bash', "$repo/scripts/run-dev.sh" or POSIX::_exit(127);
    }

    my $r;
    my $deadline = time + 10 * ($ENV{TEST_NGINX_VALGRIND} ? 10 : 1);
    while (time < $deadline) {
        $r = eval { http_request(port => 7880, path => '/healthz', timeout => 2) };
        last if $r && $r->{status};
        sleep 0.1;
    }

    is($r && $r->{status}, 200, 'make run: /healthz answers 200')
        or diag(slurp($log));
    like($r ? $r->{body} : '', qr/^\{"status":"ok",/, 'make run: status ok');
    like($r ? $r->{body} : '', qr/"media":\{"udp":\["127\.0\.0\.1:7882"\]/,
         'make run: media on UDP 7882');

    # the web app: index.html for / and for a room's deep link, its assets
    my $home = eval { http_request(port => 7880, path => '/', timeout => 2) };
    like($home ? $home->{body} : '', qr{<main id="app"}, 'make run: / is the web app');
    my ($js) = ($home ? $home->{body} : '') =~ m{src="(/assets/app-\w+\.js)"};
    my $asset = $js ? eval { http_request(port => 7880, path => $js, timeout => 2) } : undef;
    is($asset && $asset->{status}, 200, "make run: the app's script $js is served");
    my $deep = eval { http_request(port => 7880, path => '/bak-tuzo-mip', timeout => 2) };
    like($deep ? $deep->{body} : '', qr{<main id="app"}, 'make run: a room link /<room> is the web app');

    # the room endpoint gives anyone a token in dev mode
    my $room = eval { http_request(port => 7880, timeout => 2,
                                   path => '/api/v1.0/rooms/bak-tuzo-mip/?username=Ada') };
    like($room ? "$room->{status} $room->{body}" : '',
         qr/^200 \{.*"slug":"bak-tuzo-mip".*"token":"[\w-]+\.[\w-]+\.[\w-]+"/,
         'make run: the room endpoint gives an anonymous user a token');

    # a LiveKit client joins with the development key devkey/secret
    my $tok = Test::Meet::WebSocket::token(identity => 'dev', room => 'dev-room');
    my $ws = Test::Meet::WebSocket->connect(
        port => 7880, path => "/rtc/v1?access_token=$tok&join_request="
                              . Test::Meet::WebSocket::join_request_arg());
    my $f = $ws->{status} == 101 ? $ws->read_frame(5) : undef;
    my ($field) = $f && $f->{payload}
        ? Test::Meet::WebSocket::pb_first_field($f->{payload}) : ();
    is($field, 1, 'make run: a client with devkey/secret gets a JoinResponse');
    $ws->close_socket;

    # the script exec()s nginx: $pid is the master
    kill 'QUIT', $pid;
    my $gone = 0;
    for (1 .. 100) {
        if (waitpid($pid, POSIX::WNOHANG()) == $pid) { $gone = 1; last }
        sleep 0.1;
    }
    unless ($gone) { kill 'KILL', -$pid; waitpid($pid, 0) }
    ok($gone, 'make run: nginx stops on SIGQUIT');
}

done_testing();
