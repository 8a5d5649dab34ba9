// OPA's `--authentication=tls`: a client's verified certificate is its identity. For the authorization
// policy (authz.h) the identity is the leaf certificate's subject as Go prints it
// (pkix.Name.ToRDNSequence().String(): "CN=alice,OU=payments,O=Acme,C=GB" — the most specific attribute
// first, only the attribute types Go's pkix.Name knows), and `client_certificates` is every certificate the
// client sent, as Go's encoding/json marshals x509.Certificate (the shape crypto.x509.parse_certificates
// returns, without its URIStrings).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rego/value.h"

namespace trex::server {

// The subject of a DER certificate in Go's RDNSequence string form; nullopt when the DER does not parse.
std::optional<std::string> certificate_subject_identity(std::string_view der);

// input.client_certificates: one Go-shaped object per DER certificate (those that do not parse are left out).
rego::Value client_certificates_value(const std::vector<std::string>& ders);

}  // namespace trex::server
