# The embedded meeting API (ngx_meet_api_module, "api" route target):
# GET /api/v1.0/rooms/<slug>/ in La Suite Meet's shape, with a LiveKit
# token the signal module of the same nginx accepts; anonymous tokens only
# with meet_api_anonymous_rooms on; bad names, usernames and methods get
# Meet's JSON errors.
use lib 't/lib';
use Test::Meet;
use JSON::PP qw(decode_json);
use MIME::Base64 qw(decode_base64);
use Digest::SHA qw(hmac_sha256);

sub b64url_decode {
    my ($s) = @_;
    $s =~ tr{-_}{+/};
    $s .= '=' x ((4 - length($s) % 4) % 4);
    return decode_base64($s);
}

sub jwt_claims {
    my ($tok, $secret) = @_;
    my ($h, $p, $sig) = split /\./, $tok // '';
    return undef unless defined $sig;
    return undef unless hmac_sha256("$h.$p", $secret) eq b64url_decode($sig);
    return decode_json(b64url_decode($p));
}

sub get_json {
    my (%a) = @_;
    my $r = http_request(%a);
    my $j = eval { decode_json($r->{body}) };
    return ($r, $j);
}

sub hdr { my ($r, $n) = @_; return ($r->{headers}{lc $n} || [])->[0] }

my $server = <<'EOC';
    meet_trusted_proxies 127.0.0.2;
    meet_routes {
        /api/v1.0/   api;
        /rtc         signal;
    }
EOC

start_nginx(config => $server,
            http_config => "    meet_api_anonymous_rooms on;\n");
my $port = test_var('TEST_NGINX_SERVER_PORT');

my ($r, $j) = get_json(path => '/api/v1.0/rooms/Team-Sync_2/?username=Ana+Mar%C3%ADa',
                       headers => { Host => "127.0.0.1:$port" });
is($r->{status}, 200, 'retrieve: 200');
like(hdr($r, 'content-type') // '', qr{^application/json}, '... JSON');
is(hdr($r, 'cache-control'), 'no-store', '... not cached (it holds a token)');
is($j->{slug}, 'team-sync_2', '... the slug, lower case as Meet slugifies');
is($j->{name}, 'team-sync_2', '... name');
ok(exists $j->{id} && !defined $j->{id}, '... id null (an unregistered room)');
is($j->{access_level}, 'public', '... access level public');
ok(JSON::PP::is_bool($j->{is_administrable}) && !$j->{is_administrable},
   '... not administrable');
is($j->{livekit}{room}, 'team-sync_2', '... livekit.room');
is($j->{livekit}{url}, "ws://127.0.0.1:$port",
   '... livekit.url from the origin the client used (Host with its port)');

my $c = jwt_claims($j->{livekit}{token}, 'secret');
ok($c, 'the token is signed with the default key (devkey/secret)');
is($c->{iss}, 'devkey', '... issuer devkey');
is($c->{video}{room}, 'team-sync_2', '... grant for that room');
ok($c->{video}{roomJoin}, '... roomJoin');
ok($c->{video}{canPublish} && $c->{video}{canSubscribe}
   && $c->{video}{canPublishData}, '... publish, subscribe, data');
is_deeply([sort @{ $c->{video}{canPublishSources} || [] }],
          [sort qw(camera microphone screen_share screen_share_audio)],
          '... camera, microphone and screen share sources');
is($c->{name}, "Ana Mar\x{ed}a", '... display name from ?username, decoded');
like($c->{sub}, qr/^anon-[A-Za-z0-9]{16}$/, '... a random anonymous identity');
my $ttl = $c->{exp} - $c->{nbf};
ok($ttl == 6 * 3600, "... valid 6 h (got $ttl s)");

my ($r2, $j2) = get_json(path => '/api/v1.0/rooms/team-sync_2/');
isnt(jwt_claims($j2->{livekit}{token}, 'secret')->{sub}, $c->{sub},
     'each retrieve is a new anonymous participant');
ok(!exists jwt_claims($j2->{livekit}{token}, 'secret')->{name},
   'no username: no name claim');

# the signal module of the same nginx takes the token
$r = http_request(path => "/rtc/v1/validate?access_token=$j->{livekit}{token}");
is($r->{status}, 200, 'the minted token passes /rtc/v1/validate');

# X-Forwarded-* of an untrusted client are ignored
($r, $j) = get_json(path => '/api/v1.0/rooms/abc-defg-hij/',
                    headers => { Host => "127.0.0.1:$port",
                                 'X-Forwarded-Proto' => 'https',
                                 'X-Forwarded-Host' => 'evil.example' });
is($j->{livekit}{url}, "ws://127.0.0.1:$port",
   'X-Forwarded-* of an untrusted client ignored');

# bad input: Meet's JSON errors, logged
for my $bad ('-lead', 'dot.ted', 'a' x 65, 'sp%20ace', 'semi;colon', '%C3%A9t%C3%A9') {
    ($r, $j) = get_json(path => "/api/v1.0/rooms/$bad/");
    is($r->{status}, 400, "room name '$bad': 400");
    like($j->{detail} // '', qr/Invalid room name/, '... with a detail');
}
ok(wait_for_log('meet api: invalid room name'), 'invalid names are logged');

($r, $j) = get_json(path => '/api/v1.0/rooms/ok/?username=a%01b');
is($r->{status}, 400, 'username with a control character: 400');
like($j->{detail}, qr/control/, '... says why');
($r, $j) = get_json(path => '/api/v1.0/rooms/ok/?username=%FF%FE');
is($r->{status}, 400, 'username not UTF-8: 400');
($r, $j) = get_json(path => '/api/v1.0/rooms/ok/?username=' . ('x' x 129));
is($r->{status}, 400, 'username over 128 bytes: 400');

($r, $j) = get_json(path => '/api/v1.0/rooms/ok/', method => 'POST');
is($r->{status}, 405, 'POST on a room: 405');
is($j->{detail}, 'Method "POST" not allowed.', '... in DRF words');
like(hdr($r, 'allow') // '', qr/\bGET\b/, '... with Allow');
($r, $j) = get_json(path => '/api/v1.0/rooms/ok/', method => 'DELETE');
is($r->{status}, 401, 'DELETE needs a logged-in user: 401');
($r, $j) = get_json(path => '/api/v1.0/rooms/');
is($r->{status}, 401, 'listing rooms needs a logged-in user: 401');
($r, $j) = get_json(path => '/api/v1.0/users/me/');
is($r->{status}, 401, 'users/me anonymous: 401');
is($j->{detail}, 'Authentication credentials were not provided.',
   '... as Meet says it');
($r, $j) = get_json(path => '/api/v1.0/nothing/here/');
is($r->{status}, 404, 'unknown API path: 404');
is($j->{detail}, 'Not found.', '... JSON detail');
($r, $j) = get_json(path => '/api/v1.0/rooms/a/b/');
is($r->{status}, 404, 'nested room path: 404');
stop_nginx();

# behind a trusted TLS proxy: wss and the public host
start_nginx(config => $server =~ s/127\.0\.0\.2/127.0.0.0\/8/r,
            http_config => "    meet_api_anonymous_rooms on;\n");
($r, $j) = get_json(path => '/api/v1.0/rooms/abc-defg-hij/',
                    headers => { 'X-Forwarded-Proto' => 'https',
                                 'X-Forwarded-Host' => 'meet.example.org' });
is($j->{livekit}{url}, 'wss://meet.example.org',
   'behind a trusted TLS proxy: wss://<public host>');
stop_nginx();

# anonymous tokens off (the default): 403, logged
start_nginx(config => $server);
($r, $j) = get_json(path => '/api/v1.0/rooms/abc/');
is($r->{status}, 403, 'anonymous rooms off: 403');
like($j->{detail}, qr/logged-in/, '... says logged-in users only');
ok(!exists $j->{livekit}, '... and no token');
ok(wait_for_log('anonymous access is off'), '... logged');
stop_nginx();

# configured key and url, custom ttl
start_nginx(config => $server,
            main_config => "    meet_api_key APIk1 0123456789abcdef0123456789abcdef;\n",
            http_config => "    meet_api_anonymous_rooms on;\n"
                         . "    meet_api_token_ttl 10m;\n"
                         . "    meet_api_livekit_url wss://sfu.example.net;\n");
($r, $j) = get_json(path => '/api/v1.0/rooms/abc/');
$c = jwt_claims($j->{livekit}{token}, '0123456789abcdef0123456789abcdef');
ok($c && $c->{iss} eq 'APIk1', 'meet_api_key: tokens signed with it');
is($c->{exp} - $c->{nbf}, 600, 'meet_api_token_ttl 10m');
is($j->{livekit}{url}, 'wss://sfu.example.net', 'meet_api_livekit_url');
stop_nginx();

done_testing();
