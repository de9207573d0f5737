/* sources: ngx_meet_rtp_stream_module/lib/meet_dcep.c */

/*
 * Copyright (C) ngx_meet authors
 *
 * Unit tests of the data channel library (meet_dcep.c): the
 * DATA_CHANNEL_OPEN messages Chromium sends for livekit-client's channels
 * (bytes written out by hand from RFC 8832 5.1), every refusal of the
 * parser, the writers, the send parameters of each channel type, the
 * PPIDs, and message reassembly with its size limit.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "meet_dcep.h"


/* "_reliable": ordered, reliable; priority 256 */
static const u_char  open_reliable[] = {
    0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00,
    '_', 'r', 'e', 'l', 'i', 'a', 'b', 'l', 'e'
};

/* "_lossy": unordered, maxRetransmits 0 */
static const u_char  open_lossy[] = {
    0x03, 0x81, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00,
    '_', 'l', 'o', 's', 's', 'y'
};

/* a channel with a protocol, unordered, maxPacketLifeTime 3000 ms */
static const u_char  open_timed[] = {
    0x03, 0x82, 0x00, 0x80, 0x00, 0x00, 0x0b, 0xb8, 0x00, 0x04, 0x00, 0x03,
    'c', 'h', 'a', 't', 'x', 'y', 'z'
};


static void
test_parse(void)
{
    int               unordered;
    uint32_t          value;
    const char       *err;
    meet_dcep_pr_e    policy;
    meet_dcep_msg_t   m;

    note("DATA_CHANNEL_OPEN and ACK");

    is_int(meet_dcep_parse(open_reliable, sizeof(open_reliable), &m, &err),
           MEET_DCEP_OPEN, "_reliable parses");
    is_int(m.channel_type, MEET_DCEP_RELIABLE, "reliable type");
    is_int(m.priority, 256, "priority");
    is_mem(m.label, m.label_len, "_reliable", 9, "label");
    is_int(m.protocol_len, 0, "no protocol");
    is_int(meet_dcep_label(&m), MEET_DCEP_LABEL_RELIABLE, "LiveKit reliable");
    meet_dcep_send_params(&m, &unordered, &policy, &value);
    ok(!unordered && policy == MEET_DCEP_PR_NONE && value == 0,
       "sent ordered and reliable");

    is_int(meet_dcep_parse(open_lossy, sizeof(open_lossy), &m, &err),
           MEET_DCEP_OPEN, "_lossy parses");
    is_int(meet_dcep_label(&m), MEET_DCEP_LABEL_LOSSY, "LiveKit lossy");
    is_str(meet_dcep_label_name(meet_dcep_label(&m)), "_lossy", "its name");
    meet_dcep_send_params(&m, &unordered, &policy, &value);
    ok(unordered && policy == MEET_DCEP_PR_RTX && value == 0,
       "sent unordered, no retransmission");

    is_int(meet_dcep_parse(open_timed, sizeof(open_timed), &m, &err),
           MEET_DCEP_OPEN, "a timed channel parses");
    is_mem(m.label, m.label_len, "chat", 4, "label");
    is_mem(m.protocol, m.protocol_len, "xyz", 3, "protocol");
    is_int(m.reliability, 3000, "lifetime");
    is_int(meet_dcep_label(&m), MEET_DCEP_LABEL_OTHER, "not LiveKit's");
    is_str(meet_dcep_label_name(meet_dcep_label(&m)), "other", "its name");
    meet_dcep_send_params(&m, &unordered, &policy, &value);
    ok(unordered && policy == MEET_DCEP_PR_TTL && value == 3000,
       "sent unordered, for 3000 ms");

    is_int(meet_dcep_parse((const u_char *) "\x02", 1, &m, &err),
           MEET_DCEP_ACK, "ACK");
}


static void
test_refusals(void)
{
    size_t            i;
    u_char            buf[64];
    const char       *err;
    meet_dcep_msg_t   m;

    note("refusals");

    err = NULL;
    is_int(meet_dcep_parse(buf, 0, &m, &err), MEET_DCEP_ERROR, "empty");
    ok(err != NULL, "with a reason");
    is_int(meet_dcep_parse((const u_char *) "\x02\x00", 2, &m, &err),
           MEET_DCEP_ERROR, "an ACK with a trailing byte");
    is_int(meet_dcep_parse((const u_char *) "\x04", 1, &m, &err),
           MEET_DCEP_ERROR, "unknown message type");
    is_str(err, "unknown DCEP message type", "reason");

    for (i = 1; i < MEET_DCEP_OPEN_HEADER; i++) {
        if (meet_dcep_parse(open_lossy, i, &m, &err) != MEET_DCEP_ERROR) {
            break;
        }
    }
    is_int(i, MEET_DCEP_OPEN_HEADER, "every truncated header refused");

    is_int(meet_dcep_parse(open_lossy, sizeof(open_lossy) - 1, &m, &err),
           MEET_DCEP_ERROR, "label cut short");
    is_str(err, "DATA_CHANNEL_OPEN lengths do not match its size", "reason");

    memcpy(buf, open_lossy, sizeof(open_lossy));
    buf[sizeof(open_lossy)] = 'x';
    is_int(meet_dcep_parse(buf, sizeof(open_lossy) + 1, &m, &err),
           MEET_DCEP_ERROR, "a byte after label and protocol");

    memcpy(buf, open_lossy, sizeof(open_lossy));
    buf[8] = 0xff;
    buf[9] = 0xff;
    is_int(meet_dcep_parse(buf, sizeof(open_lossy), &m, &err),
           MEET_DCEP_ERROR, "a label length past the end");

    memcpy(buf, open_lossy, sizeof(open_lossy));
    buf[1] = 0x03;
    is_int(meet_dcep_parse(buf, sizeof(open_lossy), &m, &err),
           MEET_DCEP_ERROR, "channel type 0x03");
    is_str(err, "unknown data channel type", "reason");
    buf[1] = 0x7f;
    is_int(meet_dcep_parse(buf, sizeof(open_lossy), &m, &err),
           MEET_DCEP_ERROR, "channel type 0x7f");
}


static void
test_write(void)
{
    size_t            n;
    u_char            buf[64];
    const char       *err;
    meet_dcep_msg_t   m, m2;

    note("writers");

    is_int(meet_dcep_write_ack(buf, 0), 0, "ACK: no room");
    is_int(meet_dcep_write_ack(buf, sizeof(buf)), 1, "ACK: one byte");
    is_int(buf[0], MEET_DCEP_ACK, "its type");

    (void) meet_dcep_parse(open_timed, sizeof(open_timed), &m, &err);
    is_int(meet_dcep_write_open(buf, sizeof(open_timed) - 1, &m), 0,
           "OPEN: no room");
    n = meet_dcep_write_open(buf, sizeof(buf), &m);
    is_mem(buf, n, open_timed, sizeof(open_timed), "OPEN byte for byte");
    is_int(meet_dcep_parse(buf, n, &m2, &err), MEET_DCEP_OPEN, "parses");

    m.label_len = 70000;
    is_int(meet_dcep_write_open(buf, sizeof(buf), &m), 0,
           "a label over 65535 bytes");
}


static void
test_ppid(void)
{
    int  empty;

    note("PPIDs");

    ok(meet_dcep_ppid_message(MEET_DCEP_PPID_BINARY, &empty) && !empty,
       "53: binary");
    ok(meet_dcep_ppid_message(MEET_DCEP_PPID_STRING, &empty) && !empty,
       "51: string");
    ok(meet_dcep_ppid_message(MEET_DCEP_PPID_BINARY_EMPTY, &empty) && empty,
       "57: empty binary");
    ok(meet_dcep_ppid_message(MEET_DCEP_PPID_STRING_EMPTY, &empty) && empty,
       "56: empty string");
    ok(!meet_dcep_ppid_message(MEET_DCEP_PPID_CONTROL, &empty), "50: DCEP");
    ok(!meet_dcep_ppid_message(MEET_DCEP_PPID_BINARY_PARTIAL, &empty),
       "52: deprecated");
    ok(!meet_dcep_ppid_message(0, &empty), "0: unknown");
    is_int(meet_dcep_ppid_binary(0), 57, "we send an empty message as 57");
    is_int(meet_dcep_ppid_binary(1), 53, "others as 53");
}


static void
test_reasm(void)
{
    int                 rc;
    size_t              len, i;
    u_char              part[1000];
    const u_char       *msg;
    meet_dcep_reasm_t   r;

    note("reassembly");

    meet_dcep_reasm_init(&r, 2500);

    rc = meet_dcep_reasm_add(&r, 0, 53, (const u_char *) "abc", 3, 1, &msg,
                             &len);
    ok(rc == MEET_DCEP_MSG && len == 3 && memcmp(msg, "abc", 3) == 0,
       "a whole message in one part");
    ok(r.buf == NULL, "without a copy");

    for (i = 0; i < sizeof(part); i++) {
        part[i] = (u_char) i;
    }

    is_int(meet_dcep_reasm_add(&r, 2, 53, part, 1000, 0, &msg, &len),
           MEET_DCEP_MORE, "part 1 of 3");
    is_int(meet_dcep_reasm_add(&r, 2, 53, part, 1000, 0, &msg, &len),
           MEET_DCEP_MORE, "part 2");
    rc = meet_dcep_reasm_add(&r, 2, 53, part, 500, 1, &msg, &len);
    ok(rc == MEET_DCEP_MSG && len == 2500, "part 3: 2500 bytes, the most");
    ok(msg && memcmp(msg + 1000, part, 1000) == 0
       && memcmp(msg + 2000, part, 500) == 0, "in order");

    is_int(meet_dcep_reasm_add(&r, 2, 53, part, 1000, 0, &msg, &len),
           MEET_DCEP_MORE, "over the most: part 1");
    is_int(meet_dcep_reasm_add(&r, 2, 53, part, 1000, 0, &msg, &len),
           MEET_DCEP_MORE, "part 2");
    is_int(meet_dcep_reasm_add(&r, 2, 53, part, 501, 0, &msg, &len),
           MEET_DCEP_MORE, "part 3 crosses the limit");
    is_int(meet_dcep_reasm_add(&r, 2, 53, part, 1000, 1, &msg, &len),
           MEET_DCEP_TOO_BIG, "the last part: too big, reported once");
    ok(r.cap <= 2500, "the buffer never grew past the limit");

    rc = meet_dcep_reasm_add(&r, 2, 53, part, 10, 1, &msg, &len);
    ok(rc == MEET_DCEP_MSG && len == 10, "the next message is fine");

    is_int(meet_dcep_reasm_add(&r, 0, 53, part, 2501, 1, &msg, &len),
           MEET_DCEP_TOO_BIG, "one part over the limit");

    is_int(meet_dcep_reasm_add(&r, 0, 53, part, 100, 0, &msg, &len),
           MEET_DCEP_MORE, "a message begins on stream 0");
    rc = meet_dcep_reasm_add(&r, 4, 51, part, 7, 1, &msg, &len);
    ok(rc == MEET_DCEP_MSG && len == 7 && msg == part,
       "another stream's message: the partial one is dropped");

    is_int(meet_dcep_reasm_add(&r, 0, 57, part, 0, 1, &msg, &len),
           MEET_DCEP_MSG, "empty parts are fine");

    meet_dcep_reasm_free(&r);
    ok(r.buf == NULL && r.cap == 0, "freed");
    meet_dcep_reasm_free(&r);
    ok(1, "twice");
}


int
main(void)
{
    test_parse();
    test_refusals();
    test_write();
    test_ppid();
    test_reasm();

    return done_testing();
}
