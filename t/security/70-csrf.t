# Finding 8 of the hostile-client review: the cookie-authenticated API
# accepted cross-site writes (no Origin or Referer check, any Content-Type
# parsed as JSON) and GET /logout/ ended a session from any site.  Writes
# of a logged-in browser now need our origin (Origin, else Referer) or
# Django's double submit (X-CSRFToken equal to the csrftoken cookie, as La
# Suite Meet's frontend sends when the cookie exists) and a JSON body;
# logout is a same-origin navigation (Sec-Fetch-Site, else Referer).
use lib 't/lib';
use Test::Meet;
use Test::Meet::OIDC;
use Test::Meet::Suites;
use Test::Meet::CookieJar;
use JSON::PP qw(decode_json encode_json);

Test::Meet::Suites::need('oidc', Test::Meet::OIDC::unavailable());

my $port = test_var('TEST_NGINX_SERVER_PORT');
my $api = '/api/v1.0';
my $self = "http://127.0.0.1:$port";

my $op = Test::Meet::OIDC->new(
    alg => 'RS256', https => 1,
    users => [ { sub => 'alice', email => 'alice@example.test',
                 name => 'Alice' } ],
    redirect_uris => [ "$self$api/callback/" ],
)->start;

my ($issuer, $id, $secret, $cert) =
    ($op->issuer, $op->client_id, $op->client_secret, $op->cert);
start_nginx(config => <<"EOC");
    meet_routes {
        /api/v1.0/   api;
    }
    meet_oidc {
        issuer               $issuer;
        client_id            $id;
        client_secret        $secret;
        trusted_certificate  $cert;
        tls_name             localhost;
    }
EOC

sub call {
    my ($jar, $method, $path, %h) = @_;
    my $body = delete $h{body};
    my $r = http_request(method => $method, path => "$api$path", jar => $jar,
                         headers => { Host => "127.0.0.1:$port", %h },
                         (defined $body ? (body => $body) : ()));
    my $j = eval { decode_json($r->{body}) };
    return ($r->{status}, $j, $r);
}

sub login {
    my $jar = $op->login(sub => 'alice', host => "127.0.0.1:$port", api => $api);
    my ($st) = call($jar, 'GET', '/users/me/');
    is($st, 200, 'alice logged in');
    return $jar;
}

my $jar = login();
my $json = encode_json({ name => 'Standup' });
my %ct = ('Content-Type' => 'application/json');
my ($st, $j);

($st, $j) = call($jar, 'POST', '/rooms/', %ct, body => $json,
                 Origin => 'https://evil.example');
is($st, 403, 'a write from another origin: 403');
is($j && $j->{detail}, 'CSRF Failed: Origin checking failed - '
   . 'https://evil.example does not match any trusted origins.',
   "... with Django's reason");

($st, $j) = call($jar, 'POST', '/rooms/', %ct, body => $json,
                 Referer => 'https://evil.example/page');
is($st, 403, 'no Origin, a Referer of another site: 403');
like($j && $j->{detail} // '', qr/^CSRF Failed: Referer checking failed/,
     '... Referer checking failed');

($st, $j) = call($jar, 'POST', '/rooms/', %ct, body => $json);
is($st, 403, 'no Origin, no Referer, no token: 403');
is($j && $j->{detail}, 'CSRF Failed: CSRF token missing.', '... token missing');

($st, $j) = call($jar, 'POST', '/rooms/', %ct, body => $json,
                 Origin => "${self}.evil.example");
is($st, 403, 'an origin that only starts like ours: 403');

# the double submit (no Origin): the header must equal the cookie
$jar->add_set_cookie('csrftoken=k3yk3yk3y; Path=/', path => '/');
($st, $j) = call($jar, 'POST', '/rooms/', %ct, body => $json,
                 'X-CSRFToken' => 'other');
is($st, 403, 'X-CSRFToken unlike the csrftoken cookie: 403');
($st, $j) = call($jar, 'POST', '/rooms/', %ct, body => $json,
                 'X-CSRFToken' => 'k3yk3yk3y');
is($st, 201, 'X-CSRFToken equal to the csrftoken cookie: created');

($st, $j) = call($jar, 'POST', '/rooms/', %ct,
                 body => encode_json({ name => 'Retro' }), Origin => $self);
is($st, 201, 'a write from our origin: created');
my $room = $j && $j->{id};

($st, $j) = call($jar, 'POST', '/rooms/', 'Content-Type' => 'text/plain',
                 body => $json, Origin => $self);
is($st, 415, 'a body that is not JSON (what a cross-site form sends): 415');
is($j && $j->{detail}, 'Unsupported media type "text/plain" in request.',
   "... with DRF's reason");

($st) = call($jar, 'DELETE', "/rooms/$room/", Origin => 'https://evil.example');
is($st, 403, 'a cross-site DELETE: 403');
($st) = call($jar, 'GET', "/rooms/$room/");
is($st, 200, '... the room is still there');

# logout: a navigation from our own pages only
($st, $j) = call($jar, 'GET', '/logout/', 'Sec-Fetch-Site' => 'cross-site');
is($st, 403, 'GET /logout/ from another site (Sec-Fetch-Site): 403');
($st, $j) = call($jar, 'GET', '/logout/', Referer => 'https://evil.example/');
is($st, 403, 'GET /logout/ with a foreign Referer: 403');
($st) = call($jar, 'GET', '/users/me/');
is($st, 200, '... the session goes on');
($st, $j, my $r) = call($jar, 'GET', '/logout/',
                        'Sec-Fetch-Site' => 'same-origin');
is($st, 302, 'GET /logout/ from our pages: redirected');
($st) = call($jar, 'GET', '/users/me/');
is($st, 401, '... and the session is over');

stop_nginx();
done_testing();
