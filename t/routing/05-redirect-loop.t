# The 301-loop trap of a two-layer Meet deployment: Django behind two
# proxies trusts X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER) and redirects
# http to https (SECURE_SSL_REDIRECT).  When the inner proxy writes
# "X-Forwarded-Proto $scheme" it says "http" although the client used
# https, and every answer is a redirect to the same URL.
#
# The backend below behaves like that Django.  The same TLS front proxy
# reaches it once through a naive inner nginx layer (which must loop, or
# this test could not tell) and once through ngx_meet (which must not).
use lib 't/lib';
use Test::Meet;

my $django = <<'CONF';
    server {
        listen 127.0.0.1:$TEST_NGINX_PORT_2;
        location / {
            if ($http_x_forwarded_proto != "https") {
                return 301 https://$http_host$request_uri;
            }
            return 200 "rooms for $http_x_forwarded_for\n";
        }
    }
CONF

sub front {
    my ($listen, $to) = @_;
    return <<"CONF";
    server {
        listen 127.0.0.1:\$$listen ssl;
        ssl_certificate \$TEST_NGINX_CERT;
        ssl_certificate_key \$TEST_NGINX_CERT_KEY;
        location / {
            proxy_pass http://127.0.0.1:\$$to;
            proxy_bind 127.0.0.2;
            proxy_set_header Host \$http_host;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }
    }
CONF
}

# follow redirects like a browser, at most $max hops
sub browse {
    my ($port, $path, $max) = @_;
    my @hops;
    for (1 .. $max) {
        my $r = http_request(port => $port, tls => 1, path => $path,
                             headers => { Host => "localhost:" . test_var($port) });
        push @hops, $r->{status};
        return (\@hops, $r) unless $r->{status} == 301;
        my ($loc) = @{ $r->{headers}{location} || [] };
        ($path) = ($loc // '') =~ m{^https://[^/]+(/.*)$} or return (\@hops, $r);
    }
    return (\@hops, undef);
}

start_nginx(
    http_config => "    meet_backend django http://127.0.0.1:\$TEST_NGINX_PORT_2;\n"
        . $django
        # naive inner layer on PORT_3, with its own TLS front on PORT_4
        . "    server {\n"
        . "        listen 127.0.0.1:\$TEST_NGINX_PORT_3;\n"
        . "        location /api/ {\n"
        . "            proxy_pass http://127.0.0.1:\$TEST_NGINX_PORT_2;\n"
        . "            proxy_set_header Host \$http_host;\n"
        . "            proxy_set_header X-Forwarded-Proto \$scheme;\n"
        . "        }\n"
        . "    }\n"
        . front('TEST_NGINX_PORT_4', 'TEST_NGINX_PORT_3')
        # front of the ngx_meet server
        . front('TEST_NGINX_PORT_1', 'TEST_NGINX_SERVER_PORT'),
    config => <<'CONF',
    meet_trusted_proxies 127.0.0.2;
    meet_routes {
        /api/  backend django;
    }
CONF
);

my ($hops, $last) = browse('TEST_NGINX_PORT_4', '/api/v1.0/rooms/', 5);
is(scalar(@$hops), 5, 'naive two-layer setup: still redirecting after 5 hops');
ok(!defined $last, 'naive two-layer setup: never reaches the backend');
is_deeply([ @$hops[0..1] ], [301, 301], 'naive setup answers 301 to https itself');

($hops, $last) = browse('TEST_NGINX_PORT_1', '/api/v1.0/rooms/', 5);
is_deeply($hops, [200], 'through ngx_meet: the first answer is the page');
is($last && $last->{body}, "rooms for 127.0.0.1, 127.0.0.2\n",
   'backend saw https and the client chain');

# without TLS anywhere the backend redirects once, to https: correct, no loop
my $r = http_request(path => '/api/v1.0/rooms/');
is($r->{status}, 301, 'plain http: one redirect to https');
like(($r->{headers}{location} || [''])->[0], qr{^https://localhost/api/v1\.0/rooms/$},
     'plain http: redirect target is the https URL');

stop_nginx();
done_testing();
