// WithDeadline: a gRPC client context with the deadline a test's calls to a
// real daemon get, so that a stuck daemon fails the test instead of hanging
// it.
//
//   grpc::ClientContext context;
//   stub->Check(WithDeadline(&context), request, &response);
//
// Header-only (a template, so that it needs no gRPC include of its own).
#ifndef CLEARMATCH_TESTING_GRPC_DEADLINE_H_
#define CLEARMATCH_TESTING_GRPC_DEADLINE_H_

#include <chrono>

namespace clearmatch::testing {

template <typename ClientContext>
ClientContext* WithDeadline(ClientContext* context, int seconds = 60) {
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(seconds));
  return context;
}

}  // namespace clearmatch::testing

#endif  // CLEARMATCH_TESTING_GRPC_DEADLINE_H_
