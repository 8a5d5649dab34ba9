# OPA's default decision (/system/main), which the SDK's evaluateDefault reaches through `POST /`.
package system

main := {"allowed": data.sdktest.authz.allow, "user": input.user}
