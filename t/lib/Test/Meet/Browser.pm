package Test::Meet::Browser;

# What every t/browser/*.t shares: the checks of what it needs, the move into a network
# namespace of the test's own, the livekit-client bundle, and the nginx
# under test that serves the test pages, the bundle and /rtc.
#
#   use Test::Meet::Browser;
#   my $b = Test::Meet::Browser::setup(timeout => 140);  # fails, skips
#                                          # (SKIP=browser) or returns
#   Test::Meet::Browser::start(name => 'browser-media',
#                              stream => "meet_rtp_test_drop 20;\n");
#   ... Test::Meet::Node::run_cases(..., env => { %{ $b->{env} }, ... });
#   Test::Meet::Browser::save_log('media');
#   stop_nginx();

use strict;
use warnings;
use Test::More;
use File::Path qw(make_path);
use Test::Meet;
use Test::Meet::Node;
use Test::Meet::Netns;
use Test::Meet::Suites;
use Test::Meet::Util qw(run_command);

our $CHROMIUM = $ENV{MEET_CHROMIUM} // '/usr/bin/chromium';
my $Out;

# undef when the browser tests can run here (network namespaces aside:
# Test::Meet::Netns::unavailable), else why not.  Options: modules =>
# [more npm packages of t/node].
sub unavailable {
    my (%o) = @_;
    return "$CHROMIUM is not installed (apt-get install chromium)"
        unless -x $CHROMIUM;
    return Test::Meet::Node::unavailable(
        modules => [qw(playwright-core esbuild), @{ $o{modules} || [] }]);
}

# The browser suite's start of a test: fails (or skips, when asked with
# SKIP=browser: Test::Meet::Suites) without Chromium, node >= 20, the npm
# packages or network namespaces, and without what "also" returns (a
# reason; e.g. the web app); then runs the rest of the test inside a
# network namespace of its own (the parent ends it after timeout
# seconds).  Returns nothing: the caller goes on inside the namespace.
sub enter {
    my (%a) = @_;
    unless (Test::Meet::Netns::inside()) {
        my $why = unavailable(modules => $a{modules})
                  // Test::Meet::Netns::unavailable();
        Test::Meet::Suites::need('browser', $why);
        Test::Meet::Suites::need($_->[0], $_->[1]->()) for @{ $a{also} || [] };
    }
    my $why = Test::Meet::Netns::run_inside(timeout => $a{timeout} // 140);
    Test::Meet::Suites::need('browser', $why);
}

# enter(), then bundles livekit-client (one test).  Returns {chromium,
# out, node_dir, repo, env}: env has the MEET_* variables the node
# scripts read.
sub setup {
    my (%a) = @_;
    enter(timeout => $a{timeout});

    my $node_dir = Test::Meet::Node::dir();
    my $repo = $Test::Meet::Node::REPO;
    $Out = "$repo/t/browser/out";
    make_path($Out);

    my ($code, $text) = run_command(
        argv => [Test::Meet::Node::node_binary(), "$node_dir/build-bundle.mjs"],
        timeout => 30);
    ok($code == 0 && -s "$node_dir/build/livekit-client.js",
       'livekit-client bundled with esbuild') or diag($text);

    note('network namespace ' . Test::Meet::Netns::name());

    return { chromium => $CHROMIUM, out => $Out, node_dir => $node_dir,
             repo => $repo,
             env => { MEET_OUT => $Out, MEET_CHROMIUM => $CHROMIUM } };
}

# The http server of the tests: /rtc, the pages (/test/), the bundle
# (/test/lib/), /healthz; "config" is added to it, "stream" to the
# meet_rtp server, "listen" replaces its UDP listen line (e.g. a TCP one
# for ICE-TCP).  Other start_nginx() arguments pass through.
sub start {
    my (%a) = @_;
    my $config = delete($a{config}) // '';
    my $stream = delete($a{stream}) // '';
    my $listen = delete($a{listen})
        // "listen 127.0.0.1:\$TEST_NGINX_UDP_PORT_1 udp;";
    return start_nginx(%a, config => <<"EOC" . $config, stream_config => <<"EOS");
large_client_header_buffers 4 32k;
types {
    text/html                html;
    application/javascript   js;
}

location /rtc {
    meet_signal;
}

location /test/lib/ {
    alias \$TEST_NGINX_REPO/t/node/build/;
}

location /test/ {
    alias \$TEST_NGINX_REPO/t/browser/www/;
}

location = /healthz {
    meet_health;
}

location = /favicon.ico {
    return 204;
}
EOC
server {
    $listen
    meet_rtp;
$stream}
EOS
}

# the error log of the nginx under test, kept as out/<name>-nginx-error.log
sub save_log {
    my ($name) = @_;
    open my $fh, '>', "$Out/$name-nginx-error.log" or return;
    print $fh error_log_text() // '';
    close $fh;
}

1;
