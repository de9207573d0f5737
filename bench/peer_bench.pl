#!/usr/bin/perl
# Forwarding through a real nginx, driven by bench/run-peer.sh (which builds
# t/tools/meet_peer and sets the environment): for each K, a fresh nginx
# (one worker, pinned to CPU 0 when there are two or more), one publisher
# at a fixed packet rate and K subscribers, every client a meet_peer
# process (ICE, DTLS, SRTP; pinned to the other CPUs), the LiveKit
# signaling held by this script.  Measured over the publisher's sending
# time: the worker's CPU (utime + stime of /proc/<pid>/stat), CPU 0's busy
# time (/proc/stat, includes softirq work not charged to the worker), the
# packets the subscribers received, their loss and latency.  Loopback
# only; nginx is stopped by its PID.
#
#   perl bench/peer_bench.pl K ...
#   env: MEET_PEER (binary), MODULES, NGINX, RATE (pkt/s, 1000), SIZE
#        (payload bytes, 1200), DURATION (s, 10), SRTP (gcm|cm, gcm),
#        PORT (17994), KEEP=1 (keep the nginx prefix)

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../t/lib", "$FindBin::Bin/../t/tools";
use MeetPeer;
use File::Temp qw(tempdir);
use POSIX ();
use Time::HiRes qw(time sleep);
use Test::Meet::HTTP ();

my $repo = "$FindBin::Bin/..";
my $bin = $ENV{MEET_PEER} // "$repo/build/tools/meet_peer";
my $mods = $ENV{MODULES} // "$repo/build/modules";
my $nginx = $ENV{NGINX} // '/usr/sbin/nginx';
my $rate = $ENV{RATE} // 1000;
my $size = $ENV{SIZE} // 1200;
my $secs = $ENV{DURATION} // 10;
my $srtp = $ENV{SRTP} // 'gcm';
my $port = $ENV{PORT} // 17994;
my $udp = $port + 1;
my @ks = @ARGV ? @ARGV : (1, 10, 50);
my $tck = POSIX::sysconf(POSIX::_SC_CLK_TCK()) || 100;
my $ncpu = grep { /^processor\s*:/ } do {
    open(my $f, '<', '/proc/cpuinfo') or die "/proc/cpuinfo: $!";
    <$f>;
};
my $pin = $ncpu >= 2;
my $client_cpus = $pin ? "1-" . ($ncpu - 1) : undef;

die "$bin not found: run scripts/build-tools.sh\n" unless -x $bin;
die "$mods/ngx_meet_rtp_stream_module.so not found: run make modules\n"
    unless -f "$mods/ngx_meet_rtp_stream_module.so";
for my $k (@ks) {
    die "K must be 1..200\n" unless $k =~ /^\d+$/ && $k >= 1 && $k <= 200;
}

my $dir = tempdir('meet-peer-bench-XXXXXX', TMPDIR => 1,
                  CLEANUP => !$ENV{KEEP});
print "# nginx prefix $dir\n" if $ENV{KEEP};
my $pub_cert = "$dir/pub.pem";
my $pub_fp = MeetPeer::new_cert($bin, $pub_cert);
my $sub_cert = "$dir/sub.pem";
my $sub_fp = MeetPeer::new_cert($bin, $sub_cert);

my $affinity = $pin ? "worker_cpu_affinity 01;\n" : '';
mkdir "$dir/logs";
open(my $c, '>', "$dir/nginx.conf") or die "$dir/nginx.conf: $!";
print $c <<"CONF";
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
load_module $mods/ngx_meet_core_module.so;
load_module $mods/ngx_meet_routing_module.so;
load_module $mods/ngx_meet_signal_module.so;
load_module $mods/ngx_meet_rtp_stream_module.so;
worker_processes 1;
$affinity
worker_rlimit_nofile 8192;
error_log logs/error.log warn;
pid logs/nginx.pid;
events { worker_connections 4096; }
http {
    access_log off;
    server {
        listen 127.0.0.1:$port;
        location /rtc { meet_signal; meet_signal_ping_timeout 600s; }
        location = /healthz { meet_health; }
    }
}
stream {
    server {
        listen 127.0.0.1:$udp udp;
        meet_rtp;
    }
}
CONF
close $c;

my $master;

sub stop_nginx {
    return unless $master;
    kill 'QUIT', $master;
    for (1 .. 100) {
        last unless kill 0, $master;
        sleep 0.1;
    }
    kill 'KILL', $master if kill 0, $master;
    waitpid($master, 0);
    undef $master;
}

END { stop_nginx() }
$SIG{INT} = $SIG{TERM} = sub { stop_nginx(); exit 1 };

sub start_nginx {
    unlink "$dir/logs/nginx.pid";
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        exec($nginx, '-p', "$dir/", '-c', "$dir/nginx.conf", '-e', 'stderr',
             '-g', 'daemon off;') or POSIX::_exit(127);
    }
    $master = $pid;
    for (1 .. 100) {
        my $r = eval { Test::Meet::HTTP::request(port => $port,
                                                 path => '/healthz',
                                                 timeout => 1) };
        last if $r && $r->{status} && $r->{status} == 200;
        die "nginx did not start (see $dir/logs/error.log)\n"
            unless kill 0, $master;
        sleep 0.1;
    }
    my @w = grep { /^\d+$/ } map { chomp; $_ } `pgrep -P $master`;
    die "no nginx worker\n" unless @w == 1;
    return $w[0];
}

sub cpu_ticks {
    my ($pid) = @_;
    open(my $f, '<', "/proc/$pid/stat") or die "/proc/$pid/stat: $!";
    my $s = <$f>;
    $s =~ s/^.*\) //;                  # after "pid (comm) "
    my @f = split ' ', $s;
    return $f[11] + $f[12];            # utime, stime (fields 14, 15)
}

# busy, softirq and total jiffies of CPU 0 (busy: all but idle, iowait)
sub cpu0 {
    open(my $f, '<', '/proc/stat') or die "/proc/stat: $!";
    while (<$f>) {
        next unless /^cpu0 (.*)/;
        my @v = split ' ', $1;
        my $total = 0;
        $total += $_ for @v[0 .. 7];
        return ($total - $v[3] - $v[4], $v[6], $total);
    }
    return (0, 0, 0);
}

# the host's UDP error counters (all sockets: other traffic counts too)
sub udp_errors {
    open(my $f, '<', '/proc/net/snmp') or return {};
    my @l = grep { /^Udp:/ } <$f>;
    return {} unless @l == 2;
    my @k = split ' ', $l[0];
    my @v = split ' ', $l[1];
    return { map { $k[$_] => $v[$_] } 1 .. $#k };
}

# drops of the UDP sockets (/proc/net/udp): nginx's (local port $udp) and
# the clients' (remote port $udp); sockets that closed are not counted
sub socket_drops {
    my ($server, $clients) = (0, 0);
    open(my $f, '<', '/proc/net/udp') or return (0, 0);
    <$f>;
    while (<$f>) {
        my @f = split ' ';
        my ($lp) = $f[1] =~ /:([0-9A-F]+)$/i;
        my ($rp) = $f[2] =~ /:([0-9A-F]+)$/i;
        if (hex($lp) == $udp) {
            $server += $f[-1];
        } elsif (hex($rp) == $udp) {
            $clients += $f[-1];
        }
    }
    return ($server, $clients);
}

sub median {
    my @v = sort { $a <=> $b } @_;
    return @v ? $v[int(@v / 2)] : 0;
}

printf "# %d CPUs; nginx worker %s; clients %s; publisher %d pkt/s of %d B "
     . "payload, %s s, SRTP %s\n", $ncpu, $pin ? 'on CPU 0' : 'unpinned',
     $pin ? "on CPUs $client_cpus" : 'unpinned', $rate, $size, $secs, $srtp;
printf "%-4s %-8s %-10s %-8s %-10s %-9s %-9s %-12s %-12s %-10s %-14s\n",
    'K', 'sent/s', 'fwd/s', 'loss%', 'worker%', 'cpu0%', 'us/pkt',
    'fwd/s/core', '%core/sub', '1.5M/core', 'lat p50/p99ms';

for my $k (@ks) {
    my $worker = start_nginx();
    my $room = "bench$k";
    my $pub = MeetPeer::Participant->join(port => $port, room => $room,
        identity => 'pub', fingerprint => $pub_fp,
        publish => { ssrc => 0x5eed0001, pt => 96 });
    die $pub->error . "\n" if $pub->error;
    $pub->publish or die $pub->error . "\n";

    my (@subs, @procs);
    for my $i (1 .. $k) {
        my $s = MeetPeer::Participant->join(port => $port, room => $room,
            identity => "sub$i", fingerprint => $sub_fp, recv_video => 1);
        die $s->error . "\n" if $s->error;
        die "sub$i got no slot for the track\n"
            unless $s->slot_of($pub->{publish}{sid});
        push @subs, $s;
        push @procs, MeetPeer::Proc->spawn($bin, 'subscribe',
            $s->peer_args(cert => $sub_cert), '--srtp', $srtp,
            '--duration', $secs + 60, '--idle', 2,
            { cpus => $client_cpus });
    }
    for my $i (0 .. $#procs) {
        $procs[$i]->wait_line(qr/^dtls ok/, 20)
            or die "subscriber " . ($i + 1) . " did not connect: "
                   . join(' ', @{ $procs[$i]{lines} }) . "\n";
    }
    $_->drain for $pub, @subs;

    my $pproc = MeetPeer::Proc->spawn($bin, 'publish',
        $pub->peer_args(cert => $pub_cert), '--srtp', $srtp,
        '--rate', $rate, '--size', $size, '--frame-packets', 5,
        '--duration', $secs, '--linger', 0, { cpus => $client_cpus });
    $pproc->wait_line(qr/^dtls ok/, 20) or die "publisher did not connect\n";
    my ($t0, $w0, @c0) = (time, cpu_ticks($worker), cpu0());
    my $u0 = udp_errors();
    my @d0 = socket_drops();
    my $pr = $pproc->finish($secs + 20);
    my ($t1, $w1, @c1) = (time, cpu_ticks($worker), cpu0());
    my $u1 = udp_errors();
    sleep 0.5;                          # what is queued is read or dropped
    my @d1 = socket_drops();
    die "publisher failed: $pr->{stderr}\n" if $pr->{status};

    my ($rx, @p50, @p99) = (0);
    for my $p (@procs) {
        my $r = $p->finish(30, term => 0);
        warn "subscriber: $r->{stderr}" if $r->{status};
        $rx += $r->{result}{rx_rtp} // 0;
        push @p50, $r->{result}{lat_p50_us} // 0;
        push @p99, $r->{result}{lat_p99_us} // 0;
    }
    $_->close for $pub, @subs;
    stop_nginx();

    my $win = $t1 - $t0;
    my $sent = $pr->{result}{sent_rtp} // 0;
    my $wcpu = ($w1 - $w0) / $tck;
    my $jf = $c1[2] - $c0[2] || 1;
    my $c0 = ($c1[0] - $c0[0]) / $jf;
    my $si = ($c1[1] - $c0[1]) / $jf;
    my $fwd = $rx / $win;
    my $pps_core = $wcpu ? $rx / $wcpu : 0;
    printf "%-4d %-8.0f %-10.0f %-8.2f %-10.1f %-9.1f %-9.2f %-12.0f "
         . "%-12.3f %-10.0f %.2f/%.2f\n",
        $k, $sent / $win, $fwd,
        $sent ? 100 * (1 - $rx / ($k * $sent)) : 0,
        100 * $wcpu / $win, 100 * $c0,
        $rx ? 1e6 * $wcpu / $rx : 0, $pps_core,
        100 * $wcpu / $win / $k, $pps_core / 156,
        median(@p50) / 1000, (sort { $b <=> $a } @p99)[0] / 1000;
    my @ue = map { "$_ +" . (($u1->{$_} // 0) - ($u0->{$_} // 0)) }
             qw(RcvbufErrors SndbufErrors InErrors);
    printf "#    CPU 0 softirq %.1f%%; socket drops: nginx %d, subscribers "
         . "%d; host UDP counters: %s\n", 100 * $si, $d1[0] - $d0[0],
         $d1[1] - $d0[1], "@ue";
}
