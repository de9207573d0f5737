package Test::Meet::Netns;

# Runs a test file inside a network namespace of its own, so that WebRTC
# traffic (browsers, media) can only reach addresses the test created.
#
#   use lib 't/lib';
#   use Test::Meet::Netns;
#   BEGIN {   # or at the top, before any test output
#       Test::Meet::Suites::need('browser',
#           Test::Meet::Netns::run_inside(timeout => 60));
#   }
#   # from here on we are inside the namespace
#   my $ns   = Test::Meet::Netns::name();      # e.g. meet-12345-ab12
#   my $addr = Test::Meet::Netns::address();   # 203.0.113.1
#
# run_inside() in the original process: checks that it can work (root,
# `ip netns`), creates the namespace (lo up; a veth pair with both ends
# inside, 203.0.113.1/24 on one end: webrtc-test-rig.md section 3; the
# namespace has no route out), then re-executes the same test file with the
# same perl and @INC under `ip netns exec`, with MEET_NETNS=<name> in the
# environment.  Test output goes straight to prove.  The original process
# waits at most `timeout` seconds (times TEST_NGINX_TIMEOUT_FACTOR), ends
# every process inside the namespace when the child is over or timed out
# (they can only be ours: the namespace is new), deletes the namespace and
# exits with the child's status.  It never returns then.
#
# In the re-executed child run_inside() returns undef at once.  It returns
# a reason (for Test::Meet::Suites::need) when the namespace cannot be
# made: not root, no `ip`, or namespaces not permitted.  unavailable()
# checks that before a run (it makes and deletes a namespace).
#
# Other options: addr => '203.0.113.1/24' (the veth address), peer_addr =>
# '203.0.113.2/24' (optional address of the other end), keep_env => [...].

use strict;
use warnings;

use POSIX qw(WNOHANG setpgid _exit);
use Time::HiRes qw(time sleep);
use File::Spec;
use Cwd qw(abs_path);

use Test::Meet::Util qw(timeout_factor run_command);

my %Info;

sub name    { $ENV{MEET_NETNS} }
sub address { (split m{/}, $ENV{MEET_NETNS_ADDR} // '203.0.113.1/24')[0] }
sub inside  { defined $ENV{MEET_NETNS} && length $ENV{MEET_NETNS} }

sub _ip {
    for my $d (qw(/usr/sbin /sbin /usr/bin /bin), split /:/, $ENV{PATH} // '') {
        return "$d/ip" if length $d && -x "$d/ip";
    }
    return undef;
}

# run `ip @args` (bounded): (success, output)
sub _run_ip {
    my ($ip, @args) = @_;
    my ($code, $out) = run_command(argv => [$ip, @args], timeout => 10);
    return ($code == 0, $out // '');
}

sub _cleanup {
    my ($ip, $ns) = @_;
    return unless $ns;
    # every process still inside the namespace: only ours can be there
    for my $round (1 .. 3) {
        my ($ok, $out) = _run_ip($ip, 'netns', 'pids', $ns);
        my @pids = grep { /^\d+$/ && $_ != $$ } split /\s+/, $out;
        last unless @pids;
        kill($round == 1 ? 'TERM' : 'KILL', @pids);
        my $d = time + 3;
        while (time < $d) {
            my $left = grep { kill 0, $_ } @pids;
            last unless $left;
            sleep 0.05;
        }
    }
    my ($ok, $out) = _run_ip($ip, 'netns', 'del', $ns);
    print STDERR "# Test::Meet::Netns: could not delete namespace $ns: $out"
        unless $ok;
}

sub unavailable {
    return 'network namespaces need root' if $> != 0;
    my $ip = _ip() or return '`ip` (iproute2) is not installed';
    my $ns = sprintf 'meet-probe-%d-%04x', $$, int rand 0x10000;
    my ($ok, $out) = _run_ip($ip, 'netns', 'add', $ns);
    return "cannot create a network namespace: $out" unless $ok;
    _run_ip($ip, 'netns', 'del', $ns);
    return undef;
}

sub run_inside {
    my (%o) = @_;
    return undef if inside();

    return 'network namespaces need root' if $> != 0;
    my $ip = _ip() or return '`ip` (iproute2) is not installed';

    my $tag = sprintf '%d-%04x', $$, int rand 0x10000;
    my $ns  = "meet-$tag";
    # interface names: at most 15 bytes, unique enough for a fresh namespace
    my ($if0, $if1) = (sprintf('mt%da', $$ % 1000000), sprintf('mt%db', $$ % 1000000));
    my $addr = $o{addr} // '203.0.113.1/24';

    my ($ok, $out) = _run_ip($ip, 'netns', 'add', $ns);
    return "cannot create a network namespace: $out" unless $ok;

    my @steps = (
        [ '-n', $ns, 'link', 'set', 'lo', 'up' ],
        [ 'link', 'add', $if0, 'netns', $ns, 'type', 'veth', 'peer', 'name',
          $if1, 'netns', $ns ],
        [ '-n', $ns, 'addr', 'add', $addr, 'dev', $if0 ],
        ($o{peer_addr} ? ([ '-n', $ns, 'addr', 'add', $o{peer_addr}, 'dev', $if1 ]) : ()),
        [ '-n', $ns, 'link', 'set', $if0, 'up' ],
        [ '-n', $ns, 'link', 'set', $if1, 'up' ],
    );
    for my $s (@steps) {
        ($ok, $out) = _run_ip($ip, @$s);
        unless ($ok) {
            _cleanup($ip, $ns);
            return "cannot set up namespace $ns (ip @$s): $out";
        }
    }

    my $timeout = ($o{timeout} // 120) * timeout_factor();
    my $script = abs_path($0);
    my @inc = map { ('-I', File::Spec->rel2abs($_)) }
              grep { !ref && -d } @INC;

    my $pid = fork;
    unless (defined $pid) {
        _cleanup($ip, $ns);
        return "fork failed: $!";
    }
    if ($pid == 0) {
        setpgid(0, 0);
        $ENV{MEET_NETNS} = $ns;
        $ENV{MEET_NETNS_ADDR} = $addr;
        $ENV{MEET_NETNS_IFS} = "$if0 $if1";
        { no warnings 'exec';
          exec { $ip } $ip, 'netns', 'exec', $ns, $^X, @inc, $script, @ARGV; }
        print STDERR "exec ip netns exec failed: $!\n";
        _exit(127);
    }
    setpgid($pid, $pid);

    my $stop = 0;
    local $SIG{INT}  = sub { $stop = 'INT' };
    local $SIG{TERM} = sub { $stop = 'TERM' };
    local $SIG{HUP}  = sub { $stop = 'HUP' };

    my $deadline = time + $timeout;
    my ($status, $why);
    while (1) {
        my $w = waitpid($pid, WNOHANG);
        if ($w == $pid) { $status = $?; last }
        if ($w < 0)     { $status = 255 << 8; last }
        if ($stop || time > $deadline) {
            $why = $stop ? "stopped by SIG$stop"
                         : "timed out after ${timeout}s";
            kill 'TERM', -$pid;
            my $d = time + 5;
            while (time < $d && waitpid($pid, WNOHANG) == 0) { sleep 0.05 }
            kill 'KILL', -$pid;
            waitpid($pid, 0);
            $status = 255 << 8;
            last;
        }
        sleep 0.05;
    }
    kill 'KILL', -$pid;    # leftovers of the child's process group
    print STDERR "# Test::Meet::Netns: test in namespace $ns $why\n" if $why;
    _cleanup($ip, $ns);

    my $code = $status & 127 ? 255 : $status >> 8;
    $code = 255 if $why && !$code;
    # skip our own END blocks and the Test::Builder ending: the child
    # printed the TAP
    POSIX::_exit($code);
}

1;
