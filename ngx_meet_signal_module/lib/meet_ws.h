
/*
 * Copyright (C) ngx_meet authors
 *
 * RFC 6455 WebSocket framing for the server side of a connection, in plain
 * C: no nginx types, no allocation, no I/O.  The caller reads bytes into
 * its own buffer and asks this code what they mean.  Every function accepts
 * any bytes and any lengths without reading or writing outside the ranges
 * it is given.
 *
 * Conventions: functions returning int return 0 (or a positive length) on
 * success and a negative RFC 6455 close code on a protocol error, e.g.
 * -MEET_WS_CLOSE_PROTOCOL_ERROR: the caller sends a close frame with code
 * -rc and stops reading (the receive state is not meant to be used after
 * an error).  -1011 (MEET_WS_CLOSE_INTERNAL) means the caller passed
 * arguments that cannot be right (NULL, data outside the payload).
 *
 * Receiving, per connection:
 *
 *     meet_ws_state_init(&st, max_frame, max_message);
 *
 *     for each frame:
 *         rc = meet_ws_parse_header(&f, buf, len, st.max_frame);
 *             rc == 0: read more bytes; rc < 0: close with -rc;
 *             rc > 0: the header is rc bytes, f describes the frame
 *         rc = meet_ws_frame_begin(&st, &f);        sequencing, sizes
 *         for each piece of the payload as it arrives:
 *             rc = meet_ws_frame_data(&st, &f, p, n, offset);
 *                                                   unmask, UTF-8 of text
 *         rc = meet_ws_frame_end(&st, &f);          end of text message
 *         close frames: meet_ws_parse_close() on the unmasked payload
 */


#ifndef _MEET_WS_H_INCLUDED_
#define _MEET_WS_H_INCLUDED_


#include <stdint.h>
#include <stddef.h>


/* the same type as nginx's u_char (glibc's <sys/types.h>) */
typedef unsigned char  u_char;


#define MEET_WS_OP_CONT                 0x0
#define MEET_WS_OP_TEXT                 0x1
#define MEET_WS_OP_BINARY               0x2
#define MEET_WS_OP_CLOSE                0x8
#define MEET_WS_OP_PING                 0x9
#define MEET_WS_OP_PONG                 0xa

#define MEET_WS_OP_IS_CONTROL(op)       (((op) & 0x8) != 0)

#define MEET_WS_CLOSE_NORMAL            1000
#define MEET_WS_CLOSE_GOING_AWAY        1001
#define MEET_WS_CLOSE_PROTOCOL_ERROR    1002
#define MEET_WS_CLOSE_UNSUPPORTED       1003
#define MEET_WS_CLOSE_NO_STATUS         1005  /* never sent: empty close */
#define MEET_WS_CLOSE_ABNORMAL          1006  /* never sent: no close */
#define MEET_WS_CLOSE_INVALID_DATA      1007
#define MEET_WS_CLOSE_POLICY            1008
#define MEET_WS_CLOSE_TOO_BIG           1009
#define MEET_WS_CLOSE_INTERNAL          1011
#define MEET_WS_CLOSE_SERVICE_RESTART   1012
#define MEET_WS_CLOSE_TRY_AGAIN_LATER   1013

#define MEET_WS_AGAIN                   0

/* Sec-WebSocket-Accept value, without a terminating NUL */
#define MEET_WS_ACCEPT_LEN              28
/* a valid Sec-WebSocket-Key: base64 of 16 bytes */
#define MEET_WS_KEY_LEN                 24
/* the longest key meet_ws_accept_key() hashes */
#define MEET_WS_KEY_MAX                 128

/* longest client (masked) frame header: 2 + 8 + 4 */
#define MEET_WS_MAX_HEADER              14
/* longest server (unmasked) frame header: 2 + 8 */
#define MEET_WS_MAX_SERVER_HEADER       10
/* largest control frame payload */
#define MEET_WS_MAX_CONTROL             125
/* largest close reason: 125 minus the 2-byte code */
#define MEET_WS_MAX_CLOSE_REASON        123
/* a whole server close frame: 2-byte header + 125 */
#define MEET_WS_CLOSE_FRAME_MAX         127

#define MEET_WS_UTF8_ACCEPT             0
#define MEET_WS_UTF8_REJECT             1


/* one frame header, as parsed */
typedef struct {
    uint64_t                  payload_len;
    u_char                    mask[4];
    u_char                    opcode;
    u_char                    fin;          /* 0 or 1 */
    u_char                    header_len;   /* 6 to 14 */
} meet_ws_frame_t;


/* per-connection receive state; only meet_ws_* functions change it */
typedef struct {
    uint64_t                  max_frame;    /* payload bytes of one frame */
    uint64_t                  max_message;  /* data bytes of one message */
    uint64_t                  message_len;  /* announced so far, open msg */
    uint32_t                  utf8;         /* validator state, open text */
    u_char                    message_op;   /* TEXT/BINARY if open, else 0 */
} meet_ws_state_t;


/*
 * Handshake.  meet_ws_key_valid(): 1 when key is a Sec-WebSocket-Key (24
 * base64 characters that decode to 16 bytes: 22 of the alphabet, then
 * "=="), else 0.  meet_ws_accept_key() writes the 28-character
 * Sec-WebSocket-Accept for it: base64(SHA-1(key + RFC 6455 GUID)); 0 on
 * success, -1 if len > MEET_WS_KEY_MAX or OpenSSL fails.
 */
int meet_ws_key_valid(const u_char *key, size_t len);
int meet_ws_accept_key(const u_char *key, size_t len,
    u_char out[MEET_WS_ACCEPT_LEN]);

/*
 * Parses the client frame header at buf.  Returns its length (> 0) and
 * fills f; MEET_WS_AGAIN (0) when more bytes are needed (nothing is
 * decided on a prefix of a valid header); or -1002 (RSV bits, unknown
 * opcode, unmasked frame, fragmented or > 125 byte control frame, 64-bit
 * length with its top bit set) or -1009 (payload_len > max_frame).  An
 * error may be reported before the whole header is there.
 */
int meet_ws_parse_header(meet_ws_frame_t *f, const u_char *buf, size_t len,
    uint64_t max_frame);

/* limits in bytes; the state starts with no message open */
void meet_ws_state_init(meet_ws_state_t *st, uint64_t max_frame,
    uint64_t max_message);

/*
 * Call for each parsed header, before its payload.  Checks message
 * sequencing (-1002: continuation with no message open, text/binary while
 * a message is open; control frames may come between fragments) and size
 * (-1009: the frame or the message it belongs to exceeds the limits, known
 * from the announced lengths before any payload is read).  0 when fine.
 */
int meet_ws_frame_begin(meet_ws_state_t *st, const meet_ws_frame_t *f);

/*
 * Call for each piece of the payload of frame f, in order: p[0..n) are the
 * payload bytes at "offset" from the start of the payload.  Unmasks them in
 * place; for a text message also checks UTF-8 across pieces and fragments
 * (-1007 at the first invalid byte).  -1011 if the piece lies outside the
 * payload (a caller bug).  0 when fine.
 */
int meet_ws_frame_data(meet_ws_state_t *st, const meet_ws_frame_t *f,
    u_char *p, size_t n, uint64_t offset);

/*
 * Call when the whole payload of f was given to meet_ws_frame_data().  On
 * the last frame of a message, checks that a text message does not end
 * inside a UTF-8 sequence (-1007) and closes the message.  0 when fine.
 */
int meet_ws_frame_end(meet_ws_state_t *st, const meet_ws_frame_t *f);

/* XORs p[0..n) with the mask, p[0] being payload byte number "offset" */
void meet_ws_unmask(u_char *p, size_t n, const u_char mask[4],
    uint64_t offset);

/*
 * Incremental UTF-8 validation (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF).  Start with state MEET_WS_UTF8_ACCEPT and feed
 * the pieces in order; the result is MEET_WS_UTF8_REJECT (which sticks) at
 * the first invalid byte, MEET_WS_UTF8_ACCEPT at a character boundary, and
 * another value inside a character.  meet_ws_utf8_valid() checks a whole
 * string: 1 or 0.
 */
uint32_t meet_ws_utf8(uint32_t state, const u_char *p, size_t n);
int meet_ws_utf8_valid(const u_char *p, size_t n);

/*
 * Close codes a peer may send: 1000-1003, 1007-1014 and 3000-4999.
 * Returns 1 or 0.
 */
int meet_ws_close_code_valid(unsigned code);

/*
 * Parses an (unmasked) close frame payload.  Empty: code 1005 (no
 * status).  Returns 0; -1002 for 1 byte, more than 125 bytes or a code
 * meet_ws_close_code_valid() refuses; -1007 when the reason is not UTF-8.
 * code, reason and reason_len may be NULL; reason points into p.
 */
int meet_ws_parse_close(const u_char *p, size_t n, unsigned *code,
    const u_char **reason, size_t *reason_len);

/*
 * Writes the header of a server (unmasked) frame: 2, 4 or 10 bytes.
 * Returns the length, or 0 when the opcode is unknown, a control frame has
 * fin == 0 or len > 125, len has its top bit set, or size is too small
 * (MEET_WS_MAX_SERVER_HEADER is always enough).
 */
size_t meet_ws_encode_header(u_char *buf, size_t size, int fin,
    unsigned opcode, uint64_t len);

/*
 * Writes a close frame payload: the 2-byte code, then the reason cut to
 * what fits (at most MEET_WS_MAX_CLOSE_REASON bytes) on a UTF-8 character
 * boundary; a reason that is not UTF-8 is left out.  A code that must not
 * be sent (see meet_ws_close_code_valid(), e.g. 1005) gives an empty
 * payload.  Returns the payload length: 0, or 2 to 125.
 */
size_t meet_ws_close_payload(u_char *buf, size_t size, unsigned code,
    const u_char *reason, size_t reason_len);

/*
 * The same as a whole server close frame (header and payload): returns its
 * length, 2 to MEET_WS_CLOSE_FRAME_MAX, or 0 if size < 2.
 */
size_t meet_ws_close_frame(u_char *buf, size_t size, unsigned code,
    const u_char *reason, size_t reason_len);


#endif /* _MEET_WS_H_INCLUDED_ */
