/* sources: ngx_meet_rtp_stream_module/lib/meet_dcep.c */

/*
 * Copyright (C) ngx_meet authors
 *
 * libFuzzer target for the data channel library.  The input is read two
 * ways: as one DCEP message (parsed; an OPEN is written again and must
 * come out byte for byte, its send parameters and label computed), and as
 * a sequence of message parts for the reassembly (each: 2 bytes length,
 * 1 byte stream and flags, then the part), which must never give a
 * message over its limit, nor one whose bytes are not the parts' in order.
 * Aborts when a promise of meet_dcep.h is broken.
 *
 * The corpus in t/fuzz/corpus/dcep/ holds Chromium's OPEN of "_reliable"
 * and "_lossy", an ACK, and a part sequence.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meet_dcep.h"


#define check(cond)  do { if (!(cond)) { abort(); } } while (0)

#define MAX_MSG  3000


static u_char  out[65536 * 2 + 64];
static u_char  shadow[MAX_MSG];


static void
one_message(const u_char *data, size_t size)
{
    int               rc, unordered, empty;
    size_t            n;
    uint32_t          value;
    const char       *err;
    meet_dcep_pr_e    policy;
    meet_dcep_msg_t   m, m2;

    err = NULL;
    rc = meet_dcep_parse(data, size, &m, &err);

    if (rc == MEET_DCEP_ERROR) {
        check(err != NULL);
        return;
    }

    if (rc == MEET_DCEP_ACK) {
        check(size == 1 && meet_dcep_write_ack(out, 1) == 1 && out[0] == 2);
        return;
    }

    check(rc == MEET_DCEP_OPEN);
    check(m.label >= data && m.label + m.label_len <= data + size);
    check(m.protocol + m.protocol_len == data + size);

    n = meet_dcep_write_open(out, sizeof(out), &m);
    check(n == size && memcmp(out, data, size) == 0);
    check(meet_dcep_parse(out, n, &m2, &err) == MEET_DCEP_OPEN);
    check(meet_dcep_write_open(out, size - 1, &m) == 0);

    meet_dcep_send_params(&m, &unordered, &policy, &value);
    check(unordered == ((m.channel_type & 0x80) != 0));
    check(policy <= MEET_DCEP_PR_TTL);
    check(meet_dcep_label_name(meet_dcep_label(&m)) != NULL);

    rc = meet_dcep_ppid_message(m.reliability, &empty);
    check(rc == 0 || rc == 1);
}


static void
parts(const u_char *data, size_t size)
{
    int                 rc, eor;
    size_t              n, len, have;
    uint16_t            sid;
    const u_char       *msg;
    meet_dcep_reasm_t   r;

    meet_dcep_reasm_init(&r, MAX_MSG);
    have = 0;

    while (size >= 3) {
        n = ((size_t) data[0] << 8) | data[1];
        sid = data[2] & 0x03;
        eor = (data[2] & 0x80) != 0;
        data += 3;
        size -= 3;

        if (n > size) {
            n = size;
        }

        /* the shadow copy of the message in progress */
        if (r.busy && r.sid != sid) {
            have = 0;
        }

        if (have + n <= MAX_MSG) {
            memcpy(shadow + have, data, n);
        }
        have += n;

        rc = meet_dcep_reasm_add(&r, sid, 53, data, n, eor, &msg, &len);

        check(rc != MEET_DCEP_ERROR);

        if (rc == MEET_DCEP_MSG) {
            check(eor && len <= MAX_MSG && len == have);
            check(len == 0 || memcmp(msg, shadow, len) == 0);
        }

        if (rc == MEET_DCEP_TOO_BIG) {
            check(eor && have > MAX_MSG);
        }

        if (rc == MEET_DCEP_MORE) {
            check(!eor);
        }

        if (eor) {
            have = 0;
        }

        check(r.cap <= MAX_MSG);

        data += n;
        size -= n;
    }

    meet_dcep_reasm_free(&r);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one_message(data, size);
    parts(data, size);

    return 0;
}
