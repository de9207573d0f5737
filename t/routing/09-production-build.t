# the production modules (make modules) have none of the test-only
# directives the suite's build has (make test-modules, -DNGX_MEET_TEST_HOOKS):
# a configuration that names one fails "nginx -t" as unknown
use lib 't/lib';

BEGIN {
    my $repo = $ENV{TEST_NGINX_PRODUCTION_MODULES} // 'build/modules';
    die "production modules not found in $repo: build them with make modules "
      . "(or set TEST_NGINX_PRODUCTION_MODULES)\n"
        unless -f "$repo/ngx_meet_rtp_stream_module.so";
    $ENV{TEST_NGINX_MODULES} = $repo;
    # the static test binary has the test build compiled in: use the stock
    # nginx, which loads the production .so files
    $ENV{TEST_NGINX_BINARY} = '/usr/sbin/nginx'
        if ($ENV{TEST_NGINX_BINARY} // '') =~ m{/static/};
}

use Test::Meet;

run_tests();

__DATA__

=== TEST 1: meet_rtp_test_drop is unknown
--- stream_config
    server {
        listen 127.0.0.1:$TEST_NGINX_UDP_PORT_1 udp;
        meet_rtp;
        meet_rtp_test_drop 4;
    }
--- must_die
--- error_log
unknown directive "meet_rtp_test_drop"



=== TEST 2: meet_rtp_test_drop_upstream is unknown
--- stream_config
    server {
        listen 127.0.0.1:$TEST_NGINX_UDP_PORT_1 udp;
        meet_rtp;
        meet_rtp_test_drop_upstream 20;
    }
--- must_die
--- error_log
unknown directive "meet_rtp_test_drop_upstream"



=== TEST 3: meet_redis_test_kv is unknown
--- http_config
    meet_redis redis://127.0.0.1:$TEST_NGINX_PORT_2;
--- config
    location /kv/ {
        meet_redis_test_kv;
    }
--- must_die
--- error_log
unknown directive "meet_redis_test_kv"



=== TEST 4: meet_signal_test_data is unknown
--- config
    location /rtc {
        meet_signal;
    }
    location = /data {
        meet_signal_test_data;
    }
--- must_die
--- error_log
unknown directive "meet_signal_test_data"



=== TEST 5: meet_test_heap is unknown
--- main_config
meet_test_heap;
--- must_die
--- error_log
unknown directive "meet_test_heap"



=== TEST 6: the same configuration without it is valid (the production build loads)
--- stream_config
    server {
        listen 127.0.0.1:$TEST_NGINX_UDP_PORT_1 udp;
        meet_rtp;
    }
--- config
    meet_routes {
        = /healthz  health;
    }
--- request
GET /healthz
--- error_code: 200
