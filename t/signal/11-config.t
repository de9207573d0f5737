# Configuration of the signal module: the one-worker rule and bad values.
use lib 't/lib';
use Test::Meet;

# rooms live in one worker: more workers must be refused, clearly
$ENV{TEST_NGINX_WORKERS} = 2;

run_tests();

__DATA__

=== TEST 1: worker_processes 2 is refused with the reason and the fix
--- config
    location /rtc { meet_signal; }
--- must_die
--- error_log
meet_signal keeps rooms in the memory of one worker process; set "worker_processes 1;"



=== TEST 2: without meet_signal, more workers are fine
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok



=== TEST 3: a max frame too small for SDP offers is refused
--- main_config
--- config
    location /rtc { meet_signal; meet_signal_max_frame 100; }
--- must_die
--- error_log
meet_signal_max_frame must be at least 1k



=== TEST 4: a ping timeout shorter than the interval is refused
--- config
    location /rtc {
        meet_signal;
        meet_signal_ping_interval 10s;
        meet_signal_ping_timeout 5s;
    }
--- must_die
--- error_log
meet_signal_ping_interval must be at least 1s and meet_signal_ping_timeout at least the interval



=== TEST 5: an API keys file with a bad line names the line
--- main_config
    meet_api_keys_file $TEST_NGINX_HTML_DIR/keys.yaml;
--- user_files
>>> keys.yaml
# LiveKit keys file
devkey: secret
broken line
--- config
    location /rtc { meet_signal; }
--- must_die
--- error_log
meet_api_keys_file: line 3 of



=== TEST 6: a key given twice
--- main_config
    meet_api_key k1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;
    meet_api_key k1 bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb;
--- config
    location /rtc { meet_signal; }
--- must_die
--- error_log
meet_api_key: key "k1" is given twice



=== TEST 7: the media module with more workers is refused too
--- config
    location = /t { return 200; }
--- stream_config
    server {
        listen 127.0.0.1:$TEST_NGINX_UDP_PORT_1 udp;
        meet_rtp;
    }
--- must_die
--- error_log
meet_rtp keeps media sessions in the worker that holds the participant's signaling; set "worker_processes 1;"



=== TEST 8: a DTLS certificate with another key is refused
--- main_config
    meet_dtls_certificate $TEST_NGINX_CERT;
    meet_dtls_certificate_key $TEST_NGINX_HTML_DIR/other.key;
--- init
system("openssl ecparam -name prime256v1 -genkey -noout -out $ENV{TEST_NGINX_HTML_DIR}/other.key 2>/dev/null") == 0 or die;
--- config
    location /rtc { meet_signal; }
--- must_die
--- error_log
is not the private key of



=== TEST 9: a message rate without a burst is refused
--- main_config
--- config
    location /rtc {
        meet_signal;
        meet_signal_message_rate 10;
        meet_signal_message_burst 0;
    }
--- must_die
--- error_log
meet_signal_message_burst must be at least 1 (meet_signal_message_rate 0 turns the limit off)
