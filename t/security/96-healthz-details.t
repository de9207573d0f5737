# /healthz told anyone the version, the backends, the Redis address and
# the reasons of failures (issue 16, finding 10).  The details now go only
# to meet_healthz_details_allow (loopback by default); others get the bare
# status, with the same HTTP status code.  The test is on loopback, so it
# shows the other side with an allow list that leaves loopback out.
# Before the fix nginx did not know the directive (and answered details
# to everyone).
use lib 't/lib';
use Test::Meet;
use JSON::PP qw(decode_json);

my ($p2, $p3, $dead) = map { free_port('tcp') } 1 .. 3;

start_nginx(http_config => <<"EOH", config => <<'EOC');
    meet_backend  gone  http://127.0.0.1:$dead  health=/ping;  # checked
                                                             # by all
    server {
        listen 127.0.0.1:$p2;
        meet_healthz_details_allow  10.0.0.0/8  192.168.1.1;
        meet_routes {
            = /healthz  health;
        }
    }
    server {
        listen 127.0.0.1:$p3;
        meet_healthz_details_allow  off;
        meet_routes {
            = /healthz  health;
            /app/       backend gone;
        }
    }
EOH
    meet_routes {
        = /healthz  health;
        /app/       backend gone;
    }
EOC

sub health {
    my ($port) = @_;
    my $r = http_request(port => $port, path => '/healthz');
    return ($r->{status}, eval { decode_json($r->{body}) } || {});
}

my ($st, $j) = health(test_var('TEST_NGINX_SERVER_PORT'));
is($st, 503, 'default, from loopback: 503 (a backend is down)');
is($j->{status}, 'down', '... status');
ok($j->{version}, '... the version');
is($j->{components}{backends}{gone}{status}, 'down', '... the backends');

($st, $j) = health($p2);
is($st, 503, 'an allow list without loopback: 503 (the backend is down)');
is_deeply($j, { status => 'down' }, '... the bare status');

($st, $j) = health($p3);
is($st, 503, 'details off: 503 (a backend is down)');
is_deeply($j, { status => 'down' }, '... the bare status');

stop_nginx();

done_testing();
