# Rooms of logged-in users (La Suite Meet's RoomViewSet and
# ResourceAccessViewSet), logged in through a real OP (oidc-provider):
# create with validation, list, access levels (public, trusted,
# restricted) for the owner, a member, an administrator, another user and
# anonymous users, update and delete rights, accesses, user search.  Once
# with the shared memory store (and a reload), once with PostgreSQL (and
# an nginx restart) when it is installed.
use lib 't/lib';
use Test::Meet;
use Test::Meet::OIDC;
use Test::Meet::Postgres;
use Test::Meet::CookieJar;
use JSON::PP qw(decode_json encode_json);
use MIME::Base64 qw(decode_base64);

Test::Meet::Suites::need('oidc', Test::Meet::OIDC::unavailable());

my $port = test_var('TEST_NGINX_SERVER_PORT');
my $api = '/api/v1.0';

my $op = Test::Meet::OIDC->new(
    alg => 'RS256', https => 1,
    users => [ { sub => 'alice', email => 'alice@example.test',
                 name => 'Alice Liddell', given_name => 'Alice' },
               { sub => 'bob', email => 'bob@example.test', name => 'Bob' },
               { sub => 'carol', email => 'carol@example.test',
                 name => 'Carol' } ],
    redirect_uris => [ "http://127.0.0.1:$port$api/callback/" ],
)->start;

sub conf {
    my ($http) = @_;
    my ($issuer, $id, $secret, $cert) =
        ($op->issuer, $op->client_id, $op->client_secret, $op->cert);
    return (http_config => $http // '', config => <<"EOC");
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
}

sub call {
    my ($jar, $method, $path, $body) = @_;
    my $r = http_request(method => $method, path => "$api$path",
                         ($jar ? (jar => $jar) : ()),
                         headers => { Host => "127.0.0.1:$port",
                                      # a browser names the page's origin
                                      # on writes (CSRF check)
                                      ($method =~ /^(?:GET|HEAD)$/ ? ()
                                       : (Origin => "http://127.0.0.1:$port")),
                                      (defined $body
                                       ? ('Content-Type'
                                          => 'application/json')
                                       : ()) },
                         (defined $body
                          ? (body => ref $body ? encode_json($body) : $body)
                          : ()));
    my $j = eval { decode_json($r->{body}) };
    return ($r->{status}, $j);
}

sub claims {
    my (undef, $p) = split /\./, $_[0] // '';
    return {} unless defined $p;
    $p =~ tr{-_}{+/};
    $p .= '=' x ((4 - length($p) % 4) % 4);
    return eval { decode_json(decode_base64($p)) } || {};
}

sub login {
    my ($sub) = @_;
    my $jar = $op->login(sub => $sub, host => "127.0.0.1:$port", api => $api);
    my ($st, $me) = call($jar, 'GET', '/users/me/');
    is($st, 200, "$sub logged in: users/me 200");
    return ($jar, $me->{id});
}

sub scenario {
    my ($store) = @_;
    my ($st, $j);
    my ($alice, $alice_id) = login('alice');
    my ($bob, $bob_id) = login('bob');
    my ($carol, $carol_id) = login('carol');

    # create, with Meet's validation
    ($st, $j) = call($alice, 'POST', '/rooms/',
                     { name => 'Team Sync', access_level => 'restricted' });
    is($st, 201, "$store: create: 201");
    my $id = $j->{id} // '';
    like($id, qr/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-/,
         '... a UUID');
    is($j->{slug}, 'team-sync', '... slug from the name');
    is($j->{name}, 'Team Sync', '... name');
    is($j->{access_level}, 'restricted', '... access level');
    ok($j->{is_administrable}, '... administrable by its creator');
    is_deeply($j->{configuration}, {}, '... empty configuration');
    is(scalar @{ $j->{accesses} || [] }, 1, '... one access');
    is($j->{accesses}[0]{role}, 'owner', '... the creator is owner');
    is($j->{accesses}[0]{user}{id}, $alice_id, '... alice');
    is($j->{accesses}[0]{user}{email}, 'alice@example.test',
       '... with her email (stored at users/me)');
    my $c = claims($j->{livekit}{token});
    is($c->{sub}, $alice_id, '... token: identity is the user id');
    is($c->{video}{room}, $id, '... for the room id');
    like($c->{meet_session} // '', qr/^[0-9a-f]{64}$/,
         '... with the session claim');

    ($st, $j) = call($alice, 'POST', '/rooms/', { name => 'team  SYNC' });
    is($st, 400, 'the same slug again: 400');
    ok($j->{name} && @{ $j->{name} }, '... a name error');
    for my $bad ([ {}, 'name', qr/required/ ],
                 [ { name => '   ' }, 'name', qr/blank/ ],
                 [ { name => 'x' x 129 }, 'name', qr/128/ ],
                 [ { name => '!!!' }, 'name', qr/letters or digits/ ],
                 [ { name => 42 }, 'name', qr/string/ ],
                 [ { name => 'ok', access_level => 'secret' },
                   'access_level', qr/choice/ ],
                 [ { name => 'ok', configuration => [] },
                   'configuration', qr/object/ ]) {
        my ($body, $field, $re) = @$bad;
        ($st, $j) = call($alice, 'POST', '/rooms/', $body);
        is($st, 400, 'create ' . encode_json($body) . ': 400');
        like(($j->{$field} || [])->[0] // '', $re, "... $field error");
    }
    ($st, $j) = call($alice, 'POST', '/rooms/', '{"name": ');
    is($st, 400, 'malformed JSON: 400');
    like($j->{detail} // '', qr/^JSON parse error/, '... says so');
    ($st, $j) = call($alice, 'POST', '/rooms/', '["name"]');
    is($st, 400, 'a JSON array: 400');

    # list: DRF pagination, the list fields
    ($st, $j) = call($alice, 'GET', '/rooms/');
    is($st, 200, 'list: 200');
    is($j->{count}, 1, '... count 1');
    ok(!defined $j->{next} && !defined $j->{previous}, '... one page');
    is_deeply($j->{results}, [ { id => $id, name => 'Team Sync',
                                 slug => 'team-sync',
                                 access_level => 'restricted' } ],
              '... id, name, slug, access_level');
    ($st, $j) = call($bob, 'GET', '/rooms/');
    is($j->{count}, 0, "bob's list: empty");

    # restricted: others see the room, without a token
    ($st, $j) = call($bob, 'GET', '/rooms/team-sync/');
    is($st, 200, 'restricted, another user: 200');
    ok(!exists $j->{livekit}, '... no livekit');
    ok(!$j->{is_administrable} && !exists $j->{accesses}
       && !exists $j->{configuration}, '... nothing for administrators');
    ($st, $j) = call(undef, 'GET', '/rooms/team-sync/');
    ok($st == 200 && !exists $j->{livekit}, 'restricted, anonymous: no livekit');
    ($st, $j) = call($bob, 'PATCH', "/rooms/$id/", { name => 'Mine' });
    is($st, 403, 'another user may not update: 403');
    ($st, $j) = call($bob, 'DELETE', "/rooms/$id/");
    is($st, 403, 'nor delete: 403');

    # trusted: every logged-in user gets a token, anonymous users not
    ($st, $j) = call($alice, 'PATCH', "/rooms/$id/",
                     { access_level => 'trusted', configuration => { x => 1 } });
    is($st, 200, 'owner PATCH: 200');
    is($j->{access_level}, 'trusted', '... trusted');
    is_deeply($j->{configuration}, { x => 1 }, '... configuration');
    is($j->{name}, 'Team Sync', '... the name kept (partial update)');
    ($st, $j) = call($bob, 'GET', "/rooms/$id/");
    is(claims($j->{livekit}{token})->{sub}, $bob_id,
       'trusted, another logged-in user: a token');
    ($st, $j) = call(undef, 'GET', "/rooms/$id/");
    ok(!exists $j->{livekit}, 'trusted, anonymous: no livekit');

    # public: anonymous users too
    ($st, $j) = call($alice, 'PUT', "/rooms/$id/",
                     { name => 'Team Sync', access_level => 'public' });
    is($st, 200, 'owner PUT: 200');
    ($st, $j) = call(undef, 'GET', '/rooms/team-sync/?username=Guest');
    like(claims($j->{livekit}{token})->{sub} // '', qr/^anon-/,
         'public, anonymous: a token');
    ($st, $j) = call($alice, 'PUT', "/rooms/$id/", { access_level => 'x' });
    is($st, 400, 'PUT without a name: 400');

    # accesses
    ($st, $j) = call($alice, 'GET', '/users/?q=BOB%40example.test');
    is($st, 200, 'user search: 200');
    is_deeply([ map { $_->{id} } @$j ], [ $bob_id ], '... finds bob');
    is($j->[0]{full_name}, 'Bob', '... with his name');
    ($st, $j) = call($alice, 'PATCH', "/rooms/$id/",
                     { access_level => 'restricted' });
    ($st, $j) = call($alice, 'POST', '/resource-accesses/',
                     { user => $bob_id, resource => $id, role => 'member' });
    is($st, 201, 'owner adds bob as member: 201');
    my $bob_access = $j->{id};
    is($j->{role}, 'member', '... member');
    is($j->{resource}, $id, '... of the room');
    ($st, $j) = call($alice, 'POST', '/resource-accesses/',
                     { user => $bob_id, resource => $id, role => 'member' });
    is($st, 400, 'twice: 400');
    ($st, $j) = call($alice, 'POST', '/resource-accesses/',
                     { user => '00000000-0000-4000-8000-000000000000',
                       resource => $id, role => 'member' });
    is($st, 400, 'an unknown user: 400');
    ok($j->{user}, '... a user error');
    ($st, $j) = call($alice, 'POST', '/resource-accesses/',
                     { user => $carol_id, resource => $id, role => 'boss' });
    is($st, 400, 'an unknown role: 400');
    ($st, $j) = call($bob, 'GET', "/rooms/$id/");
    is(claims($j->{livekit}{token})->{sub}, $bob_id,
       'restricted, a member: a token');
    ok(!$j->{is_administrable}, '... but not administrable');
    ($st, $j) = call($carol, 'GET', "/rooms/$id/");
    ok(!exists $j->{livekit}, 'restricted, not a member: no token');
    ($st, $j) = call($bob, 'GET', '/rooms/');
    is($j->{count}, 1, "the room is in bob's list now");
    ($st, $j) = call($bob, 'POST', '/resource-accesses/',
                     { user => $carol_id, resource => $id, role => 'member' });
    is($st, 403, 'a member may not add accesses: 403');
    ($st, $j) = call($bob, 'GET', "/resource-accesses/?resource=$id");
    is($st, 403, '... nor list them');

    ($st, $j) = call($alice, 'POST', '/resource-accesses/',
                     { user => $carol_id, resource => $id,
                       role => 'administrator' });
    is($st, 201, 'carol administrator: 201');
    ($st, $j) = call($carol, 'GET', "/resource-accesses/?resource=$id");
    is($st, 200, 'an administrator lists the accesses');
    is($j->{count}, 3, '... three');
    my ($owner_access) = map { $_->{id} }
                         grep { $_->{role} eq 'owner' } @{ $j->{results} };
    ($st, $j) = call($carol, 'PATCH', "/rooms/$id/", { name => 'Team Two' });
    is($st, 200, 'an administrator updates: 200');
    is($j->{slug}, 'team-two', '... the slug follows the name');
    ok($j->{is_administrable}, '... administrable for her');
    ($st, $j) = call($carol, 'DELETE', "/rooms/$id/");
    is($st, 403, 'an administrator may not delete the room: 403');
    ($st, $j) = call($carol, 'DELETE', "/resource-accesses/$owner_access/");
    is($st, 403, "... nor the owner's access: 403");
    ($st, $j) = call($carol, 'POST', '/resource-accesses/',
                     { user => $bob_id, resource => $id, role => 'owner' });
    is($st, 403, '... nor make owners: 403');
    ($st, $j) = call($bob, 'DELETE', "/resource-accesses/$bob_access/");
    is($st, 403, 'a member may not delete accesses: 403');
    ($st, $j) = call($carol, 'DELETE', "/resource-accesses/$bob_access/");
    is($st, 204, "an administrator removes bob's access: 204");
    ($st, $j) = call($bob, 'GET', "/rooms/$id/");
    ok(!exists $j->{livekit}, '... bob has no token any more');
    ($st, $j) = call($carol, 'DELETE', "/resource-accesses/$bob_access/");
    is($st, 404, '... and the access is gone: 404');

    return ($alice, $id);
}

# --- the shared memory store ---------------------------------------------

start_nginx(conf());
my ($alice, $id) = scenario('shm');
ok(reload_nginx(), 'reload');
my ($st, $j) = call($alice, 'GET', "/rooms/$id/");
is($st, 200, 'shm: the room survives a reload');
is($j->{slug}, 'team-two', '... as it was');

# pagination: 20 a page, DRF's next/previous links
for my $n (1 .. 20) {
    ($st) = call($alice, 'POST', '/rooms/', { name => "room $n" });
    last if $st != 201;
}
is($st, 201, '20 more rooms created');
($st, $j) = call($alice, 'GET', '/rooms/');
is($j->{count}, 21, 'list: count 21');
is(scalar @{ $j->{results} }, 20, '... 20 on the first page');
is($j->{results}[0]{slug}, 'room-20', '... newest first');
is($j->{next}, "http://127.0.0.1:$port$api/rooms/?page=2", '... next');
ok(!defined $j->{previous}, '... no previous');
($st, $j) = call($alice, 'GET', '/rooms/?page=2');
is(scalar @{ $j->{results} }, 1, 'page 2: the last room');
is($j->{results}[0]{id}, $id, '... the oldest');
is($j->{previous}, "http://127.0.0.1:$port$api/rooms/",
   '... previous: the first page, without page=');
ok(!defined $j->{next}, '... no next');
($st, $j) = call($alice, 'GET', '/rooms/?page=3');
is($st, 404, 'page 3: 404');
is($j->{detail}, 'Invalid page.', '... as DRF says');
($st, $j) = call($alice, 'GET', '/rooms/?page=zero');
is($st, 404, 'a page that is not a number: 404');

($st, $j) = call($alice, 'DELETE', "/rooms/$id/");
is($st, 204, 'the owner deletes the room: 204');
($st, $j) = call($alice, 'GET', "/rooms/$id/");
is($st, 404, '... gone: 404');
($st, $j) = call($alice, 'GET', '/rooms/');
is($j->{count}, 20, '... and from her list');
stop_nginx();

# --- PostgreSQL ------------------------------------------------------------

SKIP: {
    Test::Meet::Suites::skip_part('postgres',
                                  Test::Meet::Postgres::unavailable(), 3);

    my $pg = Test::Meet::Postgres->new->start;
    my @c = conf('    meet_postgres "' . $pg->conninfo . "\";\n");
    start_nginx(@c);
    ($alice, $id) = scenario('pg');
    is($pg->query_value("SELECT slug FROM meet_rooms WHERE id = '$id'"),
       'team-two', 'pg: the room is in the database');
    stop_nginx();
    start_nginx(@c);
    ($alice) = login('alice');
    ($st, $j) = call($alice, 'GET', '/rooms/');
    is($j->{count}, 1, 'pg: after an nginx restart the room is listed');
    is($j->{results}[0]{id}, $id, '... the same');
    stop_nginx();
}

done_testing();
