# The C unit tests: builds them ("make -s unit": every t/unit/test_*.c into
# build/unit/, see scripts/build-unit.sh), then runs each binary as a
# subtest.  Every TAP line the binary prints becomes an assertion here; its
# exit status (non-zero on a failed test, a plan mismatch or a sanitizer
# report) is one more.  UNIT_TIMEOUT: seconds per binary (default 600).
use strict;
use warnings;
use Test::More;
use TAP::Parser;
use File::Basename qw(basename);
use FindBin;

chdir "$FindBin::Bin/.." or die "chdir: $!";

my @tests = sort glob 't/unit/test_*.c';
BAIL_OUT('no t/unit/test_*.c') unless @tests;

my $timeout = $ENV{UNIT_TIMEOUT} || 600;

my $out = `make -s unit 2>&1`;
if ($? != 0) {
    fail('make -s unit builds the C unit tests');
    diag($out);
    done_testing();
    exit 1;
}

for my $c (@tests) {
    my $name = basename($c, '.c');
    my $bin = "build/unit/$name";

    subtest $name => sub {
        if (!-x $bin) {
            fail("$bin was built");
            return;
        }

        my $parser = TAP::Parser->new({
            exec => ['timeout', '-k', '10', $timeout, $bin],
        });
        my $failing = 0;

        while (my $r = $parser->next) {
            if ($r->is_test) {
                my $desc = $r->description;
                $desc =~ s/^-\s*//;
                ok($r->is_ok, $desc);
                $failing = !$r->is_ok;

            } elsif ($r->is_comment) {
                # the binary's "got/expected" lines follow a failure
                my $text = $r->comment;
                $text =~ s/^#\s?//;
                $failing ? diag($text) : note($text);

            } elsif ($r->is_unknown) {
                diag($r->as_string);
            }
        }

        my @errors = $parser->parse_errors;
        ok(!@errors, "$name printed valid TAP") or diag(join "\n", @errors);
        ok($parser->tests_run > 0, "$name ran tests");
        is($parser->wait, 0, "$name exited with status 0")
            or diag('exit status ' . ($parser->wait >> 8)
                    . ', signal ' . ($parser->wait & 127)
                    . (($parser->wait >> 8) == 124 ? ' (timeout)' : ''));
    };
}

done_testing();
