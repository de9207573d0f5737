# Issue 5: the meeting web app (web/), built by web/build.mjs as `make web`
# does, served by nginx through meet_routes ("/ spa", "/api/v1.0/ api",
# "/rtc signal") and driven through its own UI by headless Debian Chromium
# (t/node/browser-webapp.mjs): create a room, copy the link, a second page
# joins by the link, both see and decode each other, camera off shows the
# avatar, leaving removes the tile; error screens for a denied camera, an
# unreachable server, a refused token (anonymous rooms off), a full room
# (meet_signal_max_participants 1) and a media path that cannot form (the
# page's ICE forced to relay-only); a third page joins over TLS on port 443
# with wss derived from the page's origin; chat (a text stream on lk.chat)
# and a reaction (Meet's publishData JSON) between the two pages, which
# need the SCTP data channels (issue 11).  Screenshots of every step:
# t/browser/out/webapp/.  Also: the built files name no external URL.
# In a network namespace of the test's own, as 10-join.t.
#
#   prove -v t/browser/70-webapp.t     (as root; fails like 10-join.t, and
#                                       without web/node_modules: make web)
use lib 't/lib';
use Test::Meet;
use Test::Meet::Node;
use Test::Meet::Netns;
use Test::Meet::Browser ();
use Test::Meet::Util qw(run_command);
use File::Path qw(make_path remove_tree);
use File::Find ();

my $CHROMIUM = $ENV{MEET_CHROMIUM} // '/usr/bin/chromium';
my $repo = $Test::Meet::Node::REPO;

# fails without Chromium, node 20, the npm packages or the web app's
# packages (skips with SKIP=browser / SKIP=web); then in our own network
# namespace
Test::Meet::Browser::enter(timeout => 330, also => [ [ web => sub {
    -f "$repo/web/node_modules/livekit-client/package.json"
        && -f "$repo/web/node_modules/esbuild/package.json"
        ? undef : 'web/node_modules is missing: run make web' } ] ]);

my $out = "$repo/t/browser/out/webapp";
remove_tree($out);
make_path($out);

# --- the app, built as "make web" builds it ----------------------------------
my $web = "$out/web";
my ($code, $text) = run_command(argv => [Test::Meet::Node::node_binary(),
                                         "$repo/web/build.mjs", $web],
                                timeout => 60);
ok($code == 0 && -s "$web/index.html", 'web app built (web/build.mjs)') or diag($text);

# No external URL anywhere in what the page loads: it must work without
# the Internet (no CDN, fonts, analytics).  Allowed, because they are names
# and never fetched: RTP header extension URIs that WebRTC puts into SDP
# (a=extmap, RFC 8285; livekit-client names the AV1 dependency descriptor
# by its spec URL).  licenses.txt (the bundled packages' license texts,
# which cite apache.org) is read by people, never loaded by the page.
my @files;
File::Find::find(sub { push @files, $File::Find::name if -f }, $web);
my ($licenses) = grep { m{/licenses\.txt$} } @files;
@files = grep { !m{/licenses\.txt$} } @files;
ok($licenses && do { local (@ARGV, $/) = $licenses; <> } =~ /^livekit-client 2\.21\.0 \(Apache-2\.0\)$/m,
   'licenses.txt names the bundled livekit-client and its license');
my %allowed = map { $_ => 1 }
    'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension';
my @external;
for my $f (@files) {
    open my $fh, '<:raw', $f or next;
    local $/;
    my $body = <$fh>;
    while ($body =~ m{((?:https?|wss?|ftp):)?//([A-Za-z0-9.-]+\.[A-Za-z]{2,}|\[[0-9a-fA-F:]+\]|\d+\.\d+\.\d+\.\d+)([^\s"'`<>)]*)}g) {
        my ($scheme, $host, $rest) = ($1, $2, $3);
        next unless $scheme;    # "//" in code and regexes: only schemes count
        my $url = "$scheme//$host$rest";
        push @external, "$f: $url" unless $allowed{$url};
    }
}
ok(@files >= 3, 'built files: ' . join(', ', map { s{^\Q$web\E/}{}r } sort @files));
is(join("\n", @external), '', 'the built files name no external URL');

note('network namespace ' . Test::Meet::Netns::name());

# Four servers of one nginx, all in this namespace:
#   main (TEST_NGINX_SERVER_PORT): the embedded default, as dev.conf
#   TEST_NGINX_PORT_2: anonymous rooms off -> the room endpoint says 403
#   TEST_NGINX_PORT_3: rooms capped at one participant
#   127.0.0.1:443 with TLS: the same app over https and wss
my $routes = <<"EOR";
        meet_routes {
            /rtc         signal;
            /api/v1.0/   api;
            /            spa $web;
        }
EOR
test_var('TEST_NGINX_PORT_2');
test_var('TEST_NGINX_PORT_3');
start_nginx(name => 'browser-webapp', http_config => <<"EOH", config => <<"EOC", stream_config => <<'EOS');
large_client_header_buffers 4 32k;
types {
    text/html                html;
    text/css                 css;
    application/javascript   js;
    text/plain               txt;
}
server {
    listen 127.0.0.1:\$TEST_NGINX_PORT_2;
    server_name off;
    meet_api_anonymous_rooms off;
$routes}
server {
    listen 127.0.0.1:\$TEST_NGINX_PORT_3;
    server_name full;
    meet_api_anonymous_rooms on;
    meet_signal_max_participants 1;
$routes}
server {
    listen 127.0.0.1:443 ssl;
    server_name tls;
    ssl_certificate     \$TEST_NGINX_CERT;
    ssl_certificate_key \$TEST_NGINX_CERT_KEY;
    meet_api_anonymous_rooms on;
$routes}
EOH
meet_api_anonymous_rooms on;
$routes
EOC
server {
    listen 127.0.0.1:$TEST_NGINX_UDP_PORT_1 udp;
    meet_rtp;
}
EOS

my $r = Test::Meet::Node::run_cases(
    script  => 'browser-webapp.mjs',
    timeout => 270,
    env     => {
        MEET_PORT      => test_var('TEST_NGINX_SERVER_PORT'),
        MEET_PORT_OFF  => test_var('TEST_NGINX_PORT_2'),
        MEET_PORT_FULL => test_var('TEST_NGINX_PORT_3'),
        MEET_TLS_PORT  => 443,
        MEET_OUT       => $out,
        MEET_CHROMIUM  => $CHROMIUM,
    });

like(error_log_text(), qr/meet api: token for room "[a-z]{3}-[a-z]{4}-[a-z]{3}"/,
     'server log: the room endpoint minted a token for the created room');
like(error_log_text(), qr/meet api: no token for room "[^"]+": anonymous access is off/,
     'server log: the server without anonymous rooms refused a token');

{
    open my $fh, '>', "$out/nginx-error.log";
    print $fh error_log_text() // '' if $fh;
}

stop_nginx();
done_testing();
