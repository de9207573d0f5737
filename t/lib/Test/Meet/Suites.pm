package Test::Meet::Suites;

# The one skip policy of the test suite: a test that needs a component
# (node, Chromium, clang/libFuzzer, PostgreSQL, Redis, oidc-provider, ...)
# names the suite it belongs to and says why it cannot run; skipping is
# an error unless that suite was asked to be skipped by name
# (MEET_SKIP, which "make test SKIP=browser,fuzz" sets).
#
#   use Test::Meet::Suites;
#   Test::Meet::Suites::need('redis', Test::Meet::Redis::unavailable());
#       # whole file (or subtest): returns when the reason is undef; with a
#       # reason, skip_all when 'redis' is in MEET_SKIP, else a failed
#       # assertion saying what is missing and how to get it, and the test
#       # dies
#   SKIP: {
#       Test::Meet::Suites::skip_part('postgres', $why, 3);
#       ...                              # a part of a file: skip() or fail
#   }
#
# Every decision is appended to MEET_SUITES_LOG when it is set ("make test"
# sets it): suite, ran|skipped|missing, test file, reason.  summary()
# prints which suites ran and which were skipped, and fails on a test that
# skipped without being asked (any "# SKIP" in the TAP kept by
# scripts/prove-exec.sh whose reason is not one of ours).  preflight()
# checks every suite before a whole run, so a missing component stops
# "make test" at once with the list of what to install.

use strict;
use warnings;

use Test::More ();
use Fcntl qw(:flock);
use Cwd ();

# suite => [what it needs, how to get it]
our %SUITES = (
    node     => [ 'Node.js 20 or newer and t/node/node_modules',
                  'make node-deps (installs Node.js into build/node when '
                  . 'the node on PATH is older)' ],
    browser  => [ 'Chromium, Node.js 20 with playwright-core, and network '
                  . 'namespaces (root, iproute2)',
                  'scripts/install-deps.sh test && make node-deps, as root' ],
    oidc     => [ 'oidc-provider (t/node/node_modules) on Node.js 20',
                  'make node-deps' ],
    web      => [ 'the web app (build/web, web/node_modules)', 'make web' ],
    fuzz     => [ 'clang and its libFuzzer runtime',
                  'scripts/install-deps.sh test (clang, libclang-rt-14-dev)' ],
    postgres => [ 'PostgreSQL 15 and setpriv',
                  'scripts/install-deps.sh test (postgresql, util-linux)' ],
    redis    => [ 'redis-server', 'scripts/install-deps.sh test (redis-server)' ],
    dynamic  => [ 'the modules as .so files',
                  'a dynamic build (make test), not the static binary' ],
    soak     => [ 'a server at full speed (t/soak: native libwebrtc '
                  . 'participants do not wait for one under valgrind)',
                  'make test or make test-asan (make test-valgrind skips '
                  . 'it by name)' ],
    devports => [ "127.0.0.1:7880 free for conf-examples/dev.conf",
                  'stop what listens on 127.0.0.1:7880 (make run?)' ],
);

sub _check_suite {
    my ($suite) = @_;
    die "Test::Meet::Suites: unknown suite '$suite' (known: "
        . join(' ', sort keys %SUITES) . ")\n" unless $SUITES{$suite};
}

# the suites named in MEET_SKIP (comma or space separated)
sub asked {
    my %a = map { $_ => 1 } grep { length } split /[\s,]+/, $ENV{MEET_SKIP} // '';
    return \%a;
}

my %recorded;

sub _record {
    my ($suite, $state, $why) = @_;
    my $log = $ENV{MEET_SUITES_LOG} or return;
    return if $recorded{"$suite $state"}++;
    (my $w = $why // '') =~ s/[\t\n]+/ /g;
    # the test as prove names it (a test re-executed in a network
    # namespace runs as an absolute path)
    my $cwd = Cwd::getcwd() // '';
    (my $file = $0) =~ s{^\Q$cwd\E/}{};
    open my $fh, '>>', $log or return;
    flock $fh, LOCK_EX;
    print $fh join("\t", $suite, $state, $file, $w), "\n";
    close $fh;
}

sub _missing_text {
    my ($suite, $why) = @_;
    my ($what, $how) = @{ $SUITES{$suite} };
    return "suite '$suite' cannot run: $why\n"
         . "  it needs: $what\n"
         . "  get it:   $how\n"
         . "  or skip it on purpose: make test SKIP=$suite "
         . "(prove: MEET_SKIP=$suite)";
}

# The reason of a skip the policy allowed: summary() recognises it.
sub _skip_reason { "SKIP=$_[0]: $_[1]" }

sub need {
    my ($suite, $why) = @_;
    _check_suite($suite);
    unless ($why) {
        _record($suite, 'ran');
        return 1;
    }
    if (asked()->{$suite}) {
        _record($suite, 'skipped', $why);
        Test::More::plan(skip_all => _skip_reason($suite, $why));
        return 0;    # not reached: skip_all exits
    }
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    _record($suite, 'missing', $why);
    Test::More::fail("suite '$suite' can run");
    Test::More::diag(_missing_text($suite, $why));
    die "suite '$suite' cannot run: $why\n";
}

sub skip_part {
    my ($suite, $why, $count) = @_;
    _check_suite($suite);
    unless ($why) {
        _record($suite, 'ran');
        return 1;
    }
    if (asked()->{$suite}) {
        _record($suite, 'skipped', $why);
        Test::More::skip(_skip_reason($suite, $why), $count);  # last SKIP
    }
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    _record($suite, 'missing', $why);
    Test::More::fail("suite '$suite' can run");
    Test::More::diag(_missing_text($suite, $why));
    no warnings 'exiting';
    last SKIP;
}

# Why each suite cannot run here (undef: it can).
sub availability {
    require Test::Meet::Node;
    require Test::Meet::OIDC;
    require Test::Meet::Postgres;
    require Test::Meet::Redis;
    require Test::Meet::Browser;
    require Test::Meet::Netns;
    my $repo = $Test::Meet::Node::REPO;
    my %why;
    $why{node} = Test::Meet::Node::unavailable();
    $why{oidc} = Test::Meet::OIDC::unavailable();
    $why{browser} = Test::Meet::Browser::unavailable()
                    // Test::Meet::Netns::unavailable();
    $why{web} = -f "$repo/web/node_modules/esbuild/package.json"
                && -f "$repo/build/web/index.html"
                ? undef : 'the web app is not built';
    $why{fuzz} = fuzz_unavailable();
    $why{postgres} = Test::Meet::Postgres::unavailable();
    $why{redis} = Test::Meet::Redis::unavailable();
    $why{dynamic} = ($ENV{TEST_NGINX_MODULES} // '') =~ /^(?:static|none)$/
                    ? 'the nginx under test has the modules compiled in'
                    : undef;
    $why{devports} = devports_unavailable();
    return \%why;
}

sub fuzz_unavailable {
    my ($clang) = grep { system("command -v $_ > /dev/null 2>&1") == 0 }
                  ($ENV{FUZZ_CC} || ()), 'clang-14', 'clang';
    return 'clang is not installed' unless $clang;
    my $rtdir = `$clang --print-runtime-dir 2>/dev/null`;
    chomp $rtdir;
    return "the libFuzzer runtime is not in $rtdir"
        unless glob("$rtdir/libclang_rt.fuzzer*.a");
    return undef;
}

sub devports_unavailable {
    require IO::Socket::IP;
    my $s = IO::Socket::IP->new(PeerHost => '127.0.0.1', PeerPort => 7880,
                                Timeout => 1);
    return $s ? 'something listens on 127.0.0.1:7880' : undef;
}

# Before a whole run: every suite not asked to skip must be able to run.
# Returns the exit status (0 or 1).
sub preflight {
    my $asked = asked();
    my @bad = grep { !$SUITES{$_} } sort keys %$asked;
    if (@bad) {
        print STDERR "make test: unknown suite(s) in SKIP: @bad (known: "
                   . join(' ', sort keys %SUITES) . ")\n";
        return 1;
    }
    my $why = availability();
    my @missing = grep { $why->{$_} && !$asked->{$_} } sort keys %SUITES;
    return 0 unless @missing;
    print STDERR "make test: these suites cannot run here, and none may be "
               . "skipped unless asked by name:\n";
    print STDERR _missing_text($_, $why->{$_}) =~ s/^/  /mgr, "\n"
        for @missing;
    print STDERR "make test: install what is missing, or run "
               . "make test SKIP=" . join(',', @missing) . "\n";
    return 1;
}

# After a run: which suites ran and which were skipped; any skip the
# policy did not allow fails the run.  $tap_dir holds each test's TAP
# (scripts/prove-exec.sh).  Returns the exit status.
sub summary {
    my ($log, $tap_dir) = @_;
    my (%files, @lines);
    if ($log && open my $fh, '<', $log) {
        while (<$fh>) {
            chomp;
            my ($suite, $state, $file, $why) = split /\t/;
            next unless $state;
            $files{$suite}{$state}{$file} = $why;
        }
    }
    my $status = 0;
    my $asked = asked();
    my (@ran, @skipped, @missing, @unused);
    for my $s (sort keys %SUITES) {
        my $st = $files{$s} || {};
        push @ran, "$s (" . keys(%{ $st->{ran} || {} }) . ")" if $st->{ran};
        push @skipped, "$s (" . keys(%{ $st->{skipped} }) . ", asked)"
            if $st->{skipped};
        push @missing, "$s (" . join(', ', sort keys %{ $st->{missing} }) . ")"
            if $st->{missing};
        push @unused, $s unless %$st;
    }
    print "=== suites (test files in parentheses)\n";
    print "ran:     ", (@ran ? join(', ', @ran) : 'none'), "\n";
    print "skipped: ", (@skipped ? join(', ', @skipped) : 'none'),
          (%$asked ? "  [SKIP=" . join(',', sort keys %$asked) . "]" : ''), "\n";
    print "not needed by the tests run: @unused\n" if @unused;
    if (@missing) {
        print "MISSING (not asked to skip): ", join(', ', @missing), "\n";
        $status = 1;
    }
    my @stray;
    for my $f (sort glob("$tap_dir/*.tap")) {
        open my $fh, '<', $f or next;
        (my $t = $f) =~ s{.*/}{};
        $t =~ s/\.tap$//;
        $t =~ tr{_}{/};
        while (my $l = <$fh>) {
            my $why;
            if ($l =~ /^\s*1\.\.0\s*#\s*skip\b\s*(.*)$/i
                || $l =~ /^\s*(?:not )?ok\b[^#]*#\s*skip\b\s*(.*)$/i)
            {
                $why = $1;
            } else {
                next;
            }
            next if $why =~ /^SKIP=([\w-]+):/ && $asked->{$1};
            push @stray, "$t: $why";
        }
    }
    if (@stray) {
        print "SKIPPED WITHOUT BEING ASKED (route the skip through "
            . "Test::Meet::Suites):\n", map { "  $_\n" } @stray;
        $status = 1;
    }
    return $status;
}

1;
