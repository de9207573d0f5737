# ngx_meet on Debian bookworm: the libnginx-mod-meet package (make deb:
# the four modules built against Debian's nginx 1.22 with nginx-dev) and
# the web app (make web), run by Debian's packaged nginx on
# conf-examples/container.conf: the web app, the API and /rtc on
# 7880/tcp (TLS in front), media on 7882/udp and 7881/tcp.
#
#   buildah bud --isolation chroot -t ngx_meet .     (or: docker build)
#   podman run -d -v $PWD/keys.yaml:/etc/ngx_meet/keys.yaml:ro \
#       -e MEET_EXTERNAL_IP=<public address> \
#       -p 7880:7880 -p 7882:7882/udp -p 7881:7881 localhost/ngx_meet
#   curl http://127.0.0.1:7880/healthz
#
# Behind a TLS-intercepting proxy, give the build that proxy's CA bundle
# for npm's HTTPS downloads (it is not kept in the image):
#   buildah bud --isolation chroot \
#       --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt -t ngx_meet .
# (docker build --secret id=ca,src=... with BuildKit).
# scripts/build-image.sh builds it this way, and .ci/run runs it.

# ---------------------------------------------------------------- build
FROM debian:bookworm AS build

# the packages of "make deb" (scripts/install-deps.sh deb) and Debian's
# nodejs/npm (no node in the image: 18, so the web build installs
# Node.js 20 from npm into build/node, scripts/node.sh)
COPY scripts/install-deps.sh /src/scripts/install-deps.sh
RUN bash /src/scripts/install-deps.sh deb \
    && rm -rf /var/lib/apt/lists/*

COPY . /src
WORKDIR /src
# the web app (npm ci over HTTPS: the optional CA) and the package
# (lintian runs in "make deb" and in CI, not here)
RUN --mount=type=secret,id=ca,required=false \
    if [ -s /run/secrets/ca ]; then \
        export NODE_EXTRA_CA_CERTS=/run/secrets/ca npm_config_cafile=/run/secrets/ca; \
    fi \
    && make web \
    && MEET_DEB_LINT=0 bash scripts/build-deb.sh \
    && mkdir /out && cp build/deb/libnginx-mod-meet_*.deb /out/ \
    && cp -R build/web /out/web

# -------------------------------------------------------------- runtime
FROM debian:bookworm

# Debian's nginx, and the package: its Depends bring libnginx-mod-stream
# and the runtime libraries of the modules (${shlibs:Depends}: jansson,
# libpq, hiredis, protobuf-c, usrsctp; libsrtp is linked in statically)
COPY --from=build /out/ /tmp/meet/
RUN apt-get update -q \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends nginx /tmp/meet/libnginx-mod-meet_*.deb \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /usr/share/ngx_meet \
    && mv /tmp/meet/web /usr/share/ngx_meet/web \
    && rm -rf /tmp/meet

COPY conf-examples/container.conf /etc/ngx_meet/nginx.conf
COPY scripts/container-start.sh /usr/local/bin/ngx_meet-start

EXPOSE 7880/tcp 7882/udp 7881/tcp

STOPSIGNAL SIGQUIT
CMD ["/usr/local/bin/ngx_meet-start"]
