
/*
 * Copyright (C) ngx_meet authors
 *
 * SRTP and SRTCP sessions (RFC 3711, RFC 7714) on libsrtp2, in plain C: no
 * nginx types.  A session pair is made from the keys a DTLS-SRTP handshake
 * exported (RFC 5764, see meet_dtls.h): one libsrtp session for what
 * the peer sends us (keyed with the peer's write key), one for what we
 * send it (keyed with ours), each valid for any SSRC.
 *
 *     meet_srtp_init();                        once per worker process
 *     s = meet_srtp_create(&keys, MEET_SRTP_SERVER);
 *     rc = meet_srtp_unprotect_rtp(s, buf, &len);      received SRTP
 *     rc = meet_srtp_protect_rtp(s, buf, &len, size);  RTP to send
 *     ... _rtcp() likewise ...
 *     meet_srtp_free(s);
 *
 * Packets are processed in place.  The buffer must be 4-byte aligned
 * (libsrtp reads the header as 32-bit words).  Protecting appends the
 * authentication tag (and for SRTCP the 4-byte E flag and index): the
 * buffer must have room for it after the packet, "size" is the whole
 * buffer; MEET_SRTP_TAILROOM bytes always suffice for any profile.  The
 * exact need of a session is meet_srtp_overhead().
 *
 * Replay window: MEET_SRTP_WINDOW packets per SSRC and direction.  On the
 * inbound side it bounds how late a reordered (or NACK-retransmitted, when
 * the publisher has no RTX stream) packet may arrive; on the outbound side
 * it bounds how old a packet may be re-protected for a NACK (with
 * allow_repeat_tx on, the same sequence number may be protected again
 * inside the window, never before it).  1024 packets is about 2.5 s of a
 * 4 Mbit/s screen share and costs 128 bytes per stream.
 *
 * Per packet: these wrappers never allocate.  libsrtp allocates a stream
 * (once) for the first packet of each new SSRC: inbound only after that
 * packet authenticated, outbound on the first protect.  Streams live until
 * meet_srtp_remove_ssrc() or meet_srtp_free().  The crypto backend may
 * allocate per packet: Debian's libsrtp2 is built on NSS, whose PKCS#11
 * layer creates and frees a cipher context per packet (t/unit/test_dtls.c
 * counts it); an OpenSSL-backed libsrtp does not.
 *
 * Processes: libsrtp initialises its crypto backend (NSS on Debian) in
 * meet_srtp_init() and on the first session; NSS does not survive fork(),
 * so call both in worker processes, never in the nginx master.
 */


#ifndef _MEET_SRTP_H_INCLUDED_
#define _MEET_SRTP_H_INCLUDED_


#include <stdint.h>
#include <stddef.h>


/* the same type as nginx's u_char (glibc's <sys/types.h>) */
typedef unsigned char  u_char;


/* SRTP protection profiles: the IANA ids (RFC 5764, RFC 7714) */
#define MEET_SRTP_AES128_CM_SHA1_80     0x0001
#define MEET_SRTP_AES128_CM_SHA1_32     0x0002
#define MEET_SRTP_AEAD_AES_128_GCM      0x0007
#define MEET_SRTP_AEAD_AES_256_GCM      0x0008

#define MEET_SRTP_MAX_KEY_LEN           32
#define MEET_SRTP_MAX_SALT_LEN          14

/*
 * Room after the packet that protecting may need: libsrtp's
 * SRTP_MAX_TRAILER_LEN (16-byte tag + 128-byte MKI) plus 4 for SRTCP's
 * E flag and index.  Without MKI the real need is at most 20 bytes
 * (SRTCP with a GCM tag): see meet_srtp_overhead().
 */
#define MEET_SRTP_TAILROOM              148

/* replay window, packets (libsrtp accepts 64 to 32767) */
#define MEET_SRTP_WINDOW                1024

/* which end of the DTLS handshake we were */
#define MEET_SRTP_SERVER                0
#define MEET_SRTP_CLIENT                1

/* results: 0 or one of these */
#define MEET_SRTP_OK                    0
#define MEET_SRTP_ERR_AUTH              (-1) /* authentication failed */
#define MEET_SRTP_ERR_REPLAY            (-2) /* seen, or older than the
                                                replay window */
#define MEET_SRTP_ERR_LENGTH            (-3) /* too short, or header
                                                longer than the packet */
#define MEET_SRTP_ERR_TAILROOM          (-4) /* no room for the tag */
#define MEET_SRTP_ERR_FAILED            (-5) /* anything else */


/*
 * The keying material of one DTLS-SRTP association (RFC 5764 §4.2):
 * "client" keys protect what the DTLS client sends, "server" keys what
 * the DTLS server sends.  key_len and salt_len follow the profile:
 * AES128_CM: 16 + 14, AEAD_AES_128_GCM: 16 + 12, AEAD_AES_256_GCM: 32 + 12.
 */
typedef struct {
    unsigned                  profile;      /* MEET_SRTP_AES128_CM_... */
    size_t                    key_len;
    size_t                    salt_len;
    u_char                    client_key[MEET_SRTP_MAX_KEY_LEN];
    u_char                    server_key[MEET_SRTP_MAX_KEY_LEN];
    u_char                    client_salt[MEET_SRTP_MAX_SALT_LEN];
    u_char                    server_salt[MEET_SRTP_MAX_SALT_LEN];
} meet_srtp_keys_t;


typedef struct meet_srtp_s  meet_srtp_t;


/* srtp_init(): once per process, before any session; 0 or -1 */
int meet_srtp_init(void);

/* srtp_shutdown(), after the last session is freed */
void meet_srtp_shutdown(void);

/*
 * Key and salt lengths of a profile; 0 when the profile is not one of the
 * four above.
 */
size_t meet_srtp_key_len(unsigned profile);
size_t meet_srtp_salt_len(unsigned profile);

/*
 * A session pair.  role MEET_SRTP_SERVER: inbound uses the client's keys,
 * outbound the server's (our case: we answer with a=setup:passive);
 * MEET_SRTP_CLIENT the other way round.  NULL on failure (unknown profile,
 * lengths not those of the profile, libsrtp error, no memory); "err", if
 * not NULL, then gets a static description.
 */
meet_srtp_t *meet_srtp_create(const meet_srtp_keys_t *keys, int role,
    const char **err);
void meet_srtp_free(meet_srtp_t *s);

/* the profile of the session */
unsigned meet_srtp_profile(meet_srtp_t *s);

/* bytes protecting adds: RTP (rtcp == 0) or RTCP (rtcp == 1) */
size_t meet_srtp_overhead(meet_srtp_t *s, int rtcp);

/*
 * In place.  *len: the packet length on input, the result's on success
 * (unchanged on failure).  Protect: "size" is the buffer size, at least
 * *len + meet_srtp_overhead() (else MEET_SRTP_ERR_TAILROOM).  Returns
 * MEET_SRTP_OK or a MEET_SRTP_ERR_*.
 */
int meet_srtp_protect_rtp(meet_srtp_t *s, u_char *buf, size_t *len,
    size_t size);
int meet_srtp_unprotect_rtp(meet_srtp_t *s, u_char *buf, size_t *len);
int meet_srtp_protect_rtcp(meet_srtp_t *s, u_char *buf, size_t *len,
    size_t size);
int meet_srtp_unprotect_rtcp(meet_srtp_t *s, u_char *buf, size_t *len);

/*
 * Forgets the stream of an SSRC (host byte order) in one direction
 * (outbound != 0: what we send), e.g. when a track ends, so that a long
 * session does not keep one per SSRC it ever saw.  0, or -1 when there
 * was none.
 */
int meet_srtp_remove_ssrc(meet_srtp_t *s, uint32_t ssrc, int outbound);

/* "ok", "authentication failed", "replayed packet", ... */
const char *meet_srtp_strerror(int rc);


#endif /* _MEET_SRTP_H_INCLUDED_ */
