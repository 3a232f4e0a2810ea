// ChildProcess (see child_process.hpp): fork + execve with the descriptors and signal state set
// up in the child using async-signal-safe calls only (tandem is multi-threaded when it forks).
#include "experiments/evaluators/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.hpp"

namespace tandem {
namespace {

constexpr std::size_t kMaxLine = std::size_t{1} << 20;

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Where execve finds `name`: itself when it has a '/', else the first executable PATH entry.
std::string resolve_program(const std::string& name, const std::vector<std::string>& environment) {
  if (name.find('/') != std::string::npos) return name;
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  for (const std::string& entry : environment)
    if (entry.rfind("PATH=", 0) == 0) path = entry.substr(5);
  std::size_t begin = 0;
  for (;;) {
    std::size_t end = path.find(':', begin);
    std::string folder = path.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    std::string candidate = (folder.empty() ? std::string(".") : folder) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (end == std::string::npos) return "";
    begin = end + 1;
  }
}

void write_all(int fd, const std::string& text) {
  const char* data = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(fd, data, left);
    if (n <= 0) return;
    data += n;
    left -= static_cast<std::size_t>(n);
  }
}

const char* signal_name(int signal) {
  switch (signal) {
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGPIPE: return "SIGPIPE";
    case SIGHUP: return "SIGHUP";
    default: return nullptr;
  }
}

}  // namespace

std::string ExitStatus::describe() const {
  if (exited) {
    // A shell whose program was killed by signal N exits with 128 + N (a shell runs `command`).
    const char* name = code > 128 ? signal_name(code - 128) : nullptr;
    return "exited with status " + std::to_string(code) +
           (name ? " (killed by signal " + std::to_string(code - 128) + ", " + name + ")"
                 : std::string());
  }
  const char* name = signal_name(signal);
  return "was killed by signal " + std::to_string(signal) +
         (name ? std::string(" (") + name + ")" : std::string());
}

ChildProcess::ChildProcess(const ChildSpec& spec) {
  TANDEM_CHECK(!spec.argv.empty(), "a child process needs a program");
  // Everything the child needs is prepared here: between fork and execve it may only make
  // async-signal-safe calls.
  const std::string program = resolve_program(spec.argv[0], spec.environment);
  std::vector<char*> argv;
  for (const std::string& argument : spec.argv) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& entry : spec.environment) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);
  const std::string not_found = "tandem: " + spec.argv[0] + ": command not found\n";
  const std::string no_folder = "tandem: cannot change to folder '" + spec.directory + "'\n";
  const std::string no_exec = "tandem: cannot execute '" + program + "'\n";

  int stdin_pair[2] = {-1, -1};
  int out_pipe[2] = {-1, -1};
  int err_pipe[2] = {-1, -1};
  auto fail = [&](const char* what) {
    const int error = errno;
    for (int fd : {stdin_pair[0], stdin_pair[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]})
      if (fd >= 0) ::close(fd);
    throw Error("command '" + spec.argv[0] + "': cannot start it (" + what + ": " +
                std::strerror(error) + ")");
  };
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, stdin_pair) != 0) fail("socketpair");
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) fail("pipe");
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) fail("pipe");

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) fail("fork");
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(128 + SIGTERM);  // the starting thread is already gone
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int signal : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2})
      ::signal(signal, SIG_DFL);
    ::dup2(stdin_pair[1], 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    ::close_range(3, ~0U, 0);
    if (!spec.directory.empty() && ::chdir(spec.directory.c_str()) != 0) {
      write_all(2, no_folder);
      ::_exit(126);
    }
    if (program.empty()) {
      write_all(2, not_found);
      ::_exit(127);
    }
    ::execve(program.c_str(), argv.data(), envp.data());
    write_all(2, errno == ENOENT ? not_found : no_exec);
    ::_exit(errno == ENOENT ? 127 : 126);
  }
  ::setpgid(pid, pid);  // also here, so a signal sent right after fork reaches the new group
  pid_ = pid;
  ::close(stdin_pair[1]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  in_fd_ = stdin_pair[0];
  out_fd_ = out_pipe[0];
  err_fd_ = err_pipe[0];
  for (int fd : {out_fd_, err_fd_}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

ChildProcess::~ChildProcess() {
  // Whatever the program left in its group (worker processes it started) goes with it.
  ::kill(-pid_, SIGKILL);
  if (!status_) {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  close_fd(in_fd_);
  close_fd(out_fd_);
  close_fd(err_fd_);
}

void ChildProcess::read_available(int& fd, std::string& pending, Stream stream,
                                  std::vector<Line>& lines) {
  char buffer[65536];
  for (int reads = 0; reads < 64; ++reads) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      n = 0;  // a read error ends the stream like end of file
    }
    if (n == 0) {
      if (!pending.empty()) lines.push_back({stream, std::move(pending)});
      pending.clear();
      close_fd(fd);
      return;
    }
    std::size_t begin = 0;
    for (ssize_t i = 0; i < n; ++i) {
      if (buffer[i] != '\n') continue;
      pending.append(buffer + begin, static_cast<std::size_t>(i) - begin);
      if (!pending.empty() && pending.back() == '\r') pending.pop_back();
      lines.push_back({stream, std::move(pending)});
      pending.clear();
      begin = static_cast<std::size_t>(i) + 1;
    }
    pending.append(buffer + begin, static_cast<std::size_t>(n) - begin);
    while (pending.size() >= kMaxLine) {
      lines.push_back({stream, pending.substr(0, kMaxLine)});
      pending.erase(0, kMaxLine);
    }
  }
}

std::vector<ChildProcess::Line> ChildProcess::read_lines(std::chrono::milliseconds timeout) {
  std::vector<Line> lines;
  pollfd fds[2];
  nfds_t count = 0;
  if (out_fd_ >= 0) fds[count++] = {out_fd_, POLLIN, 0};
  if (err_fd_ >= 0) fds[count++] = {err_fd_, POLLIN, 0};
  if (count == 0) return lines;
  int ready = ::poll(fds, count, static_cast<int>(timeout.count()));
  if (ready <= 0) return lines;
  for (nfds_t i = 0; i < count; ++i) {
    if (fds[i].revents == 0) continue;
    if (fds[i].fd == out_fd_) read_available(out_fd_, out_pending_, Stream::out, lines);
    else if (fds[i].fd == err_fd_) read_available(err_fd_, err_pending_, Stream::err, lines);
  }
  return lines;
}

void ChildProcess::close_streams() {
  close_fd(out_fd_);
  close_fd(err_fd_);
}

bool ChildProcess::write_line(const std::string& line) {
  if (in_fd_ < 0) return false;
  const std::string text = line + "\n";
  ssize_t n;
  do {
    n = ::send(in_fd_, text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(text.size())) return true;
  // Half a line would garble every later reply: stop replying.
  close_fd(in_fd_);
  return false;
}

std::optional<ExitStatus> ChildProcess::poll_exit() {
  if (status_) return status_;
  int status = 0;
  pid_t done;
  do {
    done = ::waitpid(pid_, &status, WNOHANG);
  } while (done < 0 && errno == EINTR);
  if (done != pid_) return std::nullopt;
  ExitStatus result;
  if (WIFEXITED(status)) {
    result.exited = true;
    result.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  status_ = result;
  return status_;
}

void ChildProcess::signal_group(int signal) { ::kill(-pid_, signal); }

}  // namespace tandem
