// OPA's validateHTTPRequestOperand, shared by http.send and providers.aws.sign_req (which checks its request
// operand the same way): only http.send's request keys, and "method" and "url" present.
#pragma once

#include <string>

#include "rego/value.h"

namespace rego {

// The operand error OPA reports ("operand 1 invalid request parameters(s): {...}" or "operand 1 missing
// required request parameters(s): {...}"), or "" when the request object is acceptable.
std::string http_request_operand_error(const Value& request);

}  // namespace rego
