#!/usr/bin/env bash
# CI check of the container image (make image): runs it as a user would,
# with buildah (chroot isolation, the host's network): an API key file
# mounted at /etc/ngx_meet/keys.yaml, MEET_EXTERNAL_IP set; then asks
# /healthz on 7880, joins a room over WebSocket with a token signed by
# that key (Test::Meet::WebSocket), checks that a token of the public
# development key is refused, that the worker does not run as root, that
# the image has no libsrtp2 runtime, and that without the key file the
# container refuses to start.  Needs root and 127.0.0.1:7880-7882 free.
set -euo pipefail
# no OCI runtime needed: every buildah run is a chroot
export BUILDAH_ISOLATION=chroot
repo=$(cd "$(dirname "$0")/.." && pwd)
image=${MEET_IMAGE:-localhost/ngx_meet}
fail() { echo "check-image: FAILED: $*" >&2; exit 1; }
log() { echo "check-image: $*"; }

tmp=$(mktemp -d /tmp/meet-image-XXXXXX)
ctr=
run_pid=
cleanup() {
    if [ -n "$ctr" ]; then
        if [ -n "$run_pid" ]; then
            buildah run "$ctr" -- sh -c 'kill -QUIT "$(cat /run/ngx_meet/nginx.pid)"' \
                >/dev/null 2>&1 || true
            for _ in $(seq 1 50); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.1; done
            kill "$run_pid" 2>/dev/null || true
        fi
        buildah rm "$ctr" >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

secret=$(openssl rand -hex 24)
printf 'meet: %s\n' "$secret" > "$tmp/keys.yaml"
chmod 600 "$tmp/keys.yaml"

ctr=$(buildah from --pull=never "$image")
buildah run "$ctr" -- sh -c 'dpkg-query -W -f="\${Package}\n" | grep -q "^libsrtp2" && exit 1; exit 0' \
    || fail "the image has a libsrtp2 package"
buildah run "$ctr" -- dpkg-query -W libnginx-mod-meet nginx libnginx-mod-stream

log "without the key file the container does not start"
if buildah run --isolation chroot "$ctr" -- env MEET_EXTERNAL_IP=127.0.0.1 \
        /usr/local/bin/ngx_meet-start > "$tmp/nokey.log" 2>&1; then
    fail "it started without /etc/ngx_meet/keys.yaml"
fi
grep -q 'keys.yaml' "$tmp/nokey.log" || { cat "$tmp/nokey.log"; fail "no message about the key file"; }

log "starting the image's nginx"
buildah run --isolation chroot --network host \
    -v "$tmp/keys.yaml:/etc/ngx_meet/keys.yaml:ro" "$ctr" -- \
    env MEET_EXTERNAL_IP=127.0.0.1 /usr/local/bin/ngx_meet-start \
    > "$tmp/run.log" 2>&1 &
run_pid=$!
ok=
for _ in $(seq 1 120); do
    if curl -fsS --max-time 2 http://127.0.0.1:7880/healthz > "$tmp/health" 2>/dev/null; then
        ok=1; break
    fi
    kill -0 "$run_pid" 2>/dev/null || break
    sleep 0.5
done
[ -n "$ok" ] || { cat "$tmp/run.log"; fail "no /healthz answer on 127.0.0.1:7880"; }
cat "$tmp/health"; echo
log "/healthz answers"
curl -fsS --max-time 5 http://127.0.0.1:7880/ | grep -qi '<html' || fail "the web app is not served"

perl -I"$repo/t/lib" -MTest::Meet::WebSocket -e '
    my ($secret) = @ARGV;
    my $join = sub {
        my (%k) = @_;
        my $tok = Test::Meet::WebSocket::token(%k, identity => "ci", room => "image-check");
        my $ws = Test::Meet::WebSocket->connect(port => 7880,
            path => "/rtc/v1?access_token=$tok&join_request="
                    . Test::Meet::WebSocket::join_request_arg());
        return $ws->{status} unless $ws->{status} == 101;
        my $f = $ws->read_frame(10);
        my ($field) = $f && $f->{payload}
            ? Test::Meet::WebSocket::pb_first_field($f->{payload}) : ();
        return "101 field " . ($field // "none");
    };
    my $r = $join->(key => "meet", secret => $secret);
    die "join with the mounted key: $r\n" unless $r eq "101 field 1";
    print "check-image: a WebSocket join with the mounted key: JoinResponse\n";
    $r = $join->(key => "devkey", secret => "secret");
    die "join with the development key: $r\n" if $r =~ /^101/;
    print "check-image: the development key is refused: $r\n";
' "$secret" || { cat "$tmp/run.log"; fail "WebSocket join"; }

master=$(pgrep -f -o 'nginx: master process nginx -c /etc/ngx_meet/nginx.conf' || true)
[ -n "$master" ] || fail "no nginx master process"
workers=$(ps -o user= --ppid "$master" | sort -u | tr '\n' ' ')
log "worker user(s): $workers"
[ -n "$workers" ] && ! echo "$workers" | grep -qw root || fail "a worker runs as root"
log "ok"
