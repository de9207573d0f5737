# backend routes: proxying to an external backend with correct
# X-Forwarded-* headers (the backend here is a second nginx server that
# echoes what it received)
use lib 't/lib';
use Test::Meet;

run_tests();

__DATA__

=== TEST 1: a backend route proxies the request unchanged
--- http_config
    meet_backend django http://127.0.0.1:$TEST_NGINX_PORT_2;
    server {
        listen 127.0.0.1:$TEST_NGINX_PORT_2;
        location / {
            return 200 "uri=$request_uri method=$request_method host=$http_host\n";
        }
    }
--- config
    meet_routes {
        /api/  backend django;
    }
--- request
GET /api/v1.0/rooms/?page=2
--- more_headers
Host: meet.example.org
--- error_code: 200
--- response_body
uri=/api/v1.0/rooms/?page=2 method=GET host=meet.example.org



=== TEST 2: a direct client gets X-Forwarded-Proto http and its own address
--- http_config
    meet_backend django http://127.0.0.1:$TEST_NGINX_PORT_2;
    server {
        listen 127.0.0.1:$TEST_NGINX_PORT_2;
        location / {
            return 200 "proto=$http_x_forwarded_proto xff=$http_x_forwarded_for real=$http_x_real_ip xfh=$http_x_forwarded_host\n";
        }
    }
--- config
    meet_routes {
        /api/  backend django;
    }
--- request
GET /api/x
--- error_code: 200
--- response_body
proto=http xff=127.0.0.1 real=127.0.0.1 xfh=localhost



=== TEST 3: an untrusted client cannot forge X-Forwarded-Proto or X-Forwarded-For
--- http_config
    meet_backend django http://127.0.0.1:$TEST_NGINX_PORT_2;
    server {
        listen 127.0.0.1:$TEST_NGINX_PORT_2;
        location / {
            return 200 "proto=$http_x_forwarded_proto xff=$http_x_forwarded_for xfh=$http_x_forwarded_host\n";
        }
    }
--- config
    meet_trusted_proxies 10.0.0.0/8;
    meet_routes {
        /api/  backend django;
    }
--- request
GET /api/x
--- more_headers
X-Forwarded-Proto: https
X-Forwarded-For: 6.6.6.6
X-Forwarded-Host: evil.example
--- error_code: 200
--- response_body
proto=http xff=127.0.0.1 xfh=localhost



=== TEST 4: TLS on the ngx_meet server itself gives https
--- http_config
    meet_backend django http://127.0.0.1:$TEST_NGINX_PORT_2;
    server {
        listen 127.0.0.1:$TEST_NGINX_PORT_2;
        location / {
            return 200 "proto=$http_x_forwarded_proto\n";
        }
    }
    server {
        listen 127.0.0.1:$TEST_NGINX_PORT_1 ssl;
        ssl_certificate $TEST_NGINX_CERT;
        ssl_certificate_key $TEST_NGINX_CERT_KEY;
        meet_routes {
            /api/  backend django;
        }
    }
--- request_port: TEST_NGINX_PORT_1
--- request_tls
--- request
GET /api/x
--- error_code: 200
--- response_body
proto=https



=== TEST 5: a trusted TLS front proxy's scheme and client chain are kept
--- http_config
    meet_backend django http://127.0.0.1:$TEST_NGINX_PORT_2;
    server {
        listen 127.0.0.1:$TEST_NGINX_PORT_2;
        location / {
            return 200 "proto=$http_x_forwarded_proto xff=$http_x_forwarded_for xfh=$http_x_forwarded_host\n";
        }
    }
    # the front layer: terminates TLS, connects from 127.0.0.2
    server {
        listen 127.0.0.1:$TEST_NGINX_PORT_1 ssl;
        ssl_certificate $TEST_NGINX_CERT;
        ssl_certificate_key $TEST_NGINX_CERT_KEY;
        location / {
            proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT;
            proxy_bind 127.0.0.2;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Host $host;
        }
    }
--- config
    meet_trusted_proxies 127.0.0.2;
    meet_routes {
        /api/  backend django;
    }
--- request_port: TEST_NGINX_PORT_1
--- request_tls
--- request
GET /api/x
--- more_headers
Host: meet.example.org
--- error_code: 200
--- response_body
proto=https xff=127.0.0.1, 127.0.0.2 xfh=meet.example.org



=== TEST 6: a trusted proxy sending an unknown scheme gets http
--- http_config
    meet_backend django http://127.0.0.1:$TEST_NGINX_PORT_2;
    server {
        listen 127.0.0.1:$TEST_NGINX_PORT_2;
        location / {
            return 200 "proto=$http_x_forwarded_proto\n";
        }
    }
--- config
    meet_trusted_proxies 127.0.0.0/8;
    meet_routes {
        /api/  backend django;
    }
--- request
GET /api/x
--- more_headers
X-Forwarded-Proto: gopher
--- error_code: 200
--- response_body
proto=http
--- error_log
meet: ignoring X-Forwarded-Proto "gopher" from trusted proxy



=== TEST 7: WebSocket upgrades pass through to the backend
--- http_config
    meet_backend django http://127.0.0.1:$TEST_NGINX_PORT_2;
    server {
        listen 127.0.0.1:$TEST_NGINX_PORT_2;
        location / {
            return 200 "connection=$http_connection upgrade=$http_upgrade\n";
        }
    }
--- config
    meet_routes {
        /ws/  backend django;
    }
--- request
GET /ws/x
--- more_headers
Upgrade: websocket
Connection: Upgrade
--- error_code: 200
--- response_body
connection=upgrade upgrade=websocket



=== TEST 8: plain requests reach the backend without a Connection header (keepalive)
--- http_config
    meet_backend django http://127.0.0.1:$TEST_NGINX_PORT_2;
    server {
        listen 127.0.0.1:$TEST_NGINX_PORT_2;
        location / {
            return 200 "connection=[$http_connection]\n";
        }
    }
--- config
    meet_routes {
        /api/  backend django;
    }
--- request
GET /api/x
--- error_code: 200
--- response_body
connection=[]



=== TEST 9: paths outside the route do not reach the backend
--- http_config
    meet_backend django http://127.0.0.1:$TEST_NGINX_PORT_2;
    server {
        listen 127.0.0.1:$TEST_NGINX_PORT_2;
        location / { return 200 "backend\n"; }
    }
--- config
    meet_routes {
        /api/  backend django;
    }
    location / { return 200 "local\n"; }
--- request
GET /apix
--- error_code: 200
--- response_body
local



=== TEST 10: a regex location does not steal a routed prefix
--- http_config
    meet_backend django http://127.0.0.1:$TEST_NGINX_PORT_2;
    server {
        listen 127.0.0.1:$TEST_NGINX_PORT_2;
        location / { return 200 "backend\n"; }
    }
--- config
    meet_routes {
        /static/  backend django;
    }
    location ~ \.css$ { return 200 "regex\n"; }
--- request
GET /static/app.css
--- error_code: 200
--- response_body
backend



=== TEST 11: a backend that is down gives 502 and a log line
--- http_config
    meet_backend django http://127.0.0.1:$TEST_NGINX_PORT_3;
--- config
    meet_routes {
        /api/  backend django;
    }
--- request
GET /api/x
--- error_code: 502
--- error_log
connect() failed (111: Connection refused) while connecting to upstream



=== TEST 12: an exact backend route
--- http_config
    meet_backend django http://127.0.0.1:$TEST_NGINX_PORT_2;
    server {
        listen 127.0.0.1:$TEST_NGINX_PORT_2;
        location / { return 200 "uri=$request_uri\n"; }
    }
--- config
    meet_routes {
        = /webhook  backend django;
    }
    location / { return 200 "local\n"; }
--- request
GET /webhook
--- error_code: 200
--- response_body
uri=/webhook
