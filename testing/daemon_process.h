// DaemonProcess: runs the real clearmatchd binary for integration tests, on
// loopback ports it picks itself (--listen 127.0.0.1:0), and reads the ports
// from its "clearmatchd listening ..." line.
//
//   DaemonProcess daemon({"--config", path, "--data-dir", dir});
//   ASSERT_TRUE(daemon.started()) << daemon.error();
//   auto channel = grpc::CreateChannel(daemon.address(), ...);
//   // Review and Admin calls, as the daemon's own user (every role):
//   auto local = grpc::CreateChannel(daemon.unix_address(), ...);
//   daemon.Kill();   // SIGKILL, as a crash
//
// Thread-compatible. The destructor stops the daemon (SIGTERM, then waits).
#ifndef CLEARMATCH_TESTING_DAEMON_PROCESS_H_
#define CLEARMATCH_TESTING_DAEMON_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace clearmatch::testing {

class DaemonProcess {
 public:
  // Starts clearmatchd with `args` plus --listen 127.0.0.1:0 and
  // --metrics-listen 127.0.0.1:0 (each unless `args` has it), with `env`
  // ("NAME=value") added to this process's environment, and waits (at most
  // 60 s) for its listening line. Its stderr goes to a file (Stderr()).
  explicit DaemonProcess(const std::vector<std::string>& args,
                         const std::vector<std::string>& env = {});
  ~DaemonProcess();

  bool started() const { return grpc_port_ > 0; }
  const std::string& error() const { return error_; }
  std::string address() const;
  // "unix:<path>" of the daemon's unix socket (unix_socket, by default
  // <data_dir>/clearmatchd.sock); "" when it is off.
  std::string unix_address() const;
  const std::string& unix_socket() const { return unix_socket_; }
  int metrics_port() const { return metrics_port_; }
  // The daemon's process id (e.g. for /proc/<pid>/status); -1 once reaped.
  pid_t pid() const { return pid_; }

  // What the daemon wrote to stderr so far.
  std::string Stderr() const;
  // Waits (at most 60 s, then SIGKILL) for a daemon that is exiting on its
  // own, e.g. after a refused start; the exit status (as from waitpid), -1
  // if it had to be killed or was not running.
  int WaitForExit();

  // SIGKILL and reap.
  void Kill();
  // SIGTERM and reap; the exit status (as from waitpid).
  int Stop();

 private:
  pid_t pid_ = -1;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
  std::string unix_socket_;
  std::string error_;
  std::string stderr_path_;
};

// A GET on 127.0.0.1:port; the whole response (head and body), or "" on
// failure.
std::string HttpGet(int port, const std::string& path);

}  // namespace clearmatch::testing

#endif  // CLEARMATCH_TESTING_DAEMON_PROCESS_H_
