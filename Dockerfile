# ngx_meet on Debian bookworm: the three dynamic modules built against
# Debian's nginx 1.22 (nginx-dev) and the web app (web/, built with
# Debian's nodejs and npm; npm ci fetches its packages at build time),
# run by Debian's packaged nginx on conf-examples/dev.conf.
#
#   docker build -t ngx_meet .
#   docker run --rm --network host ngx_meet
#   open http://127.0.0.1:7880/       (curl http://127.0.0.1:7880/healthz)
#
# dev.conf listens on 127.0.0.1 only (HTTP 7880/tcp, media 7882/udp and
# 7881/tcp for ICE-TCP), so
# inside a container it is reachable with --network host; "-p" port
# publishing needs a configuration that listens on all addresses.

# ---------------------------------------------------------------- build
FROM debian:bookworm AS build

# build + run package set from scripts/install-deps.sh ("run"; with
# nodejs and npm, as the image has no node)
COPY scripts/install-deps.sh /src/scripts/install-deps.sh
RUN bash /src/scripts/install-deps.sh run \
    && rm -rf /var/lib/apt/lists/*

COPY . /src
WORKDIR /src
# make: build/modules/*.so and build/web; make install: copies the modules
# to /usr/lib/nginx/modules and the web app to /usr/share/ngx_meet/web
RUN make && make install

# -------------------------------------------------------------- runtime
FROM debian:bookworm-slim

RUN apt-get update -q \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        nginx libnginx-mod-stream \
        libjansson4 libsrtp2-1 libhiredis0.14 libpq5 libprotobuf-c1 \
    && rm -rf /var/lib/apt/lists/*

COPY --from=build /usr/lib/nginx/modules/ngx_meet_core_module.so \
                  /usr/lib/nginx/modules/ngx_meet_routing_module.so \
                  /usr/lib/nginx/modules/ngx_meet_signal_module.so \
                  /usr/lib/nginx/modules/ngx_meet_rtp_stream_module.so \
                  /usr/lib/nginx/modules/
COPY --from=build /usr/share/ngx_meet/web/ /usr/share/ngx_meet/web/
COPY conf-examples/ /etc/ngx_meet/

# nginx prefix laid out as scripts/run-dev.sh does for "make run":
# modules/ (load_module paths are prefix-relative), web/ (dev.conf's
# "/ spa web;"), logs/, tmp/; the access log goes to the container's
# stdout (dev.conf logs errors to stderr itself)
RUN mkdir -p /var/lib/ngx_meet/logs /var/lib/ngx_meet/tmp \
    && ln -s /usr/lib/nginx/modules /var/lib/ngx_meet/modules \
    && ln -s /usr/share/ngx_meet/web /var/lib/ngx_meet/web \
    && ln -sf /dev/stdout /var/lib/ngx_meet/logs/access.log \
    && nginx -t -p /var/lib/ngx_meet/ -c /etc/ngx_meet/dev.conf

EXPOSE 7880/tcp 7882/udp 7881/tcp

STOPSIGNAL SIGQUIT
CMD ["nginx", "-p", "/var/lib/ngx_meet/", "-c", "/etc/ngx_meet/dev.conf", "-g", "daemon off;"]
