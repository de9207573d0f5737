package Test::Meet::Postgres;

# A real PostgreSQL server for tests (Debian's postgresql package): a
# fresh cluster (initdb) in a temporary folder, listening on 127.0.0.1 and
# a free port plus a unix socket in that folder.  As root the cluster
# belongs to, and the server runs as, the unprivileged `postgres` system
# user (the package creates it; `nobody` otherwise); as another user it
# runs as that user.
#
#   use Test::Meet::Postgres;
#   Test::Meet::Suites::need('postgres', Test::Meet::Postgres::unavailable());
#   my $pg = Test::Meet::Postgres->new(dbname => 'meet', user => 'meet',
#                                      password => 'secret',
#                                      settings => { max_connections => 20 },
#                                      port => $fixed_port)->start;
#       # every option is optional; settings are postgres -c name=value
#   $pg->conninfo;      # "host=127.0.0.1 port=N dbname=meet user=meet password=secret"
#   $pg->url;           # postgresql://meet:secret@127.0.0.1:N/meet
#   $pg->port; $pg->host; $pg->socket_dir; $pg->dbname; $pg->user;
#   $pg->password; $pg->data_dir; $pg->pid; $pg->log_text;
#   my ($ok, $out) = $pg->psql("SELECT count(*) FROM t");  # as the role,
#       # over TCP with the password; $out is unaligned, '|' separated,
#       # tuples only, trailing newline removed; $ok false on any error
#   $pg->psql($sql, admin => 1);        # as superuser over the unix socket
#   $pg->psql($sql, password => 'x');   # another password (refusal tests)
#   $pg->query_value($sql);             # first row/column; dies on error
#   $pg->stop;  $pg->start;             # fast shutdown; start the same
#                                       # cluster again (same port)
#   $pg->running;
# The server is stopped (and the folder removed) when the object goes away
# and at exit (Test::Meet::Daemon), also when the test dies.

use strict;
use warnings;

use File::Temp qw(tempdir);
use Time::HiRes qw(time sleep);

use Test::Meet::Util qw(free_port run_command slurp timeout_factor);
use parent 'Test::Meet::Daemon';

our $BIN = $ENV{TEST_PG_BIN} // '/usr/lib/postgresql/15/bin';

# undef when a server can be started here, else why not.
sub unavailable {
    for my $b (qw(initdb postgres psql pg_isready)) {
        return "$BIN/$b is missing (scripts/install-deps.sh test installs "
             . "postgresql)" unless -x "$BIN/$b";
    }
    if ($> == 0) {
        return 'no unprivileged user (postgres or nobody) to run PostgreSQL'
            unless _os_user();
        return 'setpriv (util-linux) is missing'
            unless -x '/usr/bin/setpriv' || -x '/bin/setpriv';
    }
    return undef;
}

# [name, uid, gid] of the user the cluster runs as when we are root.
sub _os_user {
    for my $n (qw(postgres nobody)) {
        my @pw = getpwnam($n) or next;
        return [ $n, $pw[2], $pw[3] ];
    }
    return undef;
}

sub new {
    my ($class, %o) = @_;
    my $self = bless {
        dbname   => $o{dbname}   // 'meet',
        user     => $o{user}     // 'meet',
        password => $o{password} // 'meet-test-password',
        port     => $o{port}     // free_port('tcp'),
        settings => $o{settings} // {},
        owner    => $$,
        stop_signal => 'INT',    # fast shutdown
    }, $class;
    $self->{dir} = tempdir('meet-pg-XXXXXX', TMPDIR => 1);
    $self->{log} = "$self->{dir}/postgres.log";
    $self->{data} = "$self->{dir}/data";
    if ($> == 0) {
        $self->{os_user} = _os_user() or die "no unprivileged user\n";
        chown $self->{os_user}[1], $self->{os_user}[2], $self->{dir};
    }
    chmod 0700, $self->{dir};
    return $self;
}

sub host       { '127.0.0.1' }
sub port       { $_[0]{port} }
sub dbname     { $_[0]{dbname} }
sub user       { $_[0]{user} }
sub password   { $_[0]{password} }
sub socket_dir { $_[0]{dir} }
sub data_dir   { $_[0]{data} }

sub conninfo {
    my ($self) = @_;
    return "host=127.0.0.1 port=$self->{port} dbname=$self->{dbname} "
         . "user=$self->{user} password=$self->{password}";
}

sub url {
    my ($self) = @_;
    return "postgresql://$self->{user}:$self->{password}\@127.0.0.1:"
         . "$self->{port}/$self->{dbname}";
}

# argv prefix that runs a command as the cluster's user
sub _as_user {
    my ($self) = @_;
    my $u = $self->{os_user} or return ();
    return ('setpriv', "--reuid=$u->[1]", "--regid=$u->[2]",
            '--clear-groups', '--');
}

sub _env {
    my ($self) = @_;
    return { LC_ALL => 'C', LANG => 'C', PGTZ => 'UTC',
             HOME => $self->{dir}, PGPASSWORD => undef, PGHOST => undef,
             PGPORT => undef, PGUSER => undef, PGDATABASE => undef };
}

sub _initdb {
    my ($self) = @_;
    my ($code, $out) = run_command(
        argv => [ $self->_as_user, "$BIN/initdb", '-D', $self->{data},
                  '-U', 'postgres', '--auth-local=trust',
                  '--auth-host=scram-sha-256', '-E', 'UTF8',
                  '--no-locale', '--no-sync', '--no-instructions' ],
        env => $self->_env, timeout => 60 * timeout_factor());
    die "initdb failed (exit $code):\n$out" if $code != 0;
    # host lines: only loopback, passwords (scram) for everyone
    my $hba = "local all all trust\n"
            . "host all all 127.0.0.1/32 scram-sha-256\n";
    my $f = "$self->{data}/pg_hba.conf";
    open my $fh, '>', $f or die "cannot write $f: $!\n";
    print {$fh} $hba;
    close $fh;
    $self->{initialized} = 1;
}

sub start {
    my ($self) = @_;
    $self->_initdb unless $self->{initialized};
    my %set = (listen_addresses => '127.0.0.1',
               unix_socket_directories => $self->{dir},
               fsync => 'off', synchronous_commit => 'off',
               full_page_writes => 'off', max_connections => 50,
               shared_buffers => '16MB', dynamic_shared_memory_type => 'posix',
               log_min_messages => 'warning', logging_collector => 'off',
               %{ $self->{settings} });
    $self->launch(
        what => 'PostgreSQL', timeout => 15, env => $self->_env,
        argv => [ $self->_as_user, "$BIN/postgres", '-D', $self->{data},
                  '-p', $self->{port},
                  map { ('-c', "$_=$set{$_}") } sort keys %set ],
        ready => sub {
            my ($c) = run_command(
                argv => [ "$BIN/pg_isready", '-q', '-h', $self->{dir},
                          '-p', $self->{port}, '-U', 'postgres', '-t', '1' ],
                env => $self->_env, timeout => 3);
            return $c == 0;
        });
    $self->_create_role unless $self->{role_created}++;
    return $self;
}

sub _quote_ident { my $s = shift; $s =~ s/"/""/g; qq{"$s"} }
sub _quote_lit   { my $s = shift; $s =~ s/'/''/g; "'$s'" }

sub _create_role {
    my ($self) = @_;
    my ($u, $d) = map { _quote_ident($_) } @$self{qw(user dbname)};
    for my $sql ("CREATE ROLE $u LOGIN PASSWORD "
                   . _quote_lit($self->{password}),
                 "CREATE DATABASE $d OWNER $u") {
        my ($ok, $out) = $self->psql($sql, admin => 1, dbname => 'postgres');
        die "PostgreSQL setup failed: $sql\n$out\n" unless $ok;
    }
}

# psql($sql, %o) -> ($ok, $output).  Options: admin => 1 (superuser over
# the unix socket), password, user, dbname, timeout.
sub psql {
    my ($self, $sql, %o) = @_;
    my @conn;
    my %env = %{ $self->_env };
    if ($o{admin}) {
        @conn = ('-h', $self->{dir}, '-U', 'postgres');
    } else {
        @conn = ('-h', '127.0.0.1', '-U', $o{user} // $self->{user});
        $env{PGPASSWORD} = $o{password} // $self->{password};
    }
    my ($code, $out) = run_command(
        argv => [ "$BIN/psql", '-X', '-q', '-A', '-t', '-F', '|', '-w',
                  '-v', 'ON_ERROR_STOP=1', @conn, '-p', $self->{port},
                  '-d', $o{dbname} // $self->{dbname}, '-c', $sql ],
        env => { %env, PGCONNECT_TIMEOUT => 3 },
        timeout => ($o{timeout} // 10) * timeout_factor());
    $out =~ s/\n\z//;
    return ($code == 0, $out);
}

# First value of the result; dies with psql's output on error.
sub query_value {
    my ($self, $sql, %o) = @_;
    my ($ok, $out) = $self->psql($sql, %o);
    die "query failed: $sql\n$out\n" unless $ok;
    my ($first) = split /\n/, $out;
    $first //= '';
    $first =~ s/\|.*//;
    return $first;
}

1;
