// Compact JWS signing and verification (see jws.h).
#include "hsm/jws.h"

#include <vector>

#include "hsm/bytes.h"
#include "hsm/json_scan.h"

namespace trex::hsm {

bool jws_sign(Signer& signer, std::string_view payload_json, std::string& jws, std::string& error) {
  std::string header = "{\"alg\":" + json_quote(signer.alg()) + ",\"kid\":" + json_quote(signer.kid()) + "}";
  std::string input = base64url_encode(header) + "." + base64url_encode(payload_json);
  std::string signature;
  if (!signer.sign(input, signature, error)) return false;
  jws = std::move(input);
  jws += '.';
  jws += base64url_encode(signature);
  return true;
}

bool jws_verify(std::string_view jws, const PublicKey& key, std::string& payload_json, std::string& kid,
                std::string& error) {
  size_t dot1 = jws.find('.');
  size_t dot2 = dot1 == std::string_view::npos ? dot1 : jws.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || jws.find('.', dot2 + 1) != std::string_view::npos) {
    error = "the JWS is not in compact form (three dot-separated parts)";
    return false;
  }
  std::string header, signature;
  if (!base64url_decode(jws.substr(0, dot1), header) ||
      !base64url_decode(jws.substr(dot1 + 1, dot2 - dot1 - 1), payload_json) ||
      !base64url_decode(jws.substr(dot2 + 1), signature)) {
    error = "the JWS has a part that is not base64url";
    return false;
  }
  std::vector<JsonField> fields;
  if (!scan_object(header, fields, error)) {
    error = "the JWS header is not a JSON object: " + error;
    return false;
  }
  const JsonField* alg = find_field(fields, "alg");
  if (!alg || alg->type != JsonField::Type::String || alg->text != "ES256") {
    error = "the JWS header's alg is not ES256";
    return false;
  }
  const JsonField* k = find_field(fields, "kid");
  kid = k && k->type == JsonField::Type::String ? k->text : "";
  if (!key.verify_es256(jws.substr(0, dot2), signature)) {
    error = "the JWS signature does not verify with the public key";
    return false;
  }
  return true;
}

}  // namespace trex::hsm
