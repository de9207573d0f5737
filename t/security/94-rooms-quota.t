# The rooms store filled by one user for everyone (issue 16, finding 9):
# a room's configuration is at most meet_api_room_configuration_max (16k),
# a user owns at most meet_api_rooms_per_user rooms (403 past it), and a
# full zone (meet_api_rooms_zone_size) fails a create with 503 and its
# reason while the rooms already there keep working (read, tokens,
# delete), and a create that failed leaves no half-made room behind.
# Before the fix nginx did not know the directives (and a user could
# create rooms until the 2 MB zone was full for everyone).
use lib 't/lib';
use Test::Meet;
use Test::Meet::OIDC;
use Test::Meet::Postgres;
use JSON::PP ();

my $why = Test::Meet::OIDC::unavailable();
plan skip_all => $why if $why;

my $port = test_var('TEST_NGINX_SERVER_PORT');
my $api = '/api/v1.0';

my $op = Test::Meet::OIDC->new(
    alg => 'RS256',
    users => [ map { { sub => $_, email => "$_\@example.test", name => $_ } }
               qw(alice bob carol) ],
    redirect_uris => [ "http://127.0.0.1:$port$api/callback/" ],
)->start;

start_nginx(http_config => <<'EOH', config => <<'EOC' . $op->meet_oidc_conf);
    meet_api_rooms_zone_size  64k;
    meet_api_rooms_per_user   3;
EOH
    meet_routes {
        /api/v1.0/   api;
    }
EOC

sub call {
    my ($jar, $method, $path, $body) = @_;
    return Test::Meet::OIDC::api_call($port, $jar, $method, "$api$path",
                                      $body);
}

my %jar;
for my $u (qw(alice bob carol)) {
    $jar{$u} = $op->login(sub => $u, host => "127.0.0.1:$port", api => $api);
    my ($st) = call($jar{$u}, 'GET', '/users/me/');
    is($st, 200, "$u logged in");
}

my ($st, $j, $off);

# the configuration's size
$off = error_log_size();
($st, $j) = call($jar{alice}, 'POST', '/rooms/',
                 { name => 'big', configuration => { x => 'y' x 17000 } });
is($st, 400, 'a configuration over 16k: 400');
is_deeply($j, { configuration => ['Ensure this field has no more than '
                                  . '16384 characters.'] },
          '... a DRF field error');
like(error_log_text($off), qr/room configuration of \d+ bytes, more than /,
     '... logged');

# rooms per user
for my $n (1 .. 3) {
    ($st, $j) = call($jar{alice}, 'POST', '/rooms/', { name => "alice-$n" });
    is($st, 201, "alice's room $n: 201");
}
my $first = $j->{id};

$off = error_log_size();
($st, $j) = call($jar{alice}, 'POST', '/rooms/', { name => 'alice-4' });
is($st, 403, "alice's 4th room: 403");
like($j->{detail} // '', qr/largest number of rooms/, '... with the reason');
like(error_log_text($off), qr/owns 3 rooms already \(meet_api_rooms_per_user\)/,
     '... logged');
($st, $j) = call($jar{bob}, 'GET', '/rooms/alice-4/');
is($j->{id}, undef, '... and not stored');

($st) = call($jar{alice}, 'DELETE', "/rooms/$first/");
is($st, 204, 'alice deletes one');
($st) = call($jar{alice}, 'POST', '/rooms/', { name => 'alice-4' });
is($st, 201, '... and may create another');

# fill the zone: 15 KB rooms (4 pages each) from bob and carol
$off = error_log_size();
my ($full, @made);
for my $u (qw(bob carol)) {
    for my $n (1 .. 3) {
        ($st, $j) = call($jar{$u}, 'POST', '/rooms/',
                         { name => "$u-big-$n",
                           configuration => { x => 'z' x 15000 } });
        if ($st == 201) { push @made, [$u, $j->{id}]; next }
        $full = [$u, "$u-big-$n", $st, $j];
        last;
    }
    last if $full;
}
ok($full, 'the 64k zone fills up') or BAIL_OUT('the zone never filled');
is($full->[2], 503, '... the create that does not fit: 503');
is($full->[3]{detail}, 'The rooms store is full, try again later.',
   '... with the reason');
like(error_log_text($off),
     qr/the zone "meet_rooms" is full \(65536 bytes, see meet_api_rooms_zone_size\)/,
     '... logged with the directive');

($st, $j) = call($jar{$full->[0]}, 'GET', "/rooms/$full->[1]/");
is($st, 200, '... its slug');
is($j->{id}, undef, '... is still free (no room without its owner)');

# what is there still works
($st, $j) = call($jar{alice}, 'GET', '/rooms/alice-2/');
is($st, 200, 'full zone: an existing room is read');
ok($j->{livekit}{token}, '... with its token');
($st, $j) = call(undef, 'GET', '/rooms/alice-2/');
ok($j->{livekit}{token}, '... anonymous users too (public room)');
($st, $j) = call($jar{alice}, 'GET', '/rooms/');
is($j->{count}, 3, "... alice's list");
($st, $j) = call($jar{bob}, 'GET', '/users/me/');
is($st, 200, '... users/me (the user is stored already)');

($st) = call($jar{$made[0][0]}, 'DELETE', "/rooms/$made[0][1]/");
is($st, 204, 'a room deleted in a full zone');
($st) = call($jar{$full->[0]}, 'POST', '/rooms/', { name => $full->[1] });
is($st, 201, '... frees room for another');

stop_nginx();

# PostgreSQL: the same cap per user, and the configuration's size
SKIP: {
    my $pwhy = Test::Meet::Postgres::unavailable();
    skip $pwhy, 1 if $pwhy;

    my $pg = Test::Meet::Postgres->new->start;
    # the same port as before (the OP knows its redirect URI)
    start_nginx(http_config => '    meet_postgres "' . $pg->conninfo . "\";\n"
                               . "    meet_api_rooms_per_user  2;\n"
                               . "server {\n    listen 127.0.0.1:$port;\n"
                               . "    meet_routes {\n"
                               . "        /api/v1.0/   api;\n    }\n"
                               . $op->meet_oidc_conf . "}\n");
    my $jar = $op->login(sub => 'bob', host => "127.0.0.1:$port",
                         api => $api, port => $port);
    ($st, $j) = call($jar, 'POST', '/rooms/', { name => 'pg-1' });
    is($st, 201, 'pg: room 1');
    ($st, $j) = call($jar, 'POST', '/rooms/', { name => 'pg-1' });
    is($st, 400, 'pg: a taken slug is still 400');
    ($st, $j) = call($jar, 'POST', '/rooms/', { name => 'pg-2' });
    is($st, 201, 'pg: room 2');
    my $second = $j->{id};
    ($st, $j) = call($jar, 'POST', '/rooms/', { name => 'pg-3' });
    is($st, 403, 'pg: room 3 of a cap of 2: 403');
    is($pg->query_value("SELECT count(*) FROM meet_rooms"), 2,
       '... not in the database');
    ($st) = call($jar, 'DELETE', "/rooms/$second/");
    is($st, 204, 'pg: one deleted');
    ($st) = call($jar, 'POST', '/rooms/', { name => 'pg-3' });
    is($st, 201, '... another may be created');
    ($st, $j) = call($jar, 'POST', '/rooms/',
                     { name => 'pg-big', configuration => { x => 'y' x 17000 } });
    is($st, 400, 'pg: a configuration over 16k: 400');
    stop_nginx();
}

$op->stop;

done_testing();
