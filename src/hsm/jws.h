// Compact JWS (RFC 7515) for checkpoints: protected header {"alg":"ES256","kid":...}, a JSON payload, and
// a signature from a Signer (made inside the token). Verification needs the public key alone.
#pragma once

#include <string>
#include <string_view>

#include "hsm/ec_key.h"
#include "hsm/signer.h"

namespace trex::hsm {

// BASE64URL(header) '.' BASE64URL(payload) '.' BASE64URL(signature).
bool jws_sign(Signer& signer, std::string_view payload_json, std::string& jws, std::string& error);

// Checks the form, that the header's alg is ES256, and the signature with `key`; the decoded payload goes
// to `payload_json` (parse it yourself). `kid` receives the header's kid ("" when absent).
bool jws_verify(std::string_view jws, const PublicKey& key, std::string& payload_json, std::string& kid,
                std::string& error);

}  // namespace trex::hsm
