package Test::Meet;

# Test::Meet - project-local replacement for Test::Nginx::Socket.
#
# A test file:
#
#     use lib 't/lib';
#     use Test::Meet;
#     run_tests();
#     __DATA__
#     === TEST 1: name
#     --- config
#         location = /t { return 200 "hello\n"; }
#     --- request
#     GET /t
#     --- response_body
#     hello
#
# Every block gets a fresh nginx (own temp prefix, own ports), started before
# and stopped after the block.  See the SECTIONS / ENVIRONMENT / API comments
# below for everything that is supported.
#
# SECTIONS (Test::Base data sections; filters such as `eval`, `chomp` work)
#   Configuration
#     main_config      top level (after load_module/worker/error_log lines)
#     http_config      inside http {}
#     config           inside the default server {} (127.0.0.1:$TEST_NGINX_SERVER_PORT)
#     stream_config    inside stream {} (block emitted only when non-empty)
#     user_files       ">>> rel/path" lines followed by content; written under
#                      $TEST_NGINX_HTML_DIR
#     init             Perl code run (package main) before nginx starts; the
#                      variables are in %ENV and in Test::Meet::test_vars()
#     no_meet_modules  flag: do not load_module our modules
#     meet_modules     load only these of our modules (names without .so,
#                      e.g. "ngx_meet_routing_module"); the block is skipped
#                      when TEST_NGINX_MODULES is static or none
#     must_die         flag: run `nginx -t` instead of starting, expect failure;
#                      error_log/no_error_log then match its output
#   Request (optional; without one the block only checks start/stop and logs)
#     request          "METHOD /path [HTTP/1.x]" then optional body lines (the
#                      final newline of the body is dropped; use `eval` for
#                      exact bytes).  Host: localhost and Connection: close are
#                      added unless given in more_headers.
#     raw_request      bytes sent as-is (usually with `eval`)
#     more_headers     "Name: value" lines
#     request_port     port number or variable name (TEST_NGINX_PORT_2)
#     request_tls      flag: TLS without certificate verification (SNI localhost)
#     timeout          seconds for the exchange (default 5)
#     ignore_response  flag: send the request, check nothing about the answer
#   Checks
#     error_code       expected status (default 200 when a request is sent)
#     response_headers "Name: value" exact (a multi-valued header matches if
#                      one value or the ", "-joined values equal); "!Name" absent
#     response_headers_like   "Name: regex"
#     response_body    exact body
#     response_body_like      regex (flag s; the section's final newline is
#                             dropped, so use \n or $ to match a final one)
#     response_body_json      JSON text (or Perl data with `eval`), is_deeply
#                             against the decoded body
#     error_log        lines = substrings that must appear in logs/error.log
#                      (with `eval`: a list/arrayref of strings and qr//)
#     no_error_log     same, must not appear
#     wait             seconds to sleep before the log checks
#     no_check_alert   flag: skip the automatic [alert]/[emerg]/clean-shutdown checks
#     allow_crit       flag: skip the automatic [crit] check
#   Automatic checks after every block (each a named assertion): no [alert],
#   no [emerg] (not for must_die), no [crit], clean shutdown (master exits
#   with 0 within the timeout after SIGQUIT), sanitizer reports (when
#   TEST_NGINX_PRELOAD is set) and valgrind reports (TEST_NGINX_VALGRIND).
#
# VARIABLES ($NAME or ${NAME}, substituted in every section except init,
# before filters run)
#   TEST_NGINX_SERVER_PORT  TEST_NGINX_PORT_<N>  TEST_NGINX_UDP_PORT_<N>
#   TEST_NGINX_HTML_DIR  TEST_NGINX_PREFIX  TEST_NGINX_REPO
#   TEST_NGINX_CERT  TEST_NGINX_CERT_KEY (self-signed EC, CN/SAN localhost)
#   any other TEST_NGINX_* from the environment (undefined ones fail the block)
#
# ENVIRONMENT
#   TEST_NGINX_BINARY         nginx binary (default /usr/sbin/nginx)
#   TEST_NGINX_WORKERS        worker_processes (default 1)
#   TEST_NGINX_MODULES        dir of our .so files (default <repo>/build/test/modules,
#                             the build with the test hooks: make test-modules);
#                             "static" or "none": emit no load_module for them
#   TEST_NGINX_STREAM_MODULE  stream module .so path, or "none"
#   TEST_NGINX_LEAVE=1        keep prefix dirs (path printed with diag)
#   TEST_NGINX_VALGRIND=1|leak  run under valgrind (leak: --leak-check=full)
#   TEST_NGINX_VALGRIND_SUPP  suppression files (space separated)
#   TEST_NGINX_VALGRIND_OPTS  extra valgrind options
#   TEST_NGINX_PRELOAD        LD_PRELOAD for nginx (ASan/UBSan runtime)
#   TEST_NGINX_TIMEOUT_FACTOR multiplier for start/stop/request/log timeouts
#                             (default 1, 10 under valgrind)
#
# API (exported; for hand-written tests and later helpers)
#   run_tests(%o)             run the __DATA__ blocks; calls done_testing
#                             unless a plan exists or no_done_testing => 1
#   start_nginx(%sections)    start a server (same section names as above,
#                             plus name => 'label' for assertion names);
#                             returns the Test::Meet::Server object; dies
#                             with logs when it does not start
#   stop_nginx(%o)            stop it, run the automatic checks as assertions
#                             (no_checks => 1 to skip), remove the prefix
#   reload_nginx(\%sections)  optionally replace sections, SIGHUP, wait for
#                             new workers; returns true on success
#   http_request(%a)          see Test::Meet::HTTP::request; port defaults to
#                             the server port and may be a variable name
#   free_port('tcp'|'udp')    a free 127.0.0.1 port, distinct within the process
#   error_log_text($offset)   contents of logs/error.log
#   error_log_size()          current size (an offset for the two calls around)
#   wait_for_log($re_or_str, $secs = 2, $offset)  poll error.log; bool
#   test_var($name)           a variable (ports allocated on first use; before
#                             start_nginx the value is carried into it)
#   test_vars()               hashref of all variables of the current server
#   nginx_pid()               master PID;  nginx_server() the server object
#   Test::Meet::CookieJar     cookie jar (http_request(jar => $jar, ...))
#   Test::More functions are re-exported; strict and warnings are enabled.

use strict;
use warnings;

use Test::More ();
use Test::Base ();    # data block parsing and filters (object API only)
use Carp ();
use JSON::PP ();
use Time::HiRes qw(time sleep);

use Test::Meet::Util qw(timeout_factor trim);
use Test::Meet::Server;
use Test::Meet::HTTP ();
use Test::Meet::Suites ();
use Test::Meet::CookieJar;

our @EXPORT = qw(run_tests start_nginx stop_nginx reload_nginx http_request
                 free_port error_log_text error_log_size wait_for_log
                 test_var test_vars nginx_pid nginx_server);

# The server of the running block / of start_nginx().
our $Current;

# Variables asked for (test_var) before start_nginx(): carried into it.
my %Pending;

# Writing to a socket the server already closed must not kill the test.
$SIG{PIPE} = 'IGNORE';

sub import {
    my ($class, @args) = @_;
    my $caller = caller;
    strict->import;
    warnings->import;
    # Re-export Test::More (plan arguments such as tests => N pass through).
    eval "package $caller; Test::More->import(\@args); 1" or die $@;
    no strict 'refs';
    *{"${caller}::$_"} = \&{"Test::Meet::$_"} for @EXPORT;
}

# Call a Test::More assertion so that a failure is reported at the first
# caller outside the Test::Meet modules (the test file), not inside them.
sub _t {
    my ($fn, @args) = @_;
    my $k = 0;
    while (my @c = caller($k)) {
        last if $c[1] !~ m{Test/Meet(?:\.pm|/)};
        $k++;
    }
    local $Test::Builder::Level = $Test::Builder::Level + $k + 1;
    no strict 'refs';
    return &{"Test::More::$fn"}(@args);
}

sub free_port { Test::Meet::Util::free_port(@_) }

# --------------------------------------------------------------------------
# Data-block runner
# --------------------------------------------------------------------------

my %KNOWN = map { $_ => 1 } qw(
    main_config http_config config stream_config user_files init
    no_meet_modules meet_modules must_die
    request raw_request more_headers request_port request_tls timeout
    ignore_response
    error_code response_headers response_headers_like response_body
    response_body_like response_body_json
    error_log no_error_log wait no_check_alert allow_crit
    ONLY SKIP LAST
);

sub run_tests {
    my (%o) = @_;
    my $tb = Test::Base->new;
    my $blocks = $tb->block_list;
    for my $block (@$blocks) {
        _run_block($block);
    }
    Test::More::done_testing()
        unless $o{no_done_testing} || Test::More->builder->has_plan;
}

sub _sections { @{ $_[0]{_section_order}[0] || [] } }

sub _filters_of {
    my ($block, $sec) = @_;
    my $map = $block->{_section_map}[0] || {};
    return $map->{$sec} ? $map->{$sec}{filters} // '' : '';
}

sub _run_block {
    my ($block) = @_;
    my $name = $block->name // ('block ' . $block->seq_num);
    my $has  = sub { exists $block->{ $_[0] } };

    my @unknown = grep { !$KNOWN{$_} } _sections($block);
    if (@unknown) {
        _t('fail', "$name - known sections");
        Test::More::diag("unknown section(s): @unknown");
        return;
    }

    if ($has->('meet_modules')
        && ($ENV{TEST_NGINX_MODULES} // '') =~ /^(?:static|none)$/)
    {
        SKIP: {
            Test::Meet::Suites::skip_part('dynamic',
                "$name - meet_modules needs dynamic modules", 1);
        }
        return;
    }

    my $srv = eval {
        Test::Meet::Server->new(
            (map { $_ => 1 } grep { $has->($_) }
                qw(no_meet_modules no_check_alert allow_crit)),
            ($has->('meet_modules')
                ? (meet_modules => Test::Meet::Util::trim($block->{meet_modules}[0]))
                : ()))
    };
    unless ($srv) {
        _t('fail', "$name - harness setup");
        Test::More::diag($@);
        return;
    }
    local $Current = $srv;

    my $ok = eval {
        _prepare_block($block, $srv);
        if ($has->('must_die')) {
            _run_must_die($block, $srv, $name);
        } else {
            _run_live($block, $srv, $name);
        }
        1;
    };
    unless ($ok) {
        _t('fail', "$name - harness");
        Test::More::diag($@);
        $srv->stop if $srv->pid;
        Test::More::diag($srv->logs_for_diag);
    }
    $srv->cleanup;
}

# Variables, substitution, filters, init code, sections -> server.
sub _prepare_block {
    my ($block, $srv) = @_;
    my @secs = _sections($block);

    # Raw (unfiltered) texts: allocate every port they mention, so that
    # init code and eval'd sections find them in %ENV.
    $srv->preallocate(map { $block->{$_}[0] } @secs);

    # init runs first (it may set TEST_NGINX_* variables used below).
    if (exists $block->{init}) {
        my $code = $block->{init}[0] // '';
        local $@;
        eval "package main; $code; 1" or die "--- init failed: $@";
    }

    # Substitute $TEST_NGINX_* (not in init: that is Perl code), then run
    # the Test::Base filters (eval, chomp, ...).
    for my $sec (@secs) {
        next if $sec eq 'init';
        my $v = $block->{$sec}[0];
        $block->set_value($sec, $srv->expand($v)) if defined $v;
    }
    $block->run_filters unless $block->is_filtered;

    $srv->set_sections(map { $_ => scalar $block->$_ }
                       grep { exists $block->{$_} }
                       qw(main_config http_config config stream_config
                          user_files));
}

sub _run_must_die {
    my ($block, $srv, $name) = @_;
    $srv->write_user_files($block->user_files) if exists $block->{user_files};
    $srv->write_config;
    my ($code, $out) = $srv->config_test;
    _t('ok', $code > 0, "$name - nginx -t fails")
        or Test::More::diag("nginx -t exit code $code, output:\n$out");
    _check_logs($block, $name, sub { $out . ($srv->error_log_text // '') }, 0);
    _report($srv, $name, must_die => 1,
             no_check_alert => exists $block->{no_check_alert},
             allow_crit     => exists $block->{allow_crit});
}

sub _run_live {
    my ($block, $srv, $name) = @_;
    unless (eval { $srv->start; 1 }) {
        _t('fail', "$name - nginx started");
        Test::More::diag($@);
        # Still surface sanitizer / valgrind reports of the failed start.
        _report($srv, $name, no_check_alert => 1, allow_crit => 1);
        return;
    }

    if (exists $block->{request} || exists $block->{raw_request}) {
        my %req = _block_request($block, $srv);
        my $res = Test::Meet::HTTP::request(%req);
        _check_response($block, $name, $res)
            unless exists $block->{ignore_response};
    }

    _check_logs($block, $name, sub { $srv->error_log_text // '' }, 1);

    $srv->stop;
    _report($srv, $name,
            no_check_alert => exists $block->{no_check_alert},
            allow_crit     => exists $block->{allow_crit});
}

# Emit the automatic checks as assertions.
sub _report {
    my ($srv, $name, %o) = @_;
    for my $c ($srv->check_reports(%o)) {
        _t('ok', $c->[1], "$name - $c->[0]")
            or Test::More::diag($c->[2]);
    }
}

# Request arguments from the request sections of a block.
sub _block_request {
    my ($block, $srv) = @_;
    my %r;
    my $timeout = trim($block->timeout);
    $timeout = 5 unless defined $timeout && $timeout =~ /^\d+(?:\.\d+)?$/;
    $r{timeout} = $timeout * timeout_factor();
    $r{port} = _port_arg($srv, exists $block->{request_port}
                               ? trim($block->request_port) : undef);
    $r{tls} = exists $block->{request_tls} ? 1 : 0;

    if (exists $block->{raw_request}) {
        $r{raw} = join '', map { ref $_ eq 'ARRAY' ? @$_ : $_ }
                           grep { defined } $block->raw_request;
        return %r;
    }

    my $spec = join '', grep { defined } $block->request;
    $spec =~ s/\A\s+//;
    my ($first, $body) = split /\r?\n/, $spec, 2;
    die "--- request: bad request line '" . ($first // '') . "'\n"
        unless defined $first
            && $first =~ m{^(\S+)\s+(\S+)(?:\s+HTTP/(\d\.\d))?\s*$};
    @r{qw(method path)} = ($1, $2);
    $r{http_version} = $3 // '1.1';
    if (defined $body) {
        $body =~ s/\r?\n\z//;
        $r{body} = $body if length $body;
    }

    my @hdrs;
    for my $line (split /\n/, $block->more_headers // '') {
        next unless $line =~ /\S/;
        die "--- more_headers: bad line '$line'\n"
            unless $line =~ /^\s*([^:\s]+)\s*:\s?(.*?)\s*$/;
        push @hdrs, $1, $2;
    }
    $r{headers} = \@hdrs;
    return %r;
}

# A port argument: number, or variable name (with or without '$').
sub _port_arg {
    my ($srv, $p) = @_;
    return $srv->port unless defined $p && length $p;
    return $p if $p =~ /^\d+$/;
    return $srv->var($p);
}

sub _header_values {
    my ($res, $name) = @_;
    my $v = $res->{headers}{ lc $name };
    return $v ? @$v : ();
}

sub _check_response {
    my ($block, $name, $res) = @_;

    unless (defined $res->{status}) {
        _t('fail', "$name - response received");
        Test::More::diag("request failed: " . ($res->{error} // 'unknown error')
                         . "\nreceived: " . ($res->{raw} // ''));
        return;
    }
    Test::More::diag("$name - note: $res->{error}") if $res->{error};

    my $code = exists $block->{error_code} ? trim($block->error_code) : 200;
    _t('is', $res->{status}, $code, "$name - status code");

    if (exists $block->{response_headers}) {
        for my $line (split /\n/, $block->response_headers // '') {
            next unless $line =~ /\S/;
            if ($line =~ /^\s*!\s*([^:\s]+)\s*$/) {
                my @v = _header_values($res, $1);
                _t('ok', !@v, "$name - header $1 absent")
                    or Test::More::diag("$1: @v");
            } elsif ($line =~ /^\s*([^:\s]+)\s*:\s?(.*?)\s*$/) {
                my ($h, $want) = ($1, $2);
                my @v = _header_values($res, $h);
                if (!@v) {
                    _t('fail', "$name - header $h");
                    Test::More::diag("header $h missing; expected '$want'");
                } elsif (grep { $_ eq $want } @v) {
                    _t('pass', "$name - header $h");
                } else {
                    _t('is', join(', ', @v), $want, "$name - header $h");
                }
            } else {
                die "--- response_headers: bad line '$line'\n";
            }
        }
    }

    if (exists $block->{response_headers_like}) {
        for my $line (split /\n/, $block->response_headers_like // '') {
            next unless $line =~ /\S/;
            die "--- response_headers_like: bad line '$line'\n"
                unless $line =~ /^\s*([^:\s]+)\s*:\s?(.*?)\s*$/;
            my ($h, $re) = ($1, $2);
            my @v = _header_values($res, $h);
            if (!@v) {
                _t('fail', "$name - header $h like");
                Test::More::diag("header $h missing; expected /$re/");
            } else {
                _t('like', join(', ', @v), qr/$re/, "$name - header $h like");
            }
        }
    }

    if (exists $block->{response_body}) {
        my $want = join '', grep { defined } $block->response_body;
        _t('is', $res->{body}, $want, "$name - response_body");
    }

    if (exists $block->{response_body_like}) {
        my ($pat) = $block->response_body_like;
        # The section's final newline is not part of the pattern.
        $pat =~ s/\r?\n\z// if defined $pat && !ref $pat;
        my $re = ref $pat eq 'Regexp' ? $pat : qr/$pat/s;
        _t('like', $res->{body}, $re, "$name - response_body_like");
    }

    if (exists $block->{response_body_json}) {
        my ($want) = $block->response_body_json;
        my $json = JSON::PP->new->allow_nonref;
        my $ok = eval {
            $want = $json->decode($want) unless ref $want;
            my $got = $json->decode($res->{body});
            _t('is_deeply', $got, $want, "$name - response_body_json")
                or Test::More::diag("body: $res->{body}");
            1;
        };
        unless ($ok) {
            _t('fail', "$name - response_body_json");
            Test::More::diag("JSON decode failed: $@body: $res->{body}");
        }
    }
}

# Patterns of an error_log / no_error_log section: lines (literal substrings)
# or, with `eval`, strings / qr// / arrayrefs of them.
sub _log_patterns {
    my ($block, $sec) = @_;
    return () unless exists $block->{$sec};
    my @v = grep { defined } $block->$sec;
    if (_filters_of($block, $sec) =~ /\beval\b/) {
        return grep { ref $_ eq 'Regexp' || length }
               map { ref $_ eq 'ARRAY' ? @$_ : $_ } @v;
    }
    return grep { length } map { trim($_) } map { split /\n/ } @v;
}

sub _pat_text { ref $_[0] eq 'Regexp' ? "$_[0]" : "'$_[0]'" }

# error_log / no_error_log checks.  $text_cb returns the text to search;
# $live: poll (logs are written after the response), else check once.
sub _check_logs {
    my ($block, $name, $text_cb, $live) = @_;
    my @want = _log_patterns($block, 'error_log');
    my @not  = _log_patterns($block, 'no_error_log');
    my $t0 = time;

    if (exists $block->{wait}) {
        my $w = trim($block->wait);
        sleep $w if defined $w && $w =~ /^\d+(?:\.\d+)?$/ && $w <= 600;
    }
    return unless @want || @not;

    my $text = $text_cb->();
    if ($live) {
        # Poll (bounded) until every wanted pattern shows up ...
        my $deadline = $t0 + 2 * timeout_factor();
        while (grep { !Test::Meet::Server::_matches($text, $_) } @want) {
            last if time > $deadline;
            sleep 0.02;
            $text = $text_cb->();
        }
        # ... and give late log lines 200 ms before checking absences.
        if (@not && time - $t0 < 0.2) {
            sleep 0.2 - (time - $t0);
            $text = $text_cb->();
        }
    }

    for my $p (@want) {
        _t('ok', Test::Meet::Server::_matches($text, $p),
                       "$name - error_log has " . _pat_text($p))
            or Test::More::diag("pattern not found in "
                                . ($live ? 'logs/error.log' : 'nginx -t output'));
    }
    for my $p (@not) {
        my $found = Test::Meet::Server::_matches($text, $p);
        _t('ok', !$found, "$name - no_error_log " . _pat_text($p))
            or Test::More::diag("matching lines:\n" . join "\n",
                grep { Test::Meet::Server::_matches($_, $p) } split /\n/, $text);
    }
}

# --------------------------------------------------------------------------
# API for hand-written tests
# --------------------------------------------------------------------------

sub _need_server {
    return $Current if $Current;
    Carp::croak("no nginx started (call start_nginx first)");
}

sub start_nginx {
    my (%o) = @_;
    require Carp;
    Carp::croak("nginx already started; call stop_nginx first")
        if $Current && $Current->pid;
    my $srv = Test::Meet::Server->new(%o);
    $srv->_set_var($_, delete $Pending{$_}) for keys %Pending;
    $srv->{label} = $o{name} // 'nginx';
    unless (eval {
        $srv->preallocate(grep { defined && !ref } values %o);
        $srv->start;
        1;
    }) {
        my $err = $@;
        $srv->cleanup;
        die $err;
    }
    $Current = $srv;
    return $srv;
}

sub stop_nginx {
    my (%o) = @_;
    my $srv = $Current or return undef;
    my $res = $srv->stop;
    unless ($o{no_checks}) {
        _report($srv, $srv->{label} // 'nginx',
                no_check_alert => $o{no_check_alert} // $srv->opt('no_check_alert'),
                allow_crit     => $o{allow_crit} // $srv->opt('allow_crit'));
    }
    $srv->cleanup;
    $Current = undef;
    return $res;
}

sub reload_nginx {
    my %s = @_ == 1 && ref $_[0] eq 'HASH' ? %{ $_[0] } : @_;
    my $srv = _need_server();
    my $ok = $srv->reload(%s);
    Test::More::diag("reload failed: $srv->{reload_error}") unless $ok;
    return $ok;
}

# http_request(method => 'GET', path => '/x', headers => {...}, body => '',
#              port => $p | 'TEST_NGINX_PORT_2', tls => 0, timeout => 5,
#              raw => $bytes, jar => $cookie_jar)
sub http_request {
    my (%a) = @_;
    my $srv = $Current;
    if (!defined $a{port} || $a{port} !~ /^\d+$/) {
        $srv //= _need_server();
        $a{port} = _port_arg($srv, $a{port});
    }
    $a{timeout} = ($a{timeout} // 5) * timeout_factor();
    return Test::Meet::HTTP::request(%a);
}

sub error_log_text { _need_server()->error_log_text(@_) }
sub error_log_size { _need_server()->error_log_size }

sub wait_for_log {
    my ($pat, $timeout, $offset) = @_;
    return _need_server()->wait_for_log($pat, ($timeout // 2) * timeout_factor(),
                                        $offset);
}

sub test_var {
    my ($name) = @_;
    $name =~ s/^\$//;
    return $Current->var($name) if $Current;
    # Before start_nginx: allocate now, hand over at start.
    return $Pending{$name} //=
          $name =~ /^TEST_NGINX_(?:SERVER_)?PORT(?:_\d+)?$/ ? free_port('tcp')
        : $name =~ /^TEST_NGINX_UDP_PORT_\d+$/             ? free_port('udp')
        : $name eq 'TEST_NGINX_REPO'                       ? $Test::Meet::Server::REPO
        : defined $ENV{$name}                              ? $ENV{$name}
        : die "undefined variable \$$name\n";
}

sub test_vars { $Current ? $Current->vars : { %Pending } }

sub nginx_pid    { $Current ? $Current->pid : undef }
sub nginx_server { $Current }

1;
