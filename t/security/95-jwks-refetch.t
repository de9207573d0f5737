# Back-channel logout is open to anyone: a flood of logout tokens with
# unknown key ids made nginx fetch the IdP's JWKS once per request, and
# while the IdP was down every request fetched its discovery document
# (issue 16, finding 10).  Now both are fetched at most once per
# meet_oidc's refetch_interval (60s) per issuer: the test counts the
# requests the OP (and a dead IdP) get.  Before the fix the OP had one
# JWKS request per forged token, the dead IdP one discovery request each.
use lib 't/lib';
use Test::Meet;
use Test::Meet::OIDC;
use MIME::Base64 qw(encode_base64);
use JSON::PP qw(encode_json);

my $why = Test::Meet::OIDC::unavailable();
plan skip_all => $why if $why;

my $N = 30;
my $port = test_var('TEST_NGINX_SERVER_PORT');
my $port2 = free_port('tcp');
my $api = '/api/v1.0';

my $op = Test::Meet::OIDC->new(
    redirect_uris => [ "http://127.0.0.1:$port$api/callback/" ])->start;

# a dead IdP: answers every request 500 and records it
my $dead = Test::Meet::OIDC::Receiver->new(status => 500, lifetime => 120);
my $dead_issuer = $dead->url('');

start_nginx(http_config => <<"EOH", config => <<'EOC' . $op->meet_oidc_conf);
    server {
        listen 127.0.0.1:$port2;
        meet_routes {
            /api/v1.0/   api;
        }
        meet_oidc {
            issuer         $dead_issuer;
            client_id      meet;
            client_secret  x;
        }
    }
EOH
    meet_routes {
        /api/v1.0/   api;
    }
EOC

sub b64u { my $s = encode_base64($_[0], ''); $s =~ tr{+/}{-_}; $s =~ s/=+$//; $s }

# a logout token signed with a key the OP never had (a new kid each time)
sub forged {
    my ($i) = @_;
    return join '.', b64u(encode_json({ alg => 'RS256', typ => 'logout+jwt',
                                        kid => "attacker-$i" })),
                     b64u(encode_json({ iss => $op->issuer, sub => 'alice',
                                        aud => $op->client_id,
                                        iat => time, jti => "j$i",
                                        sid => "s$i",
                                        events => { 'http://schemas.openid'
                                            . '.net/event/backchannel-logout'
                                            => {} } })),
                     b64u('x' x 256);
}

sub backchannel {
    my ($p, $i) = @_;
    return http_request(port => $p, method => 'POST',
                        path => "$api/backchannel-logout/",
                        headers => { 'Content-Type'
                                     => 'application/x-www-form-urlencoded' },
                        body => 'logout_token=' . forged($i));
}

# a login fetches the JWKS once
my $jar = $op->login(sub => 'alice', host => "127.0.0.1:$port", api => $api);
ok($jar->get('sessionid'), 'alice logs in');
my $jwks = $op->hits('/jwks');
my $disc = $op->hits('/.well-known/openid-configuration');
cmp_ok($jwks, '>=', 1, '... the JWKS was fetched');

my $off = error_log_size();
my %status;
$status{ backchannel($port, $_)->{status} }++ for 1 .. $N;
is_deeply(\%status, { 400 => $N }, "$N forged logout tokens: 400 each");
cmp_ok($op->hits('/jwks') - $jwks, '<=', 1,
       '... and at most one JWKS fetch for all of them');
is($op->hits('/.well-known/openid-configuration') - $disc, 0,
   '... no discovery fetch');
like(error_log_text($off), qr/not again before refetch_interval \(60 s\)/,
     '... logged');

my $jar2 = $op->login(sub => 'alice', host => "127.0.0.1:$port", api => $api);
ok($jar2->get('sessionid'), 'logins still work');

# the dead IdP: one discovery request, whatever the flood
%status = ();
$status{ backchannel($port2, $_)->{status} }++ for 1 .. $N;
is_deeply(\%status, { 502 => $N }, "dead IdP: $N back-channel logouts: 502");
my @got = $dead->wait_requests($N, 1);
is(scalar @got, 1, '... one request reached it');

stop_nginx();
$dead->stop;
$op->stop;

done_testing();
