
/*
 * Copyright (C) ngx_meet authors
 *
 * WebRTC data channels above SCTP, in plain C: no nginx types, no SCTP
 * stack.  The Data Channel Establishment Protocol (RFC 8832): parse a
 * DATA_CHANNEL_OPEN, write DATA_CHANNEL_OPEN and DATA_CHANNEL_ACK; the
 * payload protocol identifiers of RFC 8831 6.6 (PPIDs); what a channel's
 * type means for the messages sent on it; LiveKit's channel labels; and
 * the reassembly of a message that the SCTP stack hands over in parts
 * (partial delivery), bounded by a maximum message size.
 *
 *     a message on stream sid with ppid:
 *         ppid == MEET_DCEP_PPID_CONTROL:
 *             meet_dcep_parse(p, n, &open, &err)
 *                 MEET_DCEP_OPEN: accept (answer meet_dcep_write_ack())
 *                                 or refuse (reset the stream)
 *                 MEET_DCEP_ACK:  the peer accepted a channel we opened
 *         meet_dcep_ppid_message(ppid, &empty): a user message
 *
 *     parts of a message, in order (one message at a time per
 *     association: SCTP's partial delivery without interleaving):
 *         rc = meet_dcep_reasm_add(&r, sid, ppid, p, n, eor, &msg, &len);
 *         MEET_DCEP_MSG: msg/len is the whole message (valid until the
 *                        next call); MEET_DCEP_MORE: wait for the rest;
 *         MEET_DCEP_TOO_BIG: the message was over the maximum and is
 *                        dropped whole (reported once, at its last part).
 */


#ifndef _MEET_DCEP_H_INCLUDED_
#define _MEET_DCEP_H_INCLUDED_


#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>


/* RFC 8831 8 and RFC 8832 8.1: payload protocol identifiers */
#define MEET_DCEP_PPID_CONTROL          50
#define MEET_DCEP_PPID_STRING           51
#define MEET_DCEP_PPID_BINARY_PARTIAL   52     /* deprecated */
#define MEET_DCEP_PPID_BINARY           53
#define MEET_DCEP_PPID_STRING_PARTIAL   54     /* deprecated */
#define MEET_DCEP_PPID_STRING_EMPTY     56
#define MEET_DCEP_PPID_BINARY_EMPTY     57

/* RFC 8832 5.1: message types */
#define MEET_DCEP_ACK                   0x02
#define MEET_DCEP_OPEN                  0x03

/* RFC 8832 5.1: channel types; the high bit: unordered */
#define MEET_DCEP_RELIABLE              0x00
#define MEET_DCEP_PARTIAL_REXMIT        0x01
#define MEET_DCEP_PARTIAL_TIMED         0x02
#define MEET_DCEP_UNORDERED             0x80

#define MEET_DCEP_OPEN_HEADER           12     /* before label and protocol */

/* results */
#define MEET_DCEP_ERROR                 -1
#define MEET_DCEP_MORE                  0
#define MEET_DCEP_MSG                   1
#define MEET_DCEP_TOO_BIG               2


typedef struct {
    uint8_t              type;           /* MEET_DCEP_OPEN or _ACK */
    uint8_t              channel_type;
    uint16_t             priority;
    uint32_t             reliability;    /* retransmissions or ms */
    const u_char        *label;          /* in the parsed buffer */
    size_t               label_len;
    const u_char        *protocol;
    size_t               protocol_len;
} meet_dcep_msg_t;


/* LiveKit's labels (client-sdk-js src/room/data-channel/
   DataChannelManager.ts) */
typedef enum {
    MEET_DCEP_LABEL_OTHER = 0,
    MEET_DCEP_LABEL_RELIABLE,            /* "_reliable" */
    MEET_DCEP_LABEL_LOSSY,               /* "_lossy" */
    MEET_DCEP_LABEL_DATA_TRACK,          /* "_data_track" */
    MEET_DCEP_LABEL_LAST
} meet_dcep_label_e;


/* how the messages of a channel are sent (RFC 8831 6.4) */
typedef enum {
    MEET_DCEP_PR_NONE = 0,               /* reliable */
    MEET_DCEP_PR_RTX,                    /* at most value retransmissions */
    MEET_DCEP_PR_TTL                     /* given up after value ms */
} meet_dcep_pr_e;


/*
 * A DCEP message (PPID 50).  MEET_DCEP_OPEN or MEET_DCEP_ACK with *m
 * filled (label and protocol point into p), or MEET_DCEP_ERROR with a
 * static reason in *err: truncated, a label or protocol longer than the
 * message, an unknown message or channel type, bytes after an ACK.
 */
int meet_dcep_parse(const u_char *p, size_t n, meet_dcep_msg_t *m,
    const char **err);

/* DATA_CHANNEL_ACK into buf: its length (1), 0 if size is too small */
size_t meet_dcep_write_ack(u_char *buf, size_t size);

/* DATA_CHANNEL_OPEN of m into buf: its length, 0 if it does not fit or a
   label or protocol is over 65535 bytes */
size_t meet_dcep_write_open(u_char *buf, size_t size,
    const meet_dcep_msg_t *m);

meet_dcep_label_e meet_dcep_label(const meet_dcep_msg_t *m);
const char *meet_dcep_label_name(meet_dcep_label_e label);

/* the sending of a channel opened with m: unordered (1/0), its partial
   reliability policy and value */
void meet_dcep_send_params(const meet_dcep_msg_t *m, int *unordered,
    meet_dcep_pr_e *policy, uint32_t *value);

/*
 * A user message's PPID: 1 (and *empty: the message is empty, its one
 * byte of payload is padding, RFC 8831 6.6), or 0 for a PPID that carries
 * no user message (DCEP, the deprecated partial ones, unknown ones).
 */
int meet_dcep_ppid_message(uint32_t ppid, int *empty);

/* the PPID of a binary message of len bytes we send (57 when empty,
   which then carries one zero byte) */
uint32_t meet_dcep_ppid_binary(size_t len);


/* reassembly */

typedef struct {
    u_char              *buf;            /* malloc()ed, grows to max */
    size_t               len;
    size_t               cap;
    size_t               max;            /* the largest message kept */
    uint16_t             sid;            /* of the message in progress */
    uint32_t             ppid;
    unsigned             busy:1;         /* a message is in progress */
    unsigned             dropping:1;     /* ... and over max: dropped */
} meet_dcep_reasm_t;

void meet_dcep_reasm_init(meet_dcep_reasm_t *r, size_t max);
/* the buffer is freed; r can be used again */
void meet_dcep_reasm_free(meet_dcep_reasm_t *r);

/*
 * One part of a message (eor: the last).  A part of another stream or
 * PPID while a message is in progress starts over (the one in progress is
 * dropped: MEET_DCEP_TOO_BIG is not reported for it).  A whole message in
 * one part is given back without a copy (*msg = p).  MEET_DCEP_ERROR:
 * no memory (the message is dropped).
 */
int meet_dcep_reasm_add(meet_dcep_reasm_t *r, uint16_t sid, uint32_t ppid,
    const u_char *p, size_t n, int eor, const u_char **msg, size_t *len);


#endif /* _MEET_DCEP_H_INCLUDED_ */
