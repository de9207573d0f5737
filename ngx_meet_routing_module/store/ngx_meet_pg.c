
/*
 * Copyright (C) ngx_meet authors
 *
 * PostgreSQL on nginx events, see ngx_meet_pg.h.  Every libpq call here is
 * a non-blocking one: PQconnectStart/PQconnectPoll, PQsendPrepare,
 * PQsendQueryPrepared, PQsendQueryParams, PQflush, PQconsumeInput,
 * PQisBusy, PQgetResult.  A connection is an nginx connection around
 * PQsocket() (read again after every PQconnectPoll: libpq opens a new
 * socket per address it tries).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <sys/ioctl.h>
#include "ngx_meet_core.h"
#include "ngx_meet_pg.h"


#define NGX_MEET_PG_MAX_STMTS        64
#define NGX_MEET_PG_MAX_POOL         64
#define NGX_MEET_PG_REASON_LEN       256
#define NGX_MEET_PG_CONNECT_TIMEOUT  5000
#define NGX_MEET_PG_MIGRATE_TIMEOUT  60000
#define NGX_MEET_PG_BACKOFF_MIN      250
#define NGX_MEET_PG_BACKOFF_MAX      2000

/* pg_advisory_lock key of the schema migrations: "meet" */
#define NGX_MEET_PG_LOCK_KEY         "1835361652"


typedef enum {
    NGX_MEET_PG_CLOSED = 0,
    NGX_MEET_PG_CONNECTING,
    NGX_MEET_PG_MIGRATING,
    NGX_MEET_PG_IDLE,
    NGX_MEET_PG_BUSY
} ngx_meet_pg_state_e;


/* steps of the schema migration on the first connection of a worker */
typedef enum {
    NGX_MEET_PG_M_LOCK = 0,
    NGX_MEET_PG_M_TABLE,
    NGX_MEET_PG_M_VERSION,
    NGX_MEET_PG_M_BEGIN,
    NGX_MEET_PG_M_STMT,
    NGX_MEET_PG_M_RECORD,
    NGX_MEET_PG_M_COMMIT,
    NGX_MEET_PG_M_UNLOCK
} ngx_meet_pg_mstep_e;


typedef struct {
    ngx_meet_pg_t             *pg;
    PGconn                    *conn;
    ngx_connection_t          *c;
    ngx_meet_pg_state_e        state;
    ngx_event_t                timer;       /* connect, migration step */
    ino_t                      ino;         /* of the socket wrapped */
    uint64_t                   prepared;    /* statements prepared here */
    ngx_meet_pg_query_t       *query;       /* BUSY: the query */
    PGresult                  *res;         /* the answer being read */
    ngx_uint_t                 preparing;   /* BUSY: PQsendPrepare sent */

    ngx_meet_pg_mstep_e        mstep;
    ngx_uint_t                 mig;         /* migration index */
    ngx_uint_t                 mstmt;       /* its statement index */
    ngx_uint_t                 applied;
} ngx_meet_pg_conn_t;


struct ngx_meet_pg_query_s {
    ngx_queue_t                queue;
    ngx_meet_pg_t             *pg;
    ngx_meet_pg_conn_t        *pc;          /* in flight on it, or NULL */
    ngx_uint_t                 stmt;
    int                        nparams;
    const char               **values;
    ngx_meet_pg_handler_pt     handler;
    void                      *data;
    ngx_event_t                timer;
    unsigned                   queued:1;
};


struct ngx_meet_pg_s {
    u_char                    *conninfo;    /* NUL-terminated */
    ngx_str_t                  where;       /* host:port/dbname, for logs */
    ngx_uint_t                 size;
    ngx_msec_t                 timeout;
    ngx_meet_pg_stmt_t        *stmts;
    ngx_uint_t                 nstmts;
    ngx_meet_pg_migration_t   *migrations;
    ngx_uint_t                 nmigrations;

    /* per worker */
    ngx_log_t                 *log;
    ngx_meet_pg_conn_t        *conns;
    ngx_queue_t                queue;       /* waiting queries */
    ngx_uint_t                 nqueued;
    ngx_event_t                reconnect;
    ngx_event_t                dispatch;
    ngx_msec_t                 backoff;
    unsigned                   schema_ready:1;
    unsigned                   migrating:1;
    unsigned                   down:1;
    unsigned                   running:1;
    unsigned                   named:1;     /* host= is a DNS name */
    ngx_uint_t                 schema_version;
    u_char                     reason[NGX_MEET_PG_REASON_LEN];
};


static ngx_meet_health_status_e ngx_meet_pg_health(ngx_meet_health_t *h,
    json_t *out, ngx_log_t *log);
static void ngx_meet_pg_connect(ngx_meet_pg_conn_t *pc);
static ngx_int_t ngx_meet_pg_wrap(ngx_meet_pg_conn_t *pc);
static void ngx_meet_pg_unwrap(ngx_meet_pg_conn_t *pc);
static void ngx_meet_pg_close(ngx_meet_pg_conn_t *pc);
static void ngx_meet_pg_failed(ngx_meet_pg_conn_t *pc, const char *what,
    const char *why);
static void ngx_meet_pg_connect_poll(ngx_meet_pg_conn_t *pc);
static ngx_uint_t ngx_meet_pg_socket_changed(ngx_meet_pg_conn_t *pc);
static void ngx_meet_pg_connected(ngx_meet_pg_conn_t *pc);
static void ngx_meet_pg_read_handler(ngx_event_t *ev);
static void ngx_meet_pg_write_handler(ngx_event_t *ev);
static void ngx_meet_pg_conn_timeout(ngx_event_t *ev);
static void ngx_meet_pg_reconnect_handler(ngx_event_t *ev);
static void ngx_meet_pg_dispatch_handler(ngx_event_t *ev);
static void ngx_meet_pg_dispatch(ngx_meet_pg_t *pg);
static void ngx_meet_pg_start(ngx_meet_pg_conn_t *pc,
    ngx_meet_pg_query_t *q);
static ngx_int_t ngx_meet_pg_flush(ngx_meet_pg_conn_t *pc);
static void ngx_meet_pg_result(ngx_meet_pg_conn_t *pc, PGresult *res);
static void ngx_meet_pg_migrate(ngx_meet_pg_conn_t *pc, PGresult *res);
static ngx_int_t ngx_meet_pg_send_sql(ngx_meet_pg_conn_t *pc,
    const char *sql, const char *param);
static void ngx_meet_pg_finish(ngx_meet_pg_query_t *q, ngx_int_t rc,
    PGresult *res, const char *reason, const char *sqlstate);
static void ngx_meet_pg_query_timeout(ngx_event_t *ev);
static void ngx_meet_pg_set_down(ngx_meet_pg_t *pg, const char *reason);
static void ngx_meet_pg_fail_queue(ngx_meet_pg_t *pg);
static ngx_uint_t ngx_meet_pg_open(ngx_meet_pg_t *pg, ngx_uint_t usable);
static void ngx_meet_pg_schedule(ngx_meet_pg_t *pg);
static const char *ngx_meet_pg_error(PGconn *conn);


/* configuration */


ngx_meet_pg_t *
ngx_meet_pg_create(ngx_conf_t *cf, ngx_str_t *conninfo, ngx_uint_t size,
    ngx_msec_t timeout, ngx_meet_pg_stmt_t *stmts, ngx_uint_t nstmts,
    ngx_meet_pg_migration_t *migrations, ngx_uint_t nmigrations)
{
    char               *err;
    u_char             *p;
    ngx_str_t           host, port, db;
    ngx_uint_t          named;
    ngx_meet_pg_t      *pg;
    PQconninfoOption   *opts, *o;

    if (nstmts > NGX_MEET_PG_MAX_STMTS || size == 0
        || size > NGX_MEET_PG_MAX_POOL)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet postgres: pool size must be 1..%d",
                           NGX_MEET_PG_MAX_POOL);
        return NULL;
    }

    pg = ngx_pcalloc(cf->pool, sizeof(ngx_meet_pg_t));
    if (pg == NULL) {
        return NULL;
    }

    pg->conninfo = ngx_pnalloc(cf->pool, conninfo->len + 1);
    if (pg->conninfo == NULL) {
        return NULL;
    }

    ngx_memcpy(pg->conninfo, conninfo->data, conninfo->len);
    pg->conninfo[conninfo->len] = '\0';

    /* checked now, so that "nginx -t" reports a bad string */

    err = NULL;
    opts = PQconninfoParse((char *) pg->conninfo, &err);
    if (opts == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet postgres: invalid connection string: %s",
                           err ? err : "out of memory");
        if (err) {
            PQfreemem(err);
        }
        return NULL;
    }

    ngx_str_set(&host, "localhost");
    ngx_str_set(&port, "5432");
    ngx_str_set(&db, "?");
    named = 0;

    for (o = opts; o->keyword; o++) {
        if (o->val == NULL || o->val[0] == '\0') {
            continue;
        }

        if (ngx_strcmp(o->keyword, "host") == 0
            || (ngx_strcmp(o->keyword, "hostaddr") == 0
                && host.data[0] == 'l'))
        {
            host.data = (u_char *) o->val;
            host.len = ngx_strlen(o->val);

            /* a name libpq would resolve (getaddrinfo() blocks) */
            named = (o->keyword[4] == '\0' && host.data[0] != '/'
                     && ngx_inet_addr(host.data, host.len) == INADDR_NONE
                     && ngx_strlchr(host.data, host.data + host.len, ':')
                        == NULL);

        } else if (ngx_strcmp(o->keyword, "port") == 0) {
            port.data = (u_char *) o->val;
            port.len = ngx_strlen(o->val);

        } else if (ngx_strcmp(o->keyword, "dbname") == 0) {
            db.data = (u_char *) o->val;
            db.len = ngx_strlen(o->val);
        }
    }

    for (o = opts; named && o->keyword; o++) {
        if (ngx_strcmp(o->keyword, "hostaddr") == 0 && o->val && o->val[0]) {
            named = 0;
        }
    }

    pg->named = named;

    pg->where.data = ngx_pnalloc(cf->pool, host.len + port.len + db.len + 2);
    if (pg->where.data == NULL) {
        PQconninfoFree(opts);
        return NULL;
    }

    p = ngx_sprintf(pg->where.data, "%V:%V/%V", &host, &port, &db);
    pg->where.len = p - pg->where.data;

    PQconninfoFree(opts);

    pg->size = size;
    pg->timeout = timeout;
    pg->stmts = stmts;
    pg->nstmts = nstmts;
    pg->migrations = migrations;
    pg->nmigrations = nmigrations;

    pg->conns = ngx_pcalloc(cf->pool, size * sizeof(ngx_meet_pg_conn_t));
    if (pg->conns == NULL) {
        return NULL;
    }

    if (ngx_meet_health_register(cf, "postgres", ngx_meet_pg_health, pg)
        != NGX_OK)
    {
        return NULL;
    }

    return pg;
}


static ngx_meet_health_status_e
ngx_meet_pg_health(ngx_meet_health_t *h, json_t *out, ngx_log_t *log)
{
    ngx_meet_pg_t *pg = h->data;

    ngx_uint_t  i, open;

    open = 0;
    for (i = 0; i < pg->size; i++) {
        if (pg->conns[i].state >= NGX_MEET_PG_IDLE) {
            open++;
        }
    }

    json_object_set_new(out, "server",
                        json_stringn((char *) pg->where.data, pg->where.len));
    json_object_set_new(out, "connections", json_integer(open));
    json_object_set_new(out, "queued", json_integer(pg->nqueued));

    if (pg->down) {
        json_object_set_new(out, "reason", json_string((char *) pg->reason));
        return NGX_MEET_HEALTH_DOWN;
    }

    if (!pg->schema_ready) {
        json_object_set_new(out, "reason", json_string("connecting"));
        return NGX_MEET_HEALTH_DEGRADED;
    }

    json_object_set_new(out, "schema_version",
                        json_integer(pg->schema_version));

    return NGX_MEET_HEALTH_OK;
}


/* worker life */


ngx_int_t
ngx_meet_pg_init_process(ngx_meet_pg_t *pg, ngx_cycle_t *cycle)
{
    ngx_uint_t  i;

    if (ngx_add_conn == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "meet postgres: the event method must be epoll "
                      "(edge-triggered connections)");
        return NGX_ERROR;
    }

    pg->log = cycle->log;
    ngx_queue_init(&pg->queue);

    if (pg->named) {
        ngx_log_error(NGX_LOG_WARN, pg->log, 0,
                      "meet postgres %V: the host is a name, which libpq "
                      "resolves with a blocking getaddrinfo() at every "
                      "connection; give an IP address (or hostaddr=) to "
                      "keep the worker from waiting on DNS", &pg->where);
    }

    pg->reconnect.handler = ngx_meet_pg_reconnect_handler;
    pg->reconnect.data = pg;
    pg->reconnect.log = pg->log;
    pg->reconnect.cancelable = 1;

    pg->dispatch.handler = ngx_meet_pg_dispatch_handler;
    pg->dispatch.data = pg;
    pg->dispatch.log = pg->log;

    for (i = 0; i < pg->size; i++) {
        pg->conns[i].pg = pg;
        pg->conns[i].timer.handler = ngx_meet_pg_conn_timeout;
        pg->conns[i].timer.data = &pg->conns[i];
        pg->conns[i].timer.log = pg->log;
        pg->conns[i].timer.cancelable = 1;
    }

    pg->backoff = NGX_MEET_PG_BACKOFF_MIN;
    pg->running = 1;

    /* the first connection migrates the schema, the others come later */
    ngx_meet_pg_connect(&pg->conns[0]);

    return NGX_OK;
}


void
ngx_meet_pg_exit_process(ngx_meet_pg_t *pg)
{
    ngx_uint_t  i;

    if (!pg->running) {
        return;
    }

    pg->running = 0;

    if (pg->reconnect.timer_set) {
        ngx_del_timer(&pg->reconnect);
    }

    if (pg->dispatch.posted) {
        ngx_delete_posted_event(&pg->dispatch);
    }

    for (i = 0; i < pg->size; i++) {
        if (pg->conns[i].state != NGX_MEET_PG_CLOSED) {
            if (pg->conns[i].query) {
                ngx_meet_pg_finish(pg->conns[i].query, NGX_ERROR, NULL,
                                   "nginx worker exiting", NULL);
            }

            ngx_meet_pg_close(&pg->conns[i]);
        }
    }

    ngx_cpystrn(pg->reason, (u_char *) "nginx worker exiting",
                NGX_MEET_PG_REASON_LEN);
    ngx_meet_pg_fail_queue(pg);
}


/* connections */


static void
ngx_meet_pg_connect(ngx_meet_pg_conn_t *pc)
{
    ngx_meet_pg_t *pg = pc->pg;

    pc->conn = PQconnectStart((char *) pg->conninfo);
    pc->state = NGX_MEET_PG_CONNECTING;
    pc->prepared = 0;
    pc->query = NULL;
    pc->preparing = 0;

    if (pc->conn == NULL) {
        ngx_meet_pg_failed(pc, "cannot connect", "out of memory");
        return;
    }

    if (PQstatus(pc->conn) == CONNECTION_BAD
        || PQsetnonblocking(pc->conn, 1) != 0)
    {
        ngx_meet_pg_failed(pc, "cannot connect", ngx_meet_pg_error(pc->conn));
        return;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_EVENT, pg->log, 0,
                   "meet postgres %V: connecting", &pg->where);

    ngx_add_timer(&pc->timer, NGX_MEET_PG_CONNECT_TIMEOUT);

    /* as if PQconnectPoll() had answered PGRES_POLLING_WRITING */
    if (ngx_meet_pg_wrap(pc) != NGX_OK) {
        ngx_meet_pg_failed(pc, "cannot connect", "no nginx connection left");
    }
}


static ngx_int_t
ngx_meet_pg_wrap(ngx_meet_pg_conn_t *pc)
{
    int                fd;
    struct stat        st;
    ngx_connection_t  *c;

    fd = PQsocket(pc->conn);
    if (fd == -1) {
        return NGX_ERROR;
    }

    c = ngx_get_connection(fd, pc->pg->log);
    if (c == NULL) {
        return NGX_ERROR;
    }

    pc->ino = (fstat(fd, &st) == 0) ? st.st_ino : 0;

    c->data = pc;
    c->read->handler = ngx_meet_pg_read_handler;
    c->write->handler = ngx_meet_pg_write_handler;
    c->read->log = pc->pg->log;
    c->write->log = pc->pg->log;

    pc->c = c;

    if (ngx_add_conn(c) != NGX_OK) {
        ngx_meet_pg_unwrap(pc);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* the socket is libpq's: closed by it (PQfinish, next address), not here */

static void
ngx_meet_pg_unwrap(ngx_meet_pg_conn_t *pc)
{
    ngx_connection_t  *c;

    c = pc->c;
    if (c == NULL) {
        return;
    }

    pc->c = NULL;

    if (c->read->timer_set) {
        ngx_del_timer(c->read);
    }

    if (c->write->timer_set) {
        ngx_del_timer(c->write);
    }

    if (c->read->posted) {
        ngx_delete_posted_event(c->read);
    }

    if (c->write->posted) {
        ngx_delete_posted_event(c->write);
    }

    if (c->read->active || c->write->active) {
        ngx_del_conn(c, NGX_CLOSE_EVENT);
    }

    ngx_free_connection(c);
    c->fd = (ngx_socket_t) -1;
}


static void
ngx_meet_pg_close(ngx_meet_pg_conn_t *pc)
{
    ngx_meet_pg_unwrap(pc);

    if (pc->timer.timer_set) {
        ngx_del_timer(&pc->timer);
    }

    if (pc->res) {
        PQclear(pc->res);
        pc->res = NULL;
    }

    if (pc->conn) {
        PQfinish(pc->conn);
        pc->conn = NULL;
    }

    if (pc->state == NGX_MEET_PG_MIGRATING) {
        pc->pg->migrating = 0;
    }

    pc->state = NGX_MEET_PG_CLOSED;
    pc->query = NULL;
}


/*
 * A connection failed (could not connect, was lost, answered a protocol
 * error, timed out): log, fail its query, close it.  When no connection
 * is usable any more the server is "down": queued queries fail, new ones
 * fail at once, and a reconnect is tried with backoff.
 */

static void
ngx_meet_pg_failed(ngx_meet_pg_conn_t *pc, const char *what,
    const char *why)
{
    u_char               reason[NGX_MEET_PG_REASON_LEN], *p;
    ngx_meet_pg_t       *pg;
    ngx_meet_pg_query_t *q;

    pg = pc->pg;

    p = ngx_snprintf(reason, NGX_MEET_PG_REASON_LEN - 1, "postgres %V: %s: %s",
                     &pg->where, what, why);

    /* libpq's messages end in a newline */
    while (p > reason && (p[-1] == '\n' || p[-1] == ' ')) {
        p--;
    }

    *p = '\0';

    ngx_log_error(NGX_LOG_ERR, pg->log, 0, "meet %s", reason);

    q = pc->query;

    if (pc->state == NGX_MEET_PG_CONNECTING
        || pc->state == NGX_MEET_PG_MIGRATING)
    {
        ngx_meet_pg_close(pc);

        if (ngx_meet_pg_open(pg, 1) == 0) {
            ngx_meet_pg_set_down(pg, (char *) reason);
        }

    } else {
        ngx_meet_pg_close(pc);
    }

    if (q) {
        ngx_meet_pg_finish(q, NGX_ERROR, NULL, (char *) reason, NULL);
    }

    ngx_meet_pg_schedule(pg);
}


static void
ngx_meet_pg_set_down(ngx_meet_pg_t *pg, const char *reason)
{
    if (!pg->down) {
        ngx_log_error(NGX_LOG_ERR, pg->log, 0,
                      "meet postgres %V: server down, queries fail until "
                      "it is back", &pg->where);
    }

    pg->down = 1;
    ngx_cpystrn(pg->reason, (u_char *) reason, NGX_MEET_PG_REASON_LEN);

    ngx_meet_pg_fail_queue(pg);

    if (pg->backoff < NGX_MEET_PG_BACKOFF_MAX) {
        pg->backoff *= 2;
    }
}


static void
ngx_meet_pg_fail_queue(ngx_meet_pg_t *pg)
{
    ngx_queue_t          *qu;
    ngx_meet_pg_query_t  *q;

    while (!ngx_queue_empty(&pg->queue)) {
        qu = ngx_queue_head(&pg->queue);
        q = ngx_queue_data(qu, ngx_meet_pg_query_t, queue);
        ngx_meet_pg_finish(q, NGX_ERROR, NULL, (char *) pg->reason, NULL);
    }
}


/* connections open (usable: connected; else also those connecting) */

static ngx_uint_t
ngx_meet_pg_open(ngx_meet_pg_t *pg, ngx_uint_t usable)
{
    ngx_uint_t  i, n;

    n = 0;
    for (i = 0; i < pg->size; i++) {
        if (pg->conns[i].state >= (usable ? NGX_MEET_PG_MIGRATING
                                          : NGX_MEET_PG_CONNECTING))
        {
            n++;
        }
    }

    return n;
}


/* keeps one connection open: reconnect after a delay (backoff when down) */

static void
ngx_meet_pg_schedule(ngx_meet_pg_t *pg)
{
    if (!pg->running || ngx_exiting || ngx_terminate || ngx_quit) {
        return;
    }

    if (ngx_meet_pg_open(pg, 0) == 0 && !pg->reconnect.timer_set) {
        ngx_add_timer(&pg->reconnect,
                      pg->down ? pg->backoff : NGX_MEET_PG_BACKOFF_MIN);
    }

    if (pg->nqueued) {
        ngx_meet_pg_dispatch(pg);
    }
}


static void
ngx_meet_pg_reconnect_handler(ngx_event_t *ev)
{
    ngx_meet_pg_t *pg = ev->data;

    ngx_uint_t  i;

    if (ngx_meet_pg_open(pg, 0) != 0) {
        return;
    }

    for (i = 0; i < pg->size; i++) {
        if (pg->conns[i].state == NGX_MEET_PG_CLOSED) {
            ngx_meet_pg_connect(&pg->conns[i]);
            return;
        }
    }
}


static void
ngx_meet_pg_conn_timeout(ngx_event_t *ev)
{
    ngx_meet_pg_conn_t *pc = ev->data;

    ngx_meet_pg_failed(pc, pc->state == NGX_MEET_PG_CONNECTING
                           ? "connect" : "schema migration",
                       "timed out");
}


static void
ngx_meet_pg_write_handler(ngx_event_t *ev)
{
    ngx_connection_t    *c = ev->data;
    ngx_meet_pg_conn_t  *pc = c->data;

    if (pc->state == NGX_MEET_PG_CONNECTING) {
        ngx_meet_pg_connect_poll(pc);
        return;
    }

    if (ngx_meet_pg_flush(pc) == NGX_ERROR) {
        ngx_meet_pg_failed(pc, "send", ngx_meet_pg_error(pc->conn));
    }
}


static void
ngx_meet_pg_connect_poll(ngx_meet_pg_conn_t *pc)
{
    int                          n;
    PostgresPollingStatusType    st;

    for ( ;; ) {
        if (!pc->c->write->ready && !pc->c->read->ready) {
            return;
        }

        st = PQconnectPoll(pc->conn);

        /* libpq opens a new socket for each address it tries */

        if (ngx_meet_pg_socket_changed(pc)) {
            ngx_meet_pg_unwrap(pc);

            if (st != PGRES_POLLING_FAILED && ngx_meet_pg_wrap(pc) != NGX_OK)
            {
                ngx_meet_pg_failed(pc, "cannot connect",
                                   "no nginx connection left");
                return;
            }
        }

        switch (st) {

        case PGRES_POLLING_OK:
            ngx_meet_pg_connected(pc);
            return;

        case PGRES_POLLING_FAILED:
            ngx_meet_pg_failed(pc, "cannot connect",
                               ngx_meet_pg_error(pc->conn));
            return;

        case PGRES_POLLING_READING:
            pc->c->read->ready = 0;
            n = 0;
            if (ioctl(pc->c->fd, FIONREAD, &n) == 0 && n > 0) {
                pc->c->read->ready = 1;
                continue;
            }
            return;

        default: /* PGRES_POLLING_WRITING */
            if (!pc->c->write->ready) {
                return;
            }
            continue;
        }
    }
}


/*
 * libpq closes the socket of an address that failed and opens one for the
 * next: maybe with the same number, so the inode tells them apart
 */

static ngx_uint_t
ngx_meet_pg_socket_changed(ngx_meet_pg_conn_t *pc)
{
    int          fd;
    struct stat  st;

    fd = PQsocket(pc->conn);

    if (fd != pc->c->fd) {
        return 1;
    }

    return fd != -1 && fstat(fd, &st) == 0 && st.st_ino != pc->ino;
}


static void
ngx_meet_pg_connected(ngx_meet_pg_conn_t *pc)
{
    ngx_meet_pg_t *pg = pc->pg;

    ngx_del_timer(&pc->timer);

    if (pg->down) {
        ngx_log_error(NGX_LOG_NOTICE, pg->log, 0,
                      "meet postgres %V: server is back", &pg->where);
    }

    pg->down = 0;
    pg->backoff = NGX_MEET_PG_BACKOFF_MIN;

    if (!pg->schema_ready && !pg->migrating) {
        pg->migrating = 1;
        pc->state = NGX_MEET_PG_MIGRATING;
        pc->mstep = NGX_MEET_PG_M_LOCK;
        pc->applied = 0;

        ngx_add_timer(&pc->timer, NGX_MEET_PG_MIGRATE_TIMEOUT);

        if (ngx_meet_pg_send_sql(pc, "SELECT pg_advisory_lock($1)",
                                 NGX_MEET_PG_LOCK_KEY)
            != NGX_OK)
        {
            ngx_meet_pg_failed(pc, "schema migration",
                               ngx_meet_pg_error(pc->conn));
        }

        return;
    }

    pc->state = NGX_MEET_PG_IDLE;
    ngx_meet_pg_dispatch(pg);
}


static void
ngx_meet_pg_read_handler(ngx_event_t *ev)
{
    int                  n;
    PGresult            *res;
    PGnotify            *nt;
    ngx_connection_t    *c = ev->data;
    ngx_meet_pg_conn_t  *pc = c->data;

    if (pc->state == NGX_MEET_PG_CONNECTING) {
        ngx_meet_pg_connect_poll(pc);
        return;
    }

    for ( ;; ) {
        if (!PQconsumeInput(pc->conn)) {
            ngx_meet_pg_failed(pc, "connection lost",
                               ngx_meet_pg_error(pc->conn));
            return;
        }

        while ((nt = PQnotifies(pc->conn)) != NULL) {
            PQfreemem(nt);
        }

        if (pc->state == NGX_MEET_PG_IDLE) {
            /* nothing is expected: a notice, or the server going away */
            if (PQstatus(pc->conn) == CONNECTION_BAD) {
                ngx_meet_pg_failed(pc, "connection lost",
                                   ngx_meet_pg_error(pc->conn));
                return;
            }

            while (!PQisBusy(pc->conn)
                   && (res = PQgetResult(pc->conn)) != NULL)
            {
                if (PQresultStatus(res) == PGRES_FATAL_ERROR) {
                    ngx_meet_pg_failed(pc, "connection lost",
                                       PQresultErrorMessage(res));
                    PQclear(res);
                    return;
                }

                PQclear(res);
            }

            return;
        }

        while (!PQisBusy(pc->conn)) {
            res = PQgetResult(pc->conn);

            if (res == NULL) {
                /* the command is complete */
                res = pc->res;
                pc->res = NULL;
                ngx_meet_pg_result(pc, res);
                return;
            }

            /* the first error, else the last result */
            if (pc->res == NULL
                || PQresultStatus(pc->res) != PGRES_FATAL_ERROR)
            {
                if (pc->res) {
                    PQclear(pc->res);
                }
                pc->res = res;

            } else {
                PQclear(res);
            }
        }

        n = 0;
        if (ioctl(c->fd, FIONREAD, &n) != 0 || n <= 0) {
            return;
        }
    }
}


/* queries */


ngx_int_t
ngx_meet_pg_query(ngx_meet_pg_t *pg, ngx_pool_t *pool, ngx_uint_t stmt,
    ngx_str_t *params, ngx_uint_t nparams, ngx_meet_pg_handler_pt handler,
    void *data, const char **reason)
{
    u_char               *p;
    ngx_uint_t            i;
    ngx_meet_pg_query_t  *q;

    if (pg->down || !pg->running) {
        *reason = (char *) pg->reason;
        return NGX_DECLINED;
    }

    q = ngx_pcalloc(pool, sizeof(ngx_meet_pg_query_t)
                          + nparams * sizeof(char *));
    if (q == NULL) {
        return NGX_ERROR;
    }

    q->values = (const char **) (q + 1);

    for (i = 0; i < nparams; i++) {
        if (params[i].data == NULL) {
            q->values[i] = NULL;
            continue;
        }

        p = ngx_pnalloc(pool, params[i].len + 1);
        if (p == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(p, params[i].data, params[i].len);
        p[params[i].len] = '\0';
        q->values[i] = (char *) p;
    }

    q->pg = pg;
    q->stmt = stmt;
    q->nparams = nparams;
    q->handler = handler;
    q->data = data;

    q->timer.handler = ngx_meet_pg_query_timeout;
    q->timer.data = q;
    q->timer.log = pg->log;
    ngx_add_timer(&q->timer, pg->timeout);

    ngx_queue_insert_tail(&pg->queue, &q->queue);
    q->queued = 1;
    pg->nqueued++;

    /* never answer from inside this call: dispatch after this event */
    if (!pg->dispatch.posted) {
        ngx_post_event(&pg->dispatch, &ngx_posted_events);
    }

    return NGX_OK;
}


static void
ngx_meet_pg_dispatch_handler(ngx_event_t *ev)
{
    ngx_meet_pg_dispatch(ev->data);
}


static void
ngx_meet_pg_dispatch(ngx_meet_pg_t *pg)
{
    ngx_uint_t            i, idle, opening;
    ngx_queue_t          *qu;
    ngx_meet_pg_query_t  *q;

    if (!pg->schema_ready) {
        return;
    }

    idle = 0;
    opening = 0;

    for (i = 0; i < pg->size && !ngx_queue_empty(&pg->queue); i++) {
        if (pg->conns[i].state == NGX_MEET_PG_CONNECTING) {
            opening++;
            continue;
        }

        if (pg->conns[i].state != NGX_MEET_PG_IDLE) {
            continue;
        }

        qu = ngx_queue_head(&pg->queue);
        q = ngx_queue_data(qu, ngx_meet_pg_query_t, queue);

        ngx_queue_remove(qu);
        q->queued = 0;
        pg->nqueued--;

        ngx_meet_pg_start(&pg->conns[i], q);
        idle++;
    }

    /* more waiting than connecting: open more, up to the pool size */

    if (pg->down || pg->nqueued <= opening) {
        return;
    }

    for (i = 0; i < pg->size && pg->nqueued > opening; i++) {
        if (pg->conns[i].state == NGX_MEET_PG_CLOSED) {
            ngx_meet_pg_connect(&pg->conns[i]);
            opening++;
        }
    }
}


static void
ngx_meet_pg_start(ngx_meet_pg_conn_t *pc, ngx_meet_pg_query_t *q)
{
    int                  ok;
    ngx_meet_pg_stmt_t  *st;

    st = &pc->pg->stmts[q->stmt];

    pc->state = NGX_MEET_PG_BUSY;
    pc->query = q;
    q->pc = pc;

    if (!(pc->prepared & ((uint64_t) 1 << q->stmt))) {
        pc->preparing = 1;
        ok = PQsendPrepare(pc->conn, st->name, st->sql, st->nparams, NULL);

    } else {
        pc->preparing = 0;
        ok = PQsendQueryPrepared(pc->conn, st->name, q->nparams, q->values,
                                 NULL, NULL, 0);
    }

    if (!ok || ngx_meet_pg_flush(pc) != NGX_OK) {
        ngx_meet_pg_failed(pc, st->name, ngx_meet_pg_error(pc->conn));
    }
}


static ngx_int_t
ngx_meet_pg_flush(ngx_meet_pg_conn_t *pc)
{
    int  rc;

    if (pc->conn == NULL) {
        return NGX_OK;
    }

    rc = PQflush(pc->conn);

    if (rc == -1) {
        return NGX_ERROR;
    }

    if (rc == 1) {
        /* the rest on the next write event */
        pc->c->write->ready = 0;
    }

    return NGX_OK;
}


static void
ngx_meet_pg_result(ngx_meet_pg_conn_t *pc, PGresult *res)
{
    ngx_uint_t            level;
    const char           *sqlstate, *msg;
    ngx_meet_pg_stmt_t   *st;
    ngx_meet_pg_query_t  *q;
    ExecStatusType        status;

    if (pc->state == NGX_MEET_PG_MIGRATING) {
        ngx_meet_pg_migrate(pc, res);
        return;
    }

    q = pc->query;
    st = &pc->pg->stmts[q->stmt];

    status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        msg = res ? PQresultErrorMessage(res) : ngx_meet_pg_error(pc->conn);
        sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

        /* constraint violations are answers, not failures */
        level = (sqlstate && ngx_strncmp(sqlstate, "23", 2) == 0)
                ? NGX_LOG_INFO : NGX_LOG_ERR;

        ngx_log_error(level, pc->pg->log, 0,
                      "meet postgres %V: statement \"%s\"%s failed: %V",
                      &pc->pg->where, st->name,
                      pc->preparing ? " (prepare)" : "",
                      ngx_meet_log_cesc(msg));

        pc->state = NGX_MEET_PG_IDLE;
        pc->query = NULL;
        ngx_meet_pg_finish(q, NGX_ERROR, res, msg, sqlstate);

        if (res) {
            PQclear(res);
        }

        ngx_meet_pg_dispatch(pc->pg);
        return;
    }

    if (pc->preparing) {
        PQclear(res);
        pc->prepared |= (uint64_t) 1 << q->stmt;
        ngx_meet_pg_start(pc, q);
        return;
    }

    pc->state = NGX_MEET_PG_IDLE;
    pc->query = NULL;

    ngx_meet_pg_finish(q, NGX_OK, res, NULL, NULL);
    PQclear(res);

    ngx_meet_pg_dispatch(pc->pg);
}


static void
ngx_meet_pg_finish(ngx_meet_pg_query_t *q, ngx_int_t rc, PGresult *res,
    const char *reason, const char *sqlstate)
{
    if (q->timer.timer_set) {
        ngx_del_timer(&q->timer);
    }

    if (q->queued) {
        ngx_queue_remove(&q->queue);
        q->queued = 0;
        q->pg->nqueued--;
    }

    q->pc = NULL;

    q->handler(q->data, rc, res, reason, sqlstate);
}


static void
ngx_meet_pg_query_timeout(ngx_event_t *ev)
{
    u_char                reason[NGX_MEET_PG_REASON_LEN];
    ngx_meet_pg_t        *pg;
    ngx_meet_pg_conn_t   *pc;
    ngx_meet_pg_query_t  *q;

    q = ev->data;
    pg = q->pg;
    pc = q->pc;

    ngx_snprintf(reason, NGX_MEET_PG_REASON_LEN,
                 "postgres %V: statement \"%s\" timed out after %M ms%Z",
                 &pg->where, pg->stmts[q->stmt].name, pg->timeout);

    ngx_log_error(NGX_LOG_ERR, pg->log, 0, "meet %s%s", reason,
                  pc ? " (connection closed)" : " (still queued)");

    if (pc) {
        /* PQcancel() blocks: drop the connection instead */
        ngx_meet_pg_close(pc);
    }

    ngx_meet_pg_finish(q, NGX_ERROR, NULL, (char *) reason, NULL);

    ngx_meet_pg_schedule(pg);
}


/*
 * The schema: under pg_advisory_lock, meet_schema_migrations is created
 * when missing, and every migration newer than its highest version runs
 * in its own transaction, recorded in the same transaction.
 */

static void
ngx_meet_pg_migrate(ngx_meet_pg_conn_t *pc, PGresult *res)
{
    u_char                    num[NGX_INT_T_LEN + 1];
    const char               *sql, *param, *msg;
    ngx_int_t                 v;
    ngx_meet_pg_t            *pg;
    ExecStatusType            status;
    ngx_meet_pg_migration_t  *m;

    pg = pc->pg;
    status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        msg = res ? PQresultErrorMessage(res) : ngx_meet_pg_error(pc->conn);

        if (pc->mstep == NGX_MEET_PG_M_STMT) {
            ngx_log_error(NGX_LOG_ERR, pg->log, 0,
                          "meet postgres %V: migration %ui, statement %ui "
                          "failed: %V", &pg->where,
                          pg->migrations[pc->mig].version, pc->mstmt + 1,
                          ngx_meet_log_cesc(msg));
        }

        /* closing rolls the transaction back and releases the lock */
        ngx_meet_pg_failed(pc, "schema migration", msg);

        if (res) {
            PQclear(res);
        }

        return;
    }

    sql = NULL;
    param = NULL;

    switch (pc->mstep) {

    case NGX_MEET_PG_M_LOCK:
        pc->mstep = NGX_MEET_PG_M_TABLE;
        sql = "CREATE TABLE IF NOT EXISTS meet_schema_migrations ("
              "version integer PRIMARY KEY, "
              "applied_at timestamptz NOT NULL DEFAULT now())";
        break;

    case NGX_MEET_PG_M_TABLE:
        pc->mstep = NGX_MEET_PG_M_VERSION;
        sql = "SELECT coalesce(max(version), 0) FROM meet_schema_migrations";
        break;

    case NGX_MEET_PG_M_VERSION:
        v = ngx_atoi((u_char *) PQgetvalue(res, 0, 0),
                     PQgetlength(res, 0, 0));
        pg->schema_version = (v > 0) ? (ngx_uint_t) v : 0;

        for (pc->mig = 0; pc->mig < pg->nmigrations; pc->mig++) {
            if (pg->migrations[pc->mig].version > pg->schema_version) {
                break;
            }
        }

        goto next_migration;

    case NGX_MEET_PG_M_BEGIN:
        pc->mstep = NGX_MEET_PG_M_STMT;
        pc->mstmt = 0;
        sql = pg->migrations[pc->mig].sql[0];
        break;

    case NGX_MEET_PG_M_STMT:
        m = &pg->migrations[pc->mig];
        pc->mstmt++;

        if (m->sql[pc->mstmt]) {
            sql = m->sql[pc->mstmt];
            break;
        }

        pc->mstep = NGX_MEET_PG_M_RECORD;
        ngx_sprintf(num, "%ui%Z", m->version);
        sql = "INSERT INTO meet_schema_migrations (version) VALUES ($1)";
        param = (char *) num;
        break;

    case NGX_MEET_PG_M_RECORD:
        pc->mstep = NGX_MEET_PG_M_COMMIT;
        sql = "COMMIT";
        break;

    case NGX_MEET_PG_M_COMMIT:
        m = &pg->migrations[pc->mig];
        pg->schema_version = m->version;
        pc->applied++;

        ngx_log_error(NGX_LOG_NOTICE, pg->log, 0,
                      "meet postgres %V: schema migration %ui applied",
                      &pg->where, m->version);

        pc->mig++;
        goto next_migration;

    case NGX_MEET_PG_M_UNLOCK:
        PQclear(res);

        ngx_log_error(NGX_LOG_NOTICE, pg->log, 0,
                      "meet postgres %V: schema at version %ui "
                      "(%ui migrations applied by this worker)",
                      &pg->where, pg->schema_version, pc->applied);

        ngx_del_timer(&pc->timer);
        pg->migrating = 0;
        pg->schema_ready = 1;
        pc->state = NGX_MEET_PG_IDLE;
        ngx_meet_pg_dispatch(pg);
        return;
    }

    goto send;

next_migration:

    if (pc->mig < pg->nmigrations) {
        pc->mstep = NGX_MEET_PG_M_BEGIN;
        sql = "BEGIN";

    } else {
        pc->mstep = NGX_MEET_PG_M_UNLOCK;
        sql = "SELECT pg_advisory_unlock($1)";
        param = NGX_MEET_PG_LOCK_KEY;
    }

send:

    PQclear(res);

    if (ngx_meet_pg_send_sql(pc, sql, param) != NGX_OK) {
        ngx_meet_pg_failed(pc, "schema migration",
                           ngx_meet_pg_error(pc->conn));
    }
}


static ngx_int_t
ngx_meet_pg_send_sql(ngx_meet_pg_conn_t *pc, const char *sql,
    const char *param)
{
    if (!PQsendQueryParams(pc->conn, sql, param ? 1 : 0, NULL, &param,
                           NULL, NULL, 0))
    {
        return NGX_ERROR;
    }

    return ngx_meet_pg_flush(pc);
}


static const char *
ngx_meet_pg_error(PGconn *conn)
{
    char  *msg;

    msg = conn ? PQerrorMessage(conn) : NULL;

    return (msg && msg[0]) ? msg : "unknown error";
}
