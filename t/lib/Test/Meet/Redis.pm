package Test::Meet::Redis;

# A real redis-server for tests (Debian's redis-server package), configured
# on the command line: 127.0.0.1 and a free port, no persistence (no RDB,
# no AOF), optionally a password (requirepass), its working folder and log
# in a temporary folder.  A tiny RESP client is included for assertions.
#
#   use Test::Meet::Redis;
#   Test::Meet::Suites::need('redis', Test::Meet::Redis::unavailable());
#   my $r = Test::Meet::Redis->new(password => 'secret')->start;
#   $r->port; $r->host; $r->password; $r->pid; $r->log_text;
#   $r->url;                        # redis://:secret@127.0.0.1:N/0
#   my $v = $r->command('GET', 'k');  # reply decoded: string, integer,
#       # undef (nil), arrayref (array); an error reply dies
#   my ($v, $err) = $r->try_command('GET', 'k');  # error reply in $err
#   my ($v, $err) = $r->try_command_noauth('PING'); # without AUTH
#   $r->get($k); $r->keys($pattern); $r->ttl($k); $r->flushall;
#   $r->stop; $r->start;            # SIGTERM (bounded); same port again
#   $r->running;
# The server is stopped when the object goes away and at exit.

use strict;
use warnings;

use File::Temp qw(tempdir);
use IO::Socket::IP;
use IO::Select;
use Time::HiRes qw(time);

use Test::Meet::Util qw(free_port slurp timeout_factor);
use parent 'Test::Meet::Daemon';

sub _binary {
    for my $d (split(/:/, $ENV{PATH} // ''), '/usr/bin', '/usr/sbin') {
        return "$d/redis-server" if length $d && -x "$d/redis-server";
    }
    return undef;
}

sub unavailable {
    return 'redis-server is not installed (scripts/install-deps.sh test)'
        unless _binary();
    return undef;
}

sub new {
    my ($class, %o) = @_;
    my $dir = tempdir('meet-redis-XXXXXX', TMPDIR => 1);
    return bless {
        password => $o{password},
        port     => $o{port} // free_port('tcp'),
        args     => $o{args} // [],
        dir      => $dir,
        log      => "$dir/redis.log",
        stop_signal => 'TERM',
        owner    => $$,
    }, $class;
}

sub host     { '127.0.0.1' }
sub port     { $_[0]{port} }
sub password { $_[0]{password} }
sub dir      { $_[0]{dir} }

sub url {
    my ($self) = @_;
    my $auth = defined $self->{password} ? ":$self->{password}\@" : '';
    return "redis://${auth}127.0.0.1:$self->{port}/0";
}

sub start {
    my ($self) = @_;
    my @argv = (_binary(), '--port', $self->{port}, '--bind', '127.0.0.1',
                '--save', '', '--appendonly', 'no', '--daemonize', 'no',
                '--dir', $self->{dir}, '--logfile', '',
                '--protected-mode', 'yes', '--databases', '4',
                (defined $self->{password}
                    ? ('--requirepass', $self->{password}) : ()),
                @{ $self->{args} });
    return $self->launch(what => 'redis-server', argv => \@argv,
                         timeout => 10, ready => sub {
        my ($v) = eval { $self->try_command('PING') };
        return defined $v && $v eq 'PONG';
    });
}

# ---- RESP --------------------------------------------------------------

sub _encode {
    my @a = @_;
    my $s = '*' . scalar(@a) . "\r\n";
    $s .= '$' . length($_) . "\r\n$_\r\n" for map { $_ // '' } @a;
    return $s;
}

# Parse one reply from $$buf at offset $$pos; returns (ok, value, error)
# or () when more bytes are needed.
sub _parse {
    my ($buf, $pos) = @_;
    my $nl = index($$buf, "\r\n", $$pos);
    return () if $nl < 0;
    my $type = substr($$buf, $$pos, 1);
    my $line = substr($$buf, $$pos + 1, $nl - $$pos - 1);
    my $next = $nl + 2;
    if ($type eq '+' || $type eq ':') {
        $$pos = $next;
        return (1, $type eq ':' ? 0 + $line : $line, undef);
    }
    if ($type eq '-') {
        $$pos = $next;
        return (1, undef, $line);
    }
    if ($type eq '$') {
        if ($line < 0) { $$pos = $next; return (1, undef, undef) }
        return () if length($$buf) < $next + $line + 2;
        $$pos = $next + $line + 2;
        return (1, substr($$buf, $next, $line), undef);
    }
    if ($type eq '*') {
        if ($line < 0) { $$pos = $next; return (1, undef, undef) }
        my $p = $next;
        my @items;
        for (1 .. $line) {
            my ($ok, $v, $e) = _parse($buf, \$p);
            return () unless $ok;
            push @items, defined $e ? "ERR: $e" : $v;
        }
        $$pos = $p;
        return (1, \@items, undef);
    }
    die "redis: unexpected reply byte '$type'\n";
}

# One connection, the commands in order; returns the list of [value, err].
sub _exchange {
    my ($self, $timeout, @cmds) = @_;
    my $deadline = time + ($timeout // 5) * timeout_factor();
    my $s = IO::Socket::IP->new(PeerHost => '127.0.0.1',
                                PeerPort => $self->{port}, Proto => 'tcp',
                                Timeout => 3)
        or die "redis: connect to 127.0.0.1:$self->{port} failed: $!\n";
    $s->blocking(0);
    my $out = join '', map { _encode(@$_) } @cmds;
    my $sel = IO::Select->new($s);
    while (length $out) {
        die "redis: timeout while sending\n" if time > $deadline;
        $sel->can_write(0.2) or next;
        my $n = syswrite($s, $out);
        next if !defined $n && ($!{EAGAIN} || $!{EINTR});
        die "redis: send failed: $!\n" unless defined $n;
        substr($out, 0, $n, '');
    }
    my ($buf, $pos, @replies) = ('', 0);
    while (@replies < @cmds) {
        my @r = _parse(\$buf, \$pos);
        if (@r) { push @replies, [ $r[1], $r[2] ]; next }
        die "redis: timeout waiting for a reply\n" if time > $deadline;
        $sel->can_read(0.2) or next;
        my $n = sysread($s, $buf, 65536, length $buf);
        next if !defined $n && ($!{EAGAIN} || $!{EINTR});
        die "redis: connection closed before the reply\n" unless $n;
    }
    close $s;
    return @replies;
}

# command(@args) -> the reply (string, integer, undef for nil, arrayref);
# an error reply dies.  A fresh connection each time, AUTH first when a
# password is set.
sub command {
    my ($self, @args) = @_;
    my ($v, $err) = $self->try_command(@args);
    die "redis: $args[0]: $err
" if defined $err;
    return $v;
}

# try_command(@args) -> ($value, $error_reply_or_undef)
sub try_command {
    my ($self, @args) = @_;
    my @cmds = (defined $self->{password}
                    ? ([ 'AUTH', $self->{password} ]) : (), [ @args ]);
    return @{ ($self->_exchange(5, @cmds))[-1] };
}

# try_command_noauth(@args): same without AUTH (refusal tests)
sub try_command_noauth {
    my ($self, @args) = @_;
    return @{ ($self->_exchange(5, [ @args ]))[0] };
}

sub get      { scalar $_[0]->command('GET', $_[1]) }
sub ttl      { scalar $_[0]->command('TTL', $_[1]) }
sub keys     { @{ scalar($_[0]->command('KEYS', $_[1] // '*')) || [] } }
sub flushall { scalar $_[0]->command('FLUSHALL') }

1;
