# Self-test of the Test::Meet data-block harness, using stock nginx only
# (every block has --- no_meet_modules).
use lib 't/lib';
use Test::Meet;

# Any TEST_NGINX_* environment variable can be used in sections.
$ENV{TEST_NGINX_SELFTEST_WORD} = 'bonjour';

run_tests();

__DATA__

=== TEST 1: simple GET with body and header checks
--- no_meet_modules
--- config
    location = /t {
        add_header X-Meet "yes";
        return 200 "hello\n";
    }
--- request
GET /t
--- error_code: 200
--- response_headers
Content-Type: text/plain
X-Meet: yes
Content-Length: 6
--- response_headers_like
Server: ^nginx/\d+\.\d+
--- response_body
hello
--- no_error_log
[error]



=== TEST 2: absent header, more_headers, request body
--- no_meet_modules
--- config
    location = /echo {
        return 200 "m=$request_method foo=$http_x_foo cl=$http_content_length host=$host\n";
    }
--- request
POST /echo
hello world
--- more_headers
X-Foo: bar
--- response_headers
!X-Absent
!Transfer-Encoding
--- response_body
m=POST foo=bar cl=11 host=localhost



=== TEST 3: chunked response is decoded (sub_filter drops Content-Length)
--- no_meet_modules
--- config
    location = /chunked {
        sub_filter 'a' 'b';
        sub_filter_once off;
        sub_filter_types text/plain;
        return 200 "aaa\n";
    }
--- request
GET /chunked
--- response_headers
Transfer-Encoding: chunked
!Content-Length
--- response_body
bbb



=== TEST 4: HTTP/1.0 response without length is read until close
--- no_meet_modules
--- config
    location = /chunked {
        sub_filter 'a' 'b';
        sub_filter_once off;
        sub_filter_types text/plain;
        return 200 "aaa\n";
    }
--- raw_request eval
"GET /chunked HTTP/1.0\r\nHost: localhost\r\n\r\n"
--- response_headers
!Transfer-Encoding
!Content-Length
--- response_body
bbb



=== TEST 5: HEAD request
--- no_meet_modules
--- config
    location = /t { return 200 "hello\n"; }
--- request
HEAD /t
--- response_headers
Content-Length: 6
--- response_body



=== TEST 6: TLS request to an ssl listener on $TEST_NGINX_PORT_1
--- no_meet_modules
--- http_config
    server {
        listen 127.0.0.1:$TEST_NGINX_PORT_1 ssl;
        server_name localhost;
        ssl_certificate     $TEST_NGINX_CERT;
        ssl_certificate_key $TEST_NGINX_CERT_KEY;
        location = /tls { return 200 "tls=$https proto=$ssl_protocol\n"; }
    }
--- config
--- request_port: TEST_NGINX_PORT_1
--- request_tls
--- request
GET /tls
--- response_body_like: ^tls=on proto=TLSv1\.[23]$



=== TEST 7: proxy to a second server defined in http_config
--- no_meet_modules
--- http_config
    upstream backend {
        server 127.0.0.1:$TEST_NGINX_PORT_2;
    }
    server {
        listen 127.0.0.1:${TEST_NGINX_PORT_2};
        location / { return 200 "backend saw $request_uri on $server_port\n"; }
    }
--- config
    location /p/ {
        proxy_pass http://backend/;
    }
--- request
GET /p/x?y=1
--- response_body
backend saw /x?y=1 on $TEST_NGINX_PORT_2
--- no_error_log
[error]
[warn]



=== TEST 8: user_files served from $TEST_NGINX_HTML_DIR
--- no_meet_modules
--- user_files
>>> index.html
<p>index</p>
>>> sub/dir/data.txt
some data
for $TEST_NGINX_SELFTEST_WORD
--- config
    location / {
        root $TEST_NGINX_HTML_DIR;
    }
--- request
GET /sub/dir/data.txt
--- response_body
some data
for bonjour



=== TEST 9: must_die with an unknown directive
--- no_meet_modules
--- config
    location = /t { no_such_directive_here on; }
--- must_die
--- error_log
unknown directive "no_such_directive_here"



=== TEST 10: error_log matched (404 for a missing file)
--- no_meet_modules
--- config
    location / { root $TEST_NGINX_HTML_DIR; }
--- request
GET /missing.txt
--- error_code: 404
--- error_log
No such file or directory
missing.txt
--- no_error_log
[alert]



=== TEST 11: error_log / no_error_log with eval (strings and qr//)
--- no_meet_modules
--- config
    location / { root $TEST_NGINX_HTML_DIR; }
--- request
GET /missing2.txt
--- error_code: 404
--- error_log eval
[qr/open\(\) ".*missing2\.txt" failed \(2:/, "[error]"]
--- no_error_log eval
qr/\[crit\]|\[alert\]/



=== TEST 12: stream block with a UDP return server starts cleanly
--- no_meet_modules
--- stream_config
    server {
        listen 127.0.0.1:$TEST_NGINX_UDP_PORT_1 udp;
        return "pong";
    }
    server {
        listen 127.0.0.1:$TEST_NGINX_PORT_3;
        return "tcp-pong\n";
    }
--- config
    location = /ports { return 200 "udp=$TEST_NGINX_UDP_PORT_1\n"; }
--- request
GET /ports
--- response_body_like: ^udp=\d+$



=== TEST 13: init code runs before start, variables in %ENV
--- no_meet_modules
--- init
    open my $fh, '>', "$ENV{TEST_NGINX_HTML_DIR}/from-init.txt" or die $!;
    print $fh "port $ENV{TEST_NGINX_PORT_7}\n";
    close $fh;
--- config
    location / { root $TEST_NGINX_HTML_DIR; }
    location = /p7 { return 200 "port $TEST_NGINX_PORT_7\n"; }
--- request
GET /from-init.txt
--- response_body
port $TEST_NGINX_PORT_7



=== TEST 14: response_body_json and error_code
--- no_meet_modules
--- config
    location = /j {
        default_type application/json;
        return 201 '{"ok":true,"list":[1,2,3],"word":"$TEST_NGINX_SELFTEST_WORD"}';
    }
--- request
GET /j
--- error_code: 201
--- response_headers
Content-Type: application/json
--- response_body_json
{"list": [1, 2, 3], "word": "bonjour", "ok": true}



=== TEST 15: unix socket listener is waited for and reachable
--- no_meet_modules
--- http_config
    server {
        listen unix:$TEST_NGINX_PREFIX/logs/meet.sock;
        location / { return 200 "via unix\n"; }
    }
--- config
    location / { proxy_pass http://unix:$TEST_NGINX_PREFIX/logs/meet.sock:/; }
--- request
GET /
--- response_body
via unix



=== TEST 16: main_config, multiple headers, eval request
--- no_meet_modules
--- main_config
    env MEET_DUMMY;
--- config
    location = /multi {
        add_header Set-Cookie "a=1";
        add_header Set-Cookie "b=2";
        return 204;
    }
--- request eval
"GET /multi HTTP/1.1"
--- error_code: 204
--- response_headers
Set-Cookie: a=1
Set-Cookie: b=2
--- response_headers_like
Set-Cookie: ^a=1, b=2$
--- response_body
