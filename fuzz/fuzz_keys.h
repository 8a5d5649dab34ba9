// Fixed test keys for the fuzz targets and fuzz_gen_seeds (fuzz/gen_seeds.cpp), made once with openssl for fuzzing
// only — they protect nothing. Seeds signed with the private keys verify in the targets, so mutations start
// from inputs that reach the code after a successful signature check.
#pragma once

namespace trex_fuzz {

inline constexpr const char* kEcPrivatePem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgNhGHBo7yfNJFIERK
QWsMCwxopBLhNjuwstaGDi60vQ+hRANCAAQyi5N9AxLnBTdAVVB7FV5PKLofM9e0
/e5hFsWlmUkn4ZX0mCchqVU0kdnUfLcZdndAmvzzDUrogp9u09jvQiRr
-----END PRIVATE KEY-----
)";

inline constexpr const char* kEcPublicPem = R"(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEMouTfQMS5wU3QFVQexVeTyi6HzPX
tP3uYRbFpZlJJ+GV9JgnIalVNJHZ1Hy3GXZ3QJr88w1K6IKfbtPY70Ikaw==
-----END PUBLIC KEY-----
)";

inline constexpr const char* kRsaPrivatePem = R"(-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDMZPAXxYn5xSHx
RnU7J+zFFBm8wc1e8GvD+0edzC9KAhywwBzPrte3QCZvNm09eIaiFKNYCQzTHm8H
VfChgScwQ09OGl816P5eURFZTv2oylZ9bf9mq3H+e4PfTldyAVP5JEy6akfbmOET
pb3wQ2mtGN1dQ/IHqNEVtYzt7CGs08l6VnDWTo/18klw+7VyHm0IdWm56S1QvMEb
zNZ/mSqr2jU67zDzSPQoG/WLJA1Y8nX4Iq7GnBaC/4sn3pkfRDO844U6DUrlbsLY
ecW37tEIyyuuRF6RPgomizetPQuiiUBtBMOdTFk5/hV4zFdXsJI0TCOxgcfHWoFl
kMtxbW71AgMBAAECggEADPyM1LXUYm5IDdBwOmX7ATqZuAiIR/P2pOkeT8RdbNJd
iE1shzWQty/4QTCwGCvEQiAVkM5iZjeUzl6Df395QfPE4i2CxyYao1t7QrVmIIda
n3WRuLBD+etXIaUUoUW8VCQeS+nczvMTue/Z9Z4S5NCjn/1lL19miX6TibprGVPu
XNqpkDzO/8+LceyDsurIgXXeoJkQAIsqdKipqh/5E1Cr02lN44wHQ5MdlLGoC1lk
aYV6puaTRSV0/J23mvs/Gx9lsJDV0FyCDkSx567QklklNYsPTAxXGSXXv99FliHI
hO6hXsdkVU1mAes0vLIJoM506uD8qk6/x2XVrK25MQKBgQD3cI84WFkgpzgkmigt
PKW5xaE9eLXfHPWfvypMiHfiqUQtDhWmRlHk/znC/DMkYA4JsuLT2pZRxRHfMUNz
Rz90tgKSXVrvaPydgdCQFHxXxR+BMMgRLx0P77UbdsQI1leaB0ZrfDGF6qSgnPVe
OPYmjDpojPegVoNe+gQmu+RqcwKBgQDTdyX/A9Z/AhclfJO9XKppOZV1YukAZMQ9
pzO7txc/cl7/zxX1GwSoZADduoPsWm7jm3M9weUsiUHj569Mp+OqOWJAVA6tDp+8
5huM6nkZCgU1BbUOuq5usAQKpbABukfdj9kB+Lo8BzBuQs308gvsGLG3nibU2xzY
wkJPd5ne9wKBgQDPkdQDP1HdK4nUYqFreWHI2nnteFKRTNjb3mCcfSqcsMPpS9Rr
fLf8cwJAiJJaZF3CUxcnA0pwY/IfGlNr5AveW0UDBV9gUOEBPEH6a8T3V/yawpJC
oBQwJzT1SgcfJresFYhEaJWesnzR43mORhhvs9jXldGw5oIj7XYIDDyL8wKBgCPO
Y/+nTbWZzAOL8ZQ50Z0ZpAYJZnyrk1MBMdBSMzyKCC32ibhEB+jfbgodX+MweOBP
XRcS8tQ0tZR6kYNAVltndgyAby+8by3UJMwak8C6oqEUw1CoKYsSgMywu3m/ahXJ
GqyryhUJ/phc9XTJW11x3P3DaL3YEC1fz0yXatWHAoGAGjd5gxka7ekdqD/Ae5+R
ArMME2Eh91EoF1oB/qHVE9Q59TSjd2k55zJnUbvVwvlv9LxVHsXBtZZ+i9OFLayb
3jorp1ZK8jtMhQYcw+jOKGf7x3o41+4XVOsqF23o3iZUqekNloe//kfA3Zl1z7k3
GF2xNMvcFkC6yZl8sHOpAhw=
-----END PRIVATE KEY-----
)";

inline constexpr const char* kRsaPublicPem = R"(-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzGTwF8WJ+cUh8UZ1Oyfs
xRQZvMHNXvBrw/tHncwvSgIcsMAcz67Xt0AmbzZtPXiGohSjWAkM0x5vB1XwoYEn
MENPThpfNej+XlERWU79qMpWfW3/Zqtx/nuD305XcgFT+SRMumpH25jhE6W98ENp
rRjdXUPyB6jRFbWM7ewhrNPJelZw1k6P9fJJcPu1ch5tCHVpuektULzBG8zWf5kq
q9o1Ou8w80j0KBv1iyQNWPJ1+CKuxpwWgv+LJ96ZH0QzvOOFOg1K5W7C2HnFt+7R
CMsrrkRekT4KJos3rT0LoolAbQTDnUxZOf4VeMxXV7CSNEwjsYHHx1qBZZDLcW1u
9QIDAQAB
-----END PUBLIC KEY-----
)";

inline constexpr const char* kHmacSecret = "fuzz-secret";

}  // namespace trex_fuzz
