# The rooms API with the embedded store (a shared memory zone, no
# PostgreSQL): what anonymous users get (401 in Django REST framework's
# words, rooms by slug as before), 405 with Allow, 404, the request body
# limits, reloads, and meet_postgres configuration errors.
# Logged-in paths (create, update, accesses) need the login of
# ngx_meet_session_lookup(); see README "Not done yet".
use lib 't/lib';
use Test::Meet;
use JSON::PP qw(decode_json);

my $NO_AUTH = 'Authentication credentials were not provided.';
my $UUID = '0f0f0f0f-0000-4000-8000-00000000abcd';

sub call {
    my ($method, $path, $body) = @_;
    my $r = http_request(method => $method, path => $path,
                         (defined $body
                          ? (body => $body,
                             headers => { 'Content-Type'
                                          => 'application/json' })
                          : ()));
    my $j = eval { decode_json($r->{body}) };
    return ($r, $j);
}

sub hdr { my ($r, $n) = @_; return ($r->{headers}{lc $n} || [])->[0] }

my %conf = (
    http_config => "    meet_api_anonymous_rooms on;\n",
    config => <<'EOC',
    meet_routes {
        = /healthz   health;
        /api/v1.0/   api;
    }
EOC
);

start_nginx(%conf);

my ($r, $j);

# anonymous: 401 before anything else, as DRF's IsAuthenticated
for my $c (['GET', '/api/v1.0/rooms/'],
           ['POST', '/api/v1.0/rooms/', '{"name": "team"}'],
           ['POST', '/api/v1.0/rooms/', '{"name": '],
           ['PUT', "/api/v1.0/rooms/$UUID/", '{"name": "x"}'],
           ['PATCH', '/api/v1.0/rooms/some-room/', '{"name": "x"}'],
           ['DELETE', "/api/v1.0/rooms/$UUID/"],
           ['GET', "/api/v1.0/resource-accesses/?resource=$UUID"],
           ['POST', '/api/v1.0/resource-accesses/',
            qq({"user": "$UUID", "resource": "$UUID", "role": "owner"})],
           ['DELETE', "/api/v1.0/resource-accesses/$UUID/"],
           ['GET', '/api/v1.0/users/?q=a%40b.c'],
           ['GET', '/api/v1.0/users/me/'],
           ['GET', '/api/v1.0/users/me'])
{
    my ($m, $p, $b) = @$c;
    ($r, $j) = call($m, $p, $b);
    is($r->{status}, 401, "anonymous $m $p" . (defined $b ? " $b" : '')
                          . ': 401');
    is($j->{detail}, $NO_AUTH, '... in DRF words');
    is(hdr($r, 'content-type'), 'application/json', '... JSON');
}

# methods: 405 with Allow
for my $c (['DELETE', '/api/v1.0/rooms/', 'GET, POST, HEAD, OPTIONS'],
           ['PUT', '/api/v1.0/rooms/', 'GET, POST, HEAD, OPTIONS'],
           ['POST', '/api/v1.0/rooms/abc/',
            'GET, PUT, PATCH, DELETE, HEAD, OPTIONS'],
           ['PATCH', '/api/v1.0/resource-accesses/',
            'GET, POST, HEAD, OPTIONS'],
           ['GET', "/api/v1.0/resource-accesses/$UUID/", 'DELETE, OPTIONS'],
           ['POST', '/api/v1.0/users/', 'GET, HEAD, OPTIONS'],
           ['DELETE', '/api/v1.0/users/me/', 'GET, HEAD, OPTIONS'])
{
    my ($m, $p, $allow) = @$c;
    ($r, $j) = call($m, $p, $m =~ /^P/ ? '{}' : undef);
    is($r->{status}, 405, "$m $p: 405");
    is(hdr($r, 'allow'), $allow, "... Allow: $allow");
    is($j->{detail}, qq{Method "$m" not allowed.}, '... in DRF words');
}

# unknown things: 404
for my $p ("/api/v1.0/rooms/$UUID/", '/api/v1.0/rooms/' . uc($UUID) . '/',
           '/api/v1.0/resource-accesses/not-an-id/',
           '/api/v1.0/users/someone/', '/api/v1.0/rooms/a/b/',
           '/api/v1.0/meetings/')
{
    ($r, $j) = call('GET', $p);
    is($r->{status}, 404, "GET $p: 404");
    is($j->{detail}, 'Not found.', '... JSON detail');
}

# a room that is not in the store: the anonymous behaviour of before
($r, $j) = call('GET', '/api/v1.0/rooms/Daily-Standup/?username=Bo');
is($r->{status}, 200, 'an unregistered slug: 200');
is($j->{slug}, 'daily-standup', '... slug in lower case');
ok(exists $j->{id} && !defined $j->{id}, '... id null');
is($j->{livekit}{room}, 'daily-standup', '... a token for that room');
($r, $j) = call('GET', '/api/v1.0/rooms/bad.name/');
is($r->{status}, 400, 'an invalid room name: 400');

# bodies: only JSON objects, not too large
($r, $j) = call('POST', '/api/v1.0/rooms/', '{"name": "' . ('x' x 70000)
                                            . '"}');
is($r->{status}, 413, 'a body over 64 KiB: 413');
like($j->{detail} // '', qr/too large/, '... JSON detail');
ok(wait_for_log('meet api: malformed JSON body'),
   'a malformed body is logged');

# reloads keep the zone (the same name, size and module)
my $off = error_log_size();
ok(reload_nginx(), 'reload');
($r, $j) = call('GET', "/api/v1.0/rooms/$UUID/");
is($r->{status}, 404, 'after the reload the store answers');
($r, $j) = call('GET', '/healthz');
is($r->{status}, 200, 'healthz: 200');
ok(!exists $j->{components}{postgres},
   '... no postgres component without meet_postgres');
unlike(error_log_text($off), qr/\[(?:emerg|alert|crit)\]/,
       'no [emerg], [alert] or [crit] around the reload');
stop_nginx();

run_tests();

__DATA__

=== TEST 1: meet_postgres with a bad connection string fails nginx -t
--- http_config
    meet_postgres "host=127.0.0.1 nonsense";
--- config
    meet_routes { /api/v1.0/ api; }
--- must_die
--- error_log
meet postgres: invalid connection string



=== TEST 2: meet_postgres with an unknown parameter fails nginx -t
--- http_config
    meet_postgres "host=127.0.0.1 dbname=meet" pool=0;
--- config
    meet_routes { /api/v1.0/ api; }
--- must_die
--- error_log
meet_postgres: invalid parameter "pool=0"



=== TEST 3: meet_postgres belongs in http{}
--- config
    meet_postgres "host=127.0.0.1 dbname=meet";
--- must_die
--- error_log
"meet_postgres" directive is not allowed here



=== TEST 4: meet_postgres twice
--- http_config
    meet_postgres "host=127.0.0.1 dbname=a";
    meet_postgres "host=127.0.0.1 dbname=b";
--- must_die
--- error_log
"meet_postgres" directive is duplicate



=== TEST 5: without meet_api nothing connects, even with meet_postgres
--- http_config
    meet_postgres "host=127.0.0.1 port=1 dbname=meet";
--- config
    meet_routes { = /healthz health; }
--- request
GET /healthz
--- error_code: 200
--- response_body_like
"components":\{"http":\{"status":"ok"\}\}
--- no_error_log
meet postgres



=== TEST 6: a host name in meet_postgres is warned about (blocking DNS)
--- http_config
    meet_postgres "host=localhost port=1 dbname=meet user=meet";
--- config
    meet_routes { /api/v1.0/ api; }
--- request
GET /api/v1.0/rooms/some-room/
--- error_code: 503
--- response_body_like
^\{"detail":"postgres localhost:1/meet: .+"\}$
--- error_log
meet postgres localhost:1/meet: the host is a name, which libpq resolves
meet api: rooms store failed: postgres localhost:1/meet
