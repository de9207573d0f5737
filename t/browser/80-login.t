# Issue 6: logging in through the web app in headless Debian Chromium.
# nginx serves the app ("/ spa"), the api with a meet_oidc block, and the
# signaling; a real OpenID Provider (npm oidc-provider, plain HTTP on
# loopback, which meet_oidc allows for loopback issuers only) logs its test
# user in by itself.  t/node/browser-login.mjs drives: "Log in" on the home
# screen -> the OP -> back signed in, the pre-join name from the account,
# the room token naming the user, "Log out" (through the OP's confirmation)
# -> signed out.  Screenshots: t/browser/out/login/.  In a network
# namespace of the test's own, as 10-join.t.
#
#   prove -v t/browser/80-login.t      (as root; fails like 70-webapp.t)
use lib 't/lib';
use Test::Meet;
use Test::Meet::Node;
use Test::Meet::Netns;
use Test::Meet::Browser ();
use Test::Meet::OIDC;
use File::Path qw(make_path remove_tree);

my $CHROMIUM = $ENV{MEET_CHROMIUM} // '/usr/bin/chromium';
my $repo = $Test::Meet::Node::REPO;

Test::Meet::Browser::enter(timeout => 240, also => [
    [ oidc => \&Test::Meet::OIDC::unavailable ],
    [ web => sub { -f "$repo/build/web/index.html"
                   ? undef : 'the web app is not built: make web' } ] ]);

my $out = "$repo/t/browser/out/login";
remove_tree($out);
make_path($out);

my $port = test_var('TEST_NGINX_SERVER_PORT');
my $base = "http://127.0.0.1:$port";
my $op = Test::Meet::OIDC->new(
    alg => 'ES256',
    users => [ { sub => 'alice', email => 'alice@example.test',
                 name => 'Alice Liddell', given_name => 'Alice' } ],
    redirect_uris => [ "$base/api/v1.0/callback/" ],
    post_logout_redirect_uris => [ "$base/api/v1.0/logout-callback/" ],
)->start;

my ($issuer, $id, $secret) = ($op->issuer, $op->client_id, $op->client_secret);
start_nginx(name => 'browser-login', http_config => <<'EOH', config => <<"EOC", stream_config => <<'EOS');
types {
    text/html                html;
    text/css                 css;
    application/javascript   js;
    text/plain               txt;
}
EOH
meet_api_anonymous_rooms off;
meet_routes {
    /rtc         signal;
    /api/v1.0/   api;
    /            spa $repo/build/web;
}
meet_oidc {
    issuer         $issuer;
    client_id      $id;
    client_secret  $secret;
}
EOC
server {
    listen 127.0.0.1:$TEST_NGINX_UDP_PORT_1 udp;
    meet_rtp;
}
EOS

Test::Meet::Node::run_cases(
    script  => 'browser-login.mjs',
    timeout => 180,
    env     => { MEET_PORT => $port, MEET_OUT => $out, MEET_CHROMIUM => $CHROMIUM });

like(error_log_text(), qr/meet oidc: "alice" \(alice\@example\.test\) logged in/,
     'server log: the login');
like(error_log_text(), qr/meet api: token for room "standup-login", user "[0-9a-f-]{36}"/,
     'server log: a token for the user (anonymous rooms are off)');
like(error_log_text(), qr/meet session: session of "alice" ended \(logout\)/,
     'server log: the logout');

{
    open my $fh, '>', "$out/nginx-error.log";
    print $fh error_log_text() // '' if $fh;
}

stop_nginx();
done_testing();
