# Smoke runs of the libFuzzer targets: builds them ("make -s fuzz": every
# t/fuzz/fuzz_X.c into build/fuzz/, see scripts/build-unit.sh), then runs
# each for FUZZ_RUNS inputs (default 20000) or FUZZ_TIME seconds (default
# 20), starting from a copy of its seed corpus t/fuzz/corpus/X/ when there
# is one (the repository is not modified).  Passes when the fuzzer exits 0;
# a crashing input is kept in build/fuzz/artifacts/.  Fails without clang and
# its libFuzzer runtime (libclang-rt-14-dev), skips with SKIP=fuzz.
use strict;
use warnings;
use Test::More;
use File::Basename qw(basename);
use File::Copy qw(copy);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use FindBin;

chdir "$FindBin::Bin/.." or die "chdir: $!";

use lib 't/lib';
use Test::Meet::Suites;

my @targets = sort glob 't/fuzz/fuzz_*.c';
BAIL_OUT('no t/fuzz/fuzz_*.c') unless @targets;

Test::Meet::Suites::need('fuzz', Test::Meet::Suites::fuzz_unavailable());

my $runs = $ENV{FUZZ_RUNS} || 20000;
my $time = $ENV{FUZZ_TIME} || 20;

my $out = `make -s fuzz 2>&1`;
if ($? != 0) {
    fail('make -s fuzz builds the fuzz targets');
    diag($out);
    done_testing();
    exit 1;
}

my $artifacts = 'build/fuzz/artifacts';
make_path($artifacts);

for my $c (@targets) {
    my $name = basename($c, '.c');
    (my $short = $name) =~ s/^fuzz_//;
    my $bin = "build/fuzz/$name";

    if (!-x $bin) {
        fail("$bin was built");
        next;
    }

    my $tmp = tempdir(CLEANUP => 1);
    my $corpus = "$tmp/corpus";
    mkdir $corpus or die "mkdir $corpus: $!";

    my $seeds = 0;
    for my $f (glob "t/fuzz/corpus/$short/*") {
        next unless -f $f;
        copy($f, "$corpus/" . basename($f)) or die "copy $f: $!";
        $seeds++;
    }

    my @cmd = ('timeout', '-k', '10', $time * 3 + 60, $bin,
               "-runs=$runs", "-max_total_time=$time",
               "-artifact_prefix=$artifacts/$name-", '-print_final_stats=1',
               $corpus);
    my $log = "$tmp/log";

    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        open STDOUT, '>', $log or die "open $log: $!";
        open STDERR, '>&', \*STDOUT or die "dup: $!";
        exec @cmd or die "exec $bin: $!";
    }
    waitpid($pid, 0);
    my $status = $?;

    open my $fh, '<', $log or die "open $log: $!";
    my @lines = <$fh>;
    close $fh;

    my ($done) = grep { /^Done \d+ runs/ } @lines;

    if (is($status, 0, "$name: $seeds seeds, no crash")) {
        note($done // '');
    } else {
        diag(join '', @lines > 60 ? @lines[-60 .. -1] : @lines);
    }

    ok($done, "$name: fuzzing ran") or diag('no "Done N runs" line');
}

done_testing();
