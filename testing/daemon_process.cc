// Starting and stopping the real daemon for integration tests.
#include "testing/daemon_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

#include "testing/testdata.h"

namespace clearmatch::testing {

DaemonProcess::DaemonProcess(const std::vector<std::string>& args,
                             const std::vector<std::string>& env) {
  int out[2];
  char stderr_pattern[] = "/tmp/clearmatchd-stderr-XXXXXX";
  const int err = mkstemp(stderr_pattern);
  if (err < 0 || pipe(out) != 0) {
    error_ = "pipe or mkstemp failed";
    if (err >= 0) close(err);
    return;
  }
  stderr_path_ = stderr_pattern;
  std::vector<std::string> argv_strings = {BinaryPath("daemon/clearmatchd")};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  for (const char* flag : {"--listen", "--metrics-listen"}) {
    if (std::find(args.begin(), args.end(), flag) == args.end()) {
      argv_strings.push_back(flag);
      argv_strings.push_back("127.0.0.1:0");
    }
  }
  std::vector<char*> argv;
  for (std::string& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings = env;
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  for (char** e = environ; *e != nullptr; ++e) envp.push_back(*e);
  envp.push_back(nullptr);
  pid_ = fork();
  if (pid_ == 0) {
    // The daemon dies with its test, even when the test itself crashes or
    // a sanitizer stops it: no orphaned daemons holding ports and files.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(out[1], 1);
    dup2(err, 2);
    close(out[0]);
    close(out[1]);
    close(err);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(out[1]);
  close(err);
  std::string line;
  const auto give_up =
      std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (line.find('\n') == std::string::npos &&
         std::chrono::steady_clock::now() < give_up) {
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, 1000) <= 0) continue;
    char buffer[256];
    const ssize_t n = read(out[0], buffer, sizeof(buffer));
    if (n <= 0) break;
    line.append(buffer, static_cast<size_t>(n));
  }
  close(out[0]);
  if (std::sscanf(line.c_str(),
                  "clearmatchd listening grpc_port=%d metrics_port=%d",
                  &grpc_port_, &metrics_port_) != 2) {
    error_ =
        "clearmatchd did not start; stdout: " + line + "; stderr: " + Stderr();
    grpc_port_ = 0;
  }
  const size_t unix_socket = line.find("unix_socket=");
  if (unix_socket != std::string::npos) {
    unix_socket_ = line.substr(unix_socket + std::strlen("unix_socket="));
    unix_socket_ = unix_socket_.substr(0, unix_socket_.find_first_of(" \n"));
  }
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) Stop();
  if (!stderr_path_.empty()) unlink(stderr_path_.c_str());
}

std::string DaemonProcess::Stderr() const {
  std::ifstream in(stderr_path_, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int DaemonProcess::WaitForExit() {
  if (pid_ <= 0) return -1;
  const auto give_up =
      std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > give_up) {
      Kill();
      return -1;
    }
    usleep(10000);
  }
  pid_ = -1;
  return status;
}

std::string DaemonProcess::address() const {
  return "127.0.0.1:" + std::to_string(grpc_port_);
}

std::string DaemonProcess::unix_address() const {
  return unix_socket_.empty() ? "" : "unix:" + unix_socket_;
}

void DaemonProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

int DaemonProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

std::string HttpGet(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    const std::string request = "GET " + path + " HTTP/1.0\r\n\r\n";
    if (write(fd, request.data(), request.size()) ==
        static_cast<ssize_t>(request.size())) {
      char buffer[4096];
      ssize_t n;
      while ((n = read(fd, buffer, sizeof(buffer))) > 0) {
        response.append(buffer, static_cast<size_t>(n));
      }
    }
  }
  close(fd);
  return response;
}

}  // namespace clearmatch::testing
