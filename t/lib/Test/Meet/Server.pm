package Test::Meet::Server;

# One nginx instance under test: a private prefix directory, rendered
# nginx.conf, variables ($TEST_NGINX_*), process control (start / stop /
# reload / `nginx -t`) and the automatic post-mortem checks (error.log
# levels, sanitizer and valgrind reports).
#
# Test::Meet drives this class for data blocks; hand-written tests normally
# use the wrappers exported by Test::Meet (start_nginx, stop_nginx, ...), but
# may use the object directly:
#
#   my $srv = Test::Meet::Server->new(config => '...', http_config => '...');
#   $srv->start;                       # dies with logs on failure
#   $srv->var('TEST_NGINX_PORT_2');    # allocate / read a variable
#   $srv->stop;  $srv->check_reports;  $srv->cleanup;

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Path qw(make_path remove_tree);
use File::Temp qw(tempdir);
use POSIX qw(WNOHANG _exit);
use Time::HiRes qw(time sleep);

use Test::Meet::Util qw(free_port run_command slurp spew timeout_factor
                        valgrind_mode);

# Repository root: this file is <repo>/t/lib/Test/Meet/Server.pm.
our $REPO = abs_path(dirname(abs_path(__FILE__)) . '/../../../..');

# Our dynamic modules, in load order.
our @MEET_MODULES = qw(ngx_meet_core_module.so ngx_meet_routing_module.so
                       ngx_meet_signal_module.so
                       ngx_meet_rtp_stream_module.so);

our $DEFAULT_BINARY        = '/usr/sbin/nginx';
our $DEFAULT_STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

# Sections understood by the config renderer.
our @CONFIG_SECTIONS = qw(main_config http_config config stream_config);

# PIDs of running masters -> server objects, for emergency cleanup.  Only the
# process that loaded this module (not forked helpers) may clean up.
my %LIVE;
my $OWNER_PID = $$;

# Per-process cache of the self-signed certificate.
my ($CERT_DIR, $CERT, $CERT_KEY);

# Per-binary cache of `nginx -V` facts.
my %BINARY_INFO;

# --------------------------------------------------------------------------
# Construction and variables
# --------------------------------------------------------------------------

# new(%sections_and_options)
#   sections: main_config http_config config stream_config user_files
#   options:  no_meet_modules no_check_alert allow_crit
sub new {
    my ($class, %opts) = @_;
    my $self = bless {
        sections  => {},
        vars      => {},
        saved_env => {},
        opts      => {},
    }, $class;

    my $prefix = tempdir('meet-XXXXXX', TMPDIR => 1, CLEANUP => 0);
    # Workers must be able to read the prefix even when not running as root.
    chmod 0755, $prefix;
    make_path(map { "$prefix/$_" } qw(conf logs html tmp));
    $self->{prefix} = $prefix;

    $self->_set_var(TEST_NGINX_PREFIX      => $prefix);
    $self->_set_var(TEST_NGINX_HTML_DIR    => "$prefix/html");
    $self->_set_var(TEST_NGINX_REPO        => $REPO);
    $self->_set_var(TEST_NGINX_SERVER_PORT => free_port('tcp'));

    $self->set_sections(%opts);
    return $self;
}

sub prefix { $_[0]{prefix} }
sub pid    { $_[0]{pid} }
sub port   { $_[0]->var('TEST_NGINX_SERVER_PORT') }

sub binary {
    return $ENV{TEST_NGINX_BINARY} || $DEFAULT_BINARY;
}

sub workers {
    my $w = $ENV{TEST_NGINX_WORKERS};
    return defined $w && $w =~ /^(?:\d+|auto)$/ ? $w : 1;
}

# Store section texts / options.  Unknown keys are kept as options.
sub set_sections {
    my ($self, %s) = @_;
    for my $k (keys %s) {
        if (grep { $_ eq $k } @CONFIG_SECTIONS, 'user_files') {
            $self->{sections}{$k} = $s{$k};
        } else {
            $self->{opts}{$k} = $s{$k};
        }
    }
}

sub opt { $_[0]{opts}{ $_[1] } }

# Record a variable and export it to %ENV (restored by cleanup()).
sub _set_var {
    my ($self, $name, $value) = @_;
    $self->{vars}{$name} = $value;
    unless (exists $self->{saved_env}{$name}) {
        $self->{saved_env}{$name} = $ENV{$name};
    }
    $ENV{$name} = $value;
    return $value;
}

# var($name) -> value.  Ports are allocated on first use; unknown
# TEST_NGINX_* names come from the environment.  Dies on unknown names.
sub var {
    my ($self, $name) = @_;
    $name =~ s/^\$//;
    return $self->{vars}{$name} if exists $self->{vars}{$name};

    if ($name =~ /^TEST_NGINX_PORT_\d+$/) {
        return $self->_set_var($name, free_port('tcp'));
    }
    if ($name =~ /^TEST_NGINX_UDP_PORT_\d+$/) {
        return $self->_set_var($name, free_port('udp'));
    }
    if ($name eq 'TEST_NGINX_CERT' || $name eq 'TEST_NGINX_CERT_KEY') {
        _make_cert();
        $self->_set_var(TEST_NGINX_CERT     => $CERT);
        $self->_set_var(TEST_NGINX_CERT_KEY => $CERT_KEY);
        return $self->{vars}{$name};
    }
    if ($name eq 'TEST_NGINX_WORKERS') {
        return $self->{vars}{$name} = workers();
    }
    if ($name eq 'TEST_NGINX_BINARY') {
        return $self->{vars}{$name} = binary();
    }
    if (defined $ENV{$name}) {
        return $self->{vars}{$name} = $ENV{$name};
    }
    die "undefined variable \$$name (not a harness variable and not set in "
      . "the environment)\n";
}

# Copy of all variables known so far.
sub vars { return { %{ $_[0]{vars} } } }

# Pre-allocate every port variable mentioned anywhere in the given texts
# (so that eval'd Perl code and --- init can see them in %ENV).
sub preallocate {
    my ($self, @texts) = @_;
    for my $t (grep { defined } @texts) {
        $self->var($1) while $t =~ /\b(TEST_NGINX_(?:UDP_)?PORT_\d+)\b/g;
        $self->var('TEST_NGINX_CERT') if $t =~ /\bTEST_NGINX_CERT/;
    }
}

# Replace $TEST_NGINX_FOO and ${TEST_NGINX_FOO} in a text.
sub expand {
    my ($self, $text) = @_;
    return $text unless defined $text && !ref $text;
    $text =~ s/\$(?:\{(TEST_NGINX_\w+)\}|(TEST_NGINX_[A-Z0-9_]+))/
               $self->var(defined $1 ? $1 : $2)/ge;
    return $text;
}

# Self-signed EC certificate for CN=localhost, generated once per process.
sub _make_cert {
    return if defined $CERT && -s $CERT;
    $CERT_DIR = tempdir('meet-cert-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    chmod 0755, $CERT_DIR;
    my ($cert, $key) = ("$CERT_DIR/cert.pem", "$CERT_DIR/key.pem");
    my ($code, $out) = run_command(
        argv => [ 'openssl', 'req', '-x509', '-newkey', 'ec',
                  '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
                  '-keyout', $key, '-out', $cert, '-days', '3650',
                  '-subj', '/CN=localhost',
                  '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1' ],
        timeout => 30);
    die "openssl failed to create a test certificate (exit $code):\n$out"
        if $code != 0 || !-s $cert || !-s $key;
    chmod 0644, $cert, $key;
    ($CERT, $CERT_KEY) = ($cert, $key);
}

# --------------------------------------------------------------------------
# Config rendering
# --------------------------------------------------------------------------

# Facts about the binary from `nginx -V`: version and static stream module.
sub binary_info {
    my ($self) = @_;
    my $bin = binary();
    return $BINARY_INFO{$bin} if $BINARY_INFO{$bin};
    die "nginx binary $bin is not executable (set TEST_NGINX_BINARY)\n"
        unless -x $bin;
    my ($code, $out) = run_command(argv => [ $bin, '-V' ], timeout => 10);
    die "'$bin -V' failed (exit $code):\n$out" if $code != 0;
    my @ver = $out =~ m{nginx/(\d+)\.(\d+)\.(\d+)};
    return $BINARY_INFO{$bin} = {
        version       => \@ver,
        static_stream => ($out =~ /(?:^|\s)--with-stream(?:\s|$)/m ? 1 : 0),
        V             => $out,
    };
}

# load_module lines: stream (unless static / disabled), then our modules.
sub _load_module_lines {
    my ($self) = @_;
    my @lines;
    my $info = $self->binary_info;

    my $stream = $ENV{TEST_NGINX_STREAM_MODULE};
    if (!$info->{static_stream} && !(defined $stream && $stream eq 'none')) {
        $stream = $DEFAULT_STREAM_MODULE unless defined $stream && length $stream;
        die "stream module $stream not found (install libnginx-mod-stream or "
          . "set TEST_NGINX_STREAM_MODULE=none)\n" unless -f $stream;
        push @lines, "load_module $stream;";
    }

    my $dir = $ENV{TEST_NGINX_MODULES};
    $dir = "$REPO/build/test/modules" unless defined $dir && length $dir;
    $dir = Cwd::abs_path($dir) // $dir if $dir !~ m{^/} && -d $dir;
    if (!$self->opt('no_meet_modules') && $dir ne 'static' && $dir ne 'none') {
        # meet_modules: load only these (names without .so), in our order
        my @load = @MEET_MODULES;
        if (defined(my $only = $self->opt('meet_modules'))) {
            my %want = map { ("$_.so" => 1) } split ' ', $only;
            @load = grep { $want{$_} } @MEET_MODULES;
        }
        for my $m (@load) {
            my $so = "$dir/$m";
            die "module $so not found; build first: make test-modules "
              . "(or set TEST_NGINX_MODULES)\n" unless -f $so;
            push @lines, "load_module $so;";
        }
    }
    return @lines;
}

# Re-indent a section: strip its common leading whitespace, prefix $pad.
sub _indent {
    my ($text, $pad) = @_;
    return '' unless defined $text && $text =~ /\S/;
    $text =~ s/\s+\z//;
    $text =~ s/\A(?:[ \t]*\n)+//;
    my ($min) = sort { $a <=> $b }
                map { /^([ \t]*)/; length $1 } grep { /\S/ } split /\n/, $text;
    $text =~ s/^[ \t]{0,$min}//mg if $min;
    $text =~ s/^(?=.)/$pad/mg;
    return "$text\n";
}

# Render nginx.conf from the (already expanded) sections.
sub render_config {
    my ($self) = @_;
    my %s = map { $_ => $self->expand($self->{sections}{$_} // '') }
            @CONFIG_SECTIONS;
    my $prefix = $self->{prefix};
    my $main   = $s{main_config};
    my $has    = sub { $main =~ /(?:^|[;{}])\s*$_[0]\b/m };

    my $conf = "# generated by Test::Meet\n";
    $conf .= "$_\n" for $self->_load_module_lines;
    $conf .= "\n";
    # Workers must read files in the prefix; as root keep them root.
    $conf .= "user root;\n" if $> == 0 && !$has->('user');
    $conf .= "worker_processes " . workers() . ";\n"
        unless $has->('worker_processes');
    $conf .= "master_process on;\n" unless $has->('master_process');
    $conf .= "daemon off;\n"        unless $has->('daemon');
    $conf .= "error_log logs/error.log debug;\n";
    $conf .= "pid logs/nginx.pid;\n";
    $conf .= "\n# main_config\n" . _indent($main, '') if $main =~ /\S/;
    $conf .= "\nevents {\n    worker_connections 1024;\n}\n"
        unless $has->('events');

    $conf .= <<"EOC";

http {
    access_log logs/access.log;
    client_body_temp_path $prefix/tmp/client_body;
    proxy_temp_path       $prefix/tmp/proxy;
    fastcgi_temp_path     $prefix/tmp/fastcgi;
    uwsgi_temp_path       $prefix/tmp/uwsgi;
    scgi_temp_path        $prefix/tmp/scgi;
    default_type text/plain;

    # http_config
EOC
    $conf .= _indent($s{http_config}, '    ');
    my $port = $self->port;
    $conf .= <<"EOC";

    server {
        listen 127.0.0.1:$port;
        server_name localhost;

        # config
EOC
    $conf .= _indent($s{config}, '        ');
    $conf .= "    }\n}\n";

    if ($s{stream_config} =~ /\S/) {
        $conf .= "\nstream {\n" . _indent($s{stream_config}, '    ') . "}\n";
    }
    return $conf;
}

sub conf_file { "$_[0]{prefix}/conf/nginx.conf" }

# Render and write conf/nginx.conf; returns the text.
sub write_config {
    my ($self) = @_;
    my $conf = $self->render_config;
    spew($self->conf_file, $conf);
    $self->{rendered} = $conf;
    return $conf;
}

# Create files described by a Test::Nginx style user_files spec:
#   >>> relative/path
#   content...
# under the html dir.
sub write_user_files {
    my ($self, $spec) = @_;
    return unless defined $spec && $spec =~ /\S/;
    my $html = $self->var('TEST_NGINX_HTML_DIR');
    my @parts = split /^>>>[ \t]*(\S+)[^\n]*\n/m, $spec;
    shift @parts;    # text before the first >>>
    while (@parts) {
        my ($rel, $content) = splice @parts, 0, 2;
        $content //= '';
        die "user_files: bad path '$rel'\n"
            if $rel =~ m{^/} || $rel =~ m{(?:^|/)\.\.(?:/|$)};
        my $file = "$html/$rel";
        make_path(dirname($file));
        spew($file, $self->expand($content));
        chmod 0644, $file;
    }
}

# --------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------

# Extra environment for nginx (sanitizers).
sub _child_env {
    my ($self) = @_;
    my %env;
    my $preload = $ENV{TEST_NGINX_PRELOAD};
    if (defined $preload && $preload =~ /\S/) {
        my $logs = "$self->{prefix}/logs";
        $env{LD_PRELOAD} = join ' ', grep { length } split /\s+/, $preload;
        # Every nginx dynamic module defines ngx_modules, ngx_module_names
        # and ngx_module_order; nginx reads them per handle with dlsym(),
        # but ASan sees the same global twice (RTLD_GLOBAL) and aborts:
        # odr-violation detection is off for that reason.
        $env{ASAN_OPTIONS} = join(':', grep { length }
            "detect_leaks=0:abort_on_error=0:detect_odr_violation=0",
            $ENV{ASAN_OPTIONS} // '', "log_path=$logs/asan");
        $env{UBSAN_OPTIONS} = $ENV{UBSAN_OPTIONS}
            // "print_stacktrace=1:log_path=$logs/ubsan";
    }
    return \%env;
}

# argv for nginx with the given extra arguments, wrapped in valgrind if asked.
# A leading hashref holds options: { no_leak_check => 1 } (used for `-t`,
# whose error exit path never frees the config pool).
sub _command {
    my ($self, @extra) = @_;
    my $o = ref $extra[0] eq 'HASH' ? shift @extra : {};
    my $prefix = $self->{prefix};
    my @cmd = (binary(), '-p', "$prefix/", '-c', $self->conf_file);
    my $v = $self->binary_info->{version};
    # Send pre-config startup errors to stderr (stderr.log), nginx >= 1.19.5.
    if (@$v && sprintf('%03d%03d%03d', @$v) ge '001019005') {
        push @cmd, '-e', 'stderr';
    }
    push @cmd, @extra;

    if (my $mode = valgrind_mode()) {
        my @vg = ('valgrind', '-q', '--trace-children=yes',
                  '--error-exitcode=99', '--num-callers=40',
                  # modules are unloaded before the leak report: keep
                  # their symbols so that reports and suppressions work
                  '--keep-debuginfo=yes',
                  "--log-file=$prefix/logs/valgrind.%p.log");
        push @vg, $mode eq 'leak' && !$o->{no_leak_check}
            ? ('--leak-check=full', '--show-possibly-lost=no',
               '--errors-for-leak-kinds=definite')
            : ('--leak-check=no');
        push @vg, "--suppressions=" . $self->_write_valgrind_supp;
        push @vg, "--suppressions=$_"
            for grep { length } split /\s+/, $ENV{TEST_NGINX_VALGRIND_SUPP} // '';
        push @vg, grep { length } split /\s+/, $ENV{TEST_NGINX_VALGRIND_OPTS} // '';
        unshift @cmd, @vg;
    }
    return @cmd;
}

# Suppressions for stock nginx "leaks" that are not bugs: the worker's
# connection/event arrays (allocated once per worker by the event module and
# never freed), PCRE2's compile context (kept for the process lifetime by
# ngx_regex), what Debian's NSS-backed libsrtp2 keeps from srtp_init()
# (NSPR/NSS process state, not released by srtp_shutdown()) and the
# environment copy.  For a binary without symbols for
# static functions the event-module frame can only be matched by object file;
# that frame is then restricted to the nginx binary itself, so leaks in our
# dynamic modules stay visible.
sub _write_valgrind_supp {
    my ($self) = @_;
    my $file = "$self->{prefix}/conf/valgrind.supp";
    my $bin  = abs_path(binary()) // binary();
    my $has_syms = index(slurp($bin) // '', 'ngx_event_process_init') >= 0;
    my $event_frame = $has_syms ? 'fun:ngx_event_process_init' : "obj:$bin";
    my $supp = <<"EOS";
{
   meet-nginx-event-process-init
   Memcheck:Leak
   match-leak-kinds: definite,possible
   fun:malloc
   fun:ngx_alloc
   $event_frame
   ...
   fun:ngx_spawn_process
}
{
   meet-nginx-pcre2-compile-context
   Memcheck:Leak
   match-leak-kinds: definite,possible
   fun:malloc
   fun:ngx_alloc
   ...
   fun:pcre2_compile_context_create_8
   fun:ngx_regex_compile
}
{
   meet-libsrtp2-nss-init
   Memcheck:Leak
   match-leak-kinds: definite,possible
   ...
   fun:srtp_init
}
{
   meet-nginx-set-environment
   Memcheck:Leak
   match-leak-kinds: definite,possible
   fun:malloc
   fun:ngx_alloc
   fun:ngx_set_environment
}
EOS
    spew($file, $supp);
    return $file;
}

# Run `nginx -t`; returns (exit_code, combined stdout+stderr).
sub config_test {
    my ($self) = @_;
    $self->write_config unless $self->{rendered};
    my ($code, $out) = run_command(
        argv    => [ $self->_command({ no_leak_check => 1 }, '-t') ],
        env     => $self->_child_env,
        output  => "$self->{prefix}/logs/config_test.log",
        timeout => 10 * timeout_factor());
    return ($code, $out);
}

# TCP/UDP/unix listen addresses of the rendered config.
sub listens {
    my ($self) = @_;
    my $conf = $self->{rendered} // '';
    $conf =~ s/(^|\s)#[^\n]*/$1/g;    # drop comments (approximately)
    my @l;
    while ($conf =~ /(?:^|[;{}])\s*listen\s+([^;]+);/mg) {
        my @tok  = split ' ', $1;
        my $addr = shift @tok;
        my $udp  = grep { $_ eq 'udp' } @tok;
        if ($addr =~ /^unix:(.+)$/) {
            push @l, { unix => $1 };
        } elsif ($addr =~ /^(?:\[[^\]]*\]|[^:\[\]]*):(\d+)$/ || $addr =~ /^(\d+)$/) {
            push @l, { port => $1, proto => $udp ? 'udp' : 'tcp' };
        }
    }
    return @l;
}

# Local ports in LISTEN (tcp) / bound (udp) state, from /proc/net.
# Returns undef if /proc/net is not readable.
sub _proc_ports {
    my ($proto) = @_;
    my %ports;
    my $seen = 0;
    for my $f ("/proc/net/$proto", "/proc/net/${proto}6") {
        open my $fh, '<', $f or next;
        $seen = 1;
        <$fh>;    # header
        while (my $line = <$fh>) {
            my @f = split ' ', $line;
            next unless @f > 3 && $f[1] =~ /:([0-9A-Fa-f]{4})$/;
            my $port = hex $1;
            next if $proto eq 'tcp' && uc $f[3] ne '0A';    # LISTEN
            $ports{$port} = 1;
        }
    }
    return $seen ? \%ports : undef;
}

# Child PIDs of $pid (from /proc); undef if /proc is not usable.
sub _children {
    my ($pid) = @_;
    opendir my $dh, '/proc' or return undef;
    my @kids;
    for my $p (grep { /^\d+$/ } readdir $dh) {
        my $stat = slurp("/proc/$p/stat") // next;
        my $r = rindex $stat, ')';
        next if $r < 0;
        my (undef, $ppid) = split ' ', substr($stat, $r + 2);
        push @kids, $p if defined $ppid && $ppid == $pid;
    }
    return \@kids;
}

# Bounded wait until nginx is up: pid file written, every listen socket
# bound (TCP in LISTEN state, i.e. accepting connections; UDP bound; unix
# socket file present) and, with a master process, at least one worker.
# Returns undef when ready, else an error description.
sub _wait_ready {
    my ($self, $timeout) = @_;
    my $deadline = time + $timeout;
    my $pid = $self->{pid};
    my $master = ($self->{rendered} // '') !~ /^\s*master_process\s+off\s*;/m;
    my $pidfile = "$self->{prefix}/logs/nginx.pid";
    my @listens = $self->listens;
    my $missing = 'nothing checked yet';

    while (1) {
        my $r = waitpid($pid, WNOHANG);
        if ($r == $pid) {
            # Reaped here; stop() still sweeps the process group.
            $self->{reaped} = $?;
            return "nginx exited during startup (" . _status_text($?) . ")";
        }
        $missing = $self->_not_ready($pidfile, $master, \@listens);
        return undef unless defined $missing;
        return "nginx not ready after ${timeout}s: $missing" if time > $deadline;
        sleep 0.02;
    }
}

# Which readiness condition is still unmet (undef when all are met).
sub _not_ready {
    my ($self, $pidfile, $master, $listens) = @_;
    return 'pid file not written' unless -s $pidfile;
    my $tcp = _proc_ports('tcp');
    my $udp = _proc_ports('udp');
    for my $l (@$listens) {
        if ($l->{unix}) {
            return "unix socket $l->{unix} missing" unless -S $l->{unix};
        } elsif ($l->{proto} eq 'udp') {
            return "udp port $l->{port} not bound"
                if $udp && !$udp->{ $l->{port} };
        } elsif ($tcp) {
            return "tcp port $l->{port} not listening" unless $tcp->{ $l->{port} };
        } else {
            # No /proc: fall back to a real connection attempt.
            require IO::Socket::IP;
            my $s = IO::Socket::IP->new(PeerHost => '127.0.0.1',
                                        PeerPort => $l->{port}, Timeout => 1)
                or return "tcp port $l->{port} refuses connections";
            close $s;
        }
    }
    if ($master) {
        my $kids = _children($self->{pid});
        return 'no worker process yet' if $kids && !@$kids;
    }
    return undef;
}

sub _status_text {
    my ($st) = @_;
    return 'unknown status' unless defined $st;
    return 'killed by signal ' . ($st & 127) if $st & 127;
    return 'exit code ' . ($st >> 8);
}

# Start nginx (writes config and user files first).  Dies with a message
# containing stderr.log and error.log when it does not come up.
sub start {
    my ($self) = @_;
    die "nginx already running (pid $self->{pid})\n" if $self->{pid};
    $self->write_config;
    $self->write_user_files($self->{sections}{user_files})
        unless $self->{user_files_written}++;

    my @cmd = $self->_command;
    my $env = $self->_child_env;
    my $stderr = "$self->{prefix}/logs/stderr.log";

    my $pid = fork;
    die "fork failed: $!\n" unless defined $pid;
    if ($pid == 0) {
        # Child: own process group so stop() can reach orphaned workers.
        POSIX::setpgid(0, 0);
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', $stderr or _exit(126);
        open STDERR, '>&', \*STDOUT or _exit(126);
        $ENV{$_} = $env->{$_} for keys %$env;
        $SIG{$_} = 'DEFAULT' for qw(INT TERM HUP QUIT PIPE CHLD);
        { no warnings 'exec'; exec { $cmd[0] } @cmd; }
        print STDERR "exec $cmd[0] failed: $!\n";
        _exit(127);
    }
    POSIX::setpgid($pid, $pid);    # also from the parent, avoids a race
    $self->{pid} = $pid;
    $self->{started_at} = time;
    $LIVE{$pid} = $self;

    my $err = $self->_wait_ready(10 * timeout_factor());
    if (defined $err) {
        $self->stop if $self->{pid};
        die "$err\n" . $self->logs_for_diag;
    }
    return $self;
}

# stderr.log + error.log tails, for diagnostics.
sub logs_for_diag {
    my ($self) = @_;
    my $out = '';
    for my $f (qw(stderr.log error.log)) {
        my $t = slurp("$self->{prefix}/logs/$f");
        next unless defined $t && length $t;
        my @lines = split /\n/, $t;
        my $n = @lines;
        @lines = @lines[-60 .. -1] if @lines > 60;
        $out .= "--- logs/$f ($n lines" . ($n > 60 ? ', last 60' : '')
              . ") ---\n" . join("\n", @lines) . "\n";
    }
    return $out;
}

# Stop nginx: SIGQUIT to the master, wait up to 10 s (x factor), then SIGKILL
# its process group.  Returns a hashref:
#   { status => raw wait status, forced => 1 if SIGKILL was needed,
#     was_dead => 1 if the master had already exited on its own }
sub stop {
    my ($self) = @_;
    my $pid = $self->{pid};
    return $self->{stop_result} //= { status => $self->{exit_status} }
        unless $pid;
    my %r;

    my $w = exists $self->{reaped} ? $pid : waitpid($pid, WNOHANG);
    if ($w == $pid) {
        @r{qw(status was_dead)} = (delete $self->{reaped} // $?, 1);
    } else {
        kill 'QUIT', $pid;
        my $deadline = time + 10 * timeout_factor();
        while (time < $deadline) {
            $w = waitpid($pid, WNOHANG);
            last if $w == $pid || $w < 0;
            sleep 0.02;
        }
        if ($w == $pid) {
            $r{status} = $?;
        } else {
            $r{forced} = 1;
            kill 'KILL', -$pid;    # the whole group we created
            my $d2 = time + 5;
            while (time < $d2) {
                $w = waitpid($pid, WNOHANG);
                last if $w == $pid || $w < 0;
                sleep 0.02;
            }
            $r{status} = $w == $pid ? $? : undef;
        }
    }

    # Orphaned workers (e.g. after a master crash) are still in the group.
    if (kill 0, -$pid) {
        my $d3 = time + 2;
        sleep 0.05 while time < $d3 && kill 0, -$pid;
        if (kill 0, -$pid) {
            kill 'KILL', -$pid;
            $r{leftover} = 1;
        }
    }

    delete $LIVE{$pid};
    $self->{pid} = undef;
    $self->{exit_status} = $r{status};
    return $self->{stop_result} = \%r;
}

# Reload: optionally replace sections, rewrite nginx.conf, SIGHUP the master
# and wait (bounded) until new workers start ("start worker process" after
# the signal) or a reload error is logged.  Returns 1 on success, 0 on
# failure; $self->{reload_error} then holds the reason.
sub reload {
    my ($self, %sections) = @_;
    die "nginx is not running\n" unless $self->{pid};
    $self->set_sections(%sections) if %sections;
    $self->write_config;
    my $offset = $self->error_log_size;
    my $old = _children($self->{pid}) || [];
    kill 'HUP', $self->{pid};

    my $deadline = time + 10 * timeout_factor();
    while (time < $deadline) {
        my $t = $self->error_log_text($offset) // '';
        if ($t =~ /^(\S+ \S+ \[emerg\].*)$/m) {
            $self->{reload_error} = $1;
            return 0;
        }
        if ($t =~ /reconfiguring/ && $t =~ /start worker process/) {
            # Old workers keep accepting until they get the QUIT: wait until
            # each has exited or logged "gracefully shutting down".
            my $d2 = time + 5 * timeout_factor();
            while (time < $d2) {
                $t = $self->error_log_text($offset) // '';
                my @busy = grep {
                    kill(0, $_) && -e "/proc/$_"
                        && $t !~ /\[notice\] $_#\d+: gracefully shutting down/
                } @$old;
                last unless @busy;
                sleep 0.02;
            }
            # New listen sockets should be bound by now; check briefly.
            my $err = $self->_wait_ready(5 * timeout_factor());
            $self->{reload_error} = $err;
            return defined $err ? 0 : 1;
        }
        sleep 0.02;
    }
    $self->{reload_error} = 'timeout waiting for new worker processes';
    return 0;
}

# --------------------------------------------------------------------------
# Logs
# --------------------------------------------------------------------------

sub error_log_file { "$_[0]{prefix}/logs/error.log" }

sub error_log_size { -s $_[0]->error_log_file || 0 }

# error.log content (from byte $offset when given); undef if missing.
sub error_log_text {
    my ($self, $offset) = @_;
    my $t = slurp($self->error_log_file);
    return $t unless defined $t && $offset;
    return length $t > $offset ? substr($t, $offset) : '';
}

sub _matches {
    my ($text, $pat) = @_;
    return ref $pat eq 'Regexp' ? $text =~ $pat : index($text, $pat) >= 0;
}

# wait_for_log($pattern_or_string, $timeout = 2, $offset = 0) -> bool.
# Polls error.log every 20 ms.
sub wait_for_log {
    my ($self, $pat, $timeout, $offset) = @_;
    my $deadline = time + ($timeout // 2);
    while (1) {
        my $t = $self->error_log_text($offset) // '';
        return 1 if _matches($t, $pat);
        return 0 if time > $deadline;
        sleep 0.02;
    }
}

# --------------------------------------------------------------------------
# Automatic checks
# --------------------------------------------------------------------------

# check_reports(%o) -> list of [ name, ok, diagnostics ].
#   o: no_check_alert, allow_crit, must_die (skip [emerg] + shutdown check)
sub check_reports {
    my ($self, %o) = @_;
    my @r;
    my $log = $self->error_log_text // '';

    my $level = sub {
        my ($lvl) = @_;
        my @hits = $log =~ /^(\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[$lvl\].*)$/mg;
        my $d = @hits ? "error.log has [$lvl] lines:\n"
                      . join("\n", @hits[0 .. ($#hits > 19 ? 19 : $#hits)])
                      : '';
        return [ "no [$lvl] in error.log", !@hits, $d ];
    };
    unless ($o{no_check_alert}) {
        push @r, $level->('alert');
        push @r, $level->('emerg') unless $o{must_die};
    }
    push @r, $level->('crit') unless $o{allow_crit};

    # Clean shutdown: master alive until SIGQUIT, exited in time with 0.
    my $st = $self->{stop_result};
    if ($st && !$o{must_die} && !$o{no_check_alert}) {
        my @why;
        push @why, 'the master process had died before the stop'
            if $st->{was_dead};
        push @why, 'no exit within the timeout after SIGQUIT (SIGKILLed)'
            if $st->{forced};
        push @why, 'nginx exited with ' . _status_text($st->{status})
                 . (valgrind_mode() && $st->{status} == 99 << 8
                    ? ' (valgrind --error-exitcode: see the valgrind check)' : '')
            if defined $st->{status} && $st->{status} != 0;
        push @why, 'processes were left in its process group'
            if $st->{leftover};
        push @r, [ 'nginx shut down cleanly', !@why,
                   @why ? join("\n", @why) . "\n" . $self->logs_for_diag : '' ];
    }

    my $logs = "$self->{prefix}/logs";
    if (defined $ENV{TEST_NGINX_PRELOAD} && $ENV{TEST_NGINX_PRELOAD} =~ /\S/) {
        my $rep = '';
        for my $f (sort glob("$logs/asan* $logs/ubsan*")) {
            my $t = slurp($f);
            $rep .= "--- $f ---\n$t\n" if defined $t && $t =~ /\S/;
        }
        for my $f ("$logs/stderr.log", "$logs/config_test.log") {
            my $t = slurp($f) // next;
            $rep .= "--- $f ---\n$t\n"
                if $t =~ /runtime error:|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer/;
        }
        push @r, [ 'no sanitizer reports', $rep eq '', _cut($rep) ];
    }

    if (valgrind_mode()) {
        my $rep = '';
        for my $f (sort glob("$logs/valgrind.*.log")) {
            my $t = slurp($f) // next;
            # With -q only errors are printed; ignore pure warnings.
            my $body = join "\n", grep {
                !/^==\d+==\s*$/ && !/^==\d+== Warning:/
                    && !/^==\d+==\s+(?:This could cause spurious|See also)/
            } split /\n/, $t;
            $rep .= "--- $f ---\n$t\n" if $body =~ /\S/;
        }
        push @r, [ 'no valgrind errors', $rep eq '', _cut($rep) ];
    }
    return @r;
}

sub _cut {
    my ($t) = @_;
    return $t if length $t < 20000;
    return substr($t, 0, 20000) . "\n... (truncated)\n";
}

# --------------------------------------------------------------------------
# Cleanup
# --------------------------------------------------------------------------

# Restore %ENV and remove the prefix (kept when TEST_NGINX_LEAVE=1).
sub cleanup {
    my ($self) = @_;
    $self->stop if $self->{pid};
    for my $k (keys %{ $self->{saved_env} }) {
        my $v = $self->{saved_env}{$k};
        if (defined $v) { $ENV{$k} = $v } else { delete $ENV{$k} }
    }
    $self->{saved_env} = {};
    my $prefix = $self->{prefix} or return;
    if ($ENV{TEST_NGINX_LEAVE}) {
        Test::More::diag("Test::Meet: prefix kept at $prefix")
            unless $self->{leave_reported}++;
    } elsif (!$self->{removed}++) {
        remove_tree($prefix);
    }
}

# Emergency stop of everything still running (END block, signals).
sub stop_all {
    return unless $$ == $OWNER_PID;
    for my $srv (values %LIVE) {
        eval { $srv->cleanup };
    }
}

END {
    my $code = $?;
    stop_all();
    $? = $code;
}

# Make Ctrl-C / TERM stop nginx (it runs in its own process group and would
# not see the terminal's signal).  Existing handlers are left alone.
for my $sig (qw(INT TERM HUP)) {
    next if defined $SIG{$sig} && $SIG{$sig} ne '' && $SIG{$sig} ne 'DEFAULT';
    $SIG{$sig} = sub {
        stop_all();
        $SIG{$sig} = 'DEFAULT';
        kill $sig, $$;
    };
}

1;
