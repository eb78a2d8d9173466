// RAII owners for the OpenSSL (libcrypto) handles of clearmatch, and the
// error queue as text. Every OpenSSL handle lives in one of these from the
// line where it is created.
//
//   BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
//   X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
//   if (cert == nullptr) ... TakeOpenSslError() ...
#ifndef CLEARMATCH_CRYPTO_OPENSSL_HANDLES_H_
#define CLEARMATCH_CRYPTO_OPENSSL_HANDLES_H_

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace clearmatch {

struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct EvpPkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
struct EvpMdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct X509ExtensionDeleter {
  void operator()(X509_EXTENSION* ext) const { X509_EXTENSION_free(ext); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxDeleter>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxDeleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, X509ExtensionDeleter>;

// The oldest queued OpenSSL error of this thread as text, for error
// messages ("no detail" if none); clears the queue.
std::string TakeOpenSslError();

}  // namespace clearmatch

#endif  // CLEARMATCH_CRYPTO_OPENSSL_HANDLES_H_
