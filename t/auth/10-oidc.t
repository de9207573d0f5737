# Login (issue 6): nginx as the OIDC relying party of a real OpenID
# Provider (npm oidc-provider, t/node/oidc-server.mjs, over HTTPS with the
# test certificate, which nginx must verify), at La Suite Meet's paths:
# /api/v1.0/authenticate/ -> the OP -> /api/v1.0/callback/ -> the session
# cookie; users/me, room tokens of a logged-in user, RP-initiated and
# back-channel logout (which also closes that user's meeting connection),
# a reload keeps sessions; RS256 and ES256 OPs, key rotation; every bad
# path refused with a clear status and log line.
use lib 't/lib';
use Test::Meet;
use Test::Meet::OIDC;
use Test::Meet::Suites;
use Test::Meet::CookieJar;
use Test::Meet::WebSocket;
use JSON::PP qw(decode_json);
use MIME::Base64 qw(decode_base64);

Test::Meet::Suites::need('oidc', Test::Meet::OIDC::unavailable());

my $port = test_var('TEST_NGINX_SERVER_PORT');
my $port2 = test_var('TEST_NGINX_PORT_2');     # ES256 OP
my $port3 = test_var('TEST_NGINX_PORT_3');     # an OP that is down
my $port4 = test_var('TEST_NGINX_PORT_4');     # an OP we do not trust
my $api = '/api/v1.0';

my %op;
my @users = ({ sub => 'alice', email => 'alice@example.test',
               name => 'Alice Liddell', given_name => 'Alice' },
             { sub => 'bob', email => 'bob@example.test', name => 'Bob' });
for my $v ([ rs => 'RS256', $port ], [ es => 'ES256', $port2 ],
           [ untrusted => 'RS256', $port4 ]) {
    my ($k, $alg, $p) = @$v;
    $op{$k} = Test::Meet::OIDC->new(
        alg => $alg, https => 1, users => \@users,
        redirect_uris => [ "http://127.0.0.1:$p$api/callback/" ],
        post_logout_redirect_uris => [ "http://127.0.0.1:$p$api/logout-callback/" ],
        backchannel_logout_uri => "http://127.0.0.1:$p$api/backchannel-logout/",
    )->start;
}
my $down_port = Test::Meet::Util::free_port('tcp');
my $cert = $op{rs}->cert;     # the OPs serve the harness's test certificate

# an unrelated self-signed certificate: the "untrusted" server trusts only it
my $other = ($ENV{TMPDIR} || '/tmp') . "/meet-other-ca-$$.pem";
system('openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
       'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', "$other.key",
       '-out', $other, '-days', '2', '-subj', '/CN=localhost',
       '-addext', 'subjectAltName=DNS:localhost') == 0
    or die "openssl failed\n";
END { unlink $other, "$other.key" if $other }

sub oidc_block {
    my ($op, $trusted) = @_;
    my $issuer = $op ? $op->issuer : "https://127.0.0.1:$down_port";
    my $id = $op ? $op->client_id : 'meet';
    my $secret = $op ? $op->client_secret : 'x';
    return <<"EOB";
        meet_oidc {
            issuer               $issuer;
            client_id            $id;
            client_secret        $secret;
            trusted_certificate  $trusted;
            tls_name             localhost;
            timeout              3s;
            refetch_interval     0s;   # keys rotate back to back here
        }
EOB
}

my $routes = <<'EOR';
        meet_routes {
            /api/v1.0/   api;
            /rtc         signal;
        }
EOR

start_nginx(
    http_config => <<"EOH",
    meet_session_ttl 1h;
    server {
        listen 127.0.0.1:$port2;
$routes
@{[ oidc_block($op{es}, $cert) ]}
    }
    server {
        listen 127.0.0.1:$port3;
$routes
@{[ oidc_block(undef, $cert) ]}
    }
    server {
        listen 127.0.0.1:$port4;
$routes
@{[ oidc_block($op{untrusted}, $other) ]}
    }
EOH
    config => $routes . oidc_block($op{rs}, $cert));

sub hdr { my ($r, $n) = @_; return ($r->{headers}{lc $n} || [])->[0] }

sub rp {
    my ($p, %a) = @_;
    return http_request(port => $p, %a,
                        headers => { Host => "127.0.0.1:$p",
                                     %{ $a{headers} || {} } });
}

sub json_of { my $j = eval { decode_json($_[0]{body}) }; $j }

# start a login at nginx; returns (response, the OP's authorize path)
sub start_login {
    my ($p, $op, $jar, $return) = @_;
    my $q = defined $return ? '?returnTo=' . Test::Meet::OIDC::_esc($return)
                            : '';
    my $r = rp($p, path => "$api/authenticate/$q", jar => $jar);
    my $loc = hdr($r, 'location') // '';
    my $path = index($loc, $op->issuer) == 0
             ? substr($loc, length $op->issuer) : undef;
    return ($r, $path, $loc);
}

# the OP's part: returns the callback path nginx gets (with code and state)
sub at_op {
    my ($p, $op, $path, $opjar) = @_;
    my $f = $op->follow(jar => $opjar // Test::Meet::CookieJar->new,
                        path => $path);
    my $loc = $f->{location} // '';
    my $base = "http://127.0.0.1:$p";
    return index($loc, $base) == 0 ? substr($loc, length $base) : undef;
}

# the whole flow; returns {start, callback, cb_path, jar}
sub login {
    my ($p, $op, %o) = @_;
    my $jar = $o{jar} // Test::Meet::CookieJar->new;
    my ($s, $path) = start_login($p, $op, $jar, $o{return} // '/room-1');
    my $cb = $path ? at_op($p, $op, $path, $o{opjar}) : undef;
    my $r = $cb ? rp($p, path => $cb, jar => $jar) : { status => 0 };
    return { start => $s, callback => $r, cb_path => $cb, jar => $jar,
             authorize => $path };
}

sub me {
    my ($p, $jar) = @_;
    my $r = rp($p, path => "$api/users/me/", jar => $jar);
    return ($r->{status}, json_of($r));
}

sub log_has {
    my ($re, $from) = @_;
    return (error_log_text() // '') =~ $re;
}

# --- the flow, RS256 -----------------------------------------------------

my $jar = Test::Meet::CookieJar->new;
my ($st) = me($port, $jar);
is($st, 401, 'anonymous: users/me is 401');

my ($s, $path, $loc) = start_login($port, $op{rs}, $jar, "http://127.0.0.1:$port/room-1?x=1");
is($s->{status}, 302, 'authenticate: 302');
ok(defined $path, '... to the OP\'s authorization endpoint') or diag $loc;
my %q = map { split /=/, $_, 2 } split /&/, (split /\?/, $loc // '', 2)[1] // '';
is($q{response_type}, 'code', '... response_type=code');
is($q{code_challenge_method}, 'S256', '... PKCE S256');
like($q{code_challenge} // '', qr/^[A-Za-z0-9_-]{43}$/, '... a code challenge');
like($q{state} // '', qr/^[A-Za-z0-9_-]{43}$/, '... a random state');
like($q{nonce} // '', qr/^[A-Za-z0-9_-]{43}$/, '... a random nonce');
is($q{redirect_uri}, Test::Meet::OIDC::_esc("http://127.0.0.1:$port$api/callback/"),
   '... redirect_uri: the callback on this origin');
my $sc = join "\n", @{ $s->{headers}{'set-cookie'} || [] };
like($sc, qr{^meet_oidc_state=[^;]+; Path=/api/v1\.0/callback/; Max-Age=600; HttpOnly; Secure; SameSite=Lax$}m,
     '... a signed state cookie for the callback path only');

my $cb = at_op($port, $op{rs}, $path);
like($cb // '', qr{^/api/v1\.0/callback/\?code=[^&]+&state=}, 'the OP sends the browser back with a code');
my $r = rp($port, path => $cb, jar => $jar);
is($r->{status}, 302, 'callback: 302');
is(hdr($r, 'location'), '/room-1?x=1', '... back to the page the login started from');
$sc = join "\n", @{ $r->{headers}{'set-cookie'} || [] };
like($sc, qr{^sessionid=[A-Za-z0-9_-]{43}; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax$}m,
     '... session cookie: HttpOnly, Secure, SameSite=Lax, meet_session_ttl');
like($sc, qr{^meet_oidc_state=; Path=/api/v1\.0/callback/; Max-Age=0}m,
     '... the state cookie is cleared');

my ($code, $me) = me($port, $jar);
is($code, 200, 'users/me: 200 when logged in');
is($me->{email}, 'alice@example.test', '... email from the ID token');
is($me->{full_name}, 'Alice Liddell', '... full_name');
is($me->{short_name}, 'Alice', '... short_name (given_name)');
like($me->{id} // '', qr/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
     '... id: a UUID');
ok(log_has(qr/meet oidc: "alice" \(alice\@example\.test\) logged in/),
   'log: the login');

# a room token for the logged-in user: its id as identity, the session claim
$r = rp($port, path => "$api/rooms/daily/", jar => $jar);
my $room = json_of($r);
my $tok = $room->{livekit}{token} // '';
my (undef, $p64) = split /\./, $tok;
$p64 =~ tr{-_}{+/} if defined $p64;
my $claims = eval { decode_json(decode_base64(($p64 // '') . '=' x ((4 - length($p64 // '') % 4) % 4))) } || {};
is($claims->{sub}, $me->{id}, 'room token: identity = the user id');
is($claims->{name}, 'Alice Liddell', '... name: the user\'s');
like($claims->{meet_session} // '', qr/^[0-9a-f]{64}$/, '... tied to the login session');

# same login again from another browser: another session
my $l2 = login($port, $op{rs});
is($l2->{callback}{status}, 302, 'a second browser logs in too');
isnt($l2->{jar}->get('sessionid'), $jar->get('sessionid'), '... with its own session');

# --- sessions survive a reload -------------------------------------------

reload_nginx();
($code) = me($port, $jar);
is($code, 200, 'after a reload the session is still there');

# --- back-channel logout ends the session and its meeting ----------------

my $ws = Test::Meet::WebSocket->connect(
    port => $port,
    path => "/rtc/v1?access_token=$tok&join_request="
            . Test::Meet::WebSocket::join_request_arg());
is($ws->{status}, 101, 'alice joins a meeting with that token');
my $f = $ws->read_frame(5);
ok($f && $f->{opcode} == 2, '... and gets her JoinResponse');

my $sid = $op{rs}->sessions;
my $sent = $op{rs}->backchannel_logout(sub => 'alice');
ok(@$sent && !(grep { !$_->{ok} } @$sent), 'the OP sends back-channel logouts')
    or diag explain $sent, [ (error_log_text() // '') =~ /^(.*(?:back-channel|oidc).*)$/mg ];
my ($cc) = $ws->wait_close(5);
is($cc, 1000, 'the meeting connection is closed (1000)');
($code) = me($port, $jar);
is($code, 401, 'the session is gone: users/me 401');
($code) = me($port, $l2->{jar});
is($code, 401, '... and the other browser\'s session of alice too');
ok(log_has(qr/meet signal: "[0-9a-f-]+" \(PA_\w+\) disconnected: its login session ended/),
   'log: the participant was disconnected');
ok(log_has(qr/meet session: session of "alice" ended \(back-channel logout\), 1 meeting/),
   'log: the session ended by back-channel logout');

# a back-channel logout nobody signed is refused
$r = rp($port, method => 'POST', path => "$api/backchannel-logout/",
        headers => { 'Content-Type' => 'application/x-www-form-urlencoded' },
        body => 'logout_token=' . $op{rs}->mint(claims => {
            sub => 'alice', sid => 'x', events => {
                'http://schemas.openid.net/event/backchannel-logout' => {} },
            jti => 'j1' }, tamper => ['bad_signature']));
is($r->{status}, 400, 'back-channel logout with a bad signature: 400');
is(json_of($r)->{error}, 'invalid_request', '... invalid_request');
ok(log_has(qr/back-channel logout token refused: .*signature/i), '... logged');
$r = rp($port, method => 'POST', path => "$api/backchannel-logout/",
        headers => { 'Content-Type' => 'application/x-www-form-urlencoded' },
        body => 'nothing=here');
is($r->{status}, 400, 'back-channel logout without a logout_token: 400');
$r = rp($port, path => "$api/backchannel-logout/");
is($r->{status}, 405, 'back-channel logout by GET: 405');

# --- RP-initiated logout -------------------------------------------------

my $l3 = login($port, $op{rs});
($code) = me($port, $l3->{jar});
is($code, 200, 'logged in again');
$r = rp($port, path => "$api/logout/", jar => $l3->{jar});
is($r->{status}, 302, 'logout: 302');
my $end = $op{rs}->discovery->{end_session_endpoint};
like(hdr($r, 'location') // '', qr{^\Q$end\E\?id_token_hint=[^&]+&post_logout_redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A$port%2Fapi%2Fv1\.0%2Flogout-callback%2F&client_id=},
     '... to the OP\'s end_session_endpoint with id_token_hint');
like(join("\n", @{ $r->{headers}{'set-cookie'} || [] }), qr/^sessionid=; Path=\/; Max-Age=0/m,
     '... the session cookie is cleared');
($code) = me($port, $l3->{jar});
is($code, 401, '... and the session is gone on the server');
$r = rp($port, path => "$api/logout-callback/");
is(hdr($r, 'location'), '/', 'logout-callback: back home');
$r = rp($port, path => "$api/logout/");
is($r->{status}, 302, 'logout without a session: still a redirect');
is(hdr($r, 'location'), '/', '... home');

# --- bad paths -------------------------------------------------------------

# open redirects
for my $bad ('https://evil.example/', '//evil.example/x', '/\\evil.example',
             "http://127.0.0.1:$port.evil.example/", 'javascript:alert(1)') {
    my $before = length(error_log_text() // '');
    ($s) = start_login($port, $op{rs}, Test::Meet::CookieJar->new, $bad);
    is($s->{status}, 400, "return URL $bad: 400");
    like(substr(error_log_text() // '', $before),
         qr/login refused: return URL .* is not a path on this site/,
         '... logged as an open redirect attempt');
}

# wrong state
my $j4 = Test::Meet::CookieJar->new;
($s, $path) = start_login($port, $op{rs}, $j4, '/');
$cb = at_op($port, $op{rs}, $path);
(my $wrong = $cb) =~ s/state=[^&]+/state=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/;
$r = rp($port, path => $wrong, jar => $j4);
is($r->{status}, 400, 'wrong state: 400');
like($r->{body}, qr/Login failed/, '... a page saying so');
ok(log_has(qr/callback refused: the state parameter does not match/), '... logged');

# replayed callback: the state cookie is gone after one use
my $l5 = login($port, $op{rs});
is($l5->{callback}{status}, 302, 'a login');
$r = rp($port, path => $l5->{cb_path}, jar => $l5->{jar});
is($r->{status}, 400, 'the same callback again: 400');
ok(log_has(qr/callback refused: no login state cookie/), '... (no state cookie any more)');

# replayed code with the state cookie put back: the OP refuses the code
my $j6 = Test::Meet::CookieJar->new;
($s, $path) = start_login($port, $op{rs}, $j6, '/');
my $state_cookie = $j6->get('meet_oidc_state');
$cb = at_op($port, $op{rs}, $path);
$r = rp($port, path => $cb, jar => $j6);
is($r->{status}, 302, 'a login (code used once)');
$j6->set('meet_oidc_state', $state_cookie, path => "$api/callback/");
$r = rp($port, path => $cb, jar => $j6);
is($r->{status}, 400, 'the code replayed with the old state cookie: 400');
ok(log_has(qr/token endpoint refused the code: "invalid_grant"/), '... the OP said invalid_grant');

# forged state cookie (signature) and forged session cookie
my $j7 = Test::Meet::CookieJar->new;
($s, $path) = start_login($port, $op{rs}, $j7, '/');
my $v = $j7->get('meet_oidc_state');
$v =~ s/\.(.)/'.' . ($1 eq 'A' ? 'B' : 'A')/e;
$j7->set('meet_oidc_state', $v, path => "$api/callback/");
$cb = at_op($port, $op{rs}, $path);
$r = rp($port, path => $cb, jar => $j7);
is($r->{status}, 400, 'forged state cookie: 400');
ok(log_has(qr/callback refused: login state cookie with a bad signature/), '... logged');
my $j8 = Test::Meet::CookieJar->new;
$j8->set('sessionid', 'A' x 43, path => '/');
($code) = me($port, $j8);
is($code, 401, 'forged session cookie: not logged in');
$j8->set('sessionid', '../../etc/passwd', path => '/');
($code) = me($port, $j8);
is($code, 401, 'malformed session cookie: not logged in');

# bad ID tokens from the OP
for my $t ([ wrong_nonce => qr/nonce/i ], [ bad_signature => qr/signature/i ],
           [ expired => qr/expired/i ], [ wrong_aud => qr/audience/i ],
           [ wrong_iss => qr/issuer/i ], [ unknown_kid => qr/kid|key/i ],
           [ alg_none => qr/alg/i ], [ alg_hs256 => qr/alg/i ]) {
    my ($tamper, $re) = @$t;
    $op{rs}->bad_id_token(tamper => [ $tamper ]);
    my $before = length(error_log_text() // '');
    my $l = login($port, $op{rs});
    is($l->{callback}{status}, 401, "ID token $tamper: 401");
    ok(!$l->{jar}->get('sessionid'), '... no session');
    like(substr(error_log_text() // '', $before), qr/ID token refused: .*$re/,
         '... logged with the reason');
}
my $before = length(error_log_text() // '');
my $l9 = login($port, $op{rs});
is($l9->{callback}{status}, 302, 'then good tokens log in again');

# key rotation: the new kid is not in the cached JWKS, one refetch finds it
my $rot = $op{rs}->rotate_key;
$before = length(error_log_text() // '');
my $l10 = login($port, $op{rs});
is($l10->{callback}{status}, 302, 'after the OP rotates its key: login works');
like(substr(error_log_text() // '', $before), qr/fetching the JWKS again/,
     '... after one JWKS refetch');

# the IdP says no
$op{rs}->deny_next(error => 'access_denied');
my $l11 = login($port, $op{rs});
is($l11->{callback}{status}, 403, 'the OP denies the login: 403');
ok(log_has(qr/the IdP refused the login: "access_denied"/), '... logged');

# --- ES256 -----------------------------------------------------------------

my $le = login($port2, $op{es});
is($le->{callback}{status}, 302, 'ES256 OP: login');
($code, $me) = me($port2, $le->{jar});
is($me->{email}, 'alice@example.test', '... users/me');
$op{es}->bad_id_token(tamper => ['bad_signature']);
$le = login($port2, $op{es});
is($le->{callback}{status}, 401, 'ES256: a bad signature is refused');

# --- the IdP down, an IdP we do not trust ---------------------------------

$r = rp($port3, path => "$api/authenticate/");
is($r->{status}, 502, 'IdP down: 502');
like($r->{body}, qr/identity provider could not be reached/, '... a page that says so');
ok(log_has(qr/discovery of "https:\/\/127\.0\.0\.1:$down_port" failed/), '... logged');

$r = rp($port4, path => "$api/authenticate/");
is($r->{status}, 502, 'IdP with a certificate we do not trust: 502');
ok(log_has(qr/certificate verify|upstream SSL certificate/), '... TLS verification failed (logged)');

# --- not configured ---------------------------------------------------------

stop_nginx();

start_nginx(config => $routes);
$r = http_request(path => "$api/authenticate/");
is($r->{status}, 404, 'without meet_oidc: authenticate is 404');
like($r->{body}, qr/Login is not configured/, '... saying so');
stop_nginx();

done_testing();
