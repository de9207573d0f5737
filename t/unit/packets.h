
/*
 * Copyright (C) ngx_meet authors
 *
 * Test packets for the SRTP tests (test_dtls.c, test_srtp.c): rtp()
 * writes an RTP packet (12-byte header, PT 96, timestamp and payload
 * derived from seq), rtcp() a receiver report with one block (32 bytes);
 * both return the length.  The buffer must be large enough.
 */


#ifndef _MEET_TEST_PACKETS_H_INCLUDED_
#define _MEET_TEST_PACKETS_H_INCLUDED_


#include <stdint.h>
#include <string.h>


/* an RTP packet: 12-byte header and a payload derived from seq */

static size_t __attribute__((unused))
rtp(u_char *p, uint16_t seq, uint32_t ssrc, size_t payload)
{
    size_t  i;

    p[0] = 0x80;
    p[1] = 96;
    p[2] = (u_char) (seq >> 8);
    p[3] = (u_char) seq;
    p[4] = 0;
    p[5] = 0;
    p[6] = (u_char) (seq >> 4);
    p[7] = (u_char) (seq << 4);
    p[8] = (u_char) (ssrc >> 24);
    p[9] = (u_char) (ssrc >> 16);
    p[10] = (u_char) (ssrc >> 8);
    p[11] = (u_char) ssrc;

    for (i = 0; i < payload; i++) {
        p[12 + i] = (u_char) (seq + i);
    }

    return 12 + payload;
}


/* an RTCP receiver report with one block */

static size_t __attribute__((unused))
rtcp(u_char *p, uint32_t ssrc)
{
    size_t  i;

    memset(p, 0, 32);

    p[0] = 0x81;
    p[1] = 201;
    p[2] = 0;
    p[3] = 7;
    p[4] = (u_char) (ssrc >> 24);
    p[5] = (u_char) (ssrc >> 16);
    p[6] = (u_char) (ssrc >> 8);
    p[7] = (u_char) ssrc;

    for (i = 8; i < 32; i++) {
        p[i] = (u_char) i;
    }

    return 32;
}


#endif /* _MEET_TEST_PACKETS_H_INCLUDED_ */
