# /healthz: JSON state of every configured component
use lib 't/lib';
use Test::Meet;

run_tests();

__DATA__

=== TEST 1: health route answers JSON with the http component
--- config
    meet_routes {
        = /healthz  health;
    }
--- request
GET /healthz
--- error_code: 200
--- response_headers
Content-Type: application/json
Cache-Control: no-store
--- response_body
{"status":"ok","version":"0.1.0","components":{"http":{"status":"ok"}}}
--- no_error_log
[error]



=== TEST 2: a backend with a health path is checked and reported
--- http_config
    meet_backend django http://127.0.0.1:$TEST_NGINX_PORT_2 health=/__heartbeat__/;
    server {
        listen 127.0.0.1:$TEST_NGINX_PORT_2;
        location = /__heartbeat__/ { return 200 "alive"; }
    }
--- config
    meet_routes {
        = /healthz  health;
        /api/       backend django;
    }
--- request
GET /healthz
--- error_code: 200
--- response_body_like
^\{"status":"ok","version":"[0-9.]+","components":\{"http":\{"status":"ok"\},"backends":\{"django":\{"status":"ok","code":200,"time_ms":\d+\}\}\}\}$
--- no_error_log
[warn]



=== TEST 3: a backend that is down makes the answer 503 and says which
--- http_config
    meet_backend django http://127.0.0.1:$TEST_NGINX_PORT_3 health=/__heartbeat__/;
--- config
    meet_routes {
        = /healthz  health;
        /api/       backend django;
    }
--- request
GET /healthz
--- error_code: 503
--- response_body_like
^\{"status":"down",.*"backends":\{"django":\{"status":"down","code":502,"time_ms":\d+\}\}\}\}$
--- error_log
meet health: backend "django" (http://127.0.0.1:
answered 502



=== TEST 4: a backend answering 500 is down
--- http_config
    meet_backend django http://127.0.0.1:$TEST_NGINX_PORT_2 health=/__heartbeat__/;
    server {
        listen 127.0.0.1:$TEST_NGINX_PORT_2;
        location = /__heartbeat__/ { return 500 "db gone"; }
    }
--- config
    meet_routes {
        = /healthz  health;
    }
--- request
GET /healthz
--- error_code: 503
--- response_body_like
"django":\{"status":"down","code":500,
--- error_log
answered 500



=== TEST 5: two backends, one without a health path, are both listed
--- http_config
    meet_backend django http://127.0.0.1:$TEST_NGINX_PORT_2 health=/h;
    meet_backend media http://127.0.0.1:$TEST_NGINX_PORT_2;
    server {
        listen 127.0.0.1:$TEST_NGINX_PORT_2;
        location = /h { return 204; }
    }
--- config
    meet_routes {
        = /healthz  health;
    }
--- request
GET /healthz
--- error_code: 503
--- response_body_like
"backends":\{"django":\{"status":"down","code":204,.*"media":\{"status":"unchecked"\}



=== TEST 6: the media component reports its UDP socket
--- config
    meet_routes {
        = /healthz  health;
    }
--- stream_config
    server {
        listen 127.0.0.1:$TEST_NGINX_UDP_PORT_1 udp;
        meet_rtp;
    }
--- request
GET /healthz
--- error_code: 200
--- response_body_like
"media":\{"udp":\["127\.0\.0\.1:$TEST_NGINX_UDP_PORT_1"\],"tcp":\[\],"sessions":0,"retransmitted":0,"nack_repeats":0,"nack_over_rate":0,"rtcp_packets_ignored":0,"nacks_sent":0,"rtx_received":0,"plis_sent":0,"recovered":0,"unrecovered":0,"receiver_reports":0,"send_batches":0,"batched_datagrams":0,"layer_switches":0,"memory_refused":0,"history_slots":0,"memory":\{"used":0,"budget":536870912,"refused":0,"full":false\},"dropped":\{\},"data":\{"messages_in":0,"bytes_in":0,"messages_out":0,"bytes_out":0,"channels_opened":0,"associations":0,"dropped":\{\}\},"status":"ok"\}



=== TEST 7: only GET and HEAD
--- config
    meet_routes {
        = /healthz  health;
    }
--- request
POST /healthz
hello
--- error_code: 405



=== TEST 8: HEAD gets headers only
--- config
    meet_routes {
        = /healthz  health;
    }
--- request
HEAD /healthz
--- error_code: 200
--- response_headers
Content-Type: application/json
--- response_body



=== TEST 9: meet_health in a hand-written location
--- config
    location = /status { meet_health; }
--- request
GET /status
--- error_code: 200
--- response_body_like
^\{"status":"ok",
