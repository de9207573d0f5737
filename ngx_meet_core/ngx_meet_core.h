
/*
 * Copyright (C) ngx_meet authors
 *
 * The shared core of the ngx_meet modules: API keys, health, ICE
 * candidates, the DTLS identity, small helpers.  Everything declared here
 * is defined once, in ngx_meet_core_module (ngx_meet_core_module.so in a
 * dynamic build, loaded first), and used by the other modules through
 * nginx's RTLD_GLOBAL module loading.  The forwarding
 * table the signal and media modules share is ngx_meet_media.h.
 */


#ifndef _NGX_MEET_CORE_H_INCLUDED_
#define _NGX_MEET_CORE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <jansson.h>


#define NGX_MEET_VERSION        "0.1.0"
#define NGX_MEET_VER            "ngx_meet/" NGX_MEET_VERSION


/* health status of a component, worst last */
typedef enum {
    NGX_MEET_HEALTH_OK = 0,
    NGX_MEET_HEALTH_DEGRADED,
    NGX_MEET_HEALTH_DOWN
} ngx_meet_health_status_e;


typedef struct ngx_meet_health_s  ngx_meet_health_t;

/*
 * A component reports its state into "out" (a JSON object it may add
 * details to) and returns its status.  Called in a worker, must not block.
 */
typedef ngx_meet_health_status_e (*ngx_meet_health_pt)(ngx_meet_health_t *h,
    json_t *out, ngx_log_t *log);

struct ngx_meet_health_s {
    ngx_str_t                 name;
    ngx_meet_health_pt        handler;
    void                     *data;
};


/* a LiveKit API key and its secret */
typedef struct {
    ngx_str_t                 key;
    ngx_str_t                 secret;
} ngx_meet_core_api_key_t;


/* a media address advertised as an ICE host candidate */
typedef struct {
    ngx_str_t                 addr;        /* IP address text */
    in_port_t                 port;
    ngx_uint_t                tcp;         /* 1: ICE-TCP passive */
} ngx_meet_candidate_t;


typedef struct {
    ngx_array_t               health;      /* of ngx_meet_health_t */
    ngx_array_t              *api_keys;    /* of ngx_meet_core_api_key_t */
    ngx_str_t                 api_keys_file;
    ngx_str_t                 dtls_certificate;      /* PEM, optional */
    ngx_str_t                 dtls_certificate_key;
    ngx_array_t               candidates;  /* of ngx_meet_candidate_t */
    size_t                    media_memory;  /* meet_media_memory */

    /* the first directive that checks or mints LiveKit tokens */
    ngx_str_t                 keys_user;
    ngx_str_t                 keys_user_file;
    ngx_uint_t                keys_user_line;

    /* DTLS identity: one certificate per cycle, made in the master */
    void                     *dtls_key;     /* EVP_PKEY * */
    void                     *dtls_cert;    /* X509 * */
    u_char                    dtls_fingerprint[3 * 32];
    size_t                    dtls_fingerprint_len;
} ngx_meet_core_conf_t;


/* LiveKit-compatible server version reported to clients (feature gates) */
#define NGX_MEET_LIVEKIT_COMPAT  "1.9.0"
#define NGX_MEET_LIVEKIT_PROTOCOL  16


/* NGX_OK when the core module is part of this configuration */
ngx_int_t ngx_meet_core_check(ngx_conf_t *cf);

ngx_int_t ngx_meet_health_register(ngx_conf_t *cf, const char *name,
    ngx_meet_health_pt handler, void *data);
ngx_array_t *ngx_meet_health_components(ngx_cycle_t *cycle);
const char *ngx_meet_health_status_name(ngx_meet_health_status_e status);

/* the secret of an API key, or NULL */
const u_char *ngx_meet_core_api_secret(ngx_cycle_t *cycle, const u_char *key,
    size_t key_len, size_t *secret_len);

/*
 * A directive whose module checks or mints LiveKit tokens says so while it
 * is parsed.  Without meet_api_key/meet_api_keys_file the development key
 * (devkey/secret, as "livekit-server --dev") is then allowed only when
 * every listener of the configuration is on a loopback address, as
 * livekit-server binds 127.0.0.1 in dev mode: nginx -t fails otherwise.
 */
void ngx_meet_core_api_keys_used(ngx_conf_t *cf);

/* the key tokens are minted with: the first configured (or devkey) */
ngx_meet_core_api_key_t *ngx_meet_core_api_key_default(ngx_cycle_t *cycle);

/* "sha-256 AB:CD:..." value of the DTLS certificate (fingerprint only) */
ngx_str_t *ngx_meet_dtls_fingerprint(ngx_cycle_t *cycle);

/* media modules register the addresses clients reach them at */
ngx_int_t ngx_meet_candidate_add(ngx_conf_t *cf, ngx_str_t *addr,
    in_port_t port, ngx_uint_t tcp);
ngx_array_t *ngx_meet_candidates(ngx_cycle_t *cycle);

/* the DTLS certificate and key of this cycle (X509 *, EVP_PKEY *) */
void *ngx_meet_dtls_certificate(ngx_cycle_t *cycle, void **key);

/* the first header of a list (e.g. r->headers_in.headers) named so */
ngx_table_elt_t *ngx_meet_header(ngx_list_t *headers, const char *name,
    size_t len);

/*
 * A string from the network, fit for the error log: control characters,
 * bytes over 0x7e, '"' and '\\' as \xHH (a forged "\n... [emerg] ..."
 * stays on its line), at most NGX_MEET_LOG_STR_MAX bytes of it (then
 * "..."), for %V:
 *
 *     ngx_log_error(..., "identity \"%V\"", ngx_meet_log_esc(&id));
 *
 * The result is in one of NGX_MEET_LOG_ESC_SLOTS static buffers, used in
 * turn: it lasts until that many more calls, so at most that many in one
 * log call (a worker is one thread; nothing is allocated).
 * ngx_meet_log_cesc() takes a NUL-terminated string (char or u_char;
 * NULL: ""),
 * ngx_meet_log_nesc() bytes and a length.
 */
#define NGX_MEET_LOG_STR_MAX    128
#define NGX_MEET_LOG_ESC_SLOTS  4

ngx_str_t *ngx_meet_log_esc(ngx_str_t *s);
ngx_str_t *ngx_meet_log_cesc(const void *s);
ngx_str_t *ngx_meet_log_nesc(const u_char *p, size_t n);

/* writes prefix + n random base62 characters (CSPRNG) */
u_char *ngx_meet_random_id(u_char *dst, const char *prefix, size_t n);

/* serialize a JSON value into pool memory; NGX_ERROR on failure */
ngx_int_t ngx_meet_json_dump(ngx_pool_t *pool, json_t *value, ngx_str_t *out);

/* a NUL-terminated pool copy of the string member "name" of object o;
 * NGX_ERROR when it is missing, not a string, or on no memory */
ngx_int_t ngx_meet_json_string(ngx_pool_t *pool, json_t *o, const char *name,
    ngx_str_t *out);

/*
 * Logout reaches meetings: the signal module registers (per worker) the
 * function that closes the connections joined with a session's tokens
 * (claim "meet_session"); logins end through ngx_meet_logout_disconnect,
 * which returns how many connections it closed.
 */
typedef ngx_uint_t (*ngx_meet_logout_pt)(ngx_str_t *session_key);
void ngx_meet_logout_handler_set(ngx_meet_logout_pt handler);
ngx_uint_t ngx_meet_logout_disconnect(ngx_str_t *session_key);

/*
 * Parses generated configuration text in the current context as if it
 * stood in "file" at "line" (so nginx's own error messages point at the
 * directive that generated it).
 */
char *ngx_meet_conf_parse_text(ngx_conf_t *cf, ngx_str_t *text,
    ngx_str_t *file, ngx_uint_t line);


extern ngx_module_t  ngx_meet_core_module;


#endif /* _NGX_MEET_CORE_H_INCLUDED_ */
