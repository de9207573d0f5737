/* sources: ngx_meet_routing_module/auth/lib/meet_jose.c */
/* sources: ngx_meet_routing_module/auth/lib/meet_oidc.c */
/* sources: ngx_meet_core/lib/meet_jwt.c */

/*
 * Copyright (C) ngx_meet authors
 *
 * Unit tests of the OIDC relying-party library (meet_jose.c, meet_oidc.c).
 *
 * Vectors:
 *   - rfc7515_a2, rfc7515_a3: RFC 7515 appendix A.2 (RS256) and A.3
 *     (ES256) JWS with their public keys, as printed in the RFC;
 *   - rfc7517_a1: the RFC 7517 appendix A.1 public key set (an EC key with
 *     "use":"enc", skipped, and the RSA key "2011-04-29");
 *   - rfc7636: the RFC 7636 appendix B code_verifier and S256 challenge;
 *   - vec_*: generated with jose 5.10 (panva/jose, npm "jose@5") under
 *     node 20: four fresh keys (rsa1, rsa2 RSA-2048; ec1, ec2 P-256),
 *     tokens from SignJWT at NOW (issuer ISS, audience CID); vec_id_crit,
 *     vec_id_nokid_* from node:crypto sign() (jose writes no crit nor a
 *     header without kid); vec_id_none from jose's UnsecuredJWT; the
 *     valid ones were checked with jose's jwtVerify at NOW.  jwks1 holds
 *     rsa1, ec1, an Ed25519 key (RFC 8037 A.2's public x) and an "oct" key;
 *     jwks2 rsa1 and rsa2 (a rotation).  vec_ec2_pem is ec2's private key,
 *     used to sign payloads here (ES256 through EVP, the signature turned
 *     from DER into r || s), so that every claim rule is also reached
 *     through a signature.  The node scripts are not kept (node_modules);
 *     they only serialized these values.
 * The checks against the values come from the RFCs and OIDC Core 3.1.3.7,
 * Back-Channel Logout 1.0 2.6, Discovery 1.0 4.3, RFC 6749 5.1/5.2.
 */


#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ec.h>
#include <openssl/bn.h>

#include "tap.h"
#include "meet_oidc.h"
#include "jose_vectors.h"


#define NOW            1700000000LL
#define ISS            "https://idp.example.com"
#define CID            "meet-client"
#define NONCE          "n-0S6_WzA2Mj"


static const char  rfc7517_a1[] =
    "{\"keys\":"
    " [{\"kty\":\"EC\",\"crv\":\"P-256\","
    "\"x\":\"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4\","
    "\"y\":\"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM\","
    "\"use\":\"enc\",\"kid\":\"1\"},"
    "  {\"kty\":\"RSA\","
    "\"n\": \"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT"
    "86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY"
    "4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs"
    "8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQF"
    "h6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKn"
    "qDKgw\",\"e\":\"AQAB\",\"alg\":\"RS256\",\"kid\":\"2011-04-29\"}]}";


static const char  vec_jwks2[] =
    "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"udXb0F7SXudlvHG8WOP0i2In2gXjn4"
    "71wtsdZKiDjA1zaiN2nj0JfS7MUue6cvXeEcIFOb7HfVOBtyF9Bi9HwlTAq7RajiHg"
    "kmWJ0zn_9Uny5ldTWA6cS3YN049h_QVz8exTlys5UhYn-yKJgFHGDV1tCKEFwTRVlE"
    "cCVE8GmNDvyEDK-d8wxuqzFzVJScqRK5gp6YjCjZCKvI3xl0Milw8hHd6xu8vsvUYp"
    "-lbYRN3m7jVC8yB5khjS_c-DrTS2bKU8-75Nva7rD_cmPvXYEIXBV_ZIIo-EaeFfcQ"
    "5bCR9DRIgN8I2JaH3nPsf5CVEFhE5VsD6IlOV27bcyvYxoKw\",\"e\":\"AQAB\","
    "\"kid\":\"rsa1\",\"use\":\"sig\",\"alg\":\"RS256\"},{\"kty\":\"RSA"
    "\",\"n\":\"wB4PWBjDnjLAEvkisVwhKlhWMuzx7ik8VWpl9TCfJRkAc0kc7q-Xdff"
    "PBYOqmOS2bWhogdixP6Ihn5ACXgZDunlVe2daBpZG9dBw8vhoy-kfzBPdcq1qzMAzA"
    "GpBHh_iV1GFKawX4sOd0DT1gG7r352gyXPVLTXRtepTUy_8gP4Oy7ve7lqut8HbCQn"
    "pOHh_VR1EJ0F3L4PUYiaafrD0LtsKaCmd1HTYe32U0X5XFcbwWea5mRA2qiyByemng"
    "f7GhKXXIxDZIKZ-VAaK3l5N7e8Lma8hwAebyW01X-g937QX_OkmO9phOhvzwxOBW12"
    "fEO3_DaphP243So_xzM0EaQ\",\"e\":\"AQAB\",\"kid\":\"rsa2\",\"use\":"
    "\"sig\"}]}";


static const char  vec_id_rs[] =
    "eyJhbGciOiJSUzI1NiIsImtpZCI6InJzYTEiLCJ0eXAiOiJKV1QifQ.eyJpc3MiOiJ"
    "odHRwczovL2lkcC5leGFtcGxlLmNvbSIsImF1ZCI6Im1lZXQtY2xpZW50Iiwic3ViI"
    "joidXNlci0xIiwiaWF0IjoxNjk5OTk5OTkwLCJleHAiOjE3MDAwMDAzMDAsImF1dGh"
    "fdGltZSI6MTY5OTk5OTk0MCwibm9uY2UiOiJuLTBTNl9XekEyTWoiLCJzaWQiOiJza"
    "WQtNDIiLCJlbWFpbCI6ImFsaWNlQGV4YW1wbGUuY29tIiwiZW1haWxfdmVyaWZpZWQ"
    "iOnRydWUsIm5hbWUiOiJBbGljZSBFeGFtcGxlIiwicHJlZmVycmVkX3VzZXJuYW1lI"
    "joiYWxpY2UiLCJhdF9oYXNoIjoieCJ9.sZ8rNWqASPX98-QXbI4xqsC1NIx6z2YPLl"
    "O1eCVo6G3Od5x2tPo9xvSRox5e5c7Jpfheta4cPQCG-IlmJ5IsEpu0LPUtoTcOZ9pi"
    "jg0I1JzeqdiqZid94r5n0z79BgdubCae6voinaIie4nW3t9RBakiDMwbOqc8AH6T9v"
    "5GluqBw3X4uVMVMSxPekyGvdpb5E9SEabGlTw2WlReGfLmMTPYoiPPHmP44YG-bLXj"
    "iG9nVY3-wjOrADNNdI8574JyM8vyvG7mc5DVUD3iknB3Rl81juc9ey3_9Wr-XOYKMY"
    "-HST8uMV1yFMes3Y--J9ZfcshZmBmQyy0HReJHZv3ODA";

static const char  vec_id_es[] =
    "eyJhbGciOiJFUzI1NiIsImtpZCI6ImVjMSIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJod"
    "HRwczovL2lkcC5leGFtcGxlLmNvbSIsImF1ZCI6WyJtZWV0LWNsaWVudCIsIm90aGV"
    "yLXJwIl0sInN1YiI6InVzZXItMiIsImlhdCI6MTY5OTk5OTk5MCwiZXhwIjoxNzAwM"
    "DAwMzAwLCJhdXRoX3RpbWUiOjE2OTk5OTk5NDAsIm5vbmNlIjoibi0wUzZfV3pBMk1"
    "qIiwic2lkIjoic2lkLTQyIiwiZW1haWwiOiJhbGljZUBleGFtcGxlLmNvbSIsImVtY"
    "WlsX3ZlcmlmaWVkIjp0cnVlLCJuYW1lIjoiQWxpY2UgRXhhbXBsZSIsInByZWZlcnJ"
    "lZF91c2VybmFtZSI6ImFsaWNlIiwiYXRfaGFzaCI6IngiLCJhenAiOiJtZWV0LWNsa"
    "WVudCJ9.WyGB_i8-q76CpCCGN0_pk4hsiTEgTHwgq4c0rcByZHBUePi80n7BdVo-Gr"
    "ypnTiUpycXlgORJt0opmAzrA434w";

static const char  vec_id_rotated[] =
    "eyJhbGciOiJSUzI1NiIsImtpZCI6InJzYTIiLCJ0eXAiOiJKV1QifQ.eyJpc3MiOiJ"
    "odHRwczovL2lkcC5leGFtcGxlLmNvbSIsImF1ZCI6Im1lZXQtY2xpZW50Iiwic3ViI"
    "joidXNlci0xIiwiaWF0IjoxNjk5OTk5OTkwLCJleHAiOjE3MDAwMDAzMDAsImF1dGh"
    "fdGltZSI6MTY5OTk5OTk0MCwibm9uY2UiOiJuLTBTNl9XekEyTWoiLCJzaWQiOiJza"
    "WQtNDIiLCJlbWFpbCI6ImFsaWNlQGV4YW1wbGUuY29tIiwiZW1haWxfdmVyaWZpZWQ"
    "iOnRydWUsIm5hbWUiOiJBbGljZSBFeGFtcGxlIiwicHJlZmVycmVkX3VzZXJuYW1lI"
    "joiYWxpY2UiLCJhdF9oYXNoIjoieCJ9.YuClkBJ95szgeDItHgfZ3_talTzKfk5qrB"
    "a-8P94XxDJ0yiCOsCks1n2xuWmR591rCWQIGGmAZFZsCHCwjk1zdY_K-_fJGGBhjje"
    "oGlzB2ac4HJyFYooBQn86Kq_3IOPZwL3Z00R5u0PPG5laRt1da6cDu1u1ctThPg0a-"
    "x6j8TBNQaKCyhXAuuGasIrRGpQdG4x9KQLA8iXx0VXGxhYHmdN8yZ3cswaZ1aSqdEi"
    "Xwvw3Kybx3o3pAqzWePcRmvhDlEI6raRD416xVGjBCdXIX7UEudGZ_nVk0nGaOPzTG"
    "6I9xHlus_Qdv7CCE1YVznIXXdFRUjGka8xEtEc3xTqLg";

static const char  vec_id_expired[] =
    "eyJhbGciOiJSUzI1NiIsImtpZCI6InJzYTEiLCJ0eXAiOiJKV1QifQ.eyJpc3MiOiJ"
    "odHRwczovL2lkcC5leGFtcGxlLmNvbSIsImF1ZCI6Im1lZXQtY2xpZW50Iiwic3ViI"
    "joidXNlci0xIiwiaWF0IjoxNjk5OTk2MDAwLCJleHAiOjE2OTk5OTY0MDAsImF1dGh"
    "fdGltZSI6MTY5OTk5OTk0MCwibm9uY2UiOiJuLTBTNl9XekEyTWoiLCJzaWQiOiJza"
    "WQtNDIiLCJlbWFpbCI6ImFsaWNlQGV4YW1wbGUuY29tIiwiZW1haWxfdmVyaWZpZWQ"
    "iOnRydWUsIm5hbWUiOiJBbGljZSBFeGFtcGxlIiwicHJlZmVycmVkX3VzZXJuYW1lI"
    "joiYWxpY2UiLCJhdF9oYXNoIjoieCJ9.KsHeDKJ1mUgp-A0mLPH8Z0GZ-xRJwOHnrD"
    "-6Jt40QJ6m_r2BPkakoVOqAQfwbKT-31rW2EDRKxyFHs95WHmTCV7Zs9IqTpdKrUSL"
    "Qru4SSlG-rz9h4PXeOCdHGUljiGZvg3uG47crywZYKNdGHf8qm4Od5XiyqXiPYs-2T"
    "mbgU2Rd3tzSd5BMm-MTt0QjD9cuNDZv-9K1sehzJLZoQfqVL2la2Xb_ybSCbAWNyY7"
    "-a8hP5yw-Xjnby0vs8CTfNBTInfo_IlRVi6frTuJtLtYwdIJFhf7GHHnocu6zlWmSr"
    "PEhJwOI0XykHVyYk_ZHrYQhwQ-KnZegLSNnde9Dmaxrg";

static const char  vec_id_wrong_aud[] =
    "eyJhbGciOiJSUzI1NiIsImtpZCI6InJzYTEiLCJ0eXAiOiJKV1QifQ.eyJpc3MiOiJ"
    "odHRwczovL2lkcC5leGFtcGxlLmNvbSIsImF1ZCI6InNvbWVvbmUtZWxzZSIsInN1Y"
    "iI6InVzZXItMSIsImlhdCI6MTY5OTk5OTk5MCwiZXhwIjoxNzAwMDAwMzAwLCJhdXR"
    "oX3RpbWUiOjE2OTk5OTk5NDAsIm5vbmNlIjoibi0wUzZfV3pBMk1qIiwic2lkIjoic"
    "2lkLTQyIiwiZW1haWwiOiJhbGljZUBleGFtcGxlLmNvbSIsImVtYWlsX3ZlcmlmaWV"
    "kIjp0cnVlLCJuYW1lIjoiQWxpY2UgRXhhbXBsZSIsInByZWZlcnJlZF91c2VybmFtZ"
    "SI6ImFsaWNlIiwiYXRfaGFzaCI6IngifQ.Mgo1seQD0e1taobCUCfTvXf8Epz-1qsa"
    "E32E1x_u_4fg34PAeObhJD5c-lSKA-Y49i3996EJaUxKEj-cxVHRr6hlaNwcGKD7f-"
    "ziAOnarBzvQjvlkPhaflqslS7dN-oGPOsoEUStsuWOsXE_ofKMrkrSofDYyr0punQD"
    "Tj5v01KYwO89-UJE2jlWfMbE0mSScVSxOzCS1yZ7CrYcpW6oTpZdOydF42QCIyW195"
    "fTZ8XBlReomdFpcuA9D1Xz1DKdiGHNWMpLxvQzRRbVU2sEl9rdYFecaYEon714SQeO"
    "3iOFXiwOeqUotw1SH4m3U1zngn3DqIu8bDaIGmS9XxDRMg";

static const char  vec_id_es_as_rs[] =
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImVjMSIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJod"
    "HRwczovL2lkcC5leGFtcGxlLmNvbSIsImF1ZCI6Im1lZXQtY2xpZW50Iiwic3ViIjo"
    "idXNlci0xIiwiaWF0IjoxNjk5OTk5OTkwLCJleHAiOjE3MDAwMDAzMDAsImF1dGhfd"
    "GltZSI6MTY5OTk5OTk0MCwibm9uY2UiOiJuLTBTNl9XekEyTWoiLCJzaWQiOiJzaWQ"
    "tNDIiLCJlbWFpbCI6ImFsaWNlQGV4YW1wbGUuY29tIiwiZW1haWxfdmVyaWZpZWQiO"
    "nRydWUsIm5hbWUiOiJBbGljZSBFeGFtcGxlIiwicHJlZmVycmVkX3VzZXJuYW1lIjo"
    "iYWxpY2UiLCJhdF9oYXNoIjoieCJ9.kcMYVXb0eYSMpTBVo3yZVvvxOBc6KI8m4Vd4"
    "paE5h3msqFFxy4wv31y-AISP_gXpBX43eYJfmiowTCt7awZrfJQPRWROQM2s9Ky5qZ"
    "jfweDgVZPBHpxMcQJOqm1B6BCzWlRNrzOqx3NLZbIwjbgnk7qWjAPPXlcs7t0xKSwq"
    "t2M_BMYaBQ1d3i8MSy_mhSvVWJN10DYi3IFfZP16-KuII5L2flJgWMKs1LzS_mpJxq"
    "1bTrOwQJqBvLZY2blbhnKCS2sW7jxJeE_CunFhFU9trOtbffUjM5_EQvp3hpJq63Wy"
    "glqT1PKzyjjSqIUeGlbFkXOsB09SFpu5Kw0ePgrQig";

static const char  vec_id_hs256[] =
    "eyJhbGciOiJIUzI1NiIsImtpZCI6ImhtYWMxIn0.eyJpc3MiOiJodHRwczovL2lkcC"
    "5leGFtcGxlLmNvbSIsImF1ZCI6Im1lZXQtY2xpZW50Iiwic3ViIjoidXNlci0xIiwi"
    "aWF0IjoxNjk5OTk5OTkwLCJleHAiOjE3MDAwMDAzMDAsImF1dGhfdGltZSI6MTY5OT"
    "k5OTk0MCwibm9uY2UiOiJuLTBTNl9XekEyTWoiLCJzaWQiOiJzaWQtNDIiLCJlbWFp"
    "bCI6ImFsaWNlQGV4YW1wbGUuY29tIiwiZW1haWxfdmVyaWZpZWQiOnRydWUsIm5hbW"
    "UiOiJBbGljZSBFeGFtcGxlIiwicHJlZmVycmVkX3VzZXJuYW1lIjoiYWxpY2UiLCJh"
    "dF9oYXNoIjoieCJ9.G4BEaVmrekoF0OJxqdpQhhynbnTxFWGhd6JTWSB1YGo";

static const char  vec_id_none[] =
    "eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL2lkcC5leGFtcGxlLmNvbSIsIm"
    "F1ZCI6Im1lZXQtY2xpZW50Iiwic3ViIjoidXNlci0xIiwiaWF0IjoxNjk5OTk5OTkw"
    "LCJleHAiOjE3MDAwMDAzMDAsImF1dGhfdGltZSI6MTY5OTk5OTk0MCwibm9uY2UiOi"
    "JuLTBTNl9XekEyTWoiLCJzaWQiOiJzaWQtNDIiLCJlbWFpbCI6ImFsaWNlQGV4YW1w"
    "bGUuY29tIiwiZW1haWxfdmVyaWZpZWQiOnRydWUsIm5hbWUiOiJBbGljZSBFeGFtcG"
    "xlIiwicHJlZmVycmVkX3VzZXJuYW1lIjoiYWxpY2UiLCJhdF9oYXNoIjoieCJ9.";

static const char  vec_id_ps256[] =
    "eyJhbGciOiJQUzI1NiIsImtpZCI6InJzYTEifQ.eyJpc3MiOiJodHRwczovL2lkcC5"
    "leGFtcGxlLmNvbSIsImF1ZCI6Im1lZXQtY2xpZW50Iiwic3ViIjoidXNlci0xIiwia"
    "WF0IjoxNjk5OTk5OTkwLCJleHAiOjE3MDAwMDAzMDAsImF1dGhfdGltZSI6MTY5OTk"
    "5OTk0MCwibm9uY2UiOiJuLTBTNl9XekEyTWoiLCJzaWQiOiJzaWQtNDIiLCJlbWFpb"
    "CI6ImFsaWNlQGV4YW1wbGUuY29tIiwiZW1haWxfdmVyaWZpZWQiOnRydWUsIm5hbWU"
    "iOiJBbGljZSBFeGFtcGxlIiwicHJlZmVycmVkX3VzZXJuYW1lIjoiYWxpY2UiLCJhd"
    "F9oYXNoIjoieCJ9.uL4DQJTLvKLHgI7CRiGRsHKkVssm2hFn9lHeNhvya0NuWm1BVM"
    "up5Hhlc1Zo_9hfwR_w_6NmIMx_jasNwz8eG7WtFQnl80qieDdXgTIPPQS2Pcm2Vxwi"
    "6HEkhddsvFEXtpQlT1y2Q3sPq8znzv2aqYcshgq5bBSKWNs589ls8OX8zn9a_sD1eh"
    "mBgcs78Id2AGCF18z0MdRjroJS_2kZvwRvf_zQmCMj_JKFBHxCrt3F1G2FFa4l_exd"
    "wua_UTqhgOW9SoRAwp-m8WYG6tw-mB7vha9w3mK0x59DVDZEBmyVjTglFw0wgMIJ3j"
    "BQe1P9_h5hn6fyq8bcG-T8BiuqBg";

static const char  vec_id_crit[] =
    "eyJhbGciOiJSUzI1NiIsImtpZCI6InJzYTEiLCJjcml0IjpbImV4cCJdLCJleHAiOj"
    "F9.eyJpc3MiOiJodHRwczovL2lkcC5leGFtcGxlLmNvbSIsImF1ZCI6Im1lZXQtY2x"
    "pZW50Iiwic3ViIjoidXNlci0xIiwiaWF0IjoxNjk5OTk5OTkwLCJleHAiOjE3MDAwM"
    "DAzMDAsImF1dGhfdGltZSI6MTY5OTk5OTk0MCwibm9uY2UiOiJuLTBTNl9XekEyTWo"
    "iLCJzaWQiOiJzaWQtNDIiLCJlbWFpbCI6ImFsaWNlQGV4YW1wbGUuY29tIiwiZW1ha"
    "WxfdmVyaWZpZWQiOnRydWUsIm5hbWUiOiJBbGljZSBFeGFtcGxlIiwicHJlZmVycmV"
    "kX3VzZXJuYW1lIjoiYWxpY2UiLCJhdF9oYXNoIjoieCJ9.A4tEmJLE63hxFt43R0KP"
    "w0CVRue8v00QF26Eo_-L4c8nSFRQZpjDVtM4i00uHy5Qe2sVMeVxUwpgqtj31jhOtJ"
    "3UsFFieQmGVYFBXD9R63JVDhoW45JLi7RPlRbi7w70ZQbtkcXLWgvK4ZUZvKAXquaN"
    "O5XZ57pKfzksBGlmwx-i_8u8hjJo-HUF5f8E6Fj5J19nHk72mkfwQaDD70008YC95u"
    "CeD-1NOcbsBmMoFZ3spT7ie-IFD2mhSqa6gUfCDMHKPB4J40dblJE8L5UE194sRS6N"
    "SAbS9uQPchrd_EmNGMdJSEkJKElL_zfmj_kdGQ_FxdLELxekzcUQwM0avA";

static const char  vec_id_nokid_rs[] =
    "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2lkcC5leGFtcGxlLmNvbSIsI"
    "mF1ZCI6Im1lZXQtY2xpZW50Iiwic3ViIjoidXNlci0xIiwiaWF0IjoxNjk5OTk5OTk"
    "wLCJleHAiOjE3MDAwMDAzMDAsImF1dGhfdGltZSI6MTY5OTk5OTk0MCwibm9uY2UiO"
    "iJuLTBTNl9XekEyTWoiLCJzaWQiOiJzaWQtNDIiLCJlbWFpbCI6ImFsaWNlQGV4YW1"
    "wbGUuY29tIiwiZW1haWxfdmVyaWZpZWQiOnRydWUsIm5hbWUiOiJBbGljZSBFeGFtc"
    "GxlIiwicHJlZmVycmVkX3VzZXJuYW1lIjoiYWxpY2UiLCJhdF9oYXNoIjoieCJ9.WR"
    "FTMZL95pdtnd1HPYZxSBtaeeY0yjxXSbtKdqev-1epdEVQRgJ91R7JZpoSakwZegU6"
    "iuidFlxpnjzkBMG5XzTWEwasZMlKUvjDTHGycyIJSGzqJXPZnPuHOQBx645oZe9HlH"
    "qDUzkEo-CBxEPyDbFD9bQ8vum8mn8kSCMMMjboeGYZZ5aon5XsAz4Ie7cI2_WFtc5E"
    "euXJN6iWwldV2w5aJ58J8IIj-Qlv4jxnmRucbwWCAF-_nKVUkPuyLpuTOsNZSJCCI4"
    "HB-nLbry4aS3CcN4SvrVWoDq2TiuoNAdTxuT3Q8ZJCVvBmV85LYSbpqTkwTpSXsgzv"
    "TxXO-7v7fA";

static const char  vec_id_nokid_es[] =
    "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJodHRwczovL2lkcC5leGFtcGxlLmNvbSIsI"
    "mF1ZCI6Im1lZXQtY2xpZW50Iiwic3ViIjoidXNlci0xIiwiaWF0IjoxNjk5OTk5OTk"
    "wLCJleHAiOjE3MDAwMDAzMDAsImF1dGhfdGltZSI6MTY5OTk5OTk0MCwibm9uY2UiO"
    "iJuLTBTNl9XekEyTWoiLCJzaWQiOiJzaWQtNDIiLCJlbWFpbCI6ImFsaWNlQGV4YW1"
    "wbGUuY29tIiwiZW1haWxfdmVyaWZpZWQiOnRydWUsIm5hbWUiOiJBbGljZSBFeGFtc"
    "GxlIiwicHJlZmVycmVkX3VzZXJuYW1lIjoiYWxpY2UiLCJhdF9oYXNoIjoieCJ9.1r"
    "OJzKZRj-7DYvlka2q1hmaGCew3hzyWAgySLDdKgN7_qAOobUtigeo37LrwBa9ts92W"
    "bxZolB9rB1tGSn7vEA";

static const char  vec_logout_ok[] =
    "eyJhbGciOiJFUzI1NiIsImtpZCI6ImVjMSIsInR5cCI6ImxvZ291dCtqd3QifQ.eyJ"
    "pc3MiOiJodHRwczovL2lkcC5leGFtcGxlLmNvbSIsImF1ZCI6Im1lZXQtY2xpZW50I"
    "iwiaWF0IjoxNjk5OTk5OTk1LCJleHAiOjE3MDAwMDAxMjAsImp0aSI6Imp0aS03ZjN"
    "hIiwic2lkIjoic2lkLTQyIiwic3ViIjoidXNlci0xIiwiZXZlbnRzIjp7Imh0dHA6L"
    "y9zY2hlbWFzLm9wZW5pZC5uZXQvZXZlbnQvYmFja2NoYW5uZWwtbG9nb3V0Ijp7fX1"
    "9.psXlRktPr0jYqwlgIwFXvEaCcO3sasRbomSCTSfkiHqJfVUSwN-o6y3MoFHYCUqb"
    "qqn4hk_JOL0KHZCK4CP4Og";

static const char  vec_logout_sid_only[] =
    "eyJhbGciOiJFUzI1NiIsImtpZCI6ImVjMSIsInR5cCI6ImxvZ291dCtqd3QifQ.eyJ"
    "pc3MiOiJodHRwczovL2lkcC5leGFtcGxlLmNvbSIsImF1ZCI6Im1lZXQtY2xpZW50I"
    "iwiaWF0IjoxNjk5OTk5OTk1LCJqdGkiOiJqdGktN2YzYSIsInNpZCI6InNpZC00MiI"
    "sImV2ZW50cyI6eyJodHRwOi8vc2NoZW1hcy5vcGVuaWQubmV0L2V2ZW50L2JhY2tja"
    "GFubmVsLWxvZ291dCI6e319fQ.37Y_XVKj9k2LJnzaZmoWYDazlHbUEkMq6kDpZsuI"
    "Nfbf6VioQNpDLp2ZQeNOxko6w7shkydKx0CjSIfAvxYXTg";

static const char  vec_logout_nonce[] =
    "eyJhbGciOiJFUzI1NiIsImtpZCI6ImVjMSIsInR5cCI6ImxvZ291dCtqd3QifQ.eyJ"
    "pc3MiOiJodHRwczovL2lkcC5leGFtcGxlLmNvbSIsImF1ZCI6Im1lZXQtY2xpZW50I"
    "iwiaWF0IjoxNjk5OTk5OTk1LCJleHAiOjE3MDAwMDAxMjAsImp0aSI6Imp0aS03ZjN"
    "hIiwic2lkIjoic2lkLTQyIiwic3ViIjoidXNlci0xIiwiZXZlbnRzIjp7Imh0dHA6L"
    "y9zY2hlbWFzLm9wZW5pZC5uZXQvZXZlbnQvYmFja2NoYW5uZWwtbG9nb3V0Ijp7fX0"
    "sIm5vbmNlIjoibi0wUzZfV3pBMk1qIn0.X_jS3lko21zKW3nbeVRV7c7zE9k9kB7zb"
    "6uxAWpBFOyPPECoLUA5-6KU4ghLjZy-9MmReF_f7PPhIl-t215w9Q";

static const char  vec_logout_no_events[] =
    "eyJhbGciOiJFUzI1NiIsImtpZCI6ImVjMSIsInR5cCI6ImxvZ291dCtqd3QifQ.eyJ"
    "pc3MiOiJodHRwczovL2lkcC5leGFtcGxlLmNvbSIsImF1ZCI6Im1lZXQtY2xpZW50I"
    "iwiaWF0IjoxNjk5OTk5OTk1LCJleHAiOjE3MDAwMDAxMjAsImp0aSI6Imp0aS03ZjN"
    "hIiwic2lkIjoic2lkLTQyIiwic3ViIjoidXNlci0xIn0.ShnEmEBr6Qbo4qFLhh2OH"
    "MsTM3gy71IdAfipHQgNTw8VZ9ATCY_wkxF_2dvSC373dHpDHH3Pp2RmOuajIZvn-w";

static const char  vec_logout_wrong_event[] =
    "eyJhbGciOiJFUzI1NiIsImtpZCI6ImVjMSIsInR5cCI6ImxvZ291dCtqd3QifQ.eyJ"
    "pc3MiOiJodHRwczovL2lkcC5leGFtcGxlLmNvbSIsImF1ZCI6Im1lZXQtY2xpZW50I"
    "iwiaWF0IjoxNjk5OTk5OTk1LCJleHAiOjE3MDAwMDAxMjAsImp0aSI6Imp0aS03ZjN"
    "hIiwic2lkIjoic2lkLTQyIiwic3ViIjoidXNlci0xIiwiZXZlbnRzIjp7Imh0dHA6L"
    "y9zY2hlbWFzLm9wZW5pZC5uZXQvZXZlbnQvb3RoZXIiOnt9fX0.swmiCfZ3tH9f4g2"
    "8s4cAwCPJuM0eZCQc7PlxRq6nwK-4m0u-wGTc87mii0bRyAAJEHGoZ_P04jU6dPjev"
    "RpDuQ";

static const char  vec_logout_no_sub_sid[] =
    "eyJhbGciOiJFUzI1NiIsImtpZCI6ImVjMSIsInR5cCI6ImxvZ291dCtqd3QifQ.eyJ"
    "pc3MiOiJodHRwczovL2lkcC5leGFtcGxlLmNvbSIsImF1ZCI6Im1lZXQtY2xpZW50I"
    "iwiaWF0IjoxNjk5OTk5OTk1LCJleHAiOjE3MDAwMDAxMjAsImp0aSI6Imp0aS03ZjN"
    "hIiwiZXZlbnRzIjp7Imh0dHA6Ly9zY2hlbWFzLm9wZW5pZC5uZXQvZXZlbnQvYmFja"
    "2NoYW5uZWwtbG9nb3V0Ijp7fX19.IQLjk0LAzSxjATWiwAZVZ9j8orq7UJWQhIRspE"
    "zrzFixI8DmI5qVt6gndjGSr9_48r__K1kUig5rs5lbJseVnQ";

static const char  vec_logout_no_jti[] =
    "eyJhbGciOiJFUzI1NiIsImtpZCI6ImVjMSIsInR5cCI6ImxvZ291dCtqd3QifQ.eyJ"
    "pc3MiOiJodHRwczovL2lkcC5leGFtcGxlLmNvbSIsImF1ZCI6Im1lZXQtY2xpZW50I"
    "iwiaWF0IjoxNjk5OTk5OTk1LCJleHAiOjE3MDAwMDAxMjAsInNpZCI6InNpZC00MiI"
    "sInN1YiI6InVzZXItMSIsImV2ZW50cyI6eyJodHRwOi8vc2NoZW1hcy5vcGVuaWQub"
    "mV0L2V2ZW50L2JhY2tjaGFubmVsLWxvZ291dCI6e319fQ.Y996sMX0XX8zJhagxLDa"
    "IattWbpPi8_8hn6eFm9nkylgv_le7sii-YUnufYtwTMIpMdbu5XEsgAnMefq2MInsg";

static meet_jose_jwks_t  jwks1, jwks2, jwks_ec2;
static EVP_PKEY         *ec2_key;


static meet_jose_err_e
load_jwks(const char *doc, meet_jose_jwks_t *jwks)
{
    return meet_jose_jwks_parse((const u_char *) doc, strlen(doc), jwks);
}


static void
default_params(meet_oidc_params_t *p)
{
    memset(p, 0, sizeof(meet_oidc_params_t));

    p->issuer = ISS;
    p->client_id = CID;
    p->nonce = NONCE;
    p->now = NOW;
    p->leeway = 60;
    p->max_iat_age = 600;
    p->max_age = -1;
}


static meet_jose_err_e
verify_id(const char *token, const meet_jose_jwks_t *jwks,
    const meet_oidc_params_t *p, meet_oidc_claims_t *c)
{
    return meet_oidc_verify_id_token((const u_char *) token, strlen(token),
                                     jwks, p, c);
}


static meet_jose_err_e
id_rc(const char *token, const meet_jose_jwks_t *jwks)
{
    meet_jose_err_e     rc;
    meet_oidc_params_t  p;
    meet_oidc_claims_t  c;

    default_params(&p);
    rc = verify_id(token, jwks, &p, &c);
    meet_oidc_claims_free(&c);

    return rc;
}


static meet_jose_err_e
logout_rc(const char *token, const meet_jose_jwks_t *jwks)
{
    meet_jose_err_e     rc;
    meet_oidc_params_t  p;
    meet_oidc_claims_t  c;

    default_params(&p);
    rc = meet_oidc_verify_logout_token((const u_char *) token, strlen(token),
                                       jwks, &p, &c);
    meet_oidc_claims_free(&c);

    return rc;
}


static meet_jose_err_e
jws_rc(const char *token, size_t len, const meet_jose_jwks_t *jwks)
{
    json_t           *payload;
    meet_jose_err_e   rc;

    rc = meet_jose_verify((const u_char *) token, len, jwks, 0, &payload,
                          NULL);

    if (rc == MEET_JOSE_OK) {
        json_decref(payload);

    } else if (payload != NULL) {
        diag("payload left after an error");
        rc = MEET_JOSE_ERR_LAST;
    }

    return rc;
}


static char *
b64(const char *s, size_t len)
{
    size_t  n;

    return meet_jwt_b64_encode((const u_char *) s, len, &n);
}


/* header and payload JSON signed with ec2 (ES256, r || s) */

static char *
sign_es256(const char *header, const char *payload)
{
    int               len;
    char             *h, *p, *s, *token;
    size_t            siglen, n;
    EVP_MD_CTX       *md;
    ECDSA_SIG        *es;
    const BIGNUM     *r, *sv;
    const u_char     *q;
    u_char            der[128], raw[64];

    h = b64(header, strlen(header));
    p = b64(payload, strlen(payload));

    n = strlen(h) + 1 + strlen(p);
    token = malloc(n + 1 + 90);
    snprintf(token, n + 1, "%s.%s", h, p);

    md = EVP_MD_CTX_new();
    siglen = sizeof(der);

    if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, ec2_key) != 1
        || EVP_DigestSign(md, der, &siglen, (u_char *) token, n) != 1)
    {
        abort();
    }

    EVP_MD_CTX_free(md);

    q = der;
    es = d2i_ECDSA_SIG(NULL, &q, (long) siglen);
    ECDSA_SIG_get0(es, &r, &sv);
    BN_bn2binpad(r, raw, 32);
    BN_bn2binpad(sv, raw + 32, 32);
    ECDSA_SIG_free(es);

    s = meet_jwt_b64_encode(raw, 64, &siglen);
    len = snprintf(token + n, 90, ".%s", s);
    (void) len;

    free(h);
    free(p);
    free(s);

    return token;
}


static const char  ec2_header[] =
    "{\"alg\":\"ES256\",\"kid\":\"ec2\",\"typ\":\"JWT\"}";


/* an ID token of the given claims signed by ec2, verified with defaults */

static meet_jose_err_e
signed_id_rc(const char *payload, const meet_oidc_params_t *p)
{
    char                *token;
    meet_jose_err_e      rc;
    meet_oidc_params_t   def;
    meet_oidc_claims_t   c;

    if (p == NULL) {
        default_params(&def);
        p = &def;
    }

    token = sign_es256(ec2_header, payload);
    rc = verify_id(token, &jwks_ec2, p, &c);
    meet_oidc_claims_free(&c);
    free(token);

    return rc;
}


/* the claim rules alone, on a JSON text */

static meet_jose_err_e
claims_rc(const char *payload, const meet_oidc_params_t *p, int logout)
{
    json_t              *json;
    json_error_t         error;
    meet_jose_err_e      rc;
    meet_oidc_params_t   def;
    meet_oidc_claims_t   c;

    if (p == NULL) {
        default_params(&def);
        p = &def;
    }

    json = json_loads(payload, JSON_DECODE_INT_AS_REAL, &error);
    if (json == NULL) {
        diag("bad test JSON: %s: %s", payload, error.text);
        return MEET_JOSE_ERR_LAST;
    }

    rc = logout ? meet_oidc_check_logout_claims(json, p, &c)
                : meet_oidc_check_id_claims(json, p, &c);

    if (rc != MEET_JOSE_OK && c.payload != NULL) {
        diag("claims kept after an error");
        rc = MEET_JOSE_ERR_LAST;
    }

    meet_oidc_claims_free(&c);
    json_decref(json);

    return rc;
}


#define STR(s)  (const char *) (s).data


static void
test_rfc_vectors(void)
{
    json_t            *payload;
    meet_jose_alg_e    alg;
    meet_jose_err_e    rc;
    meet_jose_jwks_t   a2, a3, a1;
    char               buf[sizeof(rfc7515_a2)];

    is_int(load_jwks(rfc7515_a2_jwks, &a2), MEET_JOSE_OK,
           "RFC 7515 A.2 key parses");
    is_int(a2.nkeys, 1, "one key");
    is_int(a2.keys[0].kty, MEET_JOSE_KTY_RSA, "RSA");
    is_str(a2.keys[0].kid, "", "no kid");

    rc = meet_jose_verify((const u_char *) rfc7515_a2,
                          sizeof(rfc7515_a2) - 1, &a2, 0, &payload, &alg);
    is_int(rc, MEET_JOSE_OK, "RFC 7515 A.2 (RS256) verifies");
    is_int(alg, MEET_JOSE_ALG_RS256, "alg RS256");
    ok(payload != NULL
       && json_is_true(json_object_get(payload, "http://example.com/is_root"))
       && strcmp(json_string_value(json_object_get(payload, "iss")), "joe")
          == 0,
       "A.2 payload decoded");
    json_decref(payload);

    is_int(meet_jose_verify((const u_char *) rfc7515_a2,
                            sizeof(rfc7515_a2) - 1, &a2,
                            MEET_JOSE_ALG_BIT(MEET_JOSE_ALG_ES256), &payload,
                            NULL),
           MEET_JOSE_ERR_ALGORITHM, "A.2 refused when only ES256 allowed");
    ok(payload == NULL, "no payload on error");

    /*
     * the third last signature character ('7' -> '8'); the last one's low
     * bits are padding, which the decoder ignores
     */
    memcpy(buf, rfc7515_a2, sizeof(rfc7515_a2));
    buf[sizeof(rfc7515_a2) - 4] = '8';
    is_int(jws_rc(buf, sizeof(rfc7515_a2) - 1, &a2), MEET_JOSE_ERR_SIGNATURE,
           "A.2 with a changed signature");

    /* the payload: "joe" -> "jof" ("eyJpc3MiOiJqb2Ui" -> ...ZiI) */
    memcpy(buf, rfc7515_a2, sizeof(rfc7515_a2));
    ok(memcmp(buf + 21, "eyJpc3MiOiJqb2Ui", 16) == 0, "payload offset");
    memcpy(buf + 21, "eyJpc3MiOiJqb2Yi", 16);
    is_int(jws_rc(buf, sizeof(rfc7515_a2) - 1, &a2), MEET_JOSE_ERR_SIGNATURE,
           "A.2 with a changed payload");

    /* a signature one byte short (341 characters, 255 bytes) */
    is_int(jws_rc(rfc7515_a2, sizeof(rfc7515_a2) - 1 - 2, &a2),
           MEET_JOSE_ERR_SIGNATURE, "A.2 with a short signature");

    is_int(load_jwks(rfc7515_a3_jwks, &a3), MEET_JOSE_OK,
           "RFC 7515 A.3 key parses");
    is_int(a3.keys[0].kty, MEET_JOSE_KTY_EC, "EC");
    is_str(a3.keys[0].kid, "Public key used in JWS spec Appendix A.3 example",
           "kid kept");

    rc = meet_jose_verify((const u_char *) rfc7515_a3,
                          sizeof(rfc7515_a3) - 1, &a3, 0, &payload, &alg);
    is_int(rc, MEET_JOSE_OK, "RFC 7515 A.3 (ES256) verifies");
    is_int(alg, MEET_JOSE_ALG_ES256, "alg ES256");
    json_decref(payload);

    memcpy(buf, rfc7515_a3, sizeof(rfc7515_a3));
    buf[sizeof(rfc7515_a3) - 4] = 'N';
    is_int(jws_rc(buf, sizeof(rfc7515_a3) - 1, &a3), MEET_JOSE_ERR_SIGNATURE,
           "A.3 with a changed s");

    memcpy(buf, rfc7515_a3, sizeof(rfc7515_a3));
    buf[sizeof(rfc7515_a3) - 1 - 86] = 'E';
    is_int(jws_rc(buf, sizeof(rfc7515_a3) - 1, &a3), MEET_JOSE_ERR_SIGNATURE,
           "A.3 with a changed r");

    is_int(jws_rc(rfc7515_a3, sizeof(rfc7515_a3) - 1, &a2),
           MEET_JOSE_ERR_UNKNOWN_KID, "A.3 against the RSA set: no key");
    is_int(jws_rc(rfc7515_a2, sizeof(rfc7515_a2) - 1, &a3),
           MEET_JOSE_ERR_UNKNOWN_KID, "A.2 against the EC set: no key");

    is_int(load_jwks(rfc7517_a1, &a1), MEET_JOSE_OK,
           "RFC 7517 A.1 key set parses");
    is_int(a1.nkeys, 1, "one usable key");
    is_str(a1.keys[0].kid, "2011-04-29", "the RSA key");
    is_int(a1.keys[0].alg, MEET_JOSE_ALG_RS256, "its alg");
    is_int(a1.nskips, 1, "one skipped");
    is_int(a1.skips[0].index, 0, "the first");
    is_str(a1.skips[0].kid, "1", "kid 1");
    is_str(a1.skips[0].reason, "use is not sig", "the enc key");
    is_int(jws_rc(rfc7515_a2, sizeof(rfc7515_a2) - 1, &a1),
           MEET_JOSE_ERR_SIGNATURE, "A.2 with the A.1 RSA key: signature");

    meet_jose_jwks_free(&a1);
    meet_jose_jwks_free(&a2);
    meet_jose_jwks_free(&a3);
    meet_jose_jwks_free(&a3);
    ok(a3.nkeys == 0, "free twice is harmless");
}


static void
test_jwks(void)
{
    int                i;
    char              *doc, *p;
    size_t             n;
    meet_jose_jwks_t   s;

    is_int(jwks1.nkeys, 2, "jwks1: two keys");
    is_str(jwks1.keys[0].kid, "rsa1", "rsa1");
    is_str(jwks1.keys[1].kid, "ec1", "ec1");
    is_int(jwks1.nskips, 2, "two skipped");
    is_str(jwks1.skips[0].reason, "unsupported kty", "Ed25519");
    is_str(jwks1.skips[0].kid, "ed1", "ed1");
    is_str(jwks1.skips[1].reason, "unsupported kty", "oct");
    is_int(jwks2.nkeys, 2, "jwks2: two keys");
    is_int(jwks2.keys[1].alg, MEET_JOSE_ALG_NONE, "rsa2 without alg");

#define SKIP(doc, why, name)                                                  \
    do {                                                                      \
        is_int(load_jwks(doc, &s), MEET_JOSE_ERR_NO_KEYS, name);              \
        ok(s.nskips == 1 && strcmp(s.skips[0].reason, why) == 0,             \
           name ": %s", s.nskips ? s.skips[0].reason : "-");                  \
        meet_jose_jwks_free(&s);                                              \
    } while (0)

    SKIP("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"AA\","
         "\"y\":\"AA\"}]}", "unsupported curve", "P-384");
    SKIP("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\","
         "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
         "\"y\":\"x_FEzRu9m36HLN_tue658LNpXW6pCyStikYjKIWI5a0\"}]}",
         "EC point not on P-256", "point off the curve");
    SKIP("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\","
         "\"x\":\"83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
         "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}]}",
         "bad EC coordinate length", "31-byte x");
    SKIP("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"alg\":\"RS256\","
         "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
         "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}]}",
         "alg does not fit kty", "EC key with alg RS256");
    SKIP("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"alg\":\"ES384\","
         "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
         "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}]}",
         "unsupported alg", "alg ES384");
    SKIP("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"key_ops\":[\"sign\"],"
         "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
         "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}]}",
         "key_ops without verify", "key_ops sign");
    SKIP("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":7,"
         "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
         "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}]}",
         "kid is not a string", "numeric kid");
    SKIP("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\","
         "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVE*\","
         "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}]}",
         "bad x", "x not base64url");
    SKIP("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}",
         "RSA modulus too short", "RSA 17-bit modulus");
    SKIP("{\"keys\":[{\"kty\":\"RSA\",\"e\":\"AQAB\"}]}", "bad n", "no n");
    SKIP("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"ofgWCuLjybRlzo0tZWJjNiuSfb4p4"
         "fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4Q"
         "lL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0L"
         "OL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665x"
         "smtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAc"
         "o9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ\",\"e\":\"AQAA\"}"
         "]}", "bad RSA exponent", "even exponent");
    SKIP("{\"keys\":[\"RSA\"]}", "not an object", "a string key");

    /* kid longer than MEET_JOSE_MAX_KID_LEN */
    doc = malloc(400);
    p = doc + sprintf(doc, "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"");
    memset(p, 'k', 300);
    strcpy(p + 300, "\"}]}");
    SKIP(doc, "kid is too long", "kid of 300 bytes");
    free(doc);

    is_int(load_jwks("{\"keys\":[]}", &s), MEET_JOSE_ERR_NO_KEYS,
           "empty key set");
    is_int(load_jwks("{\"keys\":{}}", &s), MEET_JOSE_ERR_JWKS,
           "keys not an array");
    is_int(load_jwks("{\"key\":[]}", &s), MEET_JOSE_ERR_JWKS, "no keys");
    is_int(load_jwks("[]", &s), MEET_JOSE_ERR_JWKS, "an array");
    is_int(load_jwks("{\"keys\":[", &s), MEET_JOSE_ERR_JWKS, "truncated");
    is_int(load_jwks("{\"keys\":[],\"keys\":[]}", &s), MEET_JOSE_ERR_JWKS,
           "duplicate member");
    is_int(meet_jose_jwks_parse(NULL, 0, &s), MEET_JOSE_ERR_JWKS, "NULL");
    is_int(meet_jose_jwks_parse((const u_char *) "{}", 2, NULL),
           MEET_JOSE_ERR_INTERNAL, "NULL set");

    /* 33 keys */
    doc = malloc(33 * 16 + 32);
    p = doc + sprintf(doc, "{\"keys\":[");
    for (i = 0; i < 33; i++) {
        p += sprintf(p, "%s{\"kty\":\"oct\"}", i ? "," : "");
    }
    strcpy(p, "]}");
    is_int(load_jwks(doc, &s), MEET_JOSE_ERR_JWKS, "33 keys");
    free(doc);

    /* a document above MEET_JOSE_MAX_DOC_LEN */
    n = MEET_JOSE_MAX_DOC_LEN + 1;
    doc = malloc(n);
    memset(doc, ' ', n);
    memcpy(doc, "{\"keys\":[]}", 11);
    is_int(meet_jose_jwks_parse((u_char *) doc, n, &s), MEET_JOSE_ERR_TOO_LONG,
           "a huge document");
    is_int(meet_jose_jwks_parse((u_char *) doc, n - 1, &s),
           MEET_JOSE_ERR_NO_KEYS, "the largest one parses");
    free(doc);

    /* the ec2 key of the vectors */
    is_int(jwks_ec2.nkeys, 1, "ec2 parses");
}


static void
test_id_tokens(void)
{
    meet_jose_err_e     rc;
    meet_oidc_params_t  p;
    meet_oidc_claims_t  c;

    default_params(&p);

    rc = verify_id(vec_id_rs, &jwks1, &p, &c);
    is_int(rc, MEET_JOSE_OK, "RS256 ID token verifies");
    is_str(STR(c.iss), ISS, "iss");
    is_str(STR(c.sub), "user-1", "sub");
    is_str(STR(c.email), "alice@example.com", "email");
    is_int(c.email_verified, 1, "email_verified");
    is_str(STR(c.name), "Alice Example", "name");
    is_str(STR(c.preferred_username), "alice", "preferred_username");
    is_str(STR(c.sid), "sid-42", "sid");
    is_str(STR(c.nonce), NONCE, "nonce");
    is_int(c.exp, NOW + 300, "exp");
    is_int(c.iat, NOW - 10, "iat");
    ok(c.has_auth_time && c.auth_time == NOW - 60, "auth_time");
    is_str(STR(c.given_name), "", "absent claims are empty");
    meet_oidc_claims_free(&c);
    ok(c.payload == NULL && c.sub.len == 0, "claims freed");

    rc = verify_id(vec_id_es, &jwks1, &p, &c);
    is_int(rc, MEET_JOSE_OK, "ES256 ID token (aud array, azp) verifies");
    is_str(STR(c.sub), "user-2", "sub");
    is_str(STR(c.azp), CID, "azp");
    meet_oidc_claims_free(&c);

    /* key rotation: unknown kid, then the refetched set */
    is_int(id_rc(vec_id_rotated, &jwks1), MEET_JOSE_ERR_UNKNOWN_KID,
           "new kid: unknown (refetch)");
    is_int(id_rc(vec_id_rotated, &jwks2), MEET_JOSE_OK,
           "new kid after the refetch");

    is_int(id_rc(vec_id_expired, &jwks1), MEET_JOSE_ERR_EXPIRED, "expired");
    is_int(id_rc(vec_id_wrong_aud, &jwks1), MEET_JOSE_ERR_AUDIENCE,
           "wrong audience");
    is_int(id_rc(vec_id_es_as_rs, &jwks1), MEET_JOSE_ERR_KEY_TYPE,
           "RS256 header naming the EC key");
    is_int(id_rc(vec_id_hs256, &jwks1), MEET_JOSE_ERR_ALGORITHM, "HS256");
    is_int(id_rc(vec_id_none, &jwks1), MEET_JOSE_ERR_ALGORITHM, "alg none");
    is_int(id_rc(vec_id_ps256, &jwks1), MEET_JOSE_ERR_ALGORITHM, "PS256");
    is_int(id_rc(vec_id_crit, &jwks1), MEET_JOSE_ERR_CRIT, "crit header");
    is_int(id_rc(vec_id_nokid_rs, &jwks1), MEET_JOSE_OK,
           "no kid, one RSA key in the set");
    is_int(id_rc(vec_id_nokid_es, &jwks1), MEET_JOSE_OK,
           "no kid, one EC key in the set");
    is_int(id_rc(vec_id_nokid_rs, &jwks2), MEET_JOSE_ERR_UNKNOWN_KID,
           "no kid, two RSA keys");
    is_int(id_rc(vec_id_rs, &jwks_ec2), MEET_JOSE_ERR_UNKNOWN_KID,
           "kid not in the set");

    p.algs = MEET_JOSE_ALG_BIT(MEET_JOSE_ALG_RS256);
    is_int(verify_id(vec_id_es, &jwks1, &p, &c), MEET_JOSE_ERR_ALGORITHM,
           "ES256 when only RS256 is allowed");
    ok(c.payload == NULL, "no claims after an error");
    default_params(&p);

    p.nonce = "other";
    is_int(verify_id(vec_id_rs, &jwks1, &p, &c), MEET_JOSE_ERR_NONCE,
           "wrong nonce");
    p.nonce = NULL;
    is_int(verify_id(vec_id_rs, &jwks1, &p, &c), MEET_JOSE_OK,
           "nonce unchecked when none is expected");
    meet_oidc_claims_free(&c);
    default_params(&p);

    p.issuer = "https://idp.example.com/";
    is_int(verify_id(vec_id_rs, &jwks1, &p, &c), MEET_JOSE_ERR_ISSUER,
           "issuer with a trailing slash");
    default_params(&p);

    p.client_id = "meet";
    is_int(verify_id(vec_id_rs, &jwks1, &p, &c), MEET_JOSE_ERR_AUDIENCE,
           "client id a prefix of aud");
    default_params(&p);

    p.now = NOW + 300 + 60;
    is_int(verify_id(vec_id_rs, &jwks1, &p, &c), MEET_JOSE_ERR_EXPIRED,
           "expired at exp + leeway");
    p.now = NOW + 300 + 59;
    p.max_iat_age = 0;
    is_int(verify_id(vec_id_rs, &jwks1, &p, &c), MEET_JOSE_OK,
           "valid until exp + leeway");
    meet_oidc_claims_free(&c);
    p.now = NOW + 300 + 59;
    p.max_iat_age = 100;
    is_int(verify_id(vec_id_rs, &jwks1, &p, &c), MEET_JOSE_ERR_IAT_TOO_OLD,
           "iat older than max_iat_age");
    default_params(&p);

    p.now = NOW - 10 - 61;
    is_int(verify_id(vec_id_rs, &jwks1, &p, &c), MEET_JOSE_ERR_IAT_FUTURE,
           "iat beyond the leeway in the future");
    default_params(&p);

    p.max_age = 30;
    p.leeway = 0;
    is_int(verify_id(vec_id_rs, &jwks1, &p, &c), MEET_JOSE_ERR_AUTH_TIME,
           "auth_time older than max_age");
    meet_oidc_claims_free(&c);
    p.leeway = 60;
    p.max_age = 3600;
    is_int(verify_id(vec_id_rs, &jwks1, &p, &c), MEET_JOSE_OK,
           "auth_time within max_age");
    meet_oidc_claims_free(&c);

    /* a logout token is no ID token: no nonce */
    default_params(&p);
    is_int(verify_id(vec_logout_ok, &jwks1, &p, &c), MEET_JOSE_ERR_NONCE,
           "a logout token as ID token");

    is_int(meet_oidc_verify_id_token((const u_char *) vec_id_rs,
                                     strlen(vec_id_rs), &jwks1, NULL, &c),
           MEET_JOSE_ERR_INTERNAL, "no params");
    is_int(meet_oidc_verify_id_token((const u_char *) vec_id_rs,
                                     strlen(vec_id_rs), NULL, &p, &c),
           MEET_JOSE_ERR_INTERNAL, "no key set");
}


/* r || s as a base64url DER ECDSA-Sig-Value */

static char *
der_sig(const u_char *raw)
{
    int         n;
    char       *s;
    size_t      len;
    u_char     *der;
    ECDSA_SIG  *es;

    es = ECDSA_SIG_new();
    ECDSA_SIG_set0(es, BN_bin2bn(raw, 32, NULL),
                   BN_bin2bn(raw + 32, 32, NULL));
    der = NULL;
    n = i2d_ECDSA_SIG(es, &der);
    s = meet_jwt_b64_encode(der, n, &len);
    OPENSSL_free(der);
    ECDSA_SIG_free(es);

    return s;
}


static void
test_malformed(void)
{
    char    *t, *h, *pl, *sig, *payload, *der;
    size_t   n, len;
    u_char  *raw;

    len = strlen(vec_id_rs);
    t = malloc(MEET_JOSE_MAX_TOKEN_LEN + 2);

#define JWS(s, rc, name)  is_int(jws_rc(s, strlen(s), &jwks1), rc, name)

    JWS("", MEET_JOSE_ERR_MALFORMED, "empty");
    JWS("abc", MEET_JOSE_ERR_MALFORMED, "one segment");
    JWS("eyJhbGciOiJSUzI1NiJ9.e30", MEET_JOSE_ERR_MALFORMED, "two segments");
    JWS("eyJhbGciOiJSUzI1NiJ9.e30.AA.AA", MEET_JOSE_ERR_MALFORMED,
        "four segments");
    JWS("eyJhbGciOiJSUzI1NiJ9.e30.A", MEET_JOSE_ERR_MALFORMED,
        "signature of one base64 character");
    JWS("eyJhbGciOiJSUzI1NiJ9.e30.AA+A", MEET_JOSE_ERR_MALFORMED,
        "standard base64 '+' in the signature");
    JWS("eyJhbGciOiJSUzI1NiJ9.e3*.AAAA", MEET_JOSE_ERR_MALFORMED,
        "bad base64url in the payload");
    JWS("eyJhbGciOiJSUzI1NiJ9.WzFd.AAAA", MEET_JOSE_ERR_MALFORMED,
        "payload an array");
    JWS("eyJhbGciOiJSUzI1NiJ9.e30.AAAA", MEET_JOSE_ERR_SIGNATURE,
        "no kid, the set's one RSA key: a 3-byte signature");
    JWS("bm90IGpzb24.e30.AAAA", MEET_JOSE_ERR_MALFORMED, "header not JSON");
    JWS("e30.e30.AAAA", MEET_JOSE_ERR_ALGORITHM, "header without alg");
    JWS("eyJhbGciOjF9.e30.AAAA", MEET_JOSE_ERR_ALGORITHM, "alg a number");
    JWS("eyJhbGciOiJyczI1NiJ9.e30.AAAA", MEET_JOSE_ERR_ALGORITHM,
        "alg rs256 (case)");
    JWS("eyJhbGciOiJSUzI1NiIsImtpZCI6MX0.e30.AAAA", MEET_JOSE_ERR_MALFORMED,
        "kid a number");

    /* the same token with a different payload: the signature fails */
    h = strndup(vec_id_rs, strchr(vec_id_rs, '.') - vec_id_rs);
    sig = strrchr(vec_id_rs, '.') + 1;
    payload = strstr(vec_id_rs, ".") + 1;
    is_int(meet_jwt_b64_decode((const u_char *) payload,
                               strrchr(vec_id_rs, '.') - payload, &raw, &n),
           MEET_JWT_OK, "payload decodes");
    ok(strstr((char *) raw, "\"user-1\"") != NULL, "payload holds user-1");
    strstr((char *) raw, "\"user-1\"")[6] = '9';
    pl = b64((char *) raw, n);
    snprintf(t, MEET_JOSE_MAX_TOKEN_LEN, "%s.%s.%s", h, pl, sig);
    is_int(id_rc(t, &jwks1), MEET_JOSE_ERR_SIGNATURE, "tampered payload");
    free(raw);
    free(pl);

    /* a bit of the RSA signature */
    strcpy(t, vec_id_rs);
    t[len - 5] = (t[len - 5] == 'A') ? 'B' : 'A';
    is_int(id_rc(t, &jwks1), MEET_JOSE_ERR_SIGNATURE, "tampered signature");

    /* the ES256 signature as DER, not r || s */
    strcpy(t, vec_id_es);
    sig = strrchr(t, '.') + 1;
    is_int(meet_jwt_b64_decode((const u_char *) sig, strlen(sig), &raw, &n),
           MEET_JWT_OK, "ES256 signature decodes");
    is_int(n, 64, "r || s");
    der = der_sig(raw);
    free(raw);
    strcpy(sig, der);
    free(der);
    is_int(id_rc(t, &jwks1), MEET_JOSE_ERR_SIGNATURE,
           "ES256 with the same signature as DER");

    /* the signature of another token */
    strcpy(t, vec_id_rs);
    strcpy(strrchr(t, '.'), strrchr(vec_id_expired, '.'));
    is_int(id_rc(t, &jwks1), MEET_JOSE_ERR_SIGNATURE,
           "signature of another token");

    /* the header of another token (kid rsa1, same alg) */
    free(h);
    h = strndup(vec_id_nokid_rs,
                strchr(vec_id_nokid_rs, '.') - vec_id_nokid_rs);
    snprintf(t, MEET_JOSE_MAX_TOKEN_LEN + 1, "%s%s", h,
             strchr(vec_id_rs, '.'));
    is_int(id_rc(t, &jwks1), MEET_JOSE_ERR_SIGNATURE, "header swapped");
    free(h);

    /* sizes */
    memset(t, 'A', MEET_JOSE_MAX_TOKEN_LEN + 1);
    t[10] = '.';
    t[20] = '.';
    is_int(jws_rc(t, MEET_JOSE_MAX_TOKEN_LEN + 1, &jwks1),
           MEET_JOSE_ERR_TOO_LONG, "a token of 16385 bytes");
    t[MEET_JOSE_MAX_TOKEN_LEN] = '\0';
    is_int(jws_rc(t, MEET_JOSE_MAX_TOKEN_LEN, &jwks1),
           MEET_JOSE_ERR_MALFORMED, "16384 bytes: parsed, malformed");
    is_int(id_rc(t, &jwks1), MEET_JOSE_ERR_MALFORMED, "as an ID token");

    free(t);
    is_int(meet_jose_verify((const u_char *) vec_id_rs, len, &jwks1, 0, NULL,
                            NULL),
           MEET_JOSE_ERR_INTERNAL, "no payload pointer");
}


static void
test_claims(void)
{
    meet_oidc_params_t  p;

#define BASE  "\"iss\":\"" ISS "\",\"sub\":\"u\",\"iat\":1699999990," \
              "\"exp\":1700000300,\"nonce\":\"" NONCE "\""

#define CLAIMS(json, rc, name)                                                \
    is_int(claims_rc("{" json "}", NULL, 0), rc, name)

    CLAIMS(BASE ",\"aud\":\"" CID "\"", MEET_JOSE_OK, "minimal claims");
    CLAIMS(BASE ",\"aud\":[\"" CID "\"]", MEET_JOSE_OK,
           "aud array of one, no azp");
    CLAIMS(BASE ",\"aud\":[\"x\",\"" CID "\"]", MEET_JOSE_ERR_AZP,
           "several audiences without azp");
    CLAIMS(BASE ",\"aud\":[\"x\",\"" CID "\"],\"azp\":\"x\"",
           MEET_JOSE_ERR_AZP, "azp another client");
    CLAIMS(BASE ",\"aud\":\"" CID "\",\"azp\":\"x\"", MEET_JOSE_ERR_AZP,
           "azp another client, one audience");
    CLAIMS(BASE ",\"aud\":[\"x\",\"y\"],\"azp\":\"" CID "\"",
           MEET_JOSE_ERR_AUDIENCE, "azp without being an audience");
    CLAIMS(BASE, MEET_JOSE_ERR_AUDIENCE, "no aud");
    CLAIMS(BASE ",\"aud\":[]", MEET_JOSE_ERR_AUDIENCE, "empty aud");
    CLAIMS(BASE ",\"aud\":\"MEET-CLIENT\"", MEET_JOSE_ERR_AUDIENCE,
           "aud of another case");
    CLAIMS(BASE ",\"aud\":7", MEET_JOSE_ERR_CLAIMS, "aud a number");
    CLAIMS(BASE ",\"aud\":[\"" CID "\",7]", MEET_JOSE_ERR_CLAIMS,
           "aud array with a number");
    CLAIMS("\"sub\":\"u\",\"iat\":1699999990,\"exp\":1700000300,"
           "\"nonce\":\"" NONCE "\",\"aud\":\"" CID "\"",
           MEET_JOSE_ERR_ISSUER, "no iss");
    CLAIMS(BASE ",\"aud\":\"" CID "\",\"iss\":\"https://evil\"",
           MEET_JOSE_ERR_ISSUER, "duplicate iss: the last one counts");
    CLAIMS("\"iss\":\"https://IDP.example.com\",\"sub\":\"u\","
           "\"iat\":1699999990,\"exp\":1700000300,\"aud\":\"" CID "\"",
           MEET_JOSE_ERR_ISSUER, "iss of another case");
    CLAIMS("\"iss\":7,\"aud\":\"" CID "\"", MEET_JOSE_ERR_CLAIMS,
           "iss a number");
    CLAIMS("\"iss\":\"" ISS "\",\"sub\":\"u\",\"iat\":1699999990,"
           "\"nonce\":\"" NONCE "\",\"aud\":\"" CID "\"",
           MEET_JOSE_ERR_NO_EXPIRY, "no exp");
    CLAIMS("\"iss\":\"" ISS "\",\"sub\":\"u\",\"iat\":1699999990,"
           "\"exp\":\"1700000300\",\"aud\":\"" CID "\"",
           MEET_JOSE_ERR_CLAIMS, "exp a string");
    CLAIMS("\"iss\":\"" ISS "\",\"sub\":\"u\",\"iat\":1699999990,"
           "\"exp\":1699999940,\"aud\":\"" CID "\"",
           MEET_JOSE_ERR_EXPIRED, "exp + leeway == now");
    CLAIMS("\"iss\":\"" ISS "\",\"sub\":\"u\",\"iat\":1699999990,"
           "\"exp\":1699999941,\"nonce\":\"" NONCE "\",\"aud\":\"" CID "\"",
           MEET_JOSE_OK, "exp within the leeway");
    CLAIMS("\"iss\":\"" ISS "\",\"sub\":\"u\",\"iat\":1699999990,"
           "\"exp\":1e300,\"nonce\":\"" NONCE "\",\"aud\":\"" CID "\"",
           MEET_JOSE_OK, "exp 1e300 clamped");
    CLAIMS("\"iss\":\"" ISS "\",\"sub\":\"u\",\"exp\":1700000300,"
           "\"nonce\":\"" NONCE "\",\"aud\":\"" CID "\"",
           MEET_JOSE_ERR_NO_IAT, "no iat");
    CLAIMS("\"iss\":\"" ISS "\",\"sub\":\"u\",\"exp\":1700000300,"
           "\"iat\":1700000061,\"aud\":\"" CID "\"",
           MEET_JOSE_ERR_IAT_FUTURE, "iat 61 s ahead");
    CLAIMS("\"iss\":\"" ISS "\",\"sub\":\"u\",\"exp\":1700000300,"
           "\"iat\":1700000060,\"nonce\":\"" NONCE "\",\"aud\":\"" CID "\"",
           MEET_JOSE_OK, "iat 60 s ahead (leeway)");
    CLAIMS("\"iss\":\"" ISS "\",\"sub\":\"u\",\"exp\":1700000300,"
           "\"iat\":1699999339,\"aud\":\"" CID "\"",
           MEET_JOSE_ERR_IAT_TOO_OLD, "iat 661 s old");
    CLAIMS("\"iss\":\"" ISS "\",\"sub\":\"u\",\"exp\":1700000300,"
           "\"iat\":true,\"aud\":\"" CID "\"",
           MEET_JOSE_ERR_CLAIMS, "iat a boolean");
    CLAIMS(BASE ",\"aud\":\"" CID "\",\"nbf\":1700000061",
           MEET_JOSE_ERR_NOT_YET_VALID, "nbf beyond the leeway");
    CLAIMS(BASE ",\"aud\":\"" CID "\",\"nbf\":1700000060", MEET_JOSE_OK,
           "nbf within the leeway");
    CLAIMS("\"iss\":\"" ISS "\",\"sub\":\"u\",\"iat\":1699999990,"
           "\"exp\":1700000300,\"aud\":\"" CID "\"",
           MEET_JOSE_ERR_NONCE, "no nonce");
    CLAIMS("\"iss\":\"" ISS "\",\"sub\":\"u\",\"iat\":1699999990,"
           "\"exp\":1700000300,\"nonce\":\"n-0S6_WzA2Mk\",\"aud\":\"" CID "\"",
           MEET_JOSE_ERR_NONCE, "other nonce");
    CLAIMS("\"iss\":\"" ISS "\",\"sub\":\"u\",\"iat\":1699999990,"
           "\"exp\":1700000300,\"nonce\":\"n-0S6_WzA2M\",\"aud\":\"" CID "\"",
           MEET_JOSE_ERR_NONCE, "nonce prefix");
    CLAIMS("\"iss\":\"" ISS "\",\"iat\":1699999990,"
           "\"exp\":1700000300,\"nonce\":\"" NONCE "\",\"aud\":\"" CID "\"",
           MEET_JOSE_ERR_NO_SUBJECT, "no sub");
    CLAIMS("\"iss\":\"" ISS "\",\"sub\":\"\",\"iat\":1699999990,"
           "\"exp\":1700000300,\"nonce\":\"" NONCE "\",\"aud\":\"" CID "\"",
           MEET_JOSE_ERR_NO_SUBJECT, "empty sub");
    CLAIMS(BASE ",\"aud\":\"" CID "\",\"email\":1", MEET_JOSE_ERR_CLAIMS,
           "email a number");
    CLAIMS(BASE ",\"aud\":\"" CID "\",\"email_verified\":\"yes\"",
           MEET_JOSE_ERR_CLAIMS, "email_verified \"yes\"");
    CLAIMS(BASE ",\"aud\":\"" CID "\",\"email\":null,\"name\":null",
           MEET_JOSE_OK, "null claims are absent");
    CLAIMS(BASE ",\"aud\":\"" CID "\",\"auth_time\":\"x\"",
           MEET_JOSE_ERR_CLAIMS, "auth_time a string");

    default_params(&p);
    p.max_age = 100;
    is_int(claims_rc("{" BASE ",\"aud\":\"" CID "\"}", &p, 0),
           MEET_JOSE_ERR_AUTH_TIME, "max_age without auth_time");
    is_int(claims_rc("{" BASE ",\"aud\":\"" CID "\",\"auth_time\":1699999840}",
                     &p, 0),
           MEET_JOSE_OK, "auth_time 160 s old, max_age 100 + leeway 60");
    is_int(claims_rc("{" BASE ",\"aud\":\"" CID "\",\"auth_time\":1699999839}",
                     &p, 0),
           MEET_JOSE_ERR_AUTH_TIME, "auth_time 161 s old");

    default_params(&p);
    p.leeway = -5;
    is_int(claims_rc("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"exp\":1700000300,"
                     "\"iat\":1700000001,\"aud\":\"" CID "\"}", &p, 0),
           MEET_JOSE_ERR_IAT_FUTURE, "a negative leeway counts as 0");

    default_params(&p);
    p.issuer = NULL;
    is_int(claims_rc("{" BASE ",\"aud\":\"" CID "\"}", &p, 0),
           MEET_JOSE_ERR_INTERNAL, "no issuer configured");
    default_params(&p);
    p.client_id = "";
    is_int(claims_rc("{" BASE ",\"aud\":\"\"}", &p, 0),
           MEET_JOSE_ERR_AUDIENCE, "empty client id never matches");

    /* the same rules through a signature (ec2) */
    is_int(signed_id_rc("{" BASE ",\"aud\":\"" CID "\"}", NULL), MEET_JOSE_OK,
           "signed: minimal claims");
    is_int(signed_id_rc("{" BASE ",\"aud\":\"x\"}", NULL),
           MEET_JOSE_ERR_AUDIENCE, "signed: wrong aud");
    is_int(signed_id_rc("{\"iss\":\"https://evil.example\",\"sub\":\"u\","
                        "\"iat\":1699999990,\"exp\":1700000300,"
                        "\"aud\":\"" CID "\"}", NULL),
           MEET_JOSE_ERR_ISSUER, "signed: wrong iss");
    is_int(signed_id_rc("{\"iss\":\"" ISS "\",\"sub\":\"u\","
                        "\"iat\":1700001000,"
                        "\"exp\":1700002000,\"nonce\":\"" NONCE "\","
                        "\"aud\":\"" CID "\"}", NULL),
           MEET_JOSE_ERR_IAT_FUTURE, "signed: iat in the future");
    is_int(signed_id_rc("{\"iss\":\"" ISS "\",\"sub\":\"u\","
                        "\"iat\":1690000000,"
                        "\"exp\":1690000300,\"aud\":\"" CID "\"}", NULL),
           MEET_JOSE_ERR_EXPIRED, "signed: expired");
    is_int(signed_id_rc("{" BASE ",\"aud\":\"" CID "\",\"nonce\":\"x\"}",
                        NULL),
           MEET_JOSE_ERR_NONCE, "signed: duplicate nonce, the last counts");
}


static void
test_logout(void)
{
    meet_jose_err_e     rc;
    meet_oidc_params_t  p;
    meet_oidc_claims_t  c;

    default_params(&p);

    rc = meet_oidc_verify_logout_token((const u_char *) vec_logout_ok,
                                       strlen(vec_logout_ok), &jwks1, &p, &c);
    is_int(rc, MEET_JOSE_OK, "logout token verifies");
    is_str(STR(c.sid), "sid-42", "sid");
    is_str(STR(c.sub), "user-1", "sub");
    is_str(STR(c.jti), "jti-7f3a", "jti");
    meet_oidc_claims_free(&c);

    is_int(logout_rc(vec_logout_sid_only, &jwks1), MEET_JOSE_OK,
           "sid only, no exp");
    is_int(logout_rc(vec_logout_nonce, &jwks1), MEET_JOSE_ERR_NONCE_PRESENT,
           "with a nonce");
    is_int(logout_rc(vec_logout_no_events, &jwks1), MEET_JOSE_ERR_EVENTS,
           "without events");
    is_int(logout_rc(vec_logout_wrong_event, &jwks1), MEET_JOSE_ERR_EVENTS,
           "another event");
    is_int(logout_rc(vec_logout_no_sub_sid, &jwks1),
           MEET_JOSE_ERR_NO_SUB_OR_SID, "neither sub nor sid");
    is_int(logout_rc(vec_logout_no_jti, &jwks1), MEET_JOSE_ERR_NO_JTI,
           "without jti");
    is_int(logout_rc(vec_id_rs, &jwks1), MEET_JOSE_ERR_EVENTS,
           "an ID token as logout token");
    is_int(logout_rc(vec_logout_ok, &jwks2), MEET_JOSE_ERR_UNKNOWN_KID,
           "unknown kid");

    p.client_id = "other";
    is_int(meet_oidc_verify_logout_token((const u_char *) vec_logout_ok,
                                         strlen(vec_logout_ok), &jwks1, &p,
                                         &c),
           MEET_JOSE_ERR_AUDIENCE, "another audience");
    default_params(&p);
    p.now = NOW + 200;
    is_int(meet_oidc_verify_logout_token((const u_char *) vec_logout_ok,
                                         strlen(vec_logout_ok), &jwks1, &p,
                                         &c),
           MEET_JOSE_ERR_EXPIRED, "exp checked when present");

#define EV  "\"events\":{\"" MEET_OIDC_BACKCHANNEL_EVENT "\":{}}"
#define LBASE  "\"iss\":\"" ISS "\",\"aud\":\"" CID "\",\"iat\":1699999990," \
               "\"jti\":\"j\""

#define LOGOUT(json, rc, name)                                                \
    is_int(claims_rc("{" json "}", NULL, 1), rc, name)

    LOGOUT(LBASE ",\"sub\":\"u\"," EV, MEET_JOSE_OK, "sub only");
    LOGOUT(LBASE ",\"sid\":\"s\",\"events\":{\"" MEET_OIDC_BACKCHANNEL_EVENT
           "\":true}", MEET_JOSE_ERR_EVENTS, "event member not an object");
    LOGOUT(LBASE ",\"sid\":\"s\",\"events\":[\"" MEET_OIDC_BACKCHANNEL_EVENT
           "\"]", MEET_JOSE_ERR_EVENTS, "events an array");
    LOGOUT(LBASE ",\"sid\":\"s\",\"nonce\":null," EV,
           MEET_JOSE_ERR_NONCE_PRESENT, "nonce null is still a nonce");
    LOGOUT("\"iss\":\"" ISS "\",\"aud\":\"" CID "\",\"jti\":\"j\","
           "\"sid\":\"s\"," EV, MEET_JOSE_ERR_NO_IAT, "no iat");
    LOGOUT("\"iss\":\"" ISS "\",\"aud\":\"" CID "\",\"jti\":\"j\","
           "\"iat\":1700000500,\"sid\":\"s\"," EV, MEET_JOSE_ERR_IAT_FUTURE,
           "iat in the future");
    LOGOUT("\"iss\":\"https://other\",\"aud\":\"" CID "\",\"jti\":\"j\","
           "\"iat\":1699999990,\"sid\":\"s\"," EV, MEET_JOSE_ERR_ISSUER,
           "wrong iss");
    LOGOUT(LBASE ",\"sid\":7," EV, MEET_JOSE_ERR_CLAIMS, "sid a number");
}


static const char  disc_ok[] =
    "{\"issuer\":\"https://idp.example.com\","
    "\"authorization_endpoint\":\"https://idp.example.com/auth\","
    "\"token_endpoint\":\"https://idp.example.com:8443/token\","
    "\"jwks_uri\":\"https://keys.example.com/certs?v=2\","
    "\"userinfo_endpoint\":\"https://idp.example.com/userinfo\","
    "\"end_session_endpoint\":\"https://idp.example.com/logout\","
    "\"response_types_supported\":[\"code\"],"
    "\"id_token_signing_alg_values_supported\":[\"RS256\",\"ES256\"],"
    "\"code_challenge_methods_supported\":[\"plain\",\"S256\"],"
    "\"backchannel_logout_supported\":true,"
    "\"backchannel_logout_session_supported\":true}";


static meet_jose_err_e
disc_rc(const char *doc, const char *issuer, unsigned flags)
{
    meet_jose_err_e        rc;
    meet_oidc_discovery_t  d;

    rc = meet_oidc_discovery_parse((const u_char *) doc, strlen(doc), issuer,
                                   flags, &d);

    if (rc != MEET_JOSE_OK && d.doc != NULL) {
        diag("document kept after an error");
        rc = MEET_JOSE_ERR_LAST;
    }

    meet_oidc_discovery_free(&d);

    return rc;
}


static void
test_discovery(void)
{
    char                   *doc;
    size_t                  n;
    meet_jose_err_e         rc;
    meet_oidc_discovery_t   d;

    rc = meet_oidc_discovery_parse((const u_char *) disc_ok,
                                   sizeof(disc_ok) - 1, ISS, 0, &d);
    is_int(rc, MEET_JOSE_OK, "discovery parses");
    is_str(STR(d.issuer), ISS, "issuer");
    is_str(STR(d.authorization_endpoint), "https://idp.example.com/auth",
           "authorization_endpoint");
    is_str(STR(d.token_endpoint), "https://idp.example.com:8443/token",
           "token_endpoint");
    is_str(STR(d.jwks_uri), "https://keys.example.com/certs?v=2", "jwks_uri");
    is_str(STR(d.end_session_endpoint), "https://idp.example.com/logout",
           "end_session_endpoint");
    ok(d.backchannel_logout_supported
       && d.backchannel_logout_session_supported, "back-channel logout");
    meet_oidc_discovery_free(&d);
    ok(d.doc == NULL && d.issuer.len == 0, "freed");

#define DISC(iss, auth, tok, jwks, extra)                                     \
    "{\"issuer\":\"" iss "\",\"authorization_endpoint\":\"" auth "\","       \
    "\"token_endpoint\":\"" tok "\",\"jwks_uri\":\"" jwks "\"" extra "}"

    is_int(disc_rc(DISC(ISS, ISS "/a", ISS "/t", ISS "/k", ""), ISS, 0),
           MEET_JOSE_OK, "minimal, no code_challenge_methods_supported");
    rc = meet_oidc_discovery_parse((const u_char *) DISC(ISS, ISS "/a",
                                   ISS "/t", ISS "/k", ""),
                                   sizeof(DISC(ISS, ISS "/a", ISS "/t",
                                               ISS "/k", "")) - 1,
                                   ISS, 0, &d);
    ok(rc == MEET_JOSE_OK && d.end_session_endpoint.len == 0
       && d.end_session_endpoint.data[0] == '\0'
       && !d.backchannel_logout_supported, "optional members empty");
    meet_oidc_discovery_free(&d);

    is_int(disc_rc(disc_ok, ISS "/", 0), MEET_JOSE_ERR_ISSUER_MISMATCH,
           "issuer with a trailing slash configured");
    is_int(disc_rc(disc_ok, "https://evil.example.com", 0),
           MEET_JOSE_ERR_ISSUER_MISMATCH, "another issuer");
    is_int(disc_rc(DISC("http://idp.example.com", "https://idp.example.com/a",
                        "https://idp.example.com/t",
                        "https://idp.example.com/k", ""),
                   "http://idp.example.com", MEET_OIDC_ALLOW_HTTP_LOOPBACK),
           MEET_JOSE_ERR_INSECURE_URL, "http issuer");
    is_int(disc_rc(DISC(ISS, ISS "/a", "http://idp.example.com/t", ISS "/k",
                        ""), ISS, 0),
           MEET_JOSE_ERR_INSECURE_URL, "http token endpoint");
    is_int(disc_rc(DISC(ISS, ISS "/a", ISS "/t", "https://u:p@evil/k", ""),
                   ISS, 0),
           MEET_JOSE_ERR_INSECURE_URL, "userinfo in jwks_uri");
    is_int(disc_rc(DISC(ISS, ISS "/a", ISS "/t", ISS "/k",
                        ",\"end_session_endpoint\":\"javascript:alert(1)\""),
                   ISS, 0),
           MEET_JOSE_ERR_INSECURE_URL, "javascript: end_session_endpoint");
    is_int(disc_rc(DISC("http://127.0.0.1:9000", "http://127.0.0.1:9000/a",
                        "http://localhost:9000/t", "http://[::1]:9000/k", ""),
                   "http://127.0.0.1:9000", MEET_OIDC_ALLOW_HTTP_LOOPBACK),
           MEET_JOSE_OK, "http loopback with the flag");
    is_int(disc_rc(DISC("http://127.0.0.1:9000", "http://127.0.0.1:9000/a",
                        "http://localhost:9000/t", "http://[::1]:9000/k", ""),
                   "http://127.0.0.1:9000", 0),
           MEET_JOSE_ERR_INSECURE_URL, "http loopback without the flag");
    is_int(disc_rc(DISC(ISS "?x=1", ISS "/a", ISS "/t", ISS "/k", ""),
                   ISS "?x=1", 0),
           MEET_JOSE_ERR_INSECURE_URL, "issuer with a query");
    is_int(disc_rc(DISC(ISS, ISS "/a", ISS "/t", ISS "/k",
                        ",\"code_challenge_methods_supported\":[\"plain\"]"),
                   ISS, 0),
           MEET_JOSE_ERR_NO_S256, "PKCE plain only");
    is_int(disc_rc(DISC(ISS, ISS "/a", ISS "/t", ISS "/k",
                        ",\"code_challenge_methods_supported\":\"S256\""),
                   ISS, 0),
           MEET_JOSE_ERR_DOCUMENT,
           "code_challenge_methods_supported a string");
    is_int(disc_rc("{\"issuer\":\"" ISS "\",\"authorization_endpoint\":\""
                   ISS "/a\",\"token_endpoint\":\"" ISS "/t\"}", ISS, 0),
           MEET_JOSE_ERR_MISSING, "no jwks_uri");
    is_int(disc_rc("{\"authorization_endpoint\":\"" ISS "/a\","
                   "\"token_endpoint\":\"" ISS "/t\",\"jwks_uri\":\"" ISS
                   "/k\"}", ISS, 0),
           MEET_JOSE_ERR_MISSING, "no issuer");
    is_int(disc_rc("{\"issuer\":\"" ISS "\",\"authorization_endpoint\":\""
                   ISS "/a\",\"token_endpoint\":7,\"jwks_uri\":\"" ISS
                   "/k\"}", ISS, 0),
           MEET_JOSE_ERR_DOCUMENT, "token_endpoint a number");
    is_int(disc_rc("[]", ISS, 0), MEET_JOSE_ERR_DOCUMENT, "an array");
    is_int(disc_rc("<html>", ISS, 0), MEET_JOSE_ERR_DOCUMENT, "not JSON");
    is_int(disc_rc("{\"issuer\":\"https://evil\",\"issuer\":\"" ISS "\"}",
                   ISS, 0),
           MEET_JOSE_ERR_DOCUMENT, "duplicate issuer refused");
    is_int(disc_rc(disc_ok, NULL, 0), MEET_JOSE_ERR_INTERNAL,
           "no configured issuer");

    n = MEET_JOSE_MAX_DOC_LEN + 1;
    doc = malloc(n);
    memset(doc, ' ', n);
    memcpy(doc, disc_ok, sizeof(disc_ok) - 1);
    is_int(meet_oidc_discovery_parse((u_char *) doc, n, ISS, 0, &d),
           MEET_JOSE_ERR_TOO_LONG, "a huge document");
    free(doc);

#define URL(u, flags, expected)                                               \
    is_int(meet_oidc_url_ok(u, strlen(u), flags), expected, "url %s", u)

    URL("https://a", 0, 1);
    URL("HTTPS://A.example/x", 0, 1);
    URL("https://a:443/x?y", 0, 1);
    URL("https://[2001:db8::1]:8443/x", 0, 1);
    URL("https://", 0, 0);
    URL("https:///x", 0, 0);
    URL("https://a:/x", 0, 0);
    URL("https://a:44x/x", 0, 0);
    URL("https://a:1234567/x", 0, 0);
    URL("https://a/x#frag", 0, 0);
    URL("https://a/x y", 0, 0);
    URL("https://a\\@b/", 0, 0);
    URL("https://a@b/", 0, 0);
    URL("https://[::1/x", 0, 0);
    URL("http://localhost/x", 0, 0);
    URL("http://localhost/x", MEET_OIDC_ALLOW_HTTP_LOOPBACK, 1);
    URL("http://127.0.0.1:8080", MEET_OIDC_ALLOW_HTTP_LOOPBACK, 1);
    URL("http://127.0.0.1.evil.com/", MEET_OIDC_ALLOW_HTTP_LOOPBACK, 0);
    URL("http://localhost.evil.com/", MEET_OIDC_ALLOW_HTTP_LOOPBACK, 0);
    URL("http://evil.com/", MEET_OIDC_ALLOW_HTTP_LOOPBACK, 0);
    URL("ftp://a/", MEET_OIDC_ALLOW_HTTP_LOOPBACK, 0);
    URL("//a/", 0, 0);
    URL("https://a%2eb/", 0, 0);
    URL("https://a[b]/", 0, 0);
    URL("https://my_host-1.example.com./x", 0, 1);
    ok(!meet_oidc_url_ok("https://a\0b", 11, 0), "url with a NUL");
    ok(!meet_oidc_url_ok("https://a/\xc3\xa9", 12, 0), "url with UTF-8");
}


static meet_jose_err_e
token_rc(const char *body, meet_oidc_token_response_t *r)
{
    return meet_oidc_token_response_parse((const u_char *) body, strlen(body),
                                          r);
}


static void
test_token_response(void)
{
    meet_oidc_token_response_t  r;

    is_int(token_rc("{\"access_token\":\"at\",\"token_type\":\"Bearer\","
                    "\"expires_in\":300,\"refresh_token\":\"rt\","
                    "\"id_token\":\"a.b.c\",\"scope\":\"openid email\"}", &r),
           MEET_JOSE_OK, "token response parses");
    is_str(STR(r.id_token), "a.b.c", "id_token");
    is_str(STR(r.access_token), "at", "access_token");
    is_str(STR(r.refresh_token), "rt", "refresh_token");
    is_str(STR(r.scope), "openid email", "scope");
    is_int(r.expires_in, 300, "expires_in");
    meet_oidc_token_response_free(&r);
    ok(r.doc == NULL && r.expires_in == -1, "freed");

    is_int(token_rc("{\"access_token\":\"at\",\"token_type\":\"bearer\","
                    "\"id_token\":\"a.b.c\"}", &r),
           MEET_JOSE_OK, "token_type bearer");
    is_int(r.expires_in, -1, "no expires_in");
    meet_oidc_token_response_free(&r);

    is_int(token_rc("{\"access_token\":\"at\",\"token_type\":\"Bearer\","
                    "\"id_token\":\"a.b.c\",\"expires_in\":\"3600\"}", &r),
           MEET_JOSE_OK, "expires_in a string");
    is_int(r.expires_in, 3600, "expires_in string \"3600\" read as 3600");
    meet_oidc_token_response_free(&r);

    is_int(token_rc("{\"error\":\"invalid_grant\",\"error_description\":"
                    "\"Code not valid\"}", &r),
           MEET_JOSE_ERR_TOKEN_ERROR, "error answer");
    is_str(STR(r.error), "invalid_grant", "error");
    is_str(STR(r.error_description), "Code not valid", "error_description");
    meet_oidc_token_response_free(&r);

    is_int(token_rc("{\"error\":\"invalid_client\",\"error_description\":7,"
                    "\"id_token\":\"a.b.c\"}", &r),
           MEET_JOSE_ERR_TOKEN_ERROR, "error wins over a token");
    is_str(STR(r.error_description), "", "numeric description left out");
    meet_oidc_token_response_free(&r);

    is_int(token_rc("{\"access_token\":\"at\",\"token_type\":\"mac\","
                    "\"id_token\":\"a.b.c\"}", &r),
           MEET_JOSE_ERR_TOKEN_TYPE, "token_type mac");
    is_int(token_rc("{\"access_token\":\"at\",\"token_type\":\"Bearer\"}", &r),
           MEET_JOSE_ERR_MISSING, "no id_token");
    is_int(token_rc("{\"id_token\":\"a.b.c\",\"token_type\":\"Bearer\"}", &r),
           MEET_JOSE_ERR_MISSING, "no access_token");
    is_int(token_rc("{\"access_token\":\"at\",\"id_token\":\"a.b.c\"}", &r),
           MEET_JOSE_ERR_MISSING, "no token_type");
    is_int(token_rc("{\"access_token\":\"at\",\"token_type\":\"Bearer\","
                    "\"id_token\":[\"a\"]}", &r),
           MEET_JOSE_ERR_DOCUMENT, "id_token an array");
    is_int(token_rc("{\"access_token\":\"at\",\"token_type\":\"Bearer\","
                    "\"id_token\":\"a.b.c\",\"expires_in\":-1}", &r),
           MEET_JOSE_ERR_DOCUMENT, "negative expires_in");
    is_int(token_rc("{\"access_token\":\"at\",\"token_type\":\"Bearer\","
                    "\"id_token\":\"a.b.c\",\"expires_in\":\"1h\"}", &r),
           MEET_JOSE_ERR_DOCUMENT, "expires_in \"1h\"");
    is_int(token_rc("{\"access_token\":\"at\",\"token_type\":\"Bearer\","
                    "\"id_token\":\"a.b.c\",\"expires_in\":true}", &r),
           MEET_JOSE_ERR_DOCUMENT, "expires_in true");
    ok(r.doc == NULL, "nothing kept after an error");
    is_int(token_rc("access_token=at&token_type=bearer", &r),
           MEET_JOSE_ERR_DOCUMENT, "form encoded");
    is_int(token_rc("", &r), MEET_JOSE_ERR_DOCUMENT, "empty body");
}


static int
unreserved(const char *s, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (s[i] == '\0' || strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "abcdefghijklmnopqrstuvwxyz0123456789-._~",
                                   s[i]) == NULL)
        {
            return 0;
        }
    }

    return 1;
}


static void
test_pkce(void)
{
    int     i, seen[128];
    char    v[MEET_OIDC_VERIFIER_MAX + 1], v2[MEET_OIDC_VERIFIER_MAX + 1];
    char    ch[MEET_OIDC_CHALLENGE_LEN + 1], r1[44], r2[44];
    size_t  n;

    /* RFC 7636 appendix B */
    is_int(meet_oidc_pkce_challenge(
               "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
                                    43, ch),
           MEET_JOSE_OK, "RFC 7636 B challenge");
    is_str(ch, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
           "RFC 7636 B value");

    is_int(meet_oidc_pkce_verifier(v, 43), MEET_JOSE_OK, "verifier of 43");
    ok(strlen(v) == 43 && unreserved(v, 43), "43 unreserved characters");
    is_int(meet_oidc_pkce_challenge(v, 43, ch), MEET_JOSE_OK, "its challenge");
    ok(strlen(ch) == 43 && strchr(ch, '=') == NULL, "43 characters, no pad");

    is_int(meet_oidc_pkce_verifier(v, 128), MEET_JOSE_OK, "verifier of 128");
    ok(strlen(v) == 128 && unreserved(v, 128), "128 unreserved characters");
    is_int(meet_oidc_pkce_verifier(v2, 128), MEET_JOSE_OK, "another");
    ok(strcmp(v, v2) != 0, "verifiers differ");

    /* every one of the 66 characters turns up in 40 verifiers */
    memset(seen, 0, sizeof(seen));
    for (i = 0; i < 40; i++) {
        meet_oidc_pkce_verifier(v, 128);
        for (n = 0; n < 128; n++) {
            seen[(u_char) v[n] & 127] = 1;
        }
    }
    for (i = 0, n = 0; i < 128; i++) {
        n += seen[i];
    }
    is_int(n, 66, "the whole unreserved alphabet is used");

    is_int(meet_oidc_pkce_verifier(v, 42), MEET_JOSE_ERR_INTERNAL,
           "verifier of 42 refused");
    is_int(meet_oidc_pkce_verifier(v, 129), MEET_JOSE_ERR_INTERNAL,
           "verifier of 129 refused");
    is_int(meet_oidc_pkce_challenge(
               "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX",
                                    42, ch),
           MEET_JOSE_ERR_MALFORMED, "challenge of a 42-character verifier");
    is_int(meet_oidc_pkce_challenge(
               "dBjftJeZ4CVP+mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
                                    43, ch),
           MEET_JOSE_ERR_MALFORMED, "challenge of a verifier with '+'");

    is_int(meet_oidc_random(r1), MEET_JOSE_OK, "state");
    is_int(meet_oidc_random(r2), MEET_JOSE_OK, "nonce");
    ok(strlen(r1) == 43 && unreserved(r1, 43) && strchr(r1, '.') == NULL
       && strchr(r1, '~') == NULL, "43 base64url characters");
    ok(strcmp(r1, r2) != 0, "they differ");

    ok(meet_oidc_str_equal((u_char *) "abc", 3, (u_char *) "abc", 3),
       "equal");
    ok(!meet_oidc_str_equal((u_char *) "abc", 3, (u_char *) "abd", 3),
       "different");
    ok(!meet_oidc_str_equal((u_char *) "abc", 3, (u_char *) "ab", 2),
       "prefix");
    ok(!meet_oidc_str_equal(NULL, 0, (u_char *) "", 0), "NULL");
}


/* a printable copy for the test names */

static const char *
printable(const char *s, size_t len)
{
    size_t       i, n;
    static char  buf[256];

    for (i = 0, n = 0; i < len && n < sizeof(buf) - 5; i++) {
        if ((u_char) s[i] < 0x20 || (u_char) s[i] >= 0x7f) {
            n += sprintf(buf + n, "\\x%02x", (u_char) s[i]);

        } else {
            buf[n++] = s[i];
        }
    }

    buf[n] = '\0';

    return buf;
}


static void
test_return_url(void)
{
    char  *s;

#define RET(u, expected)                                                      \
    is_int(meet_oidc_return_url_ok((const u_char *) u, sizeof(u) - 1),        \
           expected, "return url \"%s\"", printable(u, sizeof(u) - 1))

    RET("/", 1);
    RET("/room-1", 1);
    RET("/r/abc-def?x=1&y=%20#top", 1);
    RET("/r?next=https://evil.com//x", 1);
    RET("/a/b.c/..d/.e", 1);
    RET("/a:b", 1);
    RET("/%41", 1);

    RET("", 0);
    RET("room", 0);
    RET("//evil.com", 0);
    RET("//evil.com/", 0);
    RET("/\\evil.com", 0);
    RET("\\/evil.com", 0);
    RET("/\\/evil.com", 0);
    RET("https://evil.com", 0);
    RET("http:/evil.com", 0);
    RET("javascript:alert(1)", 0);
    RET(" /x", 0);
    RET("/%2F%2Fevil.com", 0);
    RET("/%2f/evil.com", 0);
    RET("/%5Cevil.com", 0);
    RET("/a/%2e%2e/b", 0);
    RET("/a/../../b", 0);
    RET("/a/./b", 0);
    RET("/..", 0);
    RET("/.", 0);
    RET("/a/..?x", 0);
    RET("/a//b", 0);
    RET("/x\r\nSet-Cookie: a=b", 0);
    RET("/x%0d%0aSet-Cookie:a=b", 0);
    RET("/x?%0a", 0);
    RET("/x\t", 0);
    RET("/x y", 0);
    RET("/x\x7f", 0);
    RET("/caf\xc3\xa9", 0);
    RET("/%", 0);
    RET("/%4", 0);
    RET("/%zz", 0);
    RET("/%00", 0);

    ok(!meet_oidc_return_url_ok((const u_char *) "/a\0b", 4), "NUL inside");
    ok(!meet_oidc_return_url_ok(NULL, 0), "NULL");

    s = malloc(MEET_OIDC_MAX_RETURN_LEN + 1);
    memset(s, 'a', MEET_OIDC_MAX_RETURN_LEN + 1);
    s[0] = '/';
    ok(meet_oidc_return_url_ok((u_char *) s, MEET_OIDC_MAX_RETURN_LEN),
       "2048 bytes");
    ok(!meet_oidc_return_url_ok((u_char *) s, MEET_OIDC_MAX_RETURN_LEN + 1),
       "2049 bytes");
    free(s);
}


static void
test_strerror(void)
{
    int  i, distinct;

    is_str(meet_jose_strerror(MEET_JOSE_OK), "ok", "ok");
    is_str(meet_jose_strerror(MEET_JOSE_ERR_UNKNOWN_KID), "unknown key id",
           "unknown kid message");
    is_str(meet_jose_strerror(MEET_JOSE_ERR_INTERNAL), "internal error",
           "the last message");
    is_str(meet_jose_strerror(MEET_JOSE_ERR_LAST), "unknown error",
           "out of range");

    distinct = 1;
    for (i = 1; i < MEET_JOSE_ERR_LAST; i++) {
        if (strcmp(meet_jose_strerror(i), meet_jose_strerror(i - 1)) == 0) {
            distinct = 0;
        }
    }
    ok(distinct, "messages differ");
}


int
main(void)
{
    char  *doc;
    BIO   *bio;

    bio = BIO_new_mem_buf(vec_ec2_pem, -1);
    ec2_key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    ok(ec2_key != NULL, "ec2 private key loads");

    doc = malloc(strlen(vec_ec2_jwk) + 16);
    sprintf(doc, "{\"keys\":[%s]}", vec_ec2_jwk);

    is_int(load_jwks(vec_jwks1, &jwks1), MEET_JOSE_OK, "jwks1 parses");
    is_int(load_jwks(vec_jwks2, &jwks2), MEET_JOSE_OK, "jwks2 parses");
    is_int(load_jwks(doc, &jwks_ec2), MEET_JOSE_OK, "ec2 set parses");
    free(doc);

    test_rfc_vectors();
    test_jwks();
    test_id_tokens();
    test_malformed();
    test_claims();
    test_logout();
    test_discovery();
    test_token_response();
    test_pkce();
    test_return_url();
    test_strerror();

    meet_jose_jwks_free(&jwks1);
    meet_jose_jwks_free(&jwks2);
    meet_jose_jwks_free(&jwks_ec2);
    EVP_PKEY_free(ec2_key);

    return done_testing();
}
