// UnixSocketListener: clearmatchd's unix-domain socket. gRPC tells a server
// nothing about the peer of a unix socket, so this class accepts the
// connections itself, reads each caller's uid (SO_PEERCRED, fixed by the
// kernel at connect time), and hands the connected fd to the gRPC server
// (grpc::AddInsecureChannelFromFd). gRPC then names that connection's peer
// "fd:<N>" (ServerContext::peer()); UidOf maps the name back to the uid.
//
//   CM_ASSIGN_OR_RETURN(auto listener, UnixSocketListener::Create(path));
//   ... builder.BuildAndStart() ...
//   listener->Start(*server);
//   std::optional<uint32_t> uid = listener->UidOf(context.peer());
//   listener->Stop();   // before the server shuts down
//
// fd-number reuse: a closed connection's number is handed by the kernel to
// the next file the process opens, possibly the next caller's connection.
// An entry is written when a connection is accepted, before gRPC sees the
// fd, so a new connection's calls never see the old caller's entry; a call
// of the old connection cannot run any more by then, since gRPC closes a
// connection's fd only when its transport, which every call on it holds,
// is destroyed. Entries also keep the socket's inode: UidOf answers only
// while fd N is still that very socket, so an entry left by a closed
// connection whose number now belongs to another file is never used.
//
// The socket file is created 0660 (no access for others, whatever the
// umask), replaces a stale socket left at `path` (never another kind of
// file) and is removed by Stop.
//
// Thread-safe.
#ifndef CLEARMATCH_DAEMON_UNIX_SOCKET_LISTENER_H_
#define CLEARMATCH_DAEMON_UNIX_SOCKET_LISTENER_H_

#include <grpcpp/server.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace clearmatch {

class UnixSocketListener {
 public:
  // Binds and listens on `path`. INVALID_ARGUMENT for a path too long for a
  // unix socket; FAILED_PRECONDITION if `path` exists and is not a socket,
  // or is a socket another process is listening on; UNAVAILABLE if it
  // cannot be bound.
  static absl::StatusOr<std::unique_ptr<UnixSocketListener>> Create(
      const std::string& path);
  ~UnixSocketListener();

  // Accepts connections on a thread of its own and serves them on `server`
  // (started; it must outlive Stop). Once.
  void Start(grpc::Server& server);
  // Stops accepting, closes the socket and removes its file. Connections
  // already handed to gRPC are gRPC's. Idempotent.
  void Stop();

  // The uid of the caller on the connection gRPC names `grpc_peer`
  // ("fd:<N>"); nullopt for any other peer or a connection no longer open.
  std::optional<uint32_t> UidOf(absl::string_view grpc_peer) const;

  const std::string& path() const { return path_; }

 private:
  struct Connection {
    uint32_t uid;
    ino_t inode;
  };

  UnixSocketListener(std::string path, int fd, int wake_read, int wake_write);
  void AcceptLoop(grpc::Server* server);
  // Records and hands over one accepted connection.
  void Serve(grpc::Server& server, int fd);

  const std::string path_;
  const int fd_;
  // Written by Stop to wake the accept thread.
  const int wake_read_;
  const int wake_write_;
  std::thread accept_thread_;

  mutable absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  // fd number -> the connection accepted with it.
  absl::flat_hash_map<int, Connection> connections_ ABSL_GUARDED_BY(mu_);
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_UNIX_SOCKET_LISTENER_H_
