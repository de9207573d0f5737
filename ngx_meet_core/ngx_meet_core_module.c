
/*
 * Copyright (C) ngx_meet authors
 *
 * ngx_meet_core_module: the code the ngx_meet modules share.  It is an
 * NGX_CORE_MODULE without directives of its own yet; its configuration
 * holds registries the other modules fill in at configuration time.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_meet_core.h"
#include "ngx_meet_media.h"

#include <openssl/evp.h>
#include <openssl/ec.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/pem.h>

#if (NGX_MEET_TEST_HOOKS)
#include <malloc.h>
#endif


static void *ngx_meet_core_create_conf(ngx_cycle_t *cycle);
static char *ngx_meet_core_init_conf(ngx_cycle_t *cycle, void *conf);
static char *ngx_meet_core_api_key(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_meet_core_api_keys_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_meet_core_api_key_add(ngx_conf_t *cf,
    ngx_meet_core_conf_t *mcf, ngx_str_t *key, ngx_str_t *secret);
static ngx_int_t ngx_meet_core_dev_key_check(ngx_cycle_t *cycle,
    ngx_meet_core_conf_t *mcf);
static ngx_uint_t ngx_meet_core_loopback(struct sockaddr *sa);
static ngx_int_t ngx_meet_core_init_module(ngx_cycle_t *cycle);
static ngx_int_t ngx_meet_core_dtls_identity_create(ngx_cycle_t *cycle,
    ngx_meet_core_conf_t *mcf);
static ngx_int_t ngx_meet_core_dtls_identity_load(ngx_cycle_t *cycle,
    ngx_meet_core_conf_t *mcf, X509 **cert, EVP_PKEY **key);
static void ngx_meet_core_dtls_identity_free(void *data);
static ngx_int_t ngx_meet_core_init_process(ngx_cycle_t *cycle);
#if (NGX_MEET_TEST_HOOKS)
static char *ngx_meet_core_test_heap(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_meet_health_status_e ngx_meet_core_heap_health(
    ngx_meet_health_t *h, json_t *out, ngx_log_t *log);
#endif


static ngx_command_t  ngx_meet_core_commands[] = {

    { ngx_string("meet_api_key"),
      NGX_MAIN_CONF|NGX_DIRECT_CONF|NGX_CONF_TAKE2,
      ngx_meet_core_api_key,
      0,
      0,
      NULL },

    { ngx_string("meet_dtls_certificate"),
      NGX_MAIN_CONF|NGX_DIRECT_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      0,
      offsetof(ngx_meet_core_conf_t, dtls_certificate),
      NULL },

    { ngx_string("meet_dtls_certificate_key"),
      NGX_MAIN_CONF|NGX_DIRECT_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      0,
      offsetof(ngx_meet_core_conf_t, dtls_certificate_key),
      NULL },

    { ngx_string("meet_api_keys_file"),
      NGX_MAIN_CONF|NGX_DIRECT_CONF|NGX_CONF_TAKE1,
      ngx_meet_core_api_keys_file,
      0,
      0,
      NULL },

    { ngx_string("meet_media_memory"),
      NGX_MAIN_CONF|NGX_DIRECT_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      0,
      offsetof(ngx_meet_core_conf_t, media_memory),
      NULL },

#if (NGX_MEET_TEST_HOOKS)
    /* tests' build only (make test-modules): the worker's heap in /healthz */
    { ngx_string("meet_test_heap"),
      NGX_MAIN_CONF|NGX_DIRECT_CONF|NGX_CONF_NOARGS,
      ngx_meet_core_test_heap,
      0,
      0,
      NULL },
#endif

      ngx_null_command
};


static ngx_core_module_t  ngx_meet_core_module_ctx = {
    ngx_string("meet_core"),
    ngx_meet_core_create_conf,
    ngx_meet_core_init_conf
};


ngx_module_t  ngx_meet_core_module = {
    NGX_MODULE_V1,
    &ngx_meet_core_module_ctx,             /* module context */
    ngx_meet_core_commands,                /* module directives */
    NGX_CORE_MODULE,                       /* module type */
    NULL,                                  /* init master */
    ngx_meet_core_init_module,             /* init module */
    ngx_meet_core_init_process,            /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static void *
ngx_meet_core_create_conf(ngx_cycle_t *cycle)
{
    ngx_meet_core_conf_t  *mcf;

    mcf = ngx_pcalloc(cycle->pool, sizeof(ngx_meet_core_conf_t));
    if (mcf == NULL) {
        return NULL;
    }

    if (ngx_array_init(&mcf->health, cycle->pool, 4,
                       sizeof(ngx_meet_health_t))
        != NGX_OK)
    {
        return NULL;
    }

    if (ngx_array_init(&mcf->candidates, cycle->pool, 2,
                       sizeof(ngx_meet_candidate_t))
        != NGX_OK)
    {
        return NULL;
    }

    mcf->api_keys = NGX_CONF_UNSET_PTR;
    mcf->media_memory = NGX_CONF_UNSET_SIZE;

    /*
     * the media hooks back to their ends: the signal and media modules
     * chain theirs again in this configuration's postconfiguration
     */
    ngx_meet_media_hooks_init();

    return mcf;
}


static char *
ngx_meet_core_init_conf(ngx_cycle_t *cycle, void *conf)
{
    ngx_meet_core_conf_t *mcf = conf;

    ngx_meet_core_api_key_t  *k;

    ngx_conf_init_size_value(mcf->media_memory,
                             NGX_MEET_MEDIA_MEMORY_DEFAULT);

    if (mcf->media_memory < NGX_MEET_MEDIA_MEMORY_MIN) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "meet_media_memory must be at least %uzk: one "
                      "participant's media state takes about that much",
                      (size_t) NGX_MEET_MEDIA_MEMORY_MIN / 1024);
        return NGX_CONF_ERROR;
    }

    if (mcf->api_keys != NGX_CONF_UNSET_PTR) {
        return NGX_CONF_OK;
    }

    /* livekit-server --dev: key "devkey", secret "secret", on loopback */

    if (ngx_meet_core_dev_key_check(cycle, mcf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    mcf->api_keys = ngx_array_create(cycle->pool, 1,
                                     sizeof(ngx_meet_core_api_key_t));
    if (mcf->api_keys == NULL) {
        return NGX_CONF_ERROR;
    }

    k = ngx_array_push(mcf->api_keys);
    if (k == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_str_set(&k->key, "devkey");
    ngx_str_set(&k->secret, "secret");

    return NGX_CONF_OK;
}


/*
 * All listening sockets of the new configuration exist by now (the http
 * and stream blocks made them while they were parsed; nothing is bound
 * yet): the development key needs every one of them on loopback.
 */

static ngx_int_t
ngx_meet_core_dev_key_check(ngx_cycle_t *cycle, ngx_meet_core_conf_t *mcf)
{
    ngx_uint_t        i;
    ngx_listening_t  *ls;

    if (mcf->keys_user.len == 0) {
        return NGX_OK;
    }

    ls = cycle->listening.elts;

    for (i = 0; i < cycle->listening.nelts; i++) {

        if (ngx_meet_core_loopback(ls[i].sockaddr)) {
            continue;
        }

        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "meet_api_key: no API key is set, so \"%V\" in "
                      "%V:%ui would accept tokens signed with the public "
                      "development key devkey/secret, which is allowed "
                      "only when nginx listens on loopback addresses; "
                      "\"listen %V%s\" is not one: add \"meet_api_key "
                      "<key> <secret>;\" or \"meet_api_keys_file "
                      "<file>;\" to the main context (a secret: openssl "
                      "rand -base64 32)",
                      &mcf->keys_user, &mcf->keys_user_file,
                      mcf->keys_user_line, &ls[i].addr_text,
                      ls[i].type == SOCK_DGRAM ? " udp" : "");
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_uint_t
ngx_meet_core_loopback(struct sockaddr *sa)
{
    struct sockaddr_in   *sin;
#if (NGX_HAVE_INET6)
    u_char               *p;
    struct sockaddr_in6  *sin6;
#endif

    switch (sa->sa_family) {

#if (NGX_HAVE_INET6)
    case AF_INET6:
        sin6 = (struct sockaddr_in6 *) sa;

        if (IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr)) {
            return 1;
        }

        /* ::ffff:127.x.y.z */
        p = sin6->sin6_addr.s6_addr;

        return IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) && p[12] == 127;
#endif

#if (NGX_HAVE_UNIX_DOMAIN)
    case AF_UNIX:
        return 1;
#endif

    case AF_INET:
        sin = (struct sockaddr_in *) sa;
        return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;

    default:
        return 0;
    }
}


void
ngx_meet_core_api_keys_used(ngx_conf_t *cf)
{
    ngx_meet_core_conf_t  *mcf;

    mcf = (ngx_meet_core_conf_t *) ngx_get_conf(cf->cycle->conf_ctx,
                                                ngx_meet_core_module);

    if (mcf == NULL || mcf->keys_user.len) {
        return;
    }

    mcf->keys_user = ((ngx_str_t *) cf->args->elts)[0];
    mcf->keys_user_file = cf->conf_file->file.name;
    mcf->keys_user_line = cf->conf_file->line;
}


static char *
ngx_meet_core_api_key(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_meet_core_conf_t *mcf = conf;

    ngx_str_t  *value;

    value = cf->args->elts;

    if (ngx_meet_core_api_key_add(cf, mcf, &value[1], &value[2]) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_meet_core_api_key_add(ngx_conf_t *cf, ngx_meet_core_conf_t *mcf,
    ngx_str_t *key, ngx_str_t *secret)
{
    ngx_uint_t                i;
    ngx_meet_core_api_key_t  *k;

    if (key->len == 0 || secret->len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_api_key: empty key or secret");
        return NGX_ERROR;
    }

    if (mcf->api_keys == NGX_CONF_UNSET_PTR) {
        mcf->api_keys = ngx_array_create(cf->pool, 2,
                                         sizeof(ngx_meet_core_api_key_t));
        if (mcf->api_keys == NULL) {
            return NGX_ERROR;
        }
    }

    k = mcf->api_keys->elts;
    for (i = 0; i < mcf->api_keys->nelts; i++) {
        if (k[i].key.len == key->len
            && ngx_strncmp(k[i].key.data, key->data, key->len) == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "meet_api_key: key \"%V\" is given twice",
                               key);
            return NGX_ERROR;
        }
    }

    if (secret->len < 32) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "meet_api_key: the secret of \"%V\" is shorter "
                           "than 32 characters; use a long random secret "
                           "outside development", key);
    }

    k = ngx_array_push(mcf->api_keys);
    if (k == NULL) {
        return NGX_ERROR;
    }

    k->key = *key;
    k->secret = *secret;

    return NGX_OK;
}


/*
 * meet_api_keys_file <path>: LiveKit's keys file, one "key: secret" per
 * line; blank lines and lines starting with "#" are skipped.
 */

static char *
ngx_meet_core_api_keys_file(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_meet_core_conf_t *mcf = conf;

    u_char           *p, *last, *line, *colon, *eol;
    ssize_t           n;
    ngx_str_t        *value, key, secret;
    ngx_uint_t        lineno, nkeys;
    ngx_file_t        file;
    ngx_file_info_t   fi;

    if (mcf->api_keys_file.data) {
        return "is duplicate";
    }

    value = cf->args->elts;
    mcf->api_keys_file = value[1];

    if (ngx_conf_full_name(cf->cycle, &mcf->api_keys_file, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(&file, sizeof(ngx_file_t));
    file.name = mcf->api_keys_file;
    file.log = cf->log;

    file.fd = ngx_open_file(file.name.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (file.fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "meet_api_keys_file: cannot open \"%V\"",
                           &file.name);
        return NGX_CONF_ERROR;
    }

    if (ngx_fd_info(file.fd, &fi) == NGX_FILE_ERROR
        || ngx_file_size(&fi) > 1024 * 1024)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "meet_api_keys_file: \"%V\" is not a readable "
                           "file under 1 MB", &file.name);
        ngx_close_file(file.fd);
        return NGX_CONF_ERROR;
    }

    p = ngx_pnalloc(cf->pool, ngx_file_size(&fi) + 1);
    if (p == NULL) {
        ngx_close_file(file.fd);
        return NGX_CONF_ERROR;
    }

    n = ngx_read_file(&file, p, ngx_file_size(&fi), 0);
    ngx_close_file(file.fd);

    if (n != ngx_file_size(&fi)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "meet_api_keys_file: cannot read \"%V\"",
                           &file.name);
        return NGX_CONF_ERROR;
    }

    last = p + n;
    lineno = 0;
    nkeys = 0;

    for (line = p; line < last; line = eol + 1) {
        lineno++;

        eol = ngx_strlchr(line, last, '\n');
        if (eol == NULL) {
            eol = last;
        }

        while (line < eol && (*line == ' ' || *line == '\t')) {
            line++;
        }

        if (line == eol || *line == '#' || *line == '\r') {
            continue;
        }

        colon = ngx_strlchr(line, eol, ':');
        if (colon == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "meet_api_keys_file: line %ui of \"%V\" is "
                               "not \"key: secret\"", lineno, &file.name);
            return NGX_CONF_ERROR;
        }

        key.data = line;
        key.len = colon - line;
        while (key.len && (key.data[key.len - 1] == ' '
                           || key.data[key.len - 1] == '\t'))
        {
            key.len--;
        }

        secret.data = colon + 1;
        secret.len = eol - secret.data;
        while (secret.len && (secret.data[0] == ' '
                              || secret.data[0] == '\t'))
        {
            secret.data++;
            secret.len--;
        }
        while (secret.len && (secret.data[secret.len - 1] == ' '
                              || secret.data[secret.len - 1] == '\t'
                              || secret.data[secret.len - 1] == '\r'))
        {
            secret.len--;
        }

        if (ngx_meet_core_api_key_add(cf, mcf, &key, &secret) != NGX_OK) {
            return NGX_CONF_ERROR;
        }

        nkeys++;
    }

    if (nkeys == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_api_keys_file: no \"key: secret\" line in "
                           "\"%V\"", &file.name);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


const u_char *
ngx_meet_core_api_secret(ngx_cycle_t *cycle, const u_char *key, size_t key_len,
    size_t *secret_len)
{
    ngx_uint_t                i;
    ngx_meet_core_api_key_t  *k;
    ngx_meet_core_conf_t     *mcf;

    mcf = (ngx_meet_core_conf_t *) ngx_get_conf(cycle->conf_ctx,
                                                ngx_meet_core_module);

    if (mcf == NULL || mcf->api_keys == NULL
        || mcf->api_keys == NGX_CONF_UNSET_PTR)
    {
        return NULL;
    }

    k = mcf->api_keys->elts;
    for (i = 0; i < mcf->api_keys->nelts; i++) {
        if (k[i].key.len == key_len
            && ngx_strncmp(k[i].key.data, key, key_len) == 0)
        {
            *secret_len = k[i].secret.len;
            return k[i].secret.data;
        }
    }

    return NULL;
}


ngx_meet_core_api_key_t *
ngx_meet_core_api_key_default(ngx_cycle_t *cycle)
{
    ngx_meet_core_conf_t  *mcf;

    mcf = (ngx_meet_core_conf_t *) ngx_get_conf(cycle->conf_ctx,
                                                ngx_meet_core_module);

    if (mcf == NULL || mcf->api_keys == NULL
        || mcf->api_keys == NGX_CONF_UNSET_PTR
        || mcf->api_keys->nelts == 0)
    {
        return NULL;
    }

    return mcf->api_keys->elts;
}


static ngx_int_t
ngx_meet_core_init_module(ngx_cycle_t *cycle)
{
    ngx_meet_core_conf_t  *mcf;

    mcf = (ngx_meet_core_conf_t *) ngx_get_conf(cycle->conf_ctx,
                                                ngx_meet_core_module);

    /* made in the master before the fork: every worker has the same one */

    return ngx_meet_core_dtls_identity_create(cycle, mcf);
}


static ngx_int_t
ngx_meet_core_dtls_identity_create(ngx_cycle_t *cycle,
    ngx_meet_core_conf_t *mcf)
{
    u_char              *p;
    X509                *cert;
    EVP_PKEY            *key;
    X509_NAME           *name;
    ngx_uint_t           i;
    unsigned int         len;
    unsigned char        md[EVP_MAX_MD_SIZE], serial[8];
    ngx_pool_cleanup_t  *cln;

    static const char    hex[] = "0123456789ABCDEF";

    cert = NULL;
    key = NULL;

    if (mcf->dtls_certificate.len) {
        if (ngx_meet_core_dtls_identity_load(cycle, mcf, &cert, &key)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        goto digest;
    }

    key = EVP_EC_gen("P-256");
    if (key == NULL) {
        goto failed;
    }

    cert = X509_new();
    if (cert == NULL) {
        goto failed;
    }

    if (RAND_bytes(serial, sizeof(serial)) != 1) {
        goto failed;
    }

    serial[0] &= 0x7f;

    if (X509_set_version(cert, 2) != 1
        || ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert),
                                   ((uint64_t) serial[0] << 56)
                                   | ((uint64_t) serial[1] << 48)
                                   | ((uint64_t) serial[2] << 40)
                                   | ((uint64_t) serial[3] << 32)
                                   | ((uint64_t) serial[4] << 24)
                                   | ((uint64_t) serial[5] << 16)
                                   | ((uint64_t) serial[6] << 8)
                                   | serial[7]) != 1
        || X509_gmtime_adj(X509_getm_notBefore(cert), -86400) == NULL
        || X509_gmtime_adj(X509_getm_notAfter(cert), 30L * 86400) == NULL
        || X509_set_pubkey(cert, key) != 1)
    {
        goto failed;
    }

    name = X509_get_subject_name(cert);
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   (const unsigned char *) "ngx_meet", -1,
                                   -1, 0)
        != 1
        || X509_set_issuer_name(cert, name) != 1
        || X509_sign(cert, key, EVP_sha256()) == 0)
    {
        goto failed;
    }

digest:

    if (X509_digest(cert, EVP_sha256(), md, &len) != 1 || len != 32) {
        goto failed;
    }

    p = mcf->dtls_fingerprint;
    for (i = 0; i < len; i++) {
        if (i) {
            *p++ = ':';
        }
        *p++ = hex[md[i] >> 4];
        *p++ = hex[md[i] & 0xf];
    }

    mcf->dtls_fingerprint_len = p - mcf->dtls_fingerprint;
    mcf->dtls_key = key;
    mcf->dtls_cert = cert;

    cln = ngx_pool_cleanup_add(cycle->pool, 0);
    if (cln == NULL) {
        ngx_meet_core_dtls_identity_free(mcf);
        return NGX_ERROR;
    }

    cln->handler = ngx_meet_core_dtls_identity_free;
    cln->data = mcf;

    return NGX_OK;

failed:

    ngx_ssl_error(NGX_LOG_EMERG, cycle->log, 0,
                  "ngx_meet: cannot create the DTLS certificate");

    if (cert) {
        X509_free(cert);
    }

    if (key) {
        EVP_PKEY_free(key);
    }

    return NGX_ERROR;
}


/* meet_dtls_certificate / meet_dtls_certificate_key: PEM files */

static ngx_int_t
ngx_meet_core_dtls_identity_load(ngx_cycle_t *cycle, ngx_meet_core_conf_t *mcf,
    X509 **cert, EVP_PKEY **key)
{
    BIO  *bio;

    if (mcf->dtls_certificate_key.len == 0) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "meet_dtls_certificate needs meet_dtls_certificate_key");
        return NGX_ERROR;
    }

    if (ngx_conf_full_name(cycle, &mcf->dtls_certificate, 1) != NGX_OK
        || ngx_conf_full_name(cycle, &mcf->dtls_certificate_key, 1) != NGX_OK)
    {
        return NGX_ERROR;
    }

    bio = BIO_new_file((char *) mcf->dtls_certificate.data, "r");
    *cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);

    if (*cert == NULL) {
        ngx_ssl_error(NGX_LOG_EMERG, cycle->log, 0,
                      "meet_dtls_certificate: cannot read a PEM certificate "
                      "from \"%V\"", &mcf->dtls_certificate);
        return NGX_ERROR;
    }

    bio = BIO_new_file((char *) mcf->dtls_certificate_key.data, "r");
    *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);

    if (*key == NULL || X509_check_private_key(*cert, *key) != 1) {
        ngx_ssl_error(NGX_LOG_EMERG, cycle->log, 0,
                      "meet_dtls_certificate_key: \"%V\" is not the private "
                      "key of \"%V\"", &mcf->dtls_certificate_key,
                      &mcf->dtls_certificate);
        X509_free(*cert);
        EVP_PKEY_free(*key);
        *cert = NULL;
        *key = NULL;
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_meet_core_dtls_identity_free(void *data)
{
    ngx_meet_core_conf_t *mcf = data;

    if (mcf->dtls_cert) {
        X509_free(mcf->dtls_cert);
        mcf->dtls_cert = NULL;
    }

    if (mcf->dtls_key) {
        EVP_PKEY_free(mcf->dtls_key);
        mcf->dtls_key = NULL;
    }
}


ngx_str_t *
ngx_meet_dtls_fingerprint(ngx_cycle_t *cycle)
{
    ngx_meet_core_conf_t  *mcf;

    static ngx_str_t       fp;

    mcf = (ngx_meet_core_conf_t *) ngx_get_conf(cycle->conf_ctx,
                                                ngx_meet_core_module);
    if (mcf == NULL || mcf->dtls_fingerprint_len == 0) {
        return NULL;
    }

    fp.data = mcf->dtls_fingerprint;
    fp.len = mcf->dtls_fingerprint_len;

    return &fp;
}


ngx_int_t
ngx_meet_candidate_add(ngx_conf_t *cf, ngx_str_t *addr, in_port_t port,
    ngx_uint_t tcp)
{
    ngx_uint_t             i;
    ngx_meet_candidate_t  *c;
    ngx_meet_core_conf_t  *mcf;

    if (ngx_meet_core_check(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    mcf = (ngx_meet_core_conf_t *) ngx_get_conf(cf->cycle->conf_ctx,
                                                ngx_meet_core_module);

    /* listeners sharing a server (IPv4 and IPv6) give the same candidate */
    c = mcf->candidates.elts;
    for (i = 0; i < mcf->candidates.nelts; i++) {
        if (c[i].port == port && c[i].tcp == tcp
            && c[i].addr.len == addr->len
            && ngx_strncmp(c[i].addr.data, addr->data, addr->len) == 0)
        {
            return NGX_OK;
        }
    }

    c = ngx_array_push(&mcf->candidates);
    if (c == NULL) {
        return NGX_ERROR;
    }

    c->addr.data = ngx_pstrdup(cf->pool, addr);
    if (c->addr.data == NULL) {
        return NGX_ERROR;
    }

    c->addr.len = addr->len;
    c->port = port;
    c->tcp = tcp;

    return NGX_OK;
}


ngx_array_t *
ngx_meet_candidates(ngx_cycle_t *cycle)
{
    ngx_meet_core_conf_t  *mcf;

    mcf = (ngx_meet_core_conf_t *) ngx_get_conf(cycle->conf_ctx,
                                                ngx_meet_core_module);
    return mcf ? &mcf->candidates : NULL;
}


ngx_str_t *
ngx_meet_log_nesc(const u_char *data, size_t len)
{
    u_char      *p, c;
    size_t       i, n;
    ngx_str_t   *e;

    static ngx_uint_t  next;
    static ngx_str_t   out[NGX_MEET_LOG_ESC_SLOTS];
    static u_char      buf[NGX_MEET_LOG_ESC_SLOTS]
                          [4 * NGX_MEET_LOG_STR_MAX + 3];
    static u_char      hex[] = "0123456789abcdef";

    e = &out[next];
    p = buf[next];
    next = (next + 1) % NGX_MEET_LOG_ESC_SLOTS;

    e->data = p;
    n = ngx_min(len, NGX_MEET_LOG_STR_MAX);

    for (i = 0; i < n; i++) {
        c = data[i];

        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
            *p++ = '\\';
            *p++ = 'x';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 0xf];

        } else {
            *p++ = c;
        }
    }

    if (len > NGX_MEET_LOG_STR_MAX) {
        p = ngx_cpymem(p, "...", 3);
    }

    e->len = p - e->data;

    return e;
}


ngx_str_t *
ngx_meet_log_esc(ngx_str_t *s)
{
    return ngx_meet_log_nesc(s->data, s->len);
}


ngx_str_t *
ngx_meet_log_cesc(const void *s)
{
    return s ? ngx_meet_log_nesc(s, ngx_strlen(s))
             : ngx_meet_log_nesc(NULL, 0);
}


u_char *
ngx_meet_random_id(u_char *dst, const char *prefix, size_t n)
{
    u_char      buf[64];
    size_t      i, have;

    static const char  alphabet[] =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    while (*prefix) {
        *dst++ = *prefix++;
    }

    have = 0;
    i = 0;

    while (i < n) {
        if (have == 0) {
            if (RAND_bytes(buf, sizeof(buf)) != 1) {
                /* the CSPRNG cannot fail after seeding; be safe anyway */
                ngx_memzero(buf, sizeof(buf));
                buf[0] = (u_char) ngx_random();
            }
            have = sizeof(buf);
        }

        /* 248 = 4 * 62: keep the characters uniform */
        if (buf[--have] < 248) {
            dst[i++] = alphabet[buf[have] % 62];
        }
    }

    return dst + n;
}


ngx_int_t
ngx_meet_core_check(ngx_conf_t *cf)
{
    /*
     * With dynamic modules a module that uses the core cannot even be
     * loaded without it (undefined symbol); this catches a core module
     * that is compiled in but missing from the cycle.
     */

    if (ngx_get_conf(cf->cycle->conf_ctx, ngx_meet_core_module) == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "ngx_meet_core_module is not loaded; load "
                           "ngx_meet_core_module.so before the other "
                           "ngx_meet modules");
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_meet_health_register(ngx_conf_t *cf, const char *name,
    ngx_meet_health_pt handler, void *data)
{
    ngx_uint_t             i;
    ngx_meet_health_t     *h;
    ngx_meet_core_conf_t  *mcf;

    if (ngx_meet_core_check(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    mcf = (ngx_meet_core_conf_t *) ngx_get_conf(cf->cycle->conf_ctx,
                                                ngx_meet_core_module);

    h = mcf->health.elts;
    for (i = 0; i < mcf->health.nelts; i++) {
        if (ngx_strcmp(h[i].name.data, name) == 0) {
            /* one entry per component, the last registration wins */
            h[i].handler = handler;
            h[i].data = data;
            return NGX_OK;
        }
    }

    h = ngx_array_push(&mcf->health);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->name.len = ngx_strlen(name);
    h->name.data = (u_char *) name;
    h->handler = handler;
    h->data = data;

    return NGX_OK;
}


#if (NGX_MEET_TEST_HOOKS)

static char *
ngx_meet_core_test_heap(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    if (ngx_meet_health_register(cf, "heap", ngx_meet_core_heap_health, NULL)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * meet_test_heap: the answering worker's malloc heap in /healthz (glibc's
 * mallinfo2()): bytes in use, the arena's size, what is free in it and
 * what is mmap()ed.  The churn soak (t/soak/10-churn.t) reads it at quiet
 * points: what the worker keeps per join, without the noise of
 * fragmentation and trimming in the RSS.
 */

static ngx_meet_health_status_e
ngx_meet_core_heap_health(ngx_meet_health_t *h, json_t *out, ngx_log_t *log)
{
    struct mallinfo2  mi;

    mi = mallinfo2();

    json_object_set_new(out, "in_use", json_integer((json_int_t) mi.uordblks));
    json_object_set_new(out, "arena", json_integer((json_int_t) mi.arena));
    json_object_set_new(out, "free", json_integer((json_int_t) mi.fordblks));
    json_object_set_new(out, "mmap", json_integer((json_int_t) mi.hblkhd));

    return NGX_MEET_HEALTH_OK;
}

#endif


ngx_array_t *
ngx_meet_health_components(ngx_cycle_t *cycle)
{
    ngx_meet_core_conf_t  *mcf;

    mcf = (ngx_meet_core_conf_t *) ngx_get_conf(cycle->conf_ctx,
                                                ngx_meet_core_module);
    return mcf ? &mcf->health : NULL;
}


const char *
ngx_meet_health_status_name(ngx_meet_health_status_e status)
{
    switch (status) {
    case NGX_MEET_HEALTH_OK:
        return "ok";
    case NGX_MEET_HEALTH_DEGRADED:
        return "degraded";
    default:
        return "down";
    }
}


ngx_int_t
ngx_meet_json_string(ngx_pool_t *pool, json_t *o, const char *name,
    ngx_str_t *out)
{
    json_t  *v;

    v = json_object_get(o, name);
    if (!json_is_string(v)) {
        return NGX_ERROR;
    }

    out->len = json_string_length(v);
    out->data = ngx_pnalloc(pool, out->len + 1);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(out->data, json_string_value(v), out->len + 1);

    return NGX_OK;
}


ngx_int_t
ngx_meet_json_dump(ngx_pool_t *pool, json_t *value, ngx_str_t *out)
{
    char    *s;
    size_t   len;

    s = json_dumps(value, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (s == NULL) {
        return NGX_ERROR;
    }

    len = ngx_strlen(s);

    out->data = ngx_pnalloc(pool, len + 1);
    if (out->data == NULL) {
        free(s);
        return NGX_ERROR;
    }

    /* a trailing newline makes the output friendly to curl and logs */
    ngx_memcpy(out->data, s, len);
    out->data[len] = '\n';
    out->len = len + 1;

    free(s);

    return NGX_OK;
}


char *
ngx_meet_conf_parse_text(ngx_conf_t *cf, ngx_str_t *text, ngx_str_t *file,
    ngx_uint_t line)
{
    char             *rv;
    u_char           *p;
    ngx_buf_t         b;
    ngx_conf_file_t   conf_file, *saved;

    /*
     * ngx_conf_parse() reads a buffer without a file as "-g" parameters,
     * which may not contain blocks.  A conf_file with a valid-looking fd
     * and an empty file makes it parse the buffer as the inside of a
     * block instead; the block is closed by the "}" appended here, so
     * the file itself is never read.
     */

    p = ngx_pnalloc(cf->temp_pool, text->len + 2);
    if (p == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memcpy(p, text->data, text->len);
    p[text->len] = ' ';
    p[text->len + 1] = '}';

    ngx_memzero(&b, sizeof(ngx_buf_t));
    b.start = p;
    b.pos = p;
    b.last = p + text->len + 2;
    b.end = b.last;
    b.temporary = 1;

    ngx_memzero(&conf_file, sizeof(ngx_conf_file_t));
    conf_file.file.fd = (ngx_fd_t) -2;       /* never read, see above */
    conf_file.file.name.len = file->len;

    /* the location code keeps the file name as a C string pointer */
    conf_file.file.name.data = ngx_pnalloc(cf->pool, file->len + 1);
    if (conf_file.file.name.data == NULL) {
        return NGX_CONF_ERROR;
    }
    ngx_cpystrn(conf_file.file.name.data, file->data, file->len + 1);

    conf_file.buffer = &b;
    conf_file.line = line;

    saved = cf->conf_file;
    cf->conf_file = &conf_file;

    rv = ngx_conf_parse(cf, NULL);

    cf->conf_file = saved;

    return rv;
}


static ngx_int_t
ngx_meet_core_init_process(ngx_cycle_t *cycle)
{
    ngx_meet_core_conf_t  *mcf;

    mcf = (ngx_meet_core_conf_t *) ngx_get_conf(cycle->conf_ctx,
                                                ngx_meet_core_module);

    ngx_meet_media_init_process(mcf->media_memory);

    return NGX_OK;
}


void *
ngx_meet_dtls_certificate(ngx_cycle_t *cycle, void **key)
{
    ngx_meet_core_conf_t  *mcf;

    mcf = (ngx_meet_core_conf_t *) ngx_get_conf(cycle->conf_ctx,
                                                ngx_meet_core_module);
    if (mcf == NULL) {
        return NULL;
    }

    *key = mcf->dtls_key;

    return mcf->dtls_cert;
}


ngx_table_elt_t *
ngx_meet_header(ngx_list_t *headers, const char *name, size_t len)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    part = &headers->part;
    h = part->elts;

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                return NULL;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len == len
            && ngx_strncasecmp(h[i].key.data, (u_char *) name, len) == 0)
        {
            return &h[i];
        }
    }
}


/* logout -> meeting connections (one worker holds the rooms) */

static ngx_meet_logout_pt  ngx_meet_logout_handler;


void
ngx_meet_logout_handler_set(ngx_meet_logout_pt handler)
{
    ngx_meet_logout_handler = handler;
}


ngx_uint_t
ngx_meet_logout_disconnect(ngx_str_t *session_key)
{
    if (ngx_meet_logout_handler == NULL) {
        return 0;
    }

    return ngx_meet_logout_handler(session_key);
}
