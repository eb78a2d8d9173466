// Principal: who is calling clearmatchd, as the transport proved it: the
// subject common name of an mTLS-verified client certificate, or the user
// (uid from SO_PEERCRED) on the daemon's unix socket. A caller on plaintext
// TCP, or on TLS without a client certificate, is anonymous. On the web
// listener, a client certificate too, or the operator's local reviewer.
//
//   Principal caller = Principal::UnixUser(0, "root");
//   caller.name();         // "root": the reviewer recorded on decisions
//   caller.Description();  // "unix user \"root\" (uid 0)", for errors
//
// A plain value; thread-compatible.
#ifndef CLEARMATCH_DAEMON_PRINCIPAL_H_
#define CLEARMATCH_DAEMON_PRINCIPAL_H_

#include <cstdint>
#include <string>
#include <utility>

namespace clearmatch {

class Principal {
 public:
  enum class Kind {
    kAnonymous,    // plaintext TCP, or TLS without a client certificate
    kCertificate,  // mTLS: name() is the certificate's subject CN
    kUnixUser,     // the unix socket: uid() from SO_PEERCRED
    // The plaintext loopback web listener's one reviewer, named by the
    // operator (web_local_reviewer): role "reviewer" only.
    kWebLocalReviewer,
  };

  static Principal Anonymous() { return Principal(Kind::kAnonymous, "", 0); }
  static Principal Certificate(std::string common_name) {
    return Principal(Kind::kCertificate, std::move(common_name), 0);
  }
  // `name`: the reviewer name of that user (UnixUserName).
  static Principal UnixUser(uint32_t uid, std::string name) {
    return Principal(Kind::kUnixUser, std::move(name), uid);
  }

  static Principal WebLocalReviewer(std::string name) {
    return Principal(Kind::kWebLocalReviewer, std::move(name), 0);
  }

  Kind kind() const { return kind_; }
  bool authenticated() const { return kind_ != Kind::kAnonymous; }
  // The name recorded as the reviewer; empty when anonymous.
  const std::string& name() const { return name_; }
  // Only for kUnixUser.
  uint32_t uid() const { return uid_; }
  // For messages: `client certificate "ops"`, `unix user "root" (uid 0)`,
  // `web local reviewer "ann"`, `an unauthenticated caller`.
  std::string Description() const;

 private:
  Principal(Kind kind, std::string name, uint32_t uid)
      : kind_(kind), name_(std::move(name)), uid_(uid) {}

  Kind kind_;
  std::string name_;
  uint32_t uid_;
};

// The login name of `uid` from the user database, else "uid:<uid>".
std::string UnixUserName(uint32_t uid);

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_PRINCIPAL_H_
