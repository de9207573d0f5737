# API keys: the development default, meet_api_key and meet_api_keys_file.
use lib 't/lib';
use Test::Meet;
use Test::Meet::WebSocket;

sub validate {
    my (%t) = @_;
    my $tok = Test::Meet::WebSocket::token(%t);
    return http_request(path => "/rtc/v1/validate?access_token=$tok");
}

# no key configured: livekit-server --dev's devkey/secret
start_nginx(config => "    location /rtc { meet_signal; }\n");
my $r = validate();
is($r->{status}, 200, 'default: devkey/secret accepted');
is($r->{body}, 'success', '... body "success"');
is(($r->{headers}{'access-control-allow-origin'} || [])->[0], '*',
   '... with the CORS header');
stop_nginx();

# keys from a file replace the default
start_nginx(
    main_config => "    meet_api_keys_file \$TEST_NGINX_HTML_DIR/keys.yaml;\n",
    user_files => ">>> keys.yaml\n# keys\nAPIprod1: 7f3c9a1e5b2d4c6f8a0b1c2d3e4f5a6b7c8d9e0f\n\n"
                . "APIprod2 :  0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d \n",
    config => "    location /rtc { meet_signal; }\n");

$r = validate(key => 'APIprod1', secret => '7f3c9a1e5b2d4c6f8a0b1c2d3e4f5a6b7c8d9e0f');
is($r->{status}, 200, 'keys file: first key accepted');
$r = validate(key => 'APIprod2', secret => '0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d');
is($r->{status}, 200, 'keys file: second key (spaces around) accepted');
$r = validate();
is($r->{status}, 401, 'keys file: the development key is refused');
like($r->{body}, qr/unknown API key/i, '... as an unknown API key');
$r = validate(key => 'APIprod1', secret => 'wrong-secret');
is($r->{status}, 401, 'keys file: a wrong secret is refused');
ok(wait_for_log('meet signal: refused token'), 'refusals are logged');
stop_nginx();

# directive keys
start_nginx(
    main_config => "    meet_api_key k1 0123456789abcdef0123456789abcdef;\n",
    config => "    location /rtc { meet_signal; }\n");
$r = validate(key => 'k1', secret => '0123456789abcdef0123456789abcdef');
is($r->{status}, 200, 'meet_api_key: accepted');
stop_nginx();

done_testing();
