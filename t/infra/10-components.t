# The real components the OIDC / storage tests are built on, started and
# stopped by the harness: PostgreSQL (Test::Meet::Postgres), Redis
# (Test::Meet::Redis) and the npm oidc-provider OP (Test::Meet::OIDC).
# Each subtest skips by itself when its component is not installed.

use lib 't/lib';
use Test::Meet;
use Test::Meet::Postgres;
use Test::Meet::Redis;
use Test::Meet::OIDC;
use Test::Meet::CookieJar;
use Time::HiRes qw(time);
use Digest::SHA ();

# A die that escapes every eval (seen once in CI, as exit 255 with no
# plan) says where it came from, and from which process.
use Carp ();
my $MAIN_PID = $$;
$SIG{__DIE__} = sub {
    return if $^S || !defined $^S;
    print STDERR "# died outside any eval in pid $$ (test pid $MAIN_PID): "
        . Carp::longmess($_[0]);
};

sub gone_within {
    my ($pid, $secs) = @_;
    my $end = time + $secs;
    while (time < $end) {
        return 1 unless kill 0, $pid;
        select undef, undef, undef, 0.05;
    }
    return !kill 0, $pid;
}

subtest 'PostgreSQL' => sub {
    Test::Meet::Suites::need('postgres', Test::Meet::Postgres::unavailable());

    my $t0 = time;
    my $pg = Test::Meet::Postgres->new(dbname => 'meetdb', user => 'meetrole',
                                       password => 'pw-1')->start;
    my $took = time - $t0;
    cmp_ok($took, '<', 30 * Test::Meet::Util::timeout_factor(),
           sprintf 'started in %.1f s', $took);
    like($pg->conninfo,
         qr/^host=127\.0\.0\.1 port=\d+ dbname=meetdb user=meetrole password=pw-1$/,
         'libpq conninfo');
    my ($ok, $out) = $pg->psql('SELECT current_user, current_database()');
    ok($ok, 'the role logs in over TCP with its password') or diag $out;
    is($out, 'meetrole|meetdb', 'as that role, in that database');
    ($ok, $out) = $pg->psql('SELECT 1', password => 'wrong');
    ok(!$ok, 'a wrong password is refused');
    like($out, qr/password authentication failed/, '... by scram auth');
    if ($> == 0) {
        my @st = stat $pg->data_dir;
        isnt($st[4], 0, 'the data folder does not belong to root');
        my ($uid) = (split ' ', (grep { /^Uid:/ }
            split /\n/, Test::Meet::Util::slurp("/proc/" . $pg->pid
                                                . "/status") // '')[0]
            // '')[1];
        isnt($uid // 0, 0, 'the server does not run as root');
    }
    is($pg->query_value('CREATE TABLE t (v int); INSERT INTO t VALUES (41), (1);'
                        . ' SELECT sum(v) FROM t'), 42, 'SQL runs');

    my $pid = $pg->pid;
    $pg->stop;
    ok(gone_within($pid, 2), 'stop: the postmaster is gone');
    ($ok, $out) = $pg->psql('SELECT 1');
    ok(!$ok, 'stopped: connections fail');
    like($out, qr/Connection refused|could not connect/i, '... refused');

    $pg->start;
    isnt($pg->pid, $pid, 'started again');
    is($pg->query_value('SELECT sum(v) FROM t'), 42,
       'same cluster: the data is still there');

    my $dir = $pg->socket_dir;
    $pid = $pg->pid;
    undef $pg;
    ok(gone_within($pid, 2), 'object gone: server stopped');
    ok(!-d $dir, '... and its folder removed');
};

subtest 'Redis' => sub {
    Test::Meet::Suites::need('redis', Test::Meet::Redis::unavailable());

    my $r = Test::Meet::Redis->new(password => 'rpw')->start;
    is($r->command('PING'), 'PONG', 'PING with the password');
    is($r->command('SET', 'k', 'v', 'EX', 60), 'OK', 'SET');
    is($r->get('k'), 'v', 'GET');
    cmp_ok($r->ttl('k'), '>', 50, 'TTL');
    is_deeply([ $r->keys('*') ], [ 'k' ], 'KEYS');
    my ($v, $err) = $r->try_command_noauth('GET', 'k');
    like($err // '', qr/NOAUTH/, 'without the password: refused');
    ($v, $err) = $r->try_command_noauth('AUTH', 'nope');
    like($err // '', qr/WRONGPASS|invalid/i, 'a wrong password: refused');
    is($r->command('CONFIG', 'GET', 'save')->[1], '', 'no RDB snapshots');

    my $pid = $r->pid;
    $r->stop;
    ok(gone_within($pid, 2), 'stop: redis-server is gone');
    ok(!eval { $r->command('PING'); 1 }, 'stopped: connections fail');
    $r->start;
    is($r->command('PING'), 'PONG', 'started again on the same port');
    is($r->get('k'), undef, 'nothing persisted');
    $pid = $r->pid;
    undef $r;
    ok(gone_within($pid, 2), 'object gone: server stopped');
};

# The code flow as an RP would run it; returns the token response.
sub login {
    my ($op, %o) = @_;
    my $jar = $o{jar} // Test::Meet::CookieJar->new;
    my ($verifier, $challenge) = Test::Meet::OIDC::pkce();
    my ($state, $nonce) = ("st-" . int(rand 1e9), "n-" . int(rand 1e9));
    my $f = $op->follow(jar => $jar, path => $op->authorize_path(
        state => $state, nonce => $nonce, code_challenge => $challenge,
        ($o{login_hint} ? (login_hint => $o{login_hint}) : ())));
    my $loc = $f->{location} // '';
    my ($code) = $loc =~ /[?&]code=([^&]+)/;
    my ($st) = $loc =~ /[?&]state=([^&]+)/;
    my $t = $code ? $op->token(code => $code, code_verifier => $verifier)
                  : { status => 0 };
    return { %$t, location => $loc, code => $code, state => $st,
             sent_state => $state, nonce => $nonce, verifier => $verifier,
             follow => $f, jar => $jar };
}

sub oidc_checks {
    my ($alg, $https) = @_;
    my $rx = Test::Meet::OIDC::Receiver->new;
    my $redirect = 'http://127.0.0.1:9/callback';
    my $t0 = time;
    my $op = Test::Meet::OIDC->new(
        alg => $alg, https => $https, redirect_uris => [ $redirect ],
        post_logout_redirect_uris => [ 'http://127.0.0.1:9/bye' ],
        backchannel_logout_uri => $rx->url('/bcl'),
        users => [ { sub => 'alice', email => 'alice@example.test',
                     name => 'Alice' },
                   { sub => 'bob', email => 'bob@example.test',
                     name => 'Bob' } ])->start;
    my $took = time - $t0;
    cmp_ok($took, '<', 30 * Test::Meet::Util::timeout_factor(),
           sprintf 'started in %.1f s', $took);
    like($op->issuer, $https ? qr{^https://127\.0\.0\.1:\d+$}
                             : qr{^http://127\.0\.0\.1:\d+$}, 'issuer');

    my $d = $op->discovery;
    is($d->{issuer}, $op->issuer, 'discovery: issuer');
    is($d->{jwks_uri}, $op->jwks_uri, 'discovery: jwks_uri');
    is_deeply($d->{code_challenge_methods_supported}, ['S256'],
              'discovery: PKCE S256');
    ok((grep { $_ eq $alg } @{ $d->{id_token_signing_alg_values_supported} }),
       "discovery: $alg ID tokens");
    ok($d->{backchannel_logout_supported}, 'discovery: back-channel logout');
    ok($d->{end_session_endpoint}, 'discovery: RP-initiated logout');

    my $jwks = $op->jwks;
    is(scalar @{ $jwks->{keys} }, 1, 'JWKS: one key');
    my $k = $jwks->{keys}[0];
    is($k->{kty}, $alg eq 'ES256' ? 'EC' : 'RSA', 'JWKS: kty');
    is($k->{alg}, $alg, 'JWKS: alg');
    is($k->{kid}, $op->kid, 'JWKS: kid of the signing key');
    ok(!exists $k->{d}, 'JWKS: no private part');

    # the flow
    my $l = login($op);
    like($l->{location}, qr{^\Q$redirect\E\?}, 'redirected to the client');
    ok($l->{code}, '... with a code');
    is($l->{state}, $l->{sent_state}, '... and the state');
    ok($l->{jar}->get('_session'), 'the OP session cookie is in the jar');
    is($l->{status}, 200, 'token endpoint (client_secret_basic)')
        or diag $l->{res}{body};
    my $idt = $l->{json}{id_token};
    my ($h, $c) = Test::Meet::OIDC::decode_jwt($idt);
    is($h->{alg}, $alg, 'ID token alg');
    is($h->{kid}, $k->{kid}, 'ID token kid is in the JWKS');
    ok($op->verify_jwt($idt), 'ID token signature verifies with that key');
    is($c->{iss}, $op->issuer, 'iss');
    is($c->{aud}, $op->client_id, 'aud');
    is($c->{nonce}, $l->{nonce}, 'nonce');
    is($c->{sub}, 'alice', 'sub: the default user');
    is($c->{email}, 'alice@example.test', 'email claim');
    ok($c->{sid}, 'sid claim (back-channel logout)');
    cmp_ok($c->{exp}, '>', time, 'not expired');

    my $again = $op->token(code => $l->{code}, code_verifier => $l->{verifier});
    is($again->{status}, 400, 'code replay refused');
    is($again->{json}{error}, 'invalid_grant', '... invalid_grant');

    my $l2 = login($op, login_hint => 'bob@example.test');
    is((Test::Meet::OIDC::decode_jwt($l2->{json}{id_token}))[1]{sub}, 'bob',
       'login_hint picks the user');
    $op->login_as('bob');
    is((Test::Meet::OIDC::decode_jwt(login($op)->{json}{id_token}))[1]{sub},
       'bob', 'login_as sets the default user');
    $op->login_as('alice');

    my $bad = Test::Meet::CookieJar->new;
    my ($v, $ch) = Test::Meet::OIDC::pkce();
    my $f = $op->follow(jar => $bad, path => $op->authorize_path(
        state => 's', nonce => 'n', code_challenge => $ch));
    my ($code) = ($f->{location} // '') =~ /[?&]code=([^&]+)/;
    my $t = $op->token(code => $code, code_verifier => 'x' x 43);
    is($t->{json}{error}, 'invalid_grant', 'wrong PKCE verifier refused');
    $f = $op->follow(jar => $bad, path => $op->authorize_path(
        state => 's', nonce => 'n'));
    like($f->{location} // '', qr/error=invalid_request/,
         'PKCE is required');

    # bad ID tokens, signed (or not) as asked
    $op->bad_id_token(tamper => ['expired']);
    my $e = login($op);
    my (undef, $ec) = Test::Meet::OIDC::decode_jwt($e->{json}{id_token});
    cmp_ok($ec->{exp}, '<', time, 'tampered: expired');
    ok($op->verify_jwt($e->{json}{id_token}), '... and validly signed');
    $op->bad_id_token(tamper => ['bad_signature']);
    $e = login($op);
    ok(!$op->verify_jwt($e->{json}{id_token}), 'tampered: bad signature');
    $op->bad_id_token(tamper => [qw(wrong_aud wrong_nonce)]);
    $e = login($op);
    (undef, $ec) = Test::Meet::OIDC::decode_jwt($e->{json}{id_token});
    isnt($ec->{aud}, $op->client_id, 'tampered: wrong aud');
    isnt($ec->{nonce}, $e->{nonce}, 'tampered: wrong nonce');
    $op->bad_id_token(tamper => ['unknown_kid']);
    $e = login($op);
    my ($eh) = Test::Meet::OIDC::decode_jwt($e->{json}{id_token});
    ok(!(grep { $_->{kid} eq $eh->{kid} } @{ $op->jwks->{keys} }),
       'tampered: kid not in the JWKS');
    my $norm = login($op);
    ok($op->verify_jwt($norm->{json}{id_token}), 'then good tokens again');
    my $minted = $op->mint(claims => { sub => 'x', nonce => 'abc' });
    my (undef, $mc) = Test::Meet::OIDC::decode_jwt($minted);
    ok($op->verify_jwt($minted) && $mc->{iss} eq $op->issuer,
       'mint: signed by the current key, iss filled in');
    ok(-s $op->signing_key_pem, 'the private key is exported');
    my %check = (
        expired       => sub { $_[1]{exp} < time && $_[2] },
        not_yet_valid => sub { $_[1]{iat} > time && $_[1]{nbf} > time && $_[2] },
        wrong_iss     => sub { $_[1]{iss} ne $op->issuer && $_[2] },
        wrong_sub     => sub { $_[1]{sub} ne 'x' && $_[2] },
        no_nonce      => sub { !exists $_[1]{nonce} && $_[2] },
        extra_aud     => sub { ref $_[1]{aud} eq 'ARRAY' && @{ $_[1]{aud} } == 2
                               && $_[1]{azp} ne $op->client_id && $_[2] },
        bad_signature => sub { !$_[2] },
        unknown_kid   => sub { $_[0]{kid} ne $op->kid && !$_[2] },
        alg_none      => sub { $_[0]{alg} eq 'none' && $_[3] eq '' },
        alg_hs256     => sub {
            $_[0]{alg} eq 'HS256' && Test::Meet::OIDC::b64u_decode($_[3])
                eq Digest::SHA::hmac_sha256($_[4], $op->client_secret) },
    );
    for my $name (sort keys %check) {
        my $jwt = $op->mint(claims => { sub => 'x', nonce => 'abc' },
                            tamper => [ $name ]);
        my ($th, $tc) = Test::Meet::OIDC::decode_jwt($jwt);
        my @p = split /\./, $jwt, -1;
        ok($check{$name}->($th, $tc, $op->verify_jwt($jwt), $p[2] // '',
                           "$p[0].$p[1]"),
           "mint with tamper $name");
    }

    # back-channel logout of the first login's session
    my $sent = $op->backchannel_logout(sid => $c->{sid});
    ok(@$sent == 1 && $sent->[0]{ok}, 'back-channel logout sent')
        or diag explain $sent;
    my @got = $rx->wait_requests(1, 5);
    is($got[0]{method}, 'POST', 'the receiver got a POST');
    is($got[0]{path}, '/bcl', '... to backchannel_logout_uri');
    my $lt = $got[0]{form}{logout_token};
    my ($lh, $lc) = Test::Meet::OIDC::decode_jwt($lt);
    ok($op->verify_jwt($lt), 'logout_token signed by the OP');
    is($lc->{iss}, $op->issuer, 'logout_token iss');
    is($lc->{aud}, $op->client_id, 'logout_token aud');
    is($lc->{sub}, 'alice', 'logout_token sub');
    is($lc->{sid}, $c->{sid}, 'logout_token sid = the ID token sid');
    ok(exists $lc->{events}{'http://schemas.openid.net/event/backchannel-logout'},
       'logout_token event');
    ok(!exists $lc->{nonce}, 'logout_token has no nonce');

    # RP-initiated logout through the form
    my $lo = login($op);
    my $res = $op->request(jar => $lo->{jar}, path => '/session/end?'
        . Test::Meet::OIDC::form_body({
            id_token_hint => $lo->{json}{id_token},
            post_logout_redirect_uri => 'http://127.0.0.1:9/bye',
            client_id => $op->client_id, state => 'bye1' }));
    my ($action, $fields) = Test::Meet::OIDC::logout_form($res->{body});
    ok($action && $fields->{xsrf}, 'logout confirmation form');
    $res = $op->request(jar => $lo->{jar}, method => 'POST',
        path => $action, body => Test::Meet::OIDC::form_body($fields),
        headers => { 'Content-Type' => 'application/x-www-form-urlencoded' });
    like(($res->{headers}{location} || [''])->[0],
         qr{^http://127\.0\.0\.1:9/bye\?state=bye1$},
         'RP-initiated logout redirects to post_logout_redirect_uri');
    @got = $rx->wait_requests(2, 5);
    is(scalar @got, 2, '... and sent a back-channel logout too');

    # key rotation
    my $old = $op->kid;
    my $rot = $op->rotate_key;
    isnt($rot->{kid}, $old, 'rotation: a new kid');
    is($rot->{previous_kid}, $old, '... replacing the old one');
    is_deeply([ sort map { $_->{kid} } @{ $op->jwks->{keys} } ],
              [ sort $old, $rot->{kid} ], 'JWKS: both keys');
    my $rl = login($op);
    ($h) = Test::Meet::OIDC::decode_jwt($rl->{json}{id_token});
    is($h->{kid}, $rot->{kid}, 'new ID tokens carry the new kid');
    ok($op->verify_jwt($rl->{json}{id_token}), '... and verify');
    $op->jwks_mode('without_signing_key');
    is_deeply([ map { $_->{kid} } @{ $op->jwks->{keys} } ], [ $old ],
              'JWKS without the signing key');
    $op->jwks_mode('normal');

    $op->deny_next(error => 'access_denied');
    $f = $op->follow(jar => Test::Meet::CookieJar->new,
                     path => $op->authorize_path(state => 's1', nonce => 'n',
                                                 code_challenge => $ch));
    like($f->{location} // '', qr/[?&]error=access_denied\b.*state=s1/,
         'deny_next: the client gets error=access_denied');

    my $pid = $op->pid;
    $op->stop;
    ok(gone_within($pid, 2), 'stop: node is gone');
    $op->start;
    isnt($op->kid, $rot->{kid}, 'start again: a new key');
    is(scalar @{ $op->jwks->{keys} }, 1, '... alone in the JWKS');
    $pid = $op->pid;
    undef $op;
    ok(gone_within($pid, 2), 'object gone: node stopped');
    $rx->stop;
}

for my $v ([ 'RS256', 0 ], [ 'ES256', 1 ]) {
    my ($alg, $https) = @$v;
    subtest "oidc-provider $alg over " . ($https ? 'HTTPS' : 'HTTP') => sub {
        Test::Meet::Suites::need('oidc', Test::Meet::OIDC::unavailable());
        oidc_checks($alg, $https);
    };
}

subtest 'a dying test leaves nothing running' => sub {
    # each component that can run here (the others were reported above)
    my @want = grep { !$_->[1]->() } (
        [ 'Test::Meet::Postgres->new->start',
          \&Test::Meet::Postgres::unavailable ],
        [ 'Test::Meet::Redis->new->start', \&Test::Meet::Redis::unavailable ],
        [ 'Test::Meet::OIDC->new->start', \&Test::Meet::OIDC::unavailable ]);
    unless (@want) {    # none can: skipped when asked, else a failure
        Test::Meet::Suites::need($_, 'cannot start here')
            for qw(postgres redis oidc);
    }
    my $code = 'use Test::Meet::Postgres; use Test::Meet::Redis; '
             . 'use Test::Meet::OIDC; our @keep; $| = 1; '
             . join('', map { "push \@keep, $_->[0]; " } @want)
             . 'print "PIDS @{[ map { $_->pid } @keep ]}\n"; '
             . 'die "the test dies\n";';
    my ($status, $out) = Test::Meet::Util::run_command(
        argv => [ $^X, '-It/lib', '-e', $code ], timeout => 60);
    isnt($status, 0, 'the script died');
    my ($pids) = $out =~ /^PIDS ([\d ]+)$/m;
    my @pids = split ' ', $pids // '';
    is(scalar @pids, scalar @want, 'it had started its servers') or diag $out;
    ok(gone_within($_, 3), "pid $_ is gone") for @pids;
};

done_testing();
