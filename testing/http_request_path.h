// The path of an HTTP/1.1 request line, for the loopback test servers
// (fault_http_server.h, tls_http_server.h).
//
//   RequestPath("GET /deltas/1.delta HTTP/1.1\r\n...")  // "deltas/1.delta"
#ifndef CLEARMATCH_TESTING_HTTP_REQUEST_PATH_H_
#define CLEARMATCH_TESTING_HTTP_REQUEST_PATH_H_

#include <string>

namespace clearmatch::testing {

// The request target of `request` (its first line, "METHOD TARGET ..."),
// without a leading '/'; "" when there is no target.
std::string RequestPath(const std::string& request);

}  // namespace clearmatch::testing

#endif  // CLEARMATCH_TESTING_HTTP_REQUEST_PATH_H_
