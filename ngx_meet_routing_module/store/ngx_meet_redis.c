
/*
 * Copyright (C) ngx_meet authors
 *
 * The Redis client of ngx_meet_redis.h: hiredis's asynchronous API with
 * its socket in an nginx connection and its event hooks on nginx events.
 *
 * Who frees what: hiredis owns the redisAsyncContext and the socket; it
 * frees both on an I/O error, on EOF, or when we call redisAsyncFree().
 * Its "cleanup" hook is where the nginx connection wrapping the socket is
 * given back (without closing the socket, hiredis does that).  Every
 * command we hand to hiredis has a reply callback, which hiredis runs
 * exactly once: with the reply, or with NULL when the context goes away.
 * A context we decided to drop is "detached" (rd->ac no longer points at
 * it) before redisAsyncFree(), so callbacks coming from it know that the
 * failure was already handled.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ctype.h>
#include <hiredis/async.h>
#include "ngx_meet_core.h"
#include "ngx_meet_redis.h"


#define NGX_MEET_REDIS_BACKOFF_MIN   100       /* ms */
#define NGX_MEET_REDIS_BACKOFF_MAX   3000
#define NGX_MEET_REDIS_ERR_LEN       256


typedef enum {
    NGX_MEET_REDIS_IDLE = 0,           /* no context, reconnect timer set */
    NGX_MEET_REDIS_CONNECTING,         /* TCP connect, AUTH, SELECT, PING */
    NGX_MEET_REDIS_READY,
    NGX_MEET_REDIS_EXITING
} ngx_meet_redis_state_e;


struct ngx_meet_redis_s {
    ngx_meet_redis_conf_t     *conf;
    ngx_log_t                 *log;

    redisAsyncContext         *ac;           /* attached context, or NULL */
    ngx_connection_t          *conn;         /* its socket; NULL once
                                                hiredis cleaned it up */
    ngx_meet_redis_state_e     state;
    unsigned                   down:1;       /* known down: fail at once */

    ngx_queue_t                waiting;      /* commands not sent yet */

    const char                *steps[3];     /* handshake commands */
    ngx_uint_t                 nsteps;
    ngx_uint_t                 step;         /* replies received */

    ngx_event_t                connect_timer;
    ngx_event_t                reconnect_timer;
    ngx_msec_t                 backoff;
    ngx_uint_t                 connects;     /* successful, for /healthz */
    ngx_uint_t                 failures;     /* attempts failed in a row */

    ngx_str_t                  err;          /* last failure */
    u_char                     err_buf[NGX_MEET_REDIS_ERR_LEN];
};


typedef struct {
    ngx_queue_t                queue;        /* in rd->waiting */
    ngx_meet_redis_t          *rd;
    ngx_meet_redis_handler_pt  handler;      /* NULL once completed */
    void                      *data;
    ngx_event_t                timer;
    char                      *buf;          /* the RESP command */
    size_t                     len;
    u_char                     name[16];     /* command name, for logs */
    unsigned                   sent:1;
} ngx_meet_redis_cmd_t;


static void ngx_meet_redis_timer_init(ngx_event_t *ev,
    ngx_event_handler_pt handler, void *data, ngx_log_t *log,
    ngx_uint_t cancelable);
static void ngx_meet_redis_connect(ngx_meet_redis_t *rd);
static void ngx_meet_redis_connect_handler(const redisAsyncContext *ac,
    int status);
static void ngx_meet_redis_handshake_reply(redisAsyncContext *ac, void *r,
    void *privdata);
static void ngx_meet_redis_ready(ngx_meet_redis_t *rd);
static void ngx_meet_redis_lost(ngx_meet_redis_t *rd,
    const redisAsyncContext *ac);
static void ngx_meet_redis_drop(ngx_meet_redis_t *rd);
static void ngx_meet_redis_failed(ngx_meet_redis_t *rd, ngx_uint_t down);
static void ngx_meet_redis_set_error(ngx_meet_redis_t *rd, const char *fmt,
    ...);
static void ngx_meet_redis_fail_waiting(ngx_meet_redis_t *rd);
static void ngx_meet_redis_connect_timeout(ngx_event_t *ev);
static void ngx_meet_redis_reconnect(ngx_event_t *ev);

static void ngx_meet_redis_send(ngx_meet_redis_t *rd,
    ngx_meet_redis_cmd_t *cmd);
static void ngx_meet_redis_reply(redisAsyncContext *ac, void *r,
    void *privdata);
static void ngx_meet_redis_finish(ngx_meet_redis_cmd_t *cmd, ngx_int_t rc,
    redisReply *reply, ngx_str_t *err);
static void ngx_meet_redis_cmd_free(ngx_meet_redis_cmd_t *cmd);
static void ngx_meet_redis_cmd_timeout(ngx_event_t *ev);
static void ngx_meet_redis_fail_now(ngx_meet_redis_handler_pt handler,
    void *data, const char *reason);

static void ngx_meet_redis_read_handler(ngx_event_t *ev);
static void ngx_meet_redis_write_handler(ngx_event_t *ev);
static void ngx_meet_redis_add_read(void *privdata);
static void ngx_meet_redis_del_read(void *privdata);
static void ngx_meet_redis_add_write(void *privdata);
static void ngx_meet_redis_del_write(void *privdata);
static void ngx_meet_redis_event(ngx_event_t *ev, ngx_int_t event,
    ngx_uint_t add);
static void ngx_meet_redis_cleanup(void *privdata);

static ngx_int_t ngx_meet_redis_unescape(ngx_conf_t *cf, ngx_str_t *s);


/* ---- configuration ----------------------------------------------------- */


ngx_int_t
ngx_meet_redis_parse_url(ngx_conf_t *cf, ngx_str_t *url,
    ngx_meet_redis_conf_t *rc, const char **err)
{
    u_char     *p, *last, *at, *slash, *colon, *buf;
    size_t      len;
    ngx_int_t   db;
    ngx_url_t   u;

    rc->url = *url;

    p = url->data;
    last = url->data + url->len;

    if (url->len >= 9 && ngx_strncasecmp(p, (u_char *) "rediss://", 9) == 0)
    {
        *err = "TLS (rediss://) is not supported; reach Redis over a "
               "trusted network or a local TLS tunnel";
        return NGX_ERROR;
    }

    if (url->len < 8 || ngx_strncasecmp(p, (u_char *) "redis://", 8) != 0) {
        *err = "the URL must look like "
               "redis://[:password@]host:port[/db]";
        return NGX_ERROR;
    }

    p += 8;

    if (ngx_strlchr(p, last, '?') || ngx_strlchr(p, last, '#')) {
        *err = "query strings and fragments are not supported in the URL";
        return NGX_ERROR;
    }

    /* userinfo: the last "@" (a password may contain escaped ones) */

    at = NULL;
    for (colon = p; colon < last; colon++) {
        if (*colon == '@') {
            at = colon;
        }
    }

    ngx_str_null(&rc->user);
    ngx_str_null(&rc->password);

    if (at) {
        colon = ngx_strlchr(p, at, ':');
        if (colon == NULL) {
            *err = "the password goes after a colon: "
                   "redis://:password@host:port";
            return NGX_ERROR;
        }

        rc->user.data = p;
        rc->user.len = colon - p;
        rc->password.data = colon + 1;
        rc->password.len = at - colon - 1;

        if (rc->password.len == 0) {
            *err = "the password in the URL is empty";
            return NGX_ERROR;
        }

        if (ngx_meet_redis_unescape(cf, &rc->user) != NGX_OK
            || ngx_meet_redis_unescape(cf, &rc->password) != NGX_OK)
        {
            *err = "bad percent-escape in the user or password";
            return NGX_ERROR;
        }

        p = at + 1;
    }

    /* /db */

    rc->db = 0;

    slash = ngx_strlchr(p, last, '/');
    if (slash) {
        if (last - slash > 1) {
            db = ngx_atoi(slash + 1, last - slash - 1);
            if (db == NGX_ERROR || db > 65535) {
                *err = "the database after \"/\" must be a number "
                       "from 0 to 65535";
                return NGX_ERROR;
            }

            rc->db = db;
        }

        last = slash;
    }

    if (p == last) {
        *err = "the URL has no host";
        return NGX_ERROR;
    }

    rc->host.data = p;
    rc->host.len = last - p;

    ngx_memzero(&u, sizeof(ngx_url_t));
    u.url = rc->host;
    u.default_port = NGX_MEET_REDIS_DEFAULT_PORT;

    /* resolved now, at configuration time: no DNS in a worker */

    if (ngx_parse_url(cf->pool, &u) != NGX_OK) {
        *err = u.err ? u.err : "invalid host or port";
        return NGX_ERROR;
    }

    if (u.naddrs == 0 || u.family == AF_UNIX) {
        *err = "the host must be an IP address or a resolvable name";
        return NGX_ERROR;
    }

    rc->host = u.host;
    rc->port = u.port;

    buf = ngx_pnalloc(cf->pool, NGX_SOCKADDR_STRLEN + 1);
    if (buf == NULL) {
        *err = "out of memory";
        return NGX_ERROR;
    }

    len = ngx_sock_ntop(u.addrs[0].sockaddr, u.addrs[0].socklen, buf,
                        NGX_SOCKADDR_STRLEN, 0);

    /* "[::1]" -> "::1" for hiredis */
    if (len > 2 && buf[0] == '[') {
        ngx_memmove(buf, buf + 1, len - 2);
        len -= 2;
    }

    buf[len] = '\0';
    rc->addr.data = buf;
    rc->addr.len = len;

    len = rc->host.len + sizeof(":65535/65535");
    rc->name.data = ngx_pnalloc(cf->pool, len);
    if (rc->name.data == NULL) {
        *err = "out of memory";
        return NGX_ERROR;
    }

    rc->name.len = ngx_sprintf(rc->name.data, "%V:%d/%ui", &rc->host,
                               (int) rc->port, rc->db)
                   - rc->name.data;

    return NGX_OK;
}


static ngx_int_t
ngx_meet_redis_unescape(ngx_conf_t *cf, ngx_str_t *s)
{
    u_char  *src, *dst, *p;

    if (s->len == 0) {
        return NGX_OK;
    }

    /* "%zz" or a lone "%" would be copied as they are: refuse them */

    for (p = s->data; p < s->data + s->len; p++) {
        if (*p == '%'
            && (s->data + s->len - p < 3
                || !isxdigit(p[1]) || !isxdigit(p[2])))
        {
            return NGX_ERROR;
        }
    }

    dst = ngx_pnalloc(cf->pool, s->len);
    if (dst == NULL) {
        return NGX_ERROR;
    }

    src = s->data;
    p = dst;
    ngx_unescape_uri(&p, &src, s->len, 0);

    s->data = dst;
    s->len = p - dst;

    return NGX_OK;
}


/* ---- the client -------------------------------------------------------- */


ngx_meet_redis_t *
ngx_meet_redis_create(ngx_cycle_t *cycle, ngx_meet_redis_conf_t *conf)
{
    ngx_meet_redis_t  *rd;

    rd = ngx_pcalloc(cycle->pool, sizeof(ngx_meet_redis_t));
    if (rd == NULL) {
        return NULL;
    }

    rd->conf = conf;
    rd->log = cycle->log;
    rd->backoff = NGX_MEET_REDIS_BACKOFF_MIN;
    rd->err.data = rd->err_buf;

    ngx_queue_init(&rd->waiting);

    /* these two never hold a graceful shutdown */
    ngx_meet_redis_timer_init(&rd->connect_timer,
                              ngx_meet_redis_connect_timeout, rd, rd->log, 1);
    ngx_meet_redis_timer_init(&rd->reconnect_timer, ngx_meet_redis_reconnect,
                              rd, rd->log, 1);

    ngx_meet_redis_connect(rd);

    return rd;
}


static void
ngx_meet_redis_timer_init(ngx_event_t *ev, ngx_event_handler_pt handler,
    void *data, ngx_log_t *log, ngx_uint_t cancelable)
{
    ev->handler = handler;
    ev->data = data;
    ev->log = log;
    ev->cancelable = cancelable;
}


void
ngx_meet_redis_destroy(ngx_meet_redis_t *rd)
{
    redisAsyncContext  *ac;

    if (rd == NULL || rd->state == NGX_MEET_REDIS_EXITING) {
        return;
    }

    rd->state = NGX_MEET_REDIS_EXITING;
    rd->down = 1;
    ngx_meet_redis_set_error(rd, "nginx worker is exiting");

    if (rd->connect_timer.timer_set) {
        ngx_del_timer(&rd->connect_timer);
    }

    if (rd->reconnect_timer.timer_set) {
        ngx_del_timer(&rd->reconnect_timer);
    }

    ngx_meet_redis_fail_waiting(rd);

    ac = rd->ac;

    if (ac) {
        /* the commands in flight get their reply callback with NULL */
        rd->ac = NULL;
        redisAsyncFree(ac);
    }

    ngx_log_debug1(NGX_LOG_DEBUG_EVENT, rd->log, 0,
                   "meet redis %V: closed", &rd->conf->name);
}


static void
ngx_meet_redis_connect(ngx_meet_redis_t *rd)
{
    char                *p;
    size_t               lens[3];
    ngx_uint_t           i;
    const char          *args[3];
    ngx_connection_t    *c;
    redisAsyncContext   *ac;
    u_char               db[NGX_INT_T_LEN];

    rd->state = NGX_MEET_REDIS_CONNECTING;
    rd->step = 0;

    ngx_log_debug1(NGX_LOG_DEBUG_EVENT, rd->log, 0,
                   "meet redis %V: connecting", &rd->conf->name);

    /* non-blocking connect(); the address is an IP, so no DNS */

    ac = redisAsyncConnect((char *) rd->conf->addr.data, rd->conf->port);

    if (ac == NULL) {
        ngx_meet_redis_set_error(rd, "cannot allocate a hiredis context");
        ngx_meet_redis_failed(rd, 1);
        return;
    }

    if (ac->err) {
        /* refused at once: "connect: Connection refused" */
        p = ac->errstr;
        if (ngx_strncmp(p, "connect: ", 9) == 0) {
            p += 9;
        }

        ngx_meet_redis_set_error(rd, "%s", p);
        redisAsyncFree(ac);
        ngx_meet_redis_failed(rd, 1);
        return;
    }

    c = ngx_get_connection(ac->c.fd, rd->log);
    if (c == NULL) {
        ngx_meet_redis_set_error(rd, "no free nginx connection "
                                 "(worker_connections)");
        redisAsyncFree(ac);
        ngx_meet_redis_failed(rd, 1);
        return;
    }

    c->data = ac;
    c->log = rd->log;
    c->read->log = rd->log;
    c->write->log = rd->log;
    c->read->handler = ngx_meet_redis_read_handler;
    c->write->handler = ngx_meet_redis_write_handler;

    ac->data = rd;
    ac->ev.data = c;
    ac->ev.addRead = ngx_meet_redis_add_read;
    ac->ev.delRead = ngx_meet_redis_del_read;
    ac->ev.addWrite = ngx_meet_redis_add_write;
    ac->ev.delWrite = ngx_meet_redis_del_write;
    ac->ev.cleanup = ngx_meet_redis_cleanup;

    redisAsyncSetConnectCallback(ac, ngx_meet_redis_connect_handler);

    rd->ac = ac;
    rd->conn = c;

    /* AUTH and SELECT before anything else, PING to see an answer */

    rd->nsteps = 0;

    if (rd->conf->password.len) {
        i = 0;
        args[i] = "AUTH";
        lens[i++] = 4;

        if (rd->conf->user.len) {
            args[i] = (char *) rd->conf->user.data;
            lens[i++] = rd->conf->user.len;
        }

        args[i] = (char *) rd->conf->password.data;
        lens[i++] = rd->conf->password.len;

        rd->steps[rd->nsteps++] = "AUTH";

        if (redisAsyncCommandArgv(ac, ngx_meet_redis_handshake_reply, rd,
                                  i, args, lens)
            != REDIS_OK)
        {
            goto failed;
        }
    }

    if (rd->conf->db) {
        args[0] = "SELECT";
        lens[0] = 6;
        args[1] = (char *) db;
        lens[1] = ngx_sprintf(db, "%ui", rd->conf->db) - db;

        rd->steps[rd->nsteps++] = "SELECT";

        if (redisAsyncCommandArgv(ac, ngx_meet_redis_handshake_reply, rd,
                                  2, args, lens)
            != REDIS_OK)
        {
            goto failed;
        }
    }

    args[0] = "PING";
    lens[0] = 4;

    rd->steps[rd->nsteps++] = "PING";

    if (redisAsyncCommandArgv(ac, ngx_meet_redis_handshake_reply, rd,
                              1, args, lens)
        != REDIS_OK)
    {
        goto failed;
    }

    ngx_add_timer(&rd->connect_timer, rd->conf->connect_timeout);

    return;

failed:

    ngx_meet_redis_set_error(rd, "cannot queue the handshake commands");
    ngx_meet_redis_drop(rd);
}


static void
ngx_meet_redis_connect_handler(const redisAsyncContext *ac, int status)
{
    ngx_meet_redis_t  *rd = ac->data;

    if (status != REDIS_OK) {
        /* hiredis frees the context right after this callback */
        ngx_meet_redis_lost(rd, ac);
        return;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_EVENT, rd->log, 0,
                   "meet redis %V: TCP connected", &rd->conf->name);
}


static void
ngx_meet_redis_handshake_reply(redisAsyncContext *ac, void *r,
    void *privdata)
{
    ngx_meet_redis_t  *rd = privdata;
    redisReply        *reply = r;

    const char        *step;

    if (rd->ac != ac) {
        return;                        /* a context we dropped */
    }

    if (reply == NULL) {
        ngx_meet_redis_lost(rd, ac);
        return;
    }

    step = rd->steps[rd->step++];

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_meet_redis_set_error(rd, "%s failed: %*s", step,
                                 (int) ngx_min(reply->len, 200), reply->str);
        ngx_meet_redis_drop(rd);       /* freed when this callback returns */
        return;
    }

    if (rd->step == rd->nsteps) {
        ngx_meet_redis_ready(rd);
    }
}


static void
ngx_meet_redis_ready(ngx_meet_redis_t *rd)
{
    ngx_queue_t           *q;
    ngx_meet_redis_cmd_t  *cmd;

    if (rd->connect_timer.timer_set) {
        ngx_del_timer(&rd->connect_timer);
    }

    ngx_log_error(NGX_LOG_NOTICE, rd->log, 0,
                  "meet redis %V: connected%s", &rd->conf->name,
                  rd->failures ? " again" : "");

    rd->state = NGX_MEET_REDIS_READY;
    rd->down = 0;
    rd->backoff = NGX_MEET_REDIS_BACKOFF_MIN;
    rd->failures = 0;
    rd->connects++;
    rd->err.len = 0;

    /* the commands queued while connecting, in order */

    while (!ngx_queue_empty(&rd->waiting)
           && rd->state == NGX_MEET_REDIS_READY)
    {
        q = ngx_queue_head(&rd->waiting);
        ngx_queue_remove(q);
        cmd = ngx_queue_data(q, ngx_meet_redis_cmd_t, queue);
        ngx_meet_redis_send(rd, cmd);
    }
}


/* hiredis is tearing an attached context down: I/O error, EOF, refusal */

static void
ngx_meet_redis_lost(ngx_meet_redis_t *rd, const redisAsyncContext *ac)
{
    ngx_uint_t  ready;

    if (rd->ac != ac) {
        return;                        /* already handled */
    }

    rd->ac = NULL;
    ready = (rd->state == NGX_MEET_REDIS_READY);

    /*
     * the context's own error: hiredis copies it into ac->err only after
     * the connect callback ran
     */

    if (ac->c.err && ac->c.errstr[0]) {
        ngx_meet_redis_set_error(rd, "%s", ac->c.errstr);

    } else if (ac->err && ac->errstr[0]) {
        ngx_meet_redis_set_error(rd, "%s", ac->errstr);

    } else {
        ngx_meet_redis_set_error(rd, "the server closed the connection");
    }

    /* a working connection lost: try again at once, keep the queue */
    ngx_meet_redis_failed(rd, !ready);
}


/* we give up on the attached context (timeout, refused handshake) */

static void
ngx_meet_redis_drop(ngx_meet_redis_t *rd)
{
    redisAsyncContext  *ac;

    ac = rd->ac;
    rd->ac = NULL;

    ngx_meet_redis_failed(rd, 1);

    if (ac) {
        /* inside a hiredis callback this is deferred until it returns */
        redisAsyncFree(ac);
    }
}


/*
 * The context is detached and rd->err says why.  down: the server is
 * known to be down (commands fail at once until a connection works).
 */

static void
ngx_meet_redis_failed(ngx_meet_redis_t *rd, ngx_uint_t down)
{
    ngx_uint_t  level;
    ngx_msec_t  delay;

    if (rd->connect_timer.timer_set) {
        ngx_del_timer(&rd->connect_timer);
    }

    if (rd->state == NGX_MEET_REDIS_EXITING) {
        return;
    }

    if (rd->state == NGX_MEET_REDIS_READY) {
        ngx_log_error(NGX_LOG_ERR, rd->log, 0,
                      "meet redis %V: connection lost: %V; %s",
                      &rd->conf->name, &rd->err,
                      down ? "reconnecting" : "reconnecting at once");
    }

    rd->state = NGX_MEET_REDIS_IDLE;

    if (!down) {
        delay = 0;

    } else {
        delay = rd->backoff;
        rd->backoff = ngx_min(2 * rd->backoff, NGX_MEET_REDIS_BACKOFF_MAX);

        /* every failure in a row is logged, repeats at a lower level */

        level = rd->failures ? NGX_LOG_INFO : NGX_LOG_ERR;

        ngx_log_error(level, rd->log, 0,
                      "meet redis %V: unavailable: %V; retrying in %M ms",
                      &rd->conf->name, &rd->err, delay);

        rd->failures++;
        rd->down = 1;
        ngx_meet_redis_fail_waiting(rd);
    }

    if (rd->state == NGX_MEET_REDIS_IDLE && !rd->reconnect_timer.timer_set) {
        ngx_add_timer(&rd->reconnect_timer, delay);
    }
}


static void
ngx_meet_redis_set_error(ngx_meet_redis_t *rd, const char *fmt, ...)
{
    u_char   *p;
    va_list   args;

    va_start(args, fmt);
    p = ngx_vslprintf(rd->err_buf, rd->err_buf + NGX_MEET_REDIS_ERR_LEN,
                      fmt, args);
    va_end(args);

    rd->err.data = rd->err_buf;
    rd->err.len = p - rd->err_buf;

    /* hiredis's strerror() texts: "Connection refused" -> "connection ..." */

    if (rd->err.len > 1 && rd->err_buf[0] >= 'A' && rd->err_buf[0] <= 'Z'
        && rd->err_buf[1] >= 'a' && rd->err_buf[1] <= 'z')
    {
        rd->err_buf[0] = ngx_tolower(rd->err_buf[0]);
    }
}


static void
ngx_meet_redis_fail_waiting(ngx_meet_redis_t *rd)
{
    ngx_queue_t           *q;
    ngx_meet_redis_cmd_t  *cmd;

    while (!ngx_queue_empty(&rd->waiting)) {
        q = ngx_queue_head(&rd->waiting);
        ngx_queue_remove(q);
        cmd = ngx_queue_data(q, ngx_meet_redis_cmd_t, queue);

        ngx_meet_redis_finish(cmd, NGX_ERROR, NULL, &rd->err);
        ngx_meet_redis_cmd_free(cmd);
    }
}


static void
ngx_meet_redis_connect_timeout(ngx_event_t *ev)
{
    ngx_meet_redis_t  *rd = ev->data;

    if (rd->ac == NULL) {
        return;
    }

    if (rd->ac->c.flags & REDIS_CONNECTED) {
        ngx_meet_redis_set_error(rd, "no answer to %s within %M ms",
                                 rd->steps[rd->step],
                                 rd->conf->connect_timeout);

    } else {
        ngx_meet_redis_set_error(rd, "connect timed out after %M ms",
                                 rd->conf->connect_timeout);
    }

    ngx_meet_redis_drop(rd);
}


static void
ngx_meet_redis_reconnect(ngx_event_t *ev)
{
    ngx_meet_redis_t  *rd = ev->data;

    if (rd->state == NGX_MEET_REDIS_IDLE) {
        ngx_meet_redis_connect(rd);
    }
}


/* ---- commands ---------------------------------------------------------- */


ngx_int_t
ngx_meet_redis_command(ngx_meet_redis_t *rd,
    ngx_meet_redis_handler_pt handler, void *data, ngx_uint_t argc,
    ngx_str_t *argv)
{
    u_char                *p;
    size_t                 len;
    ngx_str_t              err;
    ngx_uint_t             i;
    ngx_meet_redis_cmd_t  *cmd;

    if (rd == NULL) {
        ngx_meet_redis_fail_now(handler, data,
                                "redis is not running in this process");
        return NGX_OK;
    }

    if (rd->down) {
        /* known down: the reason of the last failure, at once */
        err = rd->err;
        handler(data, NGX_ERROR, NULL, &err);
        return NGX_OK;
    }

    len = sizeof("*\r\n") + NGX_INT_T_LEN;
    for (i = 0; i < argc; i++) {
        len += sizeof("$\r\n\r\n") + NGX_SIZE_T_LEN + argv[i].len;
    }

    cmd = ngx_alloc(sizeof(ngx_meet_redis_cmd_t) + len, rd->log);
    if (cmd == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(cmd, sizeof(ngx_meet_redis_cmd_t));

    cmd->rd = rd;
    cmd->handler = handler;
    cmd->data = data;
    cmd->buf = (char *) (cmd + 1);

    p = (u_char *) cmd->buf;
    p = ngx_sprintf(p, "*%ui\r\n", argc);

    for (i = 0; i < argc; i++) {
        p = ngx_sprintf(p, "$%uz\r\n", argv[i].len);
        p = ngx_cpymem(p, argv[i].data, argv[i].len);
        *p++ = '\r';
        *p++ = '\n';
    }

    cmd->len = p - (u_char *) cmd->buf;

    if (argc) {
        len = ngx_min(argv[0].len, sizeof(cmd->name) - 1);
        ngx_memcpy(cmd->name, argv[0].data, len);
    }

    /* a command holds a graceful shutdown until it is answered */

    ngx_meet_redis_timer_init(&cmd->timer, ngx_meet_redis_cmd_timeout, cmd,
                              rd->log, 0);
    ngx_add_timer(&cmd->timer, rd->conf->timeout);

    if (rd->state == NGX_MEET_REDIS_READY) {
        ngx_meet_redis_send(rd, cmd);

    } else {
        ngx_queue_insert_tail(&rd->waiting, &cmd->queue);
    }

    return NGX_OK;
}


static void
ngx_meet_redis_fail_now(ngx_meet_redis_handler_pt handler, void *data,
    const char *reason)
{
    ngx_str_t  err;

    err.data = (u_char *) reason;
    err.len = ngx_strlen(reason);

    handler(data, NGX_ERROR, NULL, &err);
}


static void
ngx_meet_redis_send(ngx_meet_redis_t *rd, ngx_meet_redis_cmd_t *cmd)
{
    ngx_str_t  err;

    if (rd->ac == NULL
        || redisAsyncFormattedCommand(rd->ac, ngx_meet_redis_reply, cmd,
                                      cmd->buf, cmd->len)
           != REDIS_OK)
    {
        ngx_str_set(&err, "the connection is closing");
        ngx_meet_redis_finish(cmd, NGX_ERROR, NULL, &err);
        ngx_meet_redis_cmd_free(cmd);
        return;
    }

    cmd->sent = 1;
}


static void
ngx_meet_redis_reply(redisAsyncContext *ac, void *r, void *privdata)
{
    ngx_meet_redis_cmd_t *cmd = privdata;
    redisReply           *reply = r;

    ngx_str_t          err;
    ngx_meet_redis_t  *rd;

    rd = cmd->rd;

    if (reply == NULL) {
        /* the context goes away; rd->err says why */
        ngx_meet_redis_lost(rd, ac);
        ngx_meet_redis_finish(cmd, NGX_ERROR, NULL, &rd->err);

    } else if (reply->type == REDIS_REPLY_ERROR) {
        err.data = (u_char *) reply->str;
        err.len = reply->len;

        ngx_log_error(NGX_LOG_ERR, rd->log, 0,
                      "meet redis %V: %s: %V", &rd->conf->name, cmd->name,
                      ngx_meet_log_esc(&err));

        ngx_meet_redis_finish(cmd, NGX_ERROR, reply, &err);

    } else {
        ngx_meet_redis_finish(cmd, NGX_OK, reply, NULL);
    }

    ngx_meet_redis_cmd_free(cmd);
}


static void
ngx_meet_redis_finish(ngx_meet_redis_cmd_t *cmd, ngx_int_t rc,
    redisReply *reply, ngx_str_t *err)
{
    ngx_str_t                  e;
    ngx_meet_redis_handler_pt  handler;

    handler = cmd->handler;
    if (handler == NULL) {
        return;
    }

    cmd->handler = NULL;

    if (err == NULL) {
        handler(cmd->data, rc, reply, NULL);
        return;
    }

    /* a copy: the handler may start commands that change rd->err */
    e = *err;

    if (err != &cmd->rd->err) {
        ngx_meet_redis_set_error(cmd->rd, "%V", err);
    }

    handler(cmd->data, rc, reply, &e);
}


static void
ngx_meet_redis_cmd_free(ngx_meet_redis_cmd_t *cmd)
{
    if (cmd->timer.timer_set) {
        ngx_del_timer(&cmd->timer);
    }

    ngx_free(cmd);
}


static void
ngx_meet_redis_cmd_timeout(ngx_event_t *ev)
{
    ngx_meet_redis_cmd_t *cmd = ev->data;

    ngx_meet_redis_t  *rd;

    rd = cmd->rd;

    if (!cmd->sent) {
        ngx_queue_remove(&cmd->queue);

        ngx_log_error(NGX_LOG_ERR, rd->log, 0,
                      "meet redis %V: %s: not connected within %M ms",
                      &rd->conf->name, cmd->name, rd->conf->timeout);

        ngx_meet_redis_set_error(rd, "not connected within %M ms",
                                 rd->conf->timeout);
        ngx_meet_redis_finish(cmd, NGX_ERROR, NULL, &rd->err);
        ngx_meet_redis_cmd_free(cmd);
        return;
    }

    /*
     * A stuck server: replies come in order, so the connection is of no
     * use any more.  Dropping it fails this command and the ones after
     * it (their reply callbacks run with NULL).
     */

    ngx_log_error(NGX_LOG_ERR, rd->log, 0,
                  "meet redis %V: %s timed out after %M ms; dropping the "
                  "connection", &rd->conf->name, cmd->name,
                  rd->conf->timeout);

    ngx_meet_redis_set_error(rd, "%s timed out after %M ms", cmd->name,
                             rd->conf->timeout);

    if (rd->state == NGX_MEET_REDIS_READY) {
        /* log the loss once, with this reason */
        rd->state = NGX_MEET_REDIS_CONNECTING;
    }

    ngx_meet_redis_drop(rd);
}


ngx_uint_t
ngx_meet_redis_up(ngx_meet_redis_t *rd)
{
    return rd && rd->state == NGX_MEET_REDIS_READY;
}


ngx_str_t *
ngx_meet_redis_last_error(ngx_meet_redis_t *rd)
{
    static ngx_str_t  none = ngx_string("redis is not running in this "
                                        "process");

    return rd ? &rd->err : &none;
}


ngx_meet_health_status_e
ngx_meet_redis_health(ngx_meet_health_t *h, json_t *out, ngx_log_t *log)
{
    ngx_meet_redis_t  **rdp = h->data;

    ngx_meet_redis_t  *rd;

    rd = rdp ? *rdp : NULL;

    if (rd == NULL) {
        json_object_set_new(out, "reason",
                            json_string("not running in this process"));
        return NGX_MEET_HEALTH_DOWN;
    }

    json_object_set_new(out, "address",
                        json_stringn((char *) rd->conf->name.data,
                                     rd->conf->name.len));
    json_object_set_new(out, "connects", json_integer(rd->connects));

    if (rd->state == NGX_MEET_REDIS_READY) {
        return NGX_MEET_HEALTH_OK;
    }

    if (rd->err.len) {
        json_object_set_new(out, "reason",
                            json_stringn((char *) rd->err.data,
                                         rd->err.len));

    } else {
        json_object_set_new(out, "reason", json_string("connecting"));
    }

    return NGX_MEET_HEALTH_DOWN;
}


/* ---- hiredis on nginx events ------------------------------------------- */


static void
ngx_meet_redis_read_handler(ngx_event_t *ev)
{
    int                  n;
    ngx_connection_t    *c;
    ngx_meet_redis_t    *rd;
    redisAsyncContext   *ac;

    c = ev->data;
    ac = c->data;
    rd = ac->data;

    /*
     * hiredis reads at most 16 KB per call; with edge-triggered events
     * read until the socket is empty.  rd->conn is cleared when hiredis
     * frees the context (EOF, error) inside one of these calls.
     */

    for ( ;; ) {
        redisAsyncHandleRead(ac);

        if (rd->conn != c) {
            return;
        }

        if (ioctl(c->fd, FIONREAD, &n) == -1 || n <= 0) {
            break;
        }
    }

#if (NGX_HAVE_EPOLLRDHUP)
    /* the peer closed after its last bytes: let hiredis see the EOF */
    if (ev->pending_eof) {
        redisAsyncHandleRead(ac);
    }
#endif
}


static void
ngx_meet_redis_write_handler(ngx_event_t *ev)
{
    ngx_connection_t  *c;

    c = ev->data;

    redisAsyncHandleWrite(c->data);
}


static void
ngx_meet_redis_add_read(void *privdata)
{
    ngx_connection_t  *c = privdata;

    ngx_meet_redis_event(c->read, NGX_READ_EVENT, 1);
}


static void
ngx_meet_redis_del_read(void *privdata)
{
    ngx_connection_t  *c = privdata;

    ngx_meet_redis_event(c->read, NGX_READ_EVENT, 0);
}


static void
ngx_meet_redis_add_write(void *privdata)
{
    ngx_connection_t  *c = privdata;

    ngx_meet_redis_event(c->write, NGX_WRITE_EVENT, 1);
}


static void
ngx_meet_redis_del_write(void *privdata)
{
    ngx_connection_t  *c = privdata;

    ngx_meet_redis_event(c->write, NGX_WRITE_EVENT, 0);
}


static void
ngx_meet_redis_event(ngx_event_t *ev, ngx_int_t event, ngx_uint_t add)
{
    ngx_int_t  rc;

    if (add) {
        if (ev->active) {
            return;
        }

        rc = ngx_add_event(ev, event,
                           (ngx_event_flags & NGX_USE_CLEAR_EVENT)
                           ? NGX_CLEAR_EVENT : NGX_LEVEL_EVENT);

    } else {
        if (!ev->active) {
            return;
        }

        rc = ngx_del_event(ev, event, 0);
    }

    if (rc != NGX_OK) {
        ngx_log_error(NGX_LOG_ALERT, ev->log, 0,
                      "meet redis: cannot %s a %s event",
                      add ? "add" : "delete",
                      event == NGX_READ_EVENT ? "read" : "write");
    }
}


/*
 * hiredis frees the context (and closes the socket right after): give
 * the nginx connection back without closing the socket.
 */

static void
ngx_meet_redis_cleanup(void *privdata)
{
    ngx_connection_t *c = privdata;

    ngx_meet_redis_t   *rd;
    redisAsyncContext  *ac;

    ac = c->data;
    rd = ac->data;

    /* EOF or an error while idle: nothing else told us */
    ngx_meet_redis_lost(rd, ac);

    if (rd->conn == c) {
        rd->conn = NULL;
    }

    if (ngx_del_conn) {
        ngx_del_conn(c, NGX_CLOSE_EVENT);

    } else {
        if (c->read->active || c->read->disabled) {
            ngx_del_event(c->read, NGX_READ_EVENT, NGX_CLOSE_EVENT);
        }

        if (c->write->active || c->write->disabled) {
            ngx_del_event(c->write, NGX_WRITE_EVENT, NGX_CLOSE_EVENT);
        }
    }

    if (c->read->posted) {
        ngx_delete_posted_event(c->read);
    }

    if (c->write->posted) {
        ngx_delete_posted_event(c->write);
    }

    c->read->closed = 1;
    c->write->closed = 1;

    ngx_free_connection(c);

    c->fd = (ngx_socket_t) -1;
}
