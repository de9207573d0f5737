package Test::Meet::Daemon;

# Process plumbing shared by the component helpers (Test::Meet::Postgres,
# Test::Meet::Redis, Test::Meet::OIDC): start a long-running server in its
# own process group with its output in a log file, optionally as another
# (unprivileged) user, wait (bounded) until it answers, stop it by PID.
#
#   my $pid = Test::Meet::Daemon::spawn(argv => [...], log => $file,
#                 env => {...}, cwd => $dir, uid => $uid, gid => $gid);
#   my $err = Test::Meet::Daemon::wait_ready($pid, $secs, sub { ... true
#                 when ready ... });          # undef, or why not
#   Test::Meet::Daemon::stop_pid($pid, 'INT', $secs);   # bounded, then KILL
#   Test::Meet::Daemon::tail($file, 40);     # last lines, for diagnostics
#
# It is also the base class of those helpers: an object with {dir} (its
# temporary folder), {log} (log file), {stop_signal} gets pid, running,
# log_text, launch (spawn + wait_ready, dies with the log tail), stop and
# cleanup (also DESTROY, at exit and on INT/TERM) that stops the server and
# removes the folder (kept with TEST_NGINX_LEAVE), only in the process that
# created the object.
#
# Every spawned PID is remembered; an END block (and INT/TERM) stops those
# still running, only in the process that started them.

use strict;
use warnings;

use POSIX qw(WNOHANG _exit setpgid);
use Time::HiRes qw(time sleep);
use File::Path ();
use Scalar::Util ();

use Test::Meet::Util qw(slurp timeout_factor);

my %LIVE;           # pid -> signal for a graceful stop
my %OBJ;            # helper objects (weak refs): folders to remove at exit
my $OWNER = $$;

# spawn(%a) -> pid.  The child gets its own process group, stdin from
# /dev/null and stdout+stderr appended to $a{log}.  With uid/gid (numeric)
# it drops to that user (supplementary groups cleared) before exec.
sub spawn {
    my (%a) = @_;
    my @argv = @{ $a{argv} };
    my $pid = fork;
    die "fork failed: $!\n" unless defined $pid;
    if ($pid == 0) {
        setpgid(0, 0);
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', $a{log} or _exit(126);
        open STDERR, '>&', \*STDOUT or _exit(126);
        if ($a{cwd}) { chdir $a{cwd} or _exit(126) }
        if (defined $a{uid}) {
            $) = "$a{gid} $a{gid}";
            $( = $a{gid};
            $< = $> = $a{uid};
            _exit(126) if $> != $a{uid} || $< != $a{uid};
        }
        for my $k (keys %{ $a{env} || {} }) {
            if (defined $a{env}{$k}) { $ENV{$k} = $a{env}{$k} }
            else                     { delete $ENV{$k} }
        }
        $SIG{$_} = 'DEFAULT' for qw(INT TERM HUP QUIT PIPE CHLD);
        { no warnings 'exec'; exec { $argv[0] } @argv; }
        print STDERR "exec $argv[0] failed: $!\n";
        _exit(127);
    }
    setpgid($pid, $pid);    # also from here: no race with the child
    $LIVE{$pid} = $a{stop_signal} // 'TERM';
    return $pid;
}

# track($pid, $signal): stop this child of ours at exit too (for children
# forked without spawn()).
sub track { $LIVE{ $_[0] } = $_[1] // 'TERM' }

# True while $pid (our child) has not exited; reaps it when it has.
sub alive {
    my ($pid) = @_;
    return 0 unless $pid;
    my $w = waitpid($pid, WNOHANG);
    if ($w == $pid || $w < 0) {
        delete $LIVE{$pid};
        return 0;
    }
    return 1;
}

# wait_ready($pid, $secs, $check) -> undef when $check returned true in
# time, else the reason (the process died, or the timeout).
sub wait_ready {
    my ($pid, $secs, $check) = @_;
    my $deadline = time + $secs * timeout_factor();
    while (1) {
        return "process $pid exited before it was ready" unless alive($pid);
        return undef if $check->();
        return "not ready after ${secs}s" if time > $deadline;
        sleep 0.05;
    }
}

# stop_pid($pid, $signal, $secs) -> wait status, or undef when the process
# had to be killed (its whole group then gets SIGKILL).
sub stop_pid {
    my ($pid, $sig, $secs) = @_;
    return undef unless $pid;
    $sig //= $LIVE{$pid} // 'TERM';
    my $status;
    if (alive($pid)) {
        kill $sig, $pid;
        my $deadline = time + ($secs // 10) * timeout_factor();
        while (time < $deadline) {
            my $w = waitpid($pid, WNOHANG);
            if ($w == $pid) { $status = $?; last }
            last if $w < 0;
            sleep 0.02;
        }
        unless (defined $status) {
            kill 'KILL', -$pid;
            waitpid($pid, 0);
        }
    }
    # children of the server left in its group (postgres backends...)
    kill 'KILL', -$pid if kill 0, -$pid;
    delete $LIVE{$pid};
    return $status;
}

# Last $n lines of a log file ('' when absent).
sub tail {
    my ($file, $n) = @_;
    my $t = slurp($file) // '';
    my @l = split /\n/, $t;
    @l = @l[-$n .. -1] if @l > $n;
    return join("\n", @l) . "\n";
}

# ---- base class ---------------------------------------------------------

sub pid      { $_[0]{pid} }
sub log_file { $_[0]{log} }
sub log_text { slurp($_[0]{log}) // '' }
sub running  { alive($_[0]{pid}) }

# launch(argv => [...], ready => sub {...}, timeout => secs, what => 'name',
#        env => {...}, uid/gid)
sub launch {
    my ($self, %a) = @_;
    die "$a{what} already running (pid $self->{pid})\n" if $self->running;
    $self->register;
    $self->{pid} = spawn(argv => $a{argv}, log => $self->{log},
                         env => $a{env}, cwd => $self->{dir},
                         uid => $a{uid}, gid => $a{gid},
                         stop_signal => $self->{stop_signal});
    my $err = wait_ready($self->{pid}, $a{timeout} // 10, $a{ready});
    if (defined $err) {
        $self->stop;
        die "$a{what} did not start: $err\n" . tail($self->{log}, 40);
    }
    return $self;
}

# register(): clean this object up at exit and on INT/TERM as well
sub register {
    my ($self) = @_;
    $self->{owner} //= $$;
    Scalar::Util::weaken($OBJ{ Scalar::Util::refaddr($self) } = $self);
    return $self;
}

# Graceful stop with {stop_signal}, bounded (10 s), then SIGKILL.
sub stop {
    my ($self) = @_;
    my $pid = delete $self->{pid} or return;
    return stop_pid($pid, $self->{stop_signal}, 10);
}

sub cleanup {
    my ($self) = @_;
    return unless $self->{owner} && $self->{owner} == $$;
    local ($?, $@);
    $self->stop;
    File::Path::remove_tree($self->{dir})
        if $self->{dir} && !$ENV{TEST_NGINX_LEAVE};
    delete $OBJ{ Scalar::Util::refaddr($self) };
}

sub DESTROY { $_[0]->cleanup }

sub stop_all {
    return unless $$ == $OWNER;
    for my $o (grep { defined } values %OBJ) {
        eval { $o->cleanup };
    }
    stop_pid($_, undef, 5) for keys %LIVE;
}

END {
    my $code = $?;
    stop_all();
    $? = $code;
}

# Ctrl-C / TERM: stop our servers first, then whatever handler was there
# (Test::Meet::Server's), else die by the signal.
for my $sig (qw(INT TERM)) {
    my $prev = $SIG{$sig};
    $SIG{$sig} = sub {
        stop_all();
        return $prev->(@_) if ref $prev eq 'CODE';
        # Test::Meet::Server loaded after us left its handler out: its
        # nginx servers must go too
        Test::Meet::Server::stop_all() if defined &Test::Meet::Server::stop_all;
        $SIG{$sig} = 'DEFAULT';
        kill $sig, $$;
    };
}

1;
