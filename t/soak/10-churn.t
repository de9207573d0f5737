# Issue 16: the churn soak, short.  Native LiveKit participants
# (@livekit/rtc-node: libwebrtc through LiveKit's Rust SDK) join three
# rooms, publish a microphone and a small camera, subscribe to each other,
# leave after a few seconds and are replaced, in cycles, for two minutes
# (t/node/soak-churn.mjs; bench/soak.sh runs it for 30 minutes).  At each
# quiet point (no room, participant or media session left) the worker is
# sampled, and every 500 ms while participants are in (busy).  The driver
# reports its cases (joins and publications: rtc-node itself leaves about
# one in 270 unfinished, up to 2 % may fail; decoded video; every cycle
# ends at a quiet point: a participant whose disconnect() hangs in
# rtc-node is evicted by a join with its identity); then:
#
#   - its open files are back to their number before the first join;
#   - malloc's arena while participants publish stays within 4 MB of its
#     size before the first join: the video tracks' packet histories
#     (~770 KB each, nine at once) are mapped apart and unmapped at the
#     track's end.  Before, glibc cut them from its heap (once the first
#     was freed it raised its mmap threshold above their size), the arena
#     grew by 7-8 MB, and what small allocations sat above them kept the
#     worker's RSS megabytes above its start after everyone had left;
#   - its malloc heap in use (mallinfo2(): the "heap" component of
#     /healthz with meet_test_heap, tests' build), from the end of a
#     warm-up of two cycles to the end, grew by less than 256 bytes per
#     join.  nginx runs with glibc's per-thread cache off
#     (GLIBC_TUNABLES=glibc.malloc.tcache_count=0), so that freed chunks
#     count as free: the figure is what the worker keeps (it does not
#     move by a byte), not what malloc caches.  A leak of ~1 KB per join
#     is four times the bound;
#   - its RSS (VmRSS) did not grow by more than 4 KB per join from the
#     lowest value of the first half of the samples after the warm-up to
#     the lowest of the second half (the lowest value of a window is
#     stable; a bound for growth outside malloc's count).
#
# Under valgrind the test is skipped (libwebrtc's DTLS and ICE timers do
# not wait for a server ten times slower, and the figures would be
# valgrind's); under ASan (TEST_NGINX_PRELOAD) the churn runs and the open
# files are checked, the malloc and RSS figures are not (ASan's allocator
# has no mallinfo2() and keeps freed memory in quarantine).
#
#   prove -v t/soak/10-churn.t
#   MEET_SOAK_SECONDS=600 prove -v t/soak/10-churn.t     (longer)
use lib 't/lib';
use Test::Meet;
use Test::Meet::Node;
use Test::Meet::Util qw(valgrind_mode);

use Test::Meet::Suites;

# make test-valgrind skips it by name (SKIP=soak)
Test::Meet::Suites::need('soak', valgrind_mode()
    ? 'under valgrind: libwebrtc does not wait for a server ten times '
      . 'slower, and RSS would be valgrind\'s' : undef);
Test::Meet::Suites::need('node', Test::Meet::Node::unavailable(
    min_node => 18, modules => ['@livekit/rtc-node']));

my $asan = ($ENV{TEST_NGINX_PRELOAD} // '') =~ /\S/;
my $seconds = $ENV{MEET_SOAK_SECONDS} // 120;

# the worker forks from the master: the tunable reaches it
local $ENV{GLIBC_TUNABLES} = 'glibc.malloc.tcache_count=0';

start_nginx(name => 'soak-churn', main_config => "meet_test_heap;\n",
            config => <<'EOC', stream_config => <<'EOS');
large_client_header_buffers 4 32k;
meet_signal_departure_timeout 1s;

location /rtc {
    meet_signal;
}

location = /healthz {
    meet_health;
}
EOC
server {
    listen 127.0.0.1:$TEST_NGINX_UDP_PORT_1 udp;
    meet_rtp;
}
EOS

my @workers = @{ Test::Meet::Server::_children(nginx_pid()) || [] };
is(scalar @workers, 1, 'one worker to sample') or diag("@workers");

my $r = Test::Meet::Node::run_cases(
    script  => 'soak-churn.mjs',
    timeout => $seconds + 120,
    env     => {
        MEET_URL        => 'ws://127.0.0.1:' . test_var('TEST_NGINX_SERVER_PORT'),
        MEET_WORKER_PID => $workers[0] // 0,
        MEET_CASES      => 1,
        SOAK_SECONDS    => $seconds,
        SOAK_ROOMS      => 3,
        SOAK_PER_ROOM   => 3,
        SOAK_TURNS      => 2,
    });

my $info = $r->{info} || {};
my $start = $info->{start} || {};
my @s = @{ $info->{samples} || [] };
my $warm = 2;

note(sprintf 'before: RSS %s kB, heap %s B, arena %s B, %s fds',
     map { $_ // '?' } @$start{qw(rss_kb heap arena fds)});
note(sprintf 'cycle %d: %d joins, RSS %s kB, heap %s B, arena %s B, %s fds; '
     . 'busy: RSS %s kB, arena %s B, %s participants', $_->{cycle},
     map { $_ // '?' } @$_{qw(joins rss_kb heap arena fds busy_rss_kb
                              busy_arena busy_participants)}) for @s;

SKIP: {
    unless (@s) {
        fail('the churn ran cycles');
        last SKIP;
    }

    is($s[-1]{fds}, $start->{fds},
       "the worker's open files are back to $start->{fds} after "
       . "$s[-1]{joins} joins");

    if ($asan) {
        note('ASan: no mallinfo2(), freed memory in quarantine: the heap '
             . 'and RSS figures are not checked');
        last SKIP;
    }

    # the packet histories of the video tracks (~770 KB each, nine
    # publishing at once) are mapped apart: malloc's arena holds none
    SKIP: {
        skip 'no heap figure in /healthz (not the tests\' build)', 1
            unless defined $start->{arena};
        my ($busy) = sort { $b <=> $a } map { $_->{busy_arena} // 0 } @s;
        cmp_ok($busy - $start->{arena}, '<', 4 * 1024 * 1024,
               sprintf('malloc\'s arena while participants publish: at '
                       . 'most %d kB above its %d kB before the first '
                       . 'join', ($busy - $start->{arena}) / 1024,
                       $start->{arena} / 1024));
    }

    skip 'too few cycles for the heap and RSS figures ('
         . scalar(@s) . ')', 2 if @s < $warm + 4;

    my ($w, $e) = ($s[$warm - 1], $s[-1]);
    my $joins = $e->{joins} - $w->{joins};

    SKIP: {
        skip 'no heap figure in /healthz (not the tests\' build)', 1
            unless defined $w->{heap} && defined $e->{heap};
        my $per = ($e->{heap} - $w->{heap}) / $joins;
        cmp_ok($per, '<', 256,
               sprintf('heap in use after the warm-up: %+d B over %d joins '
                       . '(%.0f B per join)', $e->{heap} - $w->{heap},
                       $joins, $per));
    }

    my @after = @s[$warm - 1 .. $#s];
    my $half = int(@after / 2);
    my @first = @after[0 .. $half - 1];
    my @second = @after[$half .. $#after];
    my $min = sub { my $m; for (@_) { $m = $_ if !defined $m || $_ < $m } $m };
    my $r1 = $min->(map { $_->{rss_kb} } @first);
    my $r2 = $min->(map { $_->{rss_kb} } @second);
    my $j = $second[-1]{joins} - $first[-1]{joins};
    my $per = ($r2 - $r1) * 1024 / ($j || 1);
    cmp_ok($per, '<', 4096,
           sprintf('RSS, lowest of each half after the warm-up: %d kB then '
                   . '%d kB (%.0f B per join)', $r1, $r2, $per));
}

stop_nginx();
done_testing();
