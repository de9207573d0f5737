# Strings from the network went into the error log as they came: an
# identity, a room name, a return URL or an IdP error with a newline
# forged whole log lines ("\n2026/01/01 00:00:00 [emerg] ...": fake
# alerts, hidden traces) (issue 16, finding 10).  Every such string now
# goes through ngx_meet_log_esc(): control characters, bytes over 0x7e,
# quotes and backslashes as \xHH, at most 128 bytes.  The test sends them
# through signaling (a token's identity and room), the API (a room name),
# the login (returnTo, the callback's error) and the SPA fallback, and
# looks for the forged line.  Before the fix the log had it, each time.
use lib 't/lib';
use Test::Meet;
use Test::Meet::OIDC;
use Test::Meet::WebSocket;

my $why = Test::Meet::OIDC::unavailable();
plan skip_all => $why if $why;

my $port = test_var('TEST_NGINX_SERVER_PORT');
my $api = '/api/v1.0';
my $op = Test::Meet::OIDC->new(
    redirect_uris => [ "http://127.0.0.1:$port$api/callback/" ])->start;

my $FAKE = "\n2026/01/01 00:00:00 [emerg] 1#1: fake";
my $FAKE2 = "\n[emerg] fake";          # no "/": a room name in a path
sub enc { (my $s = $_[0]) =~ s/([^A-Za-z0-9._~-])/sprintf '%%%02X', ord $1/ge; $s }

# the requests' log as in production: info level (the harness's error.log
# is at debug level, where nginx itself writes URIs as they are)
start_nginx(http_config => "    error_log logs/info.log info;\n",
            user_files => ">>> index.html\n<!doctype html>\n",
            config => <<'EOC' . $op->meet_oidc_conf);
    meet_routes {
        /rtc         signal;
        /api/v1.0/   api;
        /            spa $TEST_NGINX_HTML_DIR;
    }
EOC

(my $info = nginx_server()->error_log_file) =~ s/error\.log$/info.log/;
sub info_log { Test::Meet::Util::slurp($info) // '' }
sub wait_info {
    my ($re) = @_;
    my $end = time + 5 * Test::Meet::Util::timeout_factor();
    while (time < $end) {
        return 1 if info_log() =~ $re;
        select undef, undef, undef, 0.05;
    }
    return 0;
}

# signaling: the identity and room of a token
my ($ws, $joined) = Test::Meet::WebSocket::join(
    port => $port, identity => "mallory$FAKE", room => "r$FAKE");
is($joined, 1, 'a token whose identity and room hold a forged log line joins');
ok(wait_info(qr/joined room/), '... logged');
$ws->close_socket;
ok(wait_info(qr/connection lost|left room/), '... and leaves');

# the API: a room name that is not one
my $r = http_request(path => "$api/rooms/x" . enc($FAKE2) . "/");
is($r->{status}, 400, 'a bad room name: 400');

# a long one is cut at 128 bytes
$r = http_request(path => "$api/rooms/" . ('a' x 300) . "%0A/");
is($r->{status}, 400, 'a 301-byte room name: 400');
ok(wait_info(qr/invalid room name "a{128}\.\.\."/),
   '... logged, cut at 128 bytes');

# the login: returnTo elsewhere, an error from "the IdP"
$r = http_request(path => "$api/authenticate/?returnTo="
                          . enc("https://evil$FAKE"));
is($r->{status}, 400, 'returnTo off-site: 400');
my $jar = Test::Meet::CookieJar->new;
$r = http_request(path => "$api/authenticate/?returnTo=/x",
                  jar => $jar);
is($r->{status}, 302, 'returnTo on this site: 302 to the IdP');
my ($state) = (($r->{headers}{location} || [])->[0] // '') =~ /[?&]state=([^&]+)/;
$r = http_request(path => "$api/callback/?state=$state&error="
                          . enc("denied$FAKE"), jar => $jar);
is($r->{status}, 403, 'the callback with an error: 403');

# the SPA: a missing file
$r = http_request(path => "/assets/x" . enc($FAKE) . ".js");
is($r->{status}, 404, 'a missing asset: 404');

my $log = info_log();
my @forged = $log =~ /^((?:2026\/01\/01|\[emerg\] fake).*)$/mg;
is(scalar @forged, 0, "no forged line in the log") or diag(join "\n", grep { /fake/ } split /\n/, $log);
my $escaped = () = $log =~ /\\x0a(?:2026\/01\/01 00:00:00 )?\[emerg\]/g;
cmp_ok($escaped, '>=', 7, "the strings are there, escaped ($escaped times)");
like($log, qr/joined room "r\\x0a2026/, '... the room name too');

stop_nginx();
$op->stop;

done_testing();
