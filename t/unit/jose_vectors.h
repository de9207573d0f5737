
/*
 * Copyright (C) ngx_meet authors
 *
 * Test vectors shared by t/unit/test_jose.c and the fuzz targets
 * t/fuzz/fuzz_jose.c, t/fuzz/fuzz_oidc_json.c; how each was made is told
 * in test_jose.c.
 */


#ifndef _MEET_JOSE_VECTORS_H_INCLUDED_
#define _MEET_JOSE_VECTORS_H_INCLUDED_


#if defined(__GNUC__)
#define JOSE_VECTOR  static const char __attribute__((unused))
#else
#define JOSE_VECTOR  static const char
#endif


JOSE_VECTOR  rfc7515_a2[] =
    "eyJhbGciOiJSUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxl"
    "LmNvbS9pc19yb290Ijp0cnVlfQ"
    ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuH"
    "Im4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiu"
    "B--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN93"
    "83LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9Q"
    "OYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

JOSE_VECTOR  rfc7515_a2_jwks[] =
    "{\"keys\":[{\"kty\":\"RSA\","
    "\"n\":\"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmf"
    "HQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG"
    "6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KX"
    "BdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJ"
    "H7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWy"
    "uXpoQ\",\"e\":\"AQAB\"}]}";

JOSE_VECTOR  rfc7515_a3[] =
    "eyJhbGciOiJFUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxl"
    "LmNvbS9pc19yb290Ijp0cnVlfQ"
    ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQ"
    "xfKTUJqPP3-Kg6NU1Q";

JOSE_VECTOR  rfc7515_a3_jwks[] =
    "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\","
    "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\","
    "\"kid\":\"Public key used in JWS spec Appendix A.3 example\"}]}";

JOSE_VECTOR  vec_jwks1[] =
    "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"udXb0F7SXudlvHG8WOP0i2In2gXjn4"
    "71wtsdZKiDjA1zaiN2nj0JfS7MUue6cvXeEcIFOb7HfVOBtyF9Bi9HwlTAq7RajiHg"
    "kmWJ0zn_9Uny5ldTWA6cS3YN049h_QVz8exTlys5UhYn-yKJgFHGDV1tCKEFwTRVlE"
    "cCVE8GmNDvyEDK-d8wxuqzFzVJScqRK5gp6YjCjZCKvI3xl0Milw8hHd6xu8vsvUYp"
    "-lbYRN3m7jVC8yB5khjS_c-DrTS2bKU8-75Nva7rD_cmPvXYEIXBV_ZIIo-EaeFfcQ"
    "5bCR9DRIgN8I2JaH3nPsf5CVEFhE5VsD6IlOV27bcyvYxoKw\",\"e\":\"AQAB\","
    "\"kid\":\"rsa1\",\"use\":\"sig\",\"alg\":\"RS256\"},{\"kty\":\"EC"
    "\",\"x\":\"dAAOaGp-eeeQCFtFHz9SfQJpH6FBPEHSXrni1DNRRRA\",\"y\":\"u"
    "R3y7lRYoVA_VwhILa2KXAfr38QAf6qe5ni1tB4oKCQ\",\"crv\":\"P-256\",\"k"
    "id\":\"ec1\",\"use\":\"sig\",\"alg\":\"ES256\"},{\"kty\":\"OKP\","
    "\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaP"
    "cHURo\",\"kid\":\"ed1\",\"use\":\"sig\"},{\"kty\":\"oct\",\"k\":\""
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS"
    "4hcgUuTwjAzZr1Z9CAow\",\"kid\":\"hmac1\"}]}";

JOSE_VECTOR  vec_ec2_pem[] =
    "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHB"
    "G0wawIBAQQgJriJ7Keh/yWLqbph\njHfOCvkOwyZlvL3RDB9YyEAHEaKhRANCAAT+v"
    "0mlt2QT4K5dAOrAOkKLSieTvCba\nROYGoY42YbkdNitHmJ1EQDwH/+BcfPMtF3R4Y"
    "hfw6aFcX59BUkI5/ACK\n-----END PRIVATE KEY-----\n";

JOSE_VECTOR  vec_ec2_jwk[] =
    "{\"kty\":\"EC\",\"x\":\"_r9JpbdkE-CuXQDqwDpCi0onk7wm2kTmBqGONmG5HT"
    "Y\",\"y\":\"K0eYnURAPAf_4Fx88y0XdHhiF_DpoVxfn0FSQjn8AIo\",\"crv\":"
    "\"P-256\",\"kid\":\"ec2\",\"use\":\"sig\",\"alg\":\"ES256\"}";


#endif /* _MEET_JOSE_VECTORS_H_INCLUDED_ */
