// RAII owners for the libssl handles (TLS contexts and connections). Apart
// from crypto/openssl_handles.h because only a TLS server needs libssl: a
// target including this header links OpenSSL::SSL itself.
#ifndef CLEARMATCH_CRYPTO_SSL_HANDLES_H_
#define CLEARMATCH_CRYPTO_SSL_HANDLES_H_

#include <openssl/ssl.h>

#include <memory>

namespace clearmatch {

struct SslCtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct SslDeleter {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;
using SslPtr = std::unique_ptr<SSL, SslDeleter>;

}  // namespace clearmatch

#endif  // CLEARMATCH_CRYPTO_SSL_HANDLES_H_
