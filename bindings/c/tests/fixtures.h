/* Fixed inputs for the C and C++ tests: an RSA test key and RFC test vectors.
 * Test-only material: never use these keys for anything else. */

#ifndef TESSERA_TEST_FIXTURES_H
#define TESSERA_TEST_FIXTURES_H

/* tests/data/keys/rsa2048.pkcs8.pem (`openssl genpkey -algorithm RSA -pkeyopt
 * rsa_keygen_bits:2048`); tessera generates RSA keys only with the aws-lc backend. */
static const char RSA2048_PKCS8_PEM[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCdh9q5YiGb1HlI\n"
    "7bNnD580keY/8pz9q+GrQIGGrb5NJgCGEsFEqj5933n3A+bp8eoIrVxqaxoQiWTJ\n"
    "wHkAUZK/1r2+JTcEH7jf8vQeBYgH0HdjRYtwIjORKJoS/7bfNleFjzTgSG4niHO7\n"
    "a2JZsvfcUOIQxogmX4ipi5tvmDeRvtIRwYwf8XQzeRbgBhkJ/IdmXuhfuFQBrtf7\n"
    "rsV5gSWa57oKb4HeRrS09V+epkkJUeluoDU3LEd+OZZDF5QTRwf57/ftYS5F5oRs\n"
    "C/3LLgsivW90aoI675ynLODKtqlVC7wkIGESwyu4b8expVlzkqM7pFasMHRmV/NH\n"
    "xmXRVhSBAgMBAAECggEASBBYhjr2jf9mlm6rBegXGCjwUGuv1rn1C+7/8fj0V/2c\n"
    "+riEsmFBIjsD4/TkgzwYKG0KHGKvc0YvFb5XfEZU4C6f8Wa74saSP9y4QS2dm5mJ\n"
    "rB+p2JvExFBzH2LcqQMGicJH2Zw4zBv3eZL31HnzOlXD/RGdQhStA4aqjiPvs9uD\n"
    "0H8rzw75m+0/HQTB806wI1l3IczTnVGviJLm7HDEdnyAPLCKhTIVHVbGaL+4vY4j\n"
    "0vLSZ7clM7B+Hp47l41ga+WaFTtfD0+RkC6nL6+TZSYDQOwzCltOXnYLT+0yjdbE\n"
    "FnsWEPyG8d0809nC+jdRUCbK5corTgkkYQK5JthvGwKBgQDVgtvRB8JS6gjhfAak\n"
    "AIQCCx9B1l4g/3+atq4zmUqMZy0nzPaRgSteJ0lDZzIuC2t6VtVMT09DPVwcvxeG\n"
    "MwCgCWUGk5XAygtEWQ2XRk+Uidg99TO1IFkaYqYAjCswymscp6WTQZ+UhfRQkpa+\n"
    "iieAFQA81fron/RhH61XHDpsMwKBgQC84R5QvrcsoslBhsCSpR/6OTqVNpBe43wT\n"
    "5pRt3UutcPp//av5WmYqfCJmym6mMLhm4LYX3oeoivw5jd4/OV/QTcUjxAgTrccm\n"
    "nQXgm/6MJKkX306KIx6cypwC+fo8yCW5NSCXG5JZXAobES9T3Tw6jDkS+rVC4qLS\n"
    "zIfBEBOIewKBgQCssXs6RxxWFBW6y6ZTYFdlj7lodwsLhZygdsHP2l0B0zIizxVf\n"
    "+yoorX4ElqNvuqzj9vfvEPb7W9X1KlrMoNQQnYipGRY3KTSTw7PKd4RGkHfnJTz9\n"
    "c3yeasv6BWWpwQ+BzdeOk7WPXAmQYgCrfPMWFeZrTmfzX+054XVC0AIxIQKBgCe5\n"
    "FJ4Yrf9mMPtl8qQktCf01zxAYHaEUzkAOmEstFjCtPwsBnoHqArxVm7VzhWHk5CX\n"
    "W9SDSXaJ3GfiTUZws5TkdjyCYsx4tLSLO4w0YoFoyGMr5KGqpyqEdfEuT5Fu6ngc\n"
    "E0GUW+ANOlbc814o3hzWFr7GGU76yRGaUEarMeB3AoGBAJyeW4wQOnRUuRIkcMTY\n"
    "ZzPbV1LZOUyJ3McMkr5knsGCo6NE9t8fL4G7iQF+nSgrwtpLHtEzerqk2bLVxHp9\n"
    "o7N1AIVc8sEWyMHk3BIxljeyG3unIGuXIbDDNVzh2PtjE9fjg+PM5f4WLotOpp+Y\n"
    "fyhEADGtRITKlOp2gymrwIzd\n"
    "-----END PRIVATE KEY-----\n";

/* RFC 7515 Appendix A.1: an HS256 JWS whose protected header contains CRLF. */
static const char RFC7515_A1_JWK[] =
    "{\"kty\":\"oct\",\"k\":\"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4"
    "hcgUuTwjAzZr1Z9CAow\"}";
static const char RFC7515_A1_HEADER[] = "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}";
static const char RFC7515_A1_PAYLOAD[] =
    "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";
static const char RFC7515_A1_TOKEN[] =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
#define RFC7515_A1_EXP 1300819380

/* RFC 8037 Appendices A.1, A.2 and A.4: Ed25519 (deterministic) over a non-JSON payload. */
static const char RFC8037_PRIVATE_JWK[] =
    "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":\"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\","
    "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}";
static const char RFC8037_PUBLIC_JWK[] =
    "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}";
static const char RFC8037_HEADER[] = "{\"alg\":\"EdDSA\"}";
static const char RFC8037_PAYLOAD[] = "Example of Ed25519 signing";
static const char RFC8037_TOKEN[] =
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

/* RFC 7638 section 3.1: the RFC 7517 A.1 RSA public key and its JWK thumbprint. */
static const char RFC7638_JWK[] =
    "{\"kty\":\"RSA\",\"n\":\"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK"
    "7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4Qy"
    "Q5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt"
    "-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw\","
    "\"e\":\"AQAB\",\"alg\":\"RS256\",\"kid\":\"2011-04-29\"}";
static const char RFC7638_THUMBPRINT[] = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

/* tests/data/keys/p521.sec1.pem (`openssl ecparam -name secp521r1 -genkey -noout`): a P-521
 * key made by OpenSSL, an ES512 key with the aws-lc backend and an unsupported key with ring. */
static const char P521_SEC1_PEM[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MIHcAgEBBEIBSirFuvTdwOxGZ1dHJ54HBbzn36pWv03F02IqckbF/t8kPCpFIG9L\n"
    "9pHLHYrJXSNg+PhKHEUfT78zJ5FcA32IfcmgBwYFK4EEACOhgYkDgYYABAHsV6zn\n"
    "ecdm7bmLvtMilf8arh7OR+SrQHNh1D1YSzNGp0g7FgKHE1gRhUdS9+LEGuJrXGQr\n"
    "Iwfw6b4PpiJ8U0peJQFyDAZGJ5CSw3hDQP+o22I4bBjr7LFalmdRQkra7d0nWQnQ\n"
    "gsBPCvPJQWI16Kt2yJtmk68TPA7q6J5xXGa6JfdByA==\n"
    "-----END EC PRIVATE KEY-----\n";

#endif /* TESSERA_TEST_FIXTURES_H */
