
/*
 * Copyright (C) ngx_meet authors
 *
 * Data channels above SCTP: DCEP (RFC 8832), PPIDs (RFC 8831), LiveKit's
 * labels, message reassembly.  See meet_dcep.h.
 */


#include <stdlib.h>
#include <string.h>

#include "meet_dcep.h"


typedef struct {
    const char          *name;
    size_t               len;
} meet_dcep_name_t;


#define meet_dcep_name(s)  { s, sizeof(s) - 1 }

static const meet_dcep_name_t  meet_dcep_labels[MEET_DCEP_LABEL_LAST] = {
    meet_dcep_name("other"),
    meet_dcep_name("_reliable"),
    meet_dcep_name("_lossy"),
    meet_dcep_name("_data_track")
};


int
meet_dcep_parse(const u_char *p, size_t n, meet_dcep_msg_t *m,
    const char **err)
{
    uint8_t  ct;

    memset(m, 0, sizeof(meet_dcep_msg_t));

    if (n == 0) {
        *err = "empty DCEP message";
        return MEET_DCEP_ERROR;
    }

    m->type = p[0];

    if (m->type == MEET_DCEP_ACK) {
        /* RFC 8832 5.2: the message type only */
        if (n != 1) {
            *err = "DATA_CHANNEL_ACK with trailing bytes";
            return MEET_DCEP_ERROR;
        }

        return MEET_DCEP_ACK;
    }

    if (m->type != MEET_DCEP_OPEN) {
        *err = "unknown DCEP message type";
        return MEET_DCEP_ERROR;
    }

    if (n < MEET_DCEP_OPEN_HEADER) {
        *err = "truncated DATA_CHANNEL_OPEN";
        return MEET_DCEP_ERROR;
    }

    ct = p[1];

    switch (ct & ~MEET_DCEP_UNORDERED) {
    case MEET_DCEP_RELIABLE:
    case MEET_DCEP_PARTIAL_REXMIT:
    case MEET_DCEP_PARTIAL_TIMED:
        break;
    default:
        *err = "unknown data channel type";
        return MEET_DCEP_ERROR;
    }

    m->channel_type = ct;
    m->priority = (uint16_t) ((p[2] << 8) | p[3]);
    m->reliability = ((uint32_t) p[4] << 24) | ((uint32_t) p[5] << 16)
                     | ((uint32_t) p[6] << 8) | p[7];
    m->label_len = (size_t) ((p[8] << 8) | p[9]);
    m->protocol_len = (size_t) ((p[10] << 8) | p[11]);

    /* both lengths are at most 65535: no overflow */

    if (MEET_DCEP_OPEN_HEADER + m->label_len + m->protocol_len != n) {
        *err = "DATA_CHANNEL_OPEN lengths do not match its size";
        return MEET_DCEP_ERROR;
    }

    m->label = p + MEET_DCEP_OPEN_HEADER;
    m->protocol = m->label + m->label_len;

    return MEET_DCEP_OPEN;
}


size_t
meet_dcep_write_ack(u_char *buf, size_t size)
{
    if (size < 1) {
        return 0;
    }

    buf[0] = MEET_DCEP_ACK;

    return 1;
}


size_t
meet_dcep_write_open(u_char *buf, size_t size, const meet_dcep_msg_t *m)
{
    size_t  n;

    if (m->label_len > 0xffff || m->protocol_len > 0xffff) {
        return 0;
    }

    n = MEET_DCEP_OPEN_HEADER + m->label_len + m->protocol_len;

    if (n > size) {
        return 0;
    }

    buf[0] = MEET_DCEP_OPEN;
    buf[1] = m->channel_type;
    buf[2] = (u_char) (m->priority >> 8);
    buf[3] = (u_char) m->priority;
    buf[4] = (u_char) (m->reliability >> 24);
    buf[5] = (u_char) (m->reliability >> 16);
    buf[6] = (u_char) (m->reliability >> 8);
    buf[7] = (u_char) m->reliability;
    buf[8] = (u_char) (m->label_len >> 8);
    buf[9] = (u_char) m->label_len;
    buf[10] = (u_char) (m->protocol_len >> 8);
    buf[11] = (u_char) m->protocol_len;

    if (m->label_len) {
        memcpy(buf + MEET_DCEP_OPEN_HEADER, m->label, m->label_len);
    }

    if (m->protocol_len) {
        memcpy(buf + MEET_DCEP_OPEN_HEADER + m->label_len, m->protocol,
               m->protocol_len);
    }

    return n;
}


meet_dcep_label_e
meet_dcep_label(const meet_dcep_msg_t *m)
{
    size_t  i;

    for (i = 1; i < MEET_DCEP_LABEL_LAST; i++) {
        if (m->label_len == meet_dcep_labels[i].len
            && memcmp(m->label, meet_dcep_labels[i].name, m->label_len) == 0)
        {
            return (meet_dcep_label_e) i;
        }
    }

    return MEET_DCEP_LABEL_OTHER;
}


const char *
meet_dcep_label_name(meet_dcep_label_e label)
{
    if ((unsigned) label >= MEET_DCEP_LABEL_LAST) {
        label = MEET_DCEP_LABEL_OTHER;
    }

    return meet_dcep_labels[label].name;
}


void
meet_dcep_send_params(const meet_dcep_msg_t *m, int *unordered,
    meet_dcep_pr_e *policy, uint32_t *value)
{
    *unordered = (m->channel_type & MEET_DCEP_UNORDERED) ? 1 : 0;

    switch (m->channel_type & ~MEET_DCEP_UNORDERED) {

    case MEET_DCEP_PARTIAL_REXMIT:
        *policy = MEET_DCEP_PR_RTX;
        *value = m->reliability;
        break;

    case MEET_DCEP_PARTIAL_TIMED:
        *policy = MEET_DCEP_PR_TTL;
        *value = m->reliability;
        break;

    default:
        /* RFC 8832 5.1: the reliability parameter is ignored */
        *policy = MEET_DCEP_PR_NONE;
        *value = 0;
    }
}


int
meet_dcep_ppid_message(uint32_t ppid, int *empty)
{
    *empty = 0;

    switch (ppid) {

    case MEET_DCEP_PPID_STRING:
    case MEET_DCEP_PPID_BINARY:
        return 1;

    case MEET_DCEP_PPID_STRING_EMPTY:
    case MEET_DCEP_PPID_BINARY_EMPTY:
        *empty = 1;
        return 1;

    default:
        return 0;
    }
}


uint32_t
meet_dcep_ppid_binary(size_t len)
{
    return len ? MEET_DCEP_PPID_BINARY : MEET_DCEP_PPID_BINARY_EMPTY;
}


void
meet_dcep_reasm_init(meet_dcep_reasm_t *r, size_t max)
{
    memset(r, 0, sizeof(meet_dcep_reasm_t));
    r->max = max;
}


void
meet_dcep_reasm_free(meet_dcep_reasm_t *r)
{
    free(r->buf);

    r->buf = NULL;
    r->len = 0;
    r->cap = 0;
    r->busy = 0;
    r->dropping = 0;
}


int
meet_dcep_reasm_add(meet_dcep_reasm_t *r, uint16_t sid, uint32_t ppid,
    const u_char *p, size_t n, int eor, const u_char **msg, size_t *len)
{
    size_t   cap;
    u_char  *b;

    *msg = NULL;
    *len = 0;

    if (r->busy && (r->sid != sid || r->ppid != ppid)) {
        /* not the rest of the message in progress: that one is lost */
        r->busy = 0;
        r->dropping = 0;
        r->len = 0;
    }

    if (!r->busy) {

        if (eor) {
            /* whole in one part: no copy */

            if (n > r->max) {
                return MEET_DCEP_TOO_BIG;
            }

            *msg = p;
            *len = n;

            return MEET_DCEP_MSG;
        }

        r->busy = 1;
        r->dropping = 0;
        r->sid = sid;
        r->ppid = ppid;
        r->len = 0;
    }

    if (!r->dropping && n > r->max - r->len) {
        r->dropping = 1;
        r->len = 0;
    }

    if (!r->dropping && n) {

        if (r->len + n > r->cap) {
            cap = r->cap ? r->cap : 4096;

            while (cap < r->len + n) {
                cap *= 2;
            }

            if (cap > r->max) {
                cap = r->max;
            }

            b = realloc(r->buf, cap);
            if (b == NULL) {
                r->busy = 0;
                r->len = 0;
                return MEET_DCEP_ERROR;
            }

            r->buf = b;
            r->cap = cap;
        }

        memcpy(r->buf + r->len, p, n);
        r->len += n;
    }

    if (!eor) {
        return MEET_DCEP_MORE;
    }

    r->busy = 0;

    if (r->dropping) {
        r->dropping = 0;
        return MEET_DCEP_TOO_BIG;
    }

    *msg = r->buf;
    *len = r->len;
    r->len = 0;

    return MEET_DCEP_MSG;
}
