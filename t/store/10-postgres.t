# Rooms in PostgreSQL (meet_postgres): the schema is migrated once under
# pg_advisory_lock (two workers, reloads), rooms are read through the
# asynchronous libpq pool, a stopped server gives a quick 503 with the
# reason and /healthz says so, the pool reconnects by itself, and a query
# that hangs hits the query timeout.  A real server (Test::Meet::Postgres).
use lib 't/lib';
use Test::Meet;
use Test::Meet::Postgres;
use Test::Meet::WebSocket;
use JSON::PP qw(decode_json);
use MIME::Base64 qw(decode_base64);
use Time::HiRes qw(time sleep);
use POSIX ();

Test::Meet::Suites::need('postgres', Test::Meet::Postgres::unavailable());

my $pg = Test::Meet::Postgres->new(dbname => 'meet', user => 'meet')->start;
my $tf = Test::Meet::Util::timeout_factor();

sub get_json {
    my ($path, %a) = @_;
    my $t0 = time;
    my $r = http_request(path => $path, timeout => 10, %a);
    my $j = eval { decode_json($r->{body}) };
    return ($r, $j, time - $t0);
}

sub claims {
    my ($tok) = @_;
    my (undef, $p) = split /\./, $tok // '';
    return undef unless defined $p;
    $p =~ tr{-_}{+/};
    $p .= '=' x ((4 - length($p) % 4) % 4);
    return eval { decode_json(decode_base64($p)) };
}

sub count_log {
    my ($s) = @_;
    my $n = () = error_log_text() =~ /\Q$s\E/g;
    return $n;
}

# polls until the answer's status is $want and $ok->($json) holds (or the
# time is up)
sub wait_status {
    my ($path, $want, $secs, $ok) = @_;
    my $end = time + $secs * $tf;
    my ($r, $j);
    while (time < $end) {
        ($r, $j) = get_json($path);
        return ($r, $j) if $r->{status} == $want && (!$ok || $ok->($j));
        sleep 0.2;
    }
    return ($r, $j);
}

sub pg_ok { ($_[0]{components}{postgres}{status} // '') eq 'ok' }

my %conf = (
    main_config => "worker_processes 2;\n",
    http_config => '    meet_postgres "' . $pg->conninfo
                 . "\" pool=3 timeout=1s;\n",
    config => <<'EOC',
    meet_api_anonymous_rooms on;
    meet_routes {
        = /healthz   health;
        /api/v1.0/   api;
    }
EOC
);

# one worker and signaling too, for the meeting that must outlive PostgreSQL
my %conf_meeting = (
    %conf,
    main_config => "worker_processes 1;\n",
    config => $conf{config} =~ s{/api/v1\.0/   api;\n}{/api/v1.0/   api;\n        /rtc         signal;\n}r,
);

start_nginx(%conf);

my ($r, $j) = get_json('/healthz');
ok($r->{status} == 200 || $r->{status} == 503, 'healthz answers at once');
($r, $j) = wait_status('/healthz', 200, 10, \&pg_ok);
is($r->{status}, 200, 'healthz: 200 once PostgreSQL is connected');
is($j->{components}{postgres}{status}, 'ok', '... postgres ok');
is($j->{components}{postgres}{schema_version}, 1, '... schema version 1');
like($j->{components}{postgres}{server}, qr/^127\.0\.0\.1:\d+\/meet$/,
     '... names the server (host:port/db), not the password');

ok(wait_for_log(qr/schema at version 1 .*\n(?:.*\n)*.*schema at version 1 /,
                5), 'both workers have the schema ready');
is(count_log('schema migration 1 applied'), 1,
   'migration 1 applied once for two workers (advisory lock)');
is($pg->query_value('SELECT string_agg(version::text, \',\' ORDER BY version)'
                    . ' FROM meet_schema_migrations'), '1',
   'meet_schema_migrations lists version 1');
is($pg->query_value("SELECT count(*) FROM information_schema.tables WHERE "
                    . "table_name IN ('meet_rooms', 'meet_users', "
                    . "'meet_room_accesses')"), 3, 'the tables exist');

my $off = error_log_size();
ok(reload_nginx(), 'reload');
ok(wait_for_log(qr/schema at version 1 \(0 migrations/, 5, $off),
   'after the reload the new workers find the schema ready');
is(count_log('schema migration 1 applied'), 1, '... nothing applied again');

# rooms written straight into the database, read through nginx
my %id = (public => 'aaaaaaaa-0000-4000-8000-000000000001',
          trusted => 'aaaaaaaa-0000-4000-8000-000000000002',
          restricted => 'aaaaaaaa-0000-4000-8000-000000000003');
for my $lvl (sort keys %id) {
    $pg->query_value("INSERT INTO meet_rooms (id, name, slug, access_level)"
                     . " VALUES ('$id{$lvl}', 'Room \u$lvl', '$lvl-room',"
                     . " '$lvl') RETURNING id");
}

($r, $j) = get_json('/api/v1.0/rooms/public-room/?username=Ann');
is($r->{status}, 200, 'a public room by slug: 200');
is($j->{id}, $id{public}, '... its id');
is($j->{name}, 'Room Public', '... its name');
is($j->{access_level}, 'public', '... public');
ok(!$j->{is_administrable}, '... not administrable by an anonymous user');
ok(!exists $j->{configuration} && !exists $j->{accesses},
   '... no configuration nor accesses for non-administrators');
is($j->{livekit}{room}, $id{public}, '... livekit.room is the room id');
my $c = claims($j->{livekit}{token});
is($c->{video}{room}, $id{public}, '... the token grants that room');
like($c->{sub}, qr/^anon-/, '... to an anonymous identity');
is($c->{name}, 'Ann', '... with the username');
ok(!exists $c->{meet_session}, '... and no session claim');

($r, $j) = get_json("/api/v1.0/rooms/$id{public}/");
is($r->{status}, 200, 'the same room by id: 200');
is($j->{slug}, 'public-room', '... its slug');

($r, $j) = get_json('/api/v1.0/rooms/trusted-room/');
is($r->{status}, 200, 'a trusted room, anonymous: 200');
ok(!exists $j->{livekit}, '... without livekit (logged-in users only)');
($r, $j) = get_json('/api/v1.0/rooms/restricted-room/');
is($r->{status}, 200, 'a restricted room, anonymous: 200');
is($j->{access_level}, 'restricted', '... restricted');
ok(!exists $j->{livekit}, '... without livekit (members only)');

($r, $j) = get_json('/api/v1.0/rooms/aaaaaaaa-0000-4000-8000-00000000ffff/');
is($r->{status}, 404, 'an unknown room id: 404');
($r, $j) = get_json('/api/v1.0/rooms/not-registered/');
is($r->{status}, 200, 'an unregistered slug: as before (anonymous rooms)');
ok(!defined $j->{id} && $j->{livekit}{room} eq 'not-registered',
   '... id null, the slug as LiveKit room');
($r, $j) = get_json('/api/v1.0/rooms/');
is($r->{status}, 401, 'listing rooms anonymously: 401');

unlike(error_log_text(), qr/\[error\]/, 'no error logged so far');

# rooms persist across an nginx restart (they live in PostgreSQL)
stop_nginx();
start_nginx(%conf_meeting);
($r, $j) = wait_status('/api/v1.0/rooms/public-room/', 200, 10);
is($r->{status}, 200, 'after an nginx restart the room is there');
is($j->{id}, $id{public}, '... same id');
is(count_log('schema migration 1 applied'), 0,
   '... and the schema was not migrated again');

# a meeting in progress in the public room, with the token the API gave
sub join_room {
    my ($tok) = @_;
    my $ws = Test::Meet::WebSocket->connect(
        port => test_var('TEST_NGINX_SERVER_PORT'),
        path => "/rtc/v1?access_token=$tok&join_request="
                . Test::Meet::WebSocket::join_request_arg());
    my $f = $ws->{status} == 101 ? $ws->read_frame(5) : undef;
    return ($ws, $f && $f->{opcode} == 2);
}
($r, $j) = get_json('/api/v1.0/rooms/public-room/?username=Ann');
my ($meeting, $joined) = join_room($j->{livekit}{token} // '');
ok($joined, 'a meeting runs in the public room');

# PostgreSQL stopped: quick 503 with the reason, health says down
$pg->stop;
my $t;
($r, $j, $t) = get_json('/api/v1.0/rooms/public-room/');
is($r->{status}, 503, 'PostgreSQL stopped: 503');
like($j->{detail} // '', qr/postgres 127\.0\.0\.1:\d+\/meet: .+/,
     "... with the reason in JSON ($j->{detail})");
cmp_ok($t, '<', 1.5 * $tf, sprintf('... within the timeout (%.2f s)', $t));
for (1 .. 4) {
    ($r, $j, $t) = get_json('/api/v1.0/rooms/public-room/');
}
is($r->{status}, 503, 'still down: 503');
cmp_ok($t, '<', 0.5 * $tf, sprintf('... fails fast (%.3f s)', $t));
($r, $j) = get_json('/healthz');
is($r->{status}, 503, 'healthz: 503');
is($j->{components}{postgres}{status}, 'down', '... postgres down');
like($j->{components}{postgres}{reason} // '', qr/connect|lost/,
     '... with the reason');
ok(wait_for_log(qr/\[error\].*meet postgres 127\.0\.0\.1:\d+\/meet: /, 2),
   'the failure is logged with the server');
my $f = $meeting->read_frame(1);
ok(!($f && ($f->{eof} || $f->{opcode} == 8)),
   'PostgreSQL down: the meeting in progress goes on');
my ($late, $late_joined) = join_room(Test::Meet::WebSocket::token(
    identity => 'late', room => $id{public}));
ok($late_joined, '... and a participant with a token still joins it');
$late->close_socket;
$meeting->close_socket;

# started again: works again without touching nginx
$pg->start;
($r, $j) = wait_status('/api/v1.0/rooms/public-room/', 200, 10);
is($r->{status}, 200, 'PostgreSQL back: 200 again, nginx not restarted');
($r, $j) = wait_status('/healthz', 200, 10, \&pg_ok);
is($j->{components}{postgres}{status}, 'ok', '... healthz ok');
ok(wait_for_log('server is back', 2), '... logged');

# a query that hangs (a test-only lock on the table) hits the timeout
my $pid = fork // die "fork: $!";
if ($pid == 0) {
    $pg->psql('BEGIN; LOCK TABLE meet_rooms IN ACCESS EXCLUSIVE MODE; '
              . 'SELECT pg_sleep(3); COMMIT', admin => 1, timeout => 20);
    POSIX::_exit(0);
}
my $end = time + 5 * $tf;
sleep 0.1 while time < $end
    && $pg->query_value("SELECT count(*) FROM pg_locks WHERE relation = "
                        . "'meet_rooms'::regclass AND granted "
                        . "AND mode = 'AccessExclusiveLock'", admin => 1) == 0;
$off = error_log_size();
($r, $j, $t) = get_json('/api/v1.0/rooms/public-room/');
is($r->{status}, 503, 'a query blocked by a lock: 503');
like($j->{detail} // '', qr/statement "meet_room_get" timed out after 1000 ms/,
     '... the query timeout, with the statement');
cmp_ok($t, '>=', 0.9, sprintf('... after the timeout (%.2f s)', $t));
cmp_ok($t, '<', 2.5 * $tf, '... not much later');
ok(wait_for_log(qr/\[error\].*timed out after 1000 ms/, 2, $off),
   '... logged');
waitpid $pid, 0;
($r, $j) = wait_status('/api/v1.0/rooms/public-room/', 200, 10);
is($r->{status}, 200, 'lock released: 200 again');

stop_nginx();

# nginx started while PostgreSQL is down: it starts, answers 503 quickly,
# and picks the server up when it comes
$pg->stop;
start_nginx(%conf);
($r, $j) = wait_status('/healthz', 503, 5,
                       sub { ($_[0]{components}{postgres}{status} // '')
                             eq 'down' });
is($j->{components}{postgres}{status}, 'down',
   'started without PostgreSQL: healthz says down');
($r, $j, $t) = get_json('/api/v1.0/rooms/public-room/');
is($r->{status}, 503, '... rooms: 503');
cmp_ok($t, '<', 0.5 * $tf, sprintf('... at once (%.3f s)', $t));
$pg->start;
($r, $j) = wait_status('/api/v1.0/rooms/public-room/', 200, 10);
is($r->{status}, 200, 'PostgreSQL started: the rooms come');
stop_nginx();

done_testing();
