# SPA route: files, index.html fallback for client routes, 404 for assets
use lib 't/lib';
use Test::Meet;

run_tests(no_done_testing => 1);

# index.html disappearing after start: client routes get a 404, not a loop
{
    start_nginx(
        config     => "    meet_routes {\n        /  spa \$TEST_NGINX_HTML_DIR;\n    }\n",
        user_files => ">>> index.html\n<!doctype html>\n",
    );
    my $r = http_request(path => '/my-room');
    is($r->{status}, 200, 'app served while index.html exists');
    unlink(test_var('TEST_NGINX_HTML_DIR') . '/index.html') or die $!;
    $r = http_request(path => '/my-room');
    is($r->{status}, 404, 'index.html gone: client route is a 404');
    ok(wait_for_log(qr{open\(\) "[^"]+/index\.html" failed \(2: No such file}),
       'index.html gone: the reason is logged');
    stop_nginx();
}

done_testing();

__DATA__

=== TEST 1: the root serves index.html
--- config
    meet_routes {
        /  spa $TEST_NGINX_HTML_DIR;
    }
--- user_files
>>> index.html
<!doctype html><title>meet</title>
>>> assets/app.js
console.log("app");
--- request
GET /
--- error_code: 200
--- response_headers
Cache-Control: no-cache
--- response_body
<!doctype html><title>meet</title>



=== TEST 2: a deep link to a room gets the app
--- config
    meet_routes {
        /  spa $TEST_NGINX_HTML_DIR;
    }
--- user_files
>>> index.html
<!doctype html><title>meet</title>
--- request
GET /my-room?lang=fr
--- error_code: 200
--- response_headers_like
Content-Type: text/html
--- response_body
<!doctype html><title>meet</title>



=== TEST 3: a nested client route gets the app
--- config
    meet_routes {
        /  spa $TEST_NGINX_HTML_DIR;
    }
--- user_files
>>> index.html
<!doctype html><title>meet</title>
--- request
GET /rooms/abc-defg-hij/settings
--- error_code: 200
--- response_body
<!doctype html><title>meet</title>



=== TEST 4: an existing asset is served as itself
--- config
    meet_routes {
        /  spa $TEST_NGINX_HTML_DIR;
    }
--- user_files
>>> index.html
<!doctype html><title>meet</title>
>>> assets/app.js
console.log("app");
--- request
GET /assets/app.js
--- error_code: 200
--- response_headers
!Cache-Control
--- response_body
console.log("app");



=== TEST 5: a missing asset is a 404, not the app
--- config
    meet_routes {
        /  spa $TEST_NGINX_HTML_DIR;
    }
--- user_files
>>> index.html
<!doctype html><title>meet</title>
--- request
GET /assets/x.js
--- error_code: 404
--- response_body_like
404 Not Found
--- error_log
meet spa: no file for "/assets/x.js", not a client route



=== TEST 6: a missing file at the top is a 404 too
--- config
    meet_routes {
        /  spa $TEST_NGINX_HTML_DIR;
    }
--- user_files
>>> index.html
<!doctype html><title>meet</title>
--- request
GET /favicon.ico
--- error_code: 404



=== TEST 7: client routes take only GET and HEAD
--- config
    meet_routes {
        /  spa $TEST_NGINX_HTML_DIR;
    }
--- user_files
>>> index.html
<!doctype html><title>meet</title>
--- request
POST /my-room
x=1
--- error_code: 405



=== TEST 8: HEAD on a client route
--- config
    meet_routes {
        /  spa $TEST_NGINX_HTML_DIR;
    }
--- user_files
>>> index.html
<!doctype html><title>meet</title>
--- request
HEAD /my-room
--- error_code: 200
--- response_headers
Cache-Control: no-cache
--- response_body



=== TEST 9: other routes take precedence over the app
--- config
    meet_routes {
        = /healthz  health;
        /           spa $TEST_NGINX_HTML_DIR;
    }
--- user_files
>>> index.html
<!doctype html><title>meet</title>
--- request
GET /healthz
--- error_code: 200
--- response_body_like
^\{"status":"ok"
