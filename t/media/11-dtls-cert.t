# The DTLS certificate: made at start (ECDSA P-256, its SHA-256 fingerprint
# in every answer), or configured with meet_dtls_certificate(_key).
use lib 't/lib';
use Test::Meet;
use Test::Meet::WebSocket;
use Test::Meet::Util qw(slurp run_command);

my $repo = test_var('TEST_NGINX_REPO');
my $offer = slurp("$repo/t/unit/fixtures/chromium-join-offer.sdp");

sub answer_fingerprint {
    my $tok = Test::Meet::WebSocket::token(identity => 'fp', room => 'fp');
    my $ws = Test::Meet::WebSocket->connect(
        port => test_var('TEST_NGINX_SERVER_PORT'),
        path => "/rtc/v1?access_token=$tok&join_request="
                . Test::Meet::WebSocket::join_request_with_offer($offer, 1));
    for (1 .. 5) {
        my $f = $ws->read_frame(3) or last;
        last if $f->{eof};
        my $sdp = Test::Meet::WebSocket::answer_sdp($f->{payload});
        next unless defined $sdp;
        $ws->close_socket;
        return $sdp =~ /^a=fingerprint:sha-256 (\S+)/m ? $1 : undef;
    }
    return undef;
}

my %conf = (
    config => "    location /rtc { meet_signal; }\n",
    stream_config => "    server {\n"
        . "        listen 127.0.0.1:\$TEST_NGINX_UDP_PORT_1 udp;\n"
        . "        meet_rtp;\n    }\n",
);

# made at start
start_nginx(%conf);
my $made = answer_fingerprint();
like($made // '', qr/^(?:[0-9A-F]{2}:){31}[0-9A-F]{2}$/,
     'a made certificate: its sha-256 fingerprint in the answer');
stop_nginx();

# configured
start_nginx(%conf, main_config =>
    "    meet_dtls_certificate \$TEST_NGINX_CERT;\n"
  . "    meet_dtls_certificate_key \$TEST_NGINX_CERT_KEY;\n");
my $cert = test_var('TEST_NGINX_CERT');
my ($rc, $out) = run_command(argv => ['openssl', 'x509', '-noout',
                                      '-fingerprint', '-sha256', '-in', $cert]);
my ($want) = $out =~ /=([0-9A-F:]+)/;
my $got = answer_fingerprint();
is($got, $want, 'a configured certificate: the answer names its fingerprint');
isnt($got, $made, '... not the made one');
stop_nginx();

done_testing();
