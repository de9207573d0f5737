package Test::Meet::OIDC;

# A real OpenID Provider for tests: npm oidc-provider (t/node/package.json)
# run by t/node/oidc-server.mjs on 127.0.0.1 and a free port, plain HTTP or
# HTTPS with the harness's test certificate (the one nginx gets as
# TEST_NGINX_CERT, so nginx can trust it).  Authorization code + PKCE (S256,
# required), one confidential client, discovery, JWKS, back-channel and
# RP-initiated logout; no login page: the OP logs in a test user and
# consents by itself, so a cookie jar runs the whole flow.
#
#   use Test::Meet::OIDC;
#   Test::Meet::Suites::need('oidc', Test::Meet::OIDC::unavailable());
#   my $op = Test::Meet::OIDC->new(
#       alg => 'RS256',                 # or 'ES256'
#       https => 0,                     # 1: TLS with TEST_NGINX_CERT
#       redirect_uris => ["http://127.0.0.1:$port/oidc/callback"],
#       post_logout_redirect_uris => [...],        # optional
#       backchannel_logout_uri => "http://127.0.0.1:$port/oidc/logout",
#       users => [ { sub => 'alice', email => 'alice@example.test',
#                    name => 'Alice' }, ... ],     # default: alice
#       client_id => 'meet', client_secret => '...',  # defaults given
#       id_token_ttl => 3600,
#       conform_id_token_claims => 0,   # 0: scope claims (email, name) are
#                                       # in the ID token too
#       token_endpoint_auth_method => 'client_secret_basic',  # or _post
#       port => $fixed_port)->start;    # all optional; start dies with the
#                                       # OP's log when it does not come up
#   $op->issuer;  $op->port;  $op->client_id;  $op->client_secret;
#   $op->meet_oidc_conf(timeout => '2s')   # nginx's meet_oidc block for it
#   $op->discovery_url; $op->jwks_uri; $op->discovery; $op->jwks (decoded)
#   $op->kid; $op->alg                 # current signing key
#   $op->state_dir, $op->signing_key_pem, $op->signing_key_jwk_file,
#   $op->jwks_file: files the OP keeps current (private key for tests that
#       mint their own tokens)
#
# Flow helpers (the RP side, for tests that play it without nginx):
#   my ($verifier, $challenge) = Test::Meet::OIDC::pkce();
#   my $path = $op->authorize_path(state => .., nonce => .., code_challenge
#       => .., redirect_uri => .., scope => 'openid email profile',
#       login_hint => ..);
#   my $r = $op->follow(jar => $jar, path => $path);  # follows the OP's
#       # own redirects (bounded); {location, status, res, hops}: location
#       # is the first one leaving the OP (the client's redirect_uri)
#   my $t = $op->token(code => .., code_verifier => .., redirect_uri => ..,
#       auth => 'basic'|'post');    # {status, json, res}
#   my ($header, $claims) = Test::Meet::OIDC::decode_jwt($jwt);
#   $op->verify_jwt($jwt)     # signature check with the OP's key of its kid
#                             # (openssl), or verify_jwt($jwt, pem => $file)
#   my ($action, \%fields) = Test::Meet::OIDC::logout_form($html);
#
# Test switches (POSTs to the OP's /__test/ endpoints, see oidc-server.mjs):
#   $op->rotate_key(alg => .., drop_old => 0)  -> {kid, alg, previous_kid}
#   $op->jwks_mode('without_signing_key'|'empty'|'normal')
#   $op->login_as($sub);  $op->deny_next(error => 'access_denied')
#   $op->bad_id_token(tamper => [qw(expired wrong_aud ...)], claims => {},
#       count => 1)   # the next token responses carry such an ID token
#       # (expired not_yet_valid wrong_aud extra_aud wrong_iss wrong_nonce
#       #  no_nonce wrong_sub bad_signature unknown_kid alg_none alg_hs256)
#   $op->mint(claims => {...}, tamper => [...])  -> a JWT signed by the
#       # current key (iss/aud/iat/exp filled in unless given)
#   $op->backchannel_logout(sub => 'alice') or (sid => ..)
#       -> [{client_id, sub, sid, ok, error}]; the OP POSTs its
#       # logout_token to backchannel_logout_uri and ends the OP session
#   $op->sessions;  $op->control($name, \%body)
#   $op->hits('/jwks')   # requests the OP had for that path
#   my ($status, $json) = Test::Meet::OIDC::api_call($port, $jar, 'POST',
#       '/api/v1.0/rooms/', { name => 'x' })   # a logged-in browser's call
#   Test::Meet::OIDC::Receiver->new: a forked loopback HTTP listener that
#       # records what is POSTed to it (see below)
#   $op->stop; $op->start (same port, new keys); $op->running; $op->log_text

use strict;
use warnings;

use File::Temp qw(tempdir);
use JSON::PP ();
use MIME::Base64 qw(encode_base64 decode_base64);
use Digest::SHA qw(sha256);

use Test::Meet::Util qw(free_port slurp spew);
use Test::Meet::HTTP ();
use Test::Meet::CookieJar;
use Test::Meet::Node ();
use parent 'Test::Meet::Daemon';

my $JSON = JSON::PP->new->canonical->allow_nonref;

sub unavailable {
    my $why = Test::Meet::Node::unavailable(modules => ['oidc-provider']);
    return $why if $why;
    return 't/node/oidc-server.mjs is missing'
        unless -f Test::Meet::Node::dir() . '/oidc-server.mjs';
    return undef;
}

sub _rand { unpack 'H*', join '', map { chr int rand 256 } 1 .. $_[0] }

sub new {
    my ($class, %o) = @_;
    my $dir = tempdir('meet-oidc-XXXXXX', TMPDIR => 1);
    my $self = bless {
        %o,
        alg      => $o{alg} // 'RS256',
        port     => $o{port} // free_port('tcp'),
        client_id     => $o{client_id} // 'meet-test-client',
        client_secret => $o{client_secret} // 'secret-' . _rand(16),
        users    => $o{users} // [ { sub => 'alice',
                                     email => 'alice@example.test',
                                     name => 'Alice Test' } ],
        dir      => $dir,
        log      => "$dir/oidc.log",
        stop_signal => 'TERM',
        owner    => $$,
    }, $class;
    die "Test::Meet::OIDC: alg must be RS256 or ES256\n"
        unless $self->{alg} =~ /^(?:RS256|ES256)$/;
    my $scheme = $self->{https} ? 'https' : 'http';
    $self->{issuer} = "$scheme://127.0.0.1:$self->{port}";
    @$self{qw(cert key)} = _test_cert() if $self->{https} && !$self->{cert};
    return $self;
}

# The harness's self-signed certificate (CN localhost, IP 127.0.0.1): the
# same file nginx gets as TEST_NGINX_CERT in this process.
sub _test_cert {
    require Test::Meet::Server;
    my $s = Test::Meet::Server->new;
    my @ck = ($s->var('TEST_NGINX_CERT'), $s->var('TEST_NGINX_CERT_KEY'));
    $s->cleanup;
    return @ck;
}

# meet_oidc_conf(%extra): the meet_oidc block (nginx configuration text)
# for this OP: issuer, client, and for HTTPS its certificate and name;
# %extra: more lines (name => value)
sub meet_oidc_conf {
    my ($self, %extra) = @_;
    my %l = (issuer => $self->issuer, client_id => $self->client_id,
             client_secret => $self->client_secret,
             ($self->https ? (trusted_certificate => $self->cert,
                              tls_name => 'localhost') : ()),
             %extra);
    return "    meet_oidc {\n"
           . join('', map { "        $_  $l{$_};\n" } sort keys %l)
           . "    }\n";
}

sub issuer        { $_[0]{issuer} }
sub port          { $_[0]{port} }
sub client_id     { $_[0]{client_id} }
sub client_secret { $_[0]{client_secret} }
sub https         { $_[0]{https} ? 1 : 0 }
sub cert          { $_[0]{cert} }
sub users         { $_[0]{users} }
sub discovery_url { "$_[0]{issuer}/.well-known/openid-configuration" }
sub jwks_uri      { "$_[0]{issuer}/jwks" }
sub state_dir     { "$_[0]{dir}/state" }
sub jwks_file     { $_[0]->state_dir . '/jwks.json' }
sub signing_key_pem      { $_[0]->state_dir . '/signing-key.pem' }
sub signing_key_jwk_file { $_[0]->state_dir . '/signing-key.jwk.json' }
sub state { $JSON->decode(slurp($_[0]->state_dir . '/state.json') // '{}') }
sub kid   { $_[0]->state->{kid} }
sub alg   { $_[0]->state->{alg} }

sub start {
    my ($self) = @_;
    my %cfg = (
        port => 0 + $self->{port}, issuer => $self->{issuer},
        alg => $self->{alg}, state_dir => $self->state_dir,
        users => $self->{users},
        https => $self->{https} ? { cert => $self->{cert},
                                    key => $self->{key} } : undef,
        id_token_ttl => $self->{id_token_ttl},
        conform_id_token_claims => $self->{conform_id_token_claims}
            ? JSON::PP::true : JSON::PP::false,
        client => {
            client_id => $self->{client_id},
            client_secret => $self->{client_secret},
            redirect_uris => $self->{redirect_uris}
                // [ 'http://127.0.0.1/callback' ],
            post_logout_redirect_uris =>
                $self->{post_logout_redirect_uris} // [],
            ($self->{backchannel_logout_uri}
                ? (backchannel_logout_uri => $self->{backchannel_logout_uri})
                : ()),
            ($self->{token_endpoint_auth_method}
                ? (token_endpoint_auth_method =>
                       $self->{token_endpoint_auth_method}) : ()),
        },
    );
    spew("$self->{dir}/config.json", $JSON->encode(\%cfg));
    unlink $self->state_dir . '/state.json';
    # Seen twice on a loaded CI machine: node started, printed nothing
    # more than its version warning and never listened (no OIDC-READY
    # line) for 15 s x the timeout factor.  Not understood yet: the first
    # such start is reported on stderr with its log, and one more is tried.
    my $ok = eval { $self->_launch_op; 1 };
    return $self if $ok;
    print STDERR "# Test::Meet::OIDC: $@# Test::Meet::OIDC: starting it again\n";
    return $self->_launch_op;
}

sub _launch_op {
    my ($self) = @_;
    return $self->launch(
        what => 'oidc-provider', timeout => 15,
        argv => [ Test::Meet::Node::node_binary(),
                  Test::Meet::Node::dir() . '/oidc-server.mjs',
                  "$self->{dir}/config.json" ],
        env => { NODE_EXTRA_CA_CERTS => $self->{cert},
                 DEBUG => undef, NODE_OPTIONS => undef },
        ready => sub {
            my $r = $self->request(path => '/.well-known/openid-configuration',
                                   timeout => 1);
            return !$r->{error} && $r->{status} == 200;
        });
}

# ---- HTTP -------------------------------------------------------------

# request(%a): Test::Meet::HTTP::request to the OP (port, TLS and
# Host: 127.0.0.1:port filled in; the OP builds its URLs from Host)
sub request {
    my ($self, %a) = @_;
    my %h = (Host => "127.0.0.1:$self->{port}", %{ $a{headers} || {} });
    return Test::Meet::HTTP::request(port => $self->{port},
                                     tls => $self->https, timeout => 5, %a,
                                     headers => \%h);
}

sub _json_of {
    my ($res, $what) = @_;
    die "$what: $res->{error}\n" if $res->{error};
    my $j = eval { $JSON->decode($res->{body}) };
    die "$what: HTTP $res->{status}, not JSON: $res->{body}\n" unless $j;
    return $j;
}

sub discovery {
    my ($self) = @_;
    return _json_of($self->request(path => '/.well-known/openid-configuration'),
                    'discovery');
}

sub jwks { _json_of($_[0]->request(path => '/jwks'), 'jwks') }

# control($name, \%body) -> decoded answer; dies unless 200.
sub control {
    my ($self, $name, $body) = @_;
    my $res = $self->request(method => 'POST', path => "/__test/$name",
                             headers => { 'Content-Type' => 'application/json' },
                             body => $JSON->encode($body // {}));
    my $j = _json_of($res, "control $name");
    die "control $name: HTTP $res->{status}: $res->{body}\n"
        unless $res->{status} == 200;
    return $j;
}

sub rotate_key   { my ($s, %o) = @_; $s->control('rotate', \%o) }
sub jwks_mode    { $_[0]->control('jwks-mode', { mode => $_[1] }) }
sub login_as     { $_[0]->control('login-as', { sub => $_[1] }) }
sub deny_next    { my ($s, %o) = @_; $s->control('deny-next', \%o) }
sub bad_id_token { my ($s, %o) = @_; $s->control('bad-id-token', \%o) }
sub mint         { my ($s, %o) = @_; $s->control('mint', \%o)->{jwt} }
sub sessions     { $_[0]->control('sessions')->{sessions} }
sub hits         { $_[0]->control('hits')->{hits}{$_[1]} // 0 }

sub backchannel_logout {
    my ($self, %o) = @_;
    return $self->control('backchannel-logout', \%o)->{sent};
}

# ---- the RP side of the flow -------------------------------------------

sub _b64u { my $s = encode_base64($_[0], ''); $s =~ tr{+/}{-_}; $s =~ s/=+\z//; $s }

sub b64u_decode {
    my ($s) = @_;
    $s =~ tr{-_}{+/};
    $s .= '=' x ((4 - length($s) % 4) % 4);
    return decode_base64($s);
}

# pkce() -> ($code_verifier, $code_challenge) for S256
sub pkce {
    my $v = _b64u(join '', map { chr int rand 256 } 1 .. 32);
    return ($v, _b64u(sha256($v)));
}

# percent-encoding of everything but RFC 3986 unreserved characters
sub _esc {
    my ($s) = @_;
    utf8::encode($s) if utf8::is_utf8($s);
    $s =~ s/([^A-Za-z0-9\-._~])/sprintf('%%%02X', ord $1)/ge;
    return $s;
}

sub _query {
    my (%q) = @_;
    return join '&', map { _esc($_) . '='
                           . _esc($q{$_}) }
                     grep { defined $q{$_} } sort keys %q;
}

sub authorize_path {
    my ($self, %o) = @_;
    my %q = (response_type => 'code', client_id => $self->{client_id},
             scope => 'openid email profile',
             redirect_uri => $self->{redirect_uris}[0],
             code_challenge_method => 'S256', %o);
    return '/auth?' . _query(%q);
}

# follow(jar => $jar, path => $path): GETs and follows redirects while they
# stay on the OP (at most 10); returns {location, status, res, hops}.
# login(sub => 'alice', host => "127.0.0.1:$port", api => '/api/v1.0'):
# the whole login of a user through the nginx under test (its current
# port, or "port"; "host" is the Host its redirect URI names) and this
# provider; returns the cookie jar that holds the session
sub login {
    my ($self, %o) = @_;
    $self->login_as($o{sub});
    my $jar = Test::Meet::CookieJar->new;
    my @port = $o{port} ? (port => $o{port}) : ();
    my $r = Test::Meet::http_request(path => "$o{api}/authenticate/",
                                     jar => $jar, @port,
                                     headers => { Host => $o{host} });
    my $loc = ($r->{headers}{location} || [])->[0] // '';
    my $f = $self->follow(jar => Test::Meet::CookieJar->new,
                          path => substr($loc, length $self->issuer));
    my $cb = $f->{location} // '';
    $cb =~ s{^https?://[^/]+}{};
    Test::Meet::http_request(path => $cb, jar => $jar, @port,
                             headers => { Host => $o{host} });
    return $jar;
}

# api_call($port, $jar, $method, $path, $body) -> ($status, $json or {}):
# a request of a logged-in browser to the nginx under test: Host
# 127.0.0.1:port, on writes our Origin (the CSRF check) and a JSON body
# ($body a reference, encoded)
sub api_call {
    my ($port, $jar, $method, $path, $body) = @_;
    my $host = "127.0.0.1:$port";
    my $r = Test::Meet::http_request(
        port => $port, method => $method, path => $path, jar => $jar,
        headers => { Host => $host,
                     ($method =~ /^(?:GET|HEAD)$/ ? ()
                      : (Origin => "http://$host")),
                     (defined $body
                      ? ('Content-Type' => 'application/json') : ()) },
        (defined $body ? (body => $JSON->encode($body)) : ()));
    return ($r->{status}, eval { $JSON->decode($r->{body}) } || {});
}

sub follow {
    my ($self, %o) = @_;
    my $path = $o{path};
    my $res;
    for my $hop (1 .. 10) {
        $res = $self->request(path => $path, jar => $o{jar});
        return { status => $res->{status}, res => $res, hops => $hop,
                 error => $res->{error} } if $res->{error};
        my ($loc) = @{ $res->{headers}{location} || [] };
        return { status => $res->{status}, res => $res, hops => $hop }
            unless $res->{status} =~ /^30[12378]$/ && defined $loc;
        my $base = $self->{issuer};
        if ($loc =~ m{^/}) {
            $path = $loc;
        } elsif (index($loc, "$base/") == 0) {
            $path = substr($loc, length $base);
        } else {
            return { status => $res->{status}, res => $res, hops => $hop,
                     location => $loc };
        }
    }
    return { status => $res->{status}, res => $res, hops => 10,
             error => 'too many redirects' };
}

# token(code, code_verifier, redirect_uri, auth => 'basic'|'post',
#       client_secret) -> {status, json, res}
sub token {
    my ($self, %o) = @_;
    my $secret = $o{client_secret} // $self->{client_secret};
    my %form = (grant_type => 'authorization_code', code => $o{code},
                code_verifier => $o{code_verifier},
                redirect_uri => $o{redirect_uri} // $self->{redirect_uris}[0]);
    my %h = ('Content-Type' => 'application/x-www-form-urlencoded');
    if (($o{auth} // 'basic') eq 'post') {
        @form{qw(client_id client_secret)} = ($self->{client_id}, $secret);
    } else {
        $h{Authorization} = 'Basic ' . encode_base64(
            _esc($self->{client_id}) . ':'
            . _esc($secret), '');
    }
    my $res = $self->request(method => 'POST', path => '/token',
                             headers => \%h, body => _query(%form));
    my $j = eval { $JSON->decode($res->{body}) };
    return { status => $res->{status}, json => $j, res => $res };
}

# decode_jwt($jwt) -> ($header, $claims) (no verification)
sub decode_jwt {
    my ($jwt) = @_;
    my ($h, $p) = split /\./, $jwt // '';
    return (eval { $JSON->decode(b64u_decode($h // '')) },
            eval { $JSON->decode(b64u_decode($p // '')) });
}

# verify_jwt($jwt, pem => $file) -> true when the RS256/ES256 signature
# checks out with that public key (default: the OP's key of the token's
# kid, state_dir/keys/<kid>.pub.pem), verified by `openssl dgst`.
sub verify_jwt {
    my ($self, $jwt, %o) = @_;
    my ($h) = decode_jwt($jwt);
    my @p = split /\./, $jwt // '';
    return 0 unless $h && @p == 3 && ($h->{alg} // '') =~ /^(?:RS|ES)256$/;
    my $pem = $o{pem} // $self->state_dir . "/keys/" . ($h->{kid} // '')
                         . '.pub.pem';
    return 0 unless ($h->{kid} // '') =~ /^[\w.-]+$/ || $o{pem};
    return 0 unless -f $pem;
    my $sig = b64u_decode($p[2]);
    if ($h->{alg} eq 'ES256') {
        return 0 unless length $sig == 64;
        my $int = sub {
            my $x = shift;
            $x =~ s/^\x00+//;
            $x = "\x00$x" if !length $x || ord($x) & 0x80;
            return "\x02" . chr(length $x) . $x;
        };
        my $seq = $int->(substr $sig, 0, 32) . $int->(substr $sig, 32);
        $sig = "\x30" . chr(length $seq) . $seq;
    }
    my $tmp = File::Temp->newdir('meet-jwt-XXXXXX', TMPDIR => 1);
    spew("$tmp/data", "$p[0].$p[1]");
    spew("$tmp/sig", $sig);
    my ($code) = Test::Meet::Util::run_command(
        argv => [ 'openssl', 'dgst', '-sha256', '-verify', $pem,
                  '-signature', "$tmp/sig", "$tmp/data" ], timeout => 10);
    return $code == 0;
}

# logout_form($html) -> ($action_path, \%fields) of the OP's logout
# confirmation page (/session/end), with logout => 'yes' added.
sub logout_form {
    my ($html) = @_;
    my ($form) = $html =~ m{(<form\b.*?</form>)}s or return;
    my ($action) = $form =~ /action="([^"]*)"/;
    $action =~ s{^https?://[^/]+}{} if defined $action;    # a path
    my %f;
    while ($form =~ /<input\b([^>]*)>/g) {
        my $attrs = $1;
        my ($n) = $attrs =~ /name="([^"]*)"/ or next;
        my ($v) = $attrs =~ /value="([^"]*)"/;
        $f{$n} = $v // '';
    }
    $f{logout} = 'yes';
    return ($action, \%f);
}

sub form_body { _query(%{ $_[0] }) }

# ---- a loopback HTTP receiver (back-channel logout tokens...) ----------

package Test::Meet::OIDC::Receiver;

# my $rx = Test::Meet::OIDC::Receiver->new(status => 200, lifetime => 60);
# $rx->port; $rx->url('/bcl');   # http://127.0.0.1:N/bcl
# my @reqs = $rx->wait_requests(1, 5);  # [{method, path, headers, body,
#                                       #   form => {decoded x-www-form}}]
# $rx->stop;   (also when the object goes away, at exit, on INT/TERM)
# A forked child answers every request with `status` (default 200) and
# records it; it exits after `lifetime` seconds at the latest.

use parent -norequire, 'Test::Meet::Daemon';
use POSIX qw(_exit);
use IO::Socket::IP;
use IO::Select;
use Time::HiRes qw(time sleep);

sub new {
    my ($class, %o) = @_;
    my $srv = IO::Socket::IP->new(LocalHost => '127.0.0.1', LocalPort => 0,
                                  Listen => 16, ReuseAddr => 1,
                                  Proto => 'tcp')
        or die "receiver: listen failed: $!\n";
    my $dir = File::Temp::tempdir('meet-rx-XXXXXX', TMPDIR => 1);
    my $self = bless { port => $srv->sockport, file => "$dir/requests.jsonl",
                       dir => $dir, stop_signal => 'TERM',
                       status => $o{status} // 200, owner => $$ }, $class;
    my $pid = fork;
    die "fork: $!\n" unless defined $pid;
    if ($pid == 0) {
        $SIG{TERM} = sub { _exit(0) };
        eval { $self->_serve($srv, time + ($o{lifetime} // 60)) };
        _exit(0);
    }
    close $srv;
    $self->{pid} = $pid;
    Test::Meet::Daemon::track($pid, 'TERM');
    return $self->register;
}

sub port { $_[0]{port} }
sub url  { "http://127.0.0.1:$_[0]{port}" . ($_[1] // '/') }

sub _serve {
    my ($self, $srv, $end) = @_;
    my $sel = IO::Select->new($srv);
    while (time < $end) {
        $sel->can_read(0.2) or next;
        my $c = $srv->accept or next;
        my ($buf, $need) = ('', undef);
        my $cs = IO::Select->new($c);
        my $deadline = time + 5;
        while (time < $deadline) {
            if (!defined $need && $buf =~ /\r\n\r\n/) {
                my ($len) = $buf =~ /^content-length:\s*(\d+)/mi;
                $need = index($buf, "\r\n\r\n") + 4 + ($len // 0);
            }
            last if defined $need && length $buf >= $need;
            $cs->can_read(0.2) or next;
            my $n = sysread($c, $buf, 65536, length $buf);
            last unless $n;
        }
        my ($head, $body) = split /\r\n\r\n/, $buf, 2;
        my ($line, @h) = split /\r\n/, $head // '';
        my ($method, $path) = split / /, $line // '';
        my %h = map { /^([^:]+):\s*(.*)$/ ? (lc $1 => $2) : () } @h;
        my %form;
        for (split /&/, $body // '') {
            my ($k, $v) = map { my $x = $_ // ''; $x =~ tr/+/ /;
                                $x =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge; $x }
                          split /=/, $_, 2;
            $form{$k} = $v;
        }
        open my $fh, '>>', $self->{file};
        print {$fh} $JSON->encode({ method => $method, path => $path,
                                    headers => \%h, body => $body,
                                    form => \%form }), "\n";
        close $fh;
        print {$c} "HTTP/1.1 $self->{status} X\r\nContent-Length: 0\r\n"
                 . "Connection: close\r\n\r\n";
        close $c;
    }
}

sub requests {
    my ($self) = @_;
    my $t = Test::Meet::Util::slurp($self->{file}) // '';
    return map { $JSON->decode($_) } grep { length } split /\n/, $t;
}

# wait_requests($n, $secs) -> the requests once there are $n (or when the
# time is up, whatever came)
sub wait_requests {
    my ($self, $n, $secs) = @_;
    my $end = time + ($secs // 5) * Test::Meet::Util::timeout_factor();
    while (1) {
        my @r = $self->requests;
        return @r if @r >= $n || time > $end;
        sleep 0.05;
    }
}

package Test::Meet::OIDC;

1;
