# bad configuration fails "nginx -t" with a message naming the directive
# and the fix
use lib 't/lib';
use Test::Meet;

run_tests();

__DATA__

=== TEST 1: unknown backend
--- config
    meet_routes {
        /api/  backend nope;
    }
--- must_die
--- error_log
meet_routes: unknown backend "nope" for "/api/"; declare it in the http block before this server: "meet_backend nope http://host:port;"



=== TEST 3: conflicting routes name both lines
--- http_config
    meet_backend django http://127.0.0.1:$TEST_NGINX_PORT_2;
--- config
    meet_routes {
        /api/  backend django;
        = /healthz health;
        /api/  health;
    }
--- must_die
--- error_log eval
qr/meet_routes: conflicting routes for "\/api\/" on lines \d+ and \d+; keep one of them/



=== TEST 4: a route that duplicates a hand-written location points at the route
--- http_config
    meet_backend django http://127.0.0.1:$TEST_NGINX_PORT_2;
--- config
    location /api/ { return 200; }
    meet_routes {
        /api/  backend django;
    }
--- must_die
--- error_log eval
qr/duplicate location "\/api\/" in \S+nginx\.conf:\d+/



=== TEST 5: spa without a root folder
--- config
    meet_routes {
        /  spa;
    }
--- must_die
--- error_log
meet_routes: "spa" needs the folder of the built web app (its root), e.g. "/ spa /usr/share/ngx_meet/web;"



=== TEST 6: spa root without index.html
--- config
    meet_routes {
        /  spa /nonexistent/ngx_meet/web;
    }
--- must_die
--- error_log
meet_routes: spa root "/nonexistent/ngx_meet/web" has no index.html



=== TEST 7: spa on another path than /
--- config
    meet_routes {
        /app/  spa $TEST_NGINX_HTML_DIR;
    }
--- must_die
--- error_log
meet_routes: "spa" must be the "/" route



=== TEST 8: unknown target
--- config
    meet_routes {
        /api/  proxy http://x;
    }
--- must_die
--- error_log
meet_routes: unknown target "proxy" for "/api/"; use "backend <name>", "health", "signal", "api" or "spa <folder>"



=== TEST 9: a route without target
--- config
    meet_routes {
        /api/;
    }
--- must_die
--- error_log
meet_routes: a route needs a path and a target



=== TEST 10: invalid route path
--- config
    meet_routes {
        api  health;
    }
--- must_die
--- error_log
meet_routes: invalid path "api"; a path starts with "/"



=== TEST 11: empty table
--- config
    meet_routes {
    }
--- must_die
--- error_log
meet_routes: the table is empty



=== TEST 12: two tables in a server
--- config
    meet_routes {
        = /healthz health;
    }
    meet_routes {
        = /h health;
    }
--- must_die
--- error_log
"meet_routes" directive is duplicate; a server has one routing table



=== TEST 13: two health routes
--- config
    meet_routes {
        = /healthz health;
        = /h health;
    }
--- must_die
--- error_log
meet_routes: more than one "health" route; keep one



=== TEST 14: backend URL that is not a URL
--- http_config
    meet_backend django 127.0.0.1:8000;
--- must_die
--- error_log
meet_backend: "127.0.0.1:8000" is not a URL; write "http://host:port" or "https://host:port"



=== TEST 15: backend URL with a path
--- http_config
    meet_backend django http://127.0.0.1:8000/api;
--- must_die
--- error_log
meet_backend: URL "http://127.0.0.1:8000/api" must be only scheme, host and port



=== TEST 16: backend declared twice
--- http_config
    meet_backend django http://127.0.0.1:8000;
    meet_backend django http://127.0.0.1:8001;
--- must_die
--- error_log
meet_backend: backend "django" is declared twice



=== TEST 17: unknown backend parameter
--- http_config
    meet_backend django http://127.0.0.1:8000 weight=3;
--- must_die
--- error_log
meet_backend: unknown parameter "weight=3"; known: health=<path>, keepalive=<n>



=== TEST 18: bad health path
--- http_config
    meet_backend django http://127.0.0.1:8000 health=heartbeat;
--- must_die
--- error_log
meet_backend: invalid "health=heartbeat"; write health=/path



=== TEST 19: bad trusted proxy
--- config
    meet_trusted_proxies 10.0.0.0/33;
--- must_die
--- error_log
meet_trusted_proxies: "10.0.0.0/33" is not an address or CIDR block



=== TEST 20: meet_routes outside a server
--- http_config
    meet_routes {
        = /healthz health;
    }
--- must_die
--- error_log
"meet_routes" directive is not allowed here



=== TEST 21: an ICE-TCP listener on a wildcard address without an external one
--- stream_config
    server {
        listen 127.0.0.1:$TEST_NGINX_UDP_PORT_1 udp;
        listen $TEST_NGINX_PORT_2;
        meet_rtp;
    }
--- must_die
--- error_log
meet_rtp: "listen 0.0.0.0:$TEST_NGINX_PORT_2" is a wildcard address, which clients cannot reach; add "meet_rtp_external_ip <address>;" with the address clients use



=== TEST 22: bad external address
--- stream_config
    server {
        listen 127.0.0.1:$TEST_NGINX_UDP_PORT_1 udp;
        meet_rtp;
        meet_rtp_external_ip meet.example.org;
    }
--- must_die
--- error_log
meet_rtp_external_ip: "meet.example.org" is not an IP address



=== TEST 23: a valid full table passes nginx -t
--- http_config
    meet_backend django http://127.0.0.1:$TEST_NGINX_PORT_2 health=/__heartbeat__/ keepalive=8;
--- config
    meet_trusted_proxies 127.0.0.1 10.0.0.0/8;
    meet_routes {
        /api/        backend django;
        /admin/      backend django;
        /static/     backend django;
        /oidc/       backend django;
        = /healthz   health;
        /rtc         signal;
        /            spa $TEST_NGINX_HTML_DIR;
    }
--- user_files
>>> index.html
<!doctype html>
--- request
GET /healthz
--- error_code: 503
--- response_body_like
"django":\{"status":"down"



=== TEST 24: the signal target without the signal module names the fix
--- meet_modules: ngx_meet_core_module ngx_meet_routing_module
--- config
    meet_routes {
        /rtc  signal;
    }
--- must_die
--- error_log
meet_routes: target "signal" needs ngx_meet_signal_module; add "load_module modules/ngx_meet_signal_module.so;" after ngx_meet_core_module.so



=== TEST 25: the signal module without the core module fails at load
--- meet_modules: ngx_meet_signal_module
--- must_die
--- error_log eval
qr/ngx_meet_signal_module\.so.*undefined symbol: ngx_meet_/



=== TEST 25a: a media-only host starts: the core and the rtp module, without the routing and signal modules
--- meet_modules: ngx_meet_core_module ngx_meet_rtp_stream_module
--- stream_config
    server {
        listen 127.0.0.1:$TEST_NGINX_UDP_PORT_1 udp;
        meet_rtp;
    }



=== TEST 26: a wildcard media listener without an external address
--- stream_config
    server {
        listen 0.0.0.0:$TEST_NGINX_UDP_PORT_1 udp;
        meet_rtp;
    }
--- must_die
--- error_log
meet_rtp: "listen 0.0.0.0:$TEST_NGINX_UDP_PORT_1" is a wildcard address, which clients cannot reach; add "meet_rtp_external_ip <address>;"



=== TEST 27: meet_rtp_tcp_pending 0 is refused
--- stream_config
    server {
        listen 127.0.0.1:$TEST_NGINX_PORT_1;
        meet_rtp;
        meet_rtp_tcp_pending 0;
    }
--- must_die
--- error_log
meet_rtp_tcp_pending must be at least 1
