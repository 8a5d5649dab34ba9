// OPA's API authentication and authorization: with `--authentication=token` the bearer token of a request is
// its identity; with `--authentication=tls` the subject of its verified client certificate is, and
// `client_certificates` holds the parsed certificates (client_identity.h); with `--authorization=basic` every API call is first decided by the policy at
// `default_authorization_decision` (data.system.authz.allow) with OPA's input — method, path (segments),
// params, headers, identity and, for JSON bodies of POST/PUT/PATCH, the parsed body. A call the policy does
// not allow gets 401 in OPA's shape. The authz policy itself cannot be replaced or removed through the API
// it guards (a write to its package answers 403).
#pragma once

#include <string>
#include <vector>

#include "server/api.h"

namespace trex::server {

// True when the call may proceed; otherwise `res` holds the 401.
bool authorize(ServerContext& ctx, const HttpRequest& req, HttpResponse& res);

// Whether a module package lies under the authorization decision's package (system.authz), which the API
// must not change while authorization is on.
bool guards_authz(const ServerContext& ctx, const std::vector<std::string>& package);

}  // namespace trex::server
