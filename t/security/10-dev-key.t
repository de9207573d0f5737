# Finding 1 of the hostile-client review: without meet_api_key the server
# accepts tokens signed with the public development key devkey/secret, so
# on a public address anyone could mint a token for any room.  The dev key
# is allowed only when every listener is on loopback (livekit-server --dev
# binds 127.0.0.1); otherwise nginx -t fails naming the fix.
use lib 't/lib';
use Test::Meet;

run_tests();

__DATA__

=== TEST 1: signaling on a wildcard address without a key is refused
--- config
    location /rtc { meet_signal; }
--- http_config
    server {
        listen 0.0.0.0:$TEST_NGINX_PORT_2;
        location / { return 204; }
    }
--- must_die
--- error_log eval
qr/\[emerg\].*meet_api_key: no API key is set, so "meet_signal" in \S+nginx\.conf:\d+ would accept tokens signed with the public development key devkey\/secret, which is allowed only when nginx listens on loopback addresses; "listen 0\.0\.0\.0:\d+" is not one: add "meet_api_key <key> <secret>;" or "meet_api_keys_file <file>;" to the main context \(a secret: openssl rand -base64 32\)/



=== TEST 2: the meeting API (it mints tokens) on a public address without a key is refused
--- config
    location /api/v1.0/ { meet_api; }
--- http_config
    server {
        listen 203.0.113.7:$TEST_NGINX_PORT_2;
        location / { return 204; }
    }
--- must_die
--- error_log eval
qr/so "meet_api" in \S+:\d+ would accept tokens signed with the public development key.*"listen 203\.0\.113\.7:\d+" is not one/



=== TEST 3: a public media port counts too
--- config
    location /rtc { meet_signal; }
--- stream_config
    server {
        listen 0.0.0.0:$TEST_NGINX_UDP_PORT_1 udp;
        meet_rtp;
        meet_rtp_external_ip 203.0.113.7;
    }
--- must_die
--- error_log eval
qr/"listen 0\.0\.0\.0:\d+ udp" is not one/



=== TEST 4: IPv6 wildcard without a key is refused
--- config
    location /rtc { meet_signal; }
--- http_config
    server {
        listen [::]:$TEST_NGINX_PORT_2;
        location / { return 204; }
    }
--- must_die
--- error_log eval
qr/"listen \[::\]:\d+" is not one/



=== TEST 5: a routes-generated signal location names the route's line
--- config
    meet_routes {
        /rtc  signal;
    }
--- http_config
    server {
        listen 0.0.0.0:$TEST_NGINX_PORT_2;
        location / { return 204; }
    }
--- must_die
--- error_log eval
qr/so "meet_signal" in \S+nginx\.conf:\d+ would accept/



=== TEST 6: with a key, a public listener is fine
--- main_config
    meet_api_key  prodkey  a-secret-of-at-least-32-characters-long;
--- config
    location /rtc { meet_signal; }
--- http_config
    server {
        listen 0.0.0.0:$TEST_NGINX_PORT_2;
        location / { return 204; }
    }
--- request
GET /rtc/v1/validate?access_token=x
--- error_code: 401



=== TEST 7: loopback only (IPv4 127/8 and IPv6 ::1): the development key serves
--- config
    location /rtc { meet_signal; }
--- http_config
    server {
        listen 127.0.0.2:$TEST_NGINX_PORT_2;
        listen [::1]:$TEST_NGINX_PORT_2;
        location / { return 204; }
    }
--- request
GET /rtc/v1/validate?access_token=x
--- error_code: 401



=== TEST 8: no module that uses tokens: a public listener needs no key
--- config
    meet_routes {
        = /healthz  health;
    }
--- http_config
    server {
        listen 0.0.0.0:$TEST_NGINX_PORT_2;
        location / { return 204; }
    }
--- request
GET /healthz
--- error_code: 200
