// ChildProcess: one external program run for a trial (the `command` evaluator). It starts in its
// own process group with the given arguments, environment and working folder; its stdin is a
// socket tandem writes reply lines to without ever blocking or raising SIGPIPE; its stdout and
// stderr are read line by line with a timeout. signal_group() signals the whole group (the program
// and whatever it started); the destructor kills and reaps what is still running, so an exception
// on the evaluating thread never leaves a program behind. On Linux the program also gets SIGTERM
// when the thread that started it ends (PR_SET_PDEATHSIG), so a tandem killed with -9 does not
// leave it training.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace tandem {

struct ChildSpec {
  std::vector<std::string> argv;         // argv[0] is looked up in PATH when it has no '/'
  std::vector<std::string> environment;  // the whole environment, "NAME=value" each
  std::string directory;                 // working folder ("" = tandem's own)
};

// How a program ended.
struct ExitStatus {
  bool exited = false;  // by exit(); otherwise killed by `signal`
  int code = 0;
  int signal = 0;
  bool success() const { return exited && code == 0; }
  // "exited with status 3", "was killed by signal 9 (SIGKILL)", and for the 128 + N status a
  // shell reports for its program killed by signal N: "exited with status 137 (killed by signal
  // 9, SIGKILL)".
  std::string describe() const;
};

class ChildProcess {
 public:
  enum class Stream { out, err };
  struct Line {
    Stream stream;
    std::string text;  // without its line break; a line longer than 1 MiB arrives in pieces
  };

  // Raises tandem::Error naming the program when it cannot be started (no pipes, no fork). A
  // program that is not found starts and exits with status 127, its reason on stderr (as sh does).
  explicit ChildProcess(const ChildSpec& spec);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Waits up to `timeout` for output and returns the whole lines read (a stream's unterminated
  // last line once it closes). Returns at once when both streams are closed.
  std::vector<Line> read_lines(std::chrono::milliseconds timeout);
  bool streams_open() const { return out_fd_ >= 0 || err_fd_ >= 0; }
  // Stops reading: closes stdout and stderr (a program that writes more gets SIGPIPE).
  void close_streams();
  // Writes `line` and a line break to the program's stdin without blocking; false when it could
  // not be written whole (the program does not read its stdin, or has closed it).
  bool write_line(const std::string& line);
  // The exit status once the program has ended (reaps it); nullopt while it runs.
  std::optional<ExitStatus> poll_exit();
  // Sends `signal` to the program's process group (nothing once it has been reaped and the group
  // is empty).
  void signal_group(int signal);

 private:
  void read_available(int& fd, std::string& pending, Stream stream, std::vector<Line>& lines);

  pid_t pid_ = -1;
  int in_fd_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_pending_, err_pending_;
  std::optional<ExitStatus> status_;
};

}  // namespace tandem
