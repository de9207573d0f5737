package Test::Meet::Util;

# Small helpers shared by the Test::Meet harness modules:
#   - free_port():     hand out free 127.0.0.1 TCP/UDP ports, distinct per process
#   - run_command():   run a command (argv list, no shell) with a bounded wait,
#                      capturing combined stdout+stderr
#   - slurp()/spew():  whole-file read/write
#   - timeout_factor(): multiplier applied to start/stop timeouts (valgrind)

use strict;
use warnings;

use Exporter 'import';
use Socket qw(PF_INET SOCK_STREAM SOCK_DGRAM SOL_SOCKET SO_REUSEADDR
              pack_sockaddr_in unpack_sockaddr_in inet_aton INADDR_LOOPBACK);
use POSIX qw(WNOHANG _exit);
use Time::HiRes qw(time sleep);
use File::Temp ();

our @EXPORT_OK = qw(free_port run_command slurp spew timeout_factor
                    valgrind_mode trim);

# Every port handed out by this process, so that two calls never return the
# same port (whatever the protocol), even if the first one is not bound yet.
my %given;

# Lowest ephemeral port of the kernel.  We pick random ports *below* that
# range so that outgoing connections (which take ephemeral source ports) can
# never steal a port between our probe and nginx's bind().
sub _ephemeral_low {
    my $low = 32768;
    if (open my $fh, '<', '/proc/sys/net/ipv4/ip_local_port_range') {
        my $line = <$fh> // '';
        $low = $1 if $line =~ /^\s*(\d+)/;
    }
    return $low;
}

# Try to bind 127.0.0.1:$port with the given protocol; true if it worked.
sub _probe {
    my ($proto, $port) = @_;
    my $type = $proto eq 'udp' ? SOCK_DGRAM : SOCK_STREAM;
    socket(my $s, PF_INET, $type, 0) or return 0;
    my $ok = bind($s, pack_sockaddr_in($port, INADDR_LOOPBACK));
    if ($ok && $type == SOCK_STREAM) {
        $ok = listen($s, 1);
    }
    my $bound;
    if ($ok) {
        my ($p) = unpack_sockaddr_in(getsockname($s));
        $bound = $p;
    }
    close $s;
    return $ok ? $bound : 0;
}

# free_port('tcp'|'udp') -> port number that was free on 127.0.0.1 at probe
# time and was never returned before by this process.
sub free_port {
    my $proto = lc(shift // 'tcp');
    die "free_port: protocol must be 'tcp' or 'udp'\n"
        unless $proto eq 'tcp' || $proto eq 'udp';

    my $high = _ephemeral_low() - 1;
    my $low  = 10000;
    ($low, $high) = (1025, 9999) if $high <= $low + 1000;

    # Bounded number of random attempts in [low, high].
    for (1 .. 500) {
        my $port = $low + int(rand($high - $low + 1));
        next if $given{$port};
        if (_probe($proto, $port)) {
            $given{$port} = 1;
            return $port;
        }
    }

    # Fallback: let the kernel choose (port 0), still keeping them distinct.
    for (1 .. 100) {
        my $port = _probe($proto, 0) or next;
        next if $given{$port};
        $given{$port} = 1;
        return $port;
    }
    die "free_port: could not find a free $proto port on 127.0.0.1\n";
}

# Start/stop timeouts are multiplied by this (x10 under valgrind, or the value
# of TEST_NGINX_TIMEOUT_FACTOR when set).
sub timeout_factor {
    return $ENV{TEST_NGINX_TIMEOUT_FACTOR}
        if defined $ENV{TEST_NGINX_TIMEOUT_FACTOR}
           && $ENV{TEST_NGINX_TIMEOUT_FACTOR} =~ /^\d+(?:\.\d+)?$/;
    return 10 if valgrind_mode();
    # ASan/UBSan modules (make test-asan) run about twice as slow
    return 2 if ($ENV{TEST_NGINX_PRELOAD} // '') =~ /\S/;
    return 1;
}

# '' (off), 'on' or 'leak' according to TEST_NGINX_VALGRIND.
sub valgrind_mode {
    my $v = $ENV{TEST_NGINX_VALGRIND};
    return '' if !defined $v || $v eq '' || $v eq '0';
    return 'leak' if lc($v) eq 'leak';
    return 'on';
}

sub slurp {
    my ($file) = @_;
    open my $fh, '<:raw', $file or return undef;
    local $/;
    my $data = <$fh>;
    close $fh;
    return $data // '';
}

sub spew {
    my ($file, $data) = @_;
    open my $fh, '>:raw', $file or die "cannot write $file: $!\n";
    print {$fh} $data;
    close $fh or die "cannot write $file: $!\n";
}

sub trim {
    my ($s) = @_;
    return $s unless defined $s;
    $s =~ s/\A\s+//;
    $s =~ s/\s+\z//;
    return $s;
}

# run_command(argv => [...], timeout => secs, env => {NAME => value},
#             output => $file)
# Runs the command without a shell, stdout and stderr both going to $file
# (a temp file when not given).  Waits at most `timeout` seconds (polling),
# then SIGKILLs the child (only that PID).
# Returns (exit_status, output_text, timed_out) where exit_status is the
# decoded exit code, or 128+signal when killed by a signal, or -1 when the
# command could not be executed at all.
sub run_command {
    my %a = @_;
    my @argv    = @{ $a{argv} };
    my $timeout = $a{timeout} // 10;
    my $out     = $a{output};
    my $tmp;
    unless (defined $out) {
        $tmp = File::Temp->new(TMPDIR => 1, TEMPLATE => 'meet-cmd-XXXXXX');
        $out = $tmp->filename;
    }

    my $pid = fork;
    die "fork failed: $!\n" unless defined $pid;
    if ($pid == 0) {
        # Child: redirect and exec.  Never return into the test code.
        open STDIN,  '<', '/dev/null';
        open STDOUT, '>', $out or _exit(126);
        open STDERR, '>&', \*STDOUT or _exit(126);
        if ($a{env}) {
            for my $k (keys %{ $a{env} }) {
                if (defined $a{env}{$k}) { $ENV{$k} = $a{env}{$k} }
                else                     { delete $ENV{$k} }
            }
        }
        { no warnings 'exec'; exec { $argv[0] } @argv; }
        print STDERR "exec $argv[0] failed: $!\n";
        _exit(127);
    }

    my $deadline = time + $timeout;
    my ($status, $timed_out);
    while (1) {
        my $r = waitpid($pid, WNOHANG);
        if ($r == $pid) { $status = $?; last }
        if ($r < 0)     { $status = -1; last }
        if (time > $deadline) {
            kill 'KILL', $pid;
            waitpid($pid, 0);
            $status = $?;
            $timed_out = 1;
            last;
        }
        sleep 0.01;
    }

    my $code = $status < 0   ? -1
             : $status & 127 ? 128 + ($status & 127)
             :                 $status >> 8;
    $code = -1 if $code == 127 && (slurp($out) // '') =~ /^exec .* failed:/m;
    return ($code, slurp($out) // '', $timed_out);
}

1;
